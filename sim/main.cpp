// The migsim executable: everything lives in the library; this only hands over the arguments.
#include "migsim/cli.hpp"

int main(int argc, char** argv) { return migsim::run_cli(argc, argv); }
