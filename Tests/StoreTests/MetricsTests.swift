import Testing

@testable import Store

@Suite struct MetricsTests {
    @Test(arguments: Storage.allCases)
    func historyKeepsRecordingOrderAndReRunEpochsReplace(storage: Storage) throws {
        let store = try StoreFixture(storage).store
        let job = try store.createJob(spec: spec)
        try store.recordMetrics(job: job.id, phase: "head", epoch: 1, values: #"{"train_loss":0.9}"#)
        try store.recordMetrics(job: job.id, phase: "head", epoch: 2, values: #"{"train_loss":0.7}"#)
        try store.recordMetrics(job: job.id, phase: "head", epoch: 2, values: #"{"train_loss":0.6}"#)
        try store.recordMetrics(job: job.id, phase: "finetune", epoch: 1, values: #"{"train_loss":0.5}"#)
        let history = try store.metrics(job: job.id)
        #expect(history.map { "\($0.phase)/\($0.epoch)/\($0.values)" } == [
            #"head/1/{"train_loss":0.9}"#, #"head/2/{"train_loss":0.6}"#, #"finetune/1/{"train_loss":0.5}"#,
        ])
    }

    @Test func csvHasAColumnPerKeyInFirstSeenOrder() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        try store.recordMetrics(job: job.id, phase: "head", epoch: 1, values: #"{"train_loss":0.5,"val_acc":0.8,"lr":1e-3}"#)
        try store.recordMetrics(job: job.id, phase: "finetune", epoch: 2, values: #"{"train_loss":0.25,"note":"a,\"b\"","ok":true,"groups":[1,2],"steps":300}"#)
        #expect(try store.metricsCSV(job: job.id) == #"""
            phase,global_epoch,train_loss,val_acc,lr,note,ok,groups,steps
            head,1,0.5,0.8,0.001,,,,
            finetune,2,0.25,,,"a,""b""",true,"[1,2]",300

            """#)
    }

    @Test func csvNeverRepeatsAColumnName() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        try store.recordMetrics(job: job.id, phase: "finetune", epoch: 5, values: #"{"phase":"finetune","epoch":2,"global_epoch":5,"val_loss":0.5}"#)
        #expect(try store.metricsCSV(job: job.id) == "phase,global_epoch,epoch,val_loss\nfinetune,5,2,0.5\n")
    }

    @Test func csvOfAJobWithoutMetricsIsJustTheHeader() throws {
        let store = try StoreFixture(.memory).store
        #expect(try store.metricsCSV(job: store.createJob(spec: spec).id) == "phase,global_epoch\n")
    }

    @Test func metricValuesThatAreAnArrayAreRefused() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.invalidArgument(field: "values", reason: "not a JSON object")) {
            try store.recordMetrics(job: job.id, phase: "head", epoch: 1, values: "[0.5]")
        }
        #expect(try store.metrics(job: job.id).isEmpty)
    }

    @Test func metricValuesThatAreNotJSONAreRefused() throws {
        let store = try StoreFixture(.memory).store
        let job = try store.createJob(spec: spec)
        #expect(throws: StoreError.invalidArgument(field: "values", reason: "not a JSON object")) {
            try store.recordMetrics(job: job.id, phase: "head", epoch: 1, values: "{loss: NaN}")
        }
    }

    @Test func metricsForAnUnknownJobAreNotFound() throws {
        #expect(throws: StoreError.notFound(kind: "job", id: "job_1")) {
            try StoreFixture(.memory).store.recordMetrics(job: "job_1", phase: "head", epoch: 1, values: "{}")
        }
    }

    @Test func emptyPhaseIsRefused() throws {
        let store = try StoreFixture(.memory).store
        #expect(throws: StoreError.invalidArgument(field: "phase", reason: "must be 1 to 64 characters")) {
            try store.recordMetrics(job: store.createJob(spec: spec).id, phase: "", epoch: 1, values: "{}")
        }
    }
}
