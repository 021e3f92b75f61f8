#!/usr/bin/env bash
# Installs the Debian packages adderq builds with (run as root on a fresh Debian 12 machine).
#   tools/install-deps.sh           the native (x86-64 or arm64) build, tests and Python package
#   tools/install-deps.sh --arm64   also the ARM64 cross-build: g++-aarch64-linux-gnu, qemu-user, and
#                                   the arm64 (multiarch) packages of the libraries adderq links
set -euo pipefail
packages=(build-essential cmake libflatbuffers-dev flatbuffers-compiler libfmt-dev libgtest-dev googletest
          nlohmann-json3-dev libcli11-dev zlib1g-dev libpng-dev libturbojpeg0-dev pkg-config ca-certificates curl
          python3-dev pybind11-dev python3-numpy python3-pytest  # the Python package
          python3-pip python3-venv python3-wheel python3-setuptools  # pip install . (offline: no build isolation)
          python3-torch python3-pil  # export_onnx, the PyTorch references and ImageFolders of the model tests
          dpkg-dev)  # dpkg-shlibdeps, for the .deb packages (cpack)
if [ "${1:-}" = --arm64 ]; then
  # Header-only or architecture-independent (nlohmann-json, CLI11, FlatBuffers' headers, flatc) come
  # from the native list; the compiled libraries need their arm64 builds.
  packages+=(g++-aarch64-linux-gnu qemu-user libc6-dev:arm64 libfmt-dev:arm64 libgtest-dev:arm64 zlib1g-dev:arm64
             libpng-dev:arm64 libturbojpeg0-dev:arm64
             libubsan1:arm64)  # the CUDA host emulation builds its kernels with UBSan checks
  if ! dpkg --print-foreign-architectures | grep -x arm64 >/dev/null; then
    dpkg --add-architecture arm64
    need_update=1
  fi
  # Jetson Xavier (sm_72): CUDA 13's NVRTC no longer targets Volta, so the JIT test compiles for it
  # with Debian's NVRTC 11.8 (JetPack 5 ships 11.4), from the non-free component.
  packages+=(libnvrtc11.2)
  if ! apt-cache policy libnvrtc11.2 2>/dev/null | grep "Candidate: [0-9]" >/dev/null; then
    cat >/etc/apt/sources.list.d/adderq-non-free.sources <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    need_update=1
  fi
fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ] || [ -n "${need_update:-}" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
