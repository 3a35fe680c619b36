@testable import Daemon
import Foundation
import JobAPI
import Testing

/// Issue 14: numbers and sizes entering through request bodies and flags are range-checked as
/// numbers, never after a wrapping conversion; error text never carries the server's paths.
@Suite struct RequestLimitsTests {
    static func body(_ json: String) throws -> RequestBody {
        RequestBody(fields: try Wire.decode([String: JSONValue].self, from: Data(json.utf8)))
    }

    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as APIError { return error.message } catch { return "\(error)" }
        return nil
    }

    /// NSNumber's intValue of 18446744073709555712 (2^64 + 4096) is 4096: that passed the 1...100000
    /// check for num_classes.
    @Test func integerBeyond64BitsIsOutOfRangeNotWrapped() throws {
        let body = try Self.body(#"{"num_classes": 18446744073709555712, "seed": 1e300, "ok": 7}"#)
        #expect(Self.message { _ = try body.optionalInt("num_classes", range: 1...100_000) } == "num_classes: must be in 1...100000")
        #expect(Self.message { _ = try body.optionalInt("seed", range: 0...Int(Int32.max)) } == "seed: must be in 0...2147483647")
        #expect(try body.optionalInt("ok", range: 1...10) == 7)
    }

    @Test func namesAreCountedInCodePoints() throws {
        let long = try Self.body(#"{"name": "\#(String(repeating: "a\u{300}", count: 200))"}"#)
        #expect(Self.message { _ = try long.text("name") }?.contains("got 400") == true)
        let control = try Self.body(#"{"name": "a\nb"}"#)
        #expect(Self.message { _ = try control.text("name") } == "name: must not contain control characters")
        let names = try Self.body(#"{"class_names": ["cat", "d\u0000g"]}"#)
        #expect(Self.message { _ = try names.optionalNames("class_names", maxCount: 10) } == "class_names[1]: must not contain control characters")
    }

    @Test func memorySizes() {
        #expect(MemorySize.parse("4GiB") == 4 << 30)
        #expect(MemorySize.parse("512M") == 512 << 20)
        #expect(MemorySize.parse("1048576") == 1 << 20)
        #expect(MemorySize.parse("99999999999999999999") == nil)
        #expect(MemorySize.parse("9000000000TiB") == nil)
        #expect(MemorySize.parse("4 parsecs") == nil)
        #expect(MemorySize.parse("") == nil)
        #expect(MemorySize.defaultJobLimit > 0)
    }

    @Test func maxJobMemoryFromConfigFile() throws {
        let config = try JSONDecoder().decode(DaemonConfiguration.self, from: Data(#"{"max_job_memory": "2GiB"}"#.utf8))
        #expect(config.resolvedMaxJobMemory == 2 << 30)
        #expect(try JSONDecoder().decode(DaemonConfiguration.self, from: Data(#"{"max_job_memory": 1073741824}"#.utf8)).maxJobMemory == 1 << 30)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DaemonConfiguration.self, from: Data(#"{"max_job_memory": "lots"}"#.utf8)) }
        var tiny = DaemonConfiguration()
        tiny.maxJobMemory = 10
        #expect(tiny.problems() == ["max_job_memory: must be at least 1MiB"])
    }

    @Test func errorsShowPlaceholdersNotServerPaths() {
        var configuration = DaemonConfiguration()
        configuration.dataDir = "./var-test"
        let cwd = FileManager.default.currentDirectoryPath
        let redactor = PathRedactor(configuration: configuration)
        #expect(redactor.redact("cannot read \(cwd)/var-test/datasets/x/a.png") == "cannot read <dataset-root>/x/a.png")
        #expect(redactor.redact("artifact ./var-test/artifacts/a is missing") == "artifact <data-dir>/artifacts/a is missing")
        #expect(redactor.redact("/usr/share/datasets/fashion-mnist/t10k: short") == "<fashion-mnist>/t10k: short")
        let error = APIError.invalid(field: "path", "\(cwd)/var-test/datasets/a: not a folder").redacting(redactor)
        #expect(error.message == "path: <dataset-root>/a: not a folder")
        #expect(error.details.first?.message == "<dataset-root>/a: not a folder")
    }
}
