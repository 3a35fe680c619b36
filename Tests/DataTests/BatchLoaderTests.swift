@testable import Data
import Foundation
import Testing

@Suite struct BatchLoaderTests {
    static let images = Fixtures.balanced(classes: 5, perClass: 21, c: 1, h: 6, w: 6)  // 105 images
    static let norm = Normalization(mean: [0.5], std: [0.25])

    func drain(_ loader: BatchLoader) -> [Batch] { Array(loader) }

    @Test func oneEpochVisitsEveryImageOnceInTheEpochOrder() throws {
        let loader = try BatchLoader(images: Self.images, normalization: Self.norm,
                                     configuration: .init(batchSize: 16, seed: 3, epoch: 2))
        let batches = drain(loader)
        #expect(loader.batchCount == 7)
        #expect(batches.map(\.count) == [16, 16, 16, 16, 16, 16, 9])
        #expect(batches.map(\.batchIndex) == Array(0..<7))
        #expect(batches.flatMap(\.indices) == loader.order)
        #expect(loader.order.sorted() == Array(0..<105))
        #expect(loader.order == BatchLoader.epochOrder(count: 105, seed: 3, epoch: 2))
        #expect(batches.flatMap(\.labels) == loader.order.map { Int32(Self.images.labels[$0]) })
    }

    @Test func epochOrderDependsOnSeedAndEpochOnly() {
        let a = BatchLoader.epochOrder(count: 50, seed: 1, epoch: 0)
        #expect(a == BatchLoader.epochOrder(count: 50, seed: 1, epoch: 0))
        #expect(a != BatchLoader.epochOrder(count: 50, seed: 1, epoch: 1))
        #expect(a != BatchLoader.epochOrder(count: 50, seed: 2, epoch: 0))
        #expect(a != Array(0..<50))
    }

    @Test func backgroundBatchesEqualTheSynchronousReference() throws {
        let aug = Augmentation(padCrop: 2, horizontalFlip: true, translate: 1)
        var config = BatchLoader.Configuration(batchSize: 10, seed: 11, epoch: 4, augmentation: aug, prefetch: 3)
        let background = drain(try BatchLoader(images: Self.images, normalization: Self.norm, configuration: config))
        config.background = false
        let reference = drain(try BatchLoader(images: Self.images, normalization: Self.norm, configuration: config))
        #expect(background.count == reference.count)
        for (a, b) in zip(background, reference) {
            #expect(a.images == b.images && a.labels == b.labels && a.indices == b.indices)
        }
        // Augmentation really happened: some batch differs from the un-augmented one.
        config.augmentation = nil
        let plain = drain(try BatchLoader(images: Self.images, normalization: Self.norm, configuration: config))
        #expect(zip(plain, reference).contains { $0.images != $1.images })
    }

    @Test func resumingAtABatchReplaysTheRestOfTheEpochExactly() throws {
        let config = BatchLoader.Configuration(batchSize: 8, seed: 5, epoch: 1, augmentation: .standard)
        let full = drain(try BatchLoader(images: Self.images, normalization: Self.norm, configuration: config))
        var resumed = config
        resumed.startBatch = 9
        let tail = drain(try BatchLoader(images: Self.images, normalization: Self.norm, configuration: resumed))
        #expect(tail.map(\.batchIndex) == Array(9..<14))
        for (a, b) in zip(tail, full.suffix(5)) { #expect(a.images == b.images && a.indices == b.indices) }
    }

    @Test func unshuffledDropLastEvaluationOrder() throws {
        let loader = try BatchLoader(images: Self.images, normalization: Self.norm,
                                     configuration: .init(batchSize: 50, shuffle: false, dropLast: true))
        let batches = drain(loader)
        #expect(batches.count == 2)
        #expect(batches[0].indices == Array(0..<50))
        #expect(batches[1].indices == Array(50..<100))
    }

    @Test func prefetchIsBounded() throws {
        let loader = try BatchLoader(images: Self.images, normalization: Self.norm,
                                     configuration: .init(batchSize: 4, prefetch: 2))
        // Give the producer time to run ahead; it must stop at 2 queued batches.
        Thread.sleep(forTimeInterval: 0.2)
        #expect(loader.queuedBatches <= 2)
        #expect(loader.next()?.batchIndex == 0)
        #expect(drain(loader).count == loader.batchCount - 1)
    }

    @Test func cancelStopsTheEpoch() throws {
        let loader = try BatchLoader(images: Self.images, normalization: Self.norm, configuration: .init(batchSize: 4))
        #expect(loader.next() != nil)
        loader.cancel()
        #expect(loader.next() == nil)
        #expect(loader.next() == nil)
    }

    @Test func droppingAnUnfinishedLoaderReleasesItsThread() throws {
        weak var weakState: PrefetchState?
        do {
            let loader = try BatchLoader(images: Self.images, normalization: Self.norm, configuration: .init(batchSize: 4))
            weakState = loader.prefetchState
            _ = loader.next()
        }
        // The producer sees the cancellation and exits, releasing the last reference.
        for _ in 0..<100 where weakState != nil { Thread.sleep(forTimeInterval: 0.01) }
        #expect(weakState == nil)
    }

    @Test func emptyImagesGiveNoBatches() throws {
        let empty = LabeledImages(count: 0, channels: 1, height: 6, width: 6, pixels: [], labels: [], classNames: ["a"])
        let loader = try BatchLoader(images: empty, normalization: Self.norm, configuration: .init(batchSize: 4))
        #expect(loader.next() == nil)
    }

    @Test func zeroBatchSize() {
        expectError(.invalidSelection, "batch_size: 0") {
            try BatchLoader(images: Self.images, normalization: Self.norm, configuration: .init(batchSize: 0))
        }
    }

    @Test func zeroPrefetch() {
        expectError(.invalidSelection, "prefetch: 0") {
            try BatchLoader(images: Self.images, normalization: Self.norm, configuration: .init(batchSize: 4, prefetch: 0))
        }
    }

    @Test func startBatchPastTheEnd() {
        expectError(.invalidSelection, "start_batch: 99") {
            try BatchLoader(images: Self.images, normalization: Self.norm, configuration: .init(batchSize: 4, startBatch: 99))
        }
    }

    @Test func augmentationTooLargeForTheImage() {
        expectError(.invalidSelection, "would empty a 6x6 image") {
            try BatchLoader(images: Self.images, normalization: Self.norm,
                            configuration: .init(batchSize: 4, augmentation: Augmentation(padCrop: 6)))
        }
    }
}
