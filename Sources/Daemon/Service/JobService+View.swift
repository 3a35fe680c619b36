import Foundation
import JobAPI
import Store

extension JobService {
    /// The job as the API shows it. The stored spec is parsed once here; a caller that holds it
    /// already (submit) passes the document, spec and groups instead.
    func view(_ job: JobRecord, document: JSONValue? = nil, spec: JobSpec? = nil, groups: [String]? = nil) throws -> JobView {
        let document = document ?? JSONValue.decoding(job.spec).flatMap { $0.isObject ? $0 : nil } ?? .object([:])
        let spec = spec ?? (try? JobSpec.parse(document).get())
        let groups = groups ?? spec.flatMap { resolve(model: $0.model) }.map { JobContext.groupLayers(of: $0.0).map(\.name) } ?? []
        let training = try trainingState(job: job, spec: spec, groups: groups)
        let end = job.finishedAt ?? clock()
        return JobView(
            id: job.id, name: job.name, status: job.status.rawValue, priority: job.priority, spec: document,
            modelID: job.modelID, attempts: job.attempts, crashes: job.crashes,
            createdAt: Int(job.createdAt.timeIntervalSince1970), startedAt: job.startedAt.map { Int($0.timeIntervalSince1970) },
            finishedAt: job.finishedAt.map { Int($0.timeIntervalSince1970) },
            queuedSeconds: Self.milliseconds((job.startedAt ?? end).timeIntervalSince(job.createdAt)),
            runningSeconds: job.startedAt.map { Self.milliseconds(end.timeIntervalSince($0)) },
            training: training, failure: job.failure.map { JobView.Failure(code: $0.code, message: $0.message) },
            result: job.result.flatMap { text in JSONValue.decoding(text).flatMap { $0.isObject || $0.isArray ? $0 : nil } })
    }

    static func milliseconds(_ seconds: TimeInterval) -> Double { (seconds * 1000).rounded() / 1000 }
}

extension JSONValue {
    var isObject: Bool { if case .object = self { return true }; return false }
    var isArray: Bool { if case .array = self { return true }; return false }
}
