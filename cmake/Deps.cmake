# All third-party dependencies come from Debian bookworm packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT REQUIRED CONFIG COMPONENTS json url system)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
if(GW_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(GW_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Boost.Asio settings shared by every target that includes it.
add_library(gw_asio_defs INTERFACE)
target_compile_definitions(gw_asio_defs INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_DISABLE_BOOST_COROUTINE)
target_link_libraries(gw_asio_defs INTERFACE Boost::headers Boost::system Threads::Threads)
