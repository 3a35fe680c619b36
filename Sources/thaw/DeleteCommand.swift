import ArgumentParser
import Foundation
import ThawClient

/// `thaw delete job|model|dataset ID`: the API's DELETE routes. A job must be finished; a model or
/// dataset must not be used by a queued, running or paused job (the daemon's 409 says which).
struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete a finished job (with its events, metrics and checkpoints), a model or a dataset.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case job, model, dataset
        var collection: String { rawValue + "s" }
    }

    @OptionGroup var options: ServerOptions
    @Argument(help: "job, model or dataset.") var kind: Kind
    @Argument(help: "Its id.") var id: String

    func run() throws {
        guard let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) else {
            throw ValidationError("'\(id)' is not a usable id")
        }
        try reportingErrors {
            try printJSON(options.client().send("DELETE", "/v1/\(kind.collection)/\(escaped)").requireSuccess())
        }
    }
}
