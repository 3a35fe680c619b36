import JobAPI
import Store

extension JobService {
    /// The job's live state: the row the store keeps from its events (one read), with every group of
    /// the model in the model's order; before the run reports any, the first phase's plan. Progress
    /// (`phase`, `epoch`, `step`) is the job record's, committed with the same events.
    func trainingState(job: JobRecord, spec: JobSpec?, groups: [String]) throws -> JobTrainingState {
        var state = try store.trainingState(job: job.id) ?? JobTrainingState()
        state.groups = state.groupsView(modelGroups: groups, spec: spec)
        state.phase = job.phase
        state.epoch = job.epoch
        state.step = job.step
        return state
    }
}
