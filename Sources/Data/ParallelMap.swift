import Dispatch

/// `(0..<count).map(body)` spread over the machine's cores; results keep their index order.
func parallelMap<T: Sendable>(count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    var values = [T?](repeating: nil, count: count)
    values.withUnsafeMutableBufferPointer { buffer in
        // Each iteration writes only its own slot, so the writes never overlap.
        nonisolated(unsafe) let base = buffer.baseAddress!
        DispatchQueue.concurrentPerform(iterations: count) { i in base[i] = body(i) }
    }
    return values.map { $0! }
}
