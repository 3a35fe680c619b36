import Testing

@testable import Store

@Suite struct PagingTests {
    /// Five jobs; returns their ids newest first (the list order).
    private func fiveJobs(_ store: Store) throws -> [String] {
        try (0..<5).map { try store.createJob(name: "j\($0)", spec: spec).id }.reversed()
    }

    @Test func emptyListHasNoMore() throws {
        let page = try StoreFixture(.memory).store.jobs()
        #expect(page.data.isEmpty && !page.hasMore)
    }

    @Test func walkingPagesOfTwoVisitsEveryJobOnceNewestFirst() throws {
        let store = try StoreFixture(.memory).store
        let ids = try fiveJobs(store)
        var seen: [String] = []
        var request = PageRequest(limit: 2)
        var pages = 0
        while true {
            let page = try store.jobs(page: request)
            pages += 1
            seen += page.data.map(\.id)
            guard let next = page.nextCursor(\.id) else { break }
            request.after = next
        }
        #expect(seen == ids && pages == 3)
    }

    @Test func limitEqualToCountHasNoMore() throws {
        let store = try StoreFixture(.memory).store
        let ids = try fiveJobs(store)
        let page = try store.jobs(page: PageRequest(limit: 5))
        #expect(page.data.map(\.id) == ids && !page.hasMore)
    }

    @Test func limitOneLessThanCountHasMore() throws {
        let store = try StoreFixture(.memory).store
        _ = try fiveJobs(store)
        #expect(try store.jobs(page: PageRequest(limit: 4)).hasMore)
    }

    @Test func afterTheOldestIsEmpty() throws {
        let store = try StoreFixture(.memory).store
        let ids = try fiveJobs(store)
        let page = try store.jobs(page: PageRequest(after: ids.last))
        #expect(page.data.isEmpty && !page.hasMore)
    }

    @Test func afterAnUnknownIdIsNotFound() throws {
        let store = try StoreFixture(.memory).store
        _ = try fiveJobs(store)
        #expect(throws: StoreError.notFound(kind: "job", id: "job_ffffffffffffffff")) {
            try store.jobs(page: PageRequest(after: "job_ffffffffffffffff"))
        }
    }

    @Test func emptyAfterIsInvalid() throws {
        #expect(throws: StoreError.invalidArgument(field: "after", reason: "must not be empty")) {
            try StoreFixture(.memory).store.jobs(page: PageRequest(after: ""))
        }
    }

    @Test(arguments: [0, -1, 101, Int.max])
    func limitOutOfRangeIsInvalid(limit: Int) throws {
        #expect(throws: StoreError.invalidArgument(
            field: "limit", reason: "must be between 1 and 100, got \(limit)")) {
            try StoreFixture(.memory).store.jobs(page: PageRequest(limit: limit))
        }
    }

    @Test func statusFilterPagesWithinTheFilter() throws {
        let store = try StoreFixture(.memory).store
        let ids = try fiveJobs(store)  // newest first: ids[0] is j4
        for id in [ids[0], ids[2], ids[4]] { _ = try store.transitionJob(id, to: .cancelled) }
        let first = try store.jobs(status: .cancelled, page: PageRequest(limit: 2))
        #expect(first.data.map(\.id) == [ids[0], ids[2]] && first.hasMore)
        let second = try store.jobs(status: .cancelled, page: PageRequest(after: ids[2], limit: 2))
        #expect(second.data.map(\.id) == [ids[4]] && !second.hasMore)
        #expect(try store.jobs(status: .queued).data.map(\.id) == [ids[1], ids[3]])
    }

    @Test func cursorOutsideTheFilterStillPages() throws {
        let store = try StoreFixture(.memory).store
        let ids = try fiveJobs(store)
        _ = try store.transitionJob(ids[1], to: .cancelled)
        // ids[1] is no longer queued but is still a valid position in the list.
        let page = try store.jobs(status: .queued, page: PageRequest(after: ids[1]))
        #expect(page.data.map(\.id) == Array(ids[2...]))
    }

    @Test func commandCursorFromAnotherJobIsNotFound() throws {
        let store = try StoreFixture(.memory).store
        let a = try store.createJob(spec: spec)
        let b = try store.createJob(spec: spec)
        let foreign = try store.postCommand(job: b.id, type: "pause")
        #expect(throws: StoreError.notFound(kind: "command", id: foreign.id)) {
            try store.commands(job: a.id, page: PageRequest(after: foreign.id))
        }
    }
}
