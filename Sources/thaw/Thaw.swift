import ArgumentParser
import Foundation
import JobAPI
import ThawClient

@main
struct Thaw: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thaw",
        abstract: "Client for thawd, the Thaw fine-tuning daemon.",
        discussion: """
            Talks to thawd's HTTP API (docs/api.md). The server address comes from --server or THAW_SERVER \
            (default http://127.0.0.1:8080); a bearer token from --token-file or THAW_TOKEN.
            """,
        subcommands: [
            Health.self, Submit.self, List.self, Status.self, Watch.self, Events.self,
            Unfreeze.self, Freeze.self, LR.self, Pause.self, Resume.self, Stop.self, Cancel.self,
            Download.self, Models.self, Datasets.self, Delete.self, Experiment.self,
        ])
}

/// Options every subcommand shares.
struct ServerOptions: ParsableArguments {
    @Option(help: "thawd base URL (default: $THAW_SERVER or http://127.0.0.1:8080).")
    var server: String?

    @Option(help: "File holding the bearer token (default: $THAW_TOKEN).")
    var tokenFile: String?

    func client(timeout: TimeInterval = 30) throws -> HTTPClient {
        let env = ProcessInfo.processInfo.environment
        var token = env["THAW_TOKEN"]
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw ValidationError("cannot read token file '\(tokenFile)'")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return try HTTPClient(baseURL: server ?? env["THAW_SERVER"] ?? "http://127.0.0.1:8080", token: token, timeout: timeout)
    }
}

/// Prints a JSON response body to standard output: the wire's encoding (sorted keys), indented.
func printJSON(_ response: ClientResponse) throws {
    let encoder = Wire.encoder()
    encoder.outputFormatting.insert(.prettyPrinted)
    print(String(decoding: try encoder.encode(response.jsonValue()), as: UTF8.self))
}

/// Runs a client call, turning client errors into a message on stderr and exit code 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ClientError {
        FileHandle.standardError.write(Data("thaw: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
