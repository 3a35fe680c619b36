/// Accumulates a graph's nodes and initializers, keeping every value name unique (ONNX graphs are
/// single-assignment: a layer called `input`, or two values wanting one name, get a suffix).
struct GraphBuilder {
    private(set) var nodes: [NodeProto] = []
    private(set) var initializers: [TensorProto] = []
    private var taken: Set<String>

    init(reserved: [String]) { taken = Set(reserved) }

    /// `preferred`, or `preferred_1`, `preferred_2`… when it is taken.
    mutating func unique(_ preferred: String) -> String {
        var name = preferred, k = 0
        while taken.contains(name) {
            k += 1
            name = "\(preferred)_\(k)"
        }
        taken.insert(name)
        return name
    }

    /// A float32 initializer; returns its (unique) name.
    mutating func constant(_ name: String, dims: [Int], values: [Float]) -> String {
        precondition(dims.reduce(1, *) == values.count, "\(name): \(values.count) values for dims \(dims)")
        let n = unique(name)
        initializers.append(TensorProto(dims: dims, name: n, values: values))
        return n
    }

    /// One node with one output named after `name`; returns the output's name.
    mutating func node(_ op: String, _ inputs: [String], name: String, attributes: [AttributeProto] = [],
                       doc: String = "") -> String {
        let output = unique(name)
        nodes.append(NodeProto(inputs: inputs, outputs: [output], name: output, opType: op, attributes: attributes,
                               docString: doc))
        return output
    }

    /// Renames the value `old` (a node's output) to `new` wherever it appears, for the graph output.
    mutating func rename(_ old: String, to new: String) {
        for i in nodes.indices {
            nodes[i].outputs = nodes[i].outputs.map { $0 == old ? new : $0 }
            nodes[i].inputs = nodes[i].inputs.map { $0 == old ? new : $0 }
        }
    }
}
