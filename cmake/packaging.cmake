# Debian packages with CPack (`cpack -G DEB` in a build folder; tools/test-packages.sh):
#   adderq-runtime_<version>_<arch>.deb   libadderq.so, headers, CMake and pkg-config files, adderq-run
#   adderq-compiler_<version>_<arch>.deb  adderq-compile (self-contained: it links the runtime statically;
#                                         native builds only)
# <arch> is the target's (arm64 for the aarch64 toolchain), not the build machine's. Installed under
# /usr; dependencies come from dpkg-shlibdeps, which reads the binaries' NEEDED libraries.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME adderq)
set(CPACK_PACKAGE_VENDOR adderq)
set(CPACK_PACKAGE_CONTACT "adderq maintainers <maintainers@adderq.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Compiler and runtime for quantized AdderNets")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime compiler)  # the Python package ships as a wheel (pip install .)
if(CMAKE_CROSSCOMPILING)
  set(CPACK_COMPONENTS_ALL runtime)  # a device deploys the runtime; models are compiled on the workstation
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME adderq-runtime)
set(CPACK_DEBIAN_COMPILER_PACKAGE_NAME adderq-compiler)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "adderq runtime: libadderq (C and C++ API, CPU and NVRTC CUDA backends), headers, CMake and pkg-config files, adderq-run")
set(CPACK_COMPONENT_COMPILER_DESCRIPTION "adderq compiler: adderq-compile (checkpoints and ONNX to quantized artifacts)")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_GENERATE_SHLIBS ON)  # a shlibs file and the ldconfig trigger
if(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64|ARM64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)  # a cross-build: not `dpkg --print-architecture`
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
endif()
include(CPack)
