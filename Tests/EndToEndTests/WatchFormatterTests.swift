import Testing
import ThawClient

/// `thaw watch`'s lines and bar for real event payloads (the ones thawd streams, docs/api.md):
/// every line a person reads, without a server.
@Suite struct WatchFormatterTests {
    static func message(_ type: String, _ data: String, id: Int? = nil) -> ServerSentEvent {
        ServerSentEvent(id: id.map(String.init), event: type, data: data)
    }

    static let phaseStarted = message("phase", #"{"epochs":3,"event":"started","open_ended":false,"peak_lrs":{"block1":0.003,"block2":0.003,"head":0.003},"phase":"pretrain","phase_index":0,"trainable":["block1","block2","head"]}"#)
    static let epoch = message("epoch", #"{"cache_seconds":0,"epoch":1,"epochs":3,"eval_seconds":0.293542519,"from_cache":false,"global_epoch":1,"global_step":71,"images_per_second":524.5401724622648,"is_best":true,"loader_wait_seconds":0.004117312,"lr_reduced":false,"lrs":{"block1":0.0029,"block2":0.0029,"head":0.0029},"peak_lrs":{"block1":0.003,"block2":0.003,"head":0.003},"per_class_accuracy":{"Coat":0.47},"phase":"pretrain","phase_index":0,"seconds":8.87,"train_loss":0.9560795758830176,"train_seconds":8.57,"trainable":["block1","block2","head"],"val_accuracy":0.66,"val_loss":0.9100601763725281}"#)

    func lines(_ messages: [ServerSentEvent]) -> [String] {
        var formatter = WatchFormatter()
        return messages.flatMap { formatter.lines(for: $0) }
    }

    @Test func oneLinePerEpochWithAMarkOnANewBest() {
        #expect(lines([Self.epoch]) == ["pretrain 1/3  train_loss 0.9561  val_loss 0.9101  val_acc 0.6600  525 img/s  * best"])
        let cached = Self.message("epoch", #"{"cache_seconds":0.5,"epoch":2,"epochs":5,"eval_seconds":0,"from_cache":true,"global_epoch":2,"global_step":10,"images_per_second":9000,"is_best":false,"loader_wait_seconds":0,"lr_reduced":true,"lrs":{"head":null},"peak_lrs":{"head":0.01},"per_class_accuracy":{},"phase":"head","phase_index":0,"seconds":1.25,"train_loss":null,"train_seconds":1.25,"trainable":["head"],"val_accuracy":null,"val_loss":null}"#)
        #expect(lines([cached]) == ["head 2/5  train_loss -  9000 img/s (cached body)  lr reduced"])
    }

    @Test func statusPhaseControlAdviceAndTestAsShortLines() {
        let stream = [
            Self.message("status", #"{"status":"queued"}"#),
            Self.message("status", #"{"attempt":1,"previous":"queued","resume":false,"status":"running"}"#),
            Self.message("run", #"{"global_epoch":0,"status":"started"}"#),
            Self.phaseStarted,
            Self.message("best", #"{"epoch":1,"global_epoch":1,"phase":"pretrain","train_loss":0.95}"#),
            Self.message("checkpoint", #"{"bytes":1,"epoch":1,"global_epoch":1,"kind":"best","metrics":{},"phase":"pretrain","phase_index":0}"#),
            Self.message("control", #"{"action":"unfreeze","from_cache":false,"id":"cmd_5e97c31874358135","lrs":{"block1":0.0029,"block2":9.7e-05,"head":0.0029},"ok":true,"paused":false,"peak_lrs":{"block1":0.003,"block2":0.0001,"head":0.003},"trainable":["block2","head"],"trainable_layers":["features.7","fc"]}"#),
            Self.message("control", #"{"action":"freeze","error":"target: would leave nothing trainable","from_cache":true,"id":"cmd_b0935e33f4fa0354","lrs":{"block1":null,"head":0.001},"ok":false,"paused":true,"peak_lrs":{"block1":0.001,"head":0.001},"problems":[{"message":"would leave nothing trainable","path":"target"}],"trainable":["head"],"trainable_layers":["fc"]}"#),
            Self.message("control", #"{"action":"gradual_unfreeze","from_cache":false,"groups":["block2"],"lrs":{"block1":0.001,"block2":0.001,"head":0.001},"ok":true,"paused":false,"peak_lrs":{"block1":0.001,"block2":0.001,"head":0.001},"trainable":["block2","head"],"trainable_layers":["features.4","fc"]}"#),
            Self.message("control", #"{"action":"pause","from_cache":false,"id":"cmd_1","lrs":{},"ok":true,"paused":true,"peak_lrs":{},"trainable":["head"],"trainable_layers":["fc"]}"#),
            Self.message("advice", #"{"code":"underfitting","global_epoch":2,"message":"training loss is above validation loss: unfreeze block2"}"#),
            Self.message("phase", #"{"epochs":2,"event":"ended","open_ended":true,"peak_lrs":{"head":0.01},"phase":"head","phase_index":1,"reason":"early_stopping","restored_best":true,"trainable":["head"]}"#),
            Self.message("test", #"{"best_epoch":3,"best_metric":"val_loss","best_value":0.34625717663764954,"count":5000,"epochs":3,"per_class_accuracy":{"Coat":0.807},"restored_best":true,"stop_reason":null,"test_accuracy":0.8698,"test_loss":0.3650547312736511,"tta_accuracy":0.8676,"tta_loss":0.37035681703983075}"#),
            Self.message("run", #"{"global_epoch":3,"status":"succeeded"}"#),
            Self.message("status", #"{"previous":"running","status":"succeeded"}"#),
            Self.message("end", #"{"status":"succeeded"}"#),
        ]
        #expect(lines(stream) == [
            "status: queued",
            "status: running",
            "phase pretrain started: 3 epochs, trainable block1, block2, head; peak lr block1 0.003, block2 0.003, head 0.003",
            "control unfreeze: ok; trainable block2, head; peak lr block2 1e-04, head 0.003, block1 0.003",
            "control freeze: refused: target: would leave nothing trainable",
            "control gradual_unfreeze: unfroze block2; trainable block2, head; peak lr block2 0.001, head 0.001, block1 0.001",
            "control pause: paused",
            "advice (underfitting, epoch 2): training loss is above validation loss: unfreeze block2",
            "phase head ended: early_stopping, best weights restored",
            "test: accuracy 0.8698, loss 0.3651, on 5000 images, flip-TTA accuracy 0.8676; best val_loss 0.3463 at epoch 3 (restored)",
            "run succeeded after 3 epochs",
            "status: succeeded",
        ])
    }

    @Test func failuresResumesAndUnknownMessagesStayReadable() {
        #expect(lines([Self.message("status", #"{"error":{"code":"engine_error","message":"boom"},"previous":"running","status":"failed"}"#)])
                == ["status: failed — engine_error: boom"])
        #expect(lines([Self.message("status", #"{"attempt":2,"previous":"running","resume":true,"status":"running"}"#)])
                == ["status: running (attempt 2, resumed from its checkpoint)"])
        #expect(lines([Self.message("run", #"{"global_epoch":4,"reason":"user_stop","status":"stopped"}"#)])
                == ["run stopped after 4 epochs (user_stop)"])
        #expect(lines([Self.message("shutdown", #"{"reason":"shutdown"}"#)]) == ["thawd is shutting down; the job resumes when it restarts"])
        #expect(lines([Self.message("mystery", #"{"a":1}"#)]) == [#"mystery: {"a":1}"#])
        #expect(lines([Self.message("lr_find", #"{"ended_by":"diverged","losses":[2.3,2.1,null],"lrs":[1e-07,1e-06,1e-05],"suggestions":{"minimum":1e-08,"steep":1e-06,"valley":null}}"#)])
                == ["lr_find: 3 points (diverged); suggestions valley -, steep 1e-06, minimum 1e-08"])
    }

    @Test func theBarFollowsThePhaseAndEpoch() {
        var formatter = WatchFormatter()
        #expect(formatter.bar() == nil)
        _ = formatter.lines(for: Self.message("status", #"{"status":"queued"}"#))
        #expect(formatter.bar(width: 4) == "[....] queued")
        _ = formatter.lines(for: Self.message("status", #"{"attempt":1,"previous":"queued","resume":false,"status":"running"}"#))
        _ = formatter.lines(for: Self.phaseStarted)
        #expect(formatter.bar(width: 6) == "[......] pretrain 0/3 (phase 1) · epoch 0")
        _ = formatter.lines(for: Self.epoch)
        #expect(formatter.bar(width: 6, extra: "3s") == "[##....] pretrain 1/3 (phase 1) · epoch 1 · 3s")
        #expect(formatter.bests == 1)
        _ = formatter.lines(for: Self.message("status", #"{"previous":"running","status":"paused"}"#))
        #expect(formatter.bar(width: 6) == "[##....] pretrain 1/3 (phase 1) · epoch 1 · paused")
    }

    @Test func rawEventsAsJSONLines() {
        #expect(Self.message("advice", #"{"code":"x","global_epoch":2,"message":"m"}"#, id: 7).jsonLine()
                == #"{"data":{"code":"x","global_epoch":2,"message":"m"},"id":7,"type":"advice"}"#)
        #expect(Self.message("end", #"{"status":"succeeded"}"#).jsonLine() == #"{"data":{"status":"succeeded"},"type":"end"}"#)
    }
}
