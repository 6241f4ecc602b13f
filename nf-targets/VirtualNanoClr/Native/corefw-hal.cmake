# CoreFirmware's HAL bridge, included at the end of targets/posix/nanoCLR/CMakeLists.txt (the line that
# patch-nanoclr.py adds). COREFW_HAL_DIR is this folder; COREFW_HAL_GENERATED the native method table
# that `MetadataCheck native-table` writes from CoreFirmware.VirtualNanoClr.pe.
#
# An object library of its own with the library's include paths, definitions and options: the
# nanoCLR target's own compile lines stay as they were, so adding the bridge to an existing build
# recompiles only the bridge and the files the patch touched.
add_library(corefw_hal OBJECT
    ${COREFW_HAL_DIR}/corefw_hal.cpp
    ${COREFW_HAL_GENERATED}
)
set_target_properties(corefw_hal PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_compile_features(corefw_hal PRIVATE cxx_std_20)
target_include_directories(corefw_hal PRIVATE
    ${COREFW_HAL_DIR}
    $<TARGET_PROPERTY:nanoFramework.nanoCLR,INCLUDE_DIRECTORIES>
)
target_compile_definitions(corefw_hal PRIVATE $<TARGET_PROPERTY:nanoFramework.nanoCLR,COMPILE_DEFINITIONS>)
target_compile_options(corefw_hal PRIVATE $<TARGET_PROPERTY:nanoFramework.nanoCLR,COMPILE_OPTIONS>)
target_sources(nanoFramework.nanoCLR PRIVATE $<TARGET_OBJECTS:corefw_hal>)
