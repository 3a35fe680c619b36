import Data
import JobAPI
import NN

extension JobRunner {
    /// An `evaluate` job: one inference pass of the model over the chosen split (and one per view
    /// under test-time augmentation when asked), reported as the `test` event (with `split`) and the
    /// job's `result.evaluation`. Nothing trains and nothing is written back: every layer runs in
    /// inference mode, so the weights and BatchNorm statistics stay the registered model's.
    func runEvaluate() throws -> JobRunOutcome {
        let evaluation = spec.evaluate ?? EvaluateSpec()
        if headIsNew {
            // The preparation replaced the head (other classes or class names): evaluating a freshly
            // initialised head would report chance-level figures as if they were the model's.
            throw RunFailure(.invalidModel, "the model's head does not predict the selection's classes "
                             + "(\(data.classNames.joined(separator: ", "))): an evaluate job keeps the model's head")
        }
        let images: LabeledImages
        switch evaluation.split {
        case .train: images = data.train
        case .validation: images = data.validation
        case .test:
            guard let test = data.test else { throw RunFailure(.invalidData, "the dataset has no test split to evaluate") }
            images = test
        }
        guard images.count > 0 else { throw RunFailure(.invalidData, "the \(evaluation.split.rawValue) split is empty") }
        emitStatus(.started)
        let evaluator = Evaluator(model: model, normalization: normalization, batchSize: evaluationBatchSize,
                                  checkInterrupt: evaluationBoundary)
        let plain: EvaluationResult, tta: EvaluationResult?
        do {
            plain = try evaluator.evaluate(images, cached: nil)
            tta = evaluation.tta ? try evaluator.evaluateTTA(images, testTimeAugmentation ?? .flip) : nil
        } catch is EvaluationCancelled {
            emitStatus(.cancelled)
            return .cancelled
        }
        var report = FinalReport(epochs: 0, stopReason: nil, bestMetric: state.best.monitor.rawValue, bestValue: nil,
                                 bestEpoch: nil, restoredBest: false, history: [], test: plain, testTTA: tta,
                                 weights: weightsFile(), lrFind: nil)
        report.evaluatedSplit = evaluation.split
        report.classNames = data.classNames
        emitTest(report)
        emitStatus(.succeeded)
        return .succeeded(report)
    }

    /// Between an evaluation's batches: the daemon's shutdown (`RunInterrupted`, as in training) and
    /// the job's commands, so none waits forever. `cancel` ends the job; every other command is
    /// acknowledged as refused, since an evaluation has no training to pause, stop or steer.
    func evaluationBoundary() throws {
        try checkInterrupt()
        for pending in observer.takeCommands() {
            if case .cancel = pending.command {
                emitControl(pending, problems: nil)
                throw EvaluationCancelled()
            }
            emitControl(pending, problems: [SpecProblem(path: "action", message:
                "\(ControlEvent.Action(pending.command).rawValue) does not apply to an evaluate job (nothing trains); cancel it instead")])
        }
    }
}

/// A `cancel` applied between an evaluation's batches.
struct EvaluationCancelled: Error {}
