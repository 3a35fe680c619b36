import Foundation

/// `POST /v1/models`, one of three ways in (docs/api.md): a built-in architecture with fresh weights,
/// an upload of safetensors weights (JSON with `weights_base64`, or the raw body with the other fields
/// in the query), or the promotion of a finished job's checkpoint (`from_job`). Which one a JSON body
/// is follows from its fields: `from_job`, else `weights_base64`, else a built-in.
public enum CreateModelRequest: Sendable, Equatable {
    case builtin(Builtin)
    case upload(Upload)
    case promote(Promote)

    /// `{"name", "architecture", "num_classes"?, "seed"?, "class_names"?}`.
    public struct Builtin: Sendable, Equatable {
        public var name: String
        /// One of the built-ins the reader was given.
        public var architecture: String
        /// Nil: the architecture's own head.
        public var numClasses: Int?
        public var seed: Int
        /// Empty, or one name per class (the daemon checks the count against the built model).
        public var classNames: [String]
    }

    /// The architecture comes from `architectureSpec` if given, else the file's own metadata, else
    /// `architecture` (a built-in name; `numClasses` defaults to the file's head).
    public struct Upload: Sendable, Equatable {
        public var name: String
        /// The safetensors bytes: the decoded `weights_base64`, or the raw body.
        public var weights: Data
        /// A Thaw architecture spec object, parsed by NN.
        public var architectureSpec: JSONValue?
        public var architecture: String?
        public var numClasses: Int?
        public var classNames: [String]?
    }

    /// `{"from_job", "name", "checkpoint"?}`: the job's `best` (default) or `last` checkpoint.
    public struct Promote: Sendable, Equatable {
        public var jobID: String
        public var name: String
        public var checkpoint: Checkpoint

        public enum Checkpoint: String, Sendable, Equatable, CaseIterable {
            case best, last
        }
    }

    public static let classCounts = 1...100_000
    public static let seeds = 0...Int(Int32.max)
    /// At most one class name per class.
    public static let maxClassNames = 100_000
}

extension CreateModelRequest {
    /// Reads a JSON body, listing every problem at once. `architectures` are the built-in names (NN's
    /// knowledge, passed in: this module has no dependencies); `numClassesQuery` is the last
    /// `?num_classes=`, which is checked on every request though only a raw upload uses it.
    public static func read(_ body: JSONValue, architectures: [String], numClassesQuery: String? = nil)
        -> Result<CreateModelRequest, SpecError> {
        let log = ProblemLog()
        if let numClassesQuery { _ = queryClasses(numClassesQuery, log: log) }
        guard var reader = ObjectReader(body, path: "", log: log, nullIsAbsent: false) else { return log.result(nil) }
        if reader.has("from_job") {
            let promote = readPromote(&reader)
            reader.finish()
            return log.result(promote.map(Self.promote))
        }
        if reader.has("weights_base64") {
            let weights = reader.string("weights_base64").flatMap { text -> Data? in
                guard let bytes = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                    log.add("weights_base64", "is not valid base64")
                    return nil
                }
                return bytes
            }
            let upload = readUpload(&reader, weights: weights)
            reader.finish()
            return log.result(upload.map(Self.upload))
        }
        let builtin = readBuiltin(&reader, architectures: architectures)
        reader.finish()
        return log.result(builtin.map(Self.builtin))
    }

    /// Reads the query of a raw upload (`?name=…&architecture=…`; the body is `weights`). Every value
    /// is a string; `num_classes` must read as an integer in `classCounts`. A repeated name keeps its
    /// last value.
    public static func readUpload(query: [(name: String, value: String)], weights: Data) -> Result<Upload, SpecError> {
        let log = ProblemLog()
        var fields: [String: JSONValue] = [:]
        for item in query { fields[item.name] = .string(item.value) }
        if case .string(let text)? = fields["num_classes"] {
            fields["num_classes"] = queryClasses(text, log: log).map { .number(Double($0)) } ?? nil
        }
        guard var reader = ObjectReader(.object(fields), path: "", log: log, nullIsAbsent: false) else { return log.result(nil) }
        let upload = readUpload(&reader, weights: weights)
        reader.finish()
        return log.result(upload)
    }

    private static func queryClasses(_ text: String, log: ProblemLog) -> Int? {
        guard let n = Int(text), classCounts.contains(n) else {
            log.add("num_classes", "must be an integer in \(classCounts.lowerBound)...\(classCounts.upperBound)")
            return nil
        }
        return n
    }

    private static func readBuiltin(_ reader: inout ObjectReader, architectures: [String]) -> Builtin? {
        let name = reader.text("name", required: true)
        var architecture = reader.text("architecture", required: true)
        if let given = architecture, !architectures.contains(given) {
            reader.log.add(reader.at("architecture"), "unknown architecture '\(given)'; built-ins are \(architectures.joined(separator: ", "))")
            architecture = nil
        }
        let classes = reader.int("num_classes", in: classCounts)
        let seed = reader.int("seed", in: seeds)
        let classNames = reader.names("class_names", maxCount: maxClassNames)
        guard let name, let architecture else { return nil }
        return Builtin(name: name, architecture: architecture, numClasses: classes, seed: seed ?? 0, classNames: classNames ?? [])
    }

    private static func readUpload(_ reader: inout ObjectReader, weights: Data?) -> Upload? {
        let name = reader.text("name", required: true)
        var spec = reader.value("architecture_spec")
        switch spec {
        case .object?, nil: break
        case let given?:
            reader.log.add(reader.at("architecture_spec"), "must be a JSON object (an architecture spec), got \(given.typeName)")
            spec = nil
        }
        let architecture = reader.text("architecture")
        let classes = reader.int("num_classes", in: classCounts)
        let classNames = reader.names("class_names", maxCount: maxClassNames)
        guard let name, let weights else { return nil }
        return Upload(name: name, weights: weights, architectureSpec: spec, architecture: architecture,
                      numClasses: classes, classNames: classNames)
    }

    private static func readPromote(_ reader: inout ObjectReader) -> Promote? {
        let jobID = reader.text("from_job", TextLimits.identifier, required: true)
        let name = reader.text("name", required: true)
        var checkpoint = Promote.Checkpoint.best
        if let given = reader.string("checkpoint") {
            if let choice = Promote.Checkpoint(rawValue: given) {
                checkpoint = choice
            } else {
                reader.log.add(reader.at("checkpoint"), "must be \"best\" or \"last\", got \"\(given)\"")
            }
        }
        guard let jobID, let name else { return nil }
        return Promote(jobID: jobID, name: name, checkpoint: checkpoint)
    }
}
