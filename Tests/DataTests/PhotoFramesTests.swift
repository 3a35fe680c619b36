@testable import Data
import Foundation
import Testing

/// Random-resized-crop over the whole photo: `PhotoFrames` from a real folder (libpng / libjpeg
/// files), boxes drawn in the photo's pixels and resampled from its frame, and the frames' cache.
@Suite struct PhotoFramesTests {
    /// A 120x60 RGB photo in vertical bands: red (x < 20), green, blue (x >= 100). A 16x16 center
    /// crop covers x 30..<90: green only.
    static func stripes() -> [UInt8] {
        let (w, h) = (120, 60)
        var pixels = [UInt8]()
        for _ in 0..<h {
            for x in 0..<w { pixels += x < 20 ? [255, 0, 0] : x < 100 ? [0, 255, 0] : [0, 0, 255] }
        }
        return try! ImageEncoder.png(pixels, width: w, height: h, channels: 3)
    }

    /// stripes/wide.png (the stripes) and plain/gray.png (a 30x50 gray photo, taller than wide).
    static func folder() -> TemporaryDirectory {
        let dir = TemporaryDirectory("frames")
        dir.write("stripes/wide.png", stripes())
        dir.write("plain/gray.png", try! ImageEncoder.png([UInt8](repeating: 90, count: 30 * 50), width: 30, height: 50, channels: 1))
        return dir
    }

    @Test func framesHoldEachWholePhotoWithItsOwnSize() throws {
        let dir = Self.folder()
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 3, height: 16, width: 16)
        let (frames, skipped) = try ImageFolder.loadFrames(root: dir.path, channels: 3, height: 16, width: 16)
        #expect(skipped.isEmpty)
        try frames.validate(matching: images)
        #expect(PhotoFrames.frameSize(height: 16, width: 16) == PhotoSize(height: 19, width: 19))
        #expect(PhotoFrames.frameSize(height: 224, width: 224) == PhotoSize(height: 256, width: 256))
        #expect((frames.count, frames.channels, frames.height, frames.width) == (2, 3, 19, 19))
        // Classes in name order, as `load`: plain (the gray photo), then stripes.
        #expect(frames.photoSizes == [PhotoSize(height: 50, width: 30), PhotoSize(height: 60, width: 120)])
        // The stripes frame keeps all three bands: red at its left edge, blue at its right.
        let plane = 19 * 19
        let stripes = Array(frames.pixels[(3 * plane)...])
        #expect(stripes[0] == 255 && stripes[plane] == 0)                            // (0, 0) red
        #expect(stripes[18] == 0 && stripes[2 * plane + 18] == 255)                  // (0, 18) blue
        // The center crop has neither.
        #expect(images.pixels[(3 * 256)...].enumerated().allSatisfy { $0.offset / 256 == 1 ? $0.element > 240 : $0.element < 15 })
    }

    @Test func anExifRotatedPhotoIsMeasuredUpright() throws {
        let dir = TemporaryDirectory("frames")
        let path = dir.write("a/turned.jpg", PhotoFixtures.bytes("orient6.jpg"))
        let upright = try ImageDecoder.decode(PhotoFixtures.bytes("orient6.jpg"), channels: 3, path: path)
        let (_, size) = try ImageDecoder.loadFrame(path: path, channels: 3, frame: PhotoSize(height: 8, width: 8))
        #expect(size == PhotoSize(height: upright.height, width: upright.width))
        #expect(upright.height != upright.width, "the fixture is not square, so a missed rotation would show")
    }

    @Test func aBoxAtThePhotosEdgeIsCutFromTheWholePhotoNotTheCenterCrop() throws {
        let dir = Self.folder()
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 3, height: 32, width: 32)
        let (frames, _) = try ImageFolder.loadFrames(root: dir.path, channels: 3, height: 32, width: 32)
        let assembler = try BatchAssembler(images: images, frames: frames, normalization: .identity(channels: 3))
        #expect(assembler.cropSpace(of: 1) == PhotoSize(height: 60, width: 120))
        let plane = 32 * 32
        /// Mean of each channel, normalized by mean 0, std 1 (pixel values over 255).
        func means(_ box: CropBox) -> [Float] {
            let batch = assembler.assemble(indices: [1]) { _ in ImageTransform(crop: box) }
            return (0..<3).map { c in batch.images[(c * plane)..<((c + 1) * plane)].reduce(0, +) / Float(plane) }
        }
        // The photo's right band (x 100..<120, every row), in the photo's pixels: blue, but for the
        // columns its 37-pixel frame's filter mixes at the band's inner edge.
        let right = means(CropBox(top: 0, left: 100, height: 60, width: 20))
        #expect(right[2] > 0.9 && right[0] < 0.01 && right[1] < 0.1, "\(right)")
        let left = means(CropBox(top: 0, left: 0, height: 60, width: 20))
        #expect(left[0] > 0.9 && left[1] < 0.1 && left[2] < 0.01, "\(left)")
        // The whole photo as the box: the frame resized to the input.
        let whole = assembler.assemble(indices: [1]) { _ in ImageTransform(crop: CropBox(top: 0, left: 0, height: 60, width: 120)) }
        var expected = [Float](repeating: 0, count: 3 * plane)
        frames.pixels.withUnsafeBufferPointer { src in
            expected.withUnsafeMutableBufferPointer {
                ImageTransform.resizedCrop(src.baseAddress! + frames.frameBytes, channels: 3, height: 37, width: 37,
                                           box: CropBox(top: 0, left: 0, height: 37, width: 37),
                                           outputHeight: 32, outputWidth: 32, into: $0.baseAddress!)
            }
        }
        #expect(zip(whole.images, expected).allSatisfy { abs($0 - $1 / 255) < 1e-5 })
        // Without frames the box space is the stored center crop itself.
        #expect(try BatchAssembler(images: images, normalization: .identity(channels: 3)).cropSpace(of: 1)
                == PhotoSize(height: 32, width: 32))
    }

    @Test func theLoadersBoxesCoverTheWholePhoto() throws {
        let dir = Self.folder()
        let (images, _) = try ImageFolder.load(root: dir.path, channels: 3, height: 16, width: 16)
        let (frames, _) = try ImageFolder.loadFrames(root: dir.path, channels: 3, height: 16, width: 16)
        // torchvision's defaults over 40 epochs: with the frames some boxes reach the red band, which
        // the center crop does not hold; from the crops alone none can.
        func redImages(_ frames: PhotoFrames?) throws -> Int {
            var count = 0
            for epoch in 0..<40 {
                let loader = try BatchLoader(images: images, frames: frames, normalization: .identity(channels: 3),
                                             configuration: .init(batchSize: 2, shuffle: false, epoch: epoch, augmentation: .photo,
                                                                  background: false))
                let batch = try #require(loader.next())
                if batch.images[(3 * 256)..<(4 * 256)].contains(where: { $0 > 0.5 }) { count += 1 }
            }
            return count
        }
        #expect(try redImages(frames) > 0)
        #expect(try redImages(nil) == 0)
    }

    @Test func framesAreCachedAsTheirOwnShapeBesideTheCrops() throws {
        let dir = Self.folder()
        let cache = TemporaryDirectory("cache")
        let memory = ImageFolderMemoryCache()
        let (crops, _) = try ImageFolder.load(root: dir.path, channels: 3, height: 16, width: 16, cacheDirectory: cache.path)
        let (first, _) = try ImageFolder.loadFrames(root: dir.path, channels: 3, height: 16, width: 16, cacheDirectory: cache.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasSuffix(".thawcache") }.count == 2)
        // Same size and mtime, other pixels: only the cache can still give the first frames.
        let path = dir.path + "/plain/gray.png"
        let stamp = try FileBytes.info(path)
        dir.write("plain/gray.png", try ImageEncoder.png([UInt8](repeating: 91, count: 30 * 50), width: 30, height: 50, channels: 1))
        try setModificationTime(path, nanoseconds: stamp.mtimeNanoseconds)
        let (cached, _) = try ImageFolder.loadFrames(root: dir.path, channels: 3, height: 16, width: 16,
                                                     cacheDirectory: cache.path, memory: memory)
        #expect(cached == first)
        #expect(try ImageFolder.load(root: dir.path, channels: 3, height: 16, width: 16, cacheDirectory: cache.path).0 == crops)
        // The memory copy is keyed apart from the crops' too.
        #expect(try ImageFolder.loadFrames(root: dir.path, channels: 3, height: 16, width: 16, memory: memory).0 == first)
        #expect(memory.count == 1)
    }

    @Test func theCacheFormatKeepsPhotoSizesAndReadsFilesWithout() throws {
        let images = LabeledImages(count: 2, channels: 1, height: 2, width: 2, pixels: [1, 2, 3, 4, 5, 6, 7, 8],
                                   labels: [0, 1], classNames: ["a", "b"])
        let key = [UInt8](repeating: 7, count: 32)
        let framed = ImageFolderCache.Entry(images: images, skipped: [],
                                            photoSizes: [PhotoSize(height: 3, width: 5), PhotoSize(height: 9, width: 2)])
        #expect(try ImageFolderCache.verify(ImageFolderCache.encode(framed, key: key), key: key).get() == framed)
        let plain = ImageFolderCache.Entry(images: images, skipped: [])
        #expect(try ImageFolderCache.verify(ImageFolderCache.encode(plain, key: key), key: key).get().photoSizes == nil)
    }
}
