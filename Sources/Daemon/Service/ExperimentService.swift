import Foundation
import JobAPI
import NN
import Store

/// Experiments: a base job x strategies x seeds, run as ordinary child jobs. Every child is checked
/// by `JobService.prepareJob`, the path `POST /v1/jobs` takes, before any is stored; then the
/// experiment and all its children are stored in one transaction. Views and summaries are derived
/// from the children's job rows and metrics each time (nothing is stored twice).
struct ExperimentService {
    let jobs: JobService
    var store: Store { jobs.store }

    /// `POST /v1/experiments`: `body` parsed once by the route, `text` as it came.
    func create(_ body: JSONValue, text: String) throws -> ExperimentView {
        guard case .object = body else { throw JobServiceError.invalid(field: "body", "must be a JSON object") }
        let request: CreateExperimentRequest
        switch CreateExperimentRequest.read(body) {
        case .failure(let error): throw JobServiceError.invalid(error.problems, summary: "the experiment has problems")
        case .success(let read): request = read
        }
        let children: [CreateExperimentRequest.Child]
        switch request.children(scratchArchitecture: scratchArchitecture(request.base["model"])) {
        case .failure(let error): throw JobServiceError.invalid(error.problems, summary: "the experiment has problems")
        case .success(let built): children = built
        }
        var problems: [SpecProblem] = []
        var memoryProblem: JobServiceError?
        var prepared: [NewExperimentChild] = []
        for child in children {
            let text = String(decoding: try Wire.encode(child.document), as: UTF8.self)
            do {
                let job = try jobs.prepareJob(child.document, text: text)
                prepared.append(NewExperimentChild(name: child.name, spec: job.request.specText, modelID: job.context?.modelRecord?.id,
                                                   strategy: child.strategy, seed: child.seed))
            } catch JobServiceError.invalid(let found, _) {
                for problem in found {
                    let mapped = request.childProblem(problem, strategyIndex: child.strategyIndex)
                    if !problems.contains(mapped) { problems.append(mapped) }
                }
            } catch JobServiceError.memoryLimit(let field, let message) {
                let mapped = request.childProblem(SpecProblem(path: field, message: message), strategyIndex: child.strategyIndex)
                memoryProblem = memoryProblem ?? .memoryLimit(field: mapped.path, message: message)
            }
        }
        guard problems.isEmpty else { throw JobServiceError.invalid(problems, summary: "the experiment has problems") }
        if let memoryProblem { throw memoryProblem }
        let record = try store.createExperiment(name: request.name, request: text, priority: request.priority, children: prepared)
        jobs.ownership.wake()
        return try view(record)
    }

    func experiment(_ id: String) throws -> ExperimentView { try view(store.experiment(id)) }

    /// Newest first, paged like `/v1/jobs`.
    func experiments(page: PageRequest) throws -> ListPage<ExperimentView> {
        let page = try store.experiments(page: page)
        return ListPage(try page.data.map(view), hasMore: page.hasMore)
    }

    /// Sends `cancel` to every child that has not ended, through the jobs' own control path (queued
    /// children end at once, running ones at their next batch boundary). An experiment whose children
    /// have all ended is a 409.
    func cancel(_ id: String) throws -> ExperimentView {
        let before = try view(store.experiment(id))
        guard !ExperimentStatus.isFinal(before.status) else {
            throw JobServiceError.conflict(.illegalState, message: "experiment '\(id)' is \(before.status); it has nothing left to cancel")
        }
        let record = try store.requestExperimentCancel(id)
        for run in before.runs where !Self.ended(run.status) {
            do { _ = try jobs.control("cancel", job: run.jobID, body: []) } catch {
                // It ended, or was deleted, meanwhile: nothing left to cancel there.
                if case JobServiceError.conflict = error { continue }
                if let error = error as? StoreError, case .notFound = error { continue }
                throw error
            }
        }
        return try view(store.experiment(record.id))
    }

    /// The experiment from its record and its children's current rows.
    func view(_ record: ExperimentRecord) throws -> ExperimentView {
        var runs: [ExperimentRun] = []
        var finished: [Date] = []
        for child in record.children {
            guard let job = try existingJob(child.jobID) else { continue }  // deleted since
            runs.append(try run(child, job))
            if let end = job.finishedAt { finished.append(end) }
        }
        let ended = runs.allSatisfy { Self.ended($0.status) }
        let status = ExperimentStatus.derive(children: runs.map(\.status), cancelRequested: record.cancelRequested)
        let strategies = Self.strategyNames(record.request, runs: runs)
        return ExperimentView(
            id: record.id, name: record.name, status: status, createdAt: Int(record.createdAt.timeIntervalSince1970),
            finishedAt: ended ? finished.max().map { Int($0.timeIntervalSince1970) } : nil,
            cancelRequested: record.cancelRequested, request: JSONValue.decoding(record.request) ?? .object([:]),
            runs: runs, summary: ExperimentSummary(strategies: strategies, runs: runs, ended: ended))
    }

    /// The job, or nil when it is gone (a finished child can be deleted, which drops it from here).
    private func existingJob(_ id: String) throws -> JobRecord? {
        do { return try store.job(id) } catch {
            if case .notFound = error { return nil }
            throw error
        }
    }

    private func run(_ child: ExperimentRecord.Child, _ job: JobRecord) throws -> ExperimentRun {
        var run = ExperimentRun(jobID: job.id, strategy: child.strategy, seed: child.seed, status: job.status.rawValue)
        if let result = job.result.flatMap(JSONValue.decoding) {
            if case .number(let accuracy)? = result.field("test_accuracy") { run.testAccuracy = accuracy }
            if case .number(let epochs)? = result.field("epochs") { run.epochs = Int(epochs) }
        }
        if job.status.isTerminal, let start = job.startedAt, let end = job.finishedAt {
            run.wallSeconds = JobService.milliseconds(end.timeIntervalSince(start))
        }
        if job.startedAt != nil {
            typealias Key = EpochEvent.CodingKeys
            let epochs = try store.metrics(job: job.id).map { row -> (imagesPerSecond: Double?, trainSeconds: Double?) in
                let values = JSONValue.decoding(row.values)
                return (values?.field(Key.imagesPerSecond.stringValue)?.numberValue, values?.field(Key.trainSeconds.stringValue)?.numberValue)
            }
            run.imagesPerSecond = ExperimentRun.imagesPerSecond(epochs: epochs)
        }
        return run
    }

    /// The strategies' names in request order (as stored), else in the children's order.
    static func strategyNames(_ request: String, runs: [ExperimentRun]) -> [String] {
        var names: [String] = []
        if case .success(let read)? = JSONValue.decoding(request).map(CreateExperimentRequest.read) {
            names = read.strategies.map(\.name)
        }
        for run in runs where !names.contains(run.strategy) { names.append(run.strategy) }
        return names
    }

    static func ended(_ status: String) -> Bool { JobStatus(rawValue: status)?.isTerminal ?? false }

    /// The built-in architecture `scratch` trains: the base model's when it is one of NN's built-ins.
    func scratchArchitecture(_ model: JSONValue?) -> String? {
        let name: String?
        switch (model?.field("architecture"), model?.field("id")) {
        case (.string(let architecture)?, _): name = architecture
        case (nil, .string(let id)?): name = try? store.model(id).architecture
        default: name = nil
        }
        return name.flatMap { BuiltinArchitectures.names.contains($0) ? $0 : nil }
    }
}

extension JSONValue {
    var numberValue: Double? { if case .number(let n) = self { return n }; return nil }
}
