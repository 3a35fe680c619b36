import HTTP1
import JobAPI

extension APIError {
    /// The one mapping of the services' refusals to HTTP: unknown ids 404, problems with the request
    /// 422 with every problem in `details`, states that forbid it 409, memory 422.
    init(_ error: JobServiceError) {
        switch error {
        case .notFound(let kind, let id):
            self = .notFound(kind, id)
        case .missing(let code, let message):
            self.init(.notFound, code: code, message: message)
        case .invalid(let problems, let summary):
            self = .invalid(problems.map { Detail(field: $0.path, message: $0.message) }, message: summary)
        case .conflict(let conflict, let message):
            self.init(.conflict, code: conflict.rawValue, message: message)
        case .memoryLimit(let field, let message):
            self.init(.unprocessableContent, code: "memory_limit_exceeded", message: message,
                      details: [Detail(field: field, message: message)])
        }
    }
}

extension APIError {
    /// A request body the JobAPI readers refused: 422 with every problem in `details`.
    init(_ error: SpecError) {
        self = .invalid(error.problems.map { Detail(field: $0.path, message: $0.message) })
    }
}

extension Result where Failure == SpecError {
    /// The request as read, or the 422 listing its problems.
    func request() throws -> Success { try mapError(APIError.init).get() }
}
