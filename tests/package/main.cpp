#include <cstdio>
#include "model/core/build_info.hpp"
#include "model/sim/experiment.hpp"
int main() { std::printf("linked against hscsim %s\n", hscsim::build_info::version()); }
