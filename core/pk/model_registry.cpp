// The registry of published ketamine PK models. One entry per model; every number cites its source
// (see ../shared/domain/pharmacology.md §1 for the compiled reference and its source tags).
#include "core/pk/model.h"

namespace kit::pk {

namespace {

// Builds clearance parameters from a micro-constant encoding (V1 and k's, per minute).
Parameters from_micro(int n, double v1, double k10, double k12, double k21, double k13 = 0,
                      double k31 = 0) {
  Parameters p;
  p.compartments = n;
  p.v1_l = v1;
  p.cl_l_per_min = k10 * v1;
  if (n >= 2) {
    p.q2_l_per_min = k12 * v1;
    p.v2_l = v1 * k12 / k21;  // V2 = V1·k12/k21 (stanpumpR R/getDrugPK.R)
  }
  if (n >= 3) {
    p.q3_l_per_min = k13 * v1;
    p.v3_l = v1 * k13 / k31;  // V3 = V1·k13/k31
  }
  return p;
}

// Domino EF et al., Anesth Analg 1982;61:87-92 (PMID 7198883), as encoded with four-decimal rate
// constants by opentiva ketamine.py and TCIsim; STANPUMP/stanpumpR round to three decimals.
Parameters domino1982(const Patient& pt) {
  return from_micro(3, 0.063 * pt.weight_kg, 0.4381, 0.5921, 0.2470, 0.5900, 0.0146);
}

std::vector<ModelDefinition> build() {
  std::vector<ModelDefinition> m;
  m.push_back(ModelDefinition{
      .id = "domino1982",
      .citation = "Domino EF et al. Anesth Analg 1982;61:87-92 (PMID 7198883); STANPUMP and stanpumpR "
                  "cite the same set as Clin Pharmacol Ther 36:645-653",
      .population = Population::adult,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {std::nullopt, std::nullopt,
                    "study weight range NOT FOUND in the reference; physical limits only"},
      .age_y = {18, std::nullopt, "adult volunteers; exact age range NOT FOUND"},
      .typical = domino1982,
      .iiv = {},
      .correlations = {},
      .ke0 = Ke0{0.238, Ke0Provenance::published,
                 "Navarrete et al., J Clin Monit Comput 2025;39(2):349-354 (PMID 39546215): ANI "
                 "endpoint, estimated on Domino PK, n=20 (95% CI 0.20-0.28); primary paper not seen, "
                 "cited via TCIsim js/pk/ketamine.js"},
      .notes = "V1 0.063 L/kg; k10 0.4381, k12 0.5921, k13 0.5900, k21 0.2470, k31 0.0146 /min. "
               "IIV NOT FOUND: population runs need an explicit iiv_cv. Other ke0 values in code: "
               "opentiva 0.652 (tpeak 1 min), stanpumpR tpeak 3 min 'just a guess', STANPUMP 10 'no "
               "idea'. A public JS simulator's V2 0.207/V3 1.51 L/kg is inconsistent with the rate "
               "constants and is not used."});
  return m;
}

}  // namespace

const std::vector<ModelDefinition>& model_registry() {
  static const std::vector<ModelDefinition> registry = build();
  return registry;
}

}  // namespace kit::pk
