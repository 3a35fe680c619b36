import ArgumentParser
import Foundation
import ThawClient

/// Posts a control command and prints the server's acknowledgement (202 with the command id).
func postControl(_ options: ServerOptions, job: String, verb: String, body: [String: Any]) throws {
    try reportingErrors { try printJSON(options.client().post("/v1/jobs/\(job)/\(verb)", json: body).requireSuccess()) }
}

/// Which groups a freeze/unfreeze names: exactly one of --groups, --last, --all.
struct GroupSelection: ParsableArguments {
    @Option(parsing: .upToNextOption, help: "Group names.") var groups: [String] = []
    @Option(help: "The last N groups (counting the head).") var last: Int?
    @Flag(help: "Every group.") var all = false
    @Option(help: "Learning rate for the newly trainable groups.") var lr: Double?
    @Option(help: "Discriminative range for the newly trainable groups: MIN,MAX.") var lrRange: String?

    func body() throws -> [String: Any] {
        var body: [String: Any] = [:]
        let chosen = [groups.isEmpty ? 0 : 1, last == nil ? 0 : 1, all ? 1 : 0].reduce(0, +)
        guard chosen == 1 else { throw ValidationError("give exactly one of --groups, --last or --all") }
        if !groups.isEmpty { body["groups"] = groups }
        if let last { body["last"] = last }
        if all { body["all"] = true }
        if let lr { body["lr"] = lr }
        if let lrRange {
            let parts = lrRange.split(separator: ",").compactMap { Double($0) }
            guard parts.count == 2 else { throw ValidationError("--lr-range takes MIN,MAX, e.g. 1e-5,1e-3") }
            body["lr"] = ["min": parts[0], "max": parts[1]]
        }
        return body
    }
}

struct Unfreeze: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make layer groups trainable at the next batch.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @OptionGroup var selection: GroupSelection
    func run() throws { try postControl(options, job: job, verb: "unfreeze", body: selection.body()) }
}

struct Freeze: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Freeze layer groups at the next batch.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @OptionGroup var selection: GroupSelection
    func run() throws { try postControl(options, job: job, verb: "freeze", body: selection.body()) }
}

struct LR: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lr", abstract: "Set or scale learning rates.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @Option(help: "New learning rate for every group.") var set: Double?
    @Option(help: "Multiply every group's learning rate.") var scale: Double?
    @Option(parsing: .upToNextOption, help: "Per-group rates, NAME=LR.") var group: [String] = []

    func run() throws {
        var body: [String: Any] = [:]
        if let set { body["lr"] = set }
        if let scale { body["scale"] = scale }
        if !group.isEmpty {
            var groups: [String: Double] = [:]
            for item in group {
                let parts = item.split(separator: "=")
                guard parts.count == 2, let value = Double(parts[1]) else {
                    throw ValidationError("--group takes NAME=LR, got '\(item)'")
                }
                groups[String(parts[0])] = value
            }
            body["groups"] = groups
        }
        guard body.count == 1 else { throw ValidationError("give exactly one of --set, --scale or --group") }
        try postControl(options, job: job, verb: "lr", body: body)
    }
}

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pause a running job at the next batch.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try postControl(options, job: job, verb: "pause", body: [:]) }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused job.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try postControl(options, job: job, verb: "resume", body: [:]) }
}

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop a job early, keeping its best weights.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try postControl(options, job: job, verb: "stop", body: [:]) }
}

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try postControl(options, job: job, verb: "cancel", body: [:]) }
}
