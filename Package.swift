// swift-tools-version:6.0
import PackageDescription

/// The numeric kernels are optimized in debug builds too: unoptimized Swift loops are ~50x slower,
/// which would make the tests that really train (on real Fashion-MNIST) take most of an hour.
let numericsSettings: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

// One module per concern; see docs/architecture.md for what each owns and how data flows.
let package = Package(
    name: "Thaw",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "thawd", targets: ["thawd"]),
        .executable(name: "thaw", targets: ["thaw"]),
        .executable(name: "thaw-bench", targets: ["thaw-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: productTargets + testTargets
)

var productTargets: [Target] { [
        // System libraries from Debian, wrapped once; nothing else imports the C modules directly
        // except the thin Swift module right above each.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // glibc's epoll and eventfd headers (the HTTP server's event loops); nothing to link.
        .systemLibrary(name: "CEpoll"),

        .target(name: "BLAS", dependencies: ["CBLAS"]),
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(name: "OpenSSL", dependencies: ["COpenSSL"]),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),

        // The direct 3x3 convolution kernels (AVX2/FMA and AVX-512 intrinsics, chosen at run time).
        // Optimized in debug builds too, like the Swift numerics: intrinsics at -O0 spill every register.
        .target(name: "CConvKernels", cSettings: [.unsafeFlags(["-O2"])]),

        // The job contract: request specs, views and training events as the wire carries them.
        // No dependencies, so every layer above (Training, Store, Daemon, ThawClient, thaw) shares it.
        .target(name: "JobAPI"),
        .target(name: "HTTP1"),
        .target(name: "HTTPServer", dependencies: ["HTTP1", "OpenSSL", "CEpoll"]),
        .target(name: "Tensor", dependencies: ["BLAS", "CConvKernels"], swiftSettings: numericsSettings),
        .target(name: "NN", dependencies: ["Tensor"], swiftSettings: numericsSettings),
        .target(name: "Data", dependencies: ["Tensor", "CPNG", "CJPEG", "CZlib", "OpenSSL"], swiftSettings: numericsSettings),
        .target(name: "Training", dependencies: ["JobAPI", "NN", "Data"], swiftSettings: numericsSettings),
        .target(name: "Store", dependencies: ["JobAPI", "SQLite", "Postgres", "OpenSSL"]),
        // ONNX export: a hand-written protobuf writer and the lowering of a model's layers to ONNX
        // operators (no swift-protobuf; docs/architecture.md says why).
        .target(name: "ONNX", dependencies: ["NN"], swiftSettings: numericsSettings),
        // The web UI's static files, embedded in the binary by the EmbedWebAssets plugin (Assets/ is
        // its input, not sources or resources).
        .target(name: "WebUI", dependencies: ["HTTPServer", "OpenSSL"], exclude: ["Assets"],
                plugins: ["EmbedWebAssets"]),
        .executableTarget(name: "embed-web-assets"),
        .plugin(name: "EmbedWebAssets", capability: .buildTool(), dependencies: ["embed-web-assets"]),
        .target(name: "Daemon", dependencies: ["JobAPI", "HTTPServer", "Store", "Training", "NN", "Tensor", "Data", "WebUI", "ONNX"]),
        .target(name: "ThawClient", dependencies: ["JobAPI"]),

        .executableTarget(name: "thawd", dependencies: [
            "Daemon", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "thaw", dependencies: [
            "JobAPI", "ThawClient", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // libFuzzer target: `swift build -Xswiftc -sanitize=fuzzer --product http1-fuzz`.
        .executableTarget(name: "http1-fuzz", dependencies: ["HTTP1"],
                          linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]),
        // libFuzzer target for the spec path: `swift build -Xswiftc -sanitize=fuzzer --product spec-fuzz`.
        .executableTarget(name: "spec-fuzz", dependencies: ["JobAPI", "Training", "NN"], swiftSettings: numericsSettings,
                          linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]),
        .executableTarget(name: "thaw-bench", dependencies: [
            "JobAPI", "Training", "HTTPServer", "NN", "Data", "Daemon", "ThawClient", "CZlib",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
] }

var testTargets: [Target] { [
    .testTarget(name: "SystemLibraryTests", dependencies: ["BLAS", "SQLite", "OpenSSL"]),
    .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"]),
    .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
    .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
    .testTarget(name: "NNTests", dependencies: ["NN"]),
    .testTarget(name: "DataTests", dependencies: ["Data"], exclude: ["Fixtures"]),  // read from disk by path
    .testTarget(name: "JobAPITests", dependencies: ["JobAPI"]),
    .testTarget(name: "ONNXTests", dependencies: ["ONNX", "NN", "Data", "Tensor"]),
    .testTarget(name: "TrainingTests", dependencies: ["JobAPI", "Training"]),
    .testTarget(name: "StoreTests", dependencies: ["JobAPI", "Store"]),
    .testTarget(name: "PostgresTests", dependencies: ["Postgres"]),
    .testTarget(name: "DaemonTests", dependencies: ["JobAPI", "Daemon", "Store", "Training", "NN", "HTTPServer", "ThawClient", "OpenSSL", "ONNX"]),
    .testTarget(name: "WebUITests", dependencies: ["WebUI", "HTTPServer", "HTTP1"]),
    .testTarget(name: "EndToEndTests", dependencies: ["ThawClient", "Data", "OpenSSL", "Postgres"]),
] }
