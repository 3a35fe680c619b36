import JobAPI
/// Event payloads. Every number that may be NaN or infinite is written as null (JSON has neither).
extension JobRunner {
    func emitStatus(_ status: String, extra: [String: JSONValue] = [:]) {
        var payload = extra
        payload["status"] = .string(status)
        payload["global_epoch"] = .number(Double(state.globalEpoch))
        observer.emit(type: "status", payload: .object(payload))
    }

    /// `phase`: `{"event": "started"|"resumed"|"ended", "phase", "phase_index", "epochs", "open_ended",
    /// "trainable", "peak_lrs", ...extra}`.
    func emitPhase(_ event: String, _ phase: PhaseSpec, extra: [String: JSONValue] = [:]) {
        var payload = extra
        payload["event"] = .string(event)
        payload["phase"] = .string(phase.name)
        payload["phase_index"] = .number(Double(state.phaseIndex))
        payload["epochs"] = .number(Double(phase.epochs))
        payload["open_ended"] = .bool(phase.openEnded)
        payload["trainable"] = trainableJSON
        payload["peak_lrs"] = groupMap(state.groups.peakLRs)
        observer.emit(type: "phase", payload: .object(payload))
    }

    /// `epoch`: phase, epoch (1-based in the phase), epochs (planned), global_epoch (1-based), global_step
    /// (optimizer steps so far over the job), train_loss,
    /// val_loss, val_accuracy, per_class_accuracy (class name → accuracy), lrs (group → LR of the last
    /// step), peak_lrs, trainable, seconds (training + validation), train_seconds, eval_seconds,
    /// cache_seconds (building the activation cache), loader_wait_seconds (blocked on the batch loader),
    /// images_per_second (training), from_cache, is_best, lr_reduced.
    func emitEpoch(_ phase: PhaseSpec, metrics: EpochMetrics, validation: EvaluationResult?, timing: EpochTiming,
                   evalSeconds: Double, isBest: Bool, lrReduced: Bool) {
        var perClass: [String: JSONValue] = [:]
        if let validation {
            for (name, acc) in zip(data.classNames, validation.perClassAccuracy) { perClass[name] = number(acc) }
        }
        let payload: [String: JSONValue] = [
            "phase": .string(phase.name), "phase_index": .number(Double(state.phaseIndex)),
            "epoch": .number(Double(state.phaseEpoch)), "epochs": .number(Double(phase.epochs)),
            "global_epoch": .number(Double(state.globalEpoch)), "global_step": .number(Double(state.globalStep)),
            "train_loss": number(metrics.trainLoss), "val_loss": number(metrics.valLoss),
            "val_accuracy": number(metrics.valAccuracy), "per_class_accuracy": .object(perClass),
            "lrs": groupMap(lastLRs), "peak_lrs": groupMap(state.groups.peakLRs), "trainable": trainableJSON,
            "seconds": .number(timing.trainSeconds + evalSeconds), "train_seconds": .number(timing.trainSeconds),
            "eval_seconds": .number(evalSeconds), "cache_seconds": .number(timing.cacheSeconds),
            "loader_wait_seconds": .number(timing.loaderWaitSeconds),
            "images_per_second": number(timing.trainSeconds > 0 ? Double(timing.images) / timing.trainSeconds : nil),
            "from_cache": .bool(timing.fromCache), "is_best": .bool(isBest), "lr_reduced": .bool(lrReduced),
        ]
        observer.emit(type: "epoch", payload: .object(payload))
    }

    /// `control`: `{"id", "action", "ok", "problems"?, "trainable", "trainable_layers", "peak_lrs", "lrs",
    /// "paused"}` — the state after the command (unchanged when it failed).
    func emitControl(_ pending: PendingCommand, problems: [SpecProblem]?) {
        var payload = effectiveState
        payload["id"] = .string(pending.id)
        payload["action"] = .string(pending.command.action)
        payload["ok"] = .bool(problems == nil)
        if let problems {
            payload["problems"] = .array(problems.map { .object(["path": .string($0.path), "message": .string($0.message)]) })
            payload["error"] = .string(SpecError(problems: problems).description)
        }
        observer.emit(type: "control", payload: .object(payload))
    }

    /// A change the run made itself (gradual or automatic unfreezing): a `control` event without id.
    func emitGroupChange(action: String, groups: [String]) {
        var payload = effectiveState
        payload["action"] = .string(action)
        payload["ok"] = .bool(true)
        payload["groups"] = .array(groups.map(JSONValue.string))
        observer.emit(type: "control", payload: .object(payload))
    }

    func emitAdvice(_ advice: Advice) {
        observer.emit(type: "advice", payload: .object([
            "code": .string(advice.code.rawValue), "message": .string(advice.message),
            "global_epoch": .number(Double(advice.epoch + 1)),
        ]))
    }

    func emitCheckpoint(_ c: CheckpointPayload) {
        observer.emit(type: "checkpoint", payload: c.eventPayload)
    }

    /// `test`: the final evaluation (`{"test_loss", "test_accuracy", "per_class_accuracy", "count",
    /// "tta_loss"?, "tta_accuracy"?, "best_metric", "best_value", "best_epoch", "restored_best",
    /// "stop_reason"}`).
    func emitTest(_ report: FinalReport) {
        var payload: [String: JSONValue] = [
            "best_metric": .string(report.bestMetric), "best_value": number(report.bestValue),
            "best_epoch": report.bestEpoch.map { .number(Double($0)) } ?? .null,
            "restored_best": .bool(report.restoredBest), "stop_reason": report.stopReason.map(JSONValue.string) ?? .null,
            "epochs": .number(Double(report.epochs)),
        ]
        if let test = report.test {
            payload["test_loss"] = number(test.loss)
            payload["test_accuracy"] = number(test.accuracy)
            payload["count"] = .number(Double(test.count))
            var perClass: [String: JSONValue] = [:]
            for (name, acc) in zip(data.classNames, test.perClassAccuracy) { perClass[name] = number(acc) }
            payload["per_class_accuracy"] = .object(perClass)
        }
        if let tta = report.testTTA {
            payload["tta_loss"] = number(tta.loss)
            payload["tta_accuracy"] = number(tta.accuracy)
        }
        observer.emit(type: "test", payload: .object(payload))
    }

    /// Trainable groups and layers, every group's peak and current LR, paused.
    var effectiveState: [String: JSONValue] {
        ["trainable": trainableJSON, "trainable_layers": .array(state.groups.trainableLayers.map(JSONValue.string)),
         "peak_lrs": groupMap(state.groups.peakLRs), "lrs": groupMap(lastLRs), "paused": .bool(paused),
         "from_cache": .bool(cache != nil)]
    }

    var trainableJSON: JSONValue { .array(state.groups.trainableGroups.map(JSONValue.string)) }

    func groupMap(_ values: [Double]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: zip(state.groups.names, values.map { number($0) })))
    }
}

/// A finite number, or null.
func number(_ value: Double?) -> JSONValue {
    guard let value, value.isFinite else { return .null }
    return .number(value)
}
