/// The ONNX messages Thaw writes (onnx/onnx.proto, proto2 syntax), with only the fields it sets.
/// Field numbers are onnx.proto's; each `write` emits them in field-number order, and repeated
/// integers unpacked (proto2's default for fields without `[packed = true]`), which is what
/// protobuf's serializer produces for the same message.

/// `ModelProto`: the file.
public struct ModelProto: ProtoMessage {
    public var irVersion: Int
    public var producerName: String
    public var producerVersion: String
    public var docString: String
    public var graph: GraphProto
    public var opsetImport: [OperatorSetIdProto]
    public var metadataProps: [StringStringEntryProto]

    public func write(to w: inout ProtoWriter) {
        w.int(1, irVersion)
        w.string(2, producerName)
        w.string(3, producerVersion)
        if !docString.isEmpty { w.string(6, docString) }
        w.message(7, graph)
        for o in opsetImport { w.message(8, o) }
        for m in metadataProps { w.message(14, m) }
    }
}

/// `OperatorSetIdProto`: domain "" is the default ONNX operator set.
public struct OperatorSetIdProto: ProtoMessage {
    public var domain: String
    public var version: Int

    public func write(to w: inout ProtoWriter) {
        w.string(1, domain)
        w.int(2, version)
    }
}

/// `StringStringEntryProto`: one `metadata_props` entry.
public struct StringStringEntryProto: ProtoMessage {
    public var key: String
    public var value: String

    public func write(to w: inout ProtoWriter) {
        w.string(1, key)
        w.string(2, value)
    }
}

/// `GraphProto`: nodes in topological order, weights as initializers, typed inputs and outputs.
public struct GraphProto: ProtoMessage {
    public var nodes: [NodeProto]
    public var name: String
    public var initializers: [TensorProto]
    public var inputs: [ValueInfoProto]
    public var outputs: [ValueInfoProto]

    public func write(to w: inout ProtoWriter) {
        for n in nodes { w.message(1, n) }
        w.string(2, name)
        for t in initializers { w.message(5, t) }
        for i in inputs { w.message(11, i) }
        for o in outputs { w.message(12, o) }
    }
}

/// `NodeProto`: one operator application.
public struct NodeProto: ProtoMessage {
    public var inputs: [String]
    public var outputs: [String]
    public var name: String
    public var opType: String
    public var attributes: [AttributeProto]
    public var docString: String = ""

    public func write(to w: inout ProtoWriter) {
        for i in inputs { w.string(1, i) }
        for o in outputs { w.string(2, o) }
        w.string(3, name)
        w.string(4, opType)
        for a in attributes { w.message(5, a) }
        if !docString.isEmpty { w.string(6, docString) }
    }
}

/// `AttributeProto`, for the three kinds Thaw's operators take.
public struct AttributeProto: ProtoMessage, Equatable {
    public enum Value: Equatable {
        case float(Float), int(Int), ints([Int])
    }

    public var name: String
    public var value: Value

    public static func float(_ name: String, _ v: Float) -> AttributeProto { AttributeProto(name: name, value: .float(v)) }
    public static func int(_ name: String, _ v: Int) -> AttributeProto { AttributeProto(name: name, value: .int(v)) }
    public static func ints(_ name: String, _ v: [Int]) -> AttributeProto { AttributeProto(name: name, value: .ints(v)) }

    public func write(to w: inout ProtoWriter) {
        w.string(1, name)
        // AttributeProto.AttributeType: FLOAT = 1, INT = 2, INTS = 7; `type` is field 20.
        switch value {
        case .float(let f):
            w.float(2, f)
            w.int(20, 1)
        case .int(let i):
            w.int(3, i)
            w.int(20, 2)
        case .ints(let list):
            for i in list { w.int(8, i) }
            w.int(20, 7)
        }
    }
}

/// `TensorProto`: a float32 initializer, its values as little-endian `raw_data`.
public struct TensorProto: ProtoMessage {
    /// TensorProto.DataType.FLOAT
    public static let float = 1

    public var dims: [Int]
    public var name: String
    public var values: [Float]

    public func write(to w: inout ProtoWriter) {
        for d in dims { w.int(1, d) }
        w.int(2, Self.float)
        w.string(8, name)
        w.littleEndianFloats(9, values)
    }
}

/// `ValueInfoProto` of a float32 tensor: a name and a shape whose dimensions are numbers or named
/// symbols (`N` for the batch).
public struct ValueInfoProto: ProtoMessage {
    public enum Dimension: Equatable {
        case value(Int), param(String)
    }

    public var name: String
    public var shape: [Dimension]

    public func write(to w: inout ProtoWriter) {
        w.string(1, name)
        w.message(2, TypeProto(shape: shape))
    }
}

/// `TypeProto` holding a `TypeProto.Tensor` (field 1): elem_type 1, shape 2 (`TensorShapeProto`,
/// whose `dim` 1 are `Dimension`s of `dim_value` 1 or `dim_param` 2).
struct TypeProto: ProtoMessage {
    var shape: [ValueInfoProto.Dimension]

    func write(to w: inout ProtoWriter) {
        w.message(1, TensorType(shape: shape))
    }

    struct TensorType: ProtoMessage {
        var shape: [ValueInfoProto.Dimension]
        func write(to w: inout ProtoWriter) {
            w.int(1, TensorProto.float)
            w.message(2, Shape(dims: shape))
        }
    }

    struct Shape: ProtoMessage {
        var dims: [ValueInfoProto.Dimension]
        func write(to w: inout ProtoWriter) {
            for d in dims { w.message(1, Dim(dim: d)) }
        }
    }

    struct Dim: ProtoMessage {
        var dim: ValueInfoProto.Dimension
        func write(to w: inout ProtoWriter) {
            switch dim {
            case .value(let v): w.int(1, v)
            case .param(let p): w.string(2, p)
            }
        }
    }
}
