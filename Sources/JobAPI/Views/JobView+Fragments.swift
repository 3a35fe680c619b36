/// Parts of a job object written once and spliced into every `JobView.write(to:)` while what they
/// come from is unchanged: the spec's (fixed at submit), the training state's (per state version)
/// and the result's (fixed at the end). The job service keeps them beside the decoded values
/// (`JobViewMemo`); a view without them writes those parts from its values. Either way the bytes are
/// `Wire.encode(view)`'s (JobViewWireWriterTests).
extension JobView {
    public struct Fragments: Sendable, Equatable {
        public var spec: SpecFragments?
        public var training: TrainingFragments?
        public var result: [UInt8]?

        public init(spec: SpecFragments? = nil, training: TrainingFragments? = nil, result: [UInt8]? = nil) {
            self.spec = spec
            self.training = training
            self.result = result
        }
    }

    /// `spec`, and the `model`, `dataset` and `type` the object repeats from it.
    public struct SpecFragments: Sendable, Equatable {
        let spec: [UInt8]
        let model: [UInt8]
        let dataset: [UInt8]
        let type: [UInt8]

        public init(document: JSONValue) {
            spec = WireWriter.rendered(document)
            model = WireWriter.rendered(document.field("model") ?? .null)
            dataset = WireWriter.rendered(document.field("dataset") ?? .null)
            type = WireWriter.rendered(document.field("type") ?? .string("train"))
        }
    }

    /// `groups`, `metrics` and `lr_find` of a training state (with its groups as the view shows them).
    public struct TrainingFragments: Sendable, Equatable {
        let groups: [UInt8]
        let metrics: [UInt8]
        let lrFind: [UInt8]?

        public init(training: JobTrainingState) {
            var w = WireWriter(capacity: 512)
            w.beginArray()
            for group in training.groups { group.write(to: &w) }
            w.endArray()
            groups = w.bytes
            w = WireWriter(capacity: 512)
            JobMetricsView(training).write(to: &w)
            metrics = w.bytes
            lrFind = training.lrFind.map { lrFind in
                var w = WireWriter(capacity: 1024)
                lrFind.write(to: &w)
                return w.bytes
            }
        }
    }
}
