import HTTPServer
import JobAPI
import NN
import Training

extension Daemon {
    /// Checks an architecture's bounds and its registration estimate against `--max-job-memory`
    /// before any layer is built; `field` names the request field the spec came from.
    func checkModelMemory(_ spec: ArchitectureSpec, field: String) throws {
        let footprint: ModelFootprint
        do { footprint = try spec.footprint() } catch { throw APIError.invalid(field: field, error.description) }
        try checkLimit(MemoryEstimate.model(footprint), what: "the model '\(spec.name)'", field: field)
    }

    /// Checks a job's estimate (its model, optimizer and batch size) against `--max-job-memory`.
    func checkJobMemory(_ spec: JobSpec, architecture: ArchitectureSpec, classes: Int?) throws {
        let estimate: MemoryEstimate
        do { estimate = try spec.memoryEstimate(on: architecture, classes: classes) } catch {
            throw APIError.invalid(field: "model", error.description)
        }
        try checkLimit(estimate, what: "the job (batch_size \(spec.batchSize))", field: "batch_size")
    }

    private func checkLimit(_ estimate: MemoryEstimate, what: String, field: String) throws {
        guard let problem = estimate.problem(limit: configuration.resolvedMaxJobMemory, what: what) else { return }
        throw APIError(.unprocessableContent, code: "memory_limit_exceeded", message: problem,
                       details: [.init(field: field, message: problem)])
    }
}
