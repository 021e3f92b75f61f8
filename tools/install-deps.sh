#!/usr/bin/env bash
# Installs the Debian packages adderq builds with (run as root on a fresh Debian 12 machine).
set -euo pipefail
packages=(build-essential cmake libflatbuffers-dev flatbuffers-compiler libfmt-dev libgtest-dev googletest
          nlohmann-json3-dev libcli11-dev zlib1g-dev libpng-dev libturbojpeg0-dev pkg-config ca-certificates curl
          python3-dev pybind11-dev python3-numpy python3-pytest  # the Python package
          python3-pip python3-venv python3-wheel python3-setuptools  # pip install . (offline: no build isolation)
          python3-torch python3-pil)  # export_onnx, the PyTorch references and ImageFolders of the model tests
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
