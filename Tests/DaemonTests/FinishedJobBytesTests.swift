import Foundation
@testable import Daemon
import Store
import Testing

/// `GET /v1/jobs/{id}` over a real socket while a finished job's bytes come from the memo
/// (`JobService.jobBytes`): the same answer as the first read's, the same headers as before (no
/// ETag, so no conditional answers), HEAD the same head with no body, and a write shows at once.
@Suite struct FinishedJobBytesTests {
    @Test func headersHeadAndConditionalRequestsAreUnchanged() throws {
        let fixture = try DaemonFixture()
        let job = try fixture.store.createJob(name: "done", spec: "{}")
        _ = try fixture.store.claimNextQueued()
        try fixture.store.transitionJob(job.id, to: .succeeded, result: #"{"epochs":1}"#)
        let path = "/v1/jobs/\(job.id)"

        let first = try fixture.client.get(path)
        #expect(first.status == 200)
        #expect(first.header("Content-Type") == "application/json")
        #expect(first.header("ETag") == nil, "the job route has no entity tag")
        #expect(first.header("Content-Length") == String(first.body.count))
        #expect(fixture.daemon.jobs.viewMemo.finished(job: job.id, writeVersion: fixture.store.writeVersion) == first.body,
                "the answer was kept")

        let second = try fixture.client.get(path)
        #expect(second.status == 200 && second.body == first.body)
        #expect(second.header("Content-Length") == first.header("Content-Length"))

        let head = try fixture.client.send("HEAD", path)
        #expect(head.status == 200)
        #expect(head.header("Content-Type") == "application/json")
        #expect(head.header("Content-Length") == String(first.body.count))
        #expect(head.header("ETag") == nil)
        #expect(head.body.isEmpty)

        // No validator on this route: If-None-Match changes nothing (a 200 with the whole body).
        for match in ["*", "\"anything\""] {
            let conditional = try fixture.client.send("GET", path, headers: [("If-None-Match", match)])
            #expect(conditional.status == 200 && conditional.body == first.body)
        }

        // A delete is a write: the kept bytes are not served, the job is gone.
        try fixture.store.deleteJob(job.id)
        #expect(try fixture.client.get(path).status == 404)
        #expect(try fixture.client.send("HEAD", path).status == 404)
        // Keep-alive and the other routes are as before.
        #expect(try fixture.client.get("/healthz").status == 200)
    }
}
