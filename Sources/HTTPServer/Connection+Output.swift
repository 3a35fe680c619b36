import Dispatch
import HTTP1

/// What the response writer must know about the request it answers.
struct ResponseInfo {
    let isHead: Bool
    let version: HTTPVersion
}

extension Connection {
    /// Queues `response` (head, and body unless HEAD) and, for streams, starts the producer.
    func respond(_ response: HTTPResponse, _ info: ResponseInfo) {
        guard !closed else { return }
        // A half-closed client still gets answers to every request it already sent.
        if shuttingDown || (readEOF && inputAvailable == 0) { keepAlive = false }
        var headers = response.headers
        if !headers.contains("date") { headers.add("Date", HTTPDate.now()) }
        let status = response.status
        switch response.body {
        case .bytes(let body):
            headers.remove("transfer-encoding")
            if status.forbidsBody {
                headers.remove("content-length")
            } else {
                headers.set("Content-Length", String(body.count))
            }
            guard writeHead(status, &headers, info) else { return }
            if !info.isHead, !status.forbidsBody { output += body }
            finishResponse()
        case .chunked(let producer):
            startStream(status, &headers, info, isEventStream: false) { producer($0) }
        case .eventStream(let producer):
            startStream(status, &headers, info, isEventStream: true) { producer(EventStreamWriter(body: $0)) }
        case .file(let file):
            headers.remove("transfer-encoding")
            if status.forbidsBody {
                headers.remove("content-length")
            } else {
                headers.set("Content-Length", String(file.length))
            }
            guard writeHead(status, &headers, info) else { return }
            if info.isHead || status.forbidsBody || file.length == 0 {
                finishResponse()
                return
            }
            download = ActiveDownload(body: file)
            clock.enter(.streaming, now: Connection.now())
            flush()
        }
    }

    /// A file body is read into `output` only while less than this is waiting for the socket, so
    /// each download holds at most this plus one read (`fileReadSize`) however fast the disk is.
    static let fileWindow = 256 << 10
    static let fileReadSize = 64 << 10

    /// Tops `output` up from the file being sent; false when nothing was added (window full, file
    /// done or failed). At the end of the file the download is cleared and `finishResponse` is due;
    /// a read error or a file shorter than its Content-Length can only be told by closing.
    private func refillDownload(_ finished: inout Bool) -> Bool {
        guard var current = download, outputPending < Connection.fileWindow else { return false }
        if outputStart == output.count {
            output.removeAll(keepingCapacity: true)
            outputStart = 0
        }
        let wanted = min(Connection.fileReadSize, current.body.length - current.offset)
        guard let got = current.body.read(at: current.offset, count: wanted, into: &output), got > 0 else {
            closeNow()
            return false
        }
        current.offset += got
        if current.offset == current.body.length {
            download = nil
            finished = true
        } else {
            download = current
        }
        return true
    }

    /// Adds the Connection field and serializes; a handler header with CR/LF becomes a 500.
    private func writeHead(_ status: HTTPStatus, _ headers: inout HTTPHeaders, _ info: ResponseInfo) -> Bool {
        headers.remove("connection")
        if !keepAlive {
            headers.add("Connection", "close")
        } else if info.version == .http1_0 {
            headers.add("Connection", "keep-alive")
        }
        if HTTPResponseSerializer.writeHead(status: status, headers: headers, into: &output) { return true }
        respond(.error(HTTPError.internalError), info)
        return false
    }

    private func startStream(_ status: HTTPStatus, _ headers: inout HTTPHeaders, _ info: ResponseInfo,
                             isEventStream: Bool, _ start: @escaping @Sendable (HTTPBodyWriter) -> Void) {
        let chunked = info.version == .http1_1
        headers.remove("content-length")
        headers.remove("transfer-encoding")
        if chunked { headers.add("Transfer-Encoding", "chunked") } else { keepAlive = false }
        guard writeHead(status, &headers, info) else { return }
        if info.isHead || status.forbidsBody {
            finishResponse()
            return
        }
        nextStreamID += 1
        let writer = HTTPBodyWriter(sink: self, streamID: nextStreamID, bufferLimit: context.configuration.streamBufferLimit)
        stream = ActiveStream(id: nextStreamID, writer: writer, chunked: chunked, isEventStream: isEventStream)
        clock.enter(.streaming, now: Connection.now(), eventStream: isEventStream)
        flush()
        if shuttingDown, isEventStream {
            endStreamForShutdown()
            return
        }
        handlerQueue.async { start(writer) }
    }

    /// The response is fully queued: go back to reading requests, or close after the output.
    func finishResponse() {
        if keepAlive {
            clock.enter(.idle, now: Connection.now())
        } else {
            closeWhenFlushed = true
            clock.enter(.idle, now: Connection.now())
            pauseReading()
        }
        flush()
        if !closed, keepAlive { processInput() }
        if !closed { updateDeadline() }
    }

    /// Writes as much output as the socket takes; waits for write readiness for the rest.
    func flush() {
        guard !closed else { return }
        var progressed = false
        var blocked = false
        var downloadFinished = false
        // Reads per call: past it write readiness, not this loop, drives the rest of a file, so a
        // fast reader cannot keep the connection's queue (timers, shutdown) busy for a whole file.
        var refills = 64
        repeat {
            while outputStart < output.count {
                let result = output.withUnsafeBytes { transport.write(UnsafeRawBufferPointer(rebasing: $0[outputStart...])) }
                switch result {
                case .bytes(let n):
                    outputStart += n
                    progressed = true
                    continue
                case .wouldBlock:
                    // TLS may need to read before it can write; read readiness then drives flush().
                    if transport.writeWantsReadable { resumeReading() } else { armWrite() }
                    blocked = true
                case .eof, .failed:
                    closeNow()
                    return
                }
                break
            }
            refills -= 1
            if refills == 0, download != nil, !blocked {
                armWrite()
                break
            }
        } while !blocked && !closed && refillDownload(&downloadFinished)
        if closed { return }
        // A download still in progress with a socket that stopped taking bytes: top up while here.
        if blocked { _ = refillDownload(&downloadFinished) }
        if closed { return }
        let remaining = outputPending
        if remaining == 0 {
            if output.capacity > 1 << 20 { output = [] } else { output.removeAll(keepingCapacity: true) }
            outputStart = 0
            // (A download that used up its reads keeps waiting for write readiness to continue.)
            if !transport.readWantsWritable, download == nil { disarmWrite() }
        } else if outputStart > 1 << 16, outputStart * 2 > output.count {
            output.removeFirst(outputStart)
            outputStart = 0
        }
        clock.outputChanged(pending: remaining > 0, progressed: progressed, now: Connection.now())
        stream?.writer.setSocketPending(remaining)
        updateDeadline()
        if downloadFinished {
            finishResponse()
            return
        }
        if remaining == 0, closeWhenFlushed, stream == nil, download == nil { beginLinger() }
    }

    // MARK: streams

    func appendToStream(_ bytes: [UInt8], chunked: Bool) {
        if chunked {
            HTTPResponseSerializer.writeChunk(bytes, into: &output)
        } else {
            output += bytes
        }
        clock.streamActivity(now: Connection.now())
    }

    func sendHeartbeat() {
        guard let stream, stream.isEventStream else { return }
        appendToStream(Connection.heartbeat, chunked: stream.chunked)
        if outputPending > context.configuration.streamBufferLimit {
            closeNow()
            return
        }
        flush()
    }

    static let heartbeat = ServerSentEvent.comment("heartbeat")

    /// Ends the current stream cleanly: optional last bytes, the terminating chunk, then either the
    /// next request or (HTTP/1.0) close.
    func finishStream(final: [UInt8]?) {
        guard let stream else { return }
        if let final { appendToStream(final, chunked: stream.chunked) }
        if stream.chunked { output += HTTPResponseSerializer.lastChunk } else { keepAlive = false }
        endStream()
        finishResponse()
    }

    func endStreamForShutdown() {
        finishStream(final: context.configuration.shutdownEvent.encoded())
    }

    // MARK: shutdown

    /// Stops taking new requests: idle connections close now, in-flight requests finish with
    /// `Connection: close`, event streams get the shutdown event and end.
    func beginShutdown() {
        queue.async { [self] in
            guard !closed else { return }
            shuttingDown = true
            keepAlive = false
            switch clock.phase {
            case .idle where outputPending == 0:
                closeNow()
            case .readingHead where inputAvailable == 0:
                closeNow()
            case .streaming:
                if stream?.isEventStream == true { endStreamForShutdown() }
            default:
                break
            }
        }
    }
}

extension Connection: StreamSink {
    func streamWrite(_ id: UInt64, _ bytes: [UInt8]) {
        queue.async { [self] in
            guard let stream, stream.id == id, !closed else { return }
            stream.writer.accepted(bytes.count)
            appendToStream(bytes, chunked: stream.chunked)
            flush()
        }
    }

    func streamFinish(_ id: UInt64, final: [UInt8]?) {
        queue.async { [self] in
            guard let stream, stream.id == id, !closed else { return }
            finishStream(final: final)
        }
    }

    func streamOverflow(_ id: UInt64) {
        queue.async { [self] in
            guard let stream, stream.id == id else { return }
            closeNow()
        }
    }
}
