import Foundation
import Testing
@testable import JobAPI

/// The reducer the store applies in each append's transaction, and the job-object pieces it feeds.
@Suite struct JobTrainingStateTests {
    func event(_ name: String) throws -> TrainingEvent {
        let fixture = (StoredEvents.documented + StoredEvents.written + StoredEvents.legacy).first { $0.name == name }!
        return try TrainingEvent(type: fixture.type, payload: fixture.payload)
    }

    func replay(_ names: [String]) throws -> JobTrainingState {
        try names.reduce(JobTrainingState()) { try $0.applying(event($1)) }
    }

    @Test func eventsThatDescribeNoTrainingStateChangeNothing() throws {
        for name in ["queued", "claim", "run started", "checkpoint", "advice", "run succeeded", "succeeded",
                     "interrupted at start-up"] {
            #expect(try JobTrainingState().applying(event(name)).isEmpty, "\(name)")
            #expect(!JobTrainingState.changes(try event(name)))
        }
    }

    @Test func phaseStartShowsItsGroupsAtTheirPeaks() throws {
        let state = try replay(["queued", "claim", "run started", "phase started"])
        #expect(state.phase == "pretrain")
        #expect(state.epoch == nil)
        #expect(state.groups == ["block1", "block2", "head"].map { GroupView(name: $0, trainable: true, lr: 0.003, peakLR: 0.003) })
    }

    @Test func epochSetsPositionGroupsAndLatest() throws {
        let state = try replay(["phase started", "best", "checkpoint", "epoch"])
        #expect(state.phase == "pretrain")
        #expect(state.epoch == 1)
        #expect(state.step == 71)
        #expect(state.groups.map(\.lr) == [0.002919355623172259, 0.002919355623172259, 0.002919355623172259])
        #expect(state.groups.map(\.peakLR) == [0.003, 0.003, 0.003])
        #expect(state.latest?.globalEpoch == 1)
        #expect(state.best?.metrics["val_loss"] == 0.9100601763725281)
    }

    @Test func controlReplacesTheGroups() throws {
        let state = try replay(["phase started", "epoch", "control applied"])
        #expect(state.groups.map(\.trainable) == [false, true, true])
        #expect(state.groups[1] == GroupView(name: "block2", trainable: true, lr: 9.698466119298504e-05, peakLR: 0.0001))
        #expect(state.latest?.epoch == 1, "a command leaves the latest epoch alone")
    }

    /// A group keeps its place; the model's order is applied by `groups(in:)`.
    @Test func groupsKeepTheirOrderAndFollowTheModel() throws {
        let start = JobTrainingState(groups: [GroupView(name: "features", trainable: false, lr: 1, peakLR: 1),
                                              GroupView(name: "classifier", trainable: true, lr: 1, peakLR: 1)])
        let next = start.applying(.control(ControlEvent(action: .unfreeze, ok: true, trainable: ["features", "classifier"],
                                                        trainableLayers: [], peakLRs: ["classifier": 0.1, "features": 0.01],
                                                        lrs: ["classifier": 0.05, "features": nil], paused: false, fromCache: false)))
        #expect(next.groups.map(\.name) == ["features", "classifier"])
        #expect(next.groups[0].lr == nil, "a null LR stays null, as the event says")
        let ordered = next.groups(in: ["stem", "features", "classifier"])
        #expect(ordered.map(\.name) == ["stem", "features", "classifier"])
        #expect(ordered[0] == GroupView(name: "stem", trainable: false, lr: nil, peakLR: nil))
    }

    @Test func bestTestAndLRFindAreKept() throws {
        let state = try replay(["epoch", "best", "test with tta", "lr_find"])
        #expect(state.best?.globalEpoch == 1)
        #expect(state.test?.tta?.accuracy == 0.8676)
        #expect(state.lrFind?.endedBy == "diverged")
    }

    /// The job object's `metrics`, byte for byte as the view built from the newest events wrote it.
    @Test func metricsViewAsTheJobObjectShowedIt() throws {
        #expect(try text(JobMetricsView(JobTrainingState())) == "{}")
        let running = try replay(["phase started", "best", "epoch"])
        #expect(try text(JobMetricsView(running)) == #"{"best":{"epoch":1,"global_epoch":1,"phase":"pretrain","train_loss":0.9560795758830176,"val_accuracy":0.66,"val_loss":0.9100601763725281},"latest":{"epoch":1,"from_cache":false,"global_epoch":1,"images_per_second":524.5401724622648,"per_class_accuracy":{"Coat":0.47,"Dress":0.72,"Pullover":0.37,"T-shirt/top":0.97,"Trouser":0.77},"phase":"pretrain","seconds":8.87248506,"train_loss":0.9560795758830176,"val_accuracy":0.66,"val_loss":0.9100601763725281}}"#)
        let done = running.applying(try event("test with tta"))
        let doneText = try text(JobMetricsView(done))
        #expect(doneText.hasSuffix(#","restored_best":true,"stop_reason":null,"test_accuracy":0.8698,"test_loss":0.3650547312736511,"tta_accuracy":0.8676,"tta_loss":0.37035681703983075}"#))
        // No best event (no epoch improved, or an lr_find job): the final report's best stands in.
        let noBest = JobTrainingState().applying(try event("test without a test split"))
        #expect(try text(JobMetricsView(noBest)) == #"{"best":{"global_epoch":null,"metric":"train_loss","value":null},"restored_best":false,"stop_reason":"early_stopping"}"#)
    }

    @Test func groupsViewBeforeTheRunIsTheFirstPhasesPlan() throws {
        let json = #"{"name":"plan","model":{"architecture":"small-cnn"},"dataset":{"id":"d"},"optimizer":{"type":"sgd"},"phases":[{"name":"head","trainable":["head"],"epochs":1,"lr":0.01}]}"#
        let spec = try JobSpec.parse(json: Data(json.utf8)).get()
        let plan = JobTrainingState().groupsView(modelGroups: ["block1", "block2", "head"], spec: spec)
        #expect(plan == [GroupView(name: "block1", trainable: false, lr: 0.01, peakLR: 0.01),
                         GroupView(name: "block2", trainable: false, lr: 0.01, peakLR: 0.01),
                         GroupView(name: "head", trainable: true, lr: 0.01, peakLR: 0.01)])
        #expect(try text(plan[0]) == #"{"lr":0.01,"name":"block1","peak_lr":0.01,"trainable":false}"#)
        let unknown = JobTrainingState().groupsView(modelGroups: ["a"], spec: nil)
        #expect(try text(unknown[0]) == #"{"lr":null,"name":"a","peak_lr":null,"trainable":false}"#)
    }

    /// The stored row is the Codable state: what goes in comes back.
    @Test func stateRoundTripsThroughTheWire() throws {
        let state = try replay(["phase started", "best", "epoch", "control applied", "test with tta", "lr_find"])
        #expect(try Wire.decode(JobTrainingState.self, from: Wire.encode(state)) == state)
    }

    func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try Wire.encode(value), as: UTF8.self) }
}
