#pragma once
// Population pharmacokinetic models as data. Each published ketamine model is one ModelDefinition:
// its citation, the population and covariate ranges it was built on, the covariate equations that
// give a patient's structural parameters, inter-individual variability where published, and an
// effect-site rate constant (ke0) only with its provenance stated.
//
// Internal units of the engine: amounts in mg, volumes in L, clearances in L/min, time in min,
// so concentrations come out in mg/L (= ug/mL). Reports convert to ng/mL at the boundary.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kit::pk {

enum class Sex { unknown, male, female };

struct Patient {
  double weight_kg = 0;
  std::optional<double> age_y;
  std::optional<double> height_cm;
  Sex sex = Sex::unknown;
};

// Structural parameters of one individual. Compartment 1 is central (where drug is given and
// plasma is sampled); compartments 2 and 3 are peripheral (mammillary model).
struct Parameters {
  int compartments = 1;  // 1, 2 or 3
  double v1_l = 0, v2_l = 0, v3_l = 0;
  double cl_l_per_min = 0, q2_l_per_min = 0, q3_l_per_min = 0;
  std::optional<double> ke0_per_min;  // effect site, if the model (or the caller) gives one
  // Optional metabolite formed from the parent's elimination (apparent, Fm folded into its volume
  // and clearance as in Flint 2017). Clearance may rise linearly with time after the first dose.
  bool has_metabolite = false;
  double met_v_l = 0;
  double met_cl_l_per_min = 0;
  double met_cl_slope_per_h = 0;  // fractional increase of metabolite clearance per hour

  double k10() const { return cl_l_per_min / v1_l; }
  double k12() const { return q2_l_per_min / v1_l; }
  double k21() const { return q2_l_per_min / v2_l; }
  double k13() const { return q3_l_per_min / v1_l; }
  double k31() const { return q3_l_per_min / v3_l; }
};

// The parameters that inter-individual variability can act on (log-normal: P_i = P_typ * exp(eta)).
enum class ParamId { cl, v1, q2, v2, q3, v3, met_cl };
std::string_view param_name(ParamId id);               // "CL", "V1", "Q2", "V2", "Q3", "V3", "CLM"
std::optional<ParamId> param_from_name(std::string_view name);
double& param_ref(Parameters& p, ParamId id);

struct Variability {
  ParamId param;
  double omega;  // SD of eta on the log scale
  std::string source;
};

struct Correlation {
  ParamId a, b;
  double r;
  std::string source;
};

enum class Ke0Provenance {
  published,        // estimated in a published PK/PD study
  code_convention,  // a value chosen by an open-source implementation (e.g. from an assumed tpeak)
};
std::string_view provenance_name(Ke0Provenance p);

struct Ke0 {
  double per_min;
  Ke0Provenance provenance;
  std::string source;
};

struct Range {
  std::optional<double> min, max;
  std::string source;  // where the range comes from, or why none is enforced
};

enum class Population { adult, pediatric };

struct ModelDefinition {
  std::string id;
  std::string citation;
  Population population;
  std::vector<std::string> compounds;   // {"ketamine"} or {"S-ketamine", "S-norketamine"}
  std::vector<std::string> covariates;  // patient fields the equations use, e.g. {"weight_kg"}
  Range weight_kg;
  Range age_y;
  // Covariate equations: the typical individual for this patient (no variability, no ke0 choice).
  Parameters (*typical)(const Patient&);
  std::vector<Variability> iiv;
  std::vector<Correlation> correlations;
  std::optional<Ke0> ke0;
  std::string notes;  // encodings, discrepancies, what was NOT FOUND
  // Why target-controlled infusion is refused on this model (with the source), or nullopt when it
  // is allowed. TCI doses the first minutes from the central volume; a model whose early kinetics
  // were not identified (no early samples) turns a modest target into an anaesthetic bolus
  // (docs/reference/pharmacology.md §13, on §1.2/§1.3).
  std::optional<std::string> tci_refused;
  // A population unlike the clinic's outpatients (with the source), or nullopt: every prediction
  // with this model carries it as a warning (docs/reference/pharmacology.md §10 on §1.3).
  std::optional<std::string> special_population;
  // Where the predicted concentrations are: "arterial", "venous", or nullopt when the source does
  // not say (NOT FOUND). Clinics sample venous blood (docs/reference/pharmacology.md §13 on §1.6).
  std::optional<std::string> sampling_site;
  // Other cautions shown with every prediction (e.g. an unconfirmed covariate exponent).
  std::vector<std::string> cautions;
  // "racemic" or "S" (S-ketamine doses only: a request must say enantiomer "S").
  std::string enantiomer = "racemic";
};

// All models, in a stable order.
const std::vector<ModelDefinition>& model_registry();
// nullptr if unknown.
const ModelDefinition* find_model(std::string_view id);

// Checks a patient against the model's ranges; throws kit::InputError naming "patient.weight_kg"
// or "patient.age_y" unless allow_extrapolation is set. Always refuses non-physical values.
void check_patient(const ModelDefinition& model, const Patient& patient, bool allow_extrapolation);

// The warnings every prediction with this model carries: special population, sampling site,
// cautions. KIT is an outpatient clinic platform, so a special population is always warned about.
std::vector<std::string> prediction_warnings(const ModelDefinition& model);

// Typical parameters for the patient, with the model's ke0 (if any) attached.
Parameters individual_parameters(const ModelDefinition& model, const Patient& patient);

}  // namespace kit::pk
