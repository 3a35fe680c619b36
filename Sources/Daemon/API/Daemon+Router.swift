import Foundation
import HTTP1
import HTTPServer
import JobAPI
import Store

extension Daemon {
    /// Every API route. Handlers go through `instrumented`, which renders `APIError`s with their
    /// details, maps store errors, and counts requests by route and status for `/metrics`.
    func makeRouter() -> HTTPRouter {
        var router = HTTPRouter()
        // Inline: never blocks, and a liveness probe should not queue behind busy handlers.
        route(&router, .GET, "/healthz", inline: true) { [unowned self] _ in try health() }
        route(&router, .GET, "/metrics") { [unowned self] _ in prometheus() }
        registerModelRoutes(&router)
        registerDatasetRoutes(&router)
        registerJobRoutes(&router)
        registerExperimentRoutes(&router)
        registerNodeRoutes(&router)
        registerStreamRoutes(&router)
        registerDeletionRoutes(&router)
        registerWebUIRoutes(&router)
        return router
    }

    func route(_ router: inout HTTPRouter, _ method: HTTPMethod, _ pattern: String, body: HTTPBodyPolicySelector? = nil,
               inline: Bool = false, _ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        let requests = RequestCounter(registry: metrics, method: method, route: pattern)
        router.add(method, pattern, body: body, inline: inline) { [unowned self] request in
            let response = instrumented(request, handler)
            requests.record(response.status)
            return response
        }
    }

    /// Error messages never show the server's directories (`PathRedactor`).
    private func instrumented(_ request: HTTPRequest, _ handler: (HTTPRequest) throws -> HTTPResponse) -> HTTPResponse {
        do {
            return try handler(request)
        } catch let error as APIError {
            return error.redacting(PathRedactor(configuration: configuration)).response
        } catch let error as JobServiceError {
            return APIError(error).redacting(PathRedactor(configuration: configuration)).response
        } catch let error as StoreError {
            let apiError = APIError.from(error)
            if apiError.status.code >= 500 { Log.error("\(request.method.rawValue) \(request.path): \(error)") }
            return apiError.redacting(PathRedactor(configuration: configuration)).response
        } catch let error as HTTPErrorConvertible {
            return APIError(error.status, code: error.code, message: error.message).response
        } catch {
            Log.error("\(request.method.rawValue) \(request.path): \(error)")
            return APIError(.internalServerError, code: "internal_error", message: "internal error").response
        }
    }

    func health() throws -> HTTPResponse {
        let uptime = (Date().timeIntervalSince(startedAt) * 1000).rounded() / 1000
        return HTTPResponse.bytes(HealthBody.shared.bytes(uptimeSeconds: uptime), contentType: "application/json")
    }

    func prometheus() -> HTTPResponse {
        if let counts = try? store.jobCountsByStatus() {
            for status in JobStatus.allCases {
                metrics.set("thaw_jobs", labels: ["state": status.rawValue], to: Double(counts[status] ?? 0))
            }
        }
        metrics.set("thaw_event_streams", labels: [:], to: Double(eventHub.limiter.openStreams))
        // Per node, from the store: with a shared PostgreSQL store any node's /metrics shows them all.
        if let nodes = try? nodeViews() {
            for node in nodes.data {
                metrics.set("thaw_node_heartbeat_age_seconds", labels: ["node": node.id], to: node.heartbeatAgeSeconds)
                metrics.set("thaw_node_workers", labels: ["node": node.id], to: Double(node.workers))
                metrics.set("thaw_node_running_jobs", labels: ["node": node.id], to: Double(node.runningJobs.count))
            }
        }
        return HTTPResponse.bytes(Array(metrics.exposition().utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// Encodes a JobAPI value the wire's one way (`Wire`: sorted keys, slashes as they are).
    func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> HTTPResponse {
        HTTPResponse.bytes(Array(try Wire.encode(value)), contentType: "application/json", status: status)
    }
}

public let thawVersion = "0.1.0"
