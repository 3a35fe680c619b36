import Foundation

/// One labelled series of a `PrometheusRegistry` family (`thaw_http_requests_total{method="GET",
/// route="/healthz",status="200"}`). A handle kept by a hot path: an update is one locked add,
/// with no label rendering and no lookup. Counters only go up (`increment`); gauges are `set`.
public final class PrometheusSeries: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double = 0

    init() {}

    public func increment(by amount: Double = 1) { lock.withLock { current += amount } }

    public func set(_ value: Double) { lock.withLock { current = value } }

    public var value: Double { lock.withLock { current } }
}
