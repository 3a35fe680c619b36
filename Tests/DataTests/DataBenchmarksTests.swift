@testable import Data
import Testing

/// The benchmark entry points run end to end on small inputs (figures come from release builds).
@Suite struct DataBenchmarksTests {
    @Test func batchAssemblyReportsAPlausibleTime() throws {
        let images = Fixtures.balanced(classes: 10, perClass: 20, c: 1, h: 28, w: 28)
        let r = try DataBenchmarks.batchAssembly(images: images, batchSize: 16, batches: 10, simulatedStepSeconds: 0.005)
        #expect(r.medianSecondsPerBatch > 0 && r.medianSecondsPerBatch < 1)
        #expect(r.augmented && r.batchSize == 16 && r.height == 28)
        #expect(r.loaderWaitSecondsPerBatch >= 0)
    }

    @Test func photoAssemblyRunsTheCropPath() throws {
        let photos = DataBenchmarks.photos(count: 12, size: 24)
        #expect((photos.count, photos.channels, photos.height, photos.width) == (12, 3, 24, 24))
        try photos.validate()
        let r = try DataBenchmarks.batchAssembly(images: photos, batchSize: 4, batches: 3, augmentation: .photo, simulatedStepSeconds: 0)
        #expect(r.augmented && r.medianSecondsPerBatch > 0)
    }

    @Test func folderDecodeRoundTripsThroughTheCache() throws {
        let r = try DataBenchmarks.folderDecode(imageCount: 30, sourceSize: 40, sourceChannels: 3, channels: 1, outputSize: 28)
        #expect(r.images == 30)
        #expect(r.decodeImagesPerSecond > 0 && r.cacheBytes > 30 * 784)
    }
}
