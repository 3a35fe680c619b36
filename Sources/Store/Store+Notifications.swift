import Foundation
import Postgres

/// What another node's commit (or this node's) changed, as PostgreSQL's LISTEN/NOTIFY carries it
/// (docs/store.md, "Wake-ups"). Only a wake-up: the store stays the one source, so a receiver reads
/// what changed from it; a notification lost (a listener that was reconnecting) only delays, since
/// every receiver also looks at the store on a slow timer.
public enum StoreNotification: Sendable, Equatable {
    /// New events were committed for the job.
    case events(job: String)
    /// A control command was posted to the job.
    case command(job: String)
    /// The job became claimable: submitted, or interrupted (released, swept, recovered) while running,
    /// or a parked job resumed.
    case claimable(job: String)
    /// The listener (re)connected after losing its connection: notifications may have been missed,
    /// so every receiver should look at the store now.
    case resync
}

/// The channel names one schema's writers NOTIFY and its listeners LISTEN on. Channels are per
/// database, not per schema, so the name carries a hash of the schema: stores in separate schemas
/// of one database (the test suites) do not wake each other.
struct NotificationChannels: Sendable, Equatable {
    let events: String
    let commands: String
    let queue: String

    init(schemaHash: String) {
        events = "thaw_events_" + schemaHash
        commands = "thaw_commands_" + schemaHash
        queue = "thaw_queue_" + schemaHash
    }

    var all: [String] { [events, commands, queue] }

    func notification(_ raw: PostgresNotification) -> StoreNotification? {
        switch raw.channel {
        case events: .events(job: raw.payload)
        case commands: .command(job: raw.payload)
        case queue: .claimable(job: raw.payload)
        default: nil
        }
    }
}

/// A Store's listener (`Store.makeListener`): one dedicated PostgreSQL connection blocked in poll()
/// on its socket, reconnecting with backoff. Start it once the receivers exist; stop it before they go.
public final class StoreListener: Sendable {
    private let listener: PostgresListener

    fileprivate init(listener: PostgresListener) { self.listener = listener }

    public func start() { listener.start() }
    public func stop() { listener.stop() }
}

extension Store {
    /// On PostgreSQL, a listener that calls `onNotification` (on its own thread; it must return
    /// quickly) for every notification of this store's schema, from any node including this one,
    /// and `onConnectionLost` when its connection failed (it retries by itself, after `retryIn`
    /// seconds). nil on SQLite: one process writes it, and its in-process feeds (`observeEvents`,
    /// `observeCommands`) already see every commit.
    public func makeListener(onNotification: @escaping @Sendable (StoreNotification) -> Void,
                             onConnectionLost: @escaping @Sendable (_ error: StoreError, _ retryIn: Double) -> Void = { _, _ in })
        throws(StoreError) -> StoreListener?
    {
        guard case .postgres(let uri) = configuration.database, let channels = connection.channels else { return nil }
        do {
            let listener = try PostgresListener(uri: uri, channels: channels.all) { event in
                switch event {
                case .connected(let reconnect): if reconnect { onNotification(.resync) }
                case .notification(let raw): if let notification = channels.notification(raw) { onNotification(notification) }
                case .disconnected(let error, let retryIn): onConnectionLost(StoreError.wrap(error), retryIn)
                }
            }
            return StoreListener(listener: listener)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// Registers `listener` for every control command this Store commits (`postCommand`), with the
    /// job's id, after the commit. In-process, on both engines; on PostgreSQL other nodes' commands
    /// arrive through `makeListener`. It must return quickly and must not call the Store.
    public func observeCommands(_ listener: @escaping @Sendable (_ jobID: String) -> Void) {
        commandFeed.add(listener)
    }
}

/// The in-process listeners of `observeCommands`.
final class CommandFeed: @unchecked Sendable {
    private let lock = NSLock()
    private var listeners: [@Sendable (String) -> Void] = []

    func add(_ listener: @escaping @Sendable (String) -> Void) { lock.withLock { listeners.append(listener) } }

    func posted(job: String) {
        for listener in lock.withLock({ listeners }) { listener(job) }
    }
}

extension StoreConnection {
    /// On PostgreSQL, this schema's channels (a hash of `current_schema()`), read once at open; nil
    /// on SQLite.
    static func notificationChannels(_ db: any DatabaseConnection) throws -> NotificationChannels? {
        guard db.dialect == .postgres else { return nil }
        guard let hash = try db.query("SELECT left(md5(COALESCE(current_schema(), '')), 16)", []).first?.first?.string else {
            throw StoreError.postgres(sqlstate: "XX000", message: "current_schema() returned nothing")
        }
        return NotificationChannels(schemaHash: hash)
    }

    /// Queues a notification for the commit of the transaction in progress (`transaction` sends
    /// them right before its COMMIT, so the server delivers them only if the write commits), or
    /// sends it at once after a statement outside a transaction (which has committed). No-op on SQLite.
    func notify(_ notification: StoreNotification) {
        guard let channels else { return }
        let pair: (String, String)
        switch notification {
        case .events(let job): pair = (channels.events, job)
        case .command(let job): pair = (channels.commands, job)
        case .claimable(let job): pair = (channels.queue, job)
        case .resync: return
        }
        // The server folds identical notifications of one transaction into one; so does this.
        guard !pendingNotifications.contains(where: { $0 == pair }) else { return }
        pendingNotifications.append(pair)
        if !db.isInTransaction { try? sendNotifications() }
    }

    /// One `SELECT pg_notify(…), pg_notify(…)` for everything queued. Not a seam write (it changes no
    /// row, and `FaultInjectionTests` count the writes of each operation on both engines).
    func sendNotifications() throws {
        guard !pendingNotifications.isEmpty else { return }
        let queued = pendingNotifications
        pendingNotifications = []
        let calls = Array(repeating: "pg_notify(?, ?)", count: queued.count).joined(separator: ", ")
        _ = try db.query("SELECT " + calls, queued.flatMap { [.text($0.0), .text($0.1)] })
    }
}
