// The order in which requests are served, shared by every provider.
#include "agents/care/allocation.hpp"

namespace hscsim {

// Total order for requests: tier, then oldest wait, then the random key, then slot.
bool before(const Request& a, const Request& b) {
  if (a.tier != b.tier) return a.tier < b.tier;
  if (a.since != b.since) return a.since < b.since;
  if (a.key != b.key) return a.key < b.key;
  if (a.slot != b.slot) return a.slot < b.slot;
  return a.what < b.what;
}

// Requests grouped by provider (a counting pass). The order within a group is the
// arrival order, which depends on threads: callers put it in the total order above
// (or select from it by that order) before anything depends on order.
std::vector<std::vector<Request>> by_provider(const std::vector<Request>& all, size_t providers) {
  std::vector<size_t> count(providers, 0);
  for (const auto& r : all) ++count[r.provider];
  std::vector<std::vector<Request>> out(providers);
  for (size_t p = 0; p < providers; ++p) out[p].reserve(count[p]);
  for (const auto& r : all) out[r.provider].push_back(r);
  return out;
}

// Moves the `n` first requests in the total order to the front and returns n. Who is
// served depends only on that order; what happens to them does not depend on the order
// they are handled in. Both parts keep their arrival order (close to slot order: care
// seeking emits requests chunk by chunk), so handling them reads the people's columns
// nearly sequentially rather than at random. When everyone fits, nothing is moved.
size_t select_served(std::vector<Request>& reqs, int64_t capacity) {
  const auto n = static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(capacity, static_cast<int64_t>(reqs.size()))));
  if (n == reqs.size() || n == 0) return n;
  // The n-th request in the total order. Requests before it are served; of those equal
  // to it (the same request twice, e.g. two referrals from one person's two appointments)
  // as many as fit.
  std::vector<Request> out(reqs);
  std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n - 1), out.end(), before);
  const Request last = out[n - 1];
  std::vector<uint8_t> served(reqs.size(), 0);
  size_t k = 0;
  for (size_t j = 0; j < reqs.size(); ++j)
    if (before(reqs[j], last)) {
      served[j] = 1;
      ++k;
    }
  for (size_t j = 0; j < reqs.size() && k < n; ++j)
    if (!served[j] && !before(last, reqs[j])) {
      served[j] = 1;
      ++k;
    }
  k = 0;
  for (size_t j = 0; j < reqs.size(); ++j)
    if (served[j]) out[k++] = reqs[j];
  for (size_t j = 0; j < reqs.size(); ++j)
    if (!served[j]) out[k++] = reqs[j];
  reqs.swap(out);
  return n;
}

}  // namespace hscsim
