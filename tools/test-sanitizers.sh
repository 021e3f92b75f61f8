#!/usr/bin/env bash
# The whole test suite built with AddressSanitizer (+ LeakSanitizer) and UndefinedBehaviorSanitizer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash tools/install-deps.sh
# -O1 -g1 rather than RelWithDebInfo's -O2 -g: -O1 is what the ASan documentation recommends,
# line tables are all a symbolized report needs, and on 2 cores the build takes about 6 minutes
# instead of 13. NDEBUG stays off, so assert() is checked here too.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
      -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DADDERQ_SANITIZE=ON -DADDERQ_BUILD_PYTHON=OFF >/dev/null
cmake --build build-asan -j"$(nproc)"
# The NVRTC compiles of every kernel variant (for sm_80/90 and for the Jetsons; and of ResNet-20's
# adder and float kernels for their instruction mix) are slow and exercise no code of ours that the
# normal run does not (the PTX counter has its own test, PtxInstructionMixIsCounted, run here):
# skipped here. So is the installed-package example: a program built outside this tree cannot load a
# sanitized libadderq.so (the ASan runtime must come first); the API it uses is covered here by
# api_test and c_api_test. The kernel emulation tests (CudaEmulation.*) are skipped too: what they
# test is the generated kernels, which g++ compiles apart with the same UBSan checks in both builds
# (tests/host_kernel.cpp), and the plan code they drive runs here under the host-GPU tests; they
# took about 290 of the run's 1040 test-seconds here. The Python package is not built (configured
# off above): a sanitized extension cannot be loaded into Debian's python3 either; the library code
# it calls runs here through the C++ tests.
cd build-asan && ctest --output-on-failure -j"$(nproc)" -E "EveryResNetVariant|JetsonVariants|jetson_nvrtc11|AdderHotLoops|FloatConvolutionLoads|install_example|CudaEmulation"
