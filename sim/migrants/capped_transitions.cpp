#include "migrants/migrants.hpp"

namespace migsim {

// Transitions into capped statuses, in id order, against the caps in force.
void Migrants::admit_capped_transitions(std::size_t chunk_count, CapLedger& caps, Employers& employers) {
  Tally& tally = counts_.tallies.local();
  std::vector<std::uint32_t> separations;
  for (std::size_t c = 0; c < chunk_count; ++c) {
    for (const auto& candidate : chunks_[c].capped) {
      const auto i = candidate.agent;
      const auto field = store_.field[i];
      if (caps.allows(candidate.to_status, field, counts_.live.status_field)) {
        change_status(i, candidate.to_status, tally, counts_.live, nullptr, &separations);
        caps.count_admission(dims_.status_field(store_.status[i], store_.field[i]));
        schedule(i, now_ + 1);
      } else {
        ++tally.market(kCapBlocked, municipalities_.prefecture_of(store_.municipality[i]), field);
        if (candidate.expiring) leave(i, kExit, tally, counts_.live, separations);
      }
    }
  }
  for (const auto employer : separations) employers.release(employer, tally);
}

}  // namespace migsim
