import JobAPI

/// The runner's events, built as JobAPI's typed payloads (which write NaN and infinity as null).
extension JobRunner {
    /// `run`: the runner's own life cycle, with the completed epochs so far; `reason` on `stopped`.
    func emitStatus(_ status: RunEvent.Status, reason: StopReason? = nil) {
        observer.emit(.run(RunEvent(status: status, globalEpoch: state.globalEpoch, reason: reason)))
    }

    /// `phase`: started, resumed or ended (with why, and whether its best weights were restored).
    func emitPhase(_ event: PhaseEvent.Change, _ phase: PhaseSpec, reason: PhaseEvent.EndReason? = nil,
                   restoredBest: Bool? = nil) {
        observer.emit(.phase(PhaseEvent(
            event: event, phase: phase.name, phaseIndex: state.phaseIndex, epochs: phase.epochs,
            openEnded: phase.openEnded, trainable: state.groups.trainableGroups, peakLRs: groupMap(state.groups.peakLRs),
            reason: reason, restoredBest: restoredBest)))
    }

    /// `epoch`: where the epoch sits, what it measured, the groups' LRs (of the last step) and peaks,
    /// and how long its parts took.
    func emitEpoch(_ phase: PhaseSpec, metrics: EpochMetrics, validation: EvaluationResult?, timing: EpochTiming,
                   evalSeconds: Double, isBest: Bool, lrReduced: Bool) {
        observer.emit(.epoch(EpochEvent(
            phase: phase.name, phaseIndex: state.phaseIndex, epoch: state.phaseEpoch, epochs: phase.epochs,
            globalEpoch: state.globalEpoch, globalStep: state.globalStep, trainLoss: metrics.trainLoss,
            valLoss: metrics.valLoss, valAccuracy: metrics.valAccuracy,
            perClassAccuracy: validation.map { classMap($0.perClassAccuracy) } ?? [:],
            lrs: groupMap(lastLRs), peakLRs: groupMap(state.groups.peakLRs), trainable: state.groups.trainableGroups,
            seconds: timing.trainSeconds + evalSeconds, trainSeconds: timing.trainSeconds, evalSeconds: evalSeconds,
            cacheSeconds: timing.cacheSeconds, loaderWaitSeconds: timing.loaderWaitSeconds,
            imagesPerSecond: timing.trainSeconds > 0 ? Double(timing.images) / timing.trainSeconds : nil,
            fromCache: timing.fromCache, isBest: isBest, lrReduced: lrReduced)))
    }

    /// `control` acknowledging a command: the state after it (unchanged when it failed).
    func emitControl(_ pending: PendingCommand, problems: [SpecProblem]?) {
        observer.emit(.control(controlEvent(
            id: pending.id, action: ControlEvent.Action(pending.command), problems: problems, groups: nil)))
    }

    /// A change the run made itself (gradual or automatic unfreezing): a `control` event without id.
    func emitGroupChange(action: ControlEvent.Action, groups: [String]) {
        observer.emit(.control(controlEvent(id: nil, action: action, problems: nil, groups: groups)))
    }

    func emitAdvice(_ advice: Advice) {
        observer.emit(.advice(AdviceEvent(code: advice.code.rawValue, message: advice.message, globalEpoch: advice.epoch + 1)))
    }

    func emitCheckpoint(_ c: CheckpointPayload) {
        observer.emit(.checkpoint(c.event))
    }

    /// `test`: the final evaluation and how the job ended.
    func emitTest(_ report: FinalReport) {
        observer.emit(.test(TestEvent(
            test: report.test.map {
                TestEvent.Split(loss: $0.loss, accuracy: $0.accuracy, count: $0.count, perClassAccuracy: classMap($0.perClassAccuracy),
                                confusionMatrix: $0.confusion.map { ConfusionMatrix(classes: data.classNames, counts: $0) })
            },
            tta: report.testTTA.map { TestEvent.Augmented(loss: $0.loss, accuracy: $0.accuracy) },
            bestMetric: report.bestMetric, bestValue: report.bestValue, bestEpoch: report.bestEpoch,
            restoredBest: report.restoredBest, stopReason: report.stopReason, epochs: report.epochs,
            split: report.evaluatedSplit?.rawValue)))
    }

    /// `lr_find`: the sweep's curve and suggestions.
    func emitLRFind(_ result: LRFindResult) {
        observer.emit(.lrFind(result.event))
    }

    /// A `control` event carrying the effective state: trainable groups and layers, every group's
    /// peak and current LR, paused, cached.
    private func controlEvent(id: String?, action: ControlEvent.Action, problems: [SpecProblem]?, groups: [String]?) -> ControlEvent {
        ControlEvent(id: id, action: action, ok: problems == nil, problems: problems,
                     error: problems.map { SpecError(problems: $0).description }, groups: groups,
                     trainable: state.groups.trainableGroups, trainableLayers: state.groups.trainableLayers,
                     peakLRs: groupMap(state.groups.peakLRs), lrs: groupMap(lastLRs), paused: paused, fromCache: epochs.cache != nil)
    }

    /// Group name → value, for every group.
    func groupMap(_ values: [Double]) -> [String: Double?] {
        Dictionary(uniqueKeysWithValues: zip(state.groups.names, values.map { Optional($0) }))
    }

    /// Class name → accuracy.
    func classMap(_ values: [Double?]) -> [String: Double?] {
        var map: [String: Double?] = [:]
        for (name, value) in zip(data.classNames, values) { map.updateValue(value, forKey: name) }
        return map
    }
}
