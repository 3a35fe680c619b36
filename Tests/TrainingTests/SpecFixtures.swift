import Foundation
import JobAPI
import Training

/// The daemon issue's example job, verbatim.
let exampleJobJSON = """
{"name": "fmnist-5to9",
 "model": {"id": "<registered model id>"},
 "num_classes": 5,
 "dataset": {"id": "fashion-mnist", "classes": [5, 6, 7, 8, 9], "per_class": 100, "validation_fraction": 0.2, "seed": 1},
 "phases": [
   {"name": "head", "trainable": ["head"], "epochs": 3, "lr": 0.003, "schedule": "one_cycle"},
   {"name": "finetune", "trainable": "all", "epochs": 12, "lr": {"min": 1e-5, "max": 1e-3}, "schedule": "one_cycle"}],
 "optimizer": {"type": "adamw", "weight_decay": 0.01},
 "batch_size": 64,
 "early_stopping": {"monitor": "val_loss", "min_delta": 0.0, "patience": 3, "restore_best": true},
 "seed": 42}
"""

let smallCNNGroups = ["block1", "block2", "head"]

func exampleJob() -> JSONValue {
    try! JSONDecoder().decode(JSONValue.self, from: Data(exampleJobJSON.utf8))
}

func encoded(_ value: JSONValue) -> Data {
    try! JSONEncoder().encode(value)
}

extension JSONValue {
    /// A copy with the value at `path` (`a.b[1].c`) replaced, or removed when `value` is nil. Missing
    /// objects along the way are created.
    func setting(_ path: String, _ value: JSONValue?) -> JSONValue {
        var segments: [PathSegment] = []
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.last == "]" {
                indices.insert(Int(name[name.index(after: open)..<name.index(before: name.endIndex)])!, at: 0)
                name = name[..<open]
            }
            segments.append(.key(String(name)))
            segments += indices.map(PathSegment.index)
        }
        return replacing(segments[...], with: value)
    }

    private enum PathSegment { case key(String), index(Int) }

    private func replacing(_ path: ArraySlice<PathSegment>, with value: JSONValue?) -> JSONValue {
        guard let head = path.first else { return value ?? .null }
        switch head {
        case .key(let key):
            guard case .object(var fields) = self else { return JSONValue.object([:]).replacing(path, with: value) }
            if path.count == 1, value == nil {
                fields[key] = nil
            } else {
                fields[key] = (fields[key] ?? .object([:])).replacing(path.dropFirst(), with: value)
            }
            return .object(fields)
        case .index(let i):
            guard case .array(var items) = self else { fatalError("not a list at index \(i)") }
            if path.count == 1, value == nil {
                items.remove(at: i)
            } else {
                items[i] = items[i].replacing(path.dropFirst(), with: value)
            }
            return .array(items)
        }
    }
}
