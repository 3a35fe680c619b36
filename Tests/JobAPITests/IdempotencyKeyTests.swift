import Testing
@testable import JobAPI

/// The keys are stored in existing databases (migration 0004): their spelling must not change.
@Suite struct IdempotencyKeyTests {
    func key(_ name: String, epoch: Int = 5) throws -> String? {
        let fixture = (StoredEvents.documented + StoredEvents.written).first { $0.name == name }!
        return try TrainingEvent(type: fixture.type, payload: fixture.payload).idempotencyKey(epoch: epoch)
    }

    @Test func keysAsThawdHasAlwaysStoredThem() throws {
        #expect(try key("epoch") == "epoch:1")
        #expect(try key("checkpoint") == "checkpoint:best:1")
        #expect(try key("checkpoint epoch") == "checkpoint:epoch:7")
        #expect(try key("best") == "best:1")
        #expect(try key("advice") == "advice:underfitting:2")
        #expect(try key("phase started") == "phase:started:0")
        #expect(try key("phase ended") == "phase:ended:1")
        #expect(try key("control applied") == "control:cmd_5e97c31874358135")
        #expect(try key("control self-made", epoch: 3) == "control:gradual_unfreeze:block2:3")
        #expect(try key("test with tta") == "test")
        #expect(try key("lr_find") == "lr_find")
        #expect(try key("run succeeded") == "run:succeeded")
        #expect(try key("run stopped") == "run:stopped")
    }

    /// Facts of one start, and the store's own events, are never deduplicated.
    @Test func factsOfOneStartHaveNoKey() throws {
        #expect(try key("run started") == nil)
        #expect(TrainingEvent.run(RunEvent(status: .resumed, globalEpoch: 2)).idempotencyKey(epoch: 2) == nil)
        #expect(TrainingEvent.run(RunEvent(status: .interrupted, globalEpoch: 2)).idempotencyKey(epoch: 2) == nil)
        #expect(TrainingEvent.phase(PhaseEvent(event: .resumed, phase: "p", phaseIndex: 0, epochs: 1, openEnded: false,
                                               trainable: [], peakLRs: [:])).idempotencyKey(epoch: 0) == nil)
        #expect(try key("queued") == nil)
        #expect(try key("interrupted at start-up") == nil)
    }
}
