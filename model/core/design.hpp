#pragma once
// Experimental designs and sensitivity estimators: the mathematics of `hscsim
// sensitivity` and of parameter uncertainty (`uncertainty:`), free of the model so the
// tests can check it on functions whose answers are known (Ishigami).
//
// Every design is a pure function of its arguments and a seed (Philox, Purpose::Design):
// the same seed gives the same points on any machine, thread or rank count.
//
// - Sobol' sequence (Joe & Kuo 2008 direction numbers, new-joe-kuo-6.21201), shifted by a
//   random digital shift keyed by the seed (so the first point is not the origin and two
//   seeds give two equally well spread designs).
// - Latin hypercube: each dimension's n strata, one point in each, in an order keyed by
//   the seed.
// - Morris (1991) elementary effects on a p-level grid with step p / (2 (p - 1)),
//   trajectories of k + 1 points moving one factor at a time in a random order; mu* (mean
//   absolute effect, Campolongo et al. 2007) and sigma, with bootstrap intervals.
// - Sobol' indices by Saltelli sampling (Saltelli et al. 2010): matrices A and B (the
//   first and second k dimensions of one Sobol' design) and A with column i from B;
//   first-order indices by Saltelli 2010's estimator (outputs centred on their mean),
//   total-order by Jansen's (1999),
//   with bootstrap intervals over the N base rows.
#include <cstdint>
#include <string>
#include <vector>

namespace hscsim::design {

using Matrix = std::vector<std::vector<double>>;  //!< [point][dimension], values in (0, 1)

//! Dimensions the Sobol' sequence has direction numbers for.
int sobol_max_dimensions();
//! n points of a `dims`-dimensional Sobol' sequence in (0, 1), digitally shifted by the
//! seed. Throws std::invalid_argument beyond sobol_max_dimensions().
Matrix sobol(size_t n, size_t dims, uint32_t seed);
//! n points of a `dims`-dimensional Latin hypercube in (0, 1), keyed by the seed.
Matrix latin_hypercube(size_t n, size_t dims, uint32_t seed);

//! A Morris design: trajectories x (k + 1) points in [0, 1]^k on a `levels`-level grid.
struct MorrisDesign {
  size_t factors = 0, trajectories = 0;
  int levels = 4;
  double delta = 0;      //!< grid step of an elementary effect: levels / (2 (levels - 1))
  Matrix points;         //!< [trajectory * (k + 1) + j]
  std::vector<int> moved;       //!< [trajectory * k + j]: the factor moved between points j and j + 1
  std::vector<double> step;     //!< [trajectory * k + j]: +delta or -delta
};
MorrisDesign morris_design(size_t factors, size_t trajectories, int levels, uint32_t seed);

struct Interval {
  double value = 0, lower = 0, upper = 0;  //!< estimate and its 95% bootstrap interval
};
struct MorrisIndices {
  std::vector<Interval> mu_star;  //!< [factor]: mean |elementary effect|, in output units per unit range
  std::vector<double> mu, sigma;  //!< [factor]: mean and standard deviation of the effects
};
//! The indices from the outputs y at the design's points (y.size() == points.size()).
//! Effects are per unit of the [0, 1] range: multiply by nothing to get "output change
//! over the factor's whole range".
MorrisIndices morris_indices(const MorrisDesign& d, const std::vector<double>& y, uint32_t seed, int resamples = 1000);

//! Saltelli's design: N base rows; points [A (N rows), B (N rows), AB_1, ..., AB_k].
struct SaltelliDesign {
  size_t factors = 0, base = 0;
  Matrix points;  //!< N (k + 2) rows
};
SaltelliDesign saltelli_design(size_t factors, size_t base, uint32_t seed);

struct SobolIndices {
  std::vector<Interval> first, total;  //!< [factor]
  double variance = 0;                 //!< of the output over A and B
};
SobolIndices sobol_indices(const SaltelliDesign& d, const std::vector<double>& y, uint32_t seed, int resamples = 1000);

//! The Ishigami function on [-pi, pi]^3 (a = 7, b = 0.1 by default) and its exact
//! indices (Sobol' & Levitan 1999), for the tests of the estimators.
double ishigami(double x1, double x2, double x3, double a = 7, double b = 0.1);
struct IshigamiExact {
  double variance;
  double first[3], total[3];
};
IshigamiExact ishigami_exact(double a = 7, double b = 0.1);

}  // namespace hscsim::design
