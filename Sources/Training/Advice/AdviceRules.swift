/// The advice rules, pure functions of the per-epoch history and the group state. The trainer calls
/// `advise` after every epoch and emits an advice event when a code appears that the previous epoch
/// did not produce.
public enum AdviceRules {
    /// - history: every epoch of the job so far, oldest first.
    /// - headIsNew: the head was created for this job (random initialisation).
    /// - headTrainedEpochs: epochs in which the head trained before now.
    public static func advise(history: [EpochMetrics], groups: GroupState, headIsNew: Bool,
                              headTrainedEpochs: Int) -> [Advice] {
        guard let last = history.last else { return [] }
        if let diverging = diverging(history) { return [diverging] }
        return [underfitting(history, groups), overfitting(history, groups),
                headUntrained(last.epoch, groups, headIsNew: headIsNew, headTrainedEpochs: headTrainedEpochs)]
            .compactMap { $0 }
    }

    /// Last training loss not finite, or above 4x the lowest epoch training loss so far.
    static func diverging(_ history: [EpochMetrics]) -> Advice? {
        guard let last = history.last else { return nil }
        let lowest = history.map(\.trainLoss).filter(\.isFinite).min()
        guard !last.trainLoss.isFinite || lowest.map({ last.trainLoss > 4 * $0 }) == true else { return nil }
        return Advice(code: .diverging, message: "the training loss has blown up (\(last.trainLoss)): lower the LR", epoch: last.epoch)
    }

    /// Training loss above validation loss for the last 2 epochs.
    static func underfitting(_ history: [EpochMetrics], _ groups: GroupState) -> Advice? {
        let window = history.suffix(2)
        guard window.count == 2, window.allSatisfy({ m in m.valLoss.map { m.trainLoss > $0 } ?? false }) else { return nil }
        let epoch = window.last!.epoch
        if let next = groups.nextFrozenGroup {
            return Advice(code: .underfitting,
                          message: "training loss is above validation loss: the model underfits; unfreeze more (next: \(next))",
                          epoch: epoch)
        }
        return Advice(code: .underfitting,
                      message: "training loss is above validation loss with every group training: train longer or raise the LR",
                      epoch: epoch)
    }

    /// Validation loss rose in each of the last 2 epochs while training loss fell in each.
    static func overfitting(_ history: [EpochMetrics], _ groups: GroupState) -> Advice? {
        let window = Array(history.suffix(3))
        guard window.count == 3 else { return nil }
        let val = window.compactMap(\.valLoss)
        guard val.count == 3, val[0] < val[1], val[1] < val[2],
              window[0].trainLoss > window[1].trainLoss, window[1].trainLoss > window[2].trainLoss else { return nil }
        let bodyTrains = groups.groups.dropLast().contains(where: \.trainable) || !groups.unfrozenLayers.isEmpty
        let message = bodyTrains
            ? "validation loss rises while training loss falls: overfitting or catastrophic forgetting of the pretrained body; lower the LR or stop (the best weights are kept)"
            : "validation loss rises while training loss falls: overfitting; lower the LR or stop (the best weights are kept)"
        return Advice(code: .overfitting, message: message, epoch: window[2].epoch)
    }

    /// A body group trains while a new head has not trained for a single epoch.
    static func headUntrained(_ epoch: Int, _ groups: GroupState, headIsNew: Bool, headTrainedEpochs: Int) -> Advice? {
        let bodyTrains = groups.groups.dropLast().contains(where: \.trainable) || !groups.unfrozenLayers.isEmpty
        guard headIsNew, headTrainedEpochs == 0, bodyTrains else { return nil }
        return Advice(code: .headUntrained,
                      message: "the body is unfrozen but the new head has not trained yet: train the head alone first (a head phase) so its random gradients do not damage the pretrained body",
                      epoch: epoch)
    }
}
