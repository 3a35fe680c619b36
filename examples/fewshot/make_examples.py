#!/usr/bin/env python3
"""Writes the few-shot transfer job specs (POST /v1/jobs JSON) of examples/fewshot/README.md
("The protocol") from a pick file: pretrain.json (source task, fixed split), fixed/<strategy>.json
(the pick's exact target images) and seeded/<strategy>.json (Thaw's own stratified pick).

  python3 examples/fewshot/make_examples.py [examples/fewshot/fewshot_pick.json]
"""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = {"id": "<pretrained model id>"}
OPTIMIZER = {"type": "adamw", "weight_decay": 0.01}
SEED = 42
# Early stopping on val_loss, patience 10, best weights restored: in the last phase only.
STOP = {"monitor": "val_loss", "patience": 10, "restore_best": True}
SINGLE = {"type": "one_cycle", "pct_start": 0.25, "div_factor": 25}
FINETUNE = {"type": "one_cycle", "pct_start": 0.3, "div_factor": 5}
DISCRIMINATIVE = {"min": 1e-4, "max": 1e-2}  # fastai slice(1e-4, 1e-2): block1 1e-4, block2 1e-3, head 1e-2


def head(epochs):
    return {"name": "head", "trainable": ["head"], "epochs": epochs, "lr": 3e-2, "schedule": SINGLE}


def last(phase):
    return dict(phase, early_stopping=STOP)


def strategies():
    yield "recipe", MODEL, [head(5), last({"name": "all", "trainable": "all", "epochs": 20, "lr": DISCRIMINATIVE,
                                           "schedule": FINETUNE})]
    yield "head_only", MODEL, [last(head(25))]
    yield "full_from_start", MODEL, [last({"name": "all", "trainable": "all", "epochs": 25, "lr": 1e-3,
                                           "schedule": SINGLE})]
    yield "gradual", MODEL, [
        head(5),
        {"name": "block2", "trainable": ["block2", "head"], "epochs": 2, "lr": DISCRIMINATIVE, "schedule": FINETUNE},
        last({"name": "all", "trainable": "all", "epochs": 18, "lr": DISCRIMINATIVE, "schedule": FINETUNE})]
    for lr, tag in [(1e-3, "1e-3"), (3e-3, "3e-3"), (1e-2, "1e-2")]:
        yield f"scratch_{tag}", {"architecture": "small-cnn"}, [
            last({"name": "all", "trainable": "all", "epochs": 25, "lr": lr, "schedule": SINGLE})]


def job(name, model, dataset, phases, batch_size=16):
    return {"name": name, "model": model, "num_classes": len(dataset["classes"]), "dataset": dataset,
            "phases": phases, "optimizer": OPTIMIZER, "batch_size": batch_size, "seed": SEED}


def compact(value):
    return json.dumps(value, separators=(", ", ": "))


def write(path, spec):
    """One top-level field per line, each phase and each dataset field on its own line."""
    lines = []
    for key, value in spec.items():
        if key == "dataset":
            fields = [f'"{k}": {compact(v)}' for k, v in value.items()]
            text = "{" + ",\n   ".join(fields) + "}"
        elif key == "phases":
            text = "[\n  " + ",\n  ".join(compact(p) for p in value) + "]"
        else:
            text = compact(value)
        lines.append(f' "{key}": {text}')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")


def main():
    pick = json.load(open(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "fewshot_pick.json")))
    source, target = pick["source"], pick["target"]
    write(os.path.join(HERE, "pretrain.json"), job(
        "fewshot-pretrain", {"architecture": "small-cnn"},
        {"id": "fashion-mnist", "classes": source["classes"], "train_indices": source["train"],
         "validation_indices": source["validation"]},
        [{"name": "pretrain", "trainable": "all", "epochs": 5, "lr": 3e-3, "schedule": SINGLE}], batch_size=64))
    fixed = {"id": "fashion-mnist", "classes": target["classes"], "train_indices": target["train"],
             "validation_indices": target["validation"]}
    seeded = {"id": "fashion-mnist", "classes": target["classes"], "per_class": 20, "validation_fraction": 0.5,
              "seed": 1}
    for name, model, phases in strategies():
        write(os.path.join(HERE, "fixed", name + ".json"), job(f"fewshot-{name}", model, fixed, phases))
        write(os.path.join(HERE, "seeded", name + ".json"), job(f"fewshot-seeded-{name}", model, seeded, phases))
    write_experiment(os.path.join(HERE, "experiment.json"), fixed)


def write_experiment(path, dataset):
    """The whole protocol as one POST /v1/experiments body: the built-in strategies (the protocol's
    recipe, head_only, full = full_from_start, gradual, scratch = scratch_3e-3) and the two other
    scratch LRs as explicit phases, x seeds 42-44. Early stopping is the base's (job level: the count
    restarts at every phase start, so with patience 10 it cannot fire in a 5-epoch head phase)."""
    scratch = [{"name": f"scratch_{tag}", "model": {"architecture": "small-cnn"},
                "phases": [{"name": "all", "trainable": "all", "epochs": 25, "lr": lr, "schedule": SINGLE}]}
               for lr, tag in [(1e-3, "1e-3"), (1e-2, "1e-2")]]
    base = {"model": MODEL, "num_classes": len(dataset["classes"]), "dataset": dataset, "optimizer": OPTIMIZER,
            "batch_size": 16, "early_stopping": STOP}
    lines = [' "name": "fewshot"']
    fields = [f'"{k}": {compact(v)}' for k, v in base.items() if k != "dataset"]
    data = ",\n    ".join(f'"{k}": {compact(v)}' for k, v in dataset.items())
    lines.append(' "base": {' + ",\n   ".join(fields[:2]) + ',\n   "dataset": {' + data + "},\n   "
                 + ",\n   ".join(fields[2:]) + "}")
    strategies = ['"recipe"', '"head_only"', '"full"', '"gradual"', '"scratch"'] + [compact(s) for s in scratch]
    lines.append(' "strategies": [\n  ' + ",\n  ".join(strategies) + "]")
    lines.append(' "seeds": [42, 43, 44]')
    lines.append(' "epochs": 25')
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    main()
