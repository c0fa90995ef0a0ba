#pragma once
// Intervals over replicates: the one place the 95% interval of a mean is computed (paired
// scenario comparisons, the validation table).
#include <cstddef>

namespace hscsim {

//! The 97.5% quantile of Student's t with df degrees of freedom (NaN for df < 1).
double t975(int df);

//! Half-width of the 95% interval of a mean of n replicates whose squared deviations
//! from their mean sum to sum_sq: t975(n - 1) x sqrt(sum_sq / (n - 1) / n). NaN for n < 2.
double half_width_95(double sum_sq, size_t n);

}  // namespace hscsim
