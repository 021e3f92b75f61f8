"""The build of the Python package: the extension `adderq._adderq` comes from the project's CMake
build (the same libraries as the tools), the pure-Python files from python/adderq. pyproject.toml
holds the metadata; the version is the C++ library's (runtime/core/version.h).

ADDERQ_BUILD_DIR=DIR reuses an existing CMake build tree (incremental: CI builds the wheel from the
tree its tests just built); otherwise a fresh one under build-python/."""
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def version():
    text = open(os.path.join(ROOT, "runtime", "core", "version.h")).read()
    return re.search(r'kAdderqVersion = "([^"]+)"', text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        reuse = os.environ.get("ADDERQ_BUILD_DIR")
        build_dir = os.path.abspath(reuse or os.path.join(ROOT, "build-python", "cmake"))
        jobs = str(os.cpu_count() or 1)
        cache = os.path.join(build_dir, "CMakeCache.txt")
        if reuse and os.path.exists(cache):
            # A tree configured for another interpreter would give an extension this one cannot load.
            found = re.search(r"^Python3_EXECUTABLE:[A-Z]+=(.*)$", open(cache).read(), re.M)
            theirs = subprocess.run([found.group(1), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                                    text=True).stdout.strip() if found else ""
            if theirs != str(sys.version_info[:2]):
                raise RuntimeError(f"ADDERQ_BUILD_DIR={reuse} is configured for Python {theirs or '(none)'}, "
                                   f"not {sys.version_info[:2]}; unset it for a fresh build")
        else:
            subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                            f"-DPython3_EXECUTABLE={sys.executable}", "-DADDERQ_BUILD_PYTHON=ON"], check=True)
        subprocess.run(["cmake", "--build", build_dir, "--target", "_adderq", "-j", jobs], check=True)
        package = os.path.join(build_dir, "python", "adderq")
        built = [f for f in os.listdir(package) if f.startswith("_adderq") and f.endswith(".so")]
        if len(built) != 1:
            raise RuntimeError(f"expected one _adderq extension in {package}, found {built}")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(package, built[0]), target)


setup(
    version=version(),
    ext_modules=[Extension("adderq._adderq", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": os.path.join("build-python", "setuptools")}, "egg_info": {"egg_base": "build-python"}},
)
