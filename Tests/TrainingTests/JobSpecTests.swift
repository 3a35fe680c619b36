import Foundation
import JobAPI
import Testing
@testable import Training

@Suite struct JobSpecTests {
    @Test func issueExampleParsesAsWritten() throws {
        let spec = try JobSpec.parse(json: Data(exampleJobJSON.utf8)).get()
        #expect(spec.name == "fmnist-5to9")
        #expect(spec.kind == .train)
        #expect(spec.model == .registered(id: "<registered model id>"))
        #expect(spec.numClasses == 5)
        #expect(spec.dataset == DatasetSpec(id: "fashion-mnist", classes: [5, 6, 7, 8, 9],
                                            split: .stratified(perClass: 100, validationFraction: 0.2, seed: 1)))
        #expect(spec.phases.count == 2)
        #expect(spec.phases[0] == PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 3, lr: .uniform(0.003),
                                           schedule: .oneCycle(OneCycleSchedule())))
        #expect(spec.phases[1] == PhaseSpec(name: "finetune", trainable: .all, epochs: 12,
                                           lr: .discriminative(min: 1e-5, max: 1e-3), schedule: .oneCycle(OneCycleSchedule())))
        #expect(spec.optimizer == OptimizerSpec(kind: .adamw, weightDecay: 0.01))
        #expect(spec.batchSize == 64)
        #expect(spec.earlyStopping == EarlyStoppingSpec(monitor: .valLoss, mode: .min, minDelta: 0, patience: 3, restoreBest: true))
        #expect(spec.seed == 42)
        #expect(spec.trainBN == false)
        #expect(spec.autoUnfreeze == nil)
        #expect(spec.lrFind == nil)
    }

    @Test func issueExampleValidatesAgainstSmallCNN() throws {
        let result = JobSpec.check(json: Data(exampleJobJSON.utf8),
                                   context: SpecContext(groups: smallCNNGroups, modelClasses: 5, datasetClasses: 10, datasetSize: 60_000))
        let spec = try result.get()
        #expect(spec.validate(groups: smallCNNGroups, modelClasses: 5, datasetClasses: 10).isEmpty)
        #expect(spec.resolvedNumClasses(datasetClasses: 10, modelClasses: 5) == 5)
    }

    @Test func codableRoundTripKeepsEveryField() throws {
        var spec = try JobSpec.parse(json: Data(exampleJobJSON.utf8)).get()
        spec.autoUnfreeze = AutoUnfreezeSpec(patience: 4)
        spec.phases[0].augment = AugmentSpec(hflip: false, shift: 3, rotate: 0)
        spec.phases[0].earlyStopping = EarlyStoppingSpec(monitor: .valAccuracy, patience: 2)
        spec.phases[0].openEnded = true
        spec.phases[1].gradualUnfreeze = GradualUnfreezeSpec(every: 2)
        spec.phases[1].trainable = .last(1)
        spec.phases[1].refreeze = true
        spec.phases[1].schedule = .sgdr(SGDRSchedule(cycleLen: 2, cycleMult: 1, minFactor: 0.01))
        spec.phases[1].lr = .perGroup(["head": 1e-2, "block2": 1e-3], default: 1e-4)
        spec.phases.append(PhaseSpec(name: "tail", trainable: .groups(["head"]), epochs: 4, lr: .discriminative(min: nil, max: 1e-3),
                                     schedule: .stepDecay(StepDecaySchedule(stepSize: 2, gamma: 0.5)), cache: true, resetOptimizer: false))
        spec.phases.append(PhaseSpec(name: "plateau", trainable: .all, epochs: 4,
                                     schedule: .reduceOnPlateau(ReduceOnPlateauSpec(monitor: .valAccuracy, factor: 0.5, patience: 2))))
        spec.phases.append(PhaseSpec(name: "flat", trainable: .all, epochs: 1, schedule: .constant))
        spec.phases.append(PhaseSpec(name: "nomom", trainable: .all, epochs: 1, schedule: .oneCycle(OneCycleSchedule(moms: nil))))
        spec.optimizer = OptimizerSpec(kind: .sgd, momentum: 0.8, nesterov: true)
        spec.dataset.split = .fixed(train: [3, 1, 2], validation: [7])
        spec.model = .architecture("resnet-mini")
        spec.inputSize = [1, 32, 32]
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(JobSpec.self, from: data) == spec)
        #expect(try JobSpec.parse(json: data).get() == spec)
    }

    @Test func lrFindJobGetsFastaiDefaults() throws {
        let json = exampleJob().setting("type", "lr_find").setting("phases", nil)
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.kind == .lrFind)
        #expect(spec.lrFind == LRFindSpec(startLR: 1e-7, endLR: 10, numIt: 100, stopDiv: true, trainable: .all))
        #expect(spec.phases.isEmpty)
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(JobSpec.self, from: data) == spec)
    }

    @Test func evaluateJobDefaultsToTheTestSplitWithoutTTA() throws {
        let json = exampleJob().setting("type", "evaluate").setting("phases", nil).setting("optimizer", nil)
            .setting("early_stopping", nil)
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.kind == .evaluate && spec.evaluate == EvaluateSpec(split: .test, tta: false) && spec.phases.isEmpty)
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(JobSpec.self, from: data) == spec)
        let custom = try JobSpec.parse(json: encoded(json.setting("evaluate", ["split": "validation", "tta": true]))).get()
        #expect(custom.evaluate == EvaluateSpec(split: .validation, tta: true))
        #expect(try JSONDecoder().decode(JobSpec.self, from: try JSONEncoder().encode(custom)) == custom)
    }

    /// `cache` is three-valued: absent (automatic), false (never), true (asked for); each round-trips.
    @Test func phaseCacheKeepsAbsentApartFromFalse() throws {
        for (value, expected) in [(JSONValue?.none, Bool?.none), (.bool(false), false), (.bool(true), true)] {
            let spec = try JobSpec.parse(json: encoded(exampleJob().setting("phases[0].cache", value))).get()
            #expect(spec.phases[0].cache == expected)
            #expect(try JSONDecoder().decode(JobSpec.self, from: try JSONEncoder().encode(spec)).phases[0].cache == expected)
        }
    }

    @Test func architectureModelTrainsFromScratch() throws {
        let json = exampleJob().setting("model", ["architecture": "small-cnn"])
        #expect(try JobSpec.parse(json: encoded(json)).get().model == .architecture("small-cnn"))
    }

    @Test func fixedSplitReadsBothIndexLists() throws {
        let json = exampleJob().setting("dataset", ["id": "fashion-mnist", "train_indices": [0, 5, 9], "validation_indices": [2, 4]])
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.dataset.split == .fixed(train: [0, 5, 9], validation: [2, 4]))
        #expect(spec.dataset.classes == nil)
    }

    @Test func defaultsWhenFieldsAreOmitted() throws {
        let json: JSONValue = ["name": "minimal", "model": ["architecture": "small-cnn"], "dataset": ["id": "fashion-mnist"],
                               "phases": [["trainable": "all", "epochs": 2]]]
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.optimizer == OptimizerSpec(kind: .adamw, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8))
        #expect(spec.batchSize == 64)
        #expect(spec.seed == 0)
        #expect(spec.dataset.split == .stratified(perClass: nil, validationFraction: 0.2, seed: nil))
        #expect(spec.phases == [PhaseSpec(name: "phase1", trainable: .all, epochs: 2, lr: .uniform(1e-3),
                                          schedule: .oneCycle(OneCycleSchedule(pctStart: 0.25, divFactor: 25, finalDivFactor: 1e5)),
                                          resetOptimizer: true)])
        #expect(spec.earlyStopping == nil)
        #expect(spec.validate(groups: smallCNNGroups, datasetClasses: 10).isEmpty)
        #expect(spec.resolvedNumClasses(datasetClasses: 10, modelClasses: nil) == 10)
    }

    @Test func nullFieldsCountAsAbsent() throws {
        let json = exampleJob().setting("early_stopping", .null).setting("phases[0].lr", .null)
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.earlyStopping == nil)
        #expect(spec.phases[0].lr == .uniform(1e-3))
    }

    @Test func scheduleObjectOverridesOneCycleDefaults() throws {
        let json = exampleJob().setting("phases[1].schedule", ["type": "one_cycle", "pct_start": 0.3, "div_factor": 5])
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.phases[1].schedule == .oneCycle(OneCycleSchedule(pctStart: 0.3, divFactor: 5, finalDivFactor: 1e5,
                                                                      moms: (0.95, 0.85, 0.95))))
    }

    @Test func scheduleNamesGiveTheirDefaults() throws {
        let cases: [(JSONValue, ScheduleSpec)] = [
            ("constant", .constant), ("sgdr", .sgdr(SGDRSchedule(cycleLen: 1, cycleMult: 2, minFactor: 0))),
            ("reduce_on_plateau", .reduceOnPlateau(ReduceOnPlateauSpec(monitor: .valLoss, mode: .min, factor: 0.1, patience: 1))),
            (["type": "step", "step_size": 3], .stepDecay(StepDecaySchedule(stepSize: 3, gamma: 0.1))),
            (["type": "one_cycle", "moms": false], .oneCycle(OneCycleSchedule(moms: nil))),
        ]
        for (json, expected) in cases {
            let spec = try JobSpec.parse(json: encoded(exampleJob().setting("phases[0].schedule", json))).get()
            #expect(spec.phases[0].schedule == expected)
        }
    }

    @Test func lrSpecForms() throws {
        let cases: [(JSONValue, LRSpec)] = [
            (0.01, .uniform(0.01)),
            (["max": 1e-3], .discriminative(min: nil, max: 1e-3)),
            (["min": 1e-5, "max": 1e-3], .discriminative(min: 1e-5, max: 1e-3)),
            (["groups": ["block2": 1e-3, "head": 1e-2]], .perGroup(["block2": 1e-3, "head": 1e-2], default: nil)),
            (["groups": ["head": 1e-2], "default": 1e-4], .perGroup(["head": 1e-2], default: 1e-4)),
        ]
        for (json, expected) in cases {
            let spec = try JobSpec.parse(json: encoded(exampleJob().setting("phases[1].lr", json))).get()
            #expect(spec.phases[1].lr == expected)
        }
    }

    @Test func trainableForms() throws {
        let cases: [(JSONValue, TrainableSelection)] = [("all", .all), (["block2", "head"], .groups(["block2", "head"])), (["last": 2], .last(2))]
        for (json, expected) in cases {
            let spec = try JobSpec.parse(json: encoded(exampleJob().setting("phases[0].trainable", json))).get()
            #expect(spec.phases[0].trainable == expected)
            #expect(spec.validate(groups: smallCNNGroups).isEmpty)
        }
    }

    @Test func optionalPhaseFeaturesParse() throws {
        let json = exampleJob()
            .setting("phases[0].augment", true).setting("phases[0].max_epochs", 30).setting("phases[0].epochs", nil)
            .setting("phases[0].early_stopping", ["patience": 5, "monitor": "val_accuracy"])
            .setting("phases[1].gradual_unfreeze", ["every": 2]).setting("phases[1].trainable", ["last": 1])
            .setting("phases[1].refreeze", true).setting("phases[1].reset_optimizer", false)
            .setting("train_bn", true).setting("auto_unfreeze", true)
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.phases[0].augment == AugmentSpec(hflip: true, shift: 2, rotate: 0))
        #expect(spec.phases[0].openEnded && spec.phases[0].epochs == 30)
        #expect(spec.phases[0].earlyStopping == EarlyStoppingSpec(monitor: .valAccuracy, mode: .max, patience: 5))
        #expect(spec.phases[1].gradualUnfreeze == GradualUnfreezeSpec(every: 2, groups: 1))
        #expect(spec.phases[1].refreeze && !spec.phases[1].resetOptimizer)
        #expect(spec.trainBN)
        #expect(spec.autoUnfreeze == AutoUnfreezeSpec(monitor: .valLoss, mode: .min, patience: 2, minDelta: 0))
    }

    @Test func cachedHeadPhaseIsValidWithFrozenBody() throws {
        let json = exampleJob().setting("phases[0].cache", true)
        let spec = try JobSpec.check(json: encoded(json), context: SpecContext(groups: smallCNNGroups)).get()
        #expect(spec.phases[0].cache == true)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let json = exampleJob().setting("batch_size", 0).setting("phases[1].lr.min", -1)
            .setting("phases[0].trainable", ["neck"]).setting("optimizer.type", "lion").setting("colour", "blue")
        guard case .failure(let error) = JobSpec.check(json: encoded(json), context: SpecContext(groups: smallCNNGroups)) else {
            Issue.record("expected problems")
            return
        }
        #expect(Set(error.problems.map(\.path)) == ["batch_size", "phases[1].lr.min", "phases[0].trainable[0]", "optimizer.type", "colour"])
    }

    @Test func decodingErrorNamesTheProblems() {
        let json = exampleJob().setting("batch_size", -3)
        #expect {
            try JSONDecoder().decode(JobSpec.self, from: encoded(json))
        } throws: { error in
            "\(error)".contains("batch_size: must be in [1, 65536], got -3")
        }
    }
}
