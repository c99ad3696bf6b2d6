#pragma once

namespace migsim {
// The program version, set by CMake from the project version.
const char* version();
}  // namespace migsim
