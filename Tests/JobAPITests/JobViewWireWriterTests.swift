import Foundation
import Testing
@testable import JobAPI

/// `JobView.wireBytes()` (the hand-written writer the job routes answer with) against `Wire.encode`
/// (JSONEncoder, the oracle) byte for byte, over every training state the stored event fixtures
/// replay to and job records of every kind, so the two cannot drift.
@Suite struct JobViewWireWriterTests {
    static let allEvents = StoredEvents.documented + StoredEvents.written + StoredEvents.legacy

    func oracle<T: Encodable>(_ value: T) throws -> String { String(decoding: try Wire.encode(value), as: UTF8.self) }

    /// Every prefix of every fixture sequence: queued, running (phase, epochs, controls), finished
    /// (best, test with and without tta or a test split), lr_find, NaN metrics.
    func states() throws -> [JobTrainingState] {
        let sequences: [[String]] = [
            StoredEvents.documented.map(\.name),
            StoredEvents.written.map(\.name),
            StoredEvents.legacy.map(\.name),
            ["phase started", "epoch without validation, NaN loss", "test without a test split"],
            ["lr_find"], ["lr_find too short"], ["test without tta"], ["best train loss only", "control refused"],
        ]
        var states: [JobTrainingState] = [JobTrainingState()]
        for sequence in sequences {
            var state = JobTrainingState()
            for name in sequence {
                let fixture = Self.allEvents.first { $0.name == name }!
                state = state.applying(try TrainingEvent(type: fixture.type, payload: fixture.payload))
                states.append(state)
            }
        }
        return states
    }

    static let documents: [JSONValue] = [
        .object([:]),
        .object(["model": .object(["architecture": .string("small-cnn")]),
                 "dataset": .object(["id": .string("fashion-mnist"), "classes": .array([.number(0), .number(1)]), "per_class": .number(20)]),
                 "phases": .array([.object(["trainable": .string("all"), "epochs": .number(1), "lr": .number(0.01)])]),
                 "batch_size": .number(8), "name": .string("http-bench")]),
        .object(["type": .string("lr_find"), "model": .object(["id": .string("model_0123456789abcdef")]),
                 "lr_find": .object(["start_lr": .number(1e-7), "end_lr": .number(10), "num_it": .number(100)]),
                 "dataset": .object(["id": .string("dataset_ff"), "val_fraction": .number(0.2)])]),
        .object(["name": .string("Ünïcode ✓ 😀 \"quoted\" back\\slash / tab\t nl\n ctl\u{1} del\u{7f} \u{2028}"),
                 "Zeta": .bool(true), "alpha": .null, "a10": .number(-0.0), "a2": .number(1e21), "_x": .number(123456789012),
                 "é": .array([.number(0.30000000000000004), .number(5e-324), .number(-1.5e-7), .bool(false), .null]),
                 "nested": .object(["b": .object(["d": .array([]), "c": .object([:])]), "B": .string("")])]),
    ]

    func views() throws -> [JobView] {
        var views: [JobView] = []
        let failures: [JobView.Failure?] = [nil, JobView.Failure(code: "nan_loss", message: "loss became NaN at \"step\" 7\n")]
        let results: [JSONValue?] = [nil, .object(["epochs": .number(3), "best_metric": .string("val_loss"), "best_value": .number(0.34625717663764954),
                                                   "test": .object(["accuracy": .number(0.8698)]), "stop_reason": .null]),
                                     .array([.number(1), .string("x")])]
        for (s, state) in try states().enumerated() {
            var training = state
            training.groups = state.groups.isEmpty && s % 2 == 0
                ? [GroupView(name: "block1", trainable: false, lr: nil, peakLR: nil), GroupView(name: "head", trainable: true, lr: 0.01, peakLR: 0.01)]
                : state.groups(in: ["block1", "block2", "head", "never-named"])
            let document = Self.documents[s % Self.documents.count]
            let started = s % 3 != 0
            views.append(JobView(
                id: "job_\(String(format: "%016x", s))", name: s % 4 == 0 ? nil : "job \(s) — ü",
                status: ["queued", "running", "succeeded", "failed", "stopped", "paused", "cancelled"][s % 7],
                priority: s % 5 - 2, spec: document, modelID: s % 2 == 0 ? nil : "model_\(s)", attempts: s % 3, crashes: s % 2,
                createdAt: 1_764_633_600 + s, startedAt: started ? 1_764_633_601 + s : nil, finishedAt: s % 4 == 1 ? 1_764_633_700 : nil,
                queuedSeconds: [0, 1.25, 0.001, 86400.5][s % 4], runningSeconds: started ? [12.345, 0.0, 1e-3, 100][s % 4] : nil,
                training: training, failure: failures[s % 2], result: results[s % 3]))
            // A child of an experiment names it (between `error` and `finished_at` in key order).
            if s % 3 == 1 { views[views.count - 1].experiment = "exp_\(String(format: "%016x", s))" }
            // A claimed job names its node (between `name` and `object`), with text that needs escaping.
            if s % 2 == 0 { views[views.count - 1].node = s % 4 == 0 ? "node-\(s)" : "nöde \"\(s)\"\t" }
        }
        return views
    }

    @Test func everyJobViewWritesTheOraclesBytes() throws {
        let views = try views()
        #expect(views.count > 30)
        for view in views {
            #expect(String(decoding: view.wireBytes(), as: UTF8.self) == (try oracle(view)), "\(view.id)")
            // The same with every part written beforehand, as the job service keeps them.
            var spliced = view
            spliced.fragments = JobView.Fragments(spec: JobView.SpecFragments(document: view.spec),
                                                  training: JobView.TrainingFragments(training: view.training),
                                                  result: view.result.map(WireWriter.rendered))
            #expect(String(decoding: spliced.wireBytes(), as: UTF8.self) == (try oracle(view)), "\(view.id), spliced")
        }
    }

    @Test func aPageOfJobsWritesTheOraclesBytes() throws {
        let views = try views()
        for page in [ListPage(views, hasMore: true), ListPage(Array(views.prefix(1)), hasMore: false), ListPage<JobView>([], hasMore: false)] {
            #expect(String(decoding: page.wireBytes(), as: UTF8.self) == (try oracle(page)))
        }
    }

    @Test func valuesAreWrittenAsTheEncoderWritesThem() throws {
        let strings = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) } + ["é", "😀", "\u{2028}", "e\u{301}", "/", ""]
        let numbers: [Double] = [0, -0.0, 1, -1, 0.1, 1e-5, 1e-7, 2.5e-7, 1e15, 1e16, 1e20, 1e21, 123456789012345678,
                                 0.30000000000000004, 5e-324, .greatestFiniteMagnitude, Double(Float(0.1)), 100, 3.0e-308]
        let value = JSONValue.array(strings.map { .string($0) } + numbers.map { .number($0) })
        #expect(String(decoding: WireWriter.rendered(value), as: UTF8.self) == (try oracle(value)))
        let keyed = JSONValue.object(Dictionary(strings.filter { $0 != "e\u{301}" }.map { ($0, JSONValue.null) }, uniquingKeysWith: { a, _ in a }))
        #expect(String(decoding: WireWriter.rendered(keyed), as: UTF8.self) == (try oracle(keyed)))
    }
}
