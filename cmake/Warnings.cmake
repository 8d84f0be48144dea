# Warnings are errors in our own code: a dosing engine must compile clean. Missing-field
# initializers are allowed: designated initializers with member defaults are the intended idiom.
# maybe-uninitialized is off: GCC 12 reports false positives inside std::variant/std::optional at -O3
# (GCC bug 105562 and relatives); uninitialised reads are caught by the sanitizer run instead.
function(kit_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion
                                           -Wno-missing-field-initializers -Werror)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()
