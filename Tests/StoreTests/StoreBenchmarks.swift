import Foundation
import Testing

@testable import Store

/// Figures for docs/store.md; run only on request (debug build, so absolute times are pessimistic):
/// `THAW_STORE_BENCH=1 swift test --filter StoreTests.StoreBenchmarks`
@Suite(.serialized) struct StoreBenchmarks {
    static let enabled = ProcessInfo.processInfo.environment["THAW_STORE_BENCH"] != nil

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test(.enabled(if: StoreBenchmarks.enabled), arguments: [StoreConfiguration.Synchronous.full, .normal])
    func commitsPerSecond(synchronous: StoreConfiguration.Synchronous) throws {
        let fixture = try StoreFixture(.standard, synchronous: synchronous)  // PostgreSQL in that pass
        let job = try fixture.store.createJob(spec: spec)
        let count = 500
        let elapsed = try seconds {
            for epoch in 0..<count { try fixture.store.appendEvent(job: job.id, type: "epoch", payload: #"{"epoch":\#(epoch)}"#) }
        }
        print("STORE-BENCH \(fixture.storage.rawValue) synchronous=\(synchronous.rawValue): \(count) appendEvent commits in \(String(format: "%.3f", elapsed)) s = \(String(format: "%.2f", elapsed / Double(count) * 1000)) ms/commit")
    }

    @Test(.enabled(if: StoreBenchmarks.enabled)) func artifactWriteAndVerify() throws {
        let fixture = try StoreFixture()
        let job = try fixture.store.claimNextQueued(after: fixture.store.createJob(spec: spec))
        let bytes = [UInt8](repeating: 0x5a, count: 45 << 20)  // about resnet18's float32 weights
        var checkpoint: CheckpointRecord?
        let write = try seconds {
            checkpoint = try fixture.store.addCheckpoint(job: job.id, kind: .last, epoch: 1, source: .bytes(bytes))
        }
        let ref = try #require(checkpoint).artifact
        let read = try seconds { _ = try fixture.store.readArtifact(ref) }
        let verify = try seconds { _ = try fixture.store.verifiedArtifact(ref) }
        print("STORE-BENCH 45 MiB checkpoint: write+fsync+rename \(String(format: "%.3f", write)) s, verified read \(String(format: "%.3f", read)) s, streaming verify \(String(format: "%.3f", verify)) s")
    }

    /// `nodes` Stores (each its own connection, as separate thawds would have) claiming 1,000 queued
    /// jobs at once with `FOR UPDATE SKIP LOCKED`: claims/s over all, and each claim's latency.
    @Test(.enabled(if: StoreBenchmarks.enabled && TestBackend.isPostgres), arguments: [10, 50])
    func claimsFromManyNodes(nodes: Int) throws {
        let fixture = try StoreFixture(.postgres)
        let count = 1_000
        for index in 0..<count { try fixture.store.createJob(priority: index % 5, spec: spec) }
        let stores = try (0..<nodes).map { _ in
            try Store(configuration: .postgres(uri: fixture.postgresURI!, dataDirectory: fixture.directory.path,
                                               synchronous: .full, exclusive: false))
        }
        let latencies = LatencyLog()
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        for (index, store) in stores.enumerated() {
            group.enter()
            Thread {
                while true {
                    let begin = DispatchTime.now().uptimeNanoseconds
                    guard let job = try? store.claimNextQueued(node: "node-\(index)") else { break }
                    latencies.add(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6, job.id)
                }
                group.leave()
            }.start()
        }
        group.wait()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let sorted = latencies.milliseconds.sorted()
        #expect(Set(latencies.ids).count == count && latencies.ids.count == count)
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        print("STORE-BENCH postgres claims nodes=\(nodes): \(count) claims in \(String(format: "%.2f", elapsed)) s = \(String(format: "%.0f", Double(count) / elapsed)) claims/s; latency p50 \(String(format: "%.1f", percentile(0.5))) ms, p99 \(String(format: "%.1f", percentile(0.99))) ms")
    }
}

final class LatencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    private var claimed: [String] = []
    func add(_ milliseconds: Double, _ id: String) { lock.withLock { values.append(milliseconds); claimed.append(id) } }
    var milliseconds: [Double] { lock.withLock { values } }
    var ids: [String] { lock.withLock { claimed } }
}
