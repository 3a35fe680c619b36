import Foundation
import Store

/// In-process pub/sub for job events: one `JobEventPublisher` per job that has SSE subscribers,
/// fed by the Store's event feed (every committed append), plus the cap on open streams.
///
/// Idle streams cost no thread and no database reads: a stream reads the store to replay its
/// history and then only receives what the feed pushes. A job with no subscribers has no publisher,
/// and its events cost one dictionary lookup on the Store's queue.
final class EventHub: @unchecked Sendable {
    let store: Store
    let limiter: StreamLimiter
    private let lock = NSLock()
    /// Publishers by job id, each with how many subscribers are attached or joining.
    private var publishers: [String: (publisher: JobEventPublisher, attached: Int)] = [:]
    /// On a shared store: the fallback timer that has every publisher look for events other nodes
    /// committed (the feed only sees this process's commits; NOTIFY wakes them sooner).
    private var poller: DispatchSourceTimer?

    /// `pollInterval`: set when other nodes write the same store (PostgreSQL). Their events reach a
    /// stream here through LISTEN/NOTIFY (`eventsCommitted(job:)`); the streams also read the store
    /// that often for events they have not had, so a lost notification only delays (the store stays
    /// the one source, `Last-Event-ID` works as before, and a publisher's `last` filters what the feed
    /// already sent).
    init(store: Store, maxStreams: Int, pollInterval: TimeInterval? = nil) {
        self.store = store
        limiter = StreamLimiter(limit: maxStreams)
        store.observeEvents { [weak self] events in self?.committed(events) }
        if let pollInterval {
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "thaw.events.poll"))
            timer.schedule(deadline: .now() + pollInterval, repeating: pollInterval, leeway: .milliseconds(50))
            timer.setEventHandler { [weak self] in self?.pollAll() }
            timer.resume()
            poller = timer
        }
    }

    deinit { poller?.cancel() }

    /// Every live stream reads the store for events it has not had (the fallback timer, and after the
    /// listener reconnected).
    func pollAll() {
        for publisher in lock.withLock({ publishers.values.map(\.publisher) }) { publisher.poll() }
    }

    /// Shared store: a NOTIFY said the job has new events (another node's, or this node's own, which
    /// the feed already delivered; `fanOut` skips those). Reads only if the job has live streams.
    func eventsCommitted(job jobID: String) {
        lock.withLock { publishers[jobID]?.publisher }?.poll()
    }

    /// A slot for one more stream, or nil when `max_streams` are open (the route answers 503).
    func reserveStream() -> StreamTicket? { limiter.reserve() }

    /// Starts `sink` on the job's events after `after` (history, then live; see `JobEventPublisher`).
    func subscribe(job jobID: String, after: Int, sink: any EventSink, ticket: StreamTicket) {
        let publisher: JobEventPublisher = lock.withLock {
            if let entry = publishers[jobID] {
                publishers[jobID]!.attached = entry.attached + 1
                return entry.publisher
            }
            let created = JobEventPublisher(jobID: jobID, store: store) { [weak self] in self?.left($0) }
            publishers[jobID] = (created, 1)
            return created
        }
        publisher.add(sink, after: after, ticket: ticket)
    }

    /// The job's publisher, if it has subscribers (tests, metrics).
    func publisher(job jobID: String) -> JobEventPublisher? { lock.withLock { publishers[jobID]?.publisher } }

    var publisherCount: Int { lock.withLock { publishers.count } }

    /// On the Store's queue: one commit's events, in id order; a commit may touch several jobs.
    private func committed(_ events: [EventRecord]) {
        var start = events.startIndex
        while start < events.endIndex {
            let job = events[start].jobID
            var end = start + 1
            while end < events.endIndex, events[end].jobID == job { end += 1 }
            if let publisher = lock.withLock({ publishers[job]?.publisher }) {
                publisher.publish(Array(events[start..<end]))
            }
            start = end
        }
    }

    private func left(_ publisher: JobEventPublisher) {
        lock.withLock {
            guard let entry = publishers[publisher.jobID], entry.publisher === publisher else { return }
            if entry.attached <= 1 {
                publishers[publisher.jobID] = nil
            } else {
                publishers[publisher.jobID]!.attached = entry.attached - 1
            }
        }
    }
}
