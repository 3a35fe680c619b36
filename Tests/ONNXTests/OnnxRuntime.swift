import Foundation
import Testing

/// Runs `Tests/Fixtures/onnx/run_onnx.py` with the Python of `deploy/onnx-env.sh` (onnx,
/// onnxruntime, numpy from PyPI; `deploy/test.sh` creates it before the Swift stages). Without that
/// venv the tests fail, printing the command that creates it, rather than skip.
enum OnnxRuntime {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var python: String {
        ProcessInfo.processInfo.environment["THAW_ONNX_PYTHON"]
            ?? (ProcessInfo.processInfo.environment["THAW_ONNX_VENV"] ?? "/var/tmp/thaw-onnx") + "/bin/python"
    }

    struct Result {
        /// What the script printed: checker, re-serialisation, shapes, metadata, operator types.
        var report: [String: Any]
        /// onnxruntime's logits, row-major [N, classes].
        var logits: [Float]
    }

    enum Failure: Error, CustomStringConvertible {
        case noPython(String)
        case script(status: Int32, output: String)
        var description: String {
            switch self {
            case .noPython(let path): "no onnx Python at \(path); create it with: PY=$(deploy/onnx-env.sh)"
            case let .script(status, output): "run_onnx.py exited \(status):\n\(output)"
            }
        }
    }

    /// Writes `onnx` and the NCHW batch `input` (shape `dims`) to a temporary folder, checks the
    /// model with `onnx.checker.check_model(full_check=True)` and runs it in onnxruntime.
    static func run(_ onnx: [UInt8], input: [Float], dims: [Int]) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: python) else { throw Failure.noPython(python) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("model.onnx"), x = dir.appendingPathComponent("input.f32")
        let out = dir.appendingPathComponent("logits.f32")
        try Data(onnx).write(to: model)
        try input.withUnsafeBytes { Data($0) }.write(to: x)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repository.appendingPathComponent("Tests/Fixtures/onnx/run_onnx.py").path, model.path, x.path,
                             dims.map(String.init).joined(separator: ","), out.path]
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_NUM_THREADS"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0, let line = text.split(separator: "\n").last,
              let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Failure.script(status: process.terminationStatus, output: text)
        }
        let bytes = try Data(contentsOf: out)
        let logits = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return Result(report: report, logits: logits)
    }

    /// max |a − b| over max |b|: the relative deviation of onnxruntime's logits from Thaw's.
    static func relativeDeviation(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        let scale = b.map { Double(abs($0)) }.max() ?? 0
        let worst = zip(a, b).map { Double(abs($0 - $1)) }.max() ?? 0
        return scale > 0 ? worst / scale : worst
    }
}
