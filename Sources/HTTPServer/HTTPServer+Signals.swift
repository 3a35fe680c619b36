import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Write end of the self-pipe the C signal handler writes to; set once before any handler is installed.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// Async-signal-safe: one write(2) of the signal number.
private func forwardSignal(_ signalNumber: Int32) {
    var byte = UInt8(truncatingIfNeeded: signalNumber)
    _ = write(signalPipeWrite, &byte, 1)
}

extension HTTPServer {
    /// Makes `signals` (default SIGTERM and SIGINT) run `shutdown(deadline:)` and then
    /// `completion(clean)`, e.g. to exit the process.
    ///
    /// Uses a real signal handler writing to a self-pipe rather than a Dispatch signal source: on
    /// Linux the latter only sees a signal if every thread blocks it, which a library cannot
    /// guarantee, so a SIGTERM could be silently dropped.
    public func shutdownOnSignals(_ signals: [Int32] = [SIGTERM, SIGINT], deadline: Double = 10,
                                  completion: @escaping @Sendable (Bool) -> Void) {
        if signalPipeWrite < 0 {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { return }
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            signalPipeWrite = fds[1]
            HTTPServer.signalPipeRead = fds[0]
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: HTTPServer.signalPipeRead,
                                                   queue: DispatchQueue(label: "thaw.http.signals"))
        source.setEventHandler { [self] in
            var byte: UInt8 = 0
            while read(HTTPServer.signalPipeRead, &byte, 1) == 1 {}
            source.cancel()
            completion(shutdown(deadline: deadline))
        }
        lock.withLock { signalSource = source }
        source.resume()
        for signalNumber in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { forwardSignal($0) }
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(signalNumber, &action, nil)
        }
    }

    nonisolated(unsafe) static var signalPipeRead: Int32 = -1
}
