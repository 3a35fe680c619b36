import Data
import JobAPI
import NN

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
    /// Threads for OpenBLAS and the engine's parallel loops; results are reproducible per thread count.
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
}
