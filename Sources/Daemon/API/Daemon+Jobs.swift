import Foundation
import HTTPServer
import JobAPI
import NN
import Store
import Training

extension Daemon {
    func registerJobRoutes(_ router: inout HTTPRouter) {
        route(&router, .POST, "/v1/jobs") { [unowned self] in try createJob($0) }
        route(&router, .GET, "/v1/jobs") { [unowned self] in try listJobs($0) }
        route(&router, .GET, "/v1/jobs/:id") { [unowned self] in try json(jobObject(store.job($0.parameter("id")))) }
        route(&router, .GET, "/v1/jobs/:id/checkpoints") { [unowned self] in try listCheckpoints($0) }
        route(&router, .GET, "/v1/jobs/:id/metrics") { [unowned self] in try metricsHistory($0) }
        for action in ControlCommand.actions {
            route(&router, .POST, "/v1/jobs/:id/\(action)") { [unowned self] in try postControl(action, $0) }
        }
    }

    private func createJob(_ request: HTTPRequest) throws -> HTTPResponse {
        let body = Data(request.body)
        let priority = try RequestBody(request).optionalInt("priority", range: -1000...1000) ?? 0
        // `priority` is a queue setting, not part of the training spec.
        var specData = body
        if var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], object["priority"] != nil {
            object["priority"] = nil
            specData = try JSONSerialization.data(withJSONObject: object)
        }
        // Structural problems, unknown references and problems against the model and dataset are
        // reported together, in one 422: the references are read from the raw JSON first.
        let raw = (try? JSONSerialization.jsonObject(with: specData)) as? [String: Any] ?? [:]
        let modelField = raw["model"] as? [String: Any] ?? [:]
        let source: JobAPI.ModelSource? = (modelField["id"] as? String).map { .registered(id: $0) }
            ?? (modelField["architecture"] as? String).map { .architecture($0) }
        let datasetID = (raw["dataset"] as? [String: Any])?["id"] as? String
        var problems: [SpecProblem] = []
        var context: JobContext?
        if let source, let datasetID {
            (context, problems) = jobContext(model: source, datasetID: datasetID)
        }
        if context?.dataset?.builtin == true, let crop = (raw["dataset"] as? [String: Any])?["crop_fraction"] as? Double, crop != 1 {
            problems.append(SpecProblem(path: "dataset.crop_fraction", message: "applies to image folders; \(datasetID ?? "a built-in") keeps its native size"))
        }
        let parsed: Result<JobSpec, SpecError>
        if let context {
            parsed = JobSpec.check(json: specData, context: SpecContext(
                groups: context.groups, modelClasses: context.descriptor?.classes,
                datasetClasses: context.dataset?.classNames.count,
                datasetSize: context.dataset?.trainCounts.reduce(0, +), inputShape: context.architecture.inputShape))
        } else {
            parsed = JobSpec.parse(json: specData)
        }
        if case .failure(let error) = parsed {
            let known = Set(problems.map(\.path))
            problems += error.problems.filter { !known.contains($0.path) }
        }
        if case .success(let spec) = parsed, let context, let problem = inputSizeProblem(spec, context) {
            problems.append(problem)
        }
        guard problems.isEmpty else {
            throw APIError.invalid(problems.map { .init(field: $0.path, message: $0.message) }, message: "the job spec has problems")
        }
        guard case .success(let spec) = parsed else { throw APIError.invalid(field: "body", "invalid job spec") }
        if let context {
            try checkJobMemory(spec, architecture: context.architecture, classes: spec.resolvedNumClasses(
                datasetClasses: context.dataset?.classNames.count, modelClasses: context.descriptor?.classes))
        }
        let job = try store.createJob(
            name: spec.name, priority: priority, spec: String(decoding: specData, as: UTF8.self),
            modelID: context?.modelRecord?.id)
        workers.wake()
        return try json(jobObject(job), status: .created)
    }

    /// A job's `input_size` must also get through every layer (a custom spec's flatten → linear fixes
    /// H and W); building the model is the one place that knows every layer's shape rule.
    private func inputSizeProblem(_ spec: JobSpec, _ context: JobContext) -> SpecProblem? {
        guard let size = spec.inputSize, size != context.architecture.inputShape else { return nil }
        var architecture = context.architecture
        architecture.inputShape = size
        do { _ = try Model(spec: architecture) } catch {
            return SpecProblem(path: "input_size", message: "the model cannot take \(size): \(error)")
        }
        return nil
    }

    private func listJobs(_ request: HTTPRequest) throws -> HTTPResponse {
        var status: JobStatus?
        if let text = request.query("status") {
            guard let parsed = JobStatus(rawValue: text) else {
                throw APIError.invalid(field: "status", "must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = parsed
        }
        let page = try store.jobs(status: status, page: pageRequest(request))
        return try json(["object": "list", "data": try page.data.map(jobObject), "has_more": page.hasMore])
    }

    private func listCheckpoints(_ request: HTTPRequest) throws -> HTTPResponse {
        let job = try store.job(request.parameter("id"))
        let data: [[String: Any]] = try store.checkpoints(job: job.id).map { c in
            [
                "id": c.id, "object": "checkpoint", "kind": c.kind.rawValue, "epoch": c.epoch,
                "metrics": (try? JSONSerialization.jsonObject(with: Data(c.metrics.utf8))) ?? [:],
                "size": c.artifact.size, "sha256": c.artifact.sha256,
                "created_at": Int(c.createdAt.timeIntervalSince1970),
            ]
        }
        return try json(["object": "list", "data": data, "has_more": false])
    }

    private func metricsHistory(_ request: HTTPRequest) throws -> HTTPResponse {
        let job = try store.job(request.parameter("id"))
        let format = request.query("format") ?? (request.headers["accept"]?.contains("text/csv") == true ? "csv" : "json")
        switch format {
        case "csv":
            return HTTPResponse.bytes(Array(try store.metricsCSV(job: job.id).utf8), contentType: "text/csv; charset=utf-8")
        case "json":
            let rows: [[String: Any]] = try store.metrics(job: job.id).map { m in
                var row = (try? JSONSerialization.jsonObject(with: Data(m.values.utf8))) as? [String: Any] ?? [:]
                row["phase"] = m.phase
                row["global_epoch"] = m.epoch
                return row
            }
            return try json(["object": "list", "data": rows, "has_more": false])
        default:
            throw APIError.invalid(field: "format", "must be json or csv")
        }
    }

    /// Validates a control command against the job's state and groups, stores it (202 with its id);
    /// the worker applies it at the next batch boundary and acknowledges it with a `control` event.
    private func postControl(_ action: String, _ request: HTTPRequest) throws -> HTTPResponse {
        let job = try store.job(request.parameter("id"))
        _ = try RequestBody(request, required: false)  // malformed JSON is a 400 here as on every other route
        let command: ControlCommand
        switch ControlCommand.parse(action: action, body: Data(request.body)) {
        case .failure(let error): throw APIError.invalid(error.problems.map { .init(field: $0.path, message: $0.message) })
        case .success(let parsed): command = parsed
        }
        guard !job.status.isTerminal else {
            throw APIError(.conflict, code: "illegal_state", message: "job '\(job.id)' is \(job.status.rawValue); it takes no more commands")
        }
        switch command {
        case .unfreeze, .freeze, .setLR:
            let (_, context) = try jobContext(for: job)
            // Names and counts are checked against the model now; what depends on the run's state
            // (a freeze that would leave nothing trainable, an LR pushed above 10) is the runner's call.
            let problems = GroupState(groups: context.groupLayers).problemsWithAnyState(command)
            if !problems.isEmpty { throw APIError.invalid(problems.map { .init(field: $0.path, message: $0.message) }) }
        case .pause:
            guard job.status == .running else {
                throw APIError(.conflict, code: "illegal_state", message: "only a running job can be paused (it is \(job.status.rawValue))")
            }
        case .resume:
            guard job.status == .paused else {
                throw APIError(.conflict, code: "illegal_state", message: "only a paused job can be resumed (it is \(job.status.rawValue))")
            }
        case .stop:
            guard job.status != .queued else {
                throw APIError(.conflict, code: "illegal_state", message: "job '\(job.id)' has not started; cancel it instead")
            }
        case .cancel:
            break
        }
        let payload = String(decoding: request.body.isEmpty ? Array("{}".utf8) : request.body, as: UTF8.self)
        // Decided under the pool's lock, so no worker claims the job between the check and the change.
        let (record, wake) = try workers.withOwnership(of: job.id) { held -> (CommandRecord, Bool) in
            let current = try store.job(job.id)
            if !held, current.status == .paused, current.interrupted, Self.needsLiveRun(command) {
                throw APIError(.conflict, code: "illegal_state", message: Self.parkedReason(current, action))
            }
            let record = try store.postCommand(job: job.id, type: action, payload: payload)
            // Jobs no worker holds (queued, or parked: paused across a restart) are changed right here.
            let wake = held ? false : try applyOffline(command, commandID: record.id, job: current)
            return (record, wake)
        }
        if wake { workers.wake() }
        let stored = try? store.command(record.id)
        var object: [String: Any] = [
            "id": record.id, "object": "command", "job_id": job.id, "action": action,
            "status": stored?.status.rawValue ?? "pending",
        ]
        if let message = stored?.message { object["message"] = message }
        return try json(object, status: .accepted)
    }
}
