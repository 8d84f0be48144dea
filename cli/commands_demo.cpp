// `kit demo`: the engine at a glance — the standard depression infusion (0.5 mg/kg over 40 min,
// reference §3.1) for a 70 kg adult on the Domino 1982 model, as a table and a text plot.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "core/common/units.h"
#include "core/pk/model.h"
#include "core/pk/simulator.h"

namespace {

using kit::units::ng_per_ml_from_mg_per_l;

void print_demo(double weight_kg) {
  const kit::pk::ModelDefinition& model = *kit::pk::find_model("domino1982");
  kit::pk::Patient patient;
  patient.weight_kg = weight_kg;
  patient.age_y = 40;
  const kit::pk::Parameters p = kit::pk::individual_parameters(model, patient);
  const double dose_mg = 0.5 * weight_kg;  // 0.5 mg/kg over 40 min (Zarate 2006; reference §3.1)
  std::vector<double> times;
  for (int t = 0; t <= 180; t += 5) times.push_back(t);
  const auto r = kit::pk::simulate(p, {{0, 40, dose_mg}}, times);

  std::printf("KIT engine demonstration\n");
  std::printf("Model %s: %s\n", model.id.c_str(), model.citation.c_str());
  std::printf("Patient %.0f kg adult; %.1f mg ketamine over 40 min (0.5 mg/kg, %.2f mg/kg/h)\n",
              weight_kg, dose_mg, 0.75);
  std::printf("Effect site ke0 %.3f /min (%s)\n\n", *p.ke0_per_min,
              std::string(kit::pk::provenance_name(model.ke0->provenance)).c_str());
  std::printf("  time_min  plasma_ng_per_ml  effect_ng_per_ml\n");
  for (std::size_t i = 0; i < times.size(); i += 2) {
    std::printf("  %8.0f  %16.1f  %16.1f\n", times[i], ng_per_ml_from_mg_per_l(r.plasma_mg_per_l[i]).value(),
                ng_per_ml_from_mg_per_l(r.effect_mg_per_l[i]).value());
  }
  std::printf("\nCmax %.1f ng/mL at %.0f min; AUC(0-180 min) %.0f ng.min/mL; AUC(0-inf) %.0f ng.min/mL\n",
              ng_per_ml_from_mg_per_l(r.cmax_mg_per_l).value(), r.tmax_min,
              ng_per_ml_from_mg_per_l(r.auc_mg_min_per_l).value(),
              ng_per_ml_from_mg_per_l(r.auc_inf_mg_min_per_l).value());
  std::printf("(observed mean Cmax for this dose: about 185 ng/mL, Zarate 2006 via Zanos 2018 Table 1)\n\n");

  // Text plot: one column per 5 min, 12 rows from 0 to the peak. '*' plasma, 'o' effect site.
  const int rows = 12;
  const double top = std::ceil(ng_per_ml_from_mg_per_l(r.cmax_mg_per_l).value() / 50.0) * 50.0;
  for (int row = rows; row >= 1; --row) {
    const double level = top * row / rows;
    std::string line;
    for (std::size_t i = 0; i < times.size(); ++i) {
      const double cp = ng_per_ml_from_mg_per_l(r.plasma_mg_per_l[i]).value();
      const double ce = ng_per_ml_from_mg_per_l(r.effect_mg_per_l[i]).value();
      const double band = top / rows;
      char c = ' ';
      if (std::fabs(ce - level) < band / 2) c = 'o';
      if (std::fabs(cp - level) < band / 2) c = '*';
      line += c;
    }
    std::printf("%6.0f |%s\n", level, line.c_str());
  }
  std::printf("  ng/mL +%s\n", std::string(times.size(), '-').c_str());
  std::printf("         0 min%*s180 min   (* plasma, o effect site)\n", static_cast<int>(times.size()) - 12, "");
}

kit::cli::Registration reg([](CLI::App& root) {
  auto weight = std::make_shared<double>(70.0);
  CLI::App* cmd = root.add_subcommand("demo", "Show the standard depression infusion for an adult on the Domino model");
  cmd->add_option("--weight-kg", *weight, "Patient weight in kg (adult)")->check(CLI::Range(30.0, 250.0));
  cmd->callback([weight]() { print_demo(*weight); });
});

}  // namespace
