import Foundation
import Testing

import Postgres

let testPostgresURI = ProcessInfo.processInfo.environment["THAW_TEST_POSTGRES_URI"]

/// The libpq wrapper against a real server: deploy/test.sh starts a throwaway PostgreSQL 15
/// (deploy/pg-test-cluster.sh) and passes its URI as THAW_TEST_POSTGRES_URI; without it these are
/// skipped, as the Store suite's PostgreSQL runs are.
@Suite(.enabled(if: testPostgresURI != nil, "needs THAW_TEST_POSTGRES_URI (deploy/test.sh sets it)"))
struct PostgresConnectionTests {
    static let uri = testPostgresURI

    /// A connection whose tables live in a fresh schema, so tests running side by side never meet.
    static func connect() throws -> PostgresConnection {
        let connection = try PostgresConnection(uri: uri!)
        let schema = "pgtest_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try connection.execute("CREATE SCHEMA \(schema); SET search_path = \(schema)")
        return connection
    }

    @Test func parametersAndTypesRoundTrip() throws {
        let connection = try Self.connect()
        #expect(connection.serverVersion >= 150000)
        try connection.execute("CREATE TABLE t (i BIGINT, f DOUBLE PRECISION, s TEXT, b BOOLEAN, n TEXT)")
        let inserted = try connection.query(
            "INSERT INTO t VALUES ($1, $2, $3, $4, $5)",
            [PostgresParameter("-9007199254740993", type: .int8), PostgresParameter("0.25", type: .float8),
             PostgresParameter("it's \"quoted\" ü"), PostgresParameter("true"), PostgresParameter(nil)])
        #expect(inserted.affectedRows == 1)
        let result = try connection.query("SELECT i, f, s, b, n FROM t WHERE s = $1", [PostgresParameter("it's \"quoted\" ü")])
        #expect(result.columnTypes == [.int8, .float8, .text, .bool, .text])
        #expect(result.rows == [["-9007199254740993", "0.25", "it's \"quoted\" ü", "t", nil]])
    }

    @Test func aRefusedStatementIsTypedWithItsSQLState() throws {
        let connection = try Self.connect()
        try connection.execute("CREATE TABLE u (id TEXT PRIMARY KEY)")
        try connection.query("INSERT INTO u VALUES ($1)", [PostgresParameter("a")])
        do {
            try connection.query("INSERT INTO u VALUES ($1)", [PostgresParameter("a")])
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.sqlstate == "23505")
            #expect(error.isConstraintViolation)
            #expect(error.sql == "INSERT INTO u VALUES ($1)")
        }
        do {
            try connection.execute("SELEC 1")
            Issue.record("a syntax error was accepted")
        } catch {
            #expect(error.sqlstate == "42601")
            #expect(!error.isConstraintViolation)
        }
    }

    @Test func aFailedTransactionStaysOpenUntilRolledBack() throws {
        let connection = try Self.connect()
        #expect(!connection.isInTransaction)
        try connection.execute("BEGIN")
        #expect(connection.isInTransaction)
        #expect(throws: PostgresError.self) { try connection.execute("SELECT 1/0") }
        #expect(connection.isInTransaction)
        try connection.execute("ROLLBACK")
        #expect(!connection.isInTransaction)
        #expect(try connection.query("SELECT 1").rows == [["1"]])
    }

    @Test func anUnreachableServerIsAConnectionError() {
        // Port 1 on loopback: nothing listens there, so libpq fails at once.
        #expect {
            _ = try PostgresConnection(uri: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
        } throws: { error in
            (error as? PostgresError)?.kind == .connection
        }
    }

    @Test func aKilledBackendIsSeenAndResetReconnects() throws {
        let connection = try Self.connect()
        let pid = try connection.query("SELECT pg_backend_pid()").rows[0][0]!
        let killer = try PostgresConnection(uri: Self.uri!)
        #expect(try killer.query("SELECT pg_terminate_backend($1::int)", [PostgresParameter(pid)]).rows == [["t"]])
        #expect { try connection.query("SELECT 1") } throws: { error in
            (error as? PostgresError)?.kind == .connection
        }
        #expect(!connection.isHealthy)
        try connection.reset()
        #expect(try connection.query("SELECT 2").rows == [["2"]])
    }
}
