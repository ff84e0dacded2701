#include "app/cli.hpp"

int main(int argc, char** argv) {
    return gw::app::RunCli(argc, argv);
}
