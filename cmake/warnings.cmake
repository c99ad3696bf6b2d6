# Strict warnings on the project's own targets (not on dependencies' headers).
function(migsim_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    $<$<BOOL:${MIGSIM_WARNINGS_AS_ERRORS}>:-Werror>)
endfunction()
