import BLAS
import Foundation
import OpenSSL
import SQLite
import Testing

/// Proves each Debian system library is linked and really does the work.
@Suite struct SystemLibrarySmokeTests {
    @Test func sgemmMatchesHandComputedProduct() {
        // A (2x3) * B (3x2) = [[58, 64], [139, 154]]
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c = [Float](repeating: -1, count: 4)
        BLAS.sgemm(m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2, c: &c, ldc: 2)
        #expect(c == [58, 64, 139, 154])

        // Transposed A: Aᵀ stored as 3x2 gives the same product.
        let at: [Float] = [1, 4, 2, 5, 3, 6]
        var c2 = [Float](repeating: 0, count: 4)
        BLAS.sgemm(transA: true, m: 2, n: 2, k: 3, a: at, lda: 2, b: b, ldb: 2, c: &c2, ldc: 2)
        #expect(c2 == [58, 64, 139, 154])
    }

    @Test func sqliteRoundTripInWALMode() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("smoke.sqlite").path

        do {
            let db = try Database(path: path)
            #expect(try db.setJournalMode("WAL") == "wal")
            try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)")
            try db.transaction {
                try db.query("INSERT INTO t (name, score, data) VALUES (?, ?, ?)", [.text("héllo"), .real(0.5), .blob([0, 1, 255])])
            }
        }
        #expect(FileManager.default.fileExists(atPath: path + "-wal") || FileManager.default.fileExists(atPath: path))
        let reopened = try Database(path: path)
        let rows = try reopened.query("SELECT name, score, data FROM t")
        #expect(rows == [[.text("héllo"), .real(0.5), .blob([0, 1, 255])]])
        #expect(try reopened.query("PRAGMA journal_mode").first?.first?.string == "wal")
    }

    @Test func sqliteReportsErrorsWithContext() throws {
        let db = try Database(path: ":memory:")
        #expect(throws: SQLiteError.self) { try db.execute("SELEKT 1") }
    }

    @Test func sha256OfKnownStrings() {
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var streaming = SHA256()
        streaming.update(Array("a".utf8))
        streaming.update(Array("bc".utf8))
        #expect(SHA256.hexString(streaming.finalize()) == SHA256.hex(of: Array("abc".utf8)))
    }
}
