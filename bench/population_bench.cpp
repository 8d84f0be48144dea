// kit_population_bench: the benchmark workload (bench/workload.h) through run_population.
//   kit_population_bench --n N [--seed S] [--threads T] [--repeat R] [--per-patient FILE]
// Prints one JSON object: {"n", "seed", "seconds", "us_per_patient", "threads", "repeat",
// "curve_method", "cmax_p50_mg_per_l", "auc_p50_mg_min_per_l"}; seconds is the fastest of R runs
// of the whole run_population call (drawing patients, simulation, percentiles). With
// --per-patient, writes index,CL,V1,Q2,V2,Q3,V3,cmax_mg_per_l,auc_mg_min_per_l (L, L/min, mg/L,
// mg*min/L; %.17g) for every patient, from one extra run with keep_patients (not timed, so the
// timed runs do the same work as any large run).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <string>
#include <thread>

#include "bench/workload.h"
#include "core/pk/population.h"

namespace {

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\nusage: kit_population_bench --n N [--seed S] [--threads T] [--repeat R] "
               "[--per-patient FILE]\n",
               msg);
  std::exit(2);
}

std::uint64_t parse_u64(const char* s, const char* what) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0') usage(what);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t n = 0, seed = 1, repeat = 1;
  unsigned threads = 0;
  std::string per_patient;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--n") n = parse_u64(value(), "--n needs a positive integer");
    else if (a == "--seed") seed = parse_u64(value(), "--seed needs an integer");
    else if (a == "--threads") threads = static_cast<unsigned>(parse_u64(value(), "--threads needs an integer"));
    else if (a == "--repeat") repeat = std::max<std::uint64_t>(1, parse_u64(value(), "--repeat needs an integer"));
    else if (a == "--per-patient") per_patient = value();
    else usage(("unknown option " + a).c_str());
  }
  if (n == 0) usage("--n is required");
  try {
    kit::pk::PopulationSpec spec = kit::bench::population_spec(n, seed, threads);
    const unsigned used_threads = threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
    double best = std::numeric_limits<double>::infinity();
    kit::pk::PopulationResult r;
    for (std::uint64_t k = 0; k < repeat; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      r = kit::pk::run_population(spec, false);
      const auto t1 = std::chrono::steady_clock::now();
      best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
    }
    if (!per_patient.empty()) {
      spec.keep_patients = true;
      const kit::pk::PopulationResult kept = kit::pk::run_population(spec, false);
      std::FILE* f = std::fopen(per_patient.c_str(), "w");
      if (f == nullptr) {
        std::fprintf(stderr, "error: cannot write %s\n", per_patient.c_str());
        return 1;
      }
      std::fprintf(f, "index,CL,V1,Q2,V2,Q3,V3,cmax_mg_per_l,auc_mg_min_per_l\n");
      for (const auto& row : kept.patients) {
        const auto& p = row.params;
        std::fprintf(f, "%llu,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n",
                     static_cast<unsigned long long>(row.index), p.cl_l_per_min, p.v1_l, p.q2_l_per_min, p.v2_l,
                     p.q3_l_per_min, p.v3_l, row.cmax_mg_per_l, row.auc_mg_min_per_l);
      }
      if (std::fclose(f) != 0) {
        std::fprintf(stderr, "error: writing %s failed\n", per_patient.c_str());
        return 1;
      }
    }
    std::printf(
        "{\"n\": %llu, \"seed\": %llu, \"seconds\": %.6g, \"us_per_patient\": %.6g, \"threads\": %u, "
        "\"repeat\": %llu, \"curve_method\": \"%s\", \"cmax_p50_mg_per_l\": %.17g, "
        "\"auc_p50_mg_min_per_l\": %.17g}\n",
        static_cast<unsigned long long>(n), static_cast<unsigned long long>(seed), best,
        best / static_cast<double>(n) * 1e6, used_threads, static_cast<unsigned long long>(repeat),
        r.curve_method.c_str(), r.cmax_mg_per_l.p50, r.auc_mg_min_per_l.p50);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
