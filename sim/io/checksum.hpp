// SHA-256 of bytes, as hex: how a result names the exact table files and sweep file it came from.
#pragma once

#include <string>
#include <string_view>

namespace migsim::detail {

std::string sha256_hex(std::string_view bytes);

}  // namespace migsim::detail
