# Cross-compiles vigil for 64-bit ARM Linux with Debian's cross toolchain and multiarch arm64
# libraries, and runs the test binaries under qemu's user-mode emulator.
#
#   scripts/install-arm64.sh        # as root: g++-aarch64-linux-gnu, qemu-user-static, :arm64 libs
#   cmake -S . -B build-arm -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake \
#         -DVIGIL_KERNEL_TESTS_ONLY=ON
#   cmake --build build-arm -j 2 && ctest --test-dir build-arm --output-on-failure
#
# Where things live on a Debian multiarch host: the arm64 C library and libstdc++ the cross
# compiler links against are under /usr/aarch64-linux-gnu; the :arm64 packages (Highway,
# GoogleTest) put their libraries and CMake package files under /usr/lib/aarch64-linux-gnu
# and their arch-specific headers under /usr/include/aarch64-linux-gnu; headers that are the same
# on every architecture (hwy/, gtest/, zlib.h) and header-only packages (CLI11, nlohmann-json:
# /usr/share/cmake) are shared in /usr/include and /usr/share.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(VIGIL_CROSS_TRIPLE aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${VIGIL_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${VIGIL_CROSS_TRIPLE}-g++)

# Makes find_library / find_package look in <prefix>/lib/aarch64-linux-gnu (and its cmake/
# folder) under each search root, the multiarch layout.
set(CMAKE_LIBRARY_ARCHITECTURE ${VIGIL_CROSS_TRIPLE})
# Search roots: the cross toolchain's own tree, then the host's / (whose /usr/lib/<triple> and
# /usr/include hold the :arm64 packages). Programs (code generators, python) come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${VIGIL_CROSS_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# The host's own libraries and package files must never be picked up for the target: an amd64
# libz.a or hwy-config.cmake would only fail at link time, with a confusing message.
list(APPEND CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/cmake
     /usr/include/x86_64-linux-gnu)

# ctest and gtest_discover_tests (tests/CMakeLists.txt, run at build time to list the tests)
# start every test binary through this. -L points qemu at the arm64 dynamic loader and libraries.
find_program(VIGIL_QEMU_AARCH64 qemu-aarch64-static REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${VIGIL_QEMU_AARCH64} -L /usr/${VIGIL_CROSS_TRIPLE})
