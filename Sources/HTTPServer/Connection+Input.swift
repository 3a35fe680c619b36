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
                    switch beginRequest(head) {
                    case .readBody: break
                    case .answered: continue
                    case .failed: return
                    }
                }
            }
            switch readBody() {
            case .incomplete:
                // What the body took is released now, not when the request is dispatched.
                compactInput()
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

    enum BeginOutcome { case readBody, answered, failed }

    /// Decides everything the head alone decides, before any body byte is read and before
    /// `100 Continue`: the target, the expectation, the token, the route and the route's body
    /// limit. `.answered`: refused with the connection kept (no body followed); `.failed`: refused
    /// and closing.
    private func beginRequest(_ head: HTTPRequestHead) -> BeginOutcome {
        keepAlive = head.keepAlive && !shuttingDown
        let target: HTTPRequestTarget
        do {
            target = try HTTPRequestTarget.parse(head.target, method: head.method)
        } catch {
            fail(HTTPError.parse(error))
            return .failed
        }
        if head.headers["expect"] != nil, !head.expectsContinue {
            fail(HTTPError(.expectationFailed, code: "expectation_failed", message: "only 100-continue is supported"))
            return .failed
        }
        if let auth = context.configuration.auth, let denied = auth.check(path: target.path, segments: target.segments, headers: head.headers) {
            return refuse(denied, head)
        }
        let handler: HTTPHandler, parameters: [String: String], policy: HTTPBodyPolicy, inline: Bool
        switch context.router.match(head.method, segments: target.segments) {
        case .notFound:
            return refuse(HTTPError.notFound("no route for \(head.method) \(target.path)"), head)
        case .methodNotAllowed(let allowed):
            return refuse(HTTPError.methodNotAllowed(allowed), head)
        case .found(let h, let p, let selector, let i):
            handler = h
            parameters = p
            inline = i
            policy = selector?(head) ?? HTTPBodyPolicy(maxBytes: context.configuration.maxBodyBytes)
        }
        var request = PendingRequest(head: head, target: target, handler: handler, parameters: parameters,
                                     limit: policy.maxBytes, inline: inline)
        switch head.framing {
        case .none, .contentLength(0):
            pending = request
            return .readBody
        case .contentLength(let length):
            guard length <= policy.maxBytes else {
                fail(Connection.bodyTooLarge(policy.maxBytes))
                return .failed
            }
            request.remaining = length
            if policy.storage == .memory { request.body.reserveCapacity(length) }
        case .chunked:
            request.decoder = HTTPChunkedDecoder(limits: context.configuration.parserLimits)
        }
        if case .file(let directory) = policy.storage {
            do { request.file = try HTTPBodyFile(directory: directory) } catch {
                fail(Connection.spoolFailed)
                return .failed
            }
        }
        pending = request
        clock.enter(.readingBody, now: Connection.now())
        updateDeadline()
        if head.expectsContinue, head.version == .http1_1, inputAvailable == 0 {
            output += Connection.continueLine
            flush()
        }
        return .readBody
    }

    /// Answers a request refused on its head. Without a body the connection carries on; with one
    /// it closes, since the body is never read (and a 100 Continue was never sent).
    private func refuse(_ error: HTTPError, _ head: HTTPRequestHead) -> BeginOutcome {
        switch head.framing {
        case .none, .contentLength(0):
            respond(.error(error), ResponseInfo(isHead: head.method == .HEAD, version: head.version))
            return .answered
        default:
            pending = nil
            keepAlive = false
            input = []
            inputStart = 0
            respond(.error(error), ResponseInfo(isHead: head.method == .HEAD, version: head.version))
            return .failed
        }
    }

    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    static func bodyTooLarge(_ limit: Int) -> HTTPError {
        HTTPError(.contentTooLarge, code: "body_too_large", message: "request body exceeds \(limit) bytes")
    }

    static let spoolFailed = HTTPError(.internalServerError, code: "body_not_stored",
                                       message: "the request body could not be stored")

    enum BodyProgress { case complete, incomplete, failed }

    private func readBody() -> BodyProgress {
        guard var request = pending else { return .complete }
        defer { if !closed, pending != nil { pending = request } }
        do {
            switch request.head.framing {
            case .none:
                return .complete
            case .contentLength:
                let take = min(request.remaining, inputAvailable)
                try input.withUnsafeBufferPointer { (buffer) throws(HTTPBodyFileError) in
                    let bytes = UnsafeBufferPointer(rebasing: buffer[inputStart..<(inputStart + take)])
                    if let file = request.file { try file.append(bytes) } else { request.body.append(contentsOf: bytes) }
                }
                inputStart += take
                request.remaining -= take
                request.wireBytes += take
                return request.remaining == 0 ? .complete : .incomplete
            case .chunked:
                // Never take more than one byte past the limit, whatever has been buffered.
                let allowed = min(inputAvailable, request.limit - request.wireBytes + 1)
                let consumed = try input.withUnsafeBufferPointer { (buffer) throws(HTTPParseError) -> Int in
                    try request.decoder!.decode(UnsafeBufferPointer(rebasing: buffer[inputStart..<(inputStart + allowed)]),
                                                into: &request.body)
                }
                inputStart += consumed
                request.wireBytes += consumed
                if request.wireBytes + request.decoder!.announcedBytes > request.limit {
                    pending = nil
                    fail(Connection.bodyTooLarge(request.limit))
                    return .failed
                }
                if let file = request.file, !request.body.isEmpty {
                    try request.body.withUnsafeBufferPointer { (bytes) throws(HTTPBodyFileError) in try file.append(bytes) }
                    request.body.removeAll(keepingCapacity: true)
                }
                return request.decoder!.isComplete ? .complete : .incomplete
            }
        } catch let error as HTTPParseError {
            pending = nil
            fail(HTTPError.parse(error))
            return .failed
        } catch {
            pending = nil
            fail(Connection.spoolFailed)
            return .failed
        }
    }

    /// Runs the routed, complete request on the handler queue.
    private func dispatchRequest() {
        guard let p = pending else { return }
        pending = nil
        compactInput()
        clock.enter(.handling, now: Connection.now())
        updateDeadline()
        p.file?.finish()
        var request = HTTPRequest(head: p.head, target: p.target, body: p.file == nil ? p.body : [],
                                  trailers: p.decoder?.trailers ?? HTTPHeaders(), remoteAddress: peer, bodyFile: p.file)
        request.pathParameters = p.parameters
        let routed = request
        let handler = p.handler
        let file = p.file
        let info = ResponseInfo(isHead: p.head.method == .HEAD, version: p.head.version)
        if p.inline {
            // Already on the connection queue; processInput's loop goes on to the next request.
            let response = Connection.run(handler, routed, report: context.configuration.onHandlerError)
            file?.remove()
            respond(response, info)
            return
        }
        handlerQueue.async { [self] in
            let response = Connection.run(handler, routed, report: context.configuration.onHandlerError)
            file?.remove() // gone before the client hears back
            // `sync` runs the block on this thread once the connection queue is free: no
            // thread hop back. Safe because the connection queue never waits on this one.
            queue.sync { self.respond(response, info) }
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
    init(head: HTTPRequestHead, target: HTTPRequestTarget, body: [UInt8], trailers: HTTPHeaders, remoteAddress: String,
         bodyFile: HTTPBodyFile?) {
        self.method = head.method
        self.target = head.target
        self.version = head.version
        self.path = target.path
        self.pathSegments = target.segments
        self.queryItems = target.queryItems
        self.headers = head.headers
        self.body = body
        self.bodyFile = bodyFile
        self.trailers = trailers
        self.pathParameters = [:]
        self.remoteAddress = remoteAddress
    }
}
