import Dispatch
import Foundation
@testable import Daemon
import HTTP1
import Testing

@Suite struct PrometheusRegistryTests {
    @Test func rendersHelpTypeAndSortedLabelSets() {
        let registry = PrometheusRegistry()
        registry.declare("thaw_http_requests_total", kind: .counter, help: "HTTP requests by route and status.")
        registry.increment("thaw_http_requests_total", labels: ["route": "/v1/jobs/:id", "status": "200"])
        registry.increment("thaw_http_requests_total", labels: ["status": "200", "route": "/v1/jobs/:id"])
        registry.increment("thaw_http_requests_total", labels: ["route": "/healthz", "status": "200"])
        registry.declare("thaw_jobs", kind: .gauge, help: "Jobs by state.")
        registry.set("thaw_jobs", labels: ["state": "running"], to: 1)
        registry.set("thaw_jobs", labels: ["state": "running"], to: 2)

        #expect(registry.exposition() == """
            # HELP thaw_http_requests_total HTTP requests by route and status.
            # TYPE thaw_http_requests_total counter
            thaw_http_requests_total{route="/healthz",status="200"} 1
            thaw_http_requests_total{route="/v1/jobs/:id",status="200"} 2
            # HELP thaw_jobs Jobs by state.
            # TYPE thaw_jobs gauge
            thaw_jobs{state="running"} 2

            """)
    }

    @Test func escapesLabelValues() {
        #expect(PrometheusRegistry.render(["path": "a\"b\\c\nd"]) == #"{path="a\"b\\c\nd"}"#)
    }

    @Test func formatsFractionalValues() {
        #expect(PrometheusRegistry.format(3) == "3")
        #expect(PrometheusRegistry.format(0.25) == "0.25")
    }

    @Test func seriesHandleIsOnePerLabelSet() {
        let registry = PrometheusRegistry()
        let a = registry.series("thaw_http_requests_total", labels: ["route": "/healthz", "status": "200"])
        let b = registry.series("thaw_http_requests_total", labels: ["status": "200", "route": "/healthz"])
        #expect(a === b)
        a.increment()
        b.increment(by: 2)
        registry.increment("thaw_http_requests_total", labels: ["route": "/healthz", "status": "200"])
        #expect(registry.value("thaw_http_requests_total", labels: ["route": "/healthz", "status": "200"]) == 4)
        #expect(a.value == 4)
    }

    @Test func gaugeSeriesIsSetNotAdded() {
        let registry = PrometheusRegistry()
        registry.declare("thaw_jobs", kind: .gauge, help: "Jobs by state.")
        let running = registry.series("thaw_jobs", labels: ["state": "running"], kind: .gauge)
        running.set(3)
        registry.set("thaw_jobs", labels: ["state": "running"], to: 1)
        #expect(running.value == 1)
        #expect(registry.exposition().hasSuffix("thaw_jobs{state=\"running\"} 1\n"))
    }

    /// Only statuses a route has answered appear, with the labels `/metrics` always had.
    @Test func requestCounterRegistersAStatusOnItsFirstResponse() {
        let registry = PrometheusRegistry()
        registry.declare(RequestCounter.metric, kind: .counter, help: "HTTP requests by route and status.")
        let job = RequestCounter(registry: registry, method: .GET, route: "/v1/jobs/:id")
        #expect(registry.exposition() == """
            # HELP thaw_http_requests_total HTTP requests by route and status.
            # TYPE thaw_http_requests_total counter

            """)
        job.record(.ok)
        job.record(.notFound)
        job.record(.ok)
        #expect(job.series(200) === job.series(200))
        #expect(registry.exposition() == """
            # HELP thaw_http_requests_total HTTP requests by route and status.
            # TYPE thaw_http_requests_total counter
            thaw_http_requests_total{method="GET",route="/v1/jobs/:id",status="200"} 2
            thaw_http_requests_total{method="GET",route="/v1/jobs/:id",status="404"} 1

            """)
    }

    /// Two routes, many threads, statuses appearing mid-way: no update is lost and each label set
    /// has exactly one series.
    @Test func concurrentRecordsAreAllCounted() {
        let registry = PrometheusRegistry()
        let counters = [RequestCounter(registry: registry, method: .GET, route: "/healthz"),
                        RequestCounter(registry: registry, method: .POST, route: "/v1/jobs")]
        let statuses: [HTTPStatus] = [.ok, .notFound, .unprocessableContent, .created]
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<5_000 { counters[(worker + i) % 2].record(statuses[i % statuses.count]) }
        }
        var total = 0.0
        for route in ["/healthz", "/v1/jobs"] {
            for method in ["GET", "POST"] {
                for status in statuses {
                    total += registry.value(RequestCounter.metric,
                                            labels: ["route": route, "method": method, "status": String(status.code)]) ?? 0
                }
            }
        }
        #expect(total == 40_000)
        let lines = registry.exposition().split(separator: "\n").filter { $0.hasPrefix("thaw_http_requests_total{") }
        #expect(lines.count == 8)
    }
}
