import Foundation
@testable import JobAPI

/// Events exactly as thawd has written them: the SSE example of docs/api.md (`GET /v1/jobs/{id}/events`)
/// and, for the shapes that example does not show, what the writers before `TrainingEvent` produced
/// (the runner's JSONValue payloads, the store's JSONSerialization status events).
enum StoredEvents {
    /// (type, payload) as docs/api.md shows them, byte for byte.
    static let documented: [(name: String, type: String, payload: String)] = [
        ("queued", "status", #"{"status":"queued"}"#),
        ("claim", "status", #"{"attempt":1,"previous":"queued","resume":false,"status":"running"}"#),
        ("run started", "run", #"{"global_epoch":0,"status":"started"}"#),
        ("phase started", "phase",
         #"{"epochs":3,"event":"started","open_ended":false,"peak_lrs":{"block1":0.003,"block2":0.003,"head":0.003},"phase":"pretrain","phase_index":0,"trainable":["block1","block2","head"]}"#),
        ("best", "best",
         #"{"epoch":1,"global_epoch":1,"phase":"pretrain","train_loss":0.9560795758830176,"val_accuracy":0.66,"val_loss":0.9100601763725281}"#),
        ("checkpoint", "checkpoint",
         #"{"bytes":267500,"epoch":1,"global_epoch":1,"kind":"best","metrics":{"train_loss":0.9560795758830176,"val_accuracy":0.66,"val_loss":0.9100601763725281},"phase":"pretrain","phase_index":0}"#),
        ("epoch", "epoch",
         #"{"cache_seconds":0,"epoch":1,"epochs":3,"eval_seconds":0.293542519,"from_cache":false,"global_epoch":1,"global_step":71,"images_per_second":524.5401724622648,"is_best":true,"loader_wait_seconds":0.004117312,"lr_reduced":false,"lrs":{"block1":0.002919355623172259,"block2":0.002919355623172259,"head":0.002919355623172259},"peak_lrs":{"block1":0.003,"block2":0.003,"head":0.003},"per_class_accuracy":{"Coat":0.47,"Dress":0.72,"Pullover":0.37,"T-shirt/top":0.97,"Trouser":0.77},"phase":"pretrain","phase_index":0,"seconds":8.87248506,"train_loss":0.9560795758830176,"train_seconds":8.578942541,"trainable":["block1","block2","head"],"val_accuracy":0.66,"val_loss":0.9100601763725281}"#),
        ("advice", "advice",
         #"{"code":"underfitting","global_epoch":2,"message":"training loss is above validation loss with every group training: train longer or raise the LR"}"#),
        ("test with tta", "test",
         #"{"best_epoch":3,"best_metric":"val_loss","best_value":0.34625717663764954,"count":5000,"epochs":3,"per_class_accuracy":{"Coat":0.807,"Dress":0.91,"Pullover":0.812,"T-shirt/top":0.87,"Trouser":0.95},"restored_best":true,"stop_reason":null,"test_accuracy":0.8698,"test_loss":0.3650547312736511,"tta_accuracy":0.8676,"tta_loss":0.37035681703983075}"#),
        ("run succeeded", "run", #"{"global_epoch":3,"status":"succeeded"}"#),
        ("succeeded", "status", #"{"previous":"running","status":"succeeded"}"#),
        ("control applied", "control",
         #"{"action":"unfreeze","from_cache":false,"id":"cmd_5e97c31874358135","lrs":{"block1":0.002909539835789551,"block2":9.698466119298504e-05,"head":0.002909539835789551},"ok":true,"paused":false,"peak_lrs":{"block1":0.003,"block2":0.0001,"head":0.003},"trainable":["block2","head"],"trainable_layers":["features.7","features.8","features.10","features.11","fc"]}"#),
    ]

    /// Shapes the example does not show, as the old writers spelled them.
    static let written: [(name: String, type: String, payload: String)] = [
        ("test with a confusion matrix", "test",
         #"{"best_epoch":2,"best_metric":"val_loss","best_value":0.5034900307655334,"confusion_matrix":{"classes":["T-shirt/top","Trouser","Sneaker"],"counts":[[929,29,42],[79,919,2],[0,0,1000]]},"count":3000,"epochs":2,"per_class_accuracy":{"Sneaker":1,"T-shirt/top":0.929,"Trouser":0.919},"restored_best":true,"stop_reason":null,"test_accuracy":0.9493333333333334,"test_loss":0.5286965648333232,"tta_accuracy":0.9483333333333334,"tta_loss":0.5415651133046587}"#),
        ("control refused", "control",
         #"{"action":"freeze","error":"target: would leave nothing trainable","from_cache":true,"id":"cmd_b0935e33f4fa0354","lrs":{"block1":null,"head":0.001},"ok":false,"paused":true,"peak_lrs":{"block1":0.001,"head":0.001},"problems":[{"message":"would leave nothing trainable","path":"target"}],"trainable":["head"],"trainable_layers":["fc"]}"#),
        ("control self-made", "control",
         #"{"action":"gradual_unfreeze","from_cache":false,"groups":["block2"],"lrs":{"block1":0.001,"block2":0.001,"head":0.001},"ok":true,"paused":false,"peak_lrs":{"block1":0.001,"block2":0.001,"head":0.001},"trainable":["block2","head"],"trainable_layers":["features.4","fc"]}"#),
        ("phase ended", "phase",
         #"{"epochs":2,"event":"ended","open_ended":true,"peak_lrs":{"head":0.01},"phase":"head","phase_index":1,"reason":"early_stopping","restored_best":true,"trainable":["head"]}"#),
        ("run stopped", "run", #"{"global_epoch":4,"reason":"user_stop","status":"stopped"}"#),
        ("epoch without validation, NaN loss", "epoch",
         #"{"cache_seconds":0.5,"epoch":2,"epochs":5,"eval_seconds":0,"from_cache":true,"global_epoch":2,"global_step":10,"images_per_second":null,"is_best":false,"loader_wait_seconds":0,"lr_reduced":true,"lrs":{"head":null},"peak_lrs":{"head":0.01},"per_class_accuracy":{},"phase":"head","phase_index":0,"seconds":1.25,"train_loss":null,"train_seconds":1.25,"trainable":["head"],"val_accuracy":null,"val_loss":null}"#),
        ("best train loss only", "best", #"{"epoch":2,"global_epoch":7,"phase":"all","train_loss":0.5}"#),
        ("checkpoint epoch", "checkpoint",
         #"{"bytes":1024,"epoch":2,"global_epoch":7,"kind":"epoch","metrics":{"train_loss":null},"phase":"all","phase_index":2}"#),
        ("test without a test split", "test",
         #"{"best_epoch":null,"best_metric":"train_loss","best_value":null,"epochs":0,"restored_best":false,"stop_reason":"early_stopping"}"#),
        ("test without tta", "test",
         #"{"best_epoch":2,"best_metric":"val_accuracy","best_value":0.9,"count":3,"epochs":2,"per_class_accuracy":{"a":1,"b":null},"restored_best":false,"stop_reason":"non_finite_loss","test_accuracy":0.5,"test_loss":null}"#),
        ("lr_find", "lr_find",
         #"{"ended_by":"diverged","losses":[2.3,2.1,null],"lrs":[1e-07,1e-06,1e-05],"suggestions":{"minimum":1e-08,"steep":1e-06,"valley":null}}"#),
        ("lr_find too short", "lr_find", #"{"ended_by":"completed","losses":[2.3],"lrs":[1e-07],"suggestions":null}"#),
        ("failed", "status",
         #"{"error":{"code":"engine_error","message":"boom"},"previous":"running","status":"failed"}"#),
        ("interrupted at start-up", "interrupted", #"{"crashes":2,"status":"running"}"#),
        ("released at shutdown", "interrupted", #"{"reason":"shutdown","status":"paused"}"#),
    ]

    /// Payloads of older thawd versions, which lack fields added since; they must still decode.
    static let legacy: [(name: String, type: String, payload: String)] = [
        ("epoch before global_step and loader_wait_seconds", "epoch",
         #"{"cache_seconds":0,"epoch":1,"epochs":3,"eval_seconds":0.2,"from_cache":false,"global_epoch":1,"images_per_second":500,"is_best":true,"lr_reduced":false,"lrs":{"head":0.003},"peak_lrs":{"head":0.003},"per_class_accuracy":{"a":0.5},"phase":"p","phase_index":0,"seconds":8,"train_loss":0.9,"train_seconds":7.8,"trainable":["head"],"val_accuracy":0.66,"val_loss":0.91}"#),
        ("status with an escaped slash", "status",
         #"{"error":{"code":"invalid_data","message":"cannot read \/data\/x.png"},"previous":"running","status":"failed"}"#),
        ("claim before attempt", "status", #"{"previous":"queued","status":"running"}"#),
    ]
}
