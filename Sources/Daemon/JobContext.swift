import Foundation
import JobAPI
import NN
import Store

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

    /// What a job spec's checks need from this context.
    var specContext: SpecContext {
        SpecContext(groups: groups, modelClasses: descriptor?.classes, datasetClasses: dataset?.classNames.count,
                    datasetSize: dataset?.trainCounts.reduce(0, +), inputShape: architecture.inputShape)
    }
}
