import ArgumentParser
import Daemon
import Foundation

@main
struct ThawdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thawd",
        abstract: "The Thaw fine-tuning daemon: an HTTP API over a CPU training engine and a SQLite (or PostgreSQL) store.",
        discussion: """
            Flags override the JSON --config file (see deploy/thawd.json), which overrides the defaults. \
            SIGTERM or SIGINT stops accepting requests, lets in-flight ones finish, stops running jobs at \
            their next batch boundary (waiting at most 8 s) and exits 0; interrupted jobs resume from their \
            last checkpoint on the next start.
            """)

    @Option(help: "JSON configuration file (keys as in deploy/thawd.json).") var config: String?
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "TCP port (default 8080; 0 picks a free port, named in the log).") var port: Int?
    @Option(help: "Directory of the SQLite store and artifacts (default ./var).") var dataDir: String?
    @Option(help: ArgumentHelp("Keep the store's rows in PostgreSQL instead of <data-dir>/thaw.sqlite, shared by every thawd node on it (artifacts in --artifacts); password from the URI, PGPASSWORD or ~/.pgpass.",
                               valueName: "postgresql://USER@HOST:PORT/DB"))
    var store: String?
    @Option(help: "This node's name, recorded as the node of every job it claims (default: the host name).")
    var nodeId: String?
    @Option(help: ArgumentHelp("Seconds between this node's heartbeats, shown by GET /v1/nodes, and renewals of its jobs' leases (default 5).", valueName: "seconds"))
    var heartbeat: Double?
    @Option(help: ArgumentHelp("Seconds a running job's lease lasts unrenewed; after that any node re-queues it and resumes it from its last checkpoint (default 30).", valueName: "seconds"))
    var leaseTimeout: Double?
    @Option(help: ArgumentHelp("Directory of weights and checkpoints, shared by every node of one --store (default <data-dir>/artifacts).", valueName: "dir"))
    var artifacts: String?
    @Option(help: "The only directory datasets may be read from (default <data-dir>/datasets).")
    var datasetRoot: String?
    @Option(help: "Jobs trained at the same time (default 1).") var workers: Int?
    @Option(help: "Engine threads per training worker, for convolutions and matrix products (default: cores / workers).") var blasThreads: Int?
    @Option(help: "PEM certificate for HTTPS (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key for HTTPS (with --tls-cert).") var tlsKey: String?
    @Option(help: "File holding a bearer token required on every route but /healthz (or $THAW_TOKEN).")
    var authTokenFile: String?
    @Option(help: "Directory of Fashion-MNIST's IDX files (default /usr/share/datasets/fashion-mnist).")
    var fashionMnistRoot: String?
    @Option(help: ArgumentHelp("Largest request body in bytes on every route but the raw model upload (default 1048576).",
                               valueName: "bytes"))
    var maxJsonBody: Int?
    @Option(help: ArgumentHelp("Largest raw model upload in bytes, POST /v1/models with application/octet-stream (default 536870912).",
                               valueName: "bytes"))
    var maxUploadBody: Int?
    @Option(help: "Largest estimated memory a model or job may need, e.g. 8GiB (default: half the machine's RAM).")
    var maxJobMemory: String?
    @Option(help: "Starts of a job that may end with thawd dying before the job fails as crashed_repeatedly (default 3).")
    var maxAttempts: Int?
    @Option(help: "Epoch checkpoints kept per job besides best, unless the job's spec sets keep_last (default 2).")
    var keepLast: Int?
    @Option(help: "Most job event streams (SSE) open at once; the next gets a 503 (default 2048).")
    var maxStreams: Int?
    @Flag(help: "Log debug lines too.") var verbose = false

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port \(port) is not in 0...65535") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if let blasThreads, blasThreads < 1 { throw ValidationError("--blas-threads must be at least 1") }
    }

    func resolvedConfiguration() throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw ValidationError("cannot read --config file '\(config)'")
            }
            do {
                configuration = try JSONDecoder().decode(DaemonConfiguration.self, from: data)
            } catch {
                throw ValidationError("--config '\(config)' is not valid: \(error)")
            }
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let dataDir { configuration.dataDir = dataDir }
        if let store { configuration.store = store }
        if let nodeId { configuration.nodeID = nodeId }
        if let heartbeat { configuration.heartbeatSeconds = heartbeat }
        if let leaseTimeout { configuration.leaseTimeoutSeconds = leaseTimeout }
        if let artifacts { configuration.artifacts = artifacts }
        if let datasetRoot { configuration.datasetRoot = datasetRoot }
        if let workers { configuration.workers = workers }
        if let blasThreads { configuration.blasThreads = blasThreads }
        if let tlsCert { configuration.tlsCert = tlsCert }
        if let tlsKey { configuration.tlsKey = tlsKey }
        if let authTokenFile { configuration.authTokenFile = authTokenFile }
        if let fashionMnistRoot { configuration.fashionMNISTRoot = fashionMnistRoot }
        if let maxJsonBody { configuration.maxJSONBodyBytes = maxJsonBody }
        if let maxUploadBody { configuration.maxUploadBodyBytes = maxUploadBody }
        if let maxJobMemory {
            guard let bytes = MemorySize.parse(maxJobMemory) else {
                throw ValidationError("--max-job-memory '\(maxJobMemory)' is not a size such as 8GiB or 536870912")
            }
            configuration.maxJobMemory = bytes
        }
        if let maxAttempts { configuration.maxAttempts = maxAttempts }
        if let keepLast { configuration.keepLast = keepLast }
        if let maxStreams { configuration.maxStreams = maxStreams }
        let problems = configuration.problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
        return configuration
    }

    func run() throws {
        if verbose { Log.minimumLevel = .debug }
        let configuration = try resolvedConfiguration()
        do {
            try DaemonRunner.run(configuration)
        } catch {
            Log.error("\(error)")
            throw ExitCode(1)
        }
    }
}
