import Testing

@testable import Store

@Suite struct CommandTests {
    @Test(arguments: Storage.allCases)
    func pendingCommandsComeOutInPostingOrder(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let job = try store.createJob(spec: spec)
        let unfreeze = try store.postCommand(job: job.id, type: "unfreeze", payload: #"{"group":"layer4"}"#)
        let lr = try store.postCommand(job: job.id, type: "lr", payload: #"{"lr":0.001}"#)
        #expect(RandomID.isWellFormed(unfreeze.id, prefix: "cmd") && unfreeze.status == .pending)
        #expect(try store.pendingCommands(job: job.id).map(\.id) == [unfreeze.id, lr.id])
        let applied = try store.resolveCommand(unfreeze.id, as: .applied, message: "layer4 trainable")
        #expect(applied.status == .applied && applied.resolvedAt != nil && applied.message == "layer4 trainable")
        #expect(try store.pendingCommands(job: job.id).map(\.id) == [lr.id])
        #expect(try store.commands(job: job.id).data.map(\.id) == [lr.id, unfreeze.id])
        #expect(try store.commands(job: job.id, status: .applied).data.map(\.id) == [unfreeze.id])
    }

    @Test func resolvingTwiceIsAConflict() throws {
        let store = try StoreFixture(.memory).store
        let command = try store.postCommand(job: store.createJob(spec: spec).id, type: "pause")
        _ = try store.resolveCommand(command.id, as: .rejected, message: "not running")
        #expect(throws: StoreError.conflict(kind: "command", id: command.id, reason: "already rejected")) {
            try store.resolveCommand(command.id, as: .applied)
        }
    }

    @Test func resolvingAsPendingIsInvalid() throws {
        let store = try StoreFixture(.memory).store
        let command = try store.postCommand(job: store.createJob(spec: spec).id, type: "pause")
        #expect(throws: StoreError.invalidArgument(field: "status", reason: "must be applied or rejected")) {
            try store.resolveCommand(command.id, as: .pending)
        }
    }

    @Test func unknownCommandIsNotFound() throws {
        #expect(throws: StoreError.notFound(kind: "command", id: "cmd_0")) {
            try StoreFixture(.memory).store.command("cmd_0")
        }
    }

    @Test func commandToAFinishedJobIsAConflict() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        _ = try store.transitionJob(job.id, to: .cancelled)
        #expect(throws: StoreError.conflict(kind: "job", id: job.id, reason: "job is cancelled")) {
            try store.postCommand(job: job.id, type: "pause")
        }
    }

    @Test func commandPayloadThatIsNotJSONIsRefused() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.invalidArgument(field: "payload", reason: "not valid JSON")) {
            try store.postCommand(job: job.id, type: "lr", payload: "lr=0.1")
        }
        #expect(try store.pendingCommands(job: job.id).isEmpty)
    }

    @Test func pendingCommandsAreCancelledWhenTheJobEnds() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.claimNextQueued(after: store.createJob(spec: spec))
        let command = try store.postCommand(job: job.id, type: "unfreeze", payload: #"{"group":"all"}"#)
        _ = try store.transitionJob(job.id, to: .stopped)
        let cancelled = try store.command(command.id)
        #expect(cancelled.status == .cancelled && cancelled.resolvedAt != nil)
        #expect(cancelled.message == "job stopped before the command was applied")
    }

    @Test func theCommandThatEndsTheJobIsAppliedAndTheOthersCancelled() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        let lr = try store.postCommand(job: job.id, type: "lr", payload: #"{"scale":0.5}"#)
        let cancel = try store.postCommand(job: job.id, type: "cancel")
        _ = try store.transitionJob(job.id, to: .cancelled, applying: cancel.id)
        #expect(try store.command(cancel.id).status == .applied)
        #expect(try store.command(lr.id).status == .cancelled)
    }
}
