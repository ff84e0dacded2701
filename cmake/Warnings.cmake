set(GW_WARNING_FLAGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wold-style-cast -Wimplicit-fallthrough -Wformat=2)
if(GW_WARNINGS_AS_ERRORS)
  list(APPEND GW_WARNING_FLAGS -Werror)
endif()
