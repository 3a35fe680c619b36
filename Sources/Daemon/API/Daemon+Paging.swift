import HTTPServer
import JobAPI
import Store

extension Daemon {
    /// `?after=<id>&limit=<1...100>`, as the OpenAI list endpoints page.
    func pageRequest(_ request: HTTPRequest) throws -> PageRequest {
        var page = PageRequest()
        if let after = request.query("after"), !after.isEmpty {
            if let problem = TextLimits.problem(after, TextLimits.identifier) { throw APIError.invalid(field: "after", problem) }
            page.after = after
        }
        if let limit = request.query("limit") {
            guard let n = Int(limit), (1...100).contains(n) else {
                throw APIError.invalid(field: "limit", "must be an integer in 1...100")
            }
            page.limit = n
        }
        return page
    }
}
