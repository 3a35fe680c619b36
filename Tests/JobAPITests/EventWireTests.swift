import Foundation
import Testing
@testable import JobAPI

/// Every event type against the bytes thawd has always stored and streamed.
@Suite struct EventWireTests {
    static let all = StoredEvents.documented + StoredEvents.written

    @Test(arguments: all.map(\.name))
    func storedBytesDecodeAndEncodeBackUnchanged(_ name: String) throws {
        let fixture = Self.all.first { $0.name == name }!
        let event = try TrainingEvent(type: fixture.type, payload: fixture.payload)
        #expect(event.type.rawValue == fixture.type)
        #expect(try event.payloadText() == fixture.payload)
    }

    @Test(arguments: StoredEvents.legacy.map(\.name))
    func eventsOfOlderVersionsStillDecode(_ name: String) throws {
        let fixture = StoredEvents.legacy.first { $0.name == name }!
        let event = try TrainingEvent(type: fixture.type, payload: fixture.payload)
        // Re-encoded, it reads the same again (with defaults for what the old event lacked).
        #expect(try TrainingEvent(type: fixture.type, payload: event.payload()) == event)
    }

    @Test func olderEpochGetsDefaultsForLaterFields() throws {
        let fixture = StoredEvents.legacy[0]
        guard case .epoch(let e) = try TrainingEvent(type: fixture.type, payload: fixture.payload) else {
            Issue.record("not an epoch event")
            return
        }
        #expect(e.globalStep == 0)
        #expect(e.loaderWaitSeconds == 0)
        #expect(e.trainLoss == 0.9)
    }

    @Test func escapedSlashDecodesAndIsWrittenPlain() throws {
        let fixture = StoredEvents.legacy[1]
        let event = try TrainingEvent(type: fixture.type, payload: fixture.payload)
        #expect(event == .status(StatusEvent(status: "failed", previous: "running",
                                             error: .init(code: "invalid_data", message: "cannot read /data/x.png"))))
        #expect(try event.payloadText().contains(#""cannot read /data/x.png""#))
    }

    @Test func typedValuesSpellTheDocumentedBytes() throws {
        let best = TrainingEvent.best(BestEvent(phase: "pretrain", epoch: 1, globalEpoch: 1, metrics: [
            "train_loss": 0.9560795758830176, "val_loss": 0.9100601763725281, "val_accuracy": 0.66]))
        #expect(try best.payloadText() == StoredEvents.documented[4].payload)
        let run = TrainingEvent.run(RunEvent(status: .started, globalEpoch: 0))
        #expect(try run.payloadText() == #"{"global_epoch":0,"status":"started"}"#)
        let queued = TrainingEvent.status(StatusEvent(status: "queued"))
        #expect(try queued.payloadText() == #"{"status":"queued"}"#)
    }

    /// NaN and infinity have no JSON spelling: measured numbers go out as null, the key kept.
    @Test func nonFiniteNumbersAreNull() throws {
        let epoch = EpochEvent(phase: "p", phaseIndex: 0, epoch: 1, epochs: 1, globalEpoch: 1, globalStep: 3,
                               trainLoss: .nan, valLoss: .infinity, valAccuracy: nil, perClassAccuracy: ["a": .nan],
                               lrs: ["head": -.infinity], peakLRs: ["head": 0.1], trainable: ["head"], seconds: 1,
                               trainSeconds: 1, evalSeconds: 0, cacheSeconds: 0, loaderWaitSeconds: 0,
                               imagesPerSecond: nil, fromCache: false, isBest: false, lrReduced: false)
        let text = try TrainingEvent.epoch(epoch).payloadText()
        for key in ["train_loss", "val_loss", "val_accuracy", "images_per_second"] {
            #expect(text.contains(#""\#(key)":null"#), "\(key) in \(text)")
        }
        #expect(text.contains(#""lrs":{"head":null}"#))
        #expect(text.contains(#""per_class_accuracy":{"a":null}"#))
        let best = BestEvent(phase: "p", epoch: 1, globalEpoch: 1, metrics: ["train_loss": .nan])
        #expect(try TrainingEvent.best(best).payloadText() == #"{"epoch":1,"global_epoch":1,"phase":"p","train_loss":null}"#)
    }

    @Test func streamOnlyAndUnknownTypesAreNotEvents() {
        for type in ["end", "shutdown", "error", "batch", "filler"] {
            #expect(throws: TrainingEvent.DecodingError.unknownType(type)) {
                try TrainingEvent(type: type, payload: "{}")
            }
        }
    }

    @Test func payloadThatDoesNotFitItsTypeThrows() {
        #expect(throws: DecodingError.self) { try TrainingEvent(type: "epoch", payload: #"{"n":1}"#) }
        #expect(throws: DecodingError.self) { try TrainingEvent(type: "run", payload: #"{"status":"exploded"}"#) }
    }

    /// The `{"type", "data"}` form (an item of `?format=json`) round-trips every case.
    @Test func codableFormRoundTrips() throws {
        for fixture in Self.all {
            let event = try TrainingEvent(type: fixture.type, payload: fixture.payload)
            let data = try Wire.encode(event)
            #expect(try Wire.decode(TrainingEvent.self, from: data) == event)
            #expect(String(decoding: data, as: UTF8.self) == #"{"data":\#(fixture.payload),"type":"\#(fixture.type)"}"#)
        }
    }

    @Test func everyEventTypeHasAFixture() {
        #expect(Set(Self.all.map(\.type)) == Set(EventType.allCases.map(\.rawValue)))
    }
}
