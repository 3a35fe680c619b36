import Foundation
import JobAPI
import NN
import Testing

/// docs/openapi.yaml checked against the code it describes, so the two cannot drift apart: the job
/// schema's properties are the fields the JobAPI reader accepts (and the reverse), the limits are the
/// JobAPI constants, every control action has its route, and every error code the server can send
/// is documented in openapi.yaml and docs/api.md. (deploy/contract-test.sh checks the same spec
/// against a live thawd with schemathesis.)
@Suite struct OpenAPIDriftTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static let spec: Result<JSONValue, Error> = Result { try MiniYAML.parse(text("docs/openapi.yaml")) }

    func schema(_ name: String) throws -> JSONValue {
        try #require(Self.spec.get()[yaml: "components"]?[yaml: "schemas"]?[yaml: name], "no schema \(name)")
    }

    /// The fields a JobAPI reader accepts at `path`, as its unknown-field message lists them: every
    /// reader marks each field it knows as read, so a probe field makes it name them all.
    static func acceptedFields(_ body: String, at path: String) throws -> Set<String> {
        guard case .failure(let error) = JobSpec.parse(json: Data(body.utf8)) else {
            Issue.record("the probe \(body) parsed")
            return []
        }
        let problem = try #require(error.problems.first { $0.path == SpecPath.key(path, "zz_drift_probe") },
                                   "no unknown-field problem at \(path): \(error)")
        let list = try #require(problem.message.range(of: "accepted here: "), "\(problem.message)")
        return Set(problem.message[list.upperBound...].dropLast().split(separator: ", ").map(String.init))
    }

    static func properties(_ schema: JSONValue) -> Set<String> {
        Set(schema[yaml: "properties"]?.yamlObject?.keys.map { $0 } ?? [])
    }

    @Test func theSpecReads() throws {
        let spec = try Self.spec.get()
        #expect(spec[yaml: "openapi"] == .string("3.1.0"))
        #expect((spec[yaml: "paths"]?.yamlObject?.count ?? 0) >= 20)
    }

    @Test func theJobSchemaHasExactlyTheFieldsTheReaderAccepts() throws {
        let job = try schema("JobRequest")
        #expect(job[yaml: "additionalProperties"] == .bool(false))
        let topLevel = try Self.acceptedFields(#"{"zz_drift_probe": 0}"#, at: "")
        #expect(Self.properties(job) == topLevel.union(["priority"]))

        let dataset = try #require(job[yaml: "properties"]?[yaml: "dataset"])
        // A fixed split reads the stratified fields present (to refuse them), so this probe names all.
        let datasetFields = try Self.acceptedFields(
            #"{"dataset": {"id": "d", "per_class": 1, "validation_fraction": 0.1, "seed": 1, "train_indices": [0], "zz_drift_probe": 0}}"#, at: "dataset")
        #expect(Self.properties(dataset) == datasetFields)

        let phase = try #require(job[yaml: "properties"]?[yaml: "phases"]?[yaml: "items"])
        let phaseFields = try Self.acceptedFields(
            #"{"phases": [{"trainable": "all", "epochs": 1, "max_epochs": 1, "zz_drift_probe": 0}]}"#, at: "phases[0]")
        #expect(Self.properties(phase) == phaseFields)
    }

    @Test func theLimitsAreTheJobAPIConstants() throws {
        let name = try schema("Name")
        #expect(name[yaml: "minLength"] == .number(Double(TextLimits.name.lowerBound)))
        #expect(name[yaml: "maxLength"] == .number(Double(TextLimits.name.upperBound)))
        let path = try #require(schema("DatasetRequest")[yaml: "properties"]?[yaml: "path"])
        #expect(path[yaml: "minLength"] == .number(Double(TextLimits.path.lowerBound)))
        #expect(path[yaml: "maxLength"] == .number(Double(TextLimits.path.upperBound)))
        let job = try schema("JobRequest")[yaml: "properties"]
        #expect(job?[yaml: "phases"]?[yaml: "maxItems"] == .number(Double(JobSpec.maxPhases)))
        let phaseName = job?[yaml: "phases"]?[yaml: "items"]?[yaml: "properties"]?[yaml: "name"]
        #expect(phaseName?[yaml: "maxLength"] == .number(Double(TextLimits.phaseName.upperBound)))
        let after = try Self.spec.get()[yaml: "components"]?[yaml: "parameters"]?[yaml: "After"]?[yaml: "schema"]
        #expect(after?[yaml: "maxLength"] == .number(Double(TextLimits.identifier.upperBound)))
    }

    @Test func theArchitectureListsAreTheBuiltIns() throws {
        #expect(try schema("BuiltinArchitecture")[yaml: "enum"] == .array(BuiltinArchitectures.names.map(JSONValue.string)))
        let jobModel = try schema("JobRequest")[yaml: "properties"]?[yaml: "model"]?[yaml: "oneOf"]
        // A job names its built-in through the same schema, so the list is written once.
        let byName = jobModel?.yamlArray?.compactMap { $0[yaml: "properties"]?[yaml: "architecture"]?[yaml: "$ref"] }.first
        #expect(byName == .string("#/components/schemas/BuiltinArchitecture"))
    }

    @Test func everyControlActionHasItsRoute() throws {
        let paths = try Self.spec.get()[yaml: "paths"]
        for action in ControlCommand.actions {
            #expect(paths?[yaml: "/v1/jobs/{id}/\(action)"]?[yaml: "post"] != nil, "no POST /v1/jobs/{id}/\(action)")
        }
        let routed = Set(paths?.yamlObject?.keys.filter { $0.hasPrefix("/v1/jobs/{id}/") }
            .filter { paths?[yaml: $0]?[yaml: "post"] != nil }.map { String($0.dropFirst("/v1/jobs/{id}/".count)) } ?? [])
        #expect(routed == Set(ControlCommand.actions))
        let commandAction = try schema("Command")[yaml: "properties"]?[yaml: "action"]?[yaml: "enum"]
        #expect(commandAction == .array(ControlCommand.actions.map(JSONValue.string)))
    }

    /// The codes the server can send: every `code: "…"` literal of the HTTP layers and the Daemon, the
    /// HTTP/1.1 parser's codes, the `…_not_found` of each kind, and a failed job's codes.
    static func serverErrorCodes() throws -> Set<String> {
        var codes = Set(FailureCode.allCases.map(\.rawValue))
        codes.formUnion(["job_not_found", "model_not_found", "dataset_not_found", "experiment_not_found", "not_found"])
        let literal = try NSRegularExpression(pattern: #"code: "([a-z0-9_]+)""#)
        let parserCase = try NSRegularExpression(pattern: #"case \.[A-Za-z0-9]+(?:, \.[A-Za-z0-9]+)*: "([a-z0-9_]+)""#)
        for folder in ["Sources/Daemon", "Sources/HTTPServer", "Sources/HTTP1"] {
            let url = root.appendingPathComponent(folder)
            for file in try FileManager.default.subpathsOfDirectory(atPath: url.path) where file.hasSuffix(".swift") {
                let source = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
                let range = NSRange(source.startIndex..., in: source)
                let patterns = file.hasSuffix("HTTPParseError.swift") ? [literal, parserCase] : [literal]
                for pattern in patterns {
                    for match in pattern.matches(in: source, range: range) {
                        codes.insert(String(source[Range(match.range(at: 1), in: source)!]))
                    }
                }
            }
        }
        return codes
    }

    @Test func everyErrorCodeTheServerSendsIsDocumented() throws {
        let codes = try Self.serverErrorCodes()
        #expect(codes.count > 40, "the scan found only \(codes.sorted())")
        for document in ["docs/openapi.yaml", "docs/api.md"] {
            let text = try Self.text(document)
            let missing = codes.filter { text.range(of: "(?<![a-z0-9_])\($0)(?![a-z0-9_])", options: .regularExpression) == nil }
            #expect(missing.isEmpty, "\(document) does not document \(missing.sorted())")
        }
    }

    @Test func theReaderReadsYAMLItsWay() throws {
        let value = try MiniYAML.parse("""
            a: 1
            b: {c: "x: y", d: [1, 'it''s', true]}
            # a comment
            e:
              - f: g
                h: null
              - plain words, with commas
            i: |
              one
              two
            j:
            - 2.5
            """)
        #expect(value == [
            "a": 1, "b": ["c": "x: y", "d": [1, "it's", true]],
            "e": [["f": "g", "h": nil], "plain words, with commas"],
            "i": "one\ntwo\n", "j": [2.5],
        ])
        #expect(throws: MiniYAML.ParseError.self) { try MiniYAML.parse("a: {b: 1") }
    }
}

extension JSONValue {
    subscript(yaml key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var yamlObject: [String: JSONValue]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    var yamlArray: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
