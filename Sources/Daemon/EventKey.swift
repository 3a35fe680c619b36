import JobAPI
import Training

/// The idempotency key (`Store.appendEvent(key:)`) of an event a run emits, or nil for an event that
/// is a fact of this one start (`run` started/resumed/interrupted, `phase` resumed).
///
/// A run resumed from its epoch-k checkpoint repeats everything the interrupted run did after that
/// checkpoint: the epoch k+1 event, its `best` and `checkpoint` events, advice, a phase start or end,
/// a group change, the final `test`, and acknowledgements of commands taken but not yet resolved when
/// the process died. Each such event is keyed by what it describes, so the store keeps it once
/// however often the job is restarted (the chaos test in EndToEndTests checks exactly that).
enum EventKey {
    /// `epoch`: the run's global epoch when the event is emitted (the last completed epoch), which
    /// places self-made group changes (`gradual_unfreeze` at an epoch start, `auto_unfreeze` at an end).
    static func key(type: String, payload: JSONValue, epoch: Int) -> String? {
        guard case .object(let fields) = payload else { return nil }
        func int(_ name: String) -> String { fields[name]?.numberValue.map { String(Int($0)) } ?? "?" }
        switch type {
        case "epoch":
            return "epoch:\(int("global_epoch"))"
        case "checkpoint":
            return "checkpoint:\(fields["kind"]?.stringValue ?? "?"):\(int("global_epoch"))"
        case "best":
            return "best:\(int("global_epoch"))"
        case "advice":
            return "advice:\(fields["code"]?.stringValue ?? "?"):\(int("global_epoch"))"
        case "phase":
            guard let event = fields["event"]?.stringValue, event != "resumed" else { return nil }
            return "phase:\(event):\(int("phase_index"))"
        case "control":
            if let id = fields["id"]?.stringValue { return "control:\(id)" }
            guard let action = fields["action"]?.stringValue else { return nil }
            let groups: [String]
            if case .array(let items)? = fields["groups"] { groups = items.compactMap(\.stringValue) } else { groups = [] }
            return "control:\(action):\(groups.joined(separator: ",")):\(epoch)"
        case "test", "lr_find":
            return type
        case "run":
            guard let status = fields["status"]?.stringValue, ["succeeded", "stopped", "cancelled"].contains(status)
            else { return nil }
            return "run:\(status)"
        default:
            return nil
        }
    }
}
