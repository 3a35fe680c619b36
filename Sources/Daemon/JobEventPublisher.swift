import Dispatch
import Foundation
import HTTPServer
import JobAPI
import Store

/// The one source of a job's live events for all its SSE subscribers.
///
/// `EventHub` hands it each commit's events (from the Store's event feed, not by polling); it encodes
/// every event once and queues the same bytes on each subscriber's connection. A new subscriber first
/// gets the stored history after its `Last-Event-ID` from the database (in batches, waiting for a
/// slow client to read), then joins the live fan-out: both run on the publisher's serial queue, and the publisher is registered with the hub
/// before the history is read, so an event is either in that read or delivered after it (a
/// subscriber's `last` id filters the overlap) — never lost, never repeated, always in id order.
///
/// When the job's terminal `status` event goes out, every subscriber gets `event: end` and is
/// finished. A subscriber is dropped when its stream closes (client gone, shutdown) or its
/// connection's buffer cap is hit. All state below is touched only on `queue`.
final class JobEventPublisher: @unchecked Sendable {
    let jobID: String
    private let store: Store
    private let queue: DispatchQueue
    /// Called on `queue` once per subscriber that leaves (the hub's reference count).
    private let left: @Sendable (JobEventPublisher) -> Void
    private var subscribers: [ObjectIdentifier: Subscriber] = [:]
    /// Subscribers added since the last `joinPending` ran, and whether it is queued.
    private var joining: [Subscriber] = []
    private var joinScheduled = false
    /// Events read per history query.
    static let replayBatch = 1_000

    final class Subscriber: @unchecked Sendable {
        let sink: any EventSink
        let ticket: StreamTicket
        /// Highest event id sent to it.
        var last: Int
        var gone = false

        init(sink: any EventSink, ticket: StreamTicket, after: Int) {
            self.sink = sink
            self.ticket = ticket
            self.last = after
        }
    }

    init(jobID: String, store: Store, left: @escaping @Sendable (JobEventPublisher) -> Void) {
        self.jobID = jobID
        self.store = store
        self.left = left
        // Serial, on the shared pool: no thread of its own while idle.
        queue = DispatchQueue(label: "thaw.events.\(jobID)", target: .global(qos: .userInitiated))
    }

    /// Subscribers currently receiving live events (test and metrics view; waits for the queue).
    var subscriberCount: Int { queue.sync { subscribers.count } }

    /// Adds a subscriber that has seen events up to `after`; see the type's doc for the order.
    func add(_ sink: any EventSink, after: Int, ticket: StreamTicket) {
        let subscriber = Subscriber(sink: sink, ticket: ticket, after: after)
        sink.onClose { [self] in queue.async { self.drop(subscriber) } }
        queue.async { [self] in
            joining.append(subscriber)
            if !joinScheduled {
                joinScheduled = true
                queue.async { self.joinPending() }
            }
        }
    }

    /// Called on the Store's queue with one commit's events of this job: only hops to `queue`.
    func publish(_ events: [EventRecord]) {
        queue.async { [self] in fanOut(events) }
    }

    /// Shared store: fans out stored events the live subscribers have not had (another node wrote
    /// them), read after the lowest id any of them has; `fanOut` skips what each already got.
    func poll() {
        queue.async { [self] in
            guard let after = subscribers.values.map(\.last).min() else { return }
            guard let events = try? store.events(job: jobID, after: after, limit: Self.replayBatch), !events.isEmpty else { return }
            fanOut(events)
        }
    }

    // MARK: on `queue`

    /// Joins every subscriber added meanwhile with one history read per distinct resume point and
    /// one status read: a thousand clients reconnecting with the same `Last-Event-ID` (after a
    /// restart, say) cost two store reads, not two thousand queued before the live events. A
    /// subscriber that falls behind during the shared replay, or a job that has ended, goes on
    /// alone through `catchUp`.
    private func joinPending() {
        joinScheduled = false
        let batch = joining.filter { !$0.gone }
        joining = []
        guard !batch.isEmpty else { return }
        let groups = Dictionary(grouping: batch, by: \.last)
        var alone = Set<ObjectIdentifier>()
        let status: JobStatus
        do {
            for (resumeFrom, group) in groups {
                var after = resumeFrom
                while true {
                    let events = try store.events(job: jobID, after: after, limit: Self.replayBatch)
                    for event in events {
                        let bytes = Self.encode(event)
                        for subscriber in group where !subscriber.gone && subscriber.last == after
                            && subscriber.sink.bufferedBytes <= Self.replayBacklog {
                            send(bytes, id: event.id, to: subscriber)
                        }
                        after = event.id
                    }
                    if events.count < Self.replayBatch { break }
                }
                for subscriber in group where !subscriber.gone && subscriber.last < after {
                    alone.insert(ObjectIdentifier(subscriber))
                    catchUp(subscriber, jobEnded: nil)  // fell behind: finishes its replay alone
                }
            }
            status = try store.job(jobID).status
        } catch {
            for subscriber in batch { fail(subscriber) }
            return
        }
        for subscriber in batch where !subscriber.gone && !alone.contains(ObjectIdentifier(subscriber)) {
            if status.isTerminal {
                catchUp(subscriber, jobEnded: status)
            } else {
                subscribers[ObjectIdentifier(subscriber)] = subscriber
            }
        }
    }

    /// Replays history until the subscriber is level with the log, then makes it live — or, if the
    /// job has ended, finishes it. A client whose queued bytes pass `replayBacklog` is given time to
    /// read (the replay resumes shortly, from where it stopped) rather than being overrun; live
    /// events meanwhile are in the log and come with the rest of the replay.
    private func catchUp(_ subscriber: Subscriber, jobEnded: JobStatus?) {
        guard !subscriber.gone else { return }
        do {
            switch try replay(to: subscriber) {
            case .gone:
                return
            case .backlogged:
                queue.asyncAfter(deadline: .now() + Self.backlogPause) { [self] in catchUp(subscriber, jobEnded: jobEnded) }
                return
            case .caughtUp:
                break
            }
            if let jobEnded {
                finish(subscriber, status: jobEnded)
                return
            }
            let status = try store.job(jobID).status
            if status.isTerminal {
                // The terminal status event was committed before the status was read: one more
                // history read has it (and anything appended after it).
                catchUp(subscriber, jobEnded: status)
                return
            }
        } catch {
            fail(subscriber)
            return
        }
        subscribers[ObjectIdentifier(subscriber)] = subscriber
    }

    private func fail(_ subscriber: Subscriber) {
        guard !subscriber.gone else { return }
        subscriber.sink.finish(final: ServerSentEvent(event: "error", data: #"{"message":"the event log could not be read"}"#))
        drop(subscriber)
    }

    enum ReplayProgress { case caughtUp, backlogged, gone }

    /// Bytes a replay may leave queued for one client before pausing: well under the server's
    /// per-stream cap (`streamBufferLimit`, 1 MiB by default).
    static let replayBacklog = 256 << 10
    static let backlogPause: DispatchTimeInterval = .milliseconds(20)

    /// Sends stored events after `subscriber.last` until there are none left or the client is behind.
    private func replay(to subscriber: Subscriber) throws -> ReplayProgress {
        while true {
            if subscriber.sink.bufferedBytes > Self.replayBacklog { return .backlogged }
            let batch = try store.events(job: jobID, after: subscriber.last, limit: Self.replayBatch)
            for event in batch {
                guard send(Self.encode(event), id: event.id, to: subscriber) else { return .gone }
                if subscriber.sink.bufferedBytes > Self.replayBacklog { return .backlogged }
            }
            if batch.count < Self.replayBatch { return subscriber.gone ? .gone : .caughtUp }
        }
    }

    private func fanOut(_ events: [EventRecord]) {
        guard !subscribers.isEmpty else { return }
        var terminal: JobStatus?
        for event in events {
            let bytes = Self.encode(event)
            for subscriber in subscribers.values where subscriber.last < event.id {
                send(bytes, id: event.id, to: subscriber)
            }
            if let status = Self.terminalStatus(event) { terminal = status }
        }
        if let terminal {
            for subscriber in subscribers.values { finish(subscriber, status: terminal) }
        }
    }

    @discardableResult
    private func send(_ bytes: [UInt8], id: Int, to subscriber: Subscriber) -> Bool {
        guard !subscriber.gone, subscriber.sink.send(encoded: bytes) else {
            drop(subscriber)
            return false
        }
        subscriber.last = id
        return true
    }

    /// Every event was sent and the job is final: `event: end` and close.
    private func finish(_ subscriber: Subscriber, status: JobStatus) {
        subscriber.sink.finish(final: ServerSentEvent(event: "end", data: #"{"status":"\#(status.rawValue)"}"#))
        drop(subscriber)
    }

    private func drop(_ subscriber: Subscriber) {
        guard !subscriber.gone else { return }
        subscriber.gone = true
        subscribers[ObjectIdentifier(subscriber)] = nil
        left(self)
    }

    static func encode(_ event: EventRecord) -> [UInt8] {
        ServerSentEvent(id: String(event.id), event: event.type, data: event.payload).encoded()
    }

    /// The new status if `event` is the Store's `status` event of a transition into a final state.
    static func terminalStatus(_ event: EventRecord) -> JobStatus? {
        guard event.type == EventType.status.rawValue,
              case .status(let payload)? = try? TrainingEvent(type: .status, payload: Data(event.payload.utf8)),
              let status = JobStatus(rawValue: payload.status), status.isTerminal else { return nil }
        return status
    }
}
