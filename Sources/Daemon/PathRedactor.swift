import Foundation

/// Replaces the server's own directories in client-facing text (error messages, job errors) with
/// placeholders: `<dataset-root>`, `<data-dir>`, `<fashion-mnist>`. Each is matched as configured,
/// made absolute and canonical (realpath), since a message may carry any of the three spellings.
struct PathRedactor {
    private let replacements: [(path: String, placeholder: String)]

    init(configuration: DaemonConfiguration) {
        var pairs: [(String, String)] = []
        for (path, placeholder) in [(configuration.resolvedDatasetRoot, "<dataset-root>"),
                                    (configuration.dataDir, "<data-dir>"),
                                    (configuration.fashionMNISTRoot, "<fashion-mnist>")] {
            let absolute = path.hasPrefix("/") ? path
                : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
            for spelling in [path, absolute, (absolute as NSString).standardizingPath, DatasetPathResolver.canonical(absolute)] {
                guard let spelling, spelling.count > 1, spelling != "." else { continue }
                pairs.append((spelling, placeholder))
            }
        }
        // Longest first: the dataset root usually lies inside the data dir.
        replacements = pairs.sorted { $0.0.count > $1.0.count }
    }

    func redact(_ text: String) -> String {
        replacements.reduce(text) { $0.replacingOccurrences(of: $1.path, with: $1.placeholder) }
    }
}

extension APIError {
    /// The error with the server's paths taken out of its message and details.
    func redacting(_ redactor: PathRedactor) -> APIError {
        var copy = self
        copy.message = redactor.redact(message)
        copy.details = details.map { Detail(field: $0.field, message: redactor.redact($0.message)) }
        return copy
    }
}
