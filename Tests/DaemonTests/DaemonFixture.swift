import Foundation
@testable import Daemon
import HTTPServer
import Store
import ThawClient

/// A Daemon whose API is served on a free loopback port by a real `HTTPServer`, with its training
/// workers never started: jobs stay where the test puts them (queued, or moved by the Store), so
/// event and download behaviour is tested without training or timing.
final class DaemonFixture: @unchecked Sendable {
    let directory: String
    let daemon: Daemon
    let server: HTTPServer
    let port: Int

    init(maxStreams: Int = 2048) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-daemon-\(UUID().uuidString)").path
        var configuration = DaemonConfiguration()
        configuration.dataDir = directory
        configuration.maxStreams = maxStreams
        daemon = try Daemon(configuration: configuration)
        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.hosts = ["127.0.0.1"]
        serverConfiguration.port = 0
        server = try HTTPServer(configuration: serverConfiguration, router: daemon.makeRouter())
        port = Int(try server.start())
    }

    var store: Store { daemon.store }

    var client: HTTPClient { HTTPClient(host: "127.0.0.1", port: port, timeout: 60) }

    deinit {
        _ = server.shutdown(deadline: 5)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Polls `condition` (no fixed sleep decides the outcome: the timeout only bounds a broken run).
    func wait(_ what: String, timeout: TimeInterval = 60, until condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(5_000)
        }
        throw FixtureError(description: "timed out waiting for \(what)")
    }
}

struct FixtureError: Error, CustomStringConvertible { let description: String }

/// The events one SSE client received, filled by its own thread.
final class StreamRecording: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ThawClient.ServerSentEvent] = []
    private var failure: String?
    private var done = false

    var received: [ThawClient.ServerSentEvent] { lock.withLock { events } }
    var ids: [Int] { received.compactMap { $0.id.flatMap(Int.init) } }
    var finished: Bool { lock.withLock { done } }
    var error: String? { lock.withLock { failure } }

    /// Streams `path` on a thread of its own until the server ends the stream.
    static func start(_ client: HTTPClient, _ path: String, lastEventID: String? = nil) -> StreamRecording {
        let recording = StreamRecording()
        let thread = Thread {
            do {
                try client.streamEvents(path, lastEventID: lastEventID) { event in
                    recording.lock.withLock { recording.events.append(event) }
                    return true
                }
            } catch {
                recording.lock.withLock { recording.failure = "\(error)" }
            }
            recording.lock.withLock { recording.done = true }
        }
        thread.start()
        return recording
    }
}
