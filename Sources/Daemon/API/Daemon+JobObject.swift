import Foundation
import JobAPI
import Store
import Training

extension Daemon {
    /// The job as the API shows it: the stored record, plus the training state the store keeps from
    /// its events (groups with trainable and LR, latest/best/test metrics, the LR-finder result).
    func jobObject(_ job: JobRecord) throws -> [String: Any] {
        let spec = (try? JSONSerialization.jsonObject(with: Data(job.spec.utf8))) as? [String: Any] ?? [:]
        let state = try store.trainingState(job: job.id) ?? JobTrainingState()
        var object: [String: Any] = [
            "id": job.id, "object": "job", "name": job.name as Any? ?? NSNull(), "status": job.status.rawValue,
            "priority": job.priority, "model": spec["model"] ?? NSNull(), "model_id": job.modelID as Any? ?? NSNull(),
            "dataset": spec["dataset"] ?? NSNull(), "type": spec["type"] ?? "train",
            "phase": job.phase as Any? ?? NSNull(), "epoch": job.epoch as Any? ?? NSNull(), "step": job.step as Any? ?? NSNull(),
            "attempts": job.attempts, "crashes": job.crashes, "created_at": Int(job.createdAt.timeIntervalSince1970),
            "started_at": job.startedAt.map { Int($0.timeIntervalSince1970) } as Any? ?? NSNull(),
            "finished_at": job.finishedAt.map { Int($0.timeIntervalSince1970) } as Any? ?? NSNull(),
            "spec": spec,
        ]
        // Every group of the model, in its order; before the run reports any, the first phase's plan.
        if let (parsed, context) = try? jobContext(for: job) {
            object["groups"] = wireObject(state.groupsView(modelGroups: context.groups, spec: parsed))
        } else {
            object["groups"] = [Any]()
        }
        object["metrics"] = wireObject(JobMetricsView(state))
        if let lrFind = state.lrFind { object["lr_find"] = wireObject(lrFind) }

        var timings: [String: Any] = [:]
        let end = job.finishedAt ?? Date()
        timings["queued_seconds"] = ((job.startedAt ?? end).timeIntervalSince(job.createdAt) * 1000).rounded() / 1000
        if let started = job.startedAt { timings["running_seconds"] = (end.timeIntervalSince(started) * 1000).rounded() / 1000 }
        object["timings"] = timings
        if let failure = job.failure {
            object["error"] = ["code": failure.code, "message": failure.message]
        } else {
            object["error"] = NSNull()
        }
        if let result = job.result, let parsed = try? JSONSerialization.jsonObject(with: Data(result.utf8)) {
            object["result"] = parsed
        }
        return object
    }

    /// A JobAPI value as this object's dictionaries hold it (until the job object is a typed view).
    private func wireObject<T: Encodable>(_ value: T) -> Any {
        (try? JSONSerialization.jsonObject(with: Wire.encode(value), options: [.fragmentsAllowed])) ?? NSNull()
    }
}
