import JobAPI

/// What the services refuse, by kind (`JobService`, `ModelService` and `DatasetService` share it: one
/// service layer, one error type); the HTTP layer maps each case to a status and code in one place
/// (`APIError(_:)`). Store errors pass through as `StoreError`.
enum JobServiceError: Error, Equatable, CustomStringConvertible {
    /// `kind` is `job`, `model`, `dataset` (→ `<kind>_not_found`), or the code of a missing part
    /// (`checkpoint_not_found`, `weights_not_found`) with its message.
    case notFound(kind: String, id: String)
    case missing(code: String, message: String)
    /// Every problem of a request, by field path; `summary` heads a list of several.
    case invalid([SpecProblem], summary: String = "the request has problems")
    /// The state of something forbids the request.
    case conflict(Conflict, message: String)
    /// The model or job is estimated to need more than `--max-job-memory`; `field` is what to change.
    case memoryLimit(field: String, message: String)

    enum Conflict: String, Sendable {
        case illegalState = "illegal_state"
        case inUse = "conflict"
        case noCheckpoint = "no_checkpoint"
        case modelMissing = "model_missing"
    }

    static func invalid(field: String, _ message: String) -> JobServiceError {
        .invalid([SpecProblem(path: field, message: message)])
    }

    var description: String {
        switch self {
        case .notFound(let kind, let id): "no \(kind) with id '\(id)'"
        case .missing(_, let message), .conflict(_, let message), .memoryLimit(_, let message): message
        case .invalid(let problems, _): SpecError(problems: problems).description
        }
    }
}
