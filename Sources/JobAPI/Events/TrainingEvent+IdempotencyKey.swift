extension TrainingEvent {
    /// The idempotency key (the Store's `appendEvent(key:)`) of an event a run emits, or nil for an
    /// event that is a fact of this one start (`run` started/resumed/interrupted, `phase` resumed) or
    /// that the store writes itself (`status`, `interrupted`).
    ///
    /// A run resumed from its epoch-k checkpoint repeats everything the interrupted run did after that
    /// checkpoint: the epoch k+1 event, its `best` and `checkpoint` events, advice, a phase start or
    /// end, a group change, the final `test`, and acknowledgements of commands taken but not yet
    /// resolved when the process died. Each such event is keyed by what it describes, so the store
    /// keeps it once however often the job is restarted (the chaos test in EndToEndTests checks that).
    ///
    /// `epoch`: the run's last completed global epoch when the event is emitted, which places
    /// self-made group changes (`gradual_unfreeze` at an epoch start, `auto_unfreeze` at an end).
    /// The spellings are those thawd has always stored (`epoch:5`, `checkpoint:best:5`, ...): keys in
    /// existing databases must keep matching.
    public func idempotencyKey(epoch: Int) -> String? {
        switch self {
        case .epoch(let e):
            return "epoch:\(e.globalEpoch)"
        case .checkpoint(let c):
            return "checkpoint:\(c.kind.rawValue):\(c.globalEpoch)"
        case .best(let b):
            return "best:\(b.globalEpoch)"
        case .advice(let a):
            return "advice:\(a.code):\(a.globalEpoch)"
        case .phase(let p):
            guard p.event != .resumed else { return nil }
            return "phase:\(p.event.rawValue):\(p.phaseIndex)"
        case .control(let c):
            if let id = c.id { return "control:\(id)" }
            return "control:\(c.action.rawValue):\((c.groups ?? []).joined(separator: ",")):\(epoch)"
        case .test:
            return "test"
        case .lrFind:
            return "lr_find"
        case .run(let r):
            switch r.status {
            case .succeeded, .stopped, .cancelled: return "run:\(r.status.rawValue)"
            case .started, .resumed, .interrupted: return nil
            }
        case .status, .interrupted:
            return nil
        }
    }
}
