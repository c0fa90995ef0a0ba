#include "model/sim/domain.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <type_traits>

#include "model/core/comm.hpp"

namespace hscsim {
namespace {
template <typename T>
void put(std::vector<uint8_t>& out, const T& x) {
  static_assert(std::is_trivially_copyable_v<T>);
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &x, sizeof(T));
}
template <typename T>
T take(const uint8_t*& in) {
  T x;
  std::memcpy(&x, in, sizeof(T));
  in += sizeof(T);
  return x;
}
static_assert(std::is_trivially_copyable_v<Tally> && sizeof(Tally) % sizeof(int64_t) == 0,
              "Domain::sum(Tally&) sums a tally as int64 counts");
static_assert(std::is_trivially_copyable_v<Request>);

// The request lists the shared providers read, in CareRequests.
constexpr size_t kLists = 5;
std::array<std::vector<Request>*, kLists> shared_lists(CareRequests& r) {
  return {&r.ae, &r.elective, &r.social, &r.third, &r.intermediate};
}
std::array<const std::vector<Request>*, kLists> shared_lists(const CareRequests& r) {
  return {&r.ae, &r.elective, &r.social, &r.third, &r.intermediate};
}
}  // namespace

Domain Domain::split(const std::vector<int64_t>& patients, int ranks, int rank) {
  Domain d;
  d.ranks_ = ranks;
  d.rank_ = rank;
  if (ranks <= 1) return d;
  int64_t total = 0;
  for (int64_t c : patients) total += c;
  // Practice pr goes to the rank whose share of the patients holds the middle of its list
  // (patients counted in practice order): contiguous blocks, balanced to within a practice.
  d.practice_here_.assign(patients.size(), 0);
  int64_t before = 0;
  for (size_t pr = 0; pr < patients.size(); ++pr) {
    const int64_t mid2 = 2 * before + patients[pr];  // twice the middle
    const auto owner = static_cast<int>(std::min<int64_t>(ranks - 1, total > 0 ? mid2 * ranks / (2 * total) : 0));
    d.practice_here_[pr] = owner == rank;
    before += patients[pr];
  }
  return d;
}

void Domain::sum(int64_t* values, size_t n) const {
  if (split()) comm::sum_in_place(values, n);
}

std::vector<std::vector<uint8_t>> Domain::all_gather(const std::vector<uint8_t>& mine) const {
  return split() ? comm::all_gather(mine) : std::vector<std::vector<uint8_t>>{mine};
}

void Domain::sum(Tally& t) const { sum(reinterpret_cast<int64_t*>(&t), sizeof(Tally) / sizeof(int64_t)); }

Domain::Ghosts Domain::gather(const People& people, const CareRequests& r) const {
  // This rank's rows: everyone with a request for a shared provider, in slot (= id) order.
  std::vector<uint32_t> rows;
  for (const auto* list : shared_lists(r))
    for (const Request& q : *list) rows.push_back(q.slot);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  // Each rank's bytes: n, the rows' ids, the rows (every column), then each list's requests.
  std::vector<uint8_t> out;
  put<uint64_t>(out, rows.size());
  for (uint32_t slot : rows) put<uint64_t>(out, people.id[slot]);
  people.pack_rows(rows, out);
  for (const auto* list : shared_lists(r)) {
    put<uint64_t>(out, list->size());
    for (Request q : *list) {
      q.slot = static_cast<uint32_t>(std::lower_bound(rows.begin(), rows.end(), q.slot) - rows.begin());
      put(out, q);
    }
  }
  auto all = comm::all_gather(std::move(out));

  // Every rank's rows go straight to their place in id order, as one process holds them
  // (requests tied on everything else are served in slot order: the same order): the ids
  // first, then each rank's columns into their slots, its bytes freed as soon as read.
  std::vector<std::pair<uint64_t, uint32_t>> ids;  // (id, row in rank order)
  std::vector<size_t> first(all.size() + 1, 0);
  for (size_t from = 0; from < all.size(); ++from) {
    const uint8_t* in = all[from].data();
    const auto n = static_cast<size_t>(take<uint64_t>(in));
    first[from + 1] = first[from] + n;
    for (size_t j = 0; j < n; ++j) ids.emplace_back(take<uint64_t>(in), static_cast<uint32_t>(first[from] + j));
  }
  std::sort(ids.begin(), ids.end());
  std::vector<uint32_t> at(ids.size());
  for (size_t j = 0; j < ids.size(); ++j) at[ids[j].second] = static_cast<uint32_t>(j);
  ids = {};

  Ghosts g;
  g.people.resize(at.size());
  g.people.review_overdue_before = people.review_overdue_before;
  auto lists = shared_lists(g.requests);
  for (size_t from = 0; from < all.size(); ++from) {
    const uint8_t* in = all[from].data();
    const auto n = static_cast<size_t>(take<uint64_t>(in));
    in += n * sizeof(uint64_t);
    g.people.unpack_rows(in, n, at.data() + first[from]);
    for (auto* list : lists) {
      const auto m = static_cast<size_t>(take<uint64_t>(in));
      for (size_t k = 0; k < m; ++k) {
        Request q = take<Request>(in);
        q.slot = at[first[from] + q.slot];
        list->push_back(q);
      }
    }
    if (in != all[from].data() + all[from].size()) throw std::logic_error("Domain::gather: bytes left over");
    all[from] = {};
  }
  g.own_slot.assign(at.size(), kNotHere);
  for (size_t j = 0; j < rows.size(); ++j) g.own_slot[at[first[static_cast<size_t>(rank_)] + j]] = rows[j];

  // Phase 1's counts, summed over ranks.
  auto& x = g.requests;
  x.trust_bed_days = r.trust_bed_days;
  x.trust_staying = r.trust_staying;
  x.la_home_care = r.la_home_care;
  x.la_reablement = r.la_reablement;
  x.la_care_home = r.la_care_home;
  x.ic_beds = r.ic_beds;
  x.ic_home = r.ic_home;
  x.provider = r.provider;
  x.tally = r.tally;
  for (auto* v : {&x.trust_bed_days, &x.trust_staying, &x.la_home_care, &x.la_reablement, &x.la_care_home, &x.ic_beds,
                  &x.ic_home, &x.provider})
    sum(*v);
  sum(x.tally);
  return g;
}

std::vector<std::vector<Enrolment>> Domain::gather_records(const Ghosts& g, const Programmes& programmes) const {
  const size_t K = programmes.size();
  std::vector<uint8_t> out;
  for (size_t j = 0; j < g.own_slot.size(); ++j) {
    if (g.own_slot[j] == kNotHere || g.people.programmes[j] == 0) continue;
    for (size_t k = 0; k < K; ++k) {
      if (!(g.people.programmes[j] >> k & 1)) continue;
      const auto& recs = programmes.enrolments(k);
      const auto it = std::lower_bound(recs.begin(), recs.end(), g.people.id[j],
                                       [](const Enrolment& e, uint64_t id) { return e.id < id; });
      if (it == recs.end() || it->id != g.people.id[j]) continue;
      put<uint32_t>(out, static_cast<uint32_t>(k));
      put(out, *it);
    }
  }
  std::vector<std::vector<Enrolment>> records(K);
  for (const auto& bytes : all_gather(out))
    for (const uint8_t* in = bytes.data(); in < bytes.data() + bytes.size();) {
      const auto k = take<uint32_t>(in);
      records[k].push_back(take<Enrolment>(in));
    }
  for (auto& r : records) std::sort(r.begin(), r.end(), [](const Enrolment& a, const Enrolment& b) { return a.id < b.id; });
  return records;
}

void Domain::scatter(People& people, const Ghosts& g) {
  for (size_t j = 0; j < g.own_slot.size(); ++j)
    if (g.own_slot[j] != kNotHere) people.copy_row(g.own_slot[j], g.people, j);
}

std::vector<uint64_t> Domain::baby_ids(const std::vector<uint64_t>& mothers, uint64_t first, uint64_t& total) const {
  std::vector<uint64_t> all_mothers = mothers;
  if (split()) {
    std::vector<uint8_t> out(mothers.size() * sizeof(uint64_t));
    if (!mothers.empty()) std::memcpy(out.data(), mothers.data(), out.size());
    all_mothers.clear();
    for (const auto& bytes : comm::all_gather(out)) {
      const size_t n = bytes.size() / sizeof(uint64_t);
      const size_t at = all_mothers.size();
      all_mothers.resize(at + n);
      if (n) std::memcpy(all_mothers.data() + at, bytes.data(), n * sizeof(uint64_t));
    }
    std::sort(all_mothers.begin(), all_mothers.end());
  }
  total = all_mothers.size();
  std::vector<uint64_t> ids(mothers.size());
  for (size_t k = 0; k < mothers.size(); ++k) {
    // A mother's babies are together here and in the whole list: the k-th baby is the
    // (k - her first)-th of hers.
    const size_t her_first_here = static_cast<size_t>(std::lower_bound(mothers.begin(), mothers.end(), mothers[k]) - mothers.begin());
    const size_t her_first = static_cast<size_t>(std::lower_bound(all_mothers.begin(), all_mothers.end(), mothers[k]) - all_mothers.begin());
    ids[k] = first + her_first + (k - her_first_here);
  }
  return ids;
}

}  // namespace hscsim
