import Foundation
import PackagePlugin

/// Turns the web UI's files (`Assets/` under the target, plus the repository's `examples/*.json` job
/// specs as templates) into one Swift source before the target compiles. SwiftPM resources are not
/// embedded in the binary on Linux (they are a bundle directory beside it), and thawd must serve the
/// UI from its own binary; the files stay real, editable files, and no generated copy is checked in
/// that could drift from them.
@main
struct EmbedWebAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        // The target's folder by SwiftPM's default layout (Target.directoryURL needs tools 6.1).
        let assets = context.package.directoryURL.appending(path: "Sources").appending(path: target.name).appending(path: "Assets")
        let examples = context.package.directoryURL.appending(path: "examples")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedAssets.swift")
        // Only examples/*.json itself (not examples/fewshot/…), as the tool reads them.
        let inputs = Self.files(under: assets) + Self.files(under: examples).filter {
            $0.pathExtension == "json" && $0.deletingLastPathComponent().lastPathComponent == "examples"
        }
        return [.buildCommand(
            displayName: "Embedding \(inputs.count) web UI files",
            executable: try context.tool(named: "embed-web-assets").url,
            arguments: [output.path, assets.path, examples.path],
            inputFiles: inputs,
            outputFiles: [output])]
    }

    /// Regular files below `directory` (hidden ones skipped), so an added or edited file reruns the tool.
    static func files(under directory: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        return walker.compactMap { $0 as? URL }.filter {
            (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }.sorted { $0.path < $1.path }
    }
}
