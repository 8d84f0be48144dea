// kit pk: the PK engine from the command line (models, simulate, tci, population). The contract is
// documented in docs/cli-pk.md; the handlers live in app/pk_api.cpp.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "contract/pk_api.h"
#include "cli/command_registry.h"
#include "cli/json_command.h"
#include "core/common/error.h"

namespace {

using kit::cli::HandlerResult;
using kit::cli::kOk;

struct SimulateFlags {
  bool csv = false;
};

struct PopulationFlags {
  std::string per_patient_file;
  bool progress = false;
};

// Progress lines on stderr, at most one per whole percent.
class ProgressPrinter {
 public:
  void operator()(std::uint64_t done, std::uint64_t total) {
    if (total == 0) return;
    const auto pct = static_cast<int>((100 * done) / total);
    if (pct <= last_) return;
    last_ = pct;
    std::cerr << "progress: " << done << "/" << total << " patients (" << pct << "%)\n";
  }

 private:
  int last_ = -1;
};

kit::cli::Registration reg([](CLI::App& root) {
  CLI::App* pk = root.add_subcommand("pk", "Pharmacokinetic models, simulation, TCI, populations");
  pk->require_subcommand(1);

  CLI::App* models = pk->add_subcommand("models", "List the registered PK models as JSON");
  models->callback([]() {
    std::cout << kit::cli::dump(kit::contract::handle_pk_models());
    std::cout.flush();
  });

  auto sim_flags = std::make_shared<SimulateFlags>();
  CLI::App* simulate =
      kit::cli::add_json_command(*pk, "simulate", "Simulate one patient (JSON on stdin or --input)",
                                 [sim_flags](const nlohmann::json& req) {
                                   nlohmann::json resp = kit::contract::handle_pk_simulate(req);
                                   if (!sim_flags->csv)
                                     return HandlerResult{kit::cli::dump(resp), kOk};
                                   std::ostringstream csv;
                                   kit::contract::write_simulate_csv(csv, resp);
                                   return HandlerResult{csv.str(), kOk};
                                 });
  simulate->add_flag("--csv", sim_flags->csv,
                     "Print the concentration curve as CSV instead of JSON");

  kit::cli::add_json_command(
      *pk, "tci", "Target-controlled infusion schedule (JSON on stdin or --input)",
      [](const nlohmann::json& req) {
        return HandlerResult{kit::cli::dump(kit::contract::handle_pk_tci(req)), kOk};
      });

  auto pop_flags = std::make_shared<PopulationFlags>();
  CLI::App* population = kit::cli::add_json_command(
      *pk, "population", "Population simulation with variability (JSON on stdin or --input)",
      [pop_flags](const nlohmann::json& req) {
        const bool per_patient = !pop_flags->per_patient_file.empty();
        // Open the file before the run, so a bad path fails in milliseconds, not after it.
        std::ofstream file;
        if (per_patient) {
          file.open(pop_flags->per_patient_file, std::ios::binary | std::ios::trunc);
          if (!file) {
            throw kit::InputError("--per-patient",
                                  "cannot open '" + pop_flags->per_patient_file + "' for writing");
          }
        }
        kit::contract::PopulationProgress progress;
        if (pop_flags->progress || isatty(2) == 1) {
          auto printer = std::make_shared<ProgressPrinter>();
          progress = [printer](std::uint64_t done, std::uint64_t total) {
            (*printer)(done, total);
          };
        }
        try {
          const kit::contract::PopulationOutput out =
              kit::contract::handle_pk_population(req, progress, per_patient);
          if (per_patient) {
            kit::contract::write_per_patient_csv(file, out);
            file.close();
            if (!file) {
              throw kit::InputError("--per-patient",
                                    "writing '" + pop_flags->per_patient_file + "' failed");
            }
          }
          return HandlerResult{kit::cli::dump(out.response), kOk};
        } catch (...) {
          // A refused request leaves no half-written (or truncated, empty) per-patient file.
          if (per_patient) {
            file.close();
            std::remove(pop_flags->per_patient_file.c_str());
          }
          throw;
        }
      });
  population->add_option("--per-patient", pop_flags->per_patient_file,
                         "Write one CSV row per patient (parameters and summaries) to FILE");
  population->add_flag("--progress", pop_flags->progress,
                       "Print progress on stderr (default when stderr is a terminal)");
});

}  // namespace
