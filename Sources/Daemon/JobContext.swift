import Foundation
import JobAPI
import NN
import Store
import Training

/// What the daemon knows about the model and dataset a job names: enough to validate its spec
/// (groups, class counts, index ranges) and later to build its run.
struct JobContext {
    /// The architecture the job trains (the registered model's, or a built-in's).
    var architecture: ArchitectureSpec
    /// Layers of each group, first group to head, for validating control commands.
    var groupLayers: [(name: String, layers: [String])]
    var modelRecord: ModelRecord?
    var descriptor: ModelDescriptor?
    var dataset: DatasetCatalog.Info?

    var groups: [String] { groupLayers.map(\.name) }

    static func groupLayers(of spec: ArchitectureSpec) -> [(name: String, layers: [String])] {
        let owners = (try? spec.resolvedGroups()) ?? []
        return spec.groups.map { group in
            (group, zip(spec.layers, owners).filter { $0.1 == group }.map { $0.0.name })
        }
    }
}

extension Daemon {
    /// Resolves what a spec refers to. Problems (unknown model or dataset) come back as spec
    /// problems so one 422 lists them together with the spec's own.
    func jobContext(model source: JobAPI.ModelSource, datasetID: String) -> (JobContext?, [SpecProblem]) {
        var problems: [SpecProblem] = []
        var architecture: ArchitectureSpec?
        var record: ModelRecord?
        var descriptor: ModelDescriptor?
        switch source {
        case .registered(let id):
            if let found = try? store.model(id), let d = try? ModelDescriptor.decode(found.spec) {
                record = found
                descriptor = d
                architecture = d.spec
            } else {
                problems.append(SpecProblem(path: "model.id", message: "no model with id '\(id)'"))
            }
        case .architecture(let name):
            if let spec = try? BuiltinArchitectures.spec(named: name) {
                architecture = spec
            } else {
                problems.append(SpecProblem(path: "model.architecture",
                                            message: "unknown architecture '\(name)'; built-ins are \(BuiltinArchitectures.names.joined(separator: ", "))"))
            }
        }
        var dataset: DatasetCatalog.Info?
        do { dataset = try datasets.info(id: datasetID) } catch {
            problems.append(SpecProblem(path: "dataset.id", message: datasetID == "fashion-mnist"
                ? "the built-in fashion-mnist is not installed on this machine (apt-get install dataset-fashion-mnist)"
                : "no dataset with id '\(datasetID)'"))
        }
        guard let architecture else { return (nil, problems) }
        return (JobContext(architecture: architecture, groupLayers: JobContext.groupLayers(of: architecture),
                           modelRecord: record, descriptor: descriptor, dataset: dataset), problems)
    }

    func jobContext(for job: JobRecord) throws -> (JobSpec, JobContext) {
        let spec: JobSpec
        switch JobSpec.parse(json: Data(job.spec.utf8)) {
        case .success(let parsed): spec = parsed
        case .failure(let error): throw StoreError.corruptRecord(table: "jobs", column: "spec", reason: error.description)
        }
        let (context, problems) = jobContext(model: spec.model, datasetID: spec.dataset.id)
        guard let context else { throw APIError(.conflict, code: "model_missing", message: problems.map(\.description).joined(separator: "; ")) }
        return (spec, context)
    }
}
