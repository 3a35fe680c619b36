import Foundation
import JobAPI
import Store

extension JobService {
    /// The job as the API shows it, from one read of its row and its training-state row. What it
    /// derives from stored text (the spec document, the model's group order, the plan, the decoded
    /// state and result) comes from `viewMemo` when that text has not changed since.
    func view(_ snapshot: JobSnapshot) throws -> JobView {
        let job = snapshot.job
        let parts = viewMemo.spec(job: job.id, text: job.spec) { specParts(job.spec, job: job.id) }
        var training = JobTrainingState(groups: parts.plan)
        var trainingFragments = parts.planFragments
        if let eventID = snapshot.trainingStateEventID {
            let state = try viewMemo.state(job: job.id, eventID: eventID) {
                var state = try snapshot.decodedTrainingState() ?? JobTrainingState()
                state.groups = state.groups.isEmpty ? parts.plan : state.groups(in: parts.groups)
                return JobViewMemo.StateParts(eventID: eventID, state: state, fragments: JobView.TrainingFragments(training: state))
            }
            training = state.state
            trainingFragments = state.fragments
        }
        let result = job.result.map { text in
            viewMemo.result(job: job.id, text: text) {
                let value = Self.resultValue(text)
                return JobViewMemo.ResultParts(text: text, value: value, rendered: value.map(WireWriter.rendered))
            }
        }
        var view = view(job, document: parts.document, training: training, result: result?.value)
        view.experiment = parts.experiment
        view.node = job.node
        view.fragments = JobView.Fragments(spec: parts.fragments, training: trainingFragments, result: result?.rendered)
        return view
    }

    /// The job as the API shows it right after submit, from what the submit already holds.
    func view(_ job: JobRecord, document: JSONValue, spec: JobSpec, groups: [String]?) throws -> JobView {
        var training = try store.trainingState(job: job.id) ?? JobTrainingState()
        training.groups = training.groupsView(modelGroups: groups ?? [], spec: spec)
        return view(job, document: document, training: training, result: job.result.flatMap(Self.resultValue))
    }

    private func view(_ job: JobRecord, document: JSONValue, training: JobTrainingState, result: JSONValue?) -> JobView {
        var training = training
        // Progress (`phase`, `epoch`, `step`) is the job record's, committed with the same events.
        training.phase = job.phase
        training.epoch = job.epoch
        training.step = job.step
        let end = job.finishedAt ?? clock()
        return JobView(
            id: job.id, name: job.name, status: job.status.rawValue, priority: job.priority, spec: document,
            modelID: job.modelID, attempts: job.attempts, crashes: job.crashes,
            createdAt: Int(job.createdAt.timeIntervalSince1970), startedAt: job.startedAt.map { Int($0.timeIntervalSince1970) },
            finishedAt: job.finishedAt.map { Int($0.timeIntervalSince1970) },
            queuedSeconds: Self.milliseconds((job.startedAt ?? end).timeIntervalSince(job.createdAt)),
            runningSeconds: job.startedAt.map { Self.milliseconds(end.timeIntervalSince($0)) },
            training: training, failure: job.failure.map { JobView.Failure(code: $0.code, message: $0.message) },
            result: result)
    }

    /// The spec text's document (`{}` if it cannot be read), its model's groups in the model's
    /// order (none when the model cannot be resolved), the first phase's plan over them, and the
    /// experiment the job belongs to (fixed when the job is created, in the same transaction).
    func specParts(_ text: String, job id: String) -> JobViewMemo.SpecParts {
        let document = JSONValue.decoding(text).flatMap { $0.isObject ? $0 : nil } ?? .object([:])
        let spec = try? JobSpec.parse(document).get()
        let groups = spec.flatMap { resolve(model: $0.model) }.map { JobContext.groupLayers(of: $0.0).map(\.name) } ?? []
        let plan = GroupView.plan(spec: spec, groups: groups)
        return JobViewMemo.SpecParts(text: text, document: document, groups: groups, plan: plan,
                                     experiment: (try? store.experimentID(ofJob: id)) ?? nil,
                                     fragments: JobView.SpecFragments(document: document),
                                     planFragments: JobView.TrainingFragments(training: JobTrainingState(groups: plan)))
    }

    static func resultValue(_ text: String) -> JSONValue? {
        JSONValue.decoding(text).flatMap { $0.isObject || $0.isArray ? $0 : nil }
    }

    static func milliseconds(_ seconds: TimeInterval) -> Double { (seconds * 1000).rounded() / 1000 }
}

extension JSONValue {
    var isObject: Bool { if case .object = self { return true }; return false }
    var isArray: Bool { if case .array = self { return true }; return false }
}
