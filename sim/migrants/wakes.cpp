// The due-agent scan. A few agents in a hundred are due in a month, so the scan is mostly
// comparisons, and picking out the few is where a loop over set bits mispredicts. With AVX-512
// (where the processor has it, found at run time: the build targets every x86-64) 32 agents are
// compared at once and their indices compressed into the list without a branch; otherwise 16 at
// once with SSE2 (part of every x86-64), one bit each.
#include "migrants/wakes.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace migsim {

namespace {

std::size_t scan_portable(const std::int16_t* wake, std::size_t i, std::size_t end, std::int16_t today,
                          std::uint32_t* due, std::size_t count) {
  for (; i < end; ++i)
    if (wake[i] <= today) due[count++] = static_cast<std::uint32_t>(i);
  return count;
}

#if defined(__x86_64__)
std::size_t scan_sse2(const std::int16_t* wake, std::size_t begin, std::size_t end, std::int16_t today,
                      std::uint32_t* due) {
  std::size_t count = 0, i = begin;
  const __m128i limit = _mm_set1_epi16(static_cast<short>(today + 1));
  for (; i + 16 <= end; i += 16) {
    const __m128i low = _mm_cmplt_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wake + i)), limit);
    const __m128i high = _mm_cmplt_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wake + i + 8)), limit);
    // The 16-bit lanes packed to bytes, so the mask has one bit per agent.
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(low, high))); mask != 0; mask &= mask - 1)
      due[count++] = static_cast<std::uint32_t>(i + static_cast<std::size_t>(__builtin_ctz(mask)));
  }
  return scan_portable(wake, i, end, today, due, count);
}

[[gnu::target("avx512f,avx512bw")]] std::size_t scan_avx512(const std::int16_t* wake, std::size_t begin,
                                                            std::size_t end, std::int16_t today, std::uint32_t* due) {
  std::size_t count = 0, i = begin;
  const __m512i limit = _mm512_set1_epi16(static_cast<short>(today + 1));
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i sixteen = _mm512_set1_epi32(16);
  for (; i + 32 <= end; i += 32) {
    const __mmask32 mask = _mm512_cmplt_epi16_mask(_mm512_loadu_si512(wake + i), limit);
    const auto low = static_cast<__mmask16>(mask), high = static_cast<__mmask16>(mask >> 16);
    const __m512i first = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(i)), lanes);
    // Compressed in a register and stored whole (a compressing store to memory is slow on some
    // processors); what lies past the count is overwritten next or never read.
    _mm512_storeu_si512(due + count, _mm512_maskz_compress_epi32(low, first));
    count += static_cast<std::size_t>(__builtin_popcount(low));
    _mm512_storeu_si512(due + count, _mm512_maskz_compress_epi32(high, _mm512_add_epi32(first, sixteen)));
    count += static_cast<std::size_t>(__builtin_popcount(high));
  }
  return scan_portable(wake, i, end, today, due, count);
}
#endif

}  // namespace

bool avx512_scan_available() {
#if defined(__x86_64__)
  static const bool available = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  return available;
#else
  return false;
#endif
}

std::size_t gather_due(const std::int16_t* next_wake, std::size_t begin, std::size_t end, std::int16_t today,
                       std::uint32_t* due, WakeScan scan) {
  if (scan == WakeScan::best) scan = avx512_scan_available() ? WakeScan::avx512 : WakeScan::sse2;
#if defined(__x86_64__)
  if (scan == WakeScan::avx512 && avx512_scan_available()) return scan_avx512(next_wake, begin, end, today, due);
  if (scan == WakeScan::sse2 || scan == WakeScan::avx512) return scan_sse2(next_wake, begin, end, today, due);
#endif
  return scan_portable(next_wake, begin, end, today, due, 0);
}

}  // namespace migsim
