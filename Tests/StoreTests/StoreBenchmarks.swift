import Foundation
import Testing

@testable import Store

/// Figures for docs/store.md; run only on request (debug build, so absolute times are pessimistic):
/// `THAW_STORE_BENCH=1 swift test --filter StoreTests.StoreBenchmarks`
@Suite(.serialized) struct StoreBenchmarks {
    static let enabled = ProcessInfo.processInfo.environment["THAW_STORE_BENCH"] != nil

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test(.enabled(if: StoreBenchmarks.enabled), arguments: [StoreConfiguration.Synchronous.full, .normal])
    func commitsPerSecond(synchronous: StoreConfiguration.Synchronous) throws {
        let fixture = try StoreFixture(.file, synchronous: synchronous)
        let job = try fixture.store.createJob(spec: spec)
        let count = 500
        let elapsed = try seconds {
            for epoch in 0..<count { try fixture.store.appendEvent(job: job.id, type: "epoch", payload: #"{"epoch":\#(epoch)}"#) }
        }
        print("STORE-BENCH synchronous=\(synchronous.rawValue): \(count) appendEvent commits in \(String(format: "%.3f", elapsed)) s = \(String(format: "%.2f", elapsed / Double(count) * 1000)) ms/commit")
    }

    @Test(.enabled(if: StoreBenchmarks.enabled)) func artifactWriteAndVerify() throws {
        let fixture = try StoreFixture()
        let job = try fixture.store.claimNextQueued(after: fixture.store.createJob(spec: spec))
        let bytes = [UInt8](repeating: 0x5a, count: 45 << 20)  // about resnet18's float32 weights
        var checkpoint: CheckpointRecord?
        let write = try seconds {
            checkpoint = try fixture.store.addCheckpoint(job: job.id, kind: .last, epoch: 1, source: .bytes(bytes))
        }
        let ref = try #require(checkpoint).artifact
        let read = try seconds { _ = try fixture.store.readArtifact(ref) }
        let verify = try seconds { _ = try fixture.store.verifiedArtifact(ref) }
        print("STORE-BENCH 45 MiB checkpoint: write+fsync+rename \(String(format: "%.3f", write)) s, verified read \(String(format: "%.3f", read)) s, streaming verify \(String(format: "%.3f", verify)) s")
    }
}
