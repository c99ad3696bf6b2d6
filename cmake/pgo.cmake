# Profile-guided optimisation (GCC). The core library is built twice: first with counters, in a
# build tree of its own (pgo-training/, the same project with MIGSIM_PGO_TRAINING), whose migsim
# runs Japan at one agent per ten persons on one thread (a few seconds); then the core of this
# build, with the counts that run wrote (-fprofile-use). The code and the arithmetic are the same,
# so is the output: the profile only tells the compiler which branches are taken and where the
# time goes (what to inline, lay out first, unroll). About 5 % off a national run
# (bench/RESULTS.md).
#
# GCC names a function's counts after the object's path as given to the compiler, relative to the
# build tree (CMakeFiles/migsim_core.dir/<source>.o): the training tree's objects have the same
# paths as this one's, and their counts (<source>.gcda, written next to them) are copied next to
# this tree's objects, where -fprofile-use reads them.

# In the training tree: the core and the program with counters.
function(migsim_instrument_for_training core program)
  # The training run is on one thread: plain counters (atomic ones take three times as long).
  target_compile_options(${core} PRIVATE -fprofile-generate -fprofile-update=single)
  target_link_options(${program} PRIVATE -fprofile-generate)
endfunction()

# In this tree: trains, then compiles `core` with the profile. SOURCES: the core's sources (those
# in the source tree have their counts copied); TRAINING_RUN: the arguments of `migsim` for the run.
function(migsim_enable_pgo core)
  cmake_parse_arguments(PGO "" "" "SOURCES;TRAINING_RUN" ${ARGN})
  set(training_tree "${CMAKE_BINARY_DIR}/pgo-training")
  cmake_host_system_information(RESULT cores QUERY NUMBER_OF_LOGICAL_CORES)
  set(quiet "")
  if(CMAKE_GENERATOR MATCHES "Makefiles")
    set(quiet -- --no-print-directory)
  endif()
  set(stamp "${training_tree}/profile.stamp")
  set(counts "")
  set(copies "")
  set(compiled "")
  foreach(source IN LISTS PGO_SOURCES)
    # A generated source (version.cpp) is generated in each tree, at a path of its own, so its
    # counts would not match: it is compiled without (it holds no loops).
    if(IS_ABSOLUTE "${source}")
      continue()
    endif()
    set(object "CMakeFiles/${core}.dir/${source}")
    list(APPEND counts "${training_tree}/${object}.gcda")
    list(APPEND copies COMMAND "${CMAKE_COMMAND}" -E copy "${training_tree}/${object}.gcda"
         "${CMAKE_CURRENT_BINARY_DIR}/${object}.gcda")
    list(APPEND compiled "${CMAKE_CURRENT_SOURCE_DIR}/${source}")
  endforeach()
  # What the training build compiles: the sources and every header of the project.
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/include/*.hpp"
       "${CMAKE_CURRENT_SOURCE_DIR}/sim/*.hpp")
  add_custom_command(
    OUTPUT "${stamp}"
    COMMAND "${CMAKE_COMMAND}" -S "${CMAKE_CURRENT_SOURCE_DIR}" -B "${training_tree}" -G "${CMAKE_GENERATOR}"
            "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}" "-DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}"
            "-DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}" "-DCMAKE_CXX_FLAGS=${CMAKE_CXX_FLAGS}"
            -DMIGSIM_PGO=OFF -DMIGSIM_PGO_TRAINING=ON -DMIGSIM_BUILD_TESTS=OFF -DMIGSIM_BUILD_BENCH=OFF
            "-DMIGSIM_WARNINGS_AS_ERRORS=${MIGSIM_WARNINGS_AS_ERRORS}"
    # A make run by a custom command cannot share the outer make's jobs: given its own.
    COMMAND "${CMAKE_COMMAND}" -E env --unset=MAKEFLAGS --unset=MFLAGS
            "${CMAKE_COMMAND}" --build "${training_tree}" --target migsim --parallel ${cores} ${quiet}
    # Counts of an earlier run would be added to (or clash with a rebuilt program's).
    COMMAND "${CMAKE_COMMAND}" -E rm -f ${counts}
    COMMAND "${training_tree}/migsim" run ${PGO_TRAINING_RUN} -q -o "${training_tree}/training.h5"
    # A count missing (objects laid out other than assumed) fails here, not silently in speed.
    ${copies}
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${compiled} ${headers} "${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.txt"
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    COMMENT "Profile-guided optimisation: building with counters and running the training scenario"
    VERBATIM)
  add_custom_target(migsim_profile DEPENDS "${stamp}")
  add_dependencies(${core} migsim_profile)
  # -fprofile-partial-training: code the training run did not reach (other policies, errors) is
  # optimised as without a profile, not for size. GCC then notes each such function
  # (-Wmissing-profile); the copies above already fail if a count is missing.
  target_compile_options(${core} PRIVATE -fprofile-use -fprofile-partial-training -Wno-missing-profile)
  set_source_files_properties(${compiled} TARGET_DIRECTORY ${core} PROPERTIES OBJECT_DEPENDS "${stamp}")
endfunction()
