# Warnings are errors in our own code: a dosing engine must compile clean. Missing-field
# initializers are allowed: designated initializers with member defaults are the intended idiom.
function(kit_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion
                                           -Wno-missing-field-initializers -Werror)
endfunction()
