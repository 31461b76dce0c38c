# Layers point one way (docs: ../DESIGN.md): a library sees the headers of the
# libraries it links, and nothing else of the tree. There is no include path
# to the repository root; instead each library gets its own folder under
# build/include/<target>/ holding symbolic links to just the folders (or
# files) it exposes, at their repository paths. So "agent/model/span.h" is
# found by a target that links zt_model, and a wrong include
# ("agent/connection/..." from the exporter) fails to compile.
#
# zt_expose(<target> <PUBLIC|INTERFACE> <repository path>...)
function(zt_expose target visibility)
  set(root ${CMAKE_BINARY_DIR}/include/${target})
  foreach(path ${ARGN})
    get_filename_component(parent ${root}/${path} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${path} ${root}/${path} SYMBOLIC)
  endforeach()
  target_include_directories(${target} ${visibility} ${root})
endfunction()
