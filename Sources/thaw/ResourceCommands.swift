import ArgumentParser
import Foundation
import JobAPI
import ThawClient

struct Download: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Download a job's weights (safetensors or ONNX).")
    @OptionGroup var options: ServerOptions
    @Argument(help: "Job id.") var job: String
    @Option(help: "best or last.") var checkpoint: String = "best"
    @Option(help: "safetensors (the stored file) or onnx (an eval-mode ONNX graph converted by thawd).")
    var format: String = WeightsFormat.safetensors.rawValue
    @Option(name: .shortAndLong, help: "Output file.") var output: String

    func run() throws {
        guard ["best", "last"].contains(checkpoint) else { throw ValidationError("--checkpoint is best or last") }
        guard let format = WeightsFormat(rawValue: format) else {
            throw ValidationError("--format \(WeightsFormat.allowedDescription)")
        }
        try reportingErrors {
            let response = try options.client(timeout: 300)
                .get("/v1/jobs/\(job)/weights?checkpoint=\(checkpoint)&format=\(format.rawValue)")
                .requireSuccess()
            guard FileManager.default.createFile(atPath: output, contents: Data(response.body)) else {
                throw ClientError.io("cannot write '\(output)'")
            }
            // A safetensors ETag is the file's SHA-256 as an HTTP entity tag, i.e. in quotes; an ONNX
            // file's is derived from the safetensors one, so it is not shown as a checksum.
            let etag = response.header("ETag").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "?"
            print("wrote \(response.body.count) bytes to \(output) (\(format == .safetensors ? "sha256" : "etag") \(etag))")
        }
    }
}

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, register or promote models.",
        subcommands: [ListModels.self, ShowModel.self, RegisterModel.self, PromoteModel.self],
        defaultSubcommand: ListModels.self)

    struct ListModels: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List models.")
        @OptionGroup var options: ServerOptions
        func run() throws { try reportingErrors { try printJSON(options.client().get("/v1/models").requireSuccess()) } }
    }

    struct ShowModel: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one model.")
        @OptionGroup var options: ServerOptions
        @Argument var id: String
        func run() throws { try reportingErrors { try printJSON(options.client().get("/v1/models/\(id)").requireSuccess()) } }
    }

    struct RegisterModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register", abstract: "Register a built-in architecture (fresh weights).")
        @OptionGroup var options: ServerOptions
        @Option(help: "small-cnn, resnet-mini, resnet18, resnet34, resnet50 or vgg16.") var architecture: String
        @Option(help: "Model name.") var name: String
        @Option(help: "Number of classes of the head.") var numClasses: Int = 10
        func run() throws {
            try reportingErrors {
                let body: JSONValue = ["name": .string(name), "architecture": .string(architecture), "num_classes": .number(Double(numClasses))]
                try printJSON(options.client().post("/v1/models", body: body).requireSuccess())
            }
        }
    }

    struct PromoteModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote", abstract: "Turn a finished job's checkpoint into a model.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "Job id.") var job: String
        @Option(help: "Model name.") var name: String
        @Option(help: "best or last.") var checkpoint: String = "best"
        @Flag(help: "Print only the new model's id.") var quiet = false
        func run() throws {
            try reportingErrors {
                let body: JSONValue = ["from_job": .string(job), "checkpoint": .string(checkpoint), "name": .string(name)]
                let response = try options.client().post("/v1/models", body: body).requireSuccess()
                if quiet, let id = try response.jsonValue()["id"]?.text {
                    print(id)
                } else {
                    try printJSON(response)
                }
            }
        }
    }
}

struct Datasets: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or register datasets.",
        subcommands: [ListDatasets.self, RegisterDataset.self],
        defaultSubcommand: ListDatasets.self)

    struct ListDatasets: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List datasets.")
        @OptionGroup var options: ServerOptions
        func run() throws { try reportingErrors { try printJSON(options.client().get("/v1/datasets").requireSuccess()) } }
    }

    struct RegisterDataset: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register", abstract: "Register an image folder under thawd's --dataset-root.")
        @OptionGroup var options: ServerOptions
        @Option(help: "Dataset name.") var name: String
        @Option(help: "Path relative to the daemon's --dataset-root.") var path: String
        func run() throws {
            try reportingErrors {
                let body: JSONValue = ["name": .string(name), "path": .string(path)]
                try printJSON(options.client().post("/v1/datasets", body: body).requireSuccess())
            }
        }
    }
}
