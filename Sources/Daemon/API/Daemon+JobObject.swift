import Foundation
import JobAPI
import Store
import Training

extension Daemon {
    /// The job as the API shows it: the stored record, plus the current training state read from
    /// the newest events (groups with trainable and LR, latest/best/test metrics).
    func jobObject(_ job: JobRecord) throws -> [String: Any] {
        let spec = (try? JSONSerialization.jsonObject(with: Data(job.spec.utf8))) as? [String: Any] ?? [:]
        let latest = try store.latestEvents(job: job.id, types: ["epoch", "control", "phase", "test", "lr_find", "best"])
        func payload(_ type: String) -> [String: Any]? {
            latest[type].flatMap { (try? JSONSerialization.jsonObject(with: Data($0.payload.utf8))) as? [String: Any] }
        }
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
        object["groups"] = groupsView(job: job, latest: latest.mapValues { $0 }, payload: payload)

        var metrics: [String: Any] = [:]
        if let epoch = payload("epoch") {
            metrics["latest"] = epoch.filter { ["phase", "epoch", "global_epoch", "train_loss", "val_loss", "val_accuracy",
                                                "per_class_accuracy", "images_per_second", "seconds", "from_cache"].contains($0.key) }
        }
        if let best = payload("best") { metrics["best"] = best }
        if let test = payload("test") {
            for key in ["test_loss", "test_accuracy", "tta_loss", "tta_accuracy", "stop_reason", "restored_best"] {
                if let v = test[key] { metrics[key] = v }
            }
            if metrics["best"] == nil, let metric = test["best_metric"] {
                metrics["best"] = ["metric": metric, "value": test["best_value"] ?? NSNull(), "global_epoch": test["best_epoch"] ?? NSNull()]
            }
        }
        object["metrics"] = metrics
        if let lrFind = payload("lr_find") { object["lr_find"] = lrFind }

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

    /// Every group of the model with whether it trains and its LR now. The newest of the epoch,
    /// control and phase events holds the effective state; before the run starts, the spec's first
    /// phase says what will train.
    private func groupsView(job: JobRecord, latest: [String: EventRecord],
                            payload: (String) -> [String: Any]?) -> [[String: Any]] {
        let newest = ["epoch", "control", "phase"].compactMap { type in latest[type].map { (type, $0.id) } }
            .max { $0.1 < $1.1 }?.0
        let groups: [String]
        if let context = try? jobContext(for: job).1 { groups = context.groups } else { return [] }
        guard let newest, let state = payload(newest) else {
            guard case .success(let spec) = JobSpec.parse(json: Data(job.spec.utf8)), let first = spec.phases.first else {
                return groups.map { ["name": $0, "trainable": false, "lr": NSNull(), "peak_lr": NSNull()] }
            }
            let trainable = Set(first.trainable.resolve(in: groups))
            let peaks = first.lr.resolve(groups: groups)
            return groups.enumerated().map { i, g in
                ["name": g, "trainable": trainable.contains(g), "lr": peaks[i], "peak_lr": peaks[i]]
            }
        }
        let trainable = Set(state["trainable"] as? [String] ?? [])
        let lrs = state["lrs"] as? [String: Any] ?? [:]
        let peaks = state["peak_lrs"] as? [String: Any] ?? [:]
        return groups.map { g in
            ["name": g, "trainable": trainable.contains(g), "lr": lrs[g] ?? peaks[g] ?? NSNull(), "peak_lr": peaks[g] ?? NSNull()]
        }
    }
}
