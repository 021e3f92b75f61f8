#!/usr/bin/env bash
# The Python package as a user installs it: pip builds the wheel (setup.py drives CMake; from the
# existing build/ tree when there is one, else a fresh build-python/), installs it into a fresh
# virtual environment, and the Python tests run against that install from outside the source tree.
# Offline, as CI runs it: --no-build-isolation (setuptools and wheel from Debian) and --no-index.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
if [ -f "$root/build/CMakeCache.txt" ]; then export ADDERQ_BUILD_DIR="$root/build"; fi
"$work/venv/bin/pip" install --quiet --no-build-isolation --no-index --no-deps "$root"
cd "$work"
"$work/venv/bin/python" - <<'PY'
import importlib.metadata, os, adderq
assert importlib.metadata.version("adderq") == adderq.__version__, (importlib.metadata.version("adderq"), adderq.__version__)
here = os.path.dirname(adderq.__file__)
assert "site-packages" in here, here
for f in ("py.typed", "__init__.pyi"):
    assert os.path.exists(os.path.join(here, f)), f
print(f"adderq {adderq.__version__} installed at {here}")
PY
env -u PYTHONPATH ADDERQ_BIN_DIR="$root/build/bin" ADDERQ_SHARED="${ADDERQ_SHARED:-$root/../shared}" \
  "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$root/tests/python/test_adderq.py" "$root/tests/python/test_python_api.py"
