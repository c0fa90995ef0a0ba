#pragma once
// One replicate of one scenario: the people, the modules and the step order.
//
// Step order (written here once; see World::step):
//   1. demography     deaths, emigration, births (ageing is implicit: age = day - birth day)
//   2. arrivals       babies (ids in mothers' id order) and immigrants join
//   3. determinants   housing and social states, alcohol use
//   4. conditions     long-term conditions, diabetes control, frailty (3 and 4 share one
//                     pass, person by person, 3 before 4: people do not interact in them;
//                     for the people already here, 1 runs in that pass too, first, and from
//                     the same random lanes, while 2's arrivals get 3-4 in a pass of their
//                     own: the same result as running 1, 2, 3, 4 one after the other)
//   4b. enrolment     intervention programmes: endings, ongoing costs, offers and uptake
//                     within capacity (see agents/interventions)
//   5. care seeking   health events, routine GP demand, discharges when medically fit,
//                     social care and third-sector needs become requests (parallel)
//   6. allocation     per provider, deterministic: GP appointments (practices in
//                     parallel), then serially social care, A&E and emergency admissions,
//                     electives, third sector; costs
//   7. wellbeing      life satisfaction of each person (and utility, for QALYs)
//   8. metrics        stock counts at the end of the step
//   8a. commissioning the capacity plan's rules read the step's per-provider counters
//                     as demand and, at a review, set the capacities that follow
//   8b. finance       contracts paid, costs, margins, outcome payments, shared savings,
//                     stall rule (after the census: capitation and block pay on the
//                     end-of-step lists); the next step's propensities follow from it
//   9. housekeeping   once a year, the dead and departed are compacted away
#include <cstdint>
#include <memory>

#include "agents/care/care.hpp"
#include "agents/demography/demography.hpp"
#include "agents/finance/finance.hpp"
#include "agents/interventions/interventions.hpp"
#include "agents/people/people.hpp"
#include "agents/population/population.hpp"
#include "agents/states/states.hpp"
#include "model/sim/domain.hpp"
#include "model/sim/metrics.hpp"
#include "model/sim/params.hpp"
#include "model/core/rng.hpp"

namespace hscsim {

//! Everything published per provider, programme and ledger under a scenario, in the
//! order of the per-step counter vector (World::step's `provider` argument).
std::vector<ProviderGroup> published_groups(const Params& p);

class World {
 public:
  //! Builds the initial population for this replicate. `decompose`: across the MPI ranks
  //! of the job, each rank keeping and stepping its own part of the people
  //! (model/sim/domain.hpp); the tallies and provider counters every step returns are the
  //! whole population's, on every rank, the same bits as one process's.
  World(const Params& p, uint32_t replicate, bool decompose = false);

  //! Takes over the people and the running state of care from `warm`, a world of the
  //! same place and replicate that has run the shared burn-in (Clock::burn_in_steps) with
  //! the baseline's parameters. Everything else stays this world's, built from its own
  //! parameters: programmes and finance start afresh (nobody is a member of a programme,
  //! contracts start now), and the rates and normalisers are the ones this config's
  //! initial population gave. The census at the handover is the new initial_census().
  void adopt(const World& warm);
  //! As adopt(const World&), taking the people over instead of copying them (`warm` is
  //! left without people: its last reader).
  void adopt(World&& warm);

  //! Lets the people go and keeps everything this world's parameters and initial
  //! population gave (rates, normalisers, the initial census): a world waiting to adopt
  //! a warm one. Built before the warm world, it never holds a second population at the
  //! handover (at England 1:1, 4 GB).
  void shed_people() { people_ = People{}; }

  //! Advances one step and returns that step's tally (flows in the step, stocks at its
  //! end); per-provider counts go to `provider` (layout: care().layout()).
  Tally step(uint32_t s, std::vector<int64_t>& provider);
  Tally step(uint32_t s) {
    std::vector<int64_t> ignored;
    return step(s, ignored);
  }

  //! Stock counts of the living population, ages measured on `day`; per-provider stocks
  //! are added to `provider` when it is not null.
  //! Stocks at `day`. in_step: also stores each person's life satisfaction of the step
  //! (the wellbeing column, as a float); otherwise (the initial census) it is read from
  //! the column, or computed where the column is still empty.
  Tally census(int32_t day, std::vector<int64_t>* provider = nullptr, bool in_step = false);
  const CareSystem& care() const { return care_; }

  //! Throws RuntimeFailure if an invariant is broken: people conserved
  //! (alive + died + left = start + born + arrived), states consistent, values in range.
  void check_invariants() const;

  //! The people here (in a domain-decomposed run, this rank's part).
  const People& people() const { return people_; }
  const Domain& domain() const { return domain_; }
  const Streams& streams() const { return streams_; }
  //! Everything a run changes, for checkpoints (model/core/archive.hpp): read into a world
  //! built afresh from the same parameters and replicate, it continues exactly as this
  //! one would. The counterfactual (set_counterfactual) is the caller's to set again.
  void state(archive::Io& io);
  //! Outcome contracts measured against the baseline: the baseline run's record of the
  //! same replicate (kept by the caller for the whole run), and this run's own record.
  void set_counterfactual(const OutcomeTrace* baseline) { finance_.set_counterfactual(baseline); }
  OutcomeTrace take_trace() { return finance_.take_trace(); }
  const Tally& initial_census() const { return initial_; }
  int64_t alive() const { return alive_; }
  uint64_t person_steps() const { return person_steps_; }

 private:
  void take_running_state(const World& warm);  //!< adopt(), after the people
  //! Babies and immigrants join; returns how many babies joined here.
  size_t add_arrivals(uint32_t s, int32_t day, const std::vector<BirthEvent>& births);
  // The phases of step(), in order (the step order at the top of this file).
  Tally demography_and_transitions(uint32_t s, int32_t day);  //!< 1-4; returns the flows so far
  void enrol(uint32_t s, int32_t day, int32_t day_end, Tally& flows, std::vector<int64_t>& provider);  //!< 4b
  CareRequests seek_care(uint32_t s, int32_t day);  //!< 5
  void allocate_care(uint32_t s, int32_t day, CareRequests& requests, Tally& flows, std::vector<int64_t>& provider);  //!< 6

  const Params& p_;
  Streams streams_;
  Synthesiser synth_;
  StateModel states_;
  Demography demography_;
  CareSystem care_;
  Programmes programmes_;
  Finance finance_;
  WellbeingModel wellbeing_;
  People people_;
  Domain domain_;  //!< the people's split over ranks (none: one process)
  DeliveryContext delivery_;  //!< withdrawals and prevention propensities (set by finance)
  Tally initial_;
  uint64_t next_id_ = 0;
  int64_t start_ = 0, born_ = 0, arrived_ = 0, died_ = 0, left_ = 0, alive_ = 0;
  int64_t admitted_ = 0, discharged_ = 0, died_in_hospital_ = 0;
  uint64_t person_steps_ = 0;
};

}  // namespace hscsim
