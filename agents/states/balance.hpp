#pragma once
// Conditions in balance (DisMod-style consistency): the incidence by age that keeps a
// condition's prevalence by age where it starts, given its remission and its excess
// mortality.
//
// For a cohort in a stationary population, prevalence P moves with age a as
//   dP/da = i (1 - P) - r P - P (1 - P) (mu_with - mu_without)
// (Barendregt et al., Popul Health Metr 2003;1:4, the DisMod II equations), so
//   i = (dP/da + r P + P (1 - P) dmu) / (1 - P).
// A configured prevalence is a table of age bands; it is first made into a single-year
// curve whose average over each band is the band's value: linear inside each band, with
// the slope limited as in a monotone finite-volume reconstruction (van Leer 1979), so
// dP/da exists, the band values are kept exactly, and no peak or trough is made up.
#include <array>
#include <cstddef>
#include <vector>

#include "model/core/config/reader.hpp"

namespace hscsim::balance {

//! A value for each whole year of age 0..AgeTable::kMaxAge.
using Curve = std::array<double, config::AgeTable::kMaxAge + 1>;

//! Column `column` of `t` as a single-year curve: each band's average over its whole
//! years equals the band's value, the last (open) band is flat at its value, values stay
//! within [0, 1] for a table of shares, and a band of zeros next to a band of zeros
//! stays zero. A one-row table is the same value at every age.
Curve smooth_band_values(const config::AgeTable& t, size_t column);

//! The incidence [per person-year at risk] by single year of age that holds `prevalence`
//! [fraction] in a stationary cohort with remission `remission` [per person-year with the
//! condition] and excess mortality `excess_mortality` [per person-year: hazard with the
//! condition minus hazard without]. No onset where the prevalence is 0; the first year
//! after such ages takes the whole step. Where the prevalence falls with age faster than
//! remission and excess deaths explain, the incidence is 0 (counted in `shortfall`, the
//! ages where that happens).
Curve incidence(const Curve& prevalence, double remission, const Curve& excess_mortality, int* shortfall = nullptr);

//! The same for an ordinal state whose people move one level at a time (frailty):
//! the hazards of moving up from each level l = 0..L-2 [per person-year at level l] that
//! hold the shares S[l] by age (levels 0..L-1, summing to 1 at each age) of a stationary
//! cohort, given the hazards of moving down from each level `down[l]` (l >= 1; down[0]
//! unused) and each level's excess mortality `excess[l]` (its hazard minus the cohort
//! average). From the cohort equations dS_l/da = F_{l-1} - F_l - S_l e_l, the net flow
//! up across the boundary above level l is F_l = -sum_{k<=l} (dS_k/da + S_k e_k), and
//! u_l = (F_l + down[l+1] S_{l+1}) / S_l. Negative values are 0 (counted in shortfall).
std::vector<Curve> upward_rates(const std::vector<Curve>& shares, const std::vector<double>& down,
                                const std::vector<Curve>& excess, int* shortfall = nullptr);

}  // namespace hscsim::balance
