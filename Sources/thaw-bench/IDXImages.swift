import CZlib
import Foundation

/// Bench-local reader for gzip'd IDX files (Fashion-MNIST), so the engine benchmark does not wait
/// on the Data module. Pixels stay bytes (47 MB, not 188 MB of floats) and are normalised per batch
/// like torch_peer.py: (pixel/255 − 0.2860)/0.3530.
struct IDXImages {
    enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        case malformed(String, String)
        var description: String {
            switch self {
            case let .unreadable(p): "\(p): cannot open"
            case let .malformed(p, why): "\(p): \(why)"
            }
        }
    }

    static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    static func gunzip(_ path: String) throws -> [UInt8] {
        guard let f = gzopen(path, "rb") else { throw Failure.unreadable(path) }
        defer { gzclose(f) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(f, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw Failure.malformed(path, "gzip error") }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }

    /// Dimensions and payload of one IDX file (u8 data only).
    static func read(_ path: String) throws -> (dims: [Int], bytes: ArraySlice<UInt8>) {
        let raw = try gunzip(path)
        guard raw.count >= 4, raw[0] == 0, raw[1] == 0, raw[2] == 0x08 else { throw Failure.malformed(path, "not a u8 IDX file") }
        let ndim = Int(raw[3])
        guard raw.count >= 4 + 4 * ndim else { throw Failure.malformed(path, "truncated header") }
        let dims = (0..<ndim).map { i in (0..<4).reduce(0) { $0 << 8 | Int(raw[4 + 4 * i + $1]) } }
        let start = 4 + 4 * ndim
        guard raw.count - start == dims.reduce(1, *) else { throw Failure.malformed(path, "payload size mismatch") }
        return (dims, raw[start...])
    }

    /// (pixels N·28·28, labels N).
    static func load(directory: String = defaultDirectory, split: String = "train") throws -> (images: [UInt8], labels: [Int], count: Int) {
        let (idims, ibytes) = try read("\(directory)/\(split == "train" ? "train" : "t10k")-images-idx3-ubyte.gz")
        let (_, lbytes) = try read("\(directory)/\(split == "train" ? "train" : "t10k")-labels-idx1-ubyte.gz")
        return (Array(ibytes), lbytes.map(Int.init), idims[0])
    }
}
