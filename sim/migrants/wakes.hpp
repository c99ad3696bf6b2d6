// Which agents act this month: a scan of every agent's next wake.
#pragma once

#include <cstddef>
#include <cstdint>

namespace migsim {

// The instructions the scan uses: the best the processor has, or one forced (for tests).
enum class WakeScan { best, portable, sse2, avx512 };

// Whether this processor (and its operating system) runs the AVX-512 scan.
bool avx512_scan_available();

// Writes to `due` the agents i in [begin, end) with next_wake[i] <= today, in order, and returns
// how many there are. `due` has room for end - begin agents (the scan may write past the count,
// never past that); today is below the largest int16_t.
std::size_t gather_due(const std::int16_t* next_wake, std::size_t begin, std::size_t end, std::int16_t today,
                       std::uint32_t* due, WakeScan scan = WakeScan::best);

}  // namespace migsim
