import Foundation
import JobAPI
import Testing

/// `CreateJobRequest`: one read of the body, `priority` taken out of the spec, every problem kept.
@Suite struct CreateJobRequestTests {
    static func read(_ text: String) throws -> CreateJobRequest.Reading {
        CreateJobRequest.read(try Wire.decode(JSONValue.self, from: Data(text.utf8)), text: text)
    }

    static let spec = #"{"name": "j", "model": {"architecture": "small-cnn"}, "dataset": {"id": "d"}, "fine_tune": 1}"#

    @Test func withoutPriorityTheSpecIsTheBodyAsPosted() throws {
        let reading = try Self.read(Self.spec)
        let request = try #require(reading.request)
        #expect(request.priority == 0)
        #expect(request.specText == Self.spec)
        #expect(reading.model == .architecture("small-cnn") && reading.datasetID == "d")
    }

    @Test func priorityIsTakenOutOfTheStoredSpec() throws {
        let reading = try Self.read(#"{"priority": -3, "name": "j", "model": {"architecture": "small-cnn"}, "dataset": {"id": "d"}, "fine_tune": 1}"#)
        let request = try #require(reading.request)
        #expect(request.priority == -3)
        let stored = try Wire.decode(JSONValue.self, from: Data(request.specText.utf8))
        #expect(stored.field("priority") == nil && stored == reading.document)
        #expect(stored == (try Wire.decode(JSONValue.self, from: Data(Self.spec.utf8))))
    }

    @Test func aBadPriorityIsListedWithTheSpecsProblems() throws {
        for (priority, message) in [("1001", "must be in -1000...1000"), ("1.5", "must be an integer"), ("true", "must be an integer"), ("null", "must be an integer")] {
            let reading = try Self.read(#"{"priority": \#(priority), "name": "", "model": {"architecture": "small-cnn"}, "dataset": {"id": "d"}, "fine_tune": 1}"#)
            #expect(reading.request == nil)
            #expect(reading.problems.map(\.path) == ["priority", "name"], "\(priority)")
            #expect(reading.problems.first?.message == message)
        }
    }

    @Test func referencesWithProblemsAreNotLookedUp() throws {
        let reading = try Self.read(#"{"name": "j", "model": {"id": "m", "architecture": "small-cnn"}, "dataset": {"classes": [1]}, "fine_tune": 1}"#)
        #expect(reading.model == nil && reading.datasetID == nil)
        #expect(reading.problems.map(\.path) == ["model", "dataset.id"])
    }

    @Test func validationAgainstTheModelAddsItsProblems() throws {
        let reading = try Self.read(#"{"name": "j", "model": {"architecture": "small-cnn"}, "dataset": {"id": "d", "classes": [0, 4]}, "phases": [{"trainable": ["neck"], "epochs": 1, "lr": 0.01}]}"#)
        #expect(reading.problems.isEmpty)
        reading.validate(against: SpecContext(groups: ["block1", "block2", "head"], datasetClasses: 3))
        #expect(reading.problems.map(\.path) == ["phases[0].trainable[0]", "dataset.classes[1]"])
        #expect(reading.request == nil)
    }
}

/// The job object's encoding: nulls where docs/api.md shows them, the `best` metrics flat.
@Suite struct JobViewEncodingTests {
    @Test func aQueuedJobWritesItsUnknownsAsNull() throws {
        let view = JobView(id: "job_1", name: nil, status: "queued", priority: 0, spec: .object(["type": .string("lr_find")]),
                           modelID: nil, attempts: 0, crashes: 0, createdAt: 10, startedAt: nil, finishedAt: nil,
                           queuedSeconds: 0.25, runningSeconds: nil,
                           training: JobTrainingState(groups: [GroupView(name: "head", trainable: true, lr: nil, peakLR: nil)]),
                           failure: nil, result: nil)
        let text = String(decoding: try Wire.encode(view), as: UTF8.self)
        #expect(text == #"{"attempts":0,"crashes":0,"created_at":10,"dataset":null,"epoch":null,"error":null,"finished_at":null,"groups":[{"lr":null,"name":"head","peak_lr":null,"trainable":true}],"id":"job_1","metrics":{},"model":null,"model_id":null,"name":null,"node":null,"object":"job","phase":null,"priority":0,"spec":{"type":"lr_find"},"started_at":null,"status":"queued","step":null,"timings":{"queued_seconds":0.25},"type":"lr_find"}"#)
    }
}
