import ArgumentParser
import Foundation
import JobAPI
import ThawClient

struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check that thawd answers.")
    @OptionGroup var options: ServerOptions
    func run() throws { try reportingErrors { try printJSON(options.client().get("/healthz").requireSuccess()) } }
}

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit a job from a JSON file (the POST /v1/jobs body).")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Path of the job JSON file, or - for standard input.") var file: String
    @Flag(help: "Print only the new job's id.") var quiet = false

    func run() throws {
        let bytes: Data
        if file == "-" {
            bytes = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read job file '\(file)'")
            }
            bytes = data
        }
        guard case .object? = try? Wire.decode(JSONValue.self, from: bytes) else {
            throw ValidationError("'\(file)' is not a JSON object")
        }
        try reportingErrors {
            let response = try options.client().post("/v1/jobs", rawJSON: Array(bytes)).requireSuccess()
            if quiet, let id = try response.jsonValue()["id"]?.text {
                print(id)
            } else {
                try printJSON(response)
            }
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
    @OptionGroup var options: ServerOptions
    @Option(help: "Only jobs with this status.") var status: String?
    @Option(help: "At most this many jobs.") var limit: Int = 20
    @Option(help: "Jobs after this id (paging).") var after: String?

    func run() throws {
        var query = ["limit=\(limit)"]
        if let status { query.append("status=\(status)") }
        if let after { query.append("after=\(after)") }
        try reportingErrors {
            let response = try options.client().get("/v1/jobs?" + query.joined(separator: "&")).requireSuccess()
            let page = try response.jsonValue()
            guard case .array(let jobs)? = page["data"] else { return try printJSON(response) }
            print("ID".padding(toLength: 22, withPad: " ", startingAt: 0) + "STATUS     PHASE       EPOCH  NAME")
            for job in jobs {
                let id = (job["id"]?.text ?? "?").padding(toLength: 22, withPad: " ", startingAt: 0)
                let status = (job["status"]?.text ?? "?").padding(toLength: 11, withPad: " ", startingAt: 0)
                let phase = (job["phase"]?.text ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0)
                let epoch = (job["epoch"]?.text ?? "-").padding(toLength: 7, withPad: " ", startingAt: 0)
                print(id + status + phase + epoch + (job["name"]?.text ?? ""))
            }
            if page["has_more"] == .bool(true), let last = jobs.last?["id"]?.text {
                print("… more: thaw list --after \(last)")
            }
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one job.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws { try reportingErrors { try printJSON(options.client().get("/v1/jobs/\(job)").requireSuccess()) } }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a job's stored events as JSON.")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    func run() throws {
        try reportingErrors { try printJSON(options.client().get("/v1/jobs/\(job)/events?format=json").requireSuccess()) }
    }
}
