@testable import Daemon
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
}
