@testable import Daemon
import Foundation
import JobAPI
import Testing

/// Issue 14: sizes entering through flags and config are range-checked as numbers, never after a
/// wrapping conversion (request bodies: JobAPITests' `ModelRequestTests`); error text never carries
/// the server's paths.
@Suite struct RequestLimitsTests {
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
