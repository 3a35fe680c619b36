import ArgumentParser
import Foundation
import JobAPI
import ThawClient

/// Posts a control command and prints the server's acknowledgement (202 with the command id). The CLI
/// only shapes the body; the server checks it (ranges, groups) and answers 422 naming the field.
func postControl(_ options: ServerOptions, job: String, _ command: ControlCommand) throws {
    let body = command.body
    try reportingErrors { try printJSON(options.client().post("/v1/jobs/\(job)/\(body.action)", body: body).requireSuccess()) }
}

/// Which groups a freeze/unfreeze names: exactly one of --groups, --last, --all.
struct GroupSelection: ParsableArguments {
    @Option(parsing: .upToNextOption, help: "Group names.") var groups: [String] = []
    @Option(help: "The last N groups (counting the head).") var last: Int?
    @Flag(help: "Every group.") var all = false
    @Option(help: "Learning rate for the newly trainable groups.") var lr: Double?
    @Option(help: "Discriminative range for the newly trainable groups: MIN,MAX.") var lrRange: String?

    /// The one target the flags name.
    func target() throws -> ControlTarget {
        let chosen = [groups.isEmpty ? 0 : 1, last == nil ? 0 : 1, all ? 1 : 0].reduce(0, +)
        guard chosen == 1 else { throw ValidationError("give exactly one of --groups, --last or --all") }
        if let last { return .last(last) }
        return all ? .all : .groups(groups)
    }

    /// The LR for the newly trainable groups: --lr-range over --lr, as the CLI always read them.
    func lrSpec() throws -> LRSpec? {
        if let lrRange {
            let parts = lrRange.split(separator: ",").compactMap { Double($0) }
            guard parts.count == 2 else { throw ValidationError("--lr-range takes MIN,MAX, e.g. 1e-5,1e-3") }
            return .discriminative(min: parts[0], max: parts[1])
        }
        return lr.map(LRSpec.uniform)
    }
}

struct Unfreeze: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make layer groups trainable at the next batch.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @OptionGroup var selection: GroupSelection
    func run() throws { try postControl(options, job: job, .unfreeze(selection.target(), lr: selection.lrSpec())) }
}

struct Freeze: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Freeze layer groups at the next batch.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @OptionGroup var selection: GroupSelection
    func run() throws {
        let target = try selection.target()
        guard try selection.lrSpec() == nil else { throw ValidationError("--lr and --lr-range apply to unfreeze only") }
        try postControl(options, job: job, .freeze(target))
    }
}

struct LR: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lr", abstract: "Set or scale learning rates.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @Option(help: "New learning rate for every group.") var set: Double?
    @Option(help: "Multiply every group's learning rate.") var scale: Double?
    @Option(parsing: .upToNextOption, help: "Per-group rates, NAME=LR.") var group: [String] = []

    func run() throws {
        var changes: [LRChange] = []
        if let set { changes.append(.set(.uniform(set))) }
        if let scale { changes.append(.scale(scale, groups: nil)) }
        if !group.isEmpty {
            var groups: [String: Double] = [:]
            for item in group {
                let parts = item.split(separator: "=")
                guard parts.count == 2, let value = Double(parts[1]) else {
                    throw ValidationError("--group takes NAME=LR, got '\(item)'")
                }
                groups[String(parts[0])] = value
            }
            changes.append(.set(.perGroup(groups, default: nil)))
        }
        guard changes.count == 1, let change = changes.first else {
            throw ValidationError("give exactly one of --set, --scale or --group")
        }
        try postControl(options, job: job, .setLR(change))
    }
}

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pause a running job at the next batch.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try postControl(options, job: job, .pause) }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused job.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try postControl(options, job: job, .resume) }
}

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop a job early, keeping its best weights.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try postControl(options, job: job, .stop) }
}

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try postControl(options, job: job, .cancel) }
}
