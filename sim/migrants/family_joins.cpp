#include "migrants/migrants.hpp"

namespace migsim {

// Principal i's family abroad joins it, unless a border closure keeps them out this month
// (then it asks again later): agents of the status its status's family joins as (DEPENDENT
// unless the rule says otherwise), linked to it, who live where it lives, hold the status its
// family holds and leave with it (DESIGN §2), so they never act on their own. Its plan, made
// after its action, sees the family at hand.
void Migrants::join_family(std::size_t i, Tally& tally, StepDelta& delta, std::vector<NewAgent>& joined) {
  const auto dependent = rules_.family_status(store_.status[i]);
  // Family members come from abroad too, admitted as the status they join as.
  const double admitted = policy_.entry_share(dependent);
  if (admitted <= 0.0) return;
  Stream r(seed_, Purpose::family, static_cast<std::uint32_t>(now_), store_.id[i]);
  if (admitted < 1.0 && !r.bernoulli(admitted)) return;
  const auto packed = abroad(store_.family[i]);
  const auto members = family_size(packed);
  const auto origin = store_.origin[i];
  const auto municipality = store_.municipality[i];
  tally.national(kFamilyJoined, store_.status[i], store_.field[i], origin) += members;
  tally.national(kEntries, dependent, rules_.none_field(), origin) += members;
  tally.prefecture(kPrefEntries, municipalities_.prefecture_of(municipality), dependent, rules_.none_field()) +=
      members;
  tally.municipal_entries(municipality, origin) += members;
  delta.add(dependent, rules_.none_field(), municipality, origin, members);
  for (std::uint8_t k = 0; k < members; ++k) {
    const bool spouse = (packed & kSpouseBit) && k == 0;
    const auto age = spouse ? static_cast<std::uint16_t>(now_ - store_.born[i])
                            : static_cast<std::uint16_t>(
                                  r.below(static_cast<std::uint32_t>((family_.children_max_age_years + 1) * 12)));
    joined.push_back(
        {dependent, rules_.none_field(), origin, municipality, kNone32, age, 0, static_cast<std::uint32_t>(i)});
  }
  store_.family[i] = kFamilyHereBit;  // none abroad any more
  store_.linked_family[i] = members;
}

}  // namespace migsim
