import Foundation
import JobAPI
import NN
import Store
import Training

extension JobService {
    /// `POST /v1/jobs`: `body` is the request document, parsed once by the route (`text` as it came).
    /// Structural problems, unknown references and problems against the model and dataset are
    /// reported together in one `invalid`; then the memory estimate; then the job is stored (queued)
    /// and the workers woken.
    func submit(_ body: JSONValue, text: String) throws -> JobView {
        let prepared = try prepareJob(body, text: text)
        let request = prepared.request, context = prepared.context
        let job = try store.createJob(name: request.spec.name, priority: request.priority, spec: request.specText,
                                      modelID: context?.modelRecord?.id)
        ownership.wake()
        return try view(job, document: prepared.document, spec: request.spec, groups: context?.groups)
    }

    /// A job request read and checked as `submit` checks it, not stored yet: every submission (a
    /// job, an experiment's children) goes through here, so one place decides what a valid job is.
    struct PreparedJob {
        let request: CreateJobRequest
        let document: JSONValue
        let context: JobContext?
    }

    func prepareJob(_ body: JSONValue, text: String) throws -> PreparedJob {
        guard case .object = body else { throw JobServiceError.invalid(field: "body", "must be a JSON object") }
        let reading = CreateJobRequest.read(body, text: text)
        var problems: [SpecProblem] = []
        var context: JobContext?
        if let model = reading.model, let datasetID = reading.datasetID {
            (context, problems) = self.context(model: model, datasetID: datasetID)
        }
        if let dataset = context?.dataset, dataset.builtin, let crop = reading.partialSpec?.dataset.cropFraction, crop != 1 {
            problems.append(SpecProblem(path: "dataset.crop_fraction",
                                        message: "applies to image folders; \(dataset.id) keeps its native size"))
        }
        if let dataset = context?.dataset, dataset.testCounts == nil, let spec = reading.partialSpec, spec.kind == .evaluate,
           spec.evaluate?.split == .test {
            problems.append(SpecProblem(path: "evaluate.split",
                                        message: "is test, but dataset \(dataset.id) has no test split (evaluate validation or train instead)"))
        }
        if let context { reading.validate(against: context.specContext) }
        problems += reading.problems
        if let request = reading.request, let context, let problem = inputSizeProblem(request.spec, context) {
            problems.append(problem)
        }
        guard problems.isEmpty, let request = reading.request else {
            throw JobServiceError.invalid(problems, summary: "the job spec has problems")
        }
        if let context {
            try memory.checkJob(request.spec, architecture: context.architecture, classes: request.spec.resolvedNumClasses(
                datasetClasses: context.dataset?.classNames.count, modelClasses: context.descriptor?.classes))
        }
        return PreparedJob(request: request, document: reading.document, context: context)
    }

    /// A job's `input_size` must also get through every layer (a custom spec's flatten → linear fixes
    /// H and W); building the model is the one place that knows every layer's shape rule.
    private func inputSizeProblem(_ spec: JobSpec, _ context: JobContext) -> SpecProblem? {
        guard let size = spec.inputSize, size != context.architecture.inputShape else { return nil }
        var architecture = context.architecture
        architecture.inputShape = size
        do { _ = try Model(spec: architecture) } catch {
            return SpecProblem(path: "input_size", message: "the model cannot take \(size): \(error)")
        }
        return nil
    }
}
