#!/usr/bin/env bash
# Fuzzes the spec path (JSON → validation → memory estimate → model construction → schedule values)
# with libFuzzer. Usage: deploy/fuzz/run-spec-fuzz.sh [runs=1000000] [extra libFuzzer flags...]
# The target is Sources/spec-fuzz, built with `swift build -Xswiftc -sanitize=fuzzer` in its own
# scratch directory (so the normal .build is untouched). Crashes and hangs (-timeout) land in
# .build/spec-fuzz/artifacts/: replay one with `.build/debug/spec-fuzz FILE` and add it as a named
# regression test in Tests/TrainingTests or Tests/NNTests.
set -euo pipefail
runs="${1:-1000000}"
shift || true
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build/spec-fuzz"
mkdir -p "$out/corpus" "$out/artifacts"
cd "$root"
swift build -c release -Xswiftc -sanitize=fuzzer,address --product spec-fuzz --scratch-path "$out/build" >&2
bin="$out/build/release/spec-fuzz"

# Seeds: the example jobs, every JSON body in the docs (curl -d '...' and ```json blocks), the
# built-in architectures as architecture specs, and the bodies of the defects this target guards.
cp examples/*.json "$out/corpus/"
perl -ne "while (/-d '(\{.*?\})'/g) { open(my \$f, '>', \"$out/corpus/doc-curl-\" . ++\$n) or die; print \$f \$1; }" docs/*.md
perl -ne "if (/^\`\`\`json/) { \$in = 1; open(\$f, '>', \"$out/corpus/doc-block-\" . ++\$n) or die; next }
          if (\$in && /^\`\`\`/) { \$in = 0; close \$f; next } print \$f \$_ if \$in;" docs/*.md
"$root/.build/debug/spec-fuzz" --write-seeds "$out/corpus" 2>/dev/null \
    || { swift build --product spec-fuzz >&2 && "$root/.build/debug/spec-fuzz" --write-seeds "$out/corpus"; }
seed() { printf '%s' "$2" > "$out/corpus/$1"; }
seed sgdr-tiny-cycle '{"name": "x", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "phases": [{"trainable": "all", "epochs": 1, "schedule": {"type": "sgdr", "cycle_len": 1e-300, "cycle_mult": 1}}]}'
seed preset-freeze-epochs '{"name": "x", "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist"}, "fine_tune": {"epochs": 1, "freeze_epochs": 9007199254740992}}'
seed linear-2p32 '{"name": "x", "inputShape": [1, 1024, 1024], "groups": ["head"], "layers": [{"name": "flatten", "kind": "flatten"}, {"name": "fc", "kind": "linear", "group": "head", "in": 4294967296, "out": 4294967296}]}'

cd "$out"
"$bin" -runs="$runs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/" "$@" "$out/corpus"
