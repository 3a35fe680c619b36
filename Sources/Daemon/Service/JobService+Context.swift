import Data
import Foundation
import JobAPI
import NN
import Store
import Training

extension JobService {
    /// The model a spec names: a registered model's architecture and descriptor, or a built-in by
    /// name (`BuiltinArchitectures.names` is the one list of them); nil with the problem otherwise.
    func resolve(model source: JobAPI.ModelSource) -> (ArchitectureSpec, ModelRecord?, ModelDescriptor?)? {
        switch source {
        case .registered(let id):
            guard let found = try? store.model(id), let descriptor = try? ModelDescriptor.decode(found.spec) else { return nil }
            return (descriptor.spec, found, descriptor)
        case .architecture(let name):
            guard let spec = try? BuiltinArchitectures.spec(named: name) else { return nil }
            return (spec, nil, nil)
        }
    }

    static func problem(resolving source: JobAPI.ModelSource) -> SpecProblem {
        switch source {
        case .registered(let id): SpecProblem(path: "model.id", message: "no model with id '\(id)'")
        case .architecture(let name):
            SpecProblem(path: "model.architecture",
                        message: "unknown architecture '\(name)'; built-ins are \(BuiltinArchitectures.names.joined(separator: ", "))")
        }
    }

    /// Resolves what a spec refers to. Problems (unknown model or dataset) come back as spec
    /// problems so one 422 lists them together with the spec's own.
    func context(model source: JobAPI.ModelSource, datasetID: String) -> (JobContext?, [SpecProblem]) {
        var problems: [SpecProblem] = []
        let model = resolve(model: source)
        if model == nil { problems.append(Self.problem(resolving: source)) }
        var dataset: DatasetCatalog.Info?
        do { dataset = try datasets.info(id: datasetID) } catch {
            problems.append(SpecProblem(path: "dataset.id", message: datasetID == FashionMNIST.name
                ? "the built-in fashion-mnist is not installed on this machine (apt-get install dataset-fashion-mnist)"
                : "no dataset with id '\(datasetID)'"))
        }
        guard let (architecture, record, descriptor) = model else { return (nil, problems) }
        return (JobContext(architecture: architecture, groupLayers: JobContext.groupLayers(of: architecture),
                           modelRecord: record, descriptor: descriptor, dataset: dataset), problems)
    }

    /// A stored job's spec and context (for its run, and for commands checked against its groups).
    func context(for job: JobRecord) throws -> (JobSpec, JobContext) {
        let spec: JobSpec
        switch JobSpec.parse(JSONValue.decoding(job.spec) ?? .null) {
        case .success(let parsed): spec = parsed
        case .failure(let error): throw StoreError.corruptRecord(table: "jobs", column: "spec", reason: error.description)
        }
        let (context, problems) = context(model: spec.model, datasetID: spec.dataset.id)
        guard let context else {
            throw JobServiceError.conflict(.modelMissing, message: problems.map(\.description).joined(separator: "; "))
        }
        return (spec, context)
    }
}
