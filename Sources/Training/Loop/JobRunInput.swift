import Data
import JobAPI
import NN
import Tensor

/// Everything one run of a job needs, prepared by the daemon.
public struct JobRunInput {
    public var jobID: String
    public var spec: JobSpec
    /// Built, base weights loaded, head replaced unless it predicts the job's classes (`JobModel`). The runner owns it for
    /// the run (not thread-safe) and leaves it holding the final weights.
    public var model: Model
    /// Train / validation / optional test views, relabelled to `0..<classNames.count`.
    public var data: SelectedData
    /// Input normalization the weights expect (written into every weights file).
    public var normalization: Normalization
    /// Workers for the engine's parallel loops (OpenBLAS itself runs single-threaded; the name is the
    /// daemon's `--blas-threads`); results are reproducible per thread count. Default 1.
    public var blasThreads: Int
    /// Set when continuing from an epoch checkpoint (`ResumeState.decode`).
    public var resume: ResumeState?
    /// The head was freshly initialised for this job (drives the `head_untrained` advice). Default true.
    public var headIsNew: Bool
    /// Extra views averaged at the final test evaluation (reported beside the plain figures); nil = none.
    public var testTimeAugmentation: TestTimeAugmentation?
    /// Largest activation cache (train + validation activations) the runner builds, in bytes. Above it,
    /// head phases run through the frozen body every batch instead. Default 1 GiB.
    public var cacheLimitBytes: Int

    public init(jobID: String, spec: JobSpec, model: Model, data: SelectedData, normalization: Normalization,
                blasThreads: Int = 1, resume: ResumeState? = nil, headIsNew: Bool = true,
                testTimeAugmentation: TestTimeAugmentation? = nil, cacheLimitBytes: Int = 1 << 30) {
        self.jobID = jobID
        self.spec = spec
        self.model = model
        self.data = data
        self.normalization = normalization
        self.blasThreads = blasThreads
        self.resume = resume
        self.headIsNew = headIsNew
        self.testTimeAugmentation = testTimeAugmentation
        self.cacheLimitBytes = cacheLimitBytes
    }

    /// The engine the run uses: bound for `JobRunner.run()` only, nothing process-wide.
    public var engine: Engine { Engine(threads: blasThreads) }
}
