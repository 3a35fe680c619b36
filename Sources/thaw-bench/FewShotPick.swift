import Foundation

/// `examples/fewshot/fewshot_pick.json`: the exact Fashion-MNIST training images of the few-shot
/// protocol (0-based indices into the training files; classes relabelled 0..k-1 in the listed order).
struct FewShotPick: Decodable {
    struct Task: Decodable {
        var classes: [Int]
        var train: [Int]
        var validation: [Int]
    }

    var source: Task
    var target: Task

    static func load(_ path: String) throws -> FewShotPick {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FewShotFailure("cannot read the pick file \(path)")
        }
        return try JSONDecoder().decode(FewShotPick.self, from: data)
    }
}

struct FewShotFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
