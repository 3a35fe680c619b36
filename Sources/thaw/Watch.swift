import ArgumentParser
import Foundation
import JobAPI
import ThawClient

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a job live: a progress line per epoch with the latest metrics, until it ends.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @Flag(help: "Print each raw event as JSON instead of progress lines.") var raw = false

    /// The job statuses after which no more events come.
    static let finalStates: Set<String> = ["succeeded", "failed", "cancelled", "stopped"]

    func run() throws {
        try reportingErrors {
            let client = try options.client(timeout: 120)
            try client.streamEvents("/v1/jobs/\(job)/events") { message in
                if raw {
                    print("\(message.event ?? "message") \(message.data)")
                } else {
                    print(ProgressLine.render(message))
                }
                try? FileHandle.standardOutput.synchronize()
                if message.event == "end" { return false }
                if case .status(let status)? = try? message.trainingEvent(), Self.finalStates.contains(status.status) {
                    return false
                }
                return true
            }
        }
    }
}

/// Turns a stream message into one human line: a progress bar with the metrics for an epoch, the
/// type and payload for everything else (including the stream's own `end` and `shutdown`).
enum ProgressLine {
    static func render(_ message: ServerSentEvent) -> String {
        guard case .epoch(let epoch)? = try? message.trainingEvent() else {
            return "\(message.event ?? "event"): \(message.data)"
        }
        return render(epoch)
    }

    static func render(_ e: EpochEvent) -> String {
        let planned = e.epochs > 0 ? e.epochs : nil
        let bar = planned.map { Self.bar(done: e.epoch, total: $0) } ?? ""
        var parts = ["\(e.phase) \(bar) epoch \(e.epoch)\(planned.map { "/\($0)" } ?? "")"]
        let measured: [(EpochEvent.CodingKeys, Double?)] = [(.trainLoss, e.trainLoss), (.valLoss, e.valLoss), (.valAccuracy, e.valAccuracy)]
        for (key, value) in measured {
            if let value { parts.append("\(key.stringValue) \(String(format: "%.4f", value))") }
        }
        if let ips = e.imagesPerSecond { parts.append(String(format: "%.0f img/s", ips)) }
        if e.fromCache { parts.append("(cached body)") }
        return parts.joined(separator: "  ")
    }

    static func bar(done: Int, total: Int, width: Int = 20) -> String {
        guard total > 0 else { return "" }
        let filled = min(width, max(0, done * width / total))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }
}
