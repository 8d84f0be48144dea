#include "core/pk/model.h"

#include <cmath>

#include "core/common/error.h"

namespace kit::pk {

std::string_view param_name(ParamId id) {
  switch (id) {
    case ParamId::cl: return "CL";
    case ParamId::v1: return "V1";
    case ParamId::q2: return "Q2";
    case ParamId::v2: return "V2";
    case ParamId::q3: return "Q3";
    case ParamId::v3: return "V3";
    case ParamId::met_cl: return "CLM";
  }
  return "?";
}

std::optional<ParamId> param_from_name(std::string_view name) {
  for (ParamId id : {ParamId::cl, ParamId::v1, ParamId::q2, ParamId::v2, ParamId::q3, ParamId::v3,
                     ParamId::met_cl}) {
    if (param_name(id) == name) return id;
  }
  return std::nullopt;
}

double& param_ref(Parameters& p, ParamId id) {
  switch (id) {
    case ParamId::cl: return p.cl_l_per_min;
    case ParamId::v1: return p.v1_l;
    case ParamId::q2: return p.q2_l_per_min;
    case ParamId::v2: return p.v2_l;
    case ParamId::q3: return p.q3_l_per_min;
    case ParamId::v3: return p.v3_l;
    case ParamId::met_cl: return p.met_cl_l_per_min;
  }
  return p.cl_l_per_min;
}

std::string_view provenance_name(Ke0Provenance p) {
  return p == Ke0Provenance::published ? "published" : "code_convention";
}

const ModelDefinition* find_model(std::string_view id) {
  for (const auto& m : model_registry()) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

namespace {
std::string fmt_num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void check_range(const Range& range, double value, const char* field, const ModelDefinition& m,
                 bool allow_extrapolation) {
  if (allow_extrapolation) return;
  if ((range.min && value < *range.min) || (range.max && value > *range.max)) {
    std::string bounds = (range.min ? fmt_num(*range.min) : std::string("-")) + " to " +
                         (range.max ? fmt_num(*range.max) : std::string("-"));
    throw InputError(field, fmt_num(value) + " is outside the range model " + m.id +
                                " was built on (" + bounds + "; " + range.source +
                                "); set \"allow_extrapolation\":true to simulate anyway");
  }
}
}  // namespace

void check_patient(const ModelDefinition& model, const Patient& patient, bool allow_extrapolation) {
  // Physical plausibility is never waived: these bound any human being, not any model.
  if (!(patient.weight_kg > 0.2 && patient.weight_kg <= 400)) {
    throw InputError("patient.weight_kg", "must be between 0.2 and 400 kg");
  }
  if (patient.age_y && !(*patient.age_y >= 0 && *patient.age_y <= 120)) {
    throw InputError("patient.age_y", "must be between 0 and 120 years");
  }
  if (patient.height_cm && !(*patient.height_cm >= 20 && *patient.height_cm <= 260)) {
    throw InputError("patient.height_cm", "must be between 20 and 260 cm");
  }
  check_range(model.weight_kg, patient.weight_kg, "patient.weight_kg", model, allow_extrapolation);
  if (model.age_y.min || model.age_y.max) {
    if (!patient.age_y) {
      throw InputError("patient.age_y", "is required: model " + model.id + " is valid only for ages " +
                                            (model.age_y.min ? fmt_num(*model.age_y.min) : "-") +
                                            " to " +
                                            (model.age_y.max ? fmt_num(*model.age_y.max) : "-") + " y");
    }
    check_range(model.age_y, *patient.age_y, "patient.age_y", model, allow_extrapolation);
  }
}

Parameters individual_parameters(const ModelDefinition& model, const Patient& patient) {
  Parameters p = model.typical(patient);
  if (model.ke0) p.ke0_per_min = model.ke0->per_min;
  return p;
}

std::vector<std::string> prediction_warnings(const ModelDefinition& model) {
  std::vector<std::string> w;
  if (model.special_population) {
    w.push_back("special population: " + *model.special_population +
                "; not a general adult model for outpatients");
  }
  if (model.sampling_site) {
    w.push_back("predictions are " + *model.sampling_site +
                " concentrations; clinics sample venous blood "
                "(docs/reference/pharmacology.md §13 on §1.6)");
  }
  for (const auto& c : model.cautions) w.push_back(c);
  return w;
}

}  // namespace kit::pk
