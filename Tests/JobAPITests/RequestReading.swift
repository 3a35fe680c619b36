import Foundation
@testable import JobAPI

/// A body as the daemon hands it to a reader: parsed once, strictly.
func document(_ json: String) throws -> JSONValue {
    try Wire.decode(JSONValue.self, from: Data(json.utf8))
}

extension Result where Failure == SpecError {
    /// Every problem as "path: message", in the order the reader found them; empty on success.
    var problems: [String] {
        if case .failure(let error) = self { return error.problems.map(\.description) }
        return []
    }

    /// The problems' paths.
    var paths: [String] {
        if case .failure(let error) = self { return error.problems.map(\.path) }
        return []
    }
}
