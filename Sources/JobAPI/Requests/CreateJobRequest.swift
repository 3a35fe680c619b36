/// `POST /v1/jobs`: a job spec plus the queue's `priority` (integer in -1000...1000, default 0), which
/// is not part of the spec. The stored spec is the document as posted without `priority`.
public struct CreateJobRequest: Sendable, Equatable {
    public var spec: JobSpec
    public var priority: Int
    /// What the store keeps and the job object shows as `spec`: the body's own text when it has no
    /// `priority`, else the document without it (wire encoding).
    public var specText: String

    public static let priorityRange = -1000...1000
}

extension CreateJobRequest {
    /// One read of a request body: the spec's structure is checked and every problem kept; the model
    /// and dataset it names are exposed (when they read cleanly) so the caller can look them up and
    /// `validate` against them before taking the `request`. Nothing is parsed twice.
    public final class Reading {
        public let priority: Int
        public let specText: String
        /// The document without `priority`.
        public let document: JSONValue
        let spec: JobSpec?
        let log = ProblemLog()

        init(document: JSONValue, text: String, priority: Int?) {
            self.priority = priority ?? 0
            self.document = document
            specText = text
            spec = JobSpec.read(document, path: "", log: log)
        }

        /// The model the spec names, unless that part already has a problem.
        public var model: ModelSource? {
            guard let spec, log.isClean(under: "model") else { return nil }
            return spec.model
        }

        /// The dataset id the spec names, unless it is missing or malformed.
        public var datasetID: String? {
            guard let spec, !spec.dataset.id.isEmpty,
                  !log.problems.contains(where: { $0.path == "dataset" || $0.path == "dataset.id" }) else { return nil }
            return spec.dataset.id
        }

        /// The spec as read (fields that failed hold defaults); nil when the document is not an object.
        public var partialSpec: JobSpec? { spec }

        /// Checks the spec against the model's groups and the dataset's classes, adding to `problems`.
        public func validate(against context: SpecContext) {
            spec?.validate(context, log: log)
        }

        /// Every problem so far, in document order (priority's first).
        public var problems: [SpecProblem] { log.problems }

        /// The request, when no problem was found.
        public var request: CreateJobRequest? {
            guard let spec, log.problems.isEmpty else { return nil }
            return CreateJobRequest(spec: spec, priority: priority, specText: specText)
        }
    }

    /// Reads a body already parsed as JSON (`text` is the body as it came).
    public static func read(_ body: JSONValue, text: String) -> Reading {
        guard case .object(var fields) = body else {
            let reading = Reading(document: body, text: text, priority: nil)
            return reading
        }
        var priority: Int?
        var priorityProblem: String?
        if let value = fields.removeValue(forKey: "priority") {
            if case .number(let n) = value, n == n.rounded() {
                if n >= Double(priorityRange.lowerBound), n <= Double(priorityRange.upperBound) {
                    priority = Int(n)
                } else {
                    priorityProblem = "must be in \(priorityRange.lowerBound)...\(priorityRange.upperBound)"
                }
            } else {
                priorityProblem = "must be an integer"
            }
            let document = JSONValue.object(fields)
            let stripped = (try? Wire.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? text
            let reading = Reading(document: document, text: stripped, priority: priority)
            if let priorityProblem { reading.log.insertFirst("priority", priorityProblem) }
            return reading
        }
        return Reading(document: body, text: text, priority: nil)
    }
}
