import Foundation
import NN

/// A job's resume point, decoded from an epoch checkpoint's two files.
///
/// The `state` file is safetensors: tensors `optimizer/<param>.<slot>` (the optimizer's state dict),
/// `best/<key>` (the job's best weights so far) and `phase_best/<key>` (the running phase's best, when
/// it has its own early stopping), with `__metadata__` keys `format` = `thaw.resume`,
/// `format_version` = `1` and `run_state` = the `RunState` JSON. Best weights ride along so that a
/// resume restores the same best however the separately saved best checkpoints were written.
public struct ResumeState: Sendable {
    public static let format = "thaw.resume"
    public static let formatVersion = "1"

    public var run: RunState
    public var weights: WeightsFile
    public var optimizer: StateDict
    public var jobBest: StateDict?
    public var phaseBest: StateDict?

    public init(run: RunState, weights: WeightsFile, optimizer: StateDict, jobBest: StateDict?, phaseBest: StateDict?) {
        self.run = run
        self.weights = weights
        self.optimizer = optimizer
        self.jobBest = jobBest
        self.phaseBest = phaseBest
    }

    /// The `state` file's bytes.
    public func encodedState() -> [UInt8] {
        Self.encodeState(run: run, optimizer: optimizer, jobBest: jobBest, phaseBest: phaseBest)
    }

    /// The `state` file for a run state and its tensors.
    public static func encodeState(run: RunState, optimizer: StateDict, jobBest: StateDict?, phaseBest: StateDict?) -> [UInt8] {
        var tensors = StateDict()
        for e in optimizer.entries { tensors.append("optimizer/" + e.name, e.tensor, dtype: e.dtype) }
        for e in jobBest?.entries ?? [] { tensors.append("best/" + e.name, e.tensor, dtype: e.dtype) }
        for e in phaseBest?.entries ?? [] { tensors.append("phase_best/" + e.name, e.tensor, dtype: e.dtype) }
        let metadata = ["format": Self.format, "format_version": Self.formatVersion, "run_state": JSONText.encode(run)]
        return Safetensors.encode(tensors, metadata: metadata)
    }

    /// Decodes an epoch checkpoint; errors name the file and key at fault.
    public static func decode(weights: [UInt8], state: [UInt8]) throws(CheckpointError) -> ResumeState {
        let weightsFile = try WeightsFile.decode(weights)
        let decoded: (tensors: StateDict, metadata: [String: String])
        do { decoded = try Safetensors.decode(state) } catch { throw CheckpointError(file: "state", "\(error)") }
        let meta = decoded.metadata
        guard meta["format"] == format else {
            throw CheckpointError(file: "state", key: "format", "expected \(format), got \(meta["format"] ?? "nothing")")
        }
        guard meta["format_version"] == formatVersion else {
            throw CheckpointError(file: "state", key: "format_version", "unsupported version \(meta["format_version"] ?? "nothing")")
        }
        guard let text = meta["run_state"] else { throw CheckpointError(file: "state", key: "run_state", "missing from __metadata__") }
        let run: RunState = try JSONText.decode(text, file: "state", key: "run_state")
        guard run.version == RunState.version else {
            throw CheckpointError(file: "state", key: "run_state.version", "unsupported version \(run.version)")
        }
        var optimizer = StateDict(), best = StateDict(), phaseBest = StateDict()
        for e in decoded.tensors.entries {
            let parts = e.name.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CheckpointError(file: "state", key: e.name, "tensor name has no known prefix") }
            switch parts[0] {
            case "optimizer": optimizer.append(parts[1], e.tensor, dtype: e.dtype)
            case "best": best.append(parts[1], e.tensor, dtype: e.dtype)
            case "phase_best": phaseBest.append(parts[1], e.tensor, dtype: e.dtype)
            default: throw CheckpointError(file: "state", key: e.name, "unknown prefix \(parts[0])")
            }
        }
        return ResumeState(run: run, weights: weightsFile, optimizer: optimizer,
                           jobBest: best.entries.isEmpty ? nil : best, phaseBest: phaseBest.entries.isEmpty ? nil : phaseBest)
    }
}
