import Foundation
import JobAPI
import Testing

@testable import Daemon

/// `GET /v1/nodes` in process: the nodes' heartbeats and the jobs their workers hold.
@Suite struct NodeRouteTests {
    @Test func nodesListTheirHeartbeatAgeWorkersAndRunningJobs() throws {
        let api = try InProcessAPI { $0.nodeID = "trainer-1"; $0.workers = 2 }
        #expect(try api.get("/v1/nodes").text == #"{"data":[],"has_more":false,"object":"list"}"#)
        let model = try api.registerModel()
        let dataset = try api.registerShapes()
        let job = try api.submit(model: model, dataset: dataset)
        _ = try #require(try api.daemon.jobs.claimNext())  // claims as node trainer-1
        try api.daemon.store.heartbeat(node: "trainer-1", workers: 2, starting: true)
        let reply = try api.get("/v1/nodes")
        #expect(reply.status == 200)
        guard case .array(let nodes)? = reply["data"] else { Issue.record("no data: \(reply.text)"); return }
        #expect(nodes.count == 1)
        let node = nodes[0]
        #expect(node.field("object") == .string("node"))
        #expect(node.field("id") == .string("trainer-1"))
        #expect(node.field("workers") == .number(2))
        #expect(node.field("running_jobs") == .array([.string(job)]))
        let age = try #require(node.field("heartbeat_age_seconds")?.number)
        #expect(age >= 0 && age < 60)
        #expect(try api.get("/v1/jobs/\(job)")["node"] == .string("trainer-1"))
        let metrics = try api.get("/metrics").text
        #expect(metrics.contains(#"thaw_node_workers{node="trainer-1"} 2"#))
        #expect(metrics.contains(#"thaw_node_running_jobs{node="trainer-1"} 1"#))
        #expect(metrics.contains(#"thaw_node_heartbeat_age_seconds{node="trainer-1"} "#))
    }
}
