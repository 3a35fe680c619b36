import Foundation
import JobAPI
import Testing

@testable import Daemon
@testable import Store

/// A real run through `JobExecution` (in this process, on this thread): what it stores is typed end
/// to end, and the training state row is what the log says.
@Suite(.serialized, .enabled(if: fashionMNISTInstalled)) struct JobExecutionEventTests {
    @Test func aRunStoresTypedEventsAndTheStateRowIsTheLogFolded() throws {
        let fixture = try StoppedDaemon()
        let store = fixture.store
        let job = try fixture.claimedJob(epochs: [1, 1])
        fixture.run(job)
        #expect(try store.job(job.id).status == .succeeded)

        let records = try store.events(job: job.id)
        let events = try records.map { try TrainingEvent(type: $0.type, payload: $0.payload) }
        for (record, event) in zip(records, events) {
            #expect(try event.payloadText() == record.payload, "\(record.type) is stored as its type writes it")
        }
        let types = events.map(\.type)
        #expect(types.first == .status && types.last == .status)
        #expect(types.filter { $0 == .epoch }.count == 2)
        #expect(types.contains(.best) && types.contains(.test) && types.contains(.run))

        let state = try #require(try store.trainingState(job: job.id))
        let folded = events.reduce(JobTrainingState()) { state, event in state.applying(event) }
        #expect(state == folded)
        #expect(state.epoch == 2 && state.phase == "all")
        #expect(state.groups.map(\.name) == ["block1", "block2", "head"])
        #expect(state.groups.allSatisfy { $0.trainable })
        let record = try store.job(job.id)
        #expect(record.epoch == 2 && record.phase == "all" && record.step == state.step)
        #expect(fixture.daemon!.metrics.value("thaw_training_epochs_total") == 2)

        // The job object reads the state row.
        let object = try viewObject(fixture.daemon!, record)
        let metrics = try #require(object["metrics"] as? [String: Any])
        #expect((metrics["latest"] as? [String: Any])?["global_epoch"] as? Int == 2)
        #expect(metrics["test_accuracy"] != nil && metrics["best"] != nil)
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.map { $0["name"] as? String } == ["block1", "block2", "head"])
        #expect(groups.allSatisfy { $0["lr"] as? Double != nil && $0["peak_lr"] as? Double == 0.001 })
    }

    @Test func beforeTheRunTheGroupsAreTheFirstPhasesPlan() throws {
        let fixture = try StoppedDaemon()
        let job = try fixture.claimedJob()
        let object = try viewObject(fixture.daemon!, try fixture.store.job(job.id))
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.map { $0["trainable"] as? Bool } == [false, false, true])
        #expect(groups.allSatisfy { $0["lr"] as? Double == 0.003 && $0["peak_lr"] as? Double == 0.003 })
        #expect((object["metrics"] as? [String: Any])?.isEmpty == true)
    }
}

/// The job object as `GET /v1/jobs/{id}` encodes it, read back loosely for field checks.
private func viewObject(_ daemon: Daemon, _ record: JobRecord) throws -> [String: Any] {
    let bytes = try Wire.encode(daemon.jobs.view(daemon.jobs.store.jobSnapshot(record.id)))
    return try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
}

/// A run reads its pending commands from the store only when told one was posted (this node's
/// command feed, another node's NOTIFY) and on a slow safety-net interval: a training batch costs the
/// database nothing, and a command still reaches the run at its next boundary.
@Suite(.serialized, .enabled(if: fashionMNISTInstalled)) struct JobExecutionCommandTests {
    @Test func commandsAreReadWhenPostedAndOnTheSafetyNetOnly() throws {
        let fixture = try StoppedDaemon()
        let store = fixture.store
        let job = try fixture.claimedJob()
        let execution = JobExecution(fixture.daemon!.executionDependencies, job: job)
        // Posted before the run's first boundary (while the job was queued): read at the first one.
        let first = try store.postCommand(job: job.id, type: "lr", payload: #"{"scale":0.5}"#)
        #expect(execution.takeCommands().map(\.id) == [first.id])
        // Posted without telling the run: not read (the store is not polled per batch) ...
        let second = try store.postCommand(job: job.id, type: "lr", payload: #"{"scale":0.5}"#)
        #expect(execution.takeCommands().isEmpty)
        #expect(execution.takeCommands().isEmpty)
        // ... until told, and then once.
        execution.commandsPosted()
        #expect(execution.takeCommands().map(\.id) == [second.id])
        #expect(execution.takeCommands().isEmpty)
        // A lost wake-up only delays: the safety net reads the store after `commandRecheck`.
        execution.commandRecheck = 0.2
        let third = try store.postCommand(job: job.id, type: "lr", payload: #"{"scale":0.5}"#)
        usleep(250_000)
        #expect(execution.takeCommands().map(\.id) == [third.id])
    }

    /// The daemon's wiring: a command posted through the service reaches the run the node's
    /// workers hold through the Store's in-process command feed (SQLite has no NOTIFY).
    @Test func aPostedCommandMarksTheRunningExecution() throws {
        let fixture = try StoppedDaemon()
        let daemon = fixture.daemon!
        let job = try fixture.claimedJob()
        let execution = JobExecution(daemon.executionDependencies, job: job)
        _ = execution.takeCommands()  // the first boundary's read
        daemon.workers.register(execution, job: job.id)
        _ = try daemon.store.postCommand(job: job.id, type: "lr", payload: #"{"scale":0.5}"#)
        #expect(execution.takeCommands().count == 1, "the feed told the run")
        daemon.workers.unregister(job: job.id)
    }
}
