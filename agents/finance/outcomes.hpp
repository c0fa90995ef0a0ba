#pragma once
// What outcome contracts measure, person by person, and the record a run keeps of it so
// that another run (a scenario) can compare its members with the same people under the
// baseline (common random numbers make that a paired counterfactual).
//
// Measures (OutcomeMeasure):
//   state_ended        a binary state ending (e.g. diabetes_uncontrolled), not by death
//   admissions_avoided emergency admissions (fewer is better)
//   bed_days_avoided   days in hospital, counted at each step's end (a stay that starts
//                      and ends within one step counts no days; fewer is better)
//   wellbeing_gain     life satisfaction points x years, read at each year end
// A trace holds, for every person of the run, the events of each measure a contract
// asks for (id, day, amount), and the life satisfaction of everyone at each year end.
#include <cstdint>
#include <string_view>
#include <vector>

#include "agents/people/people.hpp"

namespace hscsim {

enum class OutcomeMeasure : uint8_t { StateEnded, Admissions, BedDays, Wellbeing, Count };
inline constexpr std::string_view kOutcomeMeasureNames[] = {"state_ended", "admissions_avoided", "bed_days_avoided",
                                                             "wellbeing_gain"};
//! Whether less of the measure is the outcome paid for (admissions, bed days).
inline bool avoided(OutcomeMeasure m) { return m == OutcomeMeasure::Admissions || m == OutcomeMeasure::BedDays; }

enum class Counterfactual : uint8_t { None, BaselineRun, Historical, Count };
inline constexpr std::string_view kCounterfactualNames[] = {"none", "baseline_run", "historical"};

//! One measure a trace records: the kind, and the state for state_ended.
struct TracedMeasure {
  OutcomeMeasure measure = OutcomeMeasure::StateEnded;
  int state = -1;
  bool operator==(const TracedMeasure&) const = default;
};

struct OutcomeEvent {
  uint64_t id;
  int32_t day;
  int32_t amount;
  bool operator<(const OutcomeEvent& o) const { return id != o.id ? id < o.id : day < o.day; }
};

//! Everyone's outcome events in one run (one replicate of one scenario).
class OutcomeTrace {
 public:
  explicit OutcomeTrace(std::vector<TracedMeasure> measures = {}) : measures_(std::move(measures)), events_(measures_.size()),
                                                                     fresh_(measures_.size()), with_state_(measures_.size()) {}
  bool empty() const { return measures_.empty(); }
  const std::vector<TracedMeasure>& measures() const { return measures_; }
  //! Index of measure m in this trace (its events), or -1.
  int slot(const TracedMeasure& m) const;

  //! Records the step [day, day_end): state endings (against the last step), bed days
  //! of people in hospital at its end, the emergency admissions in `admissions` (id,
  //! day); at a year end (`year_end`), everyone's life satisfaction too.
  void record(const People& people, int32_t day, int32_t day_end, const std::vector<std::pair<uint64_t, int32_t>>& admissions,
              bool year_end);
  //! Sorts the events recorded since the last call into the searchable record.
  void index();

  //! Sum of measure slot k's events of person `id` on days [from, to) (indexed events only).
  int64_t sum(int k, uint64_t id, int32_t from, int32_t to) const;
  //! Life satisfaction of `id` at the year end on day `day` (NaN if not living then).
  double wellbeing(uint64_t id, int32_t day) const;
  //! Everything recorded (checkpoints, model/core/archive.hpp).
  template <typename Io>
  void state(Io& io) {
    io(measures_, events_, fresh_, with_state_, wellbeing_);
  }

 private:
  std::vector<TracedMeasure> measures_;
  std::vector<std::vector<OutcomeEvent>> events_, fresh_;  //!< per slot: sorted (id, day); not yet sorted
  std::vector<std::vector<uint64_t>> with_state_;          //!< per slot (state_ended): ids with the state at the last step
  struct Snapshot {
    int32_t day;
    std::vector<std::pair<uint64_t, float>> values;  //!< sorted by id
    template <typename Io>
    void state(Io& io) {
      io(day, values);
    }
  };
  std::vector<Snapshot> wellbeing_;
};

}  // namespace hscsim
