# Installs headers, the library and a CMake package so consumers can find_package(ndbucket).
include(CMakePackageConfigHelpers)

install(TARGETS ndbucket EXPORT ndbucketTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/ndbucket DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ndbucketTargets NAMESPACE ndbucket::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ndbucket)

configure_package_config_file(cmake/ndbucketConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ndbucketConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ndbucket)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ndbucketConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/ndbucketConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/ndbucketConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ndbucket)
