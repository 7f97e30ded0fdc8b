#!/usr/bin/env bash
# Installs the peer runtimes for bench/mlperf_ae_peers_bench (Debian 12, run as root):
#   libtorch, XNNPACK and OpenCV DNN (C++ runners built from bench/peers/CMakeLists.txt;
#   xnnpack.h includes pthreadpool.h, which libxnnpack-dev does not pull in),
#   OpenBLAS (so libtorch/OpenCV do not fall back to reference BLAS),
#   python3-onnx (bench/peers/make_onnx.py) and ONNX Runtime from npm (onnxruntime-node).
# Re-run cmake configure afterwards so the C++ runners are found and built.
# The light part (python3-onnx, node, onnxruntime-node) is also in scripts/install-deps.sh,
# because the ONNX Runtime parity test needs it in CI; the heavy peers live only here.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libtorch-dev libxnnpack-dev libpthreadpool-dev libopencv-dev libopenblas-dev libopenblas0-pthread \
  python3 python3-numpy python3-onnx > /dev/null
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm > /dev/null
fi
# onnxruntime-node ships libonnxruntime.so and the node binding for linux/x64 inside the npm
# tarball; its install script only fetches optional GPU libraries, so it is skipped.
(cd "$(dirname "$0")/../bench/peers/node" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
