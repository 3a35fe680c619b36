import Foundation
import Testing

@testable import Store

/// What only the PostgreSQL backend has: the advisory lock, reconnecting after the server dropped
/// the connection, and claims from several Stores (connections) at once. Runs in the suite's
/// PostgreSQL pass (THAW_TEST_STORE=postgres, deploy/test.sh).
@Suite(.enabled(if: TestBackend.isPostgres, "the suite's PostgreSQL pass (THAW_TEST_STORE=postgres)"))
struct PostgresBackendTests {
    private func configuration(_ fixture: StoreFixture, exclusive: Bool = true) -> StoreConfiguration {
        .postgres(uri: fixture.postgresURI!, dataDirectory: TemporaryDirectory().path, synchronous: .normal, exclusive: exclusive)
    }

    @Test func aSecondStoreOnTheDatabaseIsRefusedUntilTheFirstIsReleased() throws {
        var fixture: StoreFixture? = try StoreFixture(.postgres)
        let job = try fixture!.store.createJob(spec: spec)
        let uri = fixture!.postgresURI!
        let other = TemporaryDirectory()
        #expect {
            try Store(configuration: .postgres(uri: uri, dataDirectory: other.path, synchronous: .normal))
        } throws: { error in
            guard case .databaseInUse(let database) = error as? StoreError else { return false }
            return database.hasPrefix("thaw_test/t_")  // names the database and schema, not the URI
        }
        fixture = nil  // closes its connections: the session lock goes with them
        let second = try Store(configuration: .postgres(uri: uri, dataDirectory: other.path, synchronous: .normal))
        #expect(try second.job(job.id).id == job.id)
    }

    @Test func aDroppedConnectionIsReopenedAndTheLockRetaken() throws {
        let fixture = try StoreFixture(.postgres)
        let store = fixture.store
        let job = try store.createJob(spec: spec)
        let pid = try #require(store.rawQuery("SELECT pg_backend_pid()").first?.first?.int)
        let admin = try PostgresDatabase(uri: TestBackend.postgresURI!)
        #expect(try admin.query("SELECT pg_terminate_backend(?::int)", [.integer(pid)]) == [[.integer(1)]])
        // The call that meets the dropped connection fails as a whole (its outcome is not guessed)...
        #expect(throws: StoreError.self) { try store.createJob(spec: spec) }
        // ...and the next one reconnects, with the advisory lock held again.
        let after = try store.createJob(spec: spec)
        #expect(try store.rawQuery("SELECT pg_backend_pid()").first?.first?.int != pid)
        #expect(try store.job(job.id).status == .queued && store.job(after.id).status == .queued)
        #expect(throws: StoreError.self) { try Store(configuration: configuration(fixture)) }
    }

    @Test func aServerSideDisconnectIsInvisibleToReadsOnTheReaderPool() throws {
        let fixture = try StoreFixture(.postgres)
        let store = fixture.store
        let job = try store.createJob(spec: spec)
        #expect(try store.jobSnapshot(job.id).job.id == job.id)  // the reader connection is open
        let name = try #require(fixture.postgresURI?.components(separatedBy: "application_name=").last)
        let admin = try PostgresDatabase(uri: TestBackend.postgresURI!)
        let killed = try admin.query(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?) t",
            [.text(name)])
        #expect(try #require(killed.first?.first?.int) >= 2, "the Store's connection and its reader")
        // The reader reconnects and runs the read again: the poll a client makes never sees the break.
        #expect(try store.jobSnapshot(job.id).job.status == .queued)
        // The Store's own connection does not guess: the first call fails, the next reconnects.
        #expect(throws: StoreError.self) { try store.createJob(spec: spec) }
        #expect(try store.createJob(spec: spec).status == .queued)
    }

    @Test func claimersOnSeveralStoresNeverShareAJob() throws {
        let fixture = try StoreFixture(.postgres)
        let ids = try (0..<40).map { try fixture.store.createJob(priority: $0 % 3, spec: spec).id }
        let stores = try (0..<4).map { _ in try Store(configuration: configuration(fixture, exclusive: false)) }
        let claimed = Collector()
        let failures = Counter()
        let group = DispatchGroup()
        for store in stores {
            group.enter()
            Thread {
                while true {
                    do {
                        guard let job = try store.claimNextQueued() else { break }
                        claimed.add(job.id)
                    } catch {
                        failures.add()
                        break
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(failures.value == 0)
        #expect(claimed.values.count == ids.count)
        #expect(Set(claimed.values) == Set(ids))
        for id in ids {
            let job = try fixture.store.job(id)
            #expect(job.status == .running && job.attempts == 1)
            #expect(try fixture.store.events(job: id).map(\.id) == [1, 2])
        }
    }
}
