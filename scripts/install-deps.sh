#!/usr/bin/env bash
# Installs everything vigil needs to build, test and benchmark on Debian 12 (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake ninja-build pkg-config \
  libcli11-dev nlohmann-json3-dev zlib1g-dev libhwy-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  clang-14 libclang-rt-14-dev \
  libsqlite3-dev libmosquitto-dev mosquitto mosquitto-clients libcpp-httplib-dev libssl-dev \
  libtomlplusplus-dev sqlite3 libonnx-dev libprotobuf-dev protobuf-compiler \
  python3 python3-numpy python3-sklearn python3-onnx libopenblas0-pthread \
  python3-dev python3-pybind11 pybind11-dev python3-pytest python3-pandas \
  > /dev/null
# ONNX Runtime (npm onnxruntime-node, which ships libonnxruntime.so) for the output-parity test
# and the peer benchmark; --ignore-scripts: the package's install script would try to download.
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm > /dev/null
fi
(cd "$(dirname "$0")/../bench/peers/node" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
