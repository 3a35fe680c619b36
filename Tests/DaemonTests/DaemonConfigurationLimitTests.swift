import Daemon
import Foundation
import Testing

@Suite struct DaemonConfigurationLimitTests {
    @Test func bodyLimitsDefaultTo1MiBAnd512MiB() {
        let configuration = DaemonConfiguration()
        #expect(configuration.maxJSONBodyBytes == 1 << 20)
        #expect(configuration.maxUploadBodyBytes == 512 << 20)
    }

    @Test func bodyLimitsComeFromTheConfigFile() throws {
        let json = #"{"max_json_body_bytes": 4096, "max_upload_body_bytes": 1073741824}"#
        let configuration = try JSONDecoder().decode(DaemonConfiguration.self, from: Data(json.utf8))
        #expect(configuration.maxJSONBodyBytes == 4096)
        #expect(configuration.maxUploadBodyBytes == 1 << 30)
        #expect(configuration.problems().isEmpty)
    }

    @Test func bodyLimitsOutOfRangeAreProblemsNamingTheKey() {
        var configuration = DaemonConfiguration()
        configuration.maxJSONBodyBytes = 10
        configuration.maxUploadBodyBytes = -1
        let problems = configuration.problems()
        #expect(problems.contains { $0.hasPrefix("max_json_body_bytes:") })
        #expect(problems.contains { $0.hasPrefix("max_upload_body_bytes:") })
    }

    @Test func deployExampleConfigDecodes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("deploy/thawd.json"))
        let configuration = try JSONDecoder().decode(DaemonConfiguration.self, from: data)
        #expect(configuration.maxJSONBodyBytes == 1 << 20 && configuration.maxUploadBodyBytes == 512 << 20)
    }

    @Test func deployClusterNodeConfigDecodesWithoutProblems() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("deploy/thawd-node.json"))
        let configuration = try JSONDecoder().decode(DaemonConfiguration.self, from: data)
        #expect(configuration.problems().isEmpty)
        #expect(configuration.isSharedStore && configuration.leaseTimeoutSeconds == 30)
        #expect(configuration.storeConfiguration.artifactsDirectory == "/mnt/thaw/artifacts")
        #expect(configuration.storeConfiguration.leaseTimeout == 30)
    }

    @Test func aLeaseTimeoutNotAboveTheHeartbeatIsAProblem() {
        var configuration = DaemonConfiguration()
        configuration.heartbeatSeconds = 5
        configuration.leaseTimeoutSeconds = 5
        #expect(configuration.problems().contains { $0.hasPrefix("lease_timeout_seconds:") })
        configuration.leaseTimeoutSeconds = 0.5
        #expect(configuration.problems().contains { $0.hasPrefix("lease_timeout_seconds:") })
        configuration.leaseTimeoutSeconds = 30
        #expect(configuration.problems().isEmpty)
    }
}
