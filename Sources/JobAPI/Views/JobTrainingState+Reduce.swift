extension JobTrainingState {
    /// The state after `event`: a pure function, applied by the store in each append's transaction
    /// and replayed over a job's whole log to backfill the state of jobs stored before the row existed.
    ///
    /// - `epoch`: phase, epoch (global), step, the groups (trainable, LRs of the last step, peaks) and
    ///   `latest`.
    /// - `control`: the groups afterwards. `phase`: the phase, and its groups at their peaks.
    /// - `best`, `test`, `lr_find`: kept as the newest of their kind.
    /// - `status`, `run`, `checkpoint`, `advice`, `interrupted`: no change.
    public func applying(_ event: TrainingEvent) -> JobTrainingState {
        var next = self
        switch event {
        case .epoch(let e):
            next.phase = e.phase
            next.epoch = e.globalEpoch
            next.step = e.globalStep
            next.groups = GroupView.from(trainable: e.trainable, lrs: e.lrs, peakLRs: e.peakLRs, previous: groups)
            next.latest = EpochSummary(e)
        case .control(let c):
            next.groups = GroupView.from(trainable: c.trainable, lrs: c.lrs, peakLRs: c.peakLRs, previous: groups)
        case .phase(let p):
            next.phase = p.phase
            next.groups = GroupView.from(trainable: p.trainable, lrs: [:], peakLRs: p.peakLRs, previous: groups)
        case .best(let b):
            next.best = b
        case .test(let t):
            next.test = t
        case .lrFind(let l):
            next.lrFind = l
        case .status, .run, .checkpoint, .advice, .interrupted:
            break
        }
        return next
    }

    /// Whether `event` can change the state (the store skips the row write for the others).
    public static func changes(_ event: TrainingEvent) -> Bool {
        switch event {
        case .epoch, .control, .phase, .best, .test, .lrFind: true
        case .status, .run, .checkpoint, .advice, .interrupted: false
        }
    }
}
