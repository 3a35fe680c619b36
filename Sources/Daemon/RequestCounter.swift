import Foundation
import HTTP1

/// `thaw_http_requests_total` for one route (method + pattern): a `PrometheusSeries` per status,
/// rendered and registered on the status's first response, so counting a request is a lookup by
/// status code and one locked add. A status never answered has no series, as before.
final class RequestCounter: @unchecked Sendable {
    static let metric = "thaw_http_requests_total"

    private let registry: PrometheusRegistry
    private let method: String
    private let route: String
    private let lock = NSLock()
    private var byStatus: [Int: PrometheusSeries] = [:]

    init(registry: PrometheusRegistry, method: HTTPMethod, route: String) {
        self.registry = registry
        self.method = method.rawValue
        self.route = route
    }

    func record(_ status: HTTPStatus) { series(status.code).increment() }

    func series(_ code: Int) -> PrometheusSeries {
        if let known = lock.withLock({ byStatus[code] }) { return known }
        let created = registry.series(Self.metric, labels: ["route": route, "method": method, "status": String(code)])
        lock.withLock { byStatus[code] = created }  // the registry hands out one series per label set
        return created
    }
}
