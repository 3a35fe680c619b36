import Foundation
import Store

/// Everything thawd is told at start-up. Command-line flags override a JSON config file
/// (deploy/thawd.json shows every key), which overrides these defaults.
public struct DaemonConfiguration: Codable, Sendable, Equatable {
    /// Address to listen on. Default 127.0.0.1: thawd is a local tool unless told otherwise.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 asks the kernel for a free one (the start-up log line names it).
    public var port: Int = 8080
    /// Holds the SQLite store (thaw.sqlite) and artifacts/. Default ./var.
    public var dataDir: String = "./var"
    /// A PostgreSQL connection URI (`postgresql://USER@HOST:PORT/DB`) to keep the store's rows in
    /// instead of `<data-dir>/thaw.sqlite`; artifacts stay under the data dir. nil: SQLite. The
    /// password comes from the URI, `PGPASSWORD` or `~/.pgpass`, as libpq reads them.
    public var store: String?
    /// This thawd's name among the nodes of one store, recorded as the `node` of every job its
    /// workers claim. 1–255 printable characters. Default: the host name.
    public var nodeID: String?
    /// Seconds between this node's heartbeats (`GET /v1/nodes` shows each node's age). 0.1...3600.
    public var heartbeatSeconds: Double = 5
    /// Seconds a claimed job's lease lasts without renewal (each heartbeat renews the leases of this
    /// node's running jobs). A job whose lease ran out is re-queued by any node's next heartbeat and
    /// resumed from its last checkpoint, its crash counted towards `maxAttempts`. Must be more than
    /// `heartbeatSeconds`; 1...86400.
    public var leaseTimeoutSeconds: Double = 30
    /// Weights and checkpoints: the directory every node of one PostgreSQL store mounts (a shared
    /// file system). Default <data-dir>/artifacts.
    public var artifacts: String?
    /// The only directory datasets may be read from. Default <data-dir>/datasets.
    public var datasetRoot: String?
    /// Jobs trained at the same time.
    public var workers: Int = 1
    /// Engine threads per worker (`Engine.threads` of its runs: the engine splits convolutions and GEMMs itself,
    /// OpenBLAS runs single-threaded). Default: all cores divided among the workers.
    public var blasThreads: Int?
    /// PEM certificate and key; both or neither. With them thawd serves HTTPS only.
    public var tlsCert: String?
    public var tlsKey: String?
    /// File holding a bearer token; when set, every route but /healthz needs it.
    public var authTokenFile: String?
    /// Where Fashion-MNIST's IDX files are (Debian's dataset-fashion-mnist).
    public var fashionMNISTRoot: String = "/usr/share/datasets/fashion-mnist"
    /// Seconds in-flight requests get to finish on SIGTERM.
    public var shutdownGraceSeconds: Double = 10
    /// Largest request body of every route but the raw model upload, in bytes (a chunked body's
    /// framing included); beyond it → 413. Default 1 MiB.
    public var maxJSONBodyBytes: Int = 1 << 20
    /// Largest raw safetensors upload (`POST /v1/models`, `Content-Type: application/octet-stream`),
    /// streamed to `<data-dir>/uploads` rather than held in memory. Default 512 MiB.
    public var maxUploadBodyBytes: Int = 512 << 20
    /// Bytes a model (weights + optimizer state) or a job (+ activations at its batch size) may be
    /// estimated to need (`MemoryEstimate`); more is a 422 naming both. Default: half the machine's RAM.
    public var maxJobMemory: Int?
    /// Starts of one job that may end with the process dying before the job is failed with
    /// `crashed_repeatedly` (a poison job must not become a crash loop). 1...1000.
    public var maxAttempts: Int = 3
    /// Epoch checkpoints kept per job besides `best` (and the resume state's epoch), unless its spec
    /// says `keep_last`. 1...1000.
    public var keepLast: Int = 2
    /// Most job event streams (SSE) open at once, over all jobs; the next one is a 503
    /// `too_many_streams`. Each costs a connection and its buffer, no thread. Default 2048.
    public var maxStreams: Int = 2048

    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port, workers, store
        case nodeID = "node_id"
        case heartbeatSeconds = "heartbeat_seconds"
        case leaseTimeoutSeconds = "lease_timeout_seconds"
        case artifacts
        case dataDir = "data_dir"
        case datasetRoot = "dataset_root"
        case blasThreads = "blas_threads"
        case tlsCert = "tls_cert"
        case tlsKey = "tls_key"
        case authTokenFile = "auth_token_file"
        case fashionMNISTRoot = "fashion_mnist_root"
        case shutdownGraceSeconds = "shutdown_grace_seconds"
        case maxJSONBodyBytes = "max_json_body_bytes"
        case maxUploadBodyBytes = "max_upload_body_bytes"
        case maxJobMemory = "max_job_memory"
        case maxAttempts = "max_attempts"
        case keepLast = "keep_last"
        case maxStreams = "max_streams"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DaemonConfiguration()
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
        dataDir = try c.decodeIfPresent(String.self, forKey: .dataDir) ?? d.dataDir
        datasetRoot = try c.decodeIfPresent(String.self, forKey: .datasetRoot)
        store = try c.decodeIfPresent(String.self, forKey: .store)
        nodeID = try c.decodeIfPresent(String.self, forKey: .nodeID)
        heartbeatSeconds = try c.decodeIfPresent(Double.self, forKey: .heartbeatSeconds) ?? d.heartbeatSeconds
        leaseTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .leaseTimeoutSeconds) ?? d.leaseTimeoutSeconds
        artifacts = try c.decodeIfPresent(String.self, forKey: .artifacts)
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? d.workers
        blasThreads = try c.decodeIfPresent(Int.self, forKey: .blasThreads)
        tlsCert = try c.decodeIfPresent(String.self, forKey: .tlsCert)
        tlsKey = try c.decodeIfPresent(String.self, forKey: .tlsKey)
        authTokenFile = try c.decodeIfPresent(String.self, forKey: .authTokenFile)
        fashionMNISTRoot = try c.decodeIfPresent(String.self, forKey: .fashionMNISTRoot) ?? d.fashionMNISTRoot
        shutdownGraceSeconds = try c.decodeIfPresent(Double.self, forKey: .shutdownGraceSeconds) ?? d.shutdownGraceSeconds
        maxJSONBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxJSONBodyBytes) ?? d.maxJSONBodyBytes
        maxUploadBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxUploadBodyBytes) ?? d.maxUploadBodyBytes
        if let bytes = try? c.decodeIfPresent(Int.self, forKey: .maxJobMemory) {
            maxJobMemory = bytes
        } else if let text = try c.decodeIfPresent(String.self, forKey: .maxJobMemory) {
            guard let bytes = MemorySize.parse(text) else {
                throw DecodingError.dataCorruptedError(forKey: .maxJobMemory, in: c,
                                                       debugDescription: "'\(text)' is not a size such as 8GiB")
            }
            maxJobMemory = bytes
        }
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? d.maxAttempts
        keepLast = try c.decodeIfPresent(Int.self, forKey: .keepLast) ?? d.keepLast
        maxStreams = try c.decodeIfPresent(Int.self, forKey: .maxStreams) ?? d.maxStreams
    }

    public var resolvedMaxJobMemory: Int { maxJobMemory ?? MemorySize.defaultJobLimit }
    public var resolvedDatasetRoot: String { datasetRoot ?? (dataDir as NSString).appendingPathComponent("datasets") }
    public var databasePath: String { (dataDir as NSString).appendingPathComponent("thaw.sqlite") }
    /// Where the Store keeps its rows and files: `store` when set, else the data dir's SQLite file.
    public var storeConfiguration: StoreConfiguration {
        var configuration: StoreConfiguration = store.map { .postgres(uri: $0, dataDirectory: dataDir) } ?? .dataDirectory(dataDir)
        configuration.artifactsDirectory = artifactsDirectory
        configuration.leaseTimeout = leaseTimeoutSeconds
        return configuration
    }
    /// Whether other thawds may share the store (PostgreSQL): what one node writes, another reads.
    public var isSharedStore: Bool { store != nil }
    /// `nodeID`, else the host name (else "thawd" on a host without one).
    public var resolvedNodeID: String {
        if let nodeID { return nodeID }
        let host = ProcessInfo.processInfo.hostName
        return host.isEmpty ? "thawd" : String(host.unicodeScalars.prefix(255))
    }
    /// URI schemes libpq reads as a connection URI.
    public static let storeSchemes = ["postgresql://", "postgres://"]
    public var artifactsDirectory: String { artifacts ?? (dataDir as NSString).appendingPathComponent("artifacts") }
    /// Raw upload bodies while they arrive (`upload-*.tmp`, removed when the request ends).
    public var uploadsDirectory: String { (dataDir as NSString).appendingPathComponent("uploads") }
    /// Decoded image-folder caches. On a shared store, inside the artifacts directory every node
    /// mounts (`Store.datasetCacheFolder`), so a folder one node decoded serves all of them; on
    /// SQLite, local under the data dir.
    public var datasetCacheDirectory: String {
        isSharedStore ? (artifactsDirectory as NSString).appendingPathComponent(Store.datasetCacheFolder)
            : (dataDir as NSString).appendingPathComponent("cache")
    }

    /// Accepted body limits: 1 KiB (an error body's worth) to 64 GiB.
    public static let bodyLimitRange = 1024...(64 << 30)

    /// Every problem with the configuration, each naming its key.
    public func problems() -> [String] {
        var out: [String] = []
        if host.isEmpty { out.append("host: must not be empty") }
        if let nodeID, !(1...255).contains(nodeID.unicodeScalars.count)
            || nodeID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            out.append("node_id: must be 1 to 255 printable characters")
        }
        if !(0.1...3600).contains(heartbeatSeconds) { out.append("heartbeat_seconds: \(heartbeatSeconds) is not in 0.1...3600") }
        if !(1...86400).contains(leaseTimeoutSeconds) {
            out.append("lease_timeout_seconds: \(leaseTimeoutSeconds) is not in 1...86400")
        } else if leaseTimeoutSeconds <= heartbeatSeconds {
            out.append("lease_timeout_seconds: must be more than heartbeat_seconds (\(heartbeatSeconds)), or every lease expires between renewals")
        }
        if let artifacts, artifacts.isEmpty { out.append("artifacts: must not be empty") }
        if let store, !Self.storeSchemes.contains(where: store.hasPrefix) {
            out.append("store: must be a PostgreSQL URI (postgresql://USER@HOST:PORT/DB); leave it out for the SQLite file in data_dir")
        }
        if !(0...65535).contains(port) { out.append("port: \(port) is not in 0...65535") }
        if workers < 1 || workers > 64 { out.append("workers: \(workers) is not in 1...64") }
        if let blasThreads, blasThreads < 1 { out.append("blas_threads: must be at least 1") }
        if (tlsCert == nil) != (tlsKey == nil) { out.append("tls_cert/tls_key: give both or neither") }
        if shutdownGraceSeconds < 0 { out.append("shutdown_grace_seconds: must not be negative") }
        if !(Self.bodyLimitRange).contains(maxJSONBodyBytes) {
            out.append("max_json_body_bytes: \(maxJSONBodyBytes) is not in \(Self.bodyLimitRange.lowerBound)...\(Self.bodyLimitRange.upperBound)")
        }
        if !(Self.bodyLimitRange).contains(maxUploadBodyBytes) {
            out.append("max_upload_body_bytes: \(maxUploadBodyBytes) is not in \(Self.bodyLimitRange.lowerBound)...\(Self.bodyLimitRange.upperBound)")
        }
        if let maxJobMemory, maxJobMemory < 1 << 20 { out.append("max_job_memory: must be at least 1MiB") }
        if !(1...1000).contains(maxAttempts) { out.append("max_attempts: \(maxAttempts) is not in 1...1000") }
        if !(1...1000).contains(keepLast) { out.append("keep_last: \(keepLast) is not in 1...1000") }
        if !(1...100_000).contains(maxStreams) { out.append("max_streams: \(maxStreams) is not in 1...100000") }
        return out
    }
}
