# Warning and sanitizer flags applied to every target the project builds.
if(NDBUCKET_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

function(ndbucket_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(NDBUCKET_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
