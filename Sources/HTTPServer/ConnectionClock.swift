/// Where a connection is in its request cycle; each phase has at most one timeout.
enum ConnectionPhase: Sendable, Equatable {
    /// Waiting for the rest of a request head (or the first byte of a new connection).
    case readingHead
    /// Keep-alive: between a response and the next request's first byte.
    case idle
    case readingBody
    /// A handler is running; no timeout (shutdown's deadline bounds it).
    case handling
    /// A chunked or event-stream body is being produced.
    case streaming
    /// Final response sent, write side shut; draining input before close.
    case lingering
}

/// What the connection must do when its deadline passes.
enum TimeoutAction: Sendable, Equatable {
    case none
    case closeIdle
    case headerTimeout
    case bodyTimeout
    case writeTimeout
    case lingerDone
    case heartbeat
}

/// All timeouts in nanoseconds, from the configuration.
struct ConnectionTimeouts: Sendable, Equatable {
    var header: UInt64
    var body: UInt64
    var idle: UInt64
    var write: UInt64
    var linger: UInt64
    var heartbeat: UInt64

    init(header: UInt64, body: UInt64, idle: UInt64, write: UInt64, linger: UInt64, heartbeat: UInt64) {
        self.header = header
        self.body = body
        self.idle = idle
        self.write = write
        self.linger = linger
        self.heartbeat = heartbeat
    }

    init(_ c: HTTPServerConfiguration) {
        func ns(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1e9) }
        self.init(header: ns(c.headerTimeout), body: ns(c.bodyTimeout), idle: ns(c.idleTimeout),
                  write: ns(c.writeTimeout), linger: ns(c.lingerTimeout), heartbeat: ns(c.heartbeatInterval))
    }
}

/// The connection's timing as a pure value: it records when things happened and answers
/// "when is the next deadline" and "what is due now". Tested with a manual clock; the connection
/// only feeds it `DispatchTime` values.
struct ConnectionClock: Sendable, Equatable {
    private(set) var phase: ConnectionPhase = .readingHead
    private(set) var phaseStart: UInt64
    /// Time of the last write that made progress (or when output became pending).
    private(set) var lastWriteProgress: UInt64
    private(set) var outputPending = false
    /// Last time anything was queued on an event stream (events or heartbeats).
    private(set) var lastStreamActivity: UInt64
    private(set) var isEventStream = false

    init(now: UInt64) {
        phaseStart = now
        lastWriteProgress = now
        lastStreamActivity = now
    }

    mutating func enter(_ phase: ConnectionPhase, now: UInt64, eventStream: Bool = false) {
        self.phase = phase
        phaseStart = now
        isEventStream = phase == .streaming && eventStream
        if phase == .streaming { lastStreamActivity = now }
    }

    mutating func outputChanged(pending: Bool, progressed: Bool, now: UInt64) {
        if (pending && !outputPending) || progressed { lastWriteProgress = now }
        outputPending = pending
    }

    mutating func streamActivity(now: UInt64) { lastStreamActivity = now }

    /// The earliest time something is due, or nil when nothing can time out.
    func deadline(_ t: ConnectionTimeouts) -> UInt64? {
        var candidates: [UInt64] = []
        if outputPending { candidates.append(lastWriteProgress &+ t.write) }
        switch phase {
        case .readingHead: candidates.append(phaseStart &+ t.header)
        case .idle: candidates.append(phaseStart &+ t.idle)
        case .readingBody: candidates.append(phaseStart &+ t.body)
        case .handling: break
        case .streaming: if isEventStream { candidates.append(lastStreamActivity &+ t.heartbeat) }
        case .lingering: candidates.append(phaseStart &+ t.linger)
        }
        return candidates.min()
    }

    /// What is due at `now`; a stalled write wins over everything else.
    func action(now: UInt64, _ t: ConnectionTimeouts) -> TimeoutAction {
        if outputPending, now >= lastWriteProgress &+ t.write { return .writeTimeout }
        switch phase {
        case .readingHead where now >= phaseStart &+ t.header: return .headerTimeout
        case .idle where now >= phaseStart &+ t.idle: return .closeIdle
        case .readingBody where now >= phaseStart &+ t.body: return .bodyTimeout
        case .streaming where isEventStream && now >= lastStreamActivity &+ t.heartbeat: return .heartbeat
        case .lingering where now >= phaseStart &+ t.linger: return .lingerDone
        default: return .none
        }
    }
}
