#pragma once
// Domain decomposition: one replicate's people split over the MPI ranks of a job
// (`hscsim run --decompose`), each rank holding and stepping its own part, with results
// bit-identical to one process for any number of ranks.
//
// The split is by GP practice: practices go to ranks in contiguous blocks of their index
// (practices are numbered neighbourhood by neighbourhood, so a block is a run of
// neighbourhoods and their practices), balanced by their patients at the start. A person
// lives on the rank of their practice for life (nobody changes practice; babies take
// their mother's), so every step's person-by-person passes (demography, states, care
// seeking, the census) and the GP appointments are local.
//
// What crosses ranks, each step:
//  - the initial population: every rank draws each person's practice from their id (a
//    cheap pass over all ids) and builds only its own people; the normalisers and shares
//    computed over the whole population (agents/people/risk.hpp, the elective list) sum
//    integers over ranks, or gather the runs of equal values an exact scan needs, through
//    People::parts;
//  - counts: deaths and emigrants (for the immigrants, drawn from the whole population),
//    the step's tally and per-provider counters, the normalisers at the end of a shared
//    burn-in: integer sums (MPI_Allreduce), exact whatever the order of the ranks;
//  - births: the mothers' ids, so that babies take ids in mothers' id order as in one
//    process; immigrants are drawn identically on every rank and kept by their practice's;
//  - the shared providers (acute trusts, councils, intermediate care, the third sector):
//    the rows of the people who ask them for something (and their requests) are gathered
//    to every rank in id order (ghost rows), every rank runs the same serial allocation
//    on them (so these providers' state stays identical everywhere), and each copies its
//    own people's rows back. Their counts are kept once (rank 0's) in the step's sums.
//    The programmes' effects on those decisions read the gathered people's enrolment
//    records (gather_records);
//  - intervention programmes (agents/interventions, through People::parts): a risk
//    register's percentile over every rank (an exact radix select), and each step's
//    offers in the order of every rank's candidates together (rounds of candidates, each
//    decided once no rank could still put one ahead of it); members' records stay with
//    their rank, and fixed costs are counted once;
//  - outcome payments (agents/finance, through People::parts): members' outcomes counted
//    over every rank, their gains against the baseline run summed in id order (gathered),
//    an alliance's wellbeing gain from exact fixed-point sums. Each rank's record of its
//    people's outcomes (the baseline run's too) stays with it: every scenario splits the
//    people alike (a shared burn-in's split, or the same population's).
#include <cstdint>
#include <string>
#include <vector>

#include "agents/care/care.hpp"
#include "agents/interventions/interventions.hpp"
#include "agents/people/counters.hpp"
#include "agents/people/people.hpp"

namespace hscsim {

class Domain final : public PopulationParts {
 public:
  //! One process: everything is here; sums do nothing.
  Domain() = default;
  //! The split over `ranks` ranks, seen from `rank`, of a population whose practices have
  //! `patients` each (Synthesiser::practice_counts).
  static Domain split(const std::vector<int64_t>& patients, int ranks, int rank);

  bool split() const { return ranks_ > 1; }
  int rank() const { return rank_; }
  //! Whether practice `pr` (and so its patients) is on this rank.
  bool here(size_t pr) const { return !split() || practice_here_[pr] != 0; }
  //! Per practice, 1 where it is here (for CareSystem::set_practices_here); empty when not split.
  const std::vector<uint8_t>& practices_here() const { return practice_here_; }
  //! Sums over ranks, in place (nothing without a split).
  void sum(int64_t* values, size_t n) const;
  void sum(std::vector<int64_t>& v) const override { sum(v.data(), v.size()); }
  void sum(Tally& t) const;
  std::vector<std::vector<uint8_t>> all_gather(const std::vector<uint8_t>& mine) const override;
  bool counts_shared() const override { return rank_ == 0; }
  uint32_t index() const override { return static_cast<uint32_t>(rank_); }

  //! Every rank's rows and requests for the shared providers (see the top of this file).
  struct Ghosts {
    People people;                   //!< the rows, in id order
    CareRequests requests;           //!< every rank's requests (slots into people), phase 1's counts summed
    std::vector<uint32_t> own_slot;  //!< per row: its slot on this rank, or kNotHere
  };
  static constexpr uint32_t kNotHere = UINT32_MAX;
  Ghosts gather(const People& people, const CareRequests& r) const;
  //! The enrolment records (per programme, sorted by id) of the ghost rows that have a
  //! programme's effects on, from every rank: what the programmes' effects on the shared
  //! providers' decisions read (Modifiers::over).
  std::vector<std::vector<Enrolment>> gather_records(const Ghosts& g, const Programmes& programmes) const;
  //! Copies this rank's rows back from the ghosts.
  static void scatter(People& people, const Ghosts& g);

  //! Ids for this rank's babies: given their mothers' ids (ascending; a mother's babies
  //! together), the ids each takes counting from `first`, as one process would give
  //! them (in mothers' id order over every rank); `total` is every rank's babies.
  std::vector<uint64_t> baby_ids(const std::vector<uint64_t>& mothers, uint64_t first, uint64_t& total) const;

 private:
  int ranks_ = 1, rank_ = 0;
  std::vector<uint8_t> practice_here_;
};

}  // namespace hscsim
