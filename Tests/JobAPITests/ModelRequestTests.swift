import Foundation
import Testing
@testable import JobAPI

/// `CreateModelRequest`: the three ways in, every problem of a body listed at once with its path.
@Suite struct ModelRequestTests {
    static let builtins = ["small-cnn", "resnet18"]

    func read(_ json: String, query: String? = nil) throws -> Result<CreateModelRequest, SpecError> {
        CreateModelRequest.read(try document(json), architectures: Self.builtins, numClassesQuery: query)
    }

    @Test func aBuiltInWithDefaults() throws {
        let request = try read(#"{"name": "cnn", "architecture": "small-cnn"}"#).get()
        #expect(request == .builtin(.init(name: "cnn", architecture: "small-cnn", numClasses: nil, seed: 0, classNames: [])))
        let full = try read(#"{"name": "cnn", "architecture": "small-cnn", "num_classes": 2, "seed": 7, "class_names": ["a", "b"]}"#).get()
        #expect(full == .builtin(.init(name: "cnn", architecture: "small-cnn", numClasses: 2, seed: 7, classNames: ["a", "b"])))
    }

    @Test func everyProblemOfABuiltInAtOnce() throws {
        let result = try read(#"{"architecture": "resnet101", "num_classes": 0, "seed": -1, "class_names": ["ok", 3], "colour": true, "clases": 2}"#)
        #expect(result.paths == ["name", "architecture", "num_classes", "seed", "class_names[1]", "clases", "colour"])
        #expect(result.problems[1] == "architecture: unknown architecture 'resnet101'; built-ins are small-cnn, resnet18")
        #expect(result.problems[2] == "num_classes: must be in 1...100000, got 0")
        #expect(result.problems[5].hasPrefix("clases: unknown field (accepted here: architecture, class_names, name, num_classes, seed"))
    }

    /// NSNumber's intValue of 18446744073709555712 (2^64 + 4096) is 4096: that once passed the
    /// 1...100000 check for num_classes.
    @Test func integersBeyond64BitsAreOutOfRangeNotWrapped() throws {
        let result = try read(#"{"name": "x", "architecture": "small-cnn", "num_classes": 18446744073709555712, "seed": 1e300}"#)
        #expect(result.problems == ["num_classes: must be in 1...100000, got 1.8446744073709556e+19",
                                    "seed: must be in 0...2147483647, got 1e+300"])
        #expect(try read(#"{"name": "x", "architecture": "small-cnn", "num_classes": 2.5}"#).problems == ["num_classes: must be an integer, got 2.5"])
    }

    @Test func namesAreCountedInCodePointsWithoutControlCharacters() throws {
        let long = String(repeating: "a\u{300}", count: 200)
        #expect(try read(#"{"name": "\#(long)", "architecture": "small-cnn"}"#).problems
                == ["name: must be 1 to 256 characters (Unicode code points), got 400"])
        #expect(try read(#"{"name": "a\nb", "architecture": "small-cnn"}"#).problems == ["name: must not contain control characters"])
        #expect(try read(#"{"name": "", "architecture": "small-cnn"}"#).problems == ["name: must not be empty"])
        #expect(try read(#"{"name": "x", "architecture": "small-cnn", "class_names": ["cat", "d\u0000g", ""]}"#).problems
                == ["class_names[1]: must not contain control characters", "class_names[2]: must not be empty"])
        #expect(try read(#"{"name": "x", "architecture": "small-cnn", "class_names": "cat"}"#).paths == ["class_names"])
    }

    @Test func aBase64Upload() throws {
        let request = try read(#"{"name": "up", "weights_base64": "bm9wZQ==", "architecture": "resnet18", "num_classes": 10}"#).get()
        #expect(request == .upload(.init(name: "up", weights: Data("nope".utf8), architectureSpec: nil, architecture: "resnet18",
                                         numClasses: 10, classNames: nil)))
        let spec = try read(#"{"name": "up", "weights_base64": "", "architecture_spec": {"name": "m"}}"#).get()
        guard case .upload(let upload) = spec else { Issue.record("not an upload"); return }
        #expect(upload.architectureSpec == .object(["name": .string("m")]), "NN reads the spec itself")
    }

    @Test func everyProblemOfAnUploadAtOnce() throws {
        let result = try read(#"{"weights_base64": 5, "architecture_spec": [1], "num_classes": "ten", "seed": 1}"#)
        #expect(result.paths == ["weights_base64", "name", "architecture_spec", "num_classes", "seed"], "seed is a built-in's")
        #expect(try read(#"{"name": "x", "weights_base64": "***"}"#).problems == ["weights_base64: is not valid base64"])
    }

    @Test func aRawUploadReadsItsQuery() throws {
        let weights = Data([1, 2, 3])
        let request = CreateModelRequest.readUpload(query: [("name", "r"), ("architecture", "resnet18"), ("num_classes", "5")], weights: weights)
        #expect(try request.get() == .init(name: "r", weights: weights, architectureSpec: nil, architecture: "resnet18",
                                           numClasses: 5, classNames: nil))
        let bad = CreateModelRequest.readUpload(query: [("num_classes", "null"), ("colour", "red")], weights: weights)
        #expect(bad.problems.first == "num_classes: must be an integer in 1...100000")
        #expect(bad.paths == ["num_classes", "name", "colour"])
        #expect(CreateModelRequest.readUpload(query: [("name", "r"), ("architecture_spec", "{}")], weights: weights).paths == ["architecture_spec"])
    }

    @Test func theQuerysNumClassesIsCheckedOnEveryRequest() throws {
        #expect(try read(#"{"name": "x", "architecture": "small-cnn"}"#, query: "abc").problems
                == ["num_classes: must be an integer in 1...100000"])
        #expect(try read(#"{"name": "x", "architecture": "small-cnn"}"#, query: "3").problems == [])
    }

    @Test func aPromotion() throws {
        #expect(try read(#"{"from_job": "job_1", "name": "p"}"#).get() == .promote(.init(jobID: "job_1", name: "p", checkpoint: .best)))
        #expect(try read(#"{"from_job": "job_1", "name": "p", "checkpoint": "last"}"#).get()
                == .promote(.init(jobID: "job_1", name: "p", checkpoint: .last)))
        let bad = try read(#"{"from_job": "\#(String(repeating: "j", count: 257))", "checkpoint": "middle", "seed": 1}"#)
        #expect(bad.paths == ["from_job", "name", "checkpoint", "seed"])
        #expect(bad.problems[2] == #"checkpoint: must be "best" or "last", got "middle""#)
    }

    @Test func aBodyThatIsNotAnObject() throws {
        #expect(try read("[1, 2]").problems == ["must be an object, got a list"])
        #expect(try read("[1, 2]").paths == [""], "the daemon reports it against the field body")
    }

    /// The OpenAPI schemas of these bodies have no nullable field: a null is a value of the wrong type.
    @Test func nullIsNotAbsent() throws {
        #expect(try read(#"{"name": "x", "architecture": "small-cnn", "num_classes": null}"#).problems
                == ["num_classes: must be an integer, got null"])
        #expect(try read(#"{"name": null, "architecture": "small-cnn", "from_job": null}"#).paths == ["from_job", "name", "architecture"],
                "a null from_job still chooses the promotion")
    }
}
