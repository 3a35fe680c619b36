// libFuzzer target for everything a job spec or an architecture spec goes through: JSON → validation
// → memory estimate → model construction → schedule values.
//
//   swift build -Xswiftc -sanitize=fuzzer --product spec-fuzz    # then deploy/fuzz/run-spec-fuzz.sh
//   swift build --product spec-fuzz && .build/debug/spec-fuzz FILE...   # replays inputs, no fuzzer
//   .build/debug/spec-fuzz --write-seeds DIR                         # the built-in architectures as seeds
//
// Each input is read as a job spec (against a small-cnn-like model and a 10-class, 60,000-image
// dataset) and as an architecture spec (`architecture_spec`, a file's `thaw.spec`). Beyond "does not
// crash or hang", it checks:
// - a model is built only when `MemoryEstimate` is within the fuzzer's limit (256 MiB), as the daemon
//   builds one only within --max-job-memory, and the built model's shapes equal the footprint's;
// - every schedule value at every probed position is finite, the LR factor in [0, 1] and momentum in
//   [0, 1); every resolved group LR is finite and positive.

import Foundation
import JobAPI
import NN
import Training

let memoryLimit = 256 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    fuzzJobSpec(bytes)
    fuzzArchitecture(bytes)
    return 0
}

func fuzzJobSpec(_ bytes: Data) {
    let groups = BuiltinArchitectures.smallCNN().groups
    let context = SpecContext(groups: groups, modelClasses: 10, datasetClasses: 10, datasetSize: 60_000)
    guard case .success(let spec) = JobSpec.check(json: bytes, context: context) else { return }
    let architecture: ArchitectureSpec
    switch spec.model {
    case .registered: architecture = BuiltinArchitectures.smallCNN()
    case .architecture(let name):
        guard let builtin = try? BuiltinArchitectures.spec(named: name) else { return }
        architecture = builtin
    }
    let classes = spec.resolvedNumClasses(datasetClasses: 10, modelClasses: 10)
    if let estimate = try? spec.memoryEstimate(on: architecture, classes: classes), estimate.total <= memoryLimit {
        let built = classes.map { architecture.replacingHead(classes: $0) } ?? architecture
        buildAndCompare(built)
    }
    for phase in spec.phases {
        for lr in phase.lr.resolve(groups: groups) {
            precondition(lr.isFinite && lr > 0, "group LR \(lr) from \(phase.lr)")
        }
        probeSchedule(phase.schedule, epochs: phase.epochs)
    }
    if let find = spec.lrFind {
        for i in [0, find.numIt / 2, find.numIt - 1] {
            let lr = Anneal.exp(find.startLR, find.endLR, Double(i) / Double(max(1, find.numIt - 1)))
            precondition(lr.isFinite && lr > 0, "lr_find LR \(lr)")
        }
    }
}

func probeSchedule(_ schedule: ScheduleSpec, epochs: Int) {
    for stepsPerEpoch in [1, 7, 938] {
        let total = stepsPerEpoch * epochs
        for step in [0, 1, total / 3, total / 2, total - 1, total, total + stepsPerEpoch] where step >= 0 {
            let value = schedule.value(at: SchedulePosition(step: step, stepsPerEpoch: stepsPerEpoch, epochs: epochs))
            precondition(value.lrFactor.isFinite && value.lrFactor >= 0 && value.lrFactor <= 1 + 1e-9,
                         "LR factor \(value.lrFactor) at step \(step) of \(schedule)")
            if let m = value.momentum { precondition(m.isFinite && m >= 0 && m < 1, "momentum \(m)") }
        }
    }
}

func fuzzArchitecture(_ bytes: Data) {
    guard let spec = try? JSONDecoder().decode(ArchitectureSpec.self, from: bytes) else { return }
    // The metadata path decodes the same JSON from a string (`thaw.spec`).
    _ = try? ModelMetadata(dictionary: ["thaw.spec": String(decoding: bytes, as: UTF8.self)])
    guard let footprint = try? spec.footprint() else {
        // Refused by the bounds: the model must refuse it too, before allocating.
        precondition((try? Model(spec: spec)) == nil, "footprint refused a spec the model accepts")
        return
    }
    guard MemoryEstimate.model(footprint).total <= memoryLimit,
          MemoryEstimate.job(footprint, batchSize: 1, optimizer: .adamw).total <= memoryLimit else { return }
    buildAndCompare(spec)
}

/// Builds the model (within the limit) and checks the footprint predicted its shapes and size.
func buildAndCompare(_ spec: ArchitectureSpec) {
    guard let footprint = try? spec.footprint() else { return }
    guard let model = try? Model(spec: spec) else { return }
    precondition(model.shapes.last == footprint.outputShape,
                 "footprint output \(footprint.outputShape) differs from the model's \(model.shapes.last ?? [])")
    let parameters = model.parameters.reduce(0) { $0 + $1.value.count }
        + model.buffers.filter { !$0.isInteger }.reduce(0) { $0 + $1.value.count }
    precondition(parameters == footprint.parameters,
                 "footprint counts \(footprint.parameters) parameters, the model has \(parameters)")
}

/// libFuzzer's driver, when linked with `-sanitize=fuzzer` (see Sources/http1-fuzz/main.swift for why
/// it is looked up); otherwise the files named on the command line are replayed.
typealias FuzzerDriver = @convention(c) (
    UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--write-seeds", arguments.count == 2 {
    for name in BuiltinArchitectures.names {
        let spec = try BuiltinArchitectures.spec(named: name)
        try Data(spec.jsonString().utf8).write(to: URL(fileURLWithPath: arguments[1]).appendingPathComponent("arch-\(name).json"))
    }
    exit(0)
}
if let symbol = dlsym(dlopen(nil, RTLD_NOW), "LLVMFuzzerRunDriver") {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(unsafeBitCast(symbol, to: FuzzerDriver.self)(&argc, &argv, { fuzz($0, $1) }))
}
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("usage: spec-fuzz FILE... (replay); build with -Xswiftc -sanitize=fuzzer to fuzz\n".utf8))
    exit(2)
}
for path in arguments {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("spec-fuzz: cannot read \(path)\n".utf8))
        exit(1)
    }
    _ = data.withUnsafeBytes { fuzz($0.bindMemory(to: UInt8.self).baseAddress, data.count) }
    print("ok \(path) (\(data.count) bytes)")
}
