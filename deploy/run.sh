#!/usr/bin/env bash
# The main job: set up, build (release), start thawd on its embedded SQLite store under ./var
# (127.0.0.1:${THAW_PORT:-8080}), and run the demo fine-tune on the built-in Fashion-MNIST:
# pretrain small-cnn on classes 0-4, promote it to a model, fine-tune it on classes 5-9 with 100
# images per class. thawd keeps serving afterwards; Ctrl-C (SIGINT) stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
swift build -c release --product thawd
swift build -c release --product thaw

port="${THAW_PORT:-8080}"
bin=.build/release
export THAW_SERVER="http://127.0.0.1:$port"
mkdir -p var
"$bin/thawd" --host 127.0.0.1 --port "$port" --data-dir ./var &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon' INT TERM

for _ in $(seq 1 100); do "$bin/thaw" health >/dev/null 2>&1 && break; sleep 0.1; done
"$bin/thaw" health

if [ "${THAW_DEMO:-1}" = "1" ]; then
  echo "== demo 1/2: pretrain small-cnn on Fashion-MNIST classes 0-4"
  pre=$("$bin/thaw" submit --quiet examples/pretrain-0to4.json)
  "$bin/thaw" watch "$pre"
  echo "== promote the pretrained body to a model"
  model=$("$bin/thaw" models promote "$pre" --name fmnist-0to4 --quiet)
  echo "== demo 2/2: fine-tune $model on classes 5-9, 100 images per class"
  sed "s/<registered model id>/$model/" examples/finetune-5to9.json > var/finetune-5to9.json
  job=$("$bin/thaw" submit --quiet var/finetune-5to9.json)
  "$bin/thaw" watch "$job"
  "$bin/thaw" status "$job"
  "$bin/thaw" download "$job" --checkpoint best -o var/finetune-5to9-best.safetensors
  echo "== thawd keeps serving on $THAW_SERVER (Ctrl-C to stop)"
fi
wait $daemon
