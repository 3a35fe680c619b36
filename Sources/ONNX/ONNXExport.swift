import NN

/// A model in eval mode as an ONNX file (IR version 8, opset 17): input `input` of shape
/// `[N, C, H, W]` (N dynamic, `dim_param` "N"; C, H, W the model's input shape), output `logits`
/// `[N, classes]`, the weights as initializers (`GraphLowering` lists the operators), and the
/// safetensors metadata (`ModelMetadata`: class names, normalisation `x = (pixel/255 − mean)/std`,
/// architecture, spec, job) as `metadata_props`.
public enum ONNXExport {
    public static let irVersion = 8
    public static let opsetVersion = 17
    public static let inputName = "input"
    public static let outputName = "logits"
    /// Changes whenever the bytes written for the same weights change; part of the download's ETag.
    public static let exporterVersion = "1"

    public static func model(_ model: Model, metadata: ModelMetadata) throws(ONNXExportError) -> [UInt8] {
        try modelProto(model, metadata: metadata).serialized()
    }

    public static func modelProto(_ model: Model, metadata: ModelMetadata) throws(ONNXExportError) -> ModelProto {
        try graph(model.layers, shapes: model.shapes, name: model.spec.name, classes: model.classes,
                  metadata: metadata, spec: model.spec)
    }

    /// The file for `layers` with per-image input shapes `shapes` (the last one the output's).
    static func graph(_ layers: [any Layer], shapes: [[Int]], name: String, classes: Int, metadata: ModelMetadata,
                      spec: ArchitectureSpec) throws(ONNXExportError) -> ModelProto {
        var lowering = GraphLowering()
        let logits = try lowering.lower(layers, shapes: shapes)
        var builder = lowering.graph
        // Nothing but identities (dropout): the graph still needs one node between its ends.
        let produced = logits == inputName ? builder.node("Identity", [logits], name: "identity") : logits
        builder.rename(produced, to: outputName)
        let graph = GraphProto(
            nodes: builder.nodes, name: name, initializers: builder.initializers,
            inputs: [ValueInfoProto(name: inputName, shape: [.param("N")] + shapes[0].map { .value($0) })],
            outputs: [ValueInfoProto(name: outputName, shape: [.param("N"), .value(classes)])])
        var meta = metadata
        meta.spec = spec
        // `format: pt` is safetensors' convention for PyTorch tools; it says nothing about this file.
        let props = meta.dictionary.filter { $0.key != "format" }.sorted { $0.key < $1.key }
            .map { StringStringEntryProto(key: $0.key, value: $0.value) }
        return ModelProto(
            irVersion: irVersion, producerName: "thaw", producerVersion: "onnx-export-\(exporterVersion)",
            docString: "\(name) in eval mode; input x = (pixel/255 - thaw.mean) / thaw.std, NCHW",
            graph: graph, opsetImport: [OperatorSetIdProto(domain: "", version: opsetVersion)], metadataProps: props)
    }
}
