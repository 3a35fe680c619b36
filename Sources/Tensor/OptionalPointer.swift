/// Runs `body` with the tensor's storage pointer, or nil when there is no tensor (an optional
/// operand of a kernel: a residual, a ReLU mask).
public func withOptionalPointer<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withPointer { body($0) }
}

/// Runs `body` with the tensor's mutable storage, or nil when there is no tensor (an optional
/// output of a kernel: a gradient nobody asked for).
public func withOptionalPointer<R>(_ t: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if t == nil { return body(nil) }
    return t!.withMutablePointer { body($0) }
}
