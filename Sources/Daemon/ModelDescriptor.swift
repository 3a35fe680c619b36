import Foundation
import JobAPI
import NN

/// What the store's `models.spec` column holds: the architecture plus what the weights file's
/// metadata says about classes and normalization, so listing models never reads weight files.
struct ModelDescriptor: Codable, Sendable {
    var spec: ArchitectureSpec
    var classNames: [String]
    var mean: [Double]
    var std: [Double]
    /// Outputs of the head (kept here: building a model just to count them would allocate its weights).
    var classes: Int

    enum CodingKeys: String, CodingKey {
        case spec
        case classNames = "class_names"
        case mean, std, classes
    }

    init(metadata: ModelMetadata, classes: Int) {
        self.classes = classes
        spec = metadata.spec
        classNames = metadata.classNames
        mean = metadata.mean
        std = metadata.std
    }

    var json: String { String(decoding: (try? Wire.encode(self)) ?? Data(), as: UTF8.self) }

    static func decode(_ text: String) throws -> ModelDescriptor {
        try Wire.decode(ModelDescriptor.self, from: Data(text.utf8))
    }

}
