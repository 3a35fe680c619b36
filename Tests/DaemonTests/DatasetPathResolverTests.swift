@testable import Daemon
import Foundation
import Testing

@Suite struct DatasetPathResolverTests {
    let base: String
    let root: String

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-resolver-\(UUID().uuidString)").path
        root = base + "/datasets"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/shoes/sandal", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: base + "/secret", withIntermediateDirectories: true)
        fm.createFile(atPath: root + "/file.txt", contents: Data("x".utf8))
        try fm.createSymbolicLink(atPath: root + "/escape", withDestinationPath: base + "/secret")
        try fm.createSymbolicLink(atPath: root + "/inside-link", withDestinationPath: root + "/shoes")
    }

    @Test func acceptsAFolderUnderTheRoot() throws {
        let resolved = try DatasetPathResolver(root: root).resolve("shoes")
        #expect(resolved.hasSuffix("/datasets/shoes"))
    }

    @Test func acceptsASymlinkThatStaysInside() throws {
        #expect(try DatasetPathResolver(root: root).resolve("inside-link").hasSuffix("/datasets/shoes"))
    }

    @Test func rejectsDotDotEscape() {
        #expect(throws: DatasetPathResolver.Problem.outsideRoot("../secret")) {
            try DatasetPathResolver(root: root).resolve("../secret")
        }
    }

    @Test func rejectsSymlinkEscape() {
        #expect(throws: DatasetPathResolver.Problem.outsideRoot("escape")) {
            try DatasetPathResolver(root: root).resolve("escape")
        }
    }

    @Test func rejectsAbsolutePaths() {
        #expect(throws: DatasetPathResolver.Problem.outsideRoot("/etc")) {
            try DatasetPathResolver(root: root).resolve("/etc")
        }
    }

    @Test func rejectsMissingPathsAndFiles() {
        #expect(throws: DatasetPathResolver.Problem.notFound("nope")) {
            try DatasetPathResolver(root: root).resolve("nope")
        }
        #expect(throws: DatasetPathResolver.Problem.notADirectory("file.txt")) {
            try DatasetPathResolver(root: root).resolve("file.txt")
        }
        #expect(throws: DatasetPathResolver.Problem.empty) { try DatasetPathResolver(root: root).resolve("") }
    }

    @Test func rejectsAMissingPathThatWouldAlsoBeOutside() {
        #expect(throws: DatasetPathResolver.Problem.outsideRoot("../../nowhere")) {
            try DatasetPathResolver(root: root).resolve("../../nowhere")
        }
    }
}
