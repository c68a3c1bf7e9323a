# Install rules and the exported CMake package: find_package(tabula) then tabula::tabula.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TABULA_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/tabula")

install(TARGETS tabula EXPORT tabulaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tabula_cli tabula_gen EXPORT tabulaTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/tabula DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT tabulaTargets NAMESPACE tabula:: DESTINATION ${TABULA_CMAKE_DIR})

configure_package_config_file(cmake/tabulaConfig.cmake.in
                              "${PROJECT_BINARY_DIR}/tabulaConfig.cmake"
                              INSTALL_DESTINATION ${TABULA_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/tabulaConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/tabulaConfig.cmake"
              "${PROJECT_BINARY_DIR}/tabulaConfigVersion.cmake"
              cmake/FindSOCI.cmake
              cmake/TabulaGenerate.cmake
        DESTINATION ${TABULA_CMAKE_DIR})
