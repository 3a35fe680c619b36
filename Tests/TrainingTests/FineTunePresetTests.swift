import Foundation
import JobAPI
import Testing
@testable import Training

/// The preset must reproduce fastai's `fine_tune(epochs, base_lr=2e-3, freeze_epochs=1, lr_mult=100,
/// pct_start=0.3, div=5.0)`: freeze + fit_one_cycle(freeze_epochs, slice(base_lr), pct_start=0.99), then
/// base_lr /= 2, unfreeze + fit_one_cycle(epochs, slice(base_lr/lr_mult, base_lr), pct_start, div).
@Suite struct FineTunePresetTests {
    @Test func oneNumberExpandsToFastaiPhases() throws {
        let json = exampleJob().setting("phases", nil).setting("fine_tune", 4)
        let spec = try JobSpec.check(json: encoded(json), context: SpecContext(groups: smallCNNGroups)).get()
        #expect(spec.phases.map(\.name) == ["head", "finetune"])
        let head = spec.phases[0], finetune = spec.phases[1]
        #expect(head.trainable == .last(1) && head.epochs == 1)
        #expect(head.schedule == .oneCycle(OneCycleSchedule(pctStart: 0.99, divFactor: 25, finalDivFactor: 1e5)))
        #expect(head.lr.resolve(groups: smallCNNGroups) == [2e-4, 2e-4, 2e-3])
        #expect(finetune.trainable == .all && finetune.epochs == 4)
        #expect(finetune.schedule == .oneCycle(OneCycleSchedule(pctStart: 0.3, divFactor: 5, finalDivFactor: 1e5)))
        let lrs = finetune.lr.resolve(groups: smallCNNGroups)
        #expect(zip(lrs, [1e-5, 1e-4, 1e-3]).allSatisfy { abs($0 - $1) <= 1e-15 })
        #expect(!finetune.resetOptimizer)
    }

    @Test func objectOverridesEveryDefault() throws {
        let json = exampleJob().setting("phases", nil)
            .setting("fine_tune", ["epochs": 6, "freeze_epochs": 2, "base_lr": 1e-2, "lr_mult": 10, "pct_start": 0.25, "div": 25])
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.phases[0].epochs == 2)
        #expect(spec.phases[0].lr == .discriminative(min: nil, max: 1e-2))
        #expect(spec.phases[1].lr == .discriminative(min: 5e-4, max: 5e-3))
        #expect(spec.phases[1].schedule == .oneCycle(OneCycleSchedule(pctStart: 0.25, divFactor: 25)))
    }

    @Test func zeroFreezeEpochsSkipsTheHeadPhase() throws {
        let json = exampleJob().setting("phases", nil).setting("fine_tune", ["epochs": 3, "freeze_epochs": 0])
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.phases.map(\.name) == ["finetune"])
        #expect(spec.phases[0].resetOptimizer)
    }
}
