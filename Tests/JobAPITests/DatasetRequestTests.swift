import Testing
@testable import JobAPI

/// `CreateDatasetRequest`: every problem of a body listed at once with its path.
@Suite struct DatasetRequestTests {
    func read(_ json: String) throws -> Result<CreateDatasetRequest, SpecError> {
        CreateDatasetRequest.read(try document(json))
    }

    @Test func defaultsAndFullForm() throws {
        #expect(try read(#"{"name": "d", "path": "shapes"}"#).get() == CreateDatasetRequest(name: "d", path: "shapes"))
        #expect(try read(#"{"name": "d", "path": "a/b", "channels": 3, "image_size": 224}"#).get()
                == CreateDatasetRequest(name: "d", path: "a/b", channels: 3, imageSize: 224))
    }

    @Test func everyProblemAtOnce() throws {
        let result = try read(#"{"path": "", "channels": 2, "image_size": 4, "colour": 1, "clases": 2}"#)
        #expect(result.problems.prefix(4) == ["name: is required", "path: must not be empty",
                                              "channels: must be 1 (grayscale) or 3 (RGB), got 2",
                                              "image_size: must be in 8...1024, got 4"])
        #expect(result.paths.suffix(2) == ["clases", "colour"])
        #expect(result.problems.last == "colour: unknown field (accepted here: channels, image_size, name, path)")
    }

    @Test func limitsFromTextLimits() throws {
        let longPath = String(repeating: "p", count: TextLimits.path.upperBound + 1)
        #expect(try read(#"{"name": "d", "path": "\#(longPath)"}"#).problems
                == ["path: must be 1 to 4096 characters (Unicode code points), got 4097"])
        #expect(try read(#"{"name": "d", "path": "\#(String(repeating: "p", count: 4096))"}"#).problems == [])
        #expect(try read(#"{"name": "d\u0007", "path": "x"}"#).problems == ["name: must not contain control characters"])
        #expect(try read(#"{"name": "d", "path": "x", "channels": 0, "image_size": 1025.5}"#).problems
                == ["channels: must be in 1...3, got 0", "image_size: must be an integer, got 1025.5"])
    }

    @Test func typesAreNamed() throws {
        #expect(try read(#"{"name": 1, "path": ["x"], "channels": "3"}"#).problems
                == ["name: must be a string, got a number", "path: must be a string, got a list",
                    "channels: must be an integer, got a string"])
        #expect(try read(#""shapes""#).problems == ["must be an object, got a string"])
    }
}
