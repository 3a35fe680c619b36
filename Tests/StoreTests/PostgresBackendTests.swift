import Foundation
import Testing

@testable import Store

/// What only the PostgreSQL backend has: several Stores opening one database at once, reconnecting after the server dropped
/// the connection, and claims from several Stores (connections) at once. Runs in the suite's
/// PostgreSQL pass (THAW_TEST_STORE=postgres, deploy/test.sh).
@Suite(.enabled(if: TestBackend.isPostgres, "the suite's PostgreSQL pass (THAW_TEST_STORE=postgres)"))
struct PostgresBackendTests {
    private func configuration(_ fixture: StoreFixture, exclusive: Bool = true) -> StoreConfiguration {
        .postgres(uri: fixture.postgresURI!, dataDirectory: TemporaryDirectory().path, synchronous: .normal, exclusive: exclusive)
    }

    @Test func storesOpeningAtOnceOnOneDatabaseMigrateItOnceAndShareIt() throws {
        let uri = try TestBackend.freshPostgresURI()
        let opened = Collector()
        let failures = Counter()
        let group = DispatchGroup()
        let holder = StoreHolder()
        let directories = (0..<3).map { _ in TemporaryDirectory() }
        for directory in directories {
            let path = directory.path
            group.enter()
            Thread {
                do {
                    let store = try Store(configuration: .postgres(uri: uri, dataDirectory: path, synchronous: .normal))
                    opened.add(store.appliedMigrations.joined(separator: ","))
                    holder.keep(store)
                } catch {
                    failures.add()
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(failures.value == 0)
        // The migration lock lets exactly one of them migrate; the others found the schema current.
        #expect(opened.values.filter { !$0.isEmpty }.count == 1)
        #expect(opened.values.filter { $0.isEmpty }.count == 2)
        let stores = holder.stores
        try #require(stores.count == 3)
        let job = try stores[0].createJob(spec: spec)
        #expect(try stores[1].job(job.id).id == job.id && stores[2].job(job.id).status == .queued)
    }

    @Test func aDroppedConnectionIsReopened() throws {
        let fixture = try StoreFixture(.postgres)
        let store = fixture.store
        let job = try store.createJob(spec: spec)
        let pid = try #require(store.rawQuery("SELECT pg_backend_pid()").first?.first?.int)
        let admin = try PostgresDatabase(uri: TestBackend.postgresURI!)
        #expect(try admin.query("SELECT pg_terminate_backend(?::int)", [.integer(pid)]) == [[.integer(1)]])
        // The call that meets the dropped connection fails as a whole (its outcome is not guessed)...
        #expect(throws: StoreError.self) { try store.createJob(spec: spec) }
        // ...and the next one reconnects.
        let after = try store.createJob(spec: spec)
        #expect(try store.rawQuery("SELECT pg_backend_pid()").first?.first?.int != pid)
        #expect(try store.job(job.id).status == .queued && store.job(after.id).status == .queued)
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

/// Stores opened on other threads, kept open until the test ends.
private final class StoreHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [Store] = []
    func keep(_ store: Store) { lock.withLock { kept.append(store) } }
    var stores: [Store] { lock.withLock { kept } }
}
