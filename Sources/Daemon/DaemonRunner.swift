import Foundation
import Tensor

/// Process-level life cycle of thawd: start, log where it listens, wait for SIGTERM/SIGINT, shut
/// down gracefully, return (the caller exits 0).
public enum DaemonRunner {
    public static func run(_ configuration: DaemonConfiguration) throws {
        Allocator.keepLargeBlocks()  // before any thread starts
        signal(SIGPIPE, SIG_IGN)
        let daemon = try Daemon(configuration: configuration)
        let stop = DispatchSemaphore(value: 0)
        let signalQueue = DispatchQueue(label: "thawd.signals")
        var sources: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler {
                Log.info("received \(number == SIGTERM ? "SIGTERM" : "SIGINT"), shutting down")
                stop.signal()
            }
            source.resume()
            sources.append(source)
        }
        let port = try daemon.start()
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        Log.info("listening on \(daemon.scheme)://\(host):\(port) (data dir \(configuration.dataDir), "
            + "dataset root \(configuration.resolvedDatasetRoot), \(configuration.workers) worker(s)"
            // Never the URI itself: it may hold a password.
            + (configuration.store == nil ? ")" : ", store in PostgreSQL)"))
        stop.wait()
        daemon.shutdown()
        sources.forEach { $0.cancel() }
        Log.info("stopped")
    }
}
