import Foundation
import JobAPI
import NN
import Testing
@testable import Training

/// Issue 14 regressions in the spec path: loops bounded, validation linear in the body, memory
/// estimated before anything is built, names counted as SQLite counts them.
@Suite struct SpecHardeningTests {
    /// The loop this replaced: the oracle for the closed form, on parameters where it is quick.
    static func sgdrByLoop(_ s: SGDRSchedule, epoch: Double) -> Double {
        var start = 0.0, length = s.cycleLen
        while epoch >= start + length {
            start += length
            length *= s.cycleMult
        }
        return Anneal.cos(1, s.minFactor, (epoch - start) / length)
    }

    /// Cycle lengths exact in binary, so the loop's running sum does not drift off the boundaries
    /// (with 0.001 it does: 700 additions of 0.001 fall short of 0.7, and the loop, not the closed
    /// form, puts step 70 in the wrong cycle).
    @Test func sgdrClosedFormMatchesTheLoop() {
        for s in [SGDRSchedule(cycleLen: 1, cycleMult: 2), SGDRSchedule(cycleLen: 2, cycleMult: 1, minFactor: 0.1),
                  SGDRSchedule(cycleLen: 0.375, cycleMult: 1.5), SGDRSchedule(cycleLen: 0.25, cycleMult: 1)] {
            for step in stride(from: 0, through: 700, by: 7) {
                let position = SchedulePosition(step: step, stepsPerEpoch: 10, epochs: 70)
                let closed = s.value(at: position).lrFactor
                #expect(abs(closed - Self.sgdrByLoop(s, epoch: position.epoch)) < 1e-9, "\(s) step \(step)")
            }
        }
    }

    /// `{"type": "sgdr", "cycle_len": 1e-300, "cycle_mult": 1}` made the worker spin ~1e300 times before
    /// its first batch. The spec now refuses it, and the schedule itself is closed-form even if built
    /// directly with such values.
    @Test func sgdrTinyCycleIsRefusedAndCannotSpin() {
        let body = #"{"name": "x", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "#
            + #""phases": [{"trainable": "all", "epochs": 1, "schedule": {"type": "sgdr", "cycle_len": 1e-300, "cycle_mult": 1}}]}"#
        guard case .failure(let error) = JobSpec.parse(json: Data(body.utf8)) else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.map(\.path) == ["phases[0].schedule.cycle_len"])
        let direct = SGDRSchedule(cycleLen: 1e-300, cycleMult: 1)
        let value = direct.value(at: SchedulePosition(step: 5, stepsPerEpoch: 10, epochs: 10_000))
        #expect(value.lrFactor.isFinite && (0...1).contains(value.lrFactor))
        let growing = SGDRSchedule(cycleLen: 1e-300, cycleMult: 1e300)
        #expect(growing.value(at: SchedulePosition(step: 99_999, stepsPerEpoch: 10, epochs: 10_000)).lrFactor.isFinite)
    }

    /// Explicit phases were capped at 10000 epochs; the preset was not (2^53 was accepted).
    @Test func presetFreezeEpochsIsCappedLikePhases() {
        let body = #"{"name": "x", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "#
            + #""fine_tune": {"epochs": 1, "freeze_epochs": 9007199254740992}}"#
        guard case .failure(let error) = JobSpec.parse(json: Data(body.utf8)) else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.map(\.path) == ["fine_tune.freeze_epochs"])
        let ok = #"{"name": "x", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "fine_tune": {"epochs": 10000, "freeze_epochs": 10000}}"#
        guard case .success(let spec) = JobSpec.parse(json: Data(ok.utf8)) else {
            Issue.record("the bounds themselves must be accepted")
            return
        }
        #expect(spec.phases.map(\.epochs) == [10_000, 10_000])
    }

    @Test func tooManyPhases() {
        let phase = #"{"trainable": "all", "epochs": 1}"#
        let body = #"{"name": "x", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "phases": ["#
            + Array(repeating: phase, count: 101).joined(separator: ",") + "]}"
        guard case .failure(let error) = JobSpec.parse(json: Data(body.utf8)) else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.contains { $0.path == "phases" && $0.message.contains("at most 100") })
    }

    /// The duplicate checks over `dataset.classes` and `trainable` were quadratic: a 600 KB body
    /// pinned a core for minutes. With sets, 200,000 entries each are checked in one pass.
    @Test func duplicateChecksAreLinear() {
        let classes = (0..<200_000).map { String($0 % 100_000) }.joined(separator: ",")
        let names = (0..<200_000).map { "\"g\($0 % 100_000)\"" }.joined(separator: ",")
        let body = #"{"name": "x", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist", "classes": ["#
            + classes + #"]}, "phases": [{"trainable": ["# + names + #"], "epochs": 1}]}"#
        #expect(body.utf8.count > 2_000_000)
        guard case .failure(let error) = JobSpec.check(json: Data(body.utf8), context: SpecContext(groups: smallCNNGroups)) else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.contains { $0.path == "dataset.classes" && $0.message.hasPrefix("lists a class twice: 0, 1, 2") })
        #expect(error.problems.contains { $0.path == "phases[0].trainable" && $0.message.hasPrefix("names a group twice") })
    }

    /// Phase names longer than 64 code points ran "successfully" with their metrics dropped by the
    /// store's CHECK; 200 combining pairs passed a Character count and failed SQLite's with a 500.
    @Test func textLimitsCountCodePoints() {
        #expect(TextLimits.problem(String(repeating: "p", count: 64), TextLimits.phaseName) == nil)
        #expect(TextLimits.problem(String(repeating: "p", count: 65), TextLimits.phaseName)?.contains("got 65") == true)
        let combining = String(repeating: "a\u{300}", count: 200)
        #expect(combining.count == 200)
        #expect(TextLimits.problem(combining, TextLimits.name)?.contains("got 400") == true)
        #expect(TextLimits.problem("ok\u{7F}", TextLimits.name) == "must not contain control characters")
        #expect(TextLimits.problem("", TextLimits.name) == "must not be empty")
    }

    /// `{"architecture": "vgg16", "num_classes": 100000}` wrote gigabytes: the estimate says how much
    /// before anything is built, and small jobs fit a small limit.
    @Test func memoryEstimateStatesEstimateAndLimit() throws {
        let vgg = try BuiltinArchitectures.vgg16(classes: 100_000).footprint()
        let model = MemoryEstimate.model(vgg)
        #expect(model.total == 20 * vgg.parameters)
        let problem = model.problem(limit: 4 << 30, what: "the model 'vgg16'")
        #expect(problem?.contains("needs an estimated 10.") == true, "\(problem ?? "")")
        #expect(problem?.contains("over this server's limit of 4.0 GiB (--max-job-memory)") == true)

        let small = try BuiltinArchitectures.smallCNN(classes: 5).footprint()
        let job = MemoryEstimate.job(small, batchSize: 64, optimizer: .adamw)
        #expect(job.problem(limit: 256 << 20, what: "the job") == nil)
        #expect(job.weights == 4 * small.parameters && job.gradients == 4 * small.parameters)
        #expect(job.optimizerState == 8 * small.parameters)
        let huge = MemoryEstimate.job(small, batchSize: 65_536, optimizer: .sgd)
        #expect(huge.activations > job.activations * 1000)
    }

    @Test func estimatesSaturateInsteadOfTrapping() {
        let f = ModelFootprint(parameters: Int.max / 2, activationsPerImage: Int.max / 2, workspacePerImage: 1, outputShape: [1])
        let e = MemoryEstimate.job(f, batchSize: 65_536, optimizer: .adamw)
        #expect(e.total == Int.max)
        #expect(e.problem(limit: 1 << 30, what: "the job")?.contains("more than 8 EiB") == true)
    }

    @Test func jobEstimateUsesTheResizedHead() throws {
        let spec = try JobSpec.parse(json: Data(#"{"name": "x", "model": {"architecture": "resnet18"}, "dataset": {"id": "d"}, "phases": [{"trainable": "all", "epochs": 1}], "batch_size": 1}"#.utf8)).get()
        let small = try spec.memoryEstimate(on: BuiltinArchitectures.resnet18(), classes: 10)
        let large = try spec.memoryEstimate(on: BuiltinArchitectures.resnet18(), classes: 100_000)
        #expect(large.weights - small.weights == 4 * (512 + 1) * (100_000 - 10))
    }
}
