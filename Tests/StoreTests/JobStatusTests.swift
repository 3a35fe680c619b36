import Testing

@testable import Store

@Suite struct JobStatusTests {
    /// The whole table, written out independently of the implementation.
    static let legal: Set<String> = [
        "queued→running", "queued→cancelled",
        "running→paused", "running→succeeded", "running→stopped", "running→failed", "running→cancelled",
        "paused→running", "paused→stopped", "paused→failed", "paused→cancelled",
    ]

    @Test(arguments: JobStatus.allCases)
    func transitionsFromEachStatusMatchTheTable(from: JobStatus) {
        for to in JobStatus.allCases {
            let expected = Self.legal.contains("\(from.rawValue)→\(to.rawValue)")
            #expect(from.canTransition(to: to) == expected, "\(from) → \(to)")
        }
    }

    @Test func terminalStatusesHaveNoWayOut() {
        #expect(JobStatus.allCases.filter(\.isTerminal) == [.succeeded, .stopped, .failed, .cancelled])
    }

    @Test func sameStatusIsIllegal() {
        for status in JobStatus.allCases { #expect(!status.canTransition(to: status)) }
    }

    @Test func illegalTransitionIsAValueNamingBothEnds() throws {
        #expect(throws: StoreError.illegalTransition(from: .succeeded, to: .running)) {
            try JobStatus.succeeded.transition(to: .running)
        }
        #expect(try JobStatus.queued.transition(to: .running) == .running)
    }
}
