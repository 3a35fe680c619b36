import Foundation
import JobAPI
import Testing
@testable import Training

/// One malformed field of the example job and the problem it must produce.
struct MalformedSpec: CustomTestStringConvertible, Sendable {
    let name: String
    let json: JSONValue
    let path: String
    let message: String

    /// The example with `edits` applied in order (nil removes a field).
    init(_ name: String, _ edits: [(String, JSONValue?)], _ path: String, _ message: String) {
        self.name = name
        self.json = edits.reduce(exampleJob()) { $0.setting($1.0, $1.1) }
        self.path = path
        self.message = message
    }

    var testDescription: String { name }
}

let malformedSpecs: [MalformedSpec] = [
    // Document
    .init("unknown top-level field", [("colour", "blue")], "colour", "unknown field"),
    .init("name missing", [("name", nil)], "name", "is required"),
    .init("name empty", [("name", "")], "name", "must not be empty"),
    .init("name a number", [("name", 7)], "name", "must be a string, got a number"),
    .init("type unknown", [("type", "predict")], "type", "must be \"train\", \"lr_find\" or \"evaluate\""),
    .init("num_classes zero", [("num_classes", 0)], "num_classes", "in [1, 100000], got 0"),
    .init("num_classes fractional", [("num_classes", 5.5)], "num_classes", "must be an integer, got 5.5"),
    .init("input_size not a list", [("input_size", 224)], "input_size", "must be a list of integers, got a number"),
    .init("input_size of two sides", [("input_size", [224, 224])], "input_size", "must be [C, H, W] (3 integers), got 2"),
    .init("input_size side too small", [("input_size", [3, 8, 64])], "input_size[1]", "must be in [16, 1024], got 8"),
    .init("input_size side too large", [("input_size", [3, 64, 4096])], "input_size[2]", "must be in [16, 1024], got 4096"),
    .init("input_size channels zero", [("input_size", [0, 64, 64])], "input_size[0]", "must be a positive integer, got 0"),
    .init("num_classes a string", [("num_classes", "5")], "num_classes", "must be an integer, got a string"),
    .init("batch_size zero", [("batch_size", 0)], "batch_size", "in [1, 65536], got 0"),
    .init("batch_size too large", [("batch_size", 100_000)], "batch_size", "in [1, 65536]"),
    .init("seed negative", [("seed", -1)], "seed", "got -1"),
    .init("seed fractional", [("seed", 1.5)], "seed", "must be an integer"),
    .init("train_bn a string", [("train_bn", "true")], "train_bn", "must be true or false, got a string"),
    .init("train_bn a number", [("train_bn", 1)], "train_bn", "must be true or false, got a number"),
    // Model
    .init("model missing", [("model", nil)], "model", "is required"),
    .init("model a string", [("model", "small-cnn")], "model", "must be an object, got a string"),
    .init("model with id and architecture", [("model.architecture", "small-cnn")], "model", "not both"),
    .init("model with neither", [("model", [:])], "model", "needs id"),
    .init("model id empty", [("model.id", "")], "model.id", "must not be empty"),
    .init("model architecture empty", [("model", ["architecture": ""])], "model.architecture", "must not be empty"),
    .init("model unknown field", [("model.pretrained", true)], "model.pretrained", "unknown field"),
    // Dataset
    .init("dataset missing", [("dataset", nil)], "dataset", "is required"),
    .init("dataset id missing", [("dataset.id", nil)], "dataset.id", "is required"),
    .init("dataset id empty", [("dataset.id", "")], "dataset.id", "must not be empty"),
    .init("classes not a list", [("dataset.classes", 5)], "dataset.classes", "must be a list of integers"),
    .init("classes empty", [("dataset.classes", [])], "dataset.classes", "at least one class"),
    .init("classes repeated", [("dataset.classes", [5, 6, 5])], "dataset.classes", "lists a class twice: 5"),
    .init("classes negative", [("dataset.classes", [5, -6])], "dataset.classes[1]", "got -6"),
    .init("classes element a string", [("dataset.classes", [5, "6"])], "dataset.classes[1]", "must be an integer, got a string"),
    .init("per_class zero", [("dataset.per_class", 0)], "dataset.per_class", "in [1, 10000000], got 0"),
    .init("validation_fraction one", [("dataset.validation_fraction", 1)], "dataset.validation_fraction", "in [0, 1), got 1"),
    .init("validation_fraction negative", [("dataset.validation_fraction", -0.1)], "dataset.validation_fraction", "in [0, 1)"),
    .init("dataset seed negative", [("dataset.seed", -2)], "dataset.seed", "got -2"),
    .init("train_indices without validation_indices", [("dataset", ["id": "d", "train_indices": [1, 2]])], "dataset.validation_indices", "is required"),
    .init("fixed split with per_class", [("dataset", ["id": "d", "train_indices": [1], "validation_indices": [2], "per_class": 5])],
          "dataset.per_class", "does not apply to a fixed split"),
    .init("fixed split indices overlap", [("dataset", ["id": "d", "train_indices": [1, 2, 3], "validation_indices": [3, 4]])],
          "dataset.validation_indices", "shares 1 index(es) with train_indices, e.g. 3"),
    .init("fixed split index repeated", [("dataset", ["id": "d", "train_indices": [1, 2, 1], "validation_indices": [4]])],
          "dataset.train_indices", "repeats index 1"),
    .init("fixed split index negative", [("dataset", ["id": "d", "train_indices": [-1], "validation_indices": [4]])],
          "dataset.train_indices[0]", "got -1"),
    .init("fixed split train empty", [("dataset", ["id": "d", "train_indices": [], "validation_indices": [4]])],
          "dataset.train_indices", "must not be empty"),
    .init("dataset unknown field", [("dataset.split", "random")], "dataset.split", "unknown field"),
    // Phases
    .init("phases and fine_tune missing", [("phases", nil)], "phases", "is required (or the fine_tune preset)"),
    .init("phases and fine_tune both", [("fine_tune", 3)], "", "either phases or fine_tune"),
    .init("phases not a list", [("phases", ["name": "head"])], "phases", "must be a list of phases, got an object"),
    .init("phases empty", [("phases", [])], "phases", "at least one phase"),
    .init("phase not an object", [("phases[0]", "head")], "phases[0]", "must be an object, got a string"),
    .init("phase unknown field", [("phases[0].lr_max", 0.1)], "phases[0].lr_max", "unknown field"),
    .init("phase name empty", [("phases[0].name", "")], "phases[0].name", "must not be empty"),
    .init("phase names repeated", [("phases[1].name", "head")], "phases[1].name", "already the name of phases[0]"),
    .init("trainable missing", [("phases[0].trainable", nil)], "phases[0].trainable", "is required"),
    .init("trainable unknown word", [("phases[0].trainable", "some")], "phases[0].trainable", "must be \"all\", a list of group names"),
    .init("trainable empty list", [("phases[0].trainable", [])], "phases[0].trainable", "at least one group"),
    .init("trainable group repeated", [("phases[0].trainable", ["head", "head"])], "phases[0].trainable", "names a group twice: head"),
    .init("trainable element a number", [("phases[0].trainable", ["head", 2])], "phases[0].trainable[1]", "must be a string"),
    .init("trainable last zero", [("phases[0].trainable", ["last": 0])], "phases[0].trainable.last", "in [1, 256], got 0"),
    .init("trainable empty object", [("phases[0].trainable", [:])], "phases[0].trainable.last", "is required"),
    .init("trainable object unknown key", [("phases[0].trainable", ["last": 1, "first": 1])], "phases[0].trainable.first", "unknown field"),
    .init("refreeze a number", [("phases[1].refreeze", 1)], "phases[1].refreeze", "must be true or false"),
    .init("epochs missing", [("phases[0].epochs", nil)], "phases[0].epochs", "is required (or max_epochs"),
    .init("epochs zero", [("phases[0].epochs", 0)], "phases[0].epochs", "in [1, 10000], got 0"),
    .init("epochs fractional", [("phases[0].epochs", 2.5)], "phases[0].epochs", "must be an integer"),
    .init("epochs and max_epochs", [("phases[0].max_epochs", 9)], "phases[0]", "either epochs (fixed) or max_epochs"),
    .init("max_epochs without early_stopping", [("phases[0].epochs", nil), ("phases[0].max_epochs", 9)],
          "phases[0].max_epochs", "needs its own early_stopping"),
    .init("lr negative", [("phases[0].lr", -0.1)], "phases[0].lr", "in (0, 10], got -0.1"),
    .init("lr zero", [("phases[0].lr", 0)], "phases[0].lr", "in (0, 10], got 0"),
    .init("lr too large", [("phases[0].lr", 50)], "phases[0].lr", "in (0, 10], got 50"),
    .init("lr a string", [("phases[0].lr", "3e-3")], "phases[0].lr", "must be a number, {\"min\", \"max\"}"),
    .init("lr min above max", [("phases[1].lr.min", 1e-2)], "phases[1].lr.min", "must not exceed max (0.001), got 0.01"),
    .init("lr min without max", [("phases[1].lr.max", nil)], "phases[1].lr.max", "is required"),
    .init("lr min negative", [("phases[1].lr.min", -1)], "phases[1].lr.min", "in (0, 10], got -1"),
    .init("lr groups not an object", [("phases[1].lr", ["groups": ["head"]])], "phases[1].lr.groups", "must be an object of group name to LR"),
    .init("lr groups empty", [("phases[1].lr", ["groups": [:]])], "phases[1].lr.groups", "at least one group's LR"),
    .init("lr groups value a string", [("phases[1].lr", ["groups": ["head": "fast"]])], "phases[1].lr.groups.head", "must be a number"),
    .init("lr groups value zero", [("phases[1].lr", ["groups": ["head": 0]])], "phases[1].lr.groups.head", "in (0, 10]"),
    .init("lr groups with max", [("phases[1].lr", ["groups": ["head": 1e-3], "max": 1e-2])], "phases[1].lr.max", "cannot be combined with groups"),
    .init("lr groups default zero", [("phases[1].lr", ["groups": ["head": 1e-3], "default": 0])], "phases[1].lr.default", "in (0, 10]"),
    .init("lr unknown field", [("phases[1].lr.mid", 1e-4)], "phases[1].lr.mid", "unknown field"),
    // Schedules
    .init("schedule unknown name", [("phases[0].schedule", "cosine_forever")], "phases[0].schedule", "unknown schedule \"cosine_forever\""),
    .init("schedule step without step_size", [("phases[0].schedule", "step")], "phases[0].schedule", "step decay needs its step size"),
    .init("schedule a number", [("phases[0].schedule", 1)], "phases[0].schedule", "must be a schedule name or an object"),
    .init("schedule object without type", [("phases[0].schedule", ["pct_start": 0.3])], "phases[0].schedule.type", "is required"),
    .init("schedule object unknown type", [("phases[0].schedule", ["type": "warmup"])], "phases[0].schedule.type", "unknown schedule"),
    .init("one_cycle pct_start one", [("phases[0].schedule", ["type": "one_cycle", "pct_start": 1])], "phases[0].schedule.pct_start", "in [0, 1), got 1"),
    .init("one_cycle div_factor below one", [("phases[0].schedule", ["type": "one_cycle", "div_factor": 0.5])], "phases[0].schedule.div_factor", "in [1, 1e6]"),
    .init("one_cycle final_div_factor zero", [("phases[0].schedule", ["type": "one_cycle", "final_div_factor": 0])],
          "phases[0].schedule.final_div_factor", "in [1, 1e12], got 0"),
    .init("one_cycle moms two values", [("phases[0].schedule", ["type": "one_cycle", "moms": [0.95, 0.85]])], "phases[0].schedule.moms", "three momentums"),
    .init("one_cycle moms above one", [("phases[0].schedule", ["type": "one_cycle", "moms": [0.95, 1.5, 0.95]])], "phases[0].schedule.moms[1]", "in [0, 1)"),
    .init("one_cycle misspelt field", [("phases[0].schedule", ["type": "one_cycle", "pct_strat": 0.3])], "phases[0].schedule.pct_strat", "unknown field"),
    .init("one_cycle fastai div name", [("phases[0].schedule", ["type": "one_cycle", "div": 5])], "phases[0].schedule.div", "unknown field"),
    .init("sgdr cycle_len zero", [("phases[0].schedule", ["type": "sgdr", "cycle_len": 0])], "phases[0].schedule.cycle_len", "in [0.001, 10000]"),
    .init("sgdr cycle_mult below one", [("phases[0].schedule", ["type": "sgdr", "cycle_mult": 0.5])], "phases[0].schedule.cycle_mult", "in [1, 100]"),
    .init("sgdr min_factor one", [("phases[0].schedule", ["type": "sgdr", "min_factor": 1])], "phases[0].schedule.min_factor", "in [0, 1)"),
    .init("step step_size missing", [("phases[0].schedule", ["type": "step", "gamma": 0.5])], "phases[0].schedule.step_size", "is required"),
    .init("step step_size zero", [("phases[0].schedule", ["type": "step", "step_size": 0])], "phases[0].schedule.step_size", "in [1, 10000]"),
    .init("step gamma above one", [("phases[0].schedule", ["type": "step", "step_size": 2, "gamma": 2])], "phases[0].schedule.gamma", "in (0, 1]"),
    .init("plateau factor one", [("phases[0].schedule", ["type": "reduce_on_plateau", "factor": 1])], "phases[0].schedule.factor", "in (0, 1)"),
    .init("plateau patience zero", [("phases[0].schedule", ["type": "reduce_on_plateau", "patience": 0])], "phases[0].schedule.patience", "in [1, 10000]"),
    .init("plateau monitor unknown", [("phases[0].schedule", ["type": "reduce_on_plateau", "monitor": "f1"])], "phases[0].schedule.monitor", "unknown metric \"f1\""),
    .init("plateau min_lr negative", [("phases[0].schedule", ["type": "reduce_on_plateau", "min_lr": -1])], "phases[0].schedule.min_lr", "in [0, 10]"),
    // Phase options
    .init("phase early_stopping patience zero", [("phases[0].early_stopping", ["patience": 0])], "phases[0].early_stopping.patience", "in [1, 10000]"),
    .init("augment a string", [("phases[0].augment", "yes")], "phases[0].augment", "must be true, false or an object"),
    .init("augment shift too large", [("phases[0].augment", ["shift": 20])], "phases[0].augment.shift", "in [0, 8]"),
    .init("augment rotate negative", [("phases[0].augment", ["rotate": -5])], "phases[0].augment.rotate", "rotation is not supported"),
    .init("augment rotate not supported", [("phases[0].augment", ["rotate": 10])], "phases[0].augment.rotate", "use shift and hflip"),
    .init("augment unknown field", [("phases[0].augment", ["vflip": true])], "phases[0].augment.vflip", "unknown field"),
    .init("cache a string", [("phases[0].cache", "yes")], "phases[0].cache", "must be true or false"),
    .init("cache with augment", [("phases[0].cache", true), ("phases[0].augment", true)], "phases[0].cache", "cannot be combined with augment"),
    .init("cache with train_bn", [("phases[0].cache", true), ("train_bn", true)], "phases[0].cache", "cannot be combined with train_bn"),
    .init("cache with gradual_unfreeze", [("phases[0].cache", true), ("phases[0].gradual_unfreeze", ["every": 1])],
          "phases[0].cache", "cannot be combined with gradual_unfreeze"),
    .init("gradual_unfreeze with all trainable", [("phases[1].gradual_unfreeze", ["every": 1])], "phases[1].gradual_unfreeze", "nothing to unfreeze"),
    .init("gradual_unfreeze every zero", [("phases[0].gradual_unfreeze", ["every": 0])], "phases[0].gradual_unfreeze.every", "in [1, 10000]"),
    .init("gradual_unfreeze every missing", [("phases[0].gradual_unfreeze", ["groups": 1])], "phases[0].gradual_unfreeze.every", "is required"),
    .init("reset_optimizer a string", [("phases[0].reset_optimizer", "no")], "phases[0].reset_optimizer", "must be true or false"),
    // Optimizer
    .init("optimizer not an object", [("optimizer", "adamw")], "optimizer", "must be an object"),
    .init("optimizer type missing", [("optimizer.type", nil)], "optimizer.type", "is required"),
    .init("optimizer type unknown", [("optimizer.type", "lion")], "optimizer.type", "unknown optimizer \"lion\""),
    .init("optimizer weight_decay negative", [("optimizer.weight_decay", -0.1)], "optimizer.weight_decay", "in [0, 10]"),
    .init("sgd with beta1", [("optimizer.type", "sgd"), ("optimizer.beta1", 0.9)], "optimizer.beta1", "applies to adam and adamw only"),
    .init("adamw with momentum", [("optimizer.momentum", 0.9)], "optimizer.momentum", "applies to sgd only"),
    .init("sgd momentum one", [("optimizer.type", "sgd"), ("optimizer.momentum", 1)], "optimizer.momentum", "in [0, 1)"),
    .init("adam beta2 one", [("optimizer.beta2", 1)], "optimizer.beta2", "in [0, 1)"),
    .init("adam eps zero", [("optimizer.eps", 0)], "optimizer.eps", "in (0, 1]"),
    // Early stopping and auto-unfreeze
    .init("early_stopping patience zero", [("early_stopping.patience", 0)], "early_stopping.patience", "in [1, 10000] (epochs), got 0"),
    .init("early_stopping mode unknown", [("early_stopping.mode", "up")], "early_stopping.mode", "must be \"min\", \"max\" or \"auto\""),
    .init("early_stopping min_delta negative", [("early_stopping.min_delta", -0.01)], "early_stopping.min_delta", "in [0, 1e6]"),
    .init("early_stopping restore_best a string", [("early_stopping.restore_best", "yes")], "early_stopping.restore_best", "must be true or false"),
    .init("early_stopping monitor unknown", [("early_stopping.monitor", "valid_loss")], "early_stopping.monitor", "unknown metric \"valid_loss\""),
    .init("val monitor without validation", [("dataset.validation_fraction", 0)], "early_stopping.monitor", "needs validation images"),
    .init("auto_unfreeze a number", [("auto_unfreeze", 1)], "auto_unfreeze", "must be an object"),
    .init("auto_unfreeze patience zero", [("auto_unfreeze", ["patience": 0])], "auto_unfreeze.patience", "in [1, 10000]"),
    // LR finder and fine_tune
    .init("lr_find on a train job", [("lr_find", ["num_it": 50])], "lr_find", "applies only to jobs with \"type\": \"lr_find\""),
    .init("lr_find job with phases", [("type", "lr_find")], "phases", "does not apply to an lr_find job"),
    .init("lr_find end below start", [("type", "lr_find"), ("phases", nil), ("lr_find", ["start_lr": 1e-2, "end_lr": 1e-3])],
          "lr_find.end_lr", "must exceed start_lr"),
    .init("lr_find num_it five", [("type", "lr_find"), ("phases", nil), ("lr_find", ["num_it": 5])], "lr_find.num_it", "in [6, 100000]"),
    .init("lr_find trainable bad", [("type", "lr_find"), ("phases", nil), ("lr_find", ["trainable": "most"])], "lr_find.trainable", "must be \"all\""),
    .init("fine_tune zero epochs", [("phases", nil), ("fine_tune", 0)], "fine_tune", "in [1, 10000] (epochs), got 0"),
    .init("fine_tune base_lr zero", [("phases", nil), ("fine_tune", ["epochs": 3, "base_lr": 0])], "fine_tune.base_lr", "in (0, 10]"),
    .init("fine_tune epochs missing", [("phases", nil), ("fine_tune", ["freeze_epochs": 2])], "fine_tune.epochs", "is required"),
    .init("fine_tune lr_mult below one", [("phases", nil), ("fine_tune", ["epochs": 3, "lr_mult": 0.5])], "fine_tune.lr_mult", "in [1, 1e6]"),
    .init("fine_tune a string", [("phases", nil), ("fine_tune", "yes")], "fine_tune", "must be an object"),
    // Hardening (issue 14): every number has an upper bound, names count as SQLite counts
    .init("fine_tune freeze_epochs 2^53", [("phases", nil), ("fine_tune", ["epochs": 1, "freeze_epochs": 9_007_199_254_740_992])],
          "fine_tune.freeze_epochs", "in [0, 10000], got 9007199254740992"),
    .init("fine_tune epochs 2^53", [("phases", nil), ("fine_tune", ["epochs": 9_007_199_254_740_992])], "fine_tune.epochs", "in [1, 10000]"),
    .init("fine_tune div huge", [("phases", nil), ("fine_tune", ["epochs": 1, "div": 1e300])], "fine_tune.div", "in [1, 1e6]"),
    .init("sgdr cycle_len 1e-300", [("phases[0].schedule", ["type": "sgdr", "cycle_len": 1e-300, "cycle_mult": 1])],
          "phases[0].schedule.cycle_len", "in [0.001, 10000] (epochs)"),
    .init("sgdr cycle_mult huge", [("phases[0].schedule", ["type": "sgdr", "cycle_mult": 1e300])], "phases[0].schedule.cycle_mult", "in [1, 100]"),
    .init("step step_size 2^53", [("phases[0].schedule", ["type": "step", "step_size": 9_007_199_254_740_992])],
          "phases[0].schedule.step_size", "in [1, 10000]"),
    .init("plateau patience 2^53", [("phases[0].schedule", ["type": "reduce_on_plateau", "patience": 9_007_199_254_740_992])],
          "phases[0].schedule.patience", "in [1, 10000]"),
    .init("early_stopping patience 2^53", [("early_stopping.patience", 9_007_199_254_740_992)], "early_stopping.patience", "in [1, 10000]"),
    // Evaluation jobs: the base spec without its training-only fields, then one bad field each.
    .init("evaluate on a train job", [("evaluate", ["split": "test"])], "evaluate", "applies only to jobs with \"type\": \"evaluate\""),
    .init("evaluate job with phases", evaluateJob + [("phases", [["trainable": "all", "epochs": 1]])], "phases",
          "does not apply to an evaluate job"),
    .init("evaluate job with fine_tune", evaluateJob + [("fine_tune", 3)], "fine_tune", "does not apply to an evaluate job"),
    .init("evaluate job with an optimizer", evaluateJob + [("optimizer", ["type": "sgd"])], "optimizer", "does not apply to an evaluate job"),
    .init("evaluate job with early_stopping", evaluateJob + [("early_stopping", ["patience": 2])], "early_stopping",
          "does not apply to an evaluate job"),
    .init("evaluate job with train_bn", evaluateJob + [("train_bn", true)], "train_bn", "does not apply to an evaluate job"),
    .init("evaluate job with keep_last", evaluateJob + [("keep_last", 3)], "keep_last", "does not apply to an evaluate job"),
    .init("evaluate job with lr_find", evaluateJob + [("lr_find", ["num_it": 50])], "lr_find", "applies only to jobs with \"type\": \"lr_find\""),
    .init("evaluate job on a fresh architecture", evaluateJob + [("model", ["architecture": "small-cnn"])], "model",
          "needs a registered model"),
    .init("evaluate split unknown", evaluateJob + [("evaluate.split", "holdout")], "evaluate.split",
          "must be \"test\", \"validation\" or \"train\", got \"holdout\""),
    .init("evaluate tta a string", evaluateJob + [("evaluate.tta", "yes")], "evaluate.tta", "must be true or false"),
    .init("evaluate unknown field", evaluateJob + [("evaluate.views", 2)], "evaluate.views", "unknown field"),
    .init("evaluate a number", evaluateJob + [("evaluate", 1)], "evaluate", "must be an object"),
    .init("gradual_unfreeze groups 2^53", [("phases[0].gradual_unfreeze", ["every": 1, "groups": 9_007_199_254_740_992])],
          "phases[0].gradual_unfreeze.groups", "in [1, 256]"),
    .init("trainable last 2^53", [("phases[0].trainable", ["last": 9_007_199_254_740_992])], "phases[0].trainable.last", "in [1, 256]"),
    .init("per_class 2^53", [("dataset.per_class", 9_007_199_254_740_992)], "dataset.per_class", "in [1, 10000000]"),
    .init("class 2^53", [("dataset.classes", [5, 9_007_199_254_740_992])], "dataset.classes[1]", "in [0, 99999]"),
    .init("weight_decay huge", [("optimizer.weight_decay", 1e300)], "optimizer.weight_decay", "in [0, 10]"),
    .init("phase name 65 characters", [("phases[0].name", .string(String(repeating: "p", count: 65)))],
          "phases[0].name", "must be 1 to 64 characters (Unicode code points), got 65"),
    .init("phase name 40 combining pairs", [("phases[0].name", .string(String(repeating: "e\u{301}", count: 40)))],
          "phases[0].name", "got 80"),
    .init("job name 200 combining pairs", [("name", .string(String(repeating: "a\u{300}", count: 200)))],
          "name", "must be 1 to 256 characters (Unicode code points), got 400"),
    .init("job name with a newline", [("name", "a\nb")], "name", "must not contain control characters"),
    .init("job name with a NUL", [("name", "a\u{0}b")], "name", "must not contain control characters"),
    .init("dataset id 257 characters", [("dataset.id", .string(String(repeating: "d", count: 257)))], "dataset.id", "1 to 256 characters"),
    .init("model id 257 characters", [("model.id", .string(String(repeating: "m", count: 257)))], "model.id", "1 to 256 characters"),
]

/// The example job as an `evaluate` job: `type` set, the training-only fields removed.
private let evaluateJob: [(String, JSONValue?)] = [("type", "evaluate"), ("phases", nil), ("optimizer", nil), ("early_stopping", nil)]

@Suite struct JobSpecMalformedTests {
    @Test(arguments: malformedSpecs)
    func malformedFieldIsReported(_ c: MalformedSpec) {
        guard case .failure(let error) = JobSpec.parse(json: encoded(c.json)) else {
            Issue.record("\(c.name): parsed without problems")
            return
        }
        let match = error.problems.first { $0.path == c.path && $0.message.contains(c.message) }
        #expect(match != nil, "\(c.name): got \(error.problems)")
        #expect(error.problems.count == 1, "\(c.name): expected exactly one problem, got \(error.problems)")
    }

    @Test func notJSON() {
        guard case .failure(let error) = JobSpec.parse(json: Data("{\"name\": ".utf8)) else {
            Issue.record("parsed")
            return
        }
        #expect(error.problems == [SpecProblem(path: "", message: "not valid JSON")])
    }

    @Test func rootIsAList() {
        guard case .failure(let error) = JobSpec.parse(json: Data("[1, 2]".utf8)) else {
            Issue.record("parsed")
            return
        }
        #expect(error.problems == [SpecProblem(path: "", message: "must be an object, got a list")])
    }
}
