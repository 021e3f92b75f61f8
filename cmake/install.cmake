# `cmake --install`: libadderq.so + public headers, both tools, a CMake package
# (find_package(adderq) -> adderq::runtime) and a pkg-config file (pkg-config --cflags --libs adderq).
# Components (the .deb packages of cmake/packaging.cmake): `runtime` (library, headers, CMake and
# pkg-config files, adderq-run), `compiler` (adderq-compile), `python` (the Python package).
include(CMakePackageConfigHelpers)

install(TARGETS adderq EXPORT adderqTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/runtime/include/adderq DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT runtime)
install(TARGETS adderq-run RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(TARGETS adderq-compile RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT compiler)

set(ADDERQ_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/adderq)
install(EXPORT adderqTargets NAMESPACE adderq:: FILE adderqTargets.cmake DESTINATION ${ADDERQ_CMAKE_DIR} COMPONENT runtime)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/adderqConfig.cmake.in ${CMAKE_BINARY_DIR}/adderqConfig.cmake
                              INSTALL_DESTINATION ${ADDERQ_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/adderqConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/adderqConfig.cmake ${CMAKE_BINARY_DIR}/adderqConfigVersion.cmake
        DESTINATION ${ADDERQ_CMAKE_DIR} COMPONENT runtime)

# pkg-config: paths relative to the .pc file's prefix so the installed tree can be moved.
file(RELATIVE_PATH ADDERQ_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(${CMAKE_SOURCE_DIR}/cmake/adderq.pc.in ${CMAKE_BINARY_DIR}/adderq.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/adderq.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT runtime)
