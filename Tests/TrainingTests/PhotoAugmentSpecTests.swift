import Foundation
import JobAPI
import Testing
@testable import Training

/// The photo-pipeline fields of `augment` and `dataset`: defaults, ranges, and a stored spec that
/// reads back identically.
let malformedPhotoSpecs: [MalformedSpec] = [
    .init("random_resized_crop a string", [("phases[0].augment", ["random_resized_crop": "yes"])],
          "phases[0].augment.random_resized_crop", "must be an object"),
    .init("random_resized_crop scale reversed", [("phases[0].augment", ["random_resized_crop": ["scale": [0.9, 0.1]]])],
          "phases[0].augment.random_resized_crop.scale", "0 < lo <= hi <= 1, got [0.9, 0.1]"),
    .init("random_resized_crop scale zero", [("phases[0].augment", ["random_resized_crop": ["scale": [0, 1]]])],
          "phases[0].augment.random_resized_crop.scale", "0 < lo <= hi <= 1"),
    .init("random_resized_crop scale one number", [("phases[0].augment", ["random_resized_crop": ["scale": 0.5]])],
          "phases[0].augment.random_resized_crop.scale", "two numbers"),
    .init("random_resized_crop ratio huge", [("phases[0].augment", ["random_resized_crop": ["ratio": [1, 100]]])],
          "phases[0].augment.random_resized_crop.ratio", "0.1 <= lo <= hi <= 10"),
    .init("random_resized_crop unknown field", [("phases[0].augment", ["random_resized_crop": ["size": 224]])],
          "phases[0].augment.random_resized_crop.size", "unknown field"),
    .init("random_resized_crop with shift", [("phases[0].augment", ["random_resized_crop": true, "shift": 2])],
          "phases[0].augment.shift", "does not combine with random_resized_crop"),
    .init("color_jitter brightness above one", [("phases[0].augment", ["color_jitter": ["brightness": 2]])],
          "phases[0].augment.color_jitter.brightness", "in [0, 1], got 2"),
    .init("color_jitter hue", [("phases[0].augment", ["color_jitter": ["hue": 0.1]])],
          "phases[0].augment.color_jitter.hue", "unknown field"),
    .init("crop_fraction too small", [("dataset.crop_fraction", 0.3)], "dataset.crop_fraction", "in [0.5, 1], got 0.3"),
    .init("crop_fraction a string", [("dataset.crop_fraction", "0.875")], "dataset.crop_fraction", "must be a number"),
]

@Suite struct PhotoAugmentSpecTests {
    @Test(arguments: malformedPhotoSpecs)
    func malformedFieldIsReported(_ c: MalformedSpec) {
        guard case .failure(let error) = JobSpec.parse(json: encoded(c.json)) else {
            Issue.record("\(c.name): parsed without problems")
            return
        }
        #expect(error.problems.contains { $0.path == c.path && $0.message.contains(c.message) }, "\(c.name): got \(error.problems)")
        #expect(error.problems.count == 1, "\(c.name): expected exactly one problem, got \(error.problems)")
    }

    @Test func trueMeansTorchvisionDefaultsAndNoShift() throws {
        let json = exampleJob().setting("phases[0].augment", ["random_resized_crop": true, "color_jitter": true])
        let augment = try #require(try JobSpec.parse(json: encoded(json)).get().phases[0].augment)
        #expect(augment.randomResizedCrop == AugmentSpec.ResizedCrop(scale: 0.08...1, ratio: 0.75...(4.0 / 3.0)))
        #expect(augment.colorJitter == AugmentSpec.Jitter(brightness: 0.4, contrast: 0.4, saturation: 0.4))
        #expect(augment.shift == 0 && augment.hflip)
    }

    @Test func photoFieldsRoundTripThroughTheStoredSpec() throws {
        let json = exampleJob()
            .setting("phases[0].augment", ["random_resized_crop": ["scale": [0.25, 1], "ratio": [0.5, 2]],
                                           "color_jitter": ["brightness": 0.2, "saturation": 0.1], "hflip": false])
            .setting("dataset.crop_fraction", 0.875)
        let spec = try JobSpec.parse(json: encoded(json)).get()
        #expect(spec.dataset.cropFraction == 0.875)
        #expect(spec.phases[0].augment == AugmentSpec(hflip: false, shift: 0, rotate: 0,
                                                       randomResizedCrop: .init(scale: 0.25...1, ratio: 0.5...2),
                                                       colorJitter: .init(brightness: 0.2, contrast: 0, saturation: 0.1)))
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(JobSpec.self, from: data) == spec)
        #expect(try JobSpec.parse(json: data).get() == spec)
    }

    @Test func cropFractionDefaultsToOneAndIsNotWrittenThen() throws {
        let spec = try JobSpec.parse(json: encoded(exampleJob())).get()
        #expect(spec.dataset.cropFraction == 1)
        let text = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        #expect(!text.contains("crop_fraction"))
    }
}
