/// The built-in `fashion-mnist` dataset from Debian's `dataset-fashion-mnist` package: 60,000
/// training and 10,000 test images, 1x28x28, labels 0–9.
public enum FashionMNIST {
    public static let defaultRoot = "/usr/share/datasets/fashion-mnist"
    public static let name = "fashion-mnist"
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// File stems per split; each may be stored raw or with a `.gz` suffix.
    static func stems(_ split: DatasetSplit) -> (images: String, labels: String) {
        switch split {
        case .train: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        case .test: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
        }
    }

    /// True when both splits' image and label files exist under `root` (raw or gzip).
    public static func isInstalled(root: String = defaultRoot) -> Bool {
        DatasetSplit.allCases.allSatisfy { split in
            let s = stems(split)
            return locate(root, s.images) != nil && locate(root, s.labels) != nil
        }
    }

    /// Loads one split. Errors name the file: missing, not IDX, header/size disagreement, image and
    /// label counts that differ, or a label outside 0–9.
    public static func load(split: DatasetSplit, root: String = defaultRoot) throws(DataError) -> LabeledImages {
        let s = stems(split)
        guard let imagePath = locate(root, s.images) else {
            throw DataError(.missingPath, path: "\(root)/\(s.images)[.gz]", "Fashion-MNIST \(split.rawValue) images not found")
        }
        guard let labelPath = locate(root, s.labels) else {
            throw DataError(.missingPath, path: "\(root)/\(s.labels)[.gz]", "Fashion-MNIST \(split.rawValue) labels not found")
        }
        return try loadIDXPair(images: imagePath, labels: labelPath, classNames: classNames)
    }

    /// Pairs an IDX3 uint8 image file (N, H, W) with an IDX1 uint8 label file (N) into single-channel
    /// images. Usable for MNIST-layout datasets other than Fashion-MNIST.
    public static func loadIDXPair(images imagePath: String, labels labelPath: String, classNames: [String]) throws(DataError) -> LabeledImages {
        let images = try IDXFile.read(path: imagePath)
        guard images.elementType == .uint8, images.dimensions.count == 3 else {
            throw DataError(.badIDXHeader, path: imagePath,
                            "expected uint8 images of rank 3 (N, H, W), found \(images.elementType) of rank \(images.dimensions.count)")
        }
        let labels = try IDXFile.read(path: labelPath)
        guard labels.elementType == .uint8, labels.dimensions.count == 1 else {
            throw DataError(.badIDXHeader, path: labelPath,
                            "expected uint8 labels of rank 1 (N), found \(labels.elementType) of rank \(labels.dimensions.count)")
        }
        let n = images.dimensions[0]
        guard labels.dimensions[0] == n else {
            throw DataError(.labelMismatch, path: labelPath, "\(labels.dimensions[0]) labels but \(imagePath) holds \(n) images")
        }
        if let bad = labels.payload.firstIndex(where: { Int($0) >= classNames.count }) {
            throw DataError(.labelMismatch, path: labelPath, "label \(labels.payload[bad]) at index \(bad) is outside 0..<\(classNames.count)")
        }
        return LabeledImages(count: n, channels: 1, height: images.dimensions[1], width: images.dimensions[2],
                             pixels: images.payload, labels: labels.payload.map(Int.init), classNames: classNames)
    }

    private static func locate(_ root: String, _ stem: String) -> String? {
        for candidate in ["\(root)/\(stem)", "\(root)/\(stem).gz"] {
            if let st = try? FileBytes.info(candidate), !st.isDirectory { return candidate }
        }
        return nil
    }
}
