import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One listening socket and its accept source.
final class Listener: @unchecked Sendable {
    let fd: Int32
    let host: String
    let port: UInt16
    private let source: DispatchSourceRead
    private let queue: DispatchQueue
    private let onAccept: @Sendable (Int32, String) -> Void

    init(fd: Int32, host: String, port: UInt16, queue: DispatchQueue, onAccept: @escaping @Sendable (Int32, String) -> Void) {
        self.fd = fd
        self.host = host
        self.port = port
        self.onAccept = onAccept
        self.queue = queue
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [unowned self] in acceptPending() }
        source.setCancelHandler { _ = Glibc.close(fd) }
    }

    func resume() { source.resume() }

    /// Stops accepting; the descriptor is closed by the cancel handler.
    func cancel() { source.cancel() }

    /// Accepts up to a batch of waiting connections (more will re-trigger the source). When the
    /// process is out of descriptors the source pauses for 100 ms instead of spinning on EMFILE.
    private func acceptPending() {
        for _ in 0..<128 {
            switch Socket.accept(fd) {
            case .connection(let client, let peer): onAccept(client, peer)
            case .transient: continue
            case .none: return
            case .exhausted:
                source.suspend()
                queue.asyncAfter(deadline: .now() + 0.1) { [self] in source.resume() }
                return
            }
        }
    }
}
