import Foundation
import HTTPServer
import JobAPI
import Store

/// `GET /v1/nodes` and the heartbeat that feeds it.
extension Daemon {
    func registerNodeRoutes(_ router: inout HTTPRouter) {
        route(&router, .GET, "/v1/nodes") { [unowned self] _ in try json(nodeViews()) }
    }

    func nodeViews(now: Date = Date()) throws -> ListPage<NodeView> {
        let views = try store.nodes().map { node in
            NodeView(id: node.id, startedAt: Int(node.startedAt.timeIntervalSince1970),
                     heartbeatAt: Int(node.heartbeatAt.timeIntervalSince1970),
                     heartbeatAgeSeconds: (max(0, now.timeIntervalSince(node.heartbeatAt)) * 1000).rounded() / 1000,
                     workers: node.workers, runningJobs: node.runningJobs)
        }
        return ListPage(views, hasMore: false)
    }

    /// One beat now (the process's first: it resets the node's `started_at`), then one every
    /// `--heartbeat` seconds until `shutdown`. A failed beat is logged and the next one tries again.
    func startHeartbeat() -> DispatchSourceTimer {
        let node = configuration.resolvedNodeID
        let workers = configuration.workers
        do { try store.heartbeat(node: node, workers: workers, starting: true) } catch {
            Log.warning("heartbeat of node \(node) failed: \(error)")
        }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "thaw.heartbeat"))
        let interval = configuration.heartbeatSeconds
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self, store] in
            do { try store.heartbeat(node: node, workers: workers) } catch {
                Log.warning("heartbeat of node \(node) failed: \(error)")
            }
            self?.workers.renewLeases()
            self?.requeueExpiredLeases()
        }
        timer.resume()
        return timer
    }

    /// Takes back jobs whose lease ran out (a node that died or froze; `Store.requeueExpiredLeases`)
    /// so that any node's workers resume them, and settles the commands of those that were paused.
    func requeueExpiredLeases() {
        let recovery: JobRecovery
        do { recovery = try store.requeueExpiredLeases(failingAfter: configuration.maxAttempts) } catch {
            Log.warning("cannot look for expired leases: \(error)")
            return
        }
        for job in recovery.failed {
            Log.warning("job \(job.id) failed: crashed_repeatedly: its lease expired during \(job.crashes) of its starts")
        }
        guard !recovery.interrupted.isEmpty else { return }
        for job in recovery.interrupted {
            Log.info("job \(job.id): the lease of node \(job.node ?? "?") expired; it resumes from its last checkpoint")
            if job.status == .paused {
                jobs.ownership.withOwnership(of: job.id) { held in if !held { jobs.settleParkedCommands(job: job.id) } }
            }
        }
        workers.wake()
    }
}
