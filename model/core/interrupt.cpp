#include "model/core/interrupt.hpp"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include <fmt/format.h>

namespace hscsim {

Interrupted::Interrupted(int signal)
    : Error(fmt::format("interrupted by {}", interrupt::name(signal))), signal_(signal) {}

namespace interrupt {
namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_received{0};  // signals received (adopt does not count)
std::atomic<bool> g_immediate{false};

constexpr int kSlots = 8;
constexpr size_t kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];

void write_err(const char* s) {
  ssize_t ignored = ::write(STDERR_FILENO, s, std::strlen(s));
  (void)ignored;
}

void handler(int sig) {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, sig);
  if (g_received.fetch_add(1) == 0 && !g_immediate.load()) {
    write_err("\nhscsim: signal received; stopping after the current step (send it again to stop at once)\n");
    return;
  }
  for (int k = 0; k < kSlots; ++k)
    if (g_used[k].load()) ::unlink(g_paths[k]);
  write_err("\nhscsim: second signal: stopped at once; temporary files removed, nothing written\n");
  ::_exit(128 + sig);
}

}  // namespace

void stop_at_once(bool yes) { g_immediate.store(yes); }

void install() {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls return and the flag is seen
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) sigaction(s, &sa, nullptr);
}

int pending() { return g_signal.load(std::memory_order_relaxed); }

void check() {
  if (int s = pending()) throw Interrupted(s);
}

std::string name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    default: return fmt::format("signal {}", signal);
  }
}

int register_temp_file(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (int k = 0; k < kSlots; ++k) {
    if (g_used[k].load()) continue;
    std::memcpy(g_paths[k], path.c_str(), path.size() + 1);
    g_used[k].store(true);
    return k;
  }
  return -1;
}

void unregister_temp_file(int slot) {
  if (slot >= 0 && slot < kSlots) g_used[slot].store(false);
}

void adopt(int signal) {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, signal);
}

void simulate(int signal) {
  g_signal.store(signal);
  g_received.store(signal != 0 ? 1 : 0);
}

}  // namespace interrupt
}  // namespace hscsim
