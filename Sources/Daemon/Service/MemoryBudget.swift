import JobAPI
import NN
import Training

/// `--max-job-memory` against the estimates computed from an architecture alone, before any layer
/// is built (`ArchitectureSpec.footprint()`, `JobSpec.memoryEstimate`).
struct MemoryBudget: Sendable {
    /// Bytes.
    var limit: Int

    /// A model's bounds and registration estimate; `field` names the request field the spec came from.
    func checkModel(_ spec: ArchitectureSpec, field: String) throws(JobServiceError) {
        let footprint: ModelFootprint
        do { footprint = try spec.footprint() } catch { throw .invalid(field: field, error.description) }
        try check(MemoryEstimate.model(footprint), what: "the model '\(spec.name)'", field: field)
    }

    /// A job's estimate: its model, optimizer and batch size.
    func checkJob(_ spec: JobSpec, architecture: ArchitectureSpec, classes: Int?) throws(JobServiceError) {
        let estimate: MemoryEstimate
        do { estimate = try spec.memoryEstimate(on: architecture, classes: classes) } catch {
            throw .invalid(field: "model", error.description)
        }
        try check(estimate, what: "the job (batch_size \(spec.batchSize))", field: "batch_size")
    }

    private func check(_ estimate: MemoryEstimate, what: String, field: String) throws(JobServiceError) {
        guard let problem = estimate.problem(limit: limit, what: what) else { return }
        throw .memoryLimit(field: field, message: problem)
    }
}
