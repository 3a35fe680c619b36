import Foundation
import HTTPServer
import Store

/// The running daemon: the store, the HTTP server with the API routes, and the training workers.
/// `DaemonRunner` owns the process-level parts (signals, exit code); this type is what tests build.
public final class Daemon: @unchecked Sendable {
    public let configuration: DaemonConfiguration
    public let store: Store
    let metrics = PrometheusRegistry()
    let datasets: DatasetCatalog
    /// Per-job event publishers for SSE streams, and the stream cap.
    let eventHub: EventHub
    let startedAt = Date()
    private var server: HTTPServer?
    private(set) var workers: WorkerPool!

    public init(configuration: DaemonConfiguration) throws {
        self.configuration = configuration
        let fm = FileManager.default
        for dir in [configuration.dataDir, configuration.artifactsDirectory, configuration.resolvedDatasetRoot] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        store = try Store(configuration: .dataDirectory(configuration.dataDir))
        eventHub = EventHub(store: store, maxStreams: configuration.maxStreams)
        datasets = DatasetCatalog(store: store, fashionMNISTRoot: configuration.fashionMNISTRoot,
                                  cacheDirectory: (configuration.dataDir as NSString).appendingPathComponent("cache"))
        Self.declareMetrics(metrics)
        let recovered = try store.recoverInterruptedJobs()
        for job in recovered { Log.info("job \(job.id) was interrupted; it resumes from its last checkpoint") }
        workers = WorkerPool(daemon: self, count: configuration.workers)
    }

    /// Starts serving and training; returns the bound port.
    public func start() throws -> UInt16 {
        var serverConfiguration = HTTPServerConfiguration()
        serverConfiguration.hosts = [configuration.host]
        serverConfiguration.port = UInt16(configuration.port)
        serverConfiguration.maxBodyBytes = 512 << 20  // model uploads carry safetensors bytes
        if let cert = configuration.tlsCert, let key = configuration.tlsKey {
            serverConfiguration.tls = TLSConfiguration(certificatePath: cert, privateKeyPath: key)
        }
        // A token file wins; otherwise THAW_TOKEN when set; otherwise the API is open (loopback default).
        let tokenFromEnvironment = ProcessInfo.processInfo.environment["THAW_TOKEN"].map { !$0.isEmpty } ?? false
        serverConfiguration.auth = try HTTPBearerAuth.load(
            file: configuration.authTokenFile,
            environment: configuration.authTokenFile == nil && tokenFromEnvironment ? "THAW_TOKEN" : nil,
            openPaths: ["/healthz"])
        let server = try HTTPServer(configuration: serverConfiguration, router: makeRouter())
        let port = try server.start()
        self.server = server
        workers.start()
        return port
    }

    /// Stops the workers at their next batch boundary (interrupted jobs resume from their last
    /// checkpoint on the next start), stops accepting requests and lets in-flight ones finish.
    public func shutdown() {
        workers.interruptAll()
        _ = server?.shutdown(deadline: configuration.shutdownGraceSeconds)
        workers.waitForAll()
    }

    public var scheme: String { configuration.tlsCert == nil ? "http" : "https" }

    static func declareMetrics(_ metrics: PrometheusRegistry) {
        metrics.declare("thaw_http_requests_total", kind: .counter, help: "HTTP requests by route and status.")
        metrics.declare("thaw_jobs", kind: .gauge, help: "Jobs by state.")
        metrics.declare("thaw_training_steps_total", kind: .counter, help: "Optimizer steps taken by all jobs.")
        metrics.declare("thaw_training_epochs_total", kind: .counter, help: "Epochs completed by all jobs.")
        metrics.declare("thaw_event_streams", kind: .gauge, help: "Open job event streams (SSE).")
    }
}
