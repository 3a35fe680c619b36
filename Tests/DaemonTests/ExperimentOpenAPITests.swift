import Foundation
import JobAPI
import Testing

/// docs/openapi.yaml's experiment schemas against the JobAPI reader they describe: the request's
/// fields are the ones `CreateExperimentRequest` accepts, its limits are the reader's constants, and
/// the built-in strategy names are `ExperimentStrategy.Builtin`'s.
@Suite struct ExperimentOpenAPITests {
    func schema(_ name: String) throws -> JSONValue {
        try #require(OpenAPIDriftTests.spec.get()[yaml: "components"]?[yaml: "schemas"]?[yaml: name], "no schema \(name)")
    }

    /// The fields the reader accepts at the top level and in an explicit strategy, from its
    /// unknown-field messages.
    static func accepted(_ json: String, at path: String) throws -> Set<String> {
        let body = try Wire.decode(JSONValue.self, from: Data(json.utf8))
        guard case .failure(let error) = CreateExperimentRequest.read(body) else {
            Issue.record("the probe \(json) read cleanly")
            return []
        }
        let problem = try #require(error.problems.first { $0.path == SpecPath.key(path, "zz_drift_probe") }, "\(error)")
        let list = try #require(problem.message.range(of: "accepted here: "))
        return Set(problem.message[list.upperBound...].dropLast().split(separator: ", ").map(String.init))
    }

    @Test func theRequestSchemaHasExactlyTheFieldsTheReaderAccepts() throws {
        let request = try schema("ExperimentRequest")
        #expect(request[yaml: "additionalProperties"] == .bool(false))
        #expect(OpenAPIDriftTests.properties(request) == (try Self.accepted(#"{"zz_drift_probe": 0}"#, at: "")))
        let explicit = try #require(request[yaml: "properties"]?[yaml: "strategies"]?[yaml: "items"]?[yaml: "oneOf"]?.yamlArray?.last)
        #expect(OpenAPIDriftTests.properties(explicit)
                == (try Self.accepted(#"{"strategies": [{"name": "x", "phases": [], "zz_drift_probe": 0}]}"#, at: "strategies[0]")))
    }

    @Test func theLimitsAndBuiltinsAreTheReadersConstants() throws {
        let properties = try #require(try schema("ExperimentRequest")[yaml: "properties"])
        #expect(properties[yaml: "name"]?[yaml: "maxLength"] == .number(Double(CreateExperimentRequest.nameRange.upperBound)))
        #expect(properties[yaml: "strategies"]?[yaml: "maxItems"] == .number(Double(CreateExperimentRequest.maxStrategies)))
        #expect(properties[yaml: "seeds"]?[yaml: "maxItems"] == .number(Double(CreateExperimentRequest.maxSeeds)))
        #expect(properties[yaml: "epochs"]?[yaml: "minimum"] == .number(Double(CreateExperimentRequest.epochsRange.lowerBound)))
        #expect(properties[yaml: "epochs"]?[yaml: "maximum"] == .number(Double(CreateExperimentRequest.epochsRange.upperBound)))
        #expect(properties[yaml: "epochs"]?[yaml: "default"] == .number(Double(CreateExperimentRequest.defaultEpochs)))
        let builtins = properties[yaml: "strategies"]?[yaml: "items"]?[yaml: "oneOf"]?.yamlArray?.first?[yaml: "enum"]
        #expect(builtins == .array(ExperimentStrategy.Builtin.allCases.map { .string($0.rawValue) }))
        #expect(try OpenAPIDriftTests.spec.get()[yaml: "paths"]?[yaml: "/v1/experiments/{id}/cancel"]?[yaml: "post"] != nil)
    }
}
