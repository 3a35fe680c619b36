import Foundation
import ThawClient
import Testing

/// Helpers for driving a real thawd over HTTP in end-to-end tests.
extension HTTPClient {
    func jsonObject(_ method: String, _ path: String, body: Any? = nil) throws -> (Int, [String: Any]) {
        let response: ClientResponse
        if let body {
            response = try post(path, json: body)
        } else {
            response = try send(method, path)
        }
        let object = (try? response.json()) as? [String: Any] ?? [:]
        return (response.status, object)
    }

    /// Polls a job until its status is one of `statuses`; returns the job object.
    func waitForJob(_ id: String, statuses: Set<String>, timeout: TimeInterval = 300) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let (_, job) = try jsonObject("GET", "/v1/jobs/\(id)")
            if let status = job["status"] as? String, statuses.contains(status) { return job }
            usleep(100_000)
        }
        throw E2EError.timedOut("job \(id) did not reach \(statuses) in \(timeout) s")
    }

    func registerSmallCNN(name: String = "base") throws -> String {
        let (status, model) = try jsonObject("POST", "/v1/models", body: ["name": name, "architecture": "small-cnn"])
        guard status == 201, let id = model["id"] as? String else {
            throw E2EError.startFailed(log: "model registration answered \(status): \(model)")
        }
        return id
    }
}

/// A job's stored events, oldest first: the JSON form of its event log.
func events(_ client: HTTPClient, _ id: String) throws -> [[String: Any]] {
    let list = try client.get("/v1/jobs/\(id)/events?format=json&limit=5000").json() as? [String: Any]
    return list?["data"] as? [[String: Any]] ?? []
}

/// Whether `event` announces a resume point: a `checkpoint` event of kind `epoch`, stored with the
/// resume state as the epoch end's last step. A `best` checkpoint comes first in the epoch end,
/// before the epoch's own `epoch` event, so a run killed right after it re-runs that epoch.
func isResumePoint(_ event: [String: Any]) -> Bool {
    event["type"] as? String == "checkpoint" && (event["data"] as? [String: Any])?["kind"] as? String == "epoch"
}

/// A small, fast job: small-cnn on a few Fashion-MNIST images per class.
func smallJob(model: String, classes: [Int] = [5, 6, 7, 8, 9], perClass: Int = 20, epochs: [Int] = [1, 2],
              optimizer: String = "sgd", name: String = "e2e") -> [String: Any] {
    [
        "name": name,
        "model": ["id": model],
        "num_classes": classes.count,
        "dataset": ["id": "fashion-mnist", "classes": classes, "per_class": perClass,
                    "validation_fraction": 0.2, "seed": 1],
        "phases": [
            ["name": "head", "trainable": ["head"], "epochs": epochs[0], "lr": 0.003, "schedule": "one_cycle"],
            ["name": "finetune", "trainable": "all", "epochs": epochs[1], "lr": ["min": 1e-4, "max": 3e-3],
             "schedule": "one_cycle"],
        ],
        "optimizer": ["type": optimizer, "weight_decay": 0.0001],
        "batch_size": 16,
        "early_stopping": ["monitor": "val_loss", "min_delta": 0.0, "patience": 5, "restore_best": true],
        "seed": 42,
    ]
}

let fashionMNISTInstalled = FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
