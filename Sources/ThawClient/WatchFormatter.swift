import Foundation
import JobAPI

/// What `thaw watch` shows for a job's event stream, as a person reads it: one line per epoch
/// (phase, epoch/total, losses, accuracy, img/s, `*` on a new best), short lines for status changes,
/// phases, control acknowledgements, advice and the test result, and a progress bar for the live
/// position, which the caller keeps drawn under the lines. Pure: events in, text out, so every line
/// is tested without a server (`WatchFormatterTests`).
public struct WatchFormatter: Sendable {
    /// Where the run is, for the bar.
    public struct Position: Sendable, Equatable {
        public var phase: String
        /// 0-based phase index, and 1-based epoch within the phase of `epochs` planned (0: open-ended).
        public var phaseIndex: Int
        public var epoch: Int
        public var epochs: Int
        public var globalEpoch: Int
    }

    public private(set) var position: Position?
    public private(set) var status: String?
    /// How many epochs so far were a new best (marked `*` on their lines).
    public private(set) var bests = 0

    public init() {}

    /// The lines to print for one stream message (often one, none for events the bar or the epoch
    /// line already shows: `best`, `checkpoint`, the stream's `end`).
    public mutating func lines(for message: ServerSentEvent) -> [String] {
        switch message.event {
        case "end": return []
        case "shutdown": return ["thawd is shutting down; the job resumes when it restarts"]
        default: break
        }
        guard let event = try? message.trainingEvent() else { return ["\(message.event ?? "event"): \(message.data)"] }
        return lines(for: event)
    }

    public mutating func lines(for event: TrainingEvent) -> [String] {
        switch event {
        case .status(let s):
            status = s.status
            var line = "status: \(s.status)"
            if let attempt = s.attempt, attempt > 1 || s.resume == true { line += " (attempt \(attempt)\(s.resume == true ? ", resumed from its checkpoint" : ""))" }
            if let error = s.error { line += " — \(error.code): \(error.message)" }
            return [line]
        case .run(let r):
            switch r.status {
            case .started: return []
            case .resumed: return ["resumed after epoch \(r.globalEpoch)"]
            default: return ["run \(r.status.rawValue) after \(r.globalEpoch) epochs" + (r.reason.map { " (\($0.rawValue))" } ?? "")]
            }
        case .phase(let p):
            if p.event == .ended {
                var line = "phase \(p.phase) ended"
                if let reason = p.reason { line += ": \(reason.rawValue)" }
                if p.restoredBest == true { line += ", best weights restored" }
                return [line]
            }
            position = Position(phase: p.phase, phaseIndex: p.phaseIndex, epoch: 0, epochs: p.openEnded ? 0 : p.epochs,
                                globalEpoch: position?.globalEpoch ?? 0)
            let epochs = p.openEnded ? "up to \(p.epochs) epochs" : "\(p.epochs) epoch\(p.epochs == 1 ? "" : "s")"
            return ["phase \(p.phase) \(p.event == .resumed ? "resumed" : "started"): \(epochs), trainable \(p.trainable.joined(separator: ", ")); peak lr \(Self.lrs(p.peakLRs, order: p.trainable))"]
        case .epoch(let e):
            position = Position(phase: e.phase, phaseIndex: e.phaseIndex, epoch: e.epoch, epochs: e.epochs, globalEpoch: e.globalEpoch)
            if e.isBest { bests += 1 }
            return [Self.epochLine(e)]
        case .best, .checkpoint:
            return []
        case .control(let c):
            return [Self.controlLine(c)]
        case .advice(let a):
            return ["advice (\(a.code), epoch \(a.globalEpoch)): \(a.message)"]
        case .test(let t):
            var parts: [String] = []
            if let test = t.test, let accuracy = test.accuracy {
                parts.append("accuracy \(Self.fixed(accuracy))")
                if let loss = test.loss { parts.append("loss \(Self.fixed(loss))") }
                parts.append("on \(test.count) images")
            }
            if let tta = t.tta, let accuracy = tta.accuracy { parts.append("flip-TTA accuracy \(Self.fixed(accuracy))") }
            var line = "test: " + (parts.isEmpty ? "no test split" : parts.joined(separator: ", "))
            if let epoch = t.bestEpoch, let value = t.bestValue {
                line += "; best \(t.bestMetric) \(Self.fixed(value)) at epoch \(epoch)\(t.restoredBest ? " (restored)" : "")"
            }
            if let reason = t.stopReason { line += "; ended by \(reason.rawValue)" }
            return [line]
        case .lrFind(let f):
            guard let s = f.suggestions else { return ["lr_find: \(f.lrs.count) points, no suggestion (\(f.endedBy))"] }
            return ["lr_find: \(f.lrs.count) points (\(f.endedBy)); suggestions valley \(Self.lr(s.valley)), steep \(Self.lr(s.steep)), minimum \(Self.lr(s.minimum))"]
        case .interrupted(let i):
            return ["interrupted while \(i.status)" + (i.reason.map { " (\($0.rawValue))" } ?? " (thawd restarted)")]
        }
    }

    /// `head  3/5  train_loss 0.4123  val_loss 0.3912  val_acc 0.8650  1234 img/s  *` (the star: a new
    /// best of the tracked metric, written as the `best` checkpoint).
    public static func epochLine(_ e: EpochEvent) -> String {
        var parts = ["\(e.phase) \(e.epoch)/\(e.epochs > 0 ? String(e.epochs) : "?")"]
        parts.append("train_loss " + (e.trainLoss.map(fixed) ?? "-"))
        if e.valLoss != nil || e.valAccuracy != nil {
            parts.append("val_loss " + (e.valLoss.map(fixed) ?? "-"))
            parts.append("val_acc " + (e.valAccuracy.map(fixed) ?? "-"))
        }
        if let ips = e.imagesPerSecond { parts.append(String(format: "%.0f img/s", ips) + (e.fromCache ? " (cached body)" : "")) }
        if e.isBest { parts.append("* best") }
        if e.lrReduced { parts.append("lr reduced") }
        return parts.joined(separator: "  ")
    }

    /// `control unfreeze: ok; trainable block2, head; peak lr block2 1e-04, head 0.003` or
    /// `control freeze: refused: would leave nothing trainable`.
    public static func controlLine(_ c: ControlEvent) -> String {
        var line = "control \(c.action.rawValue)"
        guard c.ok else { return line + ": refused: " + (c.error ?? c.problems?.map(\.description).joined(separator: "; ") ?? "?") }
        switch c.action {
        case .pause: return line + ": paused"
        case .resume: return line + ": running"
        case .stop: return line + ": stopping (best weights, then the test split)"
        case .cancel: return line + ": cancelling"
        case .gradualUnfreeze, .autoUnfreeze:
            line += ": unfroze \((c.groups ?? []).joined(separator: ", "))"
        default:
            line += ": ok"
        }
        return line + "; trainable \(c.trainable.joined(separator: ", ")); peak lr \(lrs(c.peakLRs, order: c.trainable))"
    }

    /// The bar for the current position: `[########............] head 2/5 (phase 1) · epoch 7`, plus
    /// `extra` (the caller's elapsed time); nil before the first phase starts.
    public func bar(width: Int = 24, extra: String? = nil) -> String? {
        guard let p = position else { return status.map { "[\(String(repeating: ".", count: width))] \($0)" } }
        let filled = p.epochs > 0 ? min(width, p.epoch * width / p.epochs) : 0
        var text = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        text += "\(p.phase) \(p.epoch)/\(p.epochs > 0 ? String(p.epochs) : "?") (phase \(p.phaseIndex + 1))"
        text += " · epoch \(p.globalEpoch)"
        if let status, status != "running" { text += " · \(status)" }
        if let extra { text += " · \(extra)" }
        return text
    }

    static func fixed(_ value: Double) -> String { value.isFinite ? String(format: "%.4f", value) : "\(value)" }

    static func lr(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return value >= 0.001 ? String(format: "%g", value) : String(format: "%.0e", value)
    }

    /// `block2 1e-04, head 0.003`: the groups in `order` first (trainable, first to head), then the rest.
    static func lrs(_ map: [String: Double?], order: [String]) -> String {
        let rest = map.keys.filter { !order.contains($0) }.sorted()
        return (order.filter { map[$0] != nil } + rest).map { "\($0) \(lr(map[$0] ?? nil))" }.joined(separator: ", ")
    }
}

extension ServerSentEvent {
    /// The message as one JSON line (`thaw watch --events`): `{"data": …, "id": …, "type": …}`, sorted
    /// keys; `data` is the payload as JSON (its text when it is not JSON), `id` absent for the
    /// stream's own messages.
    public func jsonLine() -> String {
        var fields: [String: JSONValue] = ["type": .string(event ?? "message")]
        fields["data"] = (try? Wire.decode(JSONValue.self, from: Data(data.utf8))) ?? .string(data)
        if let id, let n = Int(id) { fields["id"] = .number(Double(n)) } else if let id { fields["id"] = .string(id) }
        return (try? Wire.encode(JSONValue.object(fields))).map { String(decoding: $0, as: UTF8.self) } ?? data
    }
}
