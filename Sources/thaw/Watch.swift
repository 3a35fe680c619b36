import ArgumentParser
import Foundation
import ThawClient

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a job live: a progress line per epoch with the latest metrics, until it ends.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @Flag(help: "Print each raw event as JSON instead of progress lines.") var raw = false

    func run() throws {
        try reportingErrors {
            let client = try options.client(timeout: 120)
            let finalStates: Set<String> = ["succeeded", "failed", "cancelled", "stopped"]
            try client.streamEvents("/v1/jobs/\(job)/events") { event in
                if raw {
                    print("\(event.event ?? "message") \(event.data)")
                } else if let line = ProgressLine.render(event) {
                    print(line)
                }
                try? FileHandle.standardOutput.synchronize()
                if event.event == "end" { return false }
                if event.event == "status",
                   let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any],
                   let status = object["status"] as? String, finalStates.contains(status) {
                    return false
                }
                return true
            }
        }
    }
}

/// Turns an event into one human line; nil for events not worth a line.
enum ProgressLine {
    static func render(_ event: ServerSentEvent) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else {
            return "\(event.event ?? "event"): \(event.data)"
        }
        switch event.event {
        case "epoch":
            let phase = object["phase"] as? String ?? "?"
            let epoch = object["epoch"] as? Int ?? 0
            let epochs = object["epochs"] as? Int
            let bar = epochs.map { Self.bar(done: epoch, total: $0) } ?? ""
            var parts = ["\(phase) \(bar) epoch \(epoch)\(epochs.map { "/\($0)" } ?? "")"]
            for key in ["train_loss", "val_loss", "val_accuracy"] {
                if let v = object[key] as? Double { parts.append("\(key) \(String(format: "%.4f", v))") }
            }
            if let ips = object["images_per_second"] as? Double { parts.append(String(format: "%.0f img/s", ips)) }
            if object["from_cache"] as? Bool == true { parts.append("(cached body)") }
            return parts.joined(separator: "  ")
        case "batch":
            return nil
        default:
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return "\(event.event ?? "event"): \(String(decoding: data, as: UTF8.self))"
        }
    }

    static func bar(done: Int, total: Int, width: Int = 20) -> String {
        guard total > 0 else { return "" }
        let filled = min(width, max(0, done * width / total))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }
}
