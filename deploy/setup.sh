#!/usr/bin/env bash
# Installs the Debian packages Thaw needs, only those missing. Safe to run any number of times.
set -euo pipefail

packages=(
  libopenblas-dev      # sgemm for the engine
  libsqlite3-dev       # the embedded store
  libpq-dev            # the PostgreSQL store (thawd --store postgresql://...)
  postgresql           # PostgreSQL 15 for the tests (deploy/pg-test-cluster.sh; its own cluster, not the service)
  libssl-dev           # TLS and SHA-256
  libpng-dev           # image-folder datasets
  libjpeg62-turbo-dev
  zlib1g-dev           # gzip'd IDX files
  pkg-config           # SwiftPM finds the system libraries through it
  dataset-fashion-mnist  # the built-in dataset
  curl                 # the demo and end-to-end tests talk HTTP with it
  openssl              # self-signed certificates for the TLS tests
  python3
  wrk                  # deploy/bench/http-bench.sh: the load generator
  nginx                # deploy/bench/http-bench.sh: the peer server (started by the script, on its own port)
  valgrind             # deploy/bench/job-route-callgrind.sh: instructions per request
  python3-numpy        # examples/rgb-finetune builds its photo folder with it
  python3-pil          # ... and writes half of the photos as JPEG
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all Debian packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
