import Foundation
import JobAPI
import Testing
@testable import Training

/// small-cnn's groups and parameterised layers (docs/architecture.md, "Built-in networks").
func smallCNNState() -> GroupState {
    GroupState(groups: [("block1", ["features.0", "features.1", "features.3", "features.4"]),
                        ("block2", ["features.7", "features.8", "features.10", "features.11"]),
                        ("head", ["fc"])])
}

func command(_ action: String, _ body: JSONValue) throws -> ControlCommand {
    try ControlCommand.parse(action: action, body: encoded(body)).get()
}

private let headPhase = PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 3, lr: .uniform(3e-3))
private let finetunePhase = PhaseSpec(name: "finetune", trainable: .all, epochs: 12, lr: .discriminative(min: 1e-5, max: 1e-3))

private func close(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }
}

@Suite struct GroupStateTests {
    @Test func phaseStartSetsTrainableGroupsAndEveryPeak() {
        let s = smallCNNState().startingPhase(headPhase)
        #expect(s.trainableGroups == ["head"])
        #expect(s.peakLRs == [3e-3, 3e-3, 3e-3])
        #expect(s.trainableLayers == ["fc"])
        #expect(s.hasFrozenPrefix)
        let f = s.startingPhase(finetunePhase)
        #expect(f.trainableGroups == ["block1", "block2", "head"])
        #expect(close(f.peakLRs, [1e-5, 1e-4, 1e-3]))
        #expect(!f.hasFrozenPrefix)
    }

    @Test func userUnfreezeSurvivesAPhaseThatNamesFewerGroups() throws {
        let s = try smallCNNState().startingPhase(headPhase).applying(command("unfreeze", ["groups": ["block2"]])).get()
        #expect(s.trainableGroups == ["block2", "head"])
        let next = s.startingPhase(PhaseSpec(name: "head2", trainable: .groups(["head"]), epochs: 2))
        #expect(next.trainableGroups == ["block2", "head"])
        #expect(next.groups[1].userUnfrozen)
    }

    @Test func refreezePhaseTrainsExactlyItsGroupsAndClearsPins() throws {
        var s = try smallCNNState().startingPhase(headPhase).applying(command("unfreeze", ["groups": ["block2"]])).get()
        s = try s.applying(command("unfreeze", ["layers": ["features.4"]])).get()
        let next = s.startingPhase(PhaseSpec(name: "head2", trainable: .groups(["head"]), refreeze: true, epochs: 2))
        #expect(next.trainableGroups == ["head"])
        #expect(next.groups.allSatisfy { !$0.userUnfrozen } && next.unfrozenLayers.isEmpty)
    }

    @Test func userFreezeLastsUntilTheNextPhaseStart() throws {
        let s = try smallCNNState().startingPhase(finetunePhase).applying(command("freeze", ["groups": ["block1"]])).get()
        #expect(s.trainableGroups == ["block2", "head"])
        #expect(s.startingPhase(finetunePhase).trainableGroups == ["block1", "block2", "head"])
    }

    @Test func unfreezeAllWithASpreadGivesTheNewGroupsTheSpread() throws {
        let s = try smallCNNState().startingPhase(headPhase)
            .applying(command("unfreeze", ["all": true, "lr": ["min": 1e-5, "max": 1e-3]])).get()
        #expect(s.trainableGroups == ["block1", "block2", "head"])
        #expect(close(s.peakLRs, [1e-5, 1e-3, 3e-3]))  // head kept its LR: it was already training
    }

    @Test func unfreezeLastWithANumberSetsOnlyTheNewGroup() throws {
        let s = try smallCNNState().startingPhase(headPhase).applying(command("unfreeze", ["last": 2, "lr": 1e-4])).get()
        #expect(s.trainableGroups == ["block2", "head"])
        #expect(s.peakLRs == [3e-3, 1e-4, 3e-3])
    }

    @Test func unfreezeWithoutLRUsesThePhasesShare() throws {
        let phase = PhaseSpec(name: "head", trainable: .last(1), epochs: 1, lr: .discriminative(min: nil, max: 2e-3))
        let s = try smallCNNState().startingPhase(phase).applying(command("unfreeze", ["groups": ["block2"]])).get()
        #expect(s.peakLRs == [2e-4, 2e-4, 2e-3])
    }

    @Test func unfreezeLastLayersSpansGroups() throws {
        let s = try smallCNNState().startingPhase(headPhase).applying(command("unfreeze", ["last_layers": 2])).get()
        #expect(s.trainableLayers == ["features.11", "fc"])
        #expect(s.unfrozenLayers == ["features.11"])
        #expect(s.trainableGroups == ["head"])
        let next = s.startingPhase(headPhase)
        #expect(next.trainableLayers == ["features.11", "fc"])
    }

    @Test func unfreezingALayersWholeGroupPinsTheGroup() throws {
        let s = try smallCNNState().startingPhase(headPhase).applying(command("unfreeze", ["last_layers": 5])).get()
        #expect(s.trainableGroups == ["block2", "head"] && s.unfrozenLayers.isEmpty && s.groups[1].userUnfrozen)
    }

    @Test func freezeLayersInsideATrainableGroup() throws {
        let s = try smallCNNState().startingPhase(finetunePhase).applying(command("freeze", ["layers": ["features.0", "features.1"]])).get()
        #expect(!s.isLayerTrainable("features.0") && s.isLayerTrainable("features.3"))
        #expect(s.trainableGroups == ["block1", "block2", "head"])
        #expect(s.startingPhase(finetunePhase).frozenLayers.isEmpty)
    }

    @Test func setLRForms() throws {
        let base = smallCNNState().startingPhase(finetunePhase)
        #expect(try base.applying(command("lr", ["lr": 1e-4])).get().peakLRs == [1e-4, 1e-4, 1e-4])
        #expect(close(try base.applying(command("lr", ["lr": ["min": 1e-6, "max": 1e-2]])).get().peakLRs, [1e-6, 1e-4, 1e-2]))
        #expect(close(try base.applying(command("lr", ["scale": 0.1])).get().peakLRs, [1e-6, 1e-5, 1e-4]))
        #expect(close(try base.applying(command("lr", ["scale": 0.5, "groups": ["head"]])).get().peakLRs, [1e-5, 1e-4, 5e-4]))
        #expect(close(try base.applying(command("lr", ["groups": ["head": 1e-3, "block1": 1e-6]])).get().peakLRs, [1e-6, 1e-4, 1e-3]))
    }

    @Test func lifecycleCommandsLeaveGroupsAlone() throws {
        let base = smallCNNState().startingPhase(headPhase)
        for c in [ControlCommand.pause, .resume, .stop, .cancel] {
            #expect(try base.applying(c).get() == base)
        }
    }

    @Test func gradualUnfreezingAddsGroupsFromTheHeadDown() {
        let spec = GradualUnfreezeSpec(every: 2)
        var s = smallCNNState().startingPhase(headPhase)
        var joined: [[String]] = []
        for epoch in 0..<6 {
            let step = s.applyingGradualUnfreeze(spec, atPhaseEpoch: epoch)
            s = step.state
            joined.append(step.unfrozen)
        }
        #expect(joined == [[], [], ["block2"], [], ["block1"], []])
        #expect(s.trainableGroups == ["block1", "block2", "head"] && s.groups.allSatisfy { !$0.userUnfrozen })
    }

    @Test func gradualUnfreezingSeveralGroupsAtOnce() {
        let s = smallCNNState().startingPhase(headPhase).applyingGradualUnfreeze(GradualUnfreezeSpec(every: 1, groups: 2), atPhaseEpoch: 1)
        #expect(s.unfrozen == ["block1", "block2"])
        #expect(s.state.nextFrozenGroup == nil)
    }

    @Test func roundTripsThroughJSONForResume() throws {
        let s = try smallCNNState().startingPhase(headPhase).applying(command("unfreeze", ["last_layers": 2, "lr": 1e-4])).get()
        #expect(try JSONDecoder().decode(GroupState.self, from: JSONEncoder().encode(s)) == s)
    }
}

/// A control command that must be refused with this problem.
struct RefusedCommand: CustomTestStringConvertible, Sendable {
    let name: String
    let action: String
    let body: String
    let path: String
    let message: String
    var testDescription: String { name }
    init(_ name: String, _ action: String, _ body: String, _ path: String, _ message: String) {
        (self.name, self.action, self.body, self.path, self.message) = (name, action, body, path, message)
    }
}

let refusedCommands: [RefusedCommand] = [
    // Bodies that do not parse
    .init("unknown action", "warp", "{}", "action", "unknown action \"warp\""),
    .init("body not JSON", "unfreeze", "{groups", "", "not valid JSON"),
    .init("body a list", "unfreeze", "[\"head\"]", "", "must be an object, got a list"),
    .init("unfreeze without target", "unfreeze", "{}", "", "needs a target"),
    .init("unfreeze with two targets", "unfreeze", #"{"groups": ["head"], "last": 1}"#, "", "give one target, not groups and last"),
    .init("unfreeze groups empty", "unfreeze", #"{"groups": []}"#, "groups", "at least one group"),
    .init("unfreeze groups not strings", "unfreeze", #"{"groups": [1]}"#, "groups[0]", "must be a string"),
    .init("unfreeze last zero", "unfreeze", #"{"last": 0}"#, "last", "in [1, 256], got 0"),
    .init("unfreeze last 2^53", "unfreeze", #"{"last": 9007199254740992}"#, "last", "in [1, 256]"),
    .init("unfreeze last_layers 2^53", "unfreeze", #"{"last_layers": 9007199254740992}"#, "last_layers", "in [1, 1024]"),
    .init("unfreeze all false", "unfreeze", #"{"all": false}"#, "all", "must be true"),
    .init("unfreeze last_layers fractional", "unfreeze", #"{"last_layers": 1.5}"#, "last_layers", "must be an integer"),
    .init("unfreeze layers empty", "unfreeze", #"{"layers": []}"#, "layers", "at least one layer"),
    .init("unfreeze lr negative", "unfreeze", #"{"all": true, "lr": -1}"#, "lr", "in (0, 10]"),
    .init("unfreeze lr min above max", "unfreeze", #"{"all": true, "lr": {"min": 1e-2, "max": 1e-3}}"#, "lr.min", "must not exceed max"),
    .init("unfreeze unknown field", "unfreeze", #"{"all": true, "epochs": 2}"#, "epochs", "unknown field"),
    .init("freeze with lr", "freeze", #"{"groups": ["head"], "lr": 1e-3}"#, "lr", "unknown field"),
    .init("lr empty body", "lr", "{}", "", "needs lr, scale or groups"),
    .init("lr and scale", "lr", #"{"lr": 1e-3, "scale": 0.1}"#, "", "either lr or scale"),
    .init("lr zero", "lr", #"{"lr": 0}"#, "lr", "in (0, 10]"),
    .init("lr a string", "lr", #"{"lr": "fast"}"#, "lr", "must be a number"),
    .init("scale zero", "lr", #"{"scale": 0}"#, "scale", "in (0, 10]"),
    .init("scale groups not a list", "lr", #"{"scale": 0.5, "groups": "head"}"#, "groups", "must be a list of strings"),
    .init("lr with groups list", "lr", #"{"lr": 1e-3, "groups": ["head"]}"#, "groups", "cannot be combined with lr"),
    .init("lr groups value zero", "lr", #"{"groups": {"head": 0}}"#, "groups.head", "in (0, 10]"),
    .init("lr groups with default", "lr", #"{"groups": {"head": 1e-3}, "default": 1e-4}"#, "default", "does not apply to a control command"),
    .init("pause with a body", "pause", #"{"now": true}"#, "now", "unknown field"),
    // Bodies that parse but do not fit the model
    .init("unfreeze unknown group", "unfreeze", #"{"groups": ["block2", "neck"]}"#, "groups[1]", "unknown group \"neck\""),
    .init("unfreeze last beyond the groups", "unfreeze", #"{"last": 4}"#, "last", "is 4, but the model has only 3 groups"),
    .init("unfreeze last_layers beyond the layers", "unfreeze", #"{"last_layers": 10}"#, "last_layers", "only 9 layers"),
    .init("unfreeze unknown layer", "unfreeze", #"{"layers": ["features.2"]}"#, "layers[0]", "unknown layer \"features.2\""),
    .init("unfreeze lr for unknown group", "unfreeze", #"{"all": true, "lr": {"groups": {"stem": 1e-4}}}"#, "lr.groups.stem", "unknown group"),
    .init("freeze everything", "freeze", #"{"all": true}"#, "", "would leave nothing trainable"),
    .init("freeze the only trainable group", "freeze", #"{"groups": ["head"]}"#, "", "would leave nothing trainable"),
    .init("lr for unknown group", "lr", #"{"groups": {"neck": 1e-3}}"#, "groups.neck", "unknown group"),
    .init("scale unknown group", "lr", #"{"scale": 0.5, "groups": ["neck"]}"#, "groups[0]", "unknown group"),
    .init("scale above the LR ceiling", "lr", #"{"scale": 10}"#, "scale", "above 10"),
]

@Suite struct ControlCommandTests {
    @Test(arguments: refusedCommands)
    func refused(_ c: RefusedCommand) {
        let state = smallCNNState().startingPhase(PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 1, lr: .uniform(3)))
        let result = ControlCommand.parse(action: c.action, body: Data(c.body.utf8)).flatMap { state.applying($0) }
        guard case .failure(let error) = result else {
            Issue.record("\(c.name): accepted")
            return
        }
        #expect(error.problems.count == 1 && error.problems[0].path == c.path && error.problems[0].message.contains(c.message),
                "\(c.name): got \(error.problems)")
    }

    /// What `POST` refuses at once: every problem but those that depend on the state the command
    /// meets at the batch boundary (here: the freezes that would leave nothing trainable, the scale
    /// that would lift an LR above 10), which the runner decides.
    @Test(arguments: refusedCommands)
    func problemsWithAnyStateLeaveStateRulesToTheRunner(_ c: RefusedCommand) {
        guard case .success(let command) = ControlCommand.parse(action: c.action, body: Data(c.body.utf8)) else { return }
        let state = smallCNNState().startingPhase(PhaseSpec(name: "head", trainable: .groups(["head"]), epochs: 1, lr: .uniform(3)))
        let problems = state.problemsWithAnyState(command)
        if ["freeze everything", "freeze the only trainable group", "scale above the LR ceiling"].contains(c.name) {
            #expect(problems.isEmpty, "\(c.name): \(problems)")
        } else {
            #expect(problems.count == 1 && problems[0].path == c.path && problems[0].message.contains(c.message),
                    "\(c.name): got \(problems)")
        }
    }

    @Test func issueBodiesParse() throws {
        #expect(try command("unfreeze", ["groups": ["block2", "head"]]) == .unfreeze(.groups(["block2", "head"]), lr: nil))
        #expect(try command("unfreeze", ["last": 2]) == .unfreeze(.last(2), lr: nil))
        #expect(try command("freeze", ["all": true]) == .freeze(.all))
        #expect(try command("unfreeze", ["all": true, "lr": 1e-4]) == .unfreeze(.all, lr: .uniform(1e-4)))
        #expect(try command("unfreeze", ["last": 2, "lr": ["min": 1e-5, "max": 1e-3]]) == .unfreeze(.last(2), lr: .discriminative(min: 1e-5, max: 1e-3)))
        #expect(try command("unfreeze", ["last_layers": 3]) == .unfreeze(.lastLayers(3), lr: nil))
        #expect(try command("lr", ["lr": 1e-4]) == .setLR(.set(.uniform(1e-4))))
        #expect(try command("lr", ["scale": 0.1]) == .setLR(.scale(0.1, groups: nil)))
        #expect(try command("lr", ["groups": ["head": 1e-3]]) == .setLR(.set(.perGroup(["head": 1e-3], default: nil))))
        #expect(try ControlCommand.parse(action: "pause", body: Data()).get() == .pause)
        #expect(try ControlCommand.parse(action: "stop", body: Data(" \n".utf8)).get() == .stop)
        #expect(try ControlCommand.parse(action: "cancel", body: Data("{}".utf8)).get() == .cancel)
        #expect(try ControlCommand.parse(action: "resume", body: Data()).get() == .resume)
    }

    @Test func codableFormCarriesTheAction() throws {
        let commands: [ControlCommand] = [
            .unfreeze(.groups(["head"]), lr: .discriminative(min: nil, max: 1e-3)), .unfreeze(.layers(["fc"]), lr: nil),
            .freeze(.last(1)), .setLR(.scale(0.5, groups: ["head"])), .setLR(.set(.perGroup(["head": 1e-3], default: nil))),
            .setLR(.set(.uniform(1e-3))), .pause, .resume, .stop, .cancel,
        ]
        for c in commands {
            #expect(try JSONDecoder().decode(ControlCommand.self, from: JSONEncoder().encode(c)) == c)
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ControlCommand.self, from: Data(#"{"all": true}"#.utf8)) }
    }
}
