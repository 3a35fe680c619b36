import Foundation
import Store

/// In-memory fan-out of freshly stored events to live subscribers (SSE streams). The store stays
/// the source of truth: a subscriber first subscribes, then reads what is stored, and drops pushed
/// events whose id it has already seen — so nothing falls in the gap between the two.
public final class EventHub: @unchecked Sendable {
    public typealias Handler = @Sendable (EventRecord) -> Void

    public final class Subscription: @unchecked Sendable {
        fileprivate let jobID: String
        fileprivate let token: UInt64
        fileprivate weak var hub: EventHub?

        fileprivate init(jobID: String, token: UInt64, hub: EventHub) {
            self.jobID = jobID
            self.token = token
            self.hub = hub
        }

        public func cancel() { hub?.remove(self) }
        deinit { cancel() }
    }

    private let lock = NSLock()
    private var handlers: [String: [UInt64: Handler]] = [:]
    private var nextToken: UInt64 = 0

    public init() {}

    public func subscribe(jobID: String, _ handler: @escaping Handler) -> Subscription {
        lock.withLock {
            nextToken += 1
            handlers[jobID, default: [:]][nextToken] = handler
            return Subscription(jobID: jobID, token: nextToken, hub: self)
        }
    }

    public func publish(_ event: EventRecord) {
        let targets = lock.withLock { handlers[event.jobID].map { Array($0.values) } ?? [] }
        for handler in targets { handler(event) }
    }

    public func subscriberCount(jobID: String) -> Int {
        lock.withLock { handlers[jobID]?.count ?? 0 }
    }

    fileprivate func remove(_ subscription: Subscription) {
        lock.withLock {
            handlers[subscription.jobID]?[subscription.token] = nil
            if handlers[subscription.jobID]?.isEmpty == true { handlers[subscription.jobID] = nil }
        }
    }
}
