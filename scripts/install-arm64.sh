#!/usr/bin/env bash
# Installs what the aarch64 cross-build of the kernel tests needs on Debian 12 (run as root):
# the cross compiler, qemu's user-mode emulator, and the arm64 builds of the two libraries the
# kernel tests link (Highway, GoogleTest; the build uses -DVIGIL_KERNEL_TESTS_ONLY=ON). Idempotent.
# CI runs it; users who only build for their own machine need scripts/install-deps.sh alone.
# A cross build of the whole library would also need zlib1g-dev:arm64 (CLI11 and nlohmann-json
# are header-only, Architecture: all, and come with install-deps.sh).
#
# The :arm64 -dev packages are Multi-Arch: same, so they install beside the amd64 ones the native
# build uses (same version, shared headers, libraries under /usr/lib/aarch64-linux-gnu); apt is
# told to refuse any plan that would remove a package, so this can never uninstall the amd64 side.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends --no-remove \
  g++-aarch64-linux-gnu qemu-user-static \
  libhwy-dev:arm64 libgtest-dev:arm64 \
  > /dev/null
