import JobAPI
import Testing
@testable import Training

/// The control applier alone: what each command decides and does to the groups, without a runner.
@Suite struct ControlApplierTests {
    private let head = smallCNNState().startingPhase(PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 3))

    @Test func pauseAndResumeSetTheFlagAndLeaveTheGroups() {
        var applier = ControlApplier()
        #expect(!applier.paused)
        #expect(applier.apply(.pause, to: head) == .init(decision: .proceed))
        #expect(applier.paused)
        #expect(applier.apply(.pause, to: head) == .init(decision: .proceed))
        #expect(applier.paused)
        #expect(applier.apply(.resume, to: head) == .init(decision: .proceed))
        #expect(!applier.paused)
    }

    @Test func stopAndCancelEndTheRunWithoutTouchingTheGroups() {
        var applier = ControlApplier()
        #expect(applier.apply(.stop, to: head) == .init(decision: .stop))
        #expect(applier.apply(.cancel, to: head) == .init(decision: .cancel))
        #expect(!applier.paused)
    }

    @Test func aGroupCommandReturnsTheNextStateAndGoesOn() throws {
        var applier = ControlApplier()
        let unfreeze = try command("unfreeze", ["groups": ["block2"], "lr": 1e-4])
        let applied = applier.apply(unfreeze, to: head)
        #expect(applied.decision == .proceed && applied.problems == nil)
        #expect(applied.groups == (try head.applying(unfreeze).get()))
        #expect(applied.groups?.trainableGroups == ["block2", "head"])
        #expect(applied.groups?.peakLRs[1] == 1e-4)

        let lr = try command("lr", ["scale": 0.5])
        #expect(applier.apply(lr, to: head).groups?.peakLRs == head.peakLRs.map { $0 * 0.5 })
    }

    @Test func aCommandTheStateRefusesChangesNothingAndCarriesItsProblems() throws {
        var applier = ControlApplier()
        let freeze = try command("freeze", ["groups": ["head"]])
        let applied = applier.apply(freeze, to: head)
        #expect(applied.decision == .proceed && applied.groups == nil)
        #expect(applied.problems?.map(\.message) == ["would leave nothing trainable (pause the job instead)"])

        var high = head
        high.groups[2].peakLR = 5
        let tooHigh = applier.apply(try command("lr", ["scale": 10]), to: high)
        #expect(tooHigh.groups == nil && tooHigh.problems?.map(\.path) == ["scale"])
    }

    @Test func pausedStaysAcrossGroupCommands() throws {
        var applier = ControlApplier()
        _ = applier.apply(.pause, to: head)
        _ = applier.apply(try command("unfreeze", ["groups": ["block1"]]), to: head)
        #expect(applier.paused)
    }
}
