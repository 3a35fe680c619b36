import Foundation
import JobAPI
@testable import Daemon
import Testing

/// `HealthBody` is a fast path beside the typed `HealthView` encoded through `Wire`: the view is the
/// oracle, so `/healthz`'s bytes cannot drift from the contract.
@Suite struct HealthBodyTests {
    static func reference(_ uptime: Double, version: String) throws -> [UInt8] {
        [UInt8](try Wire.encode(HealthView(version: version, uptimeSeconds: uptime)))
    }

    @Test func matchesTheEncodedHealthViewForUptimesInMilliseconds() throws {
        let body = HealthBody(version: thawVersion)
        var uptimes: [Double] = [0, 0.001, 0.01, 0.1, 1, 3.766, 18.16, 59.999, 86_400, 31_536_000.123, 1e15, 1e16 + 2]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let milliseconds = Double(seed >> 24) // up to ~1.1e13 ms: centuries of uptime
            uptimes.append(milliseconds / 1000)
        }
        for uptime in uptimes {
            #expect(body.bytes(uptimeSeconds: uptime) == (try Self.reference(uptime, version: thawVersion)),
                    "uptime \(uptime)")
        }
    }

    @Test func versionIsEscapedOnce() throws {
        let version = "1.0 \"beta\"/\\"
        #expect(HealthBody(version: version).bytes(uptimeSeconds: 2.5) == (try Self.reference(2.5, version: version)))
    }

    @Test func shapeIsTheDocumentedOne() {
        #expect(String(decoding: HealthBody(version: "0.1.0").bytes(uptimeSeconds: 18.16), as: UTF8.self)
                == #"{"status":"ok","uptime_seconds":18.16,"version":"0.1.0"}"#)
    }
}
