import Foundation
import WebUI
import HTTPServer
import JobAPI
import Store

/// The running daemon: the store, the HTTP server with the API routes, and the training workers.
/// `DaemonRunner` owns the process-level parts (signals, exit code); this type is what tests build.
public final class Daemon: @unchecked Sendable {
    public let configuration: DaemonConfiguration
    public let store: Store
    let metrics = PrometheusRegistry()
    let datasets: DatasetCatalog
    /// Jobs: submit, view, control, claim (everything the job routes and the workers call).
    let jobs: JobService
    /// Models: create (built-in, upload, promotion), view, list, weights, delete.
    let modelService: ModelService
    /// Registered datasets and the built-in: register, view, list, forget.
    let datasetService: DatasetService
    /// ONNX conversions of stored weights for `?format=onnx` downloads.
    let onnxExport: ONNXExportService
    /// Per-job event publishers for SSE streams, and the stream cap.
    let eventHub: EventHub
    let startedAt = Date()
    private var server: HTTPServer?
    private var heartbeat: DispatchSourceTimer?
    private(set) var workers: WorkerPool!
    /// Shared store: the LISTEN connection that wakes this node's streams, idle workers and running
    /// jobs' command checks when any node commits (docs/store.md, "Wake-ups"); nil on SQLite.
    private var listener: StoreListener?

    /// Takes the data dir's lock first (a second thawd on the same `--data-dir` fails here, naming
    /// the holder's pid, before anything is read, swept or recovered), then opens the store, fails
    /// poison jobs (`--max-attempts`), marks the rest interrupted, and settles commands to jobs that
    /// stayed paused across the restart.
    public init(configuration: DaemonConfiguration) throws {
        self.configuration = configuration
        let fm = FileManager.default
        try fm.createDirectory(atPath: configuration.dataDir, withIntermediateDirectories: true)
        store = try Store(configuration: configuration.storeConfiguration)
        for dir in [configuration.artifactsDirectory, configuration.resolvedDatasetRoot] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        if !store.sweptArtifacts.isEmpty {
            Log.info("removed \(store.sweptArtifacts.count) orphan artifact file(s) left by an interrupted write")
        }
        let sweptUploads = Self.sweepUploads(in: configuration.uploadsDirectory)
        if sweptUploads > 0 { Log.info("removed \(sweptUploads) upload temp file(s) left by a stopped thawd") }
        eventHub = EventHub(store: store, maxStreams: configuration.maxStreams,
                            pollInterval: configuration.isSharedStore ? Self.sharedFallbackSeconds : nil)
        datasets = DatasetCatalog(store: store, fashionMNISTRoot: configuration.fashionMNISTRoot,
                                  cacheDirectory: configuration.datasetCacheDirectory,
                                  sharedCache: configuration.isSharedStore, datasetRoot: configuration.resolvedDatasetRoot)
        Self.declareMetrics(metrics)
        // On a shared store only this node's own jobs (its previous process's): the other nodes'
        // are theirs while their leases last.
        let recovery = try store.recoverInterruptedJobs(
            failingAfter: configuration.maxAttempts, node: configuration.isSharedStore ? configuration.resolvedNodeID : nil)
        for job in recovery.failed {
            Log.warning("job \(job.id) failed: crashed_repeatedly: thawd died during \(job.crashes) of its starts")
        }
        for job in recovery.interrupted { Log.info("job \(job.id) was interrupted; it resumes from its last checkpoint") }
        let memory = MemoryBudget(limit: configuration.resolvedMaxJobMemory)
        jobs = JobService(store: store, datasets: datasets, ownership: JobOwnership(workers: configuration.workers),
                          memory: memory, node: configuration.resolvedNodeID, sharedStore: configuration.isSharedStore)
        modelService = ModelService(store: store, memory: memory)
        datasetService = DatasetService(store: store, catalog: datasets)
        onnxExport = ONNXExportService(store: store, memory: memory)
        workers = WorkerPool(service: jobs, count: configuration.workers,
                             idleRecheck: configuration.isSharedStore ? Self.sharedFallbackSeconds : 2) { [unowned self] job in
            JobExecution(executionDependencies, job: job)
        }
        // This node's own commands reach its runs through the Store's in-process feed (both engines).
        store.observeCommands { [weak self] job in self?.workers?.commandsPosted(job: job) }
        listener = try store.makeListener(onNotification: { [weak self] in self?.wake(for: $0) },
                                          onConnectionLost: { error, retryIn in
            Log.warning("the store's notification connection failed (\(error)); retrying in \(retryIn) s, "
                        + "other nodes' changes reach this one by polling meanwhile")
        })
        for job in recovery.interrupted where job.status == .paused { jobs.settleParkedCommands(job: job.id) }
    }

    /// On the listener's thread: hands a commit's notification to what waits for it; each call only
    /// sets a flag or queues a read.
    private func wake(for notification: StoreNotification) {
        switch notification {
        case .events(let job): eventHub.eventsCommitted(job: job)
        case .command(let job): workers?.commandsPosted(job: job)
        case .claimable: workers?.wake()
        case .resync:
            eventHub.pollAll()
            workers?.wake()
            workers?.commandsMayHaveBeenPosted()
        }
    }

    /// Starts serving and training; returns the bound port.
    public func start() throws -> UInt16 {
        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.hosts = [configuration.host]
        serverConfiguration.port = UInt16(configuration.port)
        serverConfiguration.maxBodyBytes = configuration.maxJSONBodyBytes  // the upload route has its own
        if let cert = configuration.tlsCert, let key = configuration.tlsKey {
            serverConfiguration.tls = TLSConfiguration(certificatePath: cert, privateKeyPath: key)
        }
        // A token file wins; otherwise THAW_TOKEN when set; otherwise the API is open (loopback default).
        let tokenFromEnvironment = ProcessInfo.processInfo.environment["THAW_TOKEN"].map { !$0.isEmpty } ?? false
        serverConfiguration.auth = try HTTPBearerAuth.load(
            file: configuration.authTokenFile,
            environment: configuration.authTokenFile == nil && tokenFromEnvironment ? "THAW_TOKEN" : nil,
            openPaths: ["/healthz", StaticFiles.indexPath], openSegments: [StaticFiles.prefix])
        let server = try HTTPServer(configuration: serverConfiguration, router: makeRouter())
        let port = try server.start()
        self.server = server
        heartbeat = startHeartbeat()
        listener?.start()
        workers.start()
        return port
    }

    /// Stops the workers at their next batch boundary (interrupted jobs resume from their last
    /// checkpoint on the next start), stops accepting requests and lets in-flight ones finish.
    /// A worker that does not reach a boundary within `workerStopSeconds` (a job still loading its
    /// data or model) is left behind: the process exits anyway and the job resumes from its last
    /// checkpoint on the next start, as after a crash, so SIGTERM always stops thawd in time.
    public func shutdown() {
        let deadline = Date().addingTimeInterval(Self.workerStopSeconds)
        heartbeat?.cancel()
        listener?.stop()
        workers.interruptAll()
        _ = server?.shutdown(deadline: configuration.shutdownGraceSeconds)
        let stuck = workers.waitForAll(until: deadline)
        if !stuck.isEmpty {
            Log.warning("job(s) \(stuck.joined(separator: ", ")) did not reach a batch boundary in \(Int(Self.workerStopSeconds)) s; "
                        + "exiting anyway, they resume from their last checkpoint on the next start")
            // A graceful stop, not a crash: released jobs do not count towards --max-attempts.
            // Fenced: a job this node lost meanwhile is the new holder's, not released here.
            for id in stuck { _ = try? store.releaseJob(id, lease: workers.lease(of: id)) }
        }
    }

    /// Removes the raw-upload spool files (`upload-*.tmp`) a killed thawd left; runs after the data
    /// dir's lock is taken, so no other thawd's upload in progress can be among them.
    static func sweepUploads(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed = 0
        for name in names where name.hasPrefix("upload-") && name.hasSuffix(".tmp") {
            if unlink((directory as NSString).appendingPathComponent(name)) == 0 { removed += 1 }
        }
        return removed
    }

    /// On a shared store, how often live SSE streams look in the store for events other nodes wrote,
    /// and idle workers for jobs to claim, without a notification: the fallback under LISTEN/NOTIFY.
    static let sharedFallbackSeconds: TimeInterval = 5

    /// How long SIGTERM waits for running jobs to reach a batch boundary.
    static let workerStopSeconds: TimeInterval = 8

    public var scheme: String { configuration.tlsCert == nil ? "http" : "https" }

    static func declareMetrics(_ metrics: PrometheusRegistry) {
        metrics.declare("thaw_http_requests_total", kind: .counter, help: "HTTP requests by route and status.")
        metrics.declare("thaw_jobs", kind: .gauge, help: "Jobs by state.")
        metrics.declare("thaw_training_steps_total", kind: .counter, help: "Optimizer steps taken by all jobs.")
        metrics.declare("thaw_training_epochs_total", kind: .counter, help: "Epochs completed by all jobs.")
        metrics.declare("thaw_event_streams", kind: .gauge, help: "Open job event streams (SSE).")
        metrics.declare("thaw_node_heartbeat_age_seconds", kind: .gauge, help: "Seconds since each node's last heartbeat.")
        metrics.declare("thaw_node_workers", kind: .gauge, help: "Workers of each node.")
        metrics.declare("thaw_node_running_jobs", kind: .gauge, help: "Running jobs each node's workers hold.")
    }
}
