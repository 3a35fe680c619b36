#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite (unit, integration, end-to-end).
# Extra arguments go to a single `swift test` run instead (e.g. `--filter FreezingTests`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
# The repository stands alone: no tracked file outside .ci/ may read the folder some checkouts have
# beside them (a fresh clone has nothing there).
if stray=$(git ls-files -z -- . ':!:.ci/**' | xargs -0 grep -lF -e "../""shared" --); then
    echo "deploy/test.sh: these files refer to a folder outside the repository:" >&2
    echo "$stray" >&2
    exit 1
fi
# The PyTorch golden tensors the engine is tested against are what their generator computes today.
"$(deploy/torch-env.sh)" Tests/Fixtures/golden/make_golden.py --check Tests/Fixtures/golden/public
# The end-to-end tests drive the real thawd and thaw binaries; build them with the tests.
swift build --build-tests
swift build --product thawd
swift build --product thaw
# ResNet parity goldens (too large to commit): PyTorch writes them into the build folder once per
# generator version; Tests/NNTests/ResNetParityTests.swift reads them and fails when they are absent.
goldens=.build/goldens/resnets
stamp="$goldens/generator.sha256"
want=$(cat Tests/Fixtures/resnets/*.py | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    PY=$(bash deploy/torch-env.sh)
    OPENBLAS_NUM_THREADS=1 "$PY" Tests/Fixtures/resnets/generate.py --out "$goldens"
    echo "$want" > "$stamp"
fi
# onnx + onnxruntime from PyPI for the ONNX export tests (Tests/ONNXTests, EndToEndTests'
# ONNXEndToEndTests), which fail without it rather than skip.
THAW_ONNX_PYTHON=$(bash deploy/onnx-env.sh)
export THAW_ONNX_PYTHON
# The engine's default is one thread; OpenBLAS's own default is every core.
export OPENBLAS_NUM_THREADS=1
if [ "$#" -gt 0 ]; then
    exec swift test --skip-build "$@"
fi
# Three stages, one process each: the socket and timeout tests do not share two cores with the
# CPU-bound training tests, and the end-to-end tests get the machine to themselves.
stages=(
    'SystemLibraryTests|HTTP1Tests|HTTPServerTests|StoreTests|PostgresTests|WebUITests'
    'TensorTests|NNTests|ONNXTests|DataTests|^JobAPITests\.|TrainingTests|DaemonTests'
    'EndToEndTests'
)
for dir in Tests/*/; do
    target=$(basename "$dir")
    [ "$target" = Fixtures ] && continue    # data shared by the targets (golden tensors), not a target
    # An entry may be anchored (`^JobAPITests\.`) where its name is also part of another target's
    # suite names (EndToEndTests.JobAPITests).
    if ! printf '%s\n' "${stages[@]}" | tr '|' '\n' | sed -e 's/^\^//' -e 's/\\\.$//' | grep -qx "$target"; then
        echo "deploy/test.sh: test target $target is in no stage; add it to the list" >&2
        exit 1
    fi
done
for stage in "${stages[@]}"; do
    echo "== swift test --filter '$stage'"
    swift test --skip-build --filter "$stage"
done
# The same Store suite on PostgreSQL 15 (a throwaway cluster, removed afterwards), with the libpq
# wrapper's tests, thawd's crash-and-resume on a PostgreSQL store and three nodes sharing one (~2 min).
echo "== deploy/pg-test-cluster.sh: StoreTests, PostgresTests, PostgresStoreE2ETests, ClusterE2ETests on PostgreSQL"
bash deploy/pg-test-cluster.sh env THAW_TEST_STORE=postgres \
    swift test --skip-build --filter 'StoreTests|PostgresTests|PostgresStoreE2ETests|ClusterE2ETests'
# The API contract: docs/openapi.yaml against the real thawd built above, by schemathesis (~1 min).
echo "== deploy/contract-test.sh"
bash deploy/contract-test.sh
# The web UI in headless Chromium against real thawds (~1 min); fails, never skips, without Chromium.
echo "== deploy/browser/ui-test.sh"
bash deploy/browser/ui-test.sh
