import ArgumentParser
import Foundation
import JobAPI
import ThawClient

/// `thaw experiment submit|show|list|cancel`: the experiment routes (docs/api.md, "Experiments").
struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare strategies: submit an experiment (base job x strategies x seeds), show its summary.",
        subcommands: [ExperimentSubmit.self, ExperimentShow.self, ExperimentList.self, ExperimentCancel.self])
}

struct ExperimentSubmit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Submit an experiment from a JSON file (the POST /v1/experiments body).")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Path of the experiment JSON file, or - for standard input.") var file: String
    @Flag(help: "Print only the new experiment's id.") var quiet = false

    func run() throws {
        let bytes = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
        guard let bytes else { throw ValidationError("cannot read experiment file '\(file)'") }
        guard case .object? = try? Wire.decode(JSONValue.self, from: bytes) else {
            throw ValidationError("'\(file)' is not a JSON object")
        }
        try reportingErrors {
            let response = try options.client().post("/v1/experiments", rawJSON: Array(bytes)).requireSuccess()
            let experiment = try response.jsonValue()
            if quiet, let id = experiment["id"]?.text { print(id) } else { print(ExperimentTable.render(experiment)) }
        }
    }
}

struct ExperimentShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an experiment's summary per strategy and its winner.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Experiment id.") var experiment: String
    @Flag(help: "Print the experiment object as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let response = try options.client().get("/v1/experiments/\(experiment)").requireSuccess()
            if json { try printJSON(response) } else { print(ExperimentTable.render(try response.jsonValue())) }
        }
    }
}

struct ExperimentList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List experiments, newest first.")
    @OptionGroup var options: ServerOptions
    @Option(help: "At most this many experiments.") var limit: Int = 20
    @Option(help: "Experiments after this id (paging).") var after: String?

    func run() throws {
        var query = ["limit=\(limit)"]
        if let after { query.append("after=\(after)") }
        try reportingErrors {
            let page = try options.client().get("/v1/experiments?" + query.joined(separator: "&")).requireSuccess().jsonValue()
            print("ID".padding(toLength: 22, withPad: " ", startingAt: 0) + "STATUS     JOBS  WINNER          NAME")
            for experiment in page["data"]?.items ?? [] {
                let jobs = experiment["jobs"]?.items ?? []
                let done = jobs.filter { Watch.finalStates.contains($0["status"]?.text ?? "") }.count
                print(ExperimentTable.pad(experiment["id"]?.text ?? "?", 22) + ExperimentTable.pad(experiment["status"]?.text ?? "?", 11)
                      + ExperimentTable.pad("\(done)/\(jobs.count)", 6)
                      + ExperimentTable.pad(experiment["winner"]?["strategy"]?.text ?? "-", 16) + (experiment["name"]?.text ?? ""))
            }
            if page["has_more"] == .bool(true), let last = page["data"]?.items?.last?["id"]?.text {
                print("… more: thaw experiment list --after \(last)")
            }
        }
    }
}

struct ExperimentCancel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel every child job of an experiment that has not ended.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Experiment id.") var experiment: String

    func run() throws {
        try reportingErrors {
            let response = try options.client().post("/v1/experiments/\(experiment)/cancel", rawJSON: []).requireSuccess()
            print(ExperimentTable.render(try response.jsonValue()))
        }
    }
}

/// The experiment object as a table: one row per strategy (measured runs / runs, test accuracy
/// mean [min, max], epochs, wall seconds, img/s means), then the winner and its margin.
enum ExperimentTable {
    static func render(_ e: JSONValue) -> String {
        var out = ["\(e["id"]?.text ?? "?")  \(e["name"]?.text ?? "")  status \(e["status"]?.text ?? "?")"]
        out.append(pad("STRATEGY", 16) + pad("RUNS", 6) + pad("TEST ACCURACY", 26) + pad("EPOCHS", 8) + pad("WALL S", 8) + "IMG/S")
        for s in e["strategies"]?.items ?? [] {
            let accuracy = s["test_accuracy"].flatMap(stat) ?? "-"
            out.append(pad(s["name"]?.text ?? "?", 16) + pad("\(s["measured"]?.text ?? "0")/\(s["runs"]?.text ?? "0")", 6)
                       + pad(accuracy, 26) + pad(mean(s["epochs"], "%.1f"), 8) + pad(mean(s["wall_seconds"], "%.1f"), 8)
                       + mean(s["images_per_second"], "%.0f"))
        }
        if let winner = e["winner"], let name = winner["strategy"]?.text {
            var line = "winner: \(name)"
            if let margin = winner["margin"]?.double, let runnerUp = winner["runner_up"]?.text {
                line += String(format: " by %+.4f over %@ (difference of mean test accuracies)", margin, runnerUp)
            }
            out.append(line)
        } else {
            out.append("winner: - (when every job has ended)")
        }
        return out.joined(separator: "\n")
    }

    static func stat(_ s: JSONValue) -> String? {
        guard let mean = s["mean"]?.double, let min = s["min"]?.double, let max = s["max"]?.double else { return nil }
        return String(format: "%.4f [%.4f, %.4f]", mean, min, max)
    }

    static func mean(_ s: JSONValue?, _ format: String) -> String {
        guard let mean = s?["mean"]?.double else { return "-" }
        return String(format: format, mean)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}

extension JSONValue {
    var items: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var double: Double? { if case .number(let n) = self { return n }; return nil }
}
