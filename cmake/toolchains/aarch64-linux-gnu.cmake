# Cross-build for 64-bit ARM Linux (Jetson, Graviton, Raspberry Pi 4/5) from x86-64 Debian:
#   cmake -S . -B build-arm64 --toolchain cmake/toolchains/aarch64-linux-gnu.cmake
# Compiler: Debian's g++-aarch64-linux-gnu. Libraries: Debian multiarch packages (libfmt-dev:arm64,
# libpng-dev:arm64, ...; tools/install-deps.sh --arm64 installs them), so there is no sysroot: the
# arm64 libraries live beside the host's in /usr/lib/aarch64-linux-gnu and the headers are shared.
# Host tools (flatc) stay x86-64. Tests run through qemu-user where it is installed.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Makes find_package/find_library look in lib/aarch64-linux-gnu (and never in lib/x86_64-linux-gnu).
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)  # flatc and friends: the host's

# pkg-config (libturbojpeg): only the arm64 .pc files and the architecture-independent ones.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# ctest and gtest_discover_tests run the aarch64 binaries under qemu-user. The dynamic loader and
# the arm64 libraries are the multiarch ones (/lib/ld-linux-aarch64.so.1), so no -L is needed.
find_program(ADDERQ_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(ADDERQ_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${ADDERQ_QEMU_AARCH64})
endif()
