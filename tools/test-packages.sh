#!/usr/bin/env bash
# The .deb packages (cmake/packaging.cmake): builds them with CPack from the x86-64 build (runtime
# and compiler) and the ARM64 cross-build (runtime), installs the amd64 ones with dpkg (root), builds
# the C example against the installed package with find_package and with pkg-config, classifies a
# real test image with it, and checks the arm64 package's contents (architecture, ELF machine, no
# build paths). Removes what it installed.
#   tools/test-packages.sh [x86-build-dir] [arm64-build-dir]   (defaults: build, build-arm64)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
x86=$(cd "${1:-build}" && pwd) arm=${2:-build-arm64}
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$x86/CMakeCache.txt")
tmp=$(mktemp -d)
installed=()
cleanup() {
  [ ${#installed[@]} -eq 0 ] || dpkg -P "${installed[@]}" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

cpack_in() {  # build dir, output dir
  (cd "$1" && cpack -G DEB -B "$2" >"$2.log" 2>&1) || { cat "$2.log"; fail "cpack in $1"; }
}
cpack_in "$x86" "$tmp/amd64"
runtime_deb=$tmp/amd64/adderq-runtime_${version}_amd64.deb compiler_deb=$tmp/amd64/adderq-compiler_${version}_amd64.deb
[ -f "$runtime_deb" ] && [ -f "$compiler_deb" ] || fail "cpack made $(ls "$tmp/amd64"/*.deb 2>/dev/null | xargs -n1 basename)"
echo "ok: $(basename "$runtime_deb") ($(du -k "$runtime_deb" | cut -f1) KiB): depends on $(dpkg-deb -f "$runtime_deb" Depends)"
dpkg-deb -c "$compiler_deb" | grep '\./usr/bin/adderq-compile$' >/dev/null || fail "$(basename "$compiler_deb") has no adderq-compile"
echo "ok: $(basename "$compiler_deb") ($(du -k "$compiler_deb" | cut -f1) KiB): depends on $(dpkg-deb -f "$compiler_deb" Depends)"

# Contents a deployer relies on, in either architecture's runtime package.
check_contents() {  # deb, ELF machine as readelf names it
  local deb=$1 machine=$2 dir
  dir=$tmp/x-$(basename "$deb")
  dpkg-deb -x "$deb" "$dir"
  for f in usr/lib/libadderq.so usr/include/adderq/adderq.h usr/include/adderq/adderq.hpp usr/bin/adderq-run \
           usr/lib/cmake/adderq/adderqConfig.cmake usr/lib/cmake/adderq/adderqTargets.cmake usr/lib/pkgconfig/adderq.pc; do
    [ -e "$dir/$f" ] || fail "$(basename "$deb") has no /$f"
  done
  [ -e "$dir/usr/bin/adderq-compile" ] && fail "$(basename "$deb") carries the compiler"
  for f in "$dir"/usr/bin/adderq-run "$dir"/usr/lib/libadderq.so.*.*; do
    readelf -h "$f" | grep "Machine: *$machine" >/dev/null || fail "$f is not $machine: $(readelf -h "$f" | grep Machine)"
    if readelf -d "$f" | grep -E "RPATH|RUNPATH" >/dev/null; then fail "$f has a run path: $(readelf -d "$f" | grep -E 'RPATH|RUNPATH')"; fi
  done
  # No build machine's paths anywhere (run paths, source file names in messages, CMake files).
  if grep -rlF -e "$root" -e "$x86" -e "$(cd "$arm" 2>/dev/null && pwd || echo /nonexistent)" "$dir" >"$tmp/paths"; then
    fail "$(basename "$deb") names build paths in: $(xargs -n1 basename <"$tmp/paths" | tr '\n' ' ')"
  fi
  echo "ok: $(basename "$deb"): $(dpkg-deb -c "$deb" | grep -vc '/$') files, $machine, no run path, no build paths"
}
check_contents "$runtime_deb" "Advanced Micro Devices X86-64"

if [ -d "$arm" ]; then
  cpack_in "$arm" "$tmp/arm64"
  arm_deb=$tmp/arm64/adderq-runtime_${version}_arm64.deb
  [ -f "$arm_deb" ] || fail "cpack made $(ls "$tmp/arm64"/*.deb 2>/dev/null | xargs -n1 basename) for arm64"
  [ "$(dpkg-deb -f "$arm_deb" Architecture)" = arm64 ] || fail "$(basename "$arm_deb") says $(dpkg-deb -f "$arm_deb" Architecture)"
  echo "ok: $(basename "$arm_deb"): Architecture arm64, depends on $(dpkg-deb -f "$arm_deb" Depends)"
  check_contents "$arm_deb" AArch64
else
  echo "skipped: no ARM64 build in $arm (tools/test-arm64.sh makes one)"
fi

# Install the amd64 packages and use them as a deployer would: nothing but /usr.
if [ "$(id -u)" != 0 ]; then echo "skipped: installing the .deb needs root"; exit 0; fi
dpkg-query -W -f="\${Status}" adderq-runtime 2>/dev/null | grep " installed" >/dev/null && fail "adderq-runtime is already installed here; remove it first"
dpkg -i "$runtime_deb" "$compiler_deb" >/dev/null
installed=(adderq-compiler adderq-runtime)
command -v adderq-run adderq-compile >/dev/null || fail "the tools are not on PATH after dpkg -i"
cmake -S examples/classify_c -B "$tmp/example" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/example" >/dev/null
echo "ok: the C example built against the installed .deb (find_package(adderq), no prefix given)"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/classify_pc" examples/classify_c/classify.c $(pkg-config --cflags --libs adderq)
echo "ok: the C example built against the installed .deb with pkg-config ($(pkg-config --libs adderq))"

shared=${ADDERQ_SHARED:-$root/../shared}
ckpt=$shared/checkpoints/resnet20_adder_cifar10.pth data=$shared/data/cifar-10-batches-bin
if [ ! -f "$ckpt" ] || [ ! -f "$data/test_batch.bin" ]; then echo "skipped: classifying needs $ckpt and $data"; exit 0; fi
adderq-compile "$ckpt" -o "$tmp/w4.adq" --bits 4 --calib-data "$data" --quiet
label=$("$x86/bin/export_cifar_image" "$data" 0 "$tmp/img0.png")
names=$(adderq-run info "$tmp/w4.adq" --json | grep -o '"classes":\[[^]]*\]' | tr -d '[]"' | cut -d: -f2)
IFS=, read -r -a class_names <<<"$names"
for classify in "$tmp/example/classify" "$tmp/classify_pc"; do
  got=$(LC_ALL=C "$classify" "$tmp/w4.adq" "$tmp/img0.png" | sed -n '1s/^[^:]*: \([^ ]*\) .*/\1/p')
  [ "$got" = "${class_names[$label]}" ] || fail "test image 0 is a ${class_names[$label]}; $(basename "$classify") says $got"
done
echo "ok: both builds of the example name test image 0 with the installed library and compiler: ${class_names[$label]}"
