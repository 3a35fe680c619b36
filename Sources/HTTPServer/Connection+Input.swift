import Dispatch
import HTTP1

extension Connection {
    /// Bytes read per call; also the step by which `input` grows.
    static let readChunk = 16 << 10
    /// Most bytes taken in one readiness event, so one fast client cannot monopolise a thread.
    static let readBudget = 256 << 10

    /// Reads what the socket has (within budget). In lingering mode the bytes are dropped.
    func readAvailable() {
        var budget = Connection.readBudget
        while !readEOF, !closed, budget > 0 {
            // Back-pressure: while input is not being consumed (a handler or stream owns the
            // connection, or the client is not reading its responses) hold at most one more head's
            // worth of pipelined input; the kernel buffer and TCP window do the rest.
            let consuming = !(clock.phase == .handling || clock.phase == .streaming || closeWhenFlushed
                || outputPending > context.configuration.outputHighWater)
            if !consuming, inputAvailable > context.configuration.parserLimits.maxHeaderBytes {
                pauseReading()
                return
            }
            let result = withUnsafeTemporaryAllocation(byteCount: Connection.readChunk, alignment: 1) { scratch in
                let result = transport.read(into: scratch)
                if case .bytes(let n) = result { input.append(contentsOf: scratch[0..<n]) }
                return result
            }
            switch result {
            case .bytes(let n):
                budget -= n
                if clock.phase == .lingering {
                    input.removeAll(keepingCapacity: true)
                    inputStart = 0
                }
                if n < Connection.readChunk, !transport.hasBufferedInput { return }
            case .wouldBlock:
                if transport.readWantsWritable { armWrite() }
                return
            case .eof:
                readEOF = true
                pauseReading()
                if clock.phase == .lingering || clock.phase == .streaming { closeNow() }
                return
            case .failed:
                closeNow()
                return
            }
        }
    }

    /// Parses and dispatches as many buffered requests as the connection's state allows.
    func processInput() {
        // Responses finished inline (404, 401) land back here through finishResponse; the loop
        // below already continues with the next pipelined request, so do not recurse.
        guard !processingInput else { return }
        processingInput = true
        defer { processingInput = false }
        while !closed {
            switch clock.phase {
            case .handling, .streaming, .lingering: return
            case .idle, .readingHead, .readingBody: break
            }
            if closeWhenFlushed || outputPending > context.configuration.outputHighWater { return }
            resumeReading()
            if pending == nil {
                guard inputAvailable > 0 else {
                    compactInput()
                    if readEOF { closeAfterOutput() }
                    return
                }
                let result = input.withUnsafeBufferPointer {
                    context.parser.parse(UnsafeBufferPointer(rebasing: $0[inputStart...]), resumeFrom: resumeFrom)
                }
                switch result {
                case .incomplete(let scanned):
                    resumeFrom = scanned
                    if clock.phase == .idle {
                        clock.enter(.readingHead, now: Connection.now())
                        updateDeadline()
                    }
                    if readEOF { closeAfterOutput() }
                    return
                case .invalid(let error):
                    fail(HTTPError.parse(error))
                    return
                case .complete(let head, let consumed):
                    inputStart += consumed
                    resumeFrom = 0
                    guard beginRequest(head) else { return }
                }
            }
            switch readBody() {
            case .incomplete:
                if readEOF { closeNow() } // disconnected mid-body: nobody to answer
                return
            case .failed:
                return
            case .complete:
                dispatchRequest()
            }
        }
    }

    /// Nothing more will arrive: close once pending output is sent.
    func closeAfterOutput() {
        if outputPending > 0 {
            closeWhenFlushed = true
        } else {
            closeNow()
        }
    }

    func compactInput() {
        if inputStart == input.count {
            if input.capacity > 1 << 20 { input = [] } else { input.removeAll(keepingCapacity: true) }
            inputStart = 0
        } else if inputStart > 1 << 16, inputStart * 2 > input.count {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    /// Validates what the head alone decides (target, expectation, declared size) and sets up
    /// body reading. False if the request was refused.
    private func beginRequest(_ head: HTTPRequestHead) -> Bool {
        keepAlive = head.keepAlive && !shuttingDown
        let target: HTTPRequestTarget
        do {
            target = try HTTPRequestTarget.parse(head.target, method: head.method)
        } catch {
            fail(HTTPError.parse(error))
            return false
        }
        if head.headers["expect"] != nil, !head.expectsContinue {
            fail(HTTPError(.expectationFailed, code: "expectation_failed", message: "only 100-continue is supported"))
            return false
        }
        var request = PendingRequest(head: head, target: target)
        switch head.framing {
        case .none:
            pending = request
            return true
        case .contentLength(let length):
            guard length <= context.configuration.maxBodyBytes else {
                fail(Connection.bodyTooLarge(context.configuration.maxBodyBytes))
                return false
            }
            request.remaining = length
        case .chunked:
            request.decoder = HTTPChunkedDecoder(limits: context.configuration.parserLimits)
        }
        pending = request
        clock.enter(.readingBody, now: Connection.now())
        updateDeadline()
        if head.expectsContinue, head.version == .http1_1, inputAvailable == 0, head.framing != .contentLength(0) {
            output += Connection.continueLine
            flush()
        }
        return true
    }

    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static func bodyTooLarge(_ limit: Int) -> HTTPError {
        HTTPError(.contentTooLarge, code: "body_too_large", message: "request body exceeds \(limit) bytes")
    }

    enum BodyProgress { case complete, incomplete, failed }

    private func readBody() -> BodyProgress {
        guard var request = pending else { return .complete }
        defer { if !closed, pending != nil { pending = request } }
        switch request.head.framing {
        case .none:
            return .complete
        case .contentLength:
            let take = min(request.remaining, inputAvailable)
            request.body.append(contentsOf: input[inputStart..<(inputStart + take)])
            inputStart += take
            request.remaining -= take
            return request.remaining == 0 ? .complete : .incomplete
        case .chunked:
            do {
                let consumed = try input.withUnsafeBufferPointer { (buffer) throws(HTTPParseError) -> Int in
                    try request.decoder!.decode(UnsafeBufferPointer(rebasing: buffer[inputStart...]), into: &request.body)
                }
                inputStart += consumed
            } catch {
                pending = nil
                fail(HTTPError.parse(error))
                return .failed
            }
            if request.body.count > context.configuration.maxBodyBytes {
                pending = nil
                fail(Connection.bodyTooLarge(context.configuration.maxBodyBytes))
                return .failed
            }
            return request.decoder!.isComplete ? .complete : .incomplete
        }
    }

    /// Routes the complete request; handlers run on the handler queue.
    private func dispatchRequest() {
        guard let p = pending else { return }
        pending = nil
        compactInput()
        clock.enter(.handling, now: Connection.now())
        updateDeadline()
        let request = HTTPRequest(head: p.head, target: p.target, body: p.body,
                                  trailers: p.decoder?.trailers ?? HTTPHeaders(), remoteAddress: peer)
        let info = ResponseInfo(isHead: p.head.method == .HEAD, version: p.head.version)
        if let auth = context.configuration.auth, let denied = auth.check(path: request.path, headers: request.headers) {
            respond(.error(denied), info)
            return
        }
        switch context.router.match(request.method, segments: request.pathSegments) {
        case .notFound:
            respond(.error(HTTPError.notFound("no route for \(request.method) \(request.path)")), info)
        case .methodNotAllowed(let allowed):
            respond(.error(HTTPError.methodNotAllowed(allowed)), info)
        case .found(let handler, let parameters):
            var request = request
            request.pathParameters = parameters
            let routed = request
            handlerQueue.async { [self] in
                let response = Connection.run(handler, routed, report: context.configuration.onHandlerError)
                // `sync` runs the block on this thread once the connection queue is free: no
                // thread hop back. Safe because the connection queue never waits on this one.
                queue.sync { self.respond(response, info) }
            }
        }
    }

    static func run(_ handler: HTTPHandler, _ request: HTTPRequest,
                    report: (@Sendable (HTTPRequest, any Error) -> Void)?) -> HTTPResponse {
        do {
            return try handler(request)
        } catch let error as any HTTPErrorConvertible {
            return .error(error)
        } catch {
            report?(request, error)
            return .error(HTTPError.internalError)
        }
    }

    /// Answers with `error`, then closes: after a protocol error nothing later on the connection
    /// can be trusted.
    func fail(_ error: HTTPError) {
        pending = nil
        keepAlive = false
        input = []
        inputStart = 0
        respond(.error(error), ResponseInfo(isHead: false, version: .http1_1))
    }
}

extension HTTPRequest {
    init(head: HTTPRequestHead, target: HTTPRequestTarget, body: [UInt8], trailers: HTTPHeaders, remoteAddress: String) {
        self.method = head.method
        self.target = head.target
        self.version = head.version
        self.path = target.path
        self.pathSegments = target.segments
        self.queryItems = target.queryItems
        self.headers = head.headers
        self.body = body
        self.trailers = trailers
        self.pathParameters = [:]
        self.remoteAddress = remoteAddress
    }
}
