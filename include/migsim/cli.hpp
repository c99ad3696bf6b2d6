#pragma once

namespace migsim {
// The whole command line of `migsim`; returns the exit status.
int run_cli(int argc, char** argv);
}  // namespace migsim
