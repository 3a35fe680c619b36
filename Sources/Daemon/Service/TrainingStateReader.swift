import Foundation
import JobAPI
import Store

extension JobService {
    /// The job's live state, rebuilt from its newest events (decoded with JobAPI's payload types) and
    /// its record's progress. Interim: once the store keeps the typed state row, this body becomes
    /// `store.trainingState(job:)`, one read.
    ///
    /// Groups: the newest of the epoch, control and phase events holds the effective state (trainable
    /// groups, each group's LR and peak); before the run starts, the spec's first phase says what will
    /// train at which LR.
    func trainingState(job: JobRecord, spec: JobSpec?, groups: [String]) throws -> JobTrainingState {
        let latest = try store.latestEvents(job: job.id, types: ["epoch", "control", "phase", "test", "lr_find", "best"])
        func decode<T: Decodable>(_ type: String, as: T.Type) -> T? {
            latest[type].flatMap { try? Wire.decode(T.self, from: Data($0.payload.utf8)) }
        }
        let epoch = decode("epoch", as: EpochEvent.self)
        var state = JobTrainingState(phase: job.phase, epoch: job.epoch, step: job.step, latest: epoch,
                                     test: decode("test", as: TestEvent.self), lrFind: decode("lr_find", as: LRFindEvent.self))
        // The `best` payload is flat (metrics beside phase and epochs); BestEvent nests the metrics.
        if case .object(var fields)? = latest["best"].flatMap({ JSONValue.decoding($0.payload) }) {
            let place = ["phase", "epoch", "global_epoch"].map { fields.removeValue(forKey: $0) ?? .null }
            let metrics = fields.compactMapValues { value -> JSONValue? in if case .number = value { value } else { nil } }
            state.best = try? Wire.decode(BestEvent.self, from: Wire.encode(JSONValue.object(
                ["phase": place[0], "epoch": place[1], "globalEpoch": place[2], "metrics": .object(metrics)])))
        }

        let newest = ["epoch", "control", "phase"].compactMap { type in latest[type].map { (type, $0.id) } }.max { $0.1 < $1.1 }?.0
        let effective: (trainable: [String], lrs: [String: Double?], peaks: [String: Double?])?
        switch newest {
        case "epoch": effective = epoch.map { ($0.trainable, $0.lrs, $0.peakLRs) }
        case "control": effective = decode("control", as: ControlEvent.self).map { ($0.trainable, $0.lrs, $0.peakLRs) }
        case "phase": effective = decode("phase", as: PhaseEvent.self).map { ($0.trainable, [:], $0.peakLRs) }
        default: effective = nil
        }
        if let effective {
            let trainable = Set(effective.trainable)
            state.groups = groups.map { g in
                let peak = effective.peaks[g] ?? nil
                let lr: Double? = effective.lrs[g] ?? peak
                return GroupView(name: g, trainable: trainable.contains(g), lr: lr, peakLR: peak)
            }
        } else if let first = spec?.phases.first {
            let trainable = Set(first.trainable.resolve(in: groups))
            let peaks = first.lr.resolve(groups: groups)
            state.groups = groups.enumerated().map { i, g in
                GroupView(name: g, trainable: trainable.contains(g), lr: peaks[i], peakLR: peaks[i])
            }
        } else {
            state.groups = groups.map { GroupView(name: $0, trainable: false, lr: nil, peakLR: nil) }
        }
        return state
    }
}
