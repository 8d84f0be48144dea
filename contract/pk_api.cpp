#include "contract/pk_api.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <system_error>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/common/units.h"
#include "core/dosing/body_weight.h"
#include "core/dosing/drug_library.h"
#include "core/pk/model.h"
#include "core/pk/regimen.h"
#include "core/pk/simulator.h"
#include "core/pk/tci.h"

namespace kit::contract {

namespace {

using L = PkLimits;

// ---------------------------------------------------------------------------------------------
// Units at the boundary: the engine's mg/L (= ug/mL) become ng/mL, and back.

double ng_per_ml(double mg_per_l) { return units::ng_per_ml_from_mg_per_l(mg_per_l).value(); }
double mg_per_l(double ng_per_ml_value) {
  return units::mg_per_l_from(units::NgPerMl(ng_per_ml_value));
}

Json to_ng_per_ml(const std::vector<double>& mg_per_l_values) {
  Json a = Json::array();
  for (double v : mg_per_l_values) a.push_back(ng_per_ml(v));
  return a;
}

std::string fmt(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  if (r.ec != std::errc()) return "nan";
  return std::string(buf, r.ptr);
}

// ---------------------------------------------------------------------------------------------
// Field readers with bounds. Every message says what was expected.

double bounded(double v, const std::string& path, double lo, bool lo_inclusive, double hi,
               const std::string& unit) {
  const bool lo_ok = lo_inclusive ? v >= lo : v > lo;
  if (!lo_ok || v > hi) {
    throw InputError(path, fmt(v) + " is out of range: must be " + (lo_inclusive ? ">= " : "> ") +
                               fmt(lo) + " and <= " + fmt(hi) + (unit.empty() ? "" : " " + unit));
  }
  return v;
}

// Unknown fields are refused before anything else, so a misspelt field is reported as itself
// rather than as the correct field that is "missing". (ObjectReader::finish stays the safety net.)
void refuse_unknown(const Json& object, const std::string& path,
                    std::initializer_list<std::string_view> known) {
  if (!object.is_object()) return;  // the reader reports the type
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      throw InputError(
          path.empty() ? it.key() : path + "." + it.key(),
          "unknown field (check the spelling; unknown fields are refused; known: " + list + ")");
    }
  }
}

const pk::ModelDefinition& read_model(ObjectReader& r) {
  const std::string id = r.string("model");
  const pk::ModelDefinition* m = pk::find_model(id);
  if (m == nullptr) {
    std::string known;
    for (const auto& d : pk::model_registry()) known += (known.empty() ? "" : ", ") + d.id;
    throw InputError(r.path_of("model"), "unknown model '" + id + "' (known: " + known + ")");
  }
  return *m;
}

pk::Sex read_sex_string(const std::string& s, const std::string& path) {
  if (s == "male") return pk::Sex::male;
  if (s == "female") return pk::Sex::female;
  throw InputError(path, "must be \"male\" or \"female\", got \"" + s + "\"");
}

// Physical plausibility is checked by the core (check_patient); here only the shape.
pk::Patient read_patient(ObjectReader& top) {
  if (const Json* v = top.optional_value("patient")) {
    refuse_unknown(*v, top.path_of("patient"), {"weight_kg", "age_y", "height_cm", "sex"});
  }
  ObjectReader r = top.object("patient");
  pk::Patient p;
  p.weight_kg = r.number("weight_kg");
  p.age_y = r.optional_number("age_y");
  p.height_cm = r.optional_number("height_cm");
  if (auto s = r.optional_string("sex")) p.sex = read_sex_string(*s, r.path_of("sex"));
  r.finish();
  return p;
}

// The model's ranges, unless the request opts out. Returns a note when the patient is outside the
// model's ranges and extrapolation was allowed (null otherwise).
Json check_patient_against(const pk::ModelDefinition& m, const pk::Patient& p, bool extrapolate) {
  pk::check_patient(m, p, extrapolate);  // physical limits always, model ranges unless opted out
  if (!extrapolate) return nullptr;
  try {
    pk::check_patient(m, p, false);
  } catch (const InputError& e) {
    return e.what();
  }
  return nullptr;
}

struct ReadDose {
  double start_min = 0, duration_min = 0;
  std::optional<double> mg, mg_per_kg;
};

ReadDose read_dose(const Json& value, const std::string& path, double max_time_min) {
  refuse_unknown(value, path, {"start_min", "duration_min", "amount_mg", "amount_mg_per_kg"});
  ObjectReader r(value, path);
  ReadDose d;
  d.start_min =
      bounded(r.number("start_min"), r.path_of("start_min"), 0, true, max_time_min, "min");
  // 0 is a bolus; an infusion may not outlast the longest simulated window.
  d.duration_min =
      bounded(r.number("duration_min"), r.path_of("duration_min"), 0, true, max_time_min, "min");
  d.mg = r.optional_number("amount_mg");
  d.mg_per_kg = r.optional_number("amount_mg_per_kg");
  if (d.mg.has_value() == d.mg_per_kg.has_value()) {
    throw InputError(d.mg ? r.path_of("amount_mg_per_kg") : path + ".amount_mg",
                     "give exactly one of amount_mg and amount_mg_per_kg");
  }
  if (d.mg) bounded(*d.mg, r.path_of("amount_mg"), 0, false, L::kMaxDoseMg, "mg per dose");
  if (d.mg_per_kg) {
    bounded(*d.mg_per_kg, r.path_of("amount_mg_per_kg"), 0, false, L::kMaxDoseMgPerKg,
            "mg/kg per dose");
  }
  r.finish();
  return d;
}

std::vector<ReadDose> read_doses(ObjectReader& r, double max_time_min) {
  const Json& a = r.array("doses");
  const std::string path = r.path_of("doses");
  if (a.empty()) throw InputError(path, "must contain at least one dose");
  if (a.size() > L::kMaxDoses) {
    throw InputError(path, "at most " + std::to_string(L::kMaxDoses) + " doses per request");
  }
  std::vector<ReadDose> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(read_dose(a[i], element_path(path, i), max_time_min));
  return out;
}

std::vector<pk::Dose> to_mg(const std::vector<ReadDose>& doses, double weight_kg,
                            const std::string& path) {
  std::vector<pk::Dose> out;
  for (std::size_t i = 0; i < doses.size(); ++i) {
    const ReadDose& d = doses[i];
    double mg = 0;
    if (d.mg) {
      mg = *d.mg;
    } else {
      mg = units::dose_for(units::MgPerKg(*d.mg_per_kg), units::Kg(weight_kg)).value();
      if (mg > L::kMaxDoseMg) {
        throw InputError(element_path(path, i) + ".amount_mg_per_kg",
                         fmt(*d.mg_per_kg) + " mg/kg x " + fmt(weight_kg) + " kg = " + fmt(mg) +
                             " mg is above the " + fmt(L::kMaxDoseMg) + " mg per dose limit");
      }
    }
    out.push_back({d.start_min, d.duration_min, mg});
  }
  return out;
}

std::optional<double> read_ke0_override(ObjectReader& r) {
  auto k = r.optional_number("ke0_per_min");
  if (k) bounded(*k, r.path_of("ke0_per_min"), 0, false, L::kMaxKe0PerMin, "per min");
  return k;
}

// ke0 actually used and where it comes from.
void put_ke0(Json& out, const pk::ModelDefinition& m, const std::optional<double>& override_ke0) {
  if (override_ke0) {
    out["ke0_per_min"] = *override_ke0;
    out["ke0_provenance"] = "request";
    out["ke0_source"] = "ke0_per_min given in the request";
  } else if (m.ke0) {
    out["ke0_per_min"] = m.ke0->per_min;
    out["ke0_provenance"] = std::string(pk::provenance_name(m.ke0->provenance));
    out["ke0_source"] = m.ke0->source;
  } else {
    out["ke0_per_min"] = nullptr;
    out["ke0_provenance"] = nullptr;
    out["ke0_source"] = nullptr;
  }
}

Json range_json(const pk::Range& r) {
  return {{"min", r.min ? Json(*r.min) : Json(nullptr)},
          {"max", r.max ? Json(*r.max) : Json(nullptr)},
          {"source", r.source}};
}

// A regular grid 0, step, 2 step, ... up to end_min, with end_min itself as the last sample when it
// is not on the grid.
std::vector<double> regular_grid(double end_min, double step_min, const std::string& step_path) {
  const double n_steps = std::floor(end_min / step_min + 1e-9);
  if (n_steps + 2 > static_cast<double>(L::kMaxSamples)) {
    throw InputError(step_path, "end_min / step_min gives more than " +
                                    std::to_string(L::kMaxSamples) + " samples");
  }
  const auto n = static_cast<std::size_t>(n_steps);
  std::vector<double> t;
  t.reserve(n + 2);
  for (std::size_t i = 0; i <= n; ++i)
    t.push_back(std::min(end_min, static_cast<double>(i) * step_min));
  if (end_min - t.back() > 1e-9 * std::max(1.0, end_min)) t.push_back(end_min);
  return t;
}

// The caller's window: either times_min, or end_min with step_min (never both).
std::vector<double> read_times(ObjectReader& r) {
  const bool has_times = r.has("times_min");
  if (has_times && (r.has("end_min") || r.has("step_min"))) {
    throw InputError(r.path_of(r.has("end_min") ? "end_min" : "step_min"),
                     "give either times_min or end_min with step_min, not both");
  }
  if (has_times) {
    const Json& a = r.array("times_min");
    const std::string path = r.path_of("times_min");
    if (a.empty()) throw InputError(path, "must contain at least one time");
    if (a.size() > L::kMaxSamples) {
      throw InputError(path, "at most " + std::to_string(L::kMaxSamples) + " times");
    }
    std::vector<double> t;
    t.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string p = element_path(path, i);
      const double v = bounded(as_number(a[i], p), p, 0, true, L::kMaxTimeMin, "min");
      if (!t.empty() && v < t.back()) throw InputError(p, "times must be in non-decreasing order");
      t.push_back(v);
    }
    return t;
  }
  const double end =
      bounded(r.number("end_min"), r.path_of("end_min"), 0, false, L::kMaxTimeMin, "min");
  const double step =
      bounded(r.number("step_min"), r.path_of("step_min"), 0, false, end, "min (and <= end_min)");
  return regular_grid(end, step, r.path_of("step_min"));
}

std::optional<double> read_threshold(ObjectReader& r) {
  auto t = r.optional_number("threshold_ng_per_ml");
  if (t)
    bounded(*t, r.path_of("threshold_ng_per_ml"), 0, false, L::kMaxConcentrationNgPerMl, "ng/mL");
  return t;
}

Json percentiles_json(const pk::Percentiles& p, double scale) {
  return {{"p5", p.p5 * scale}, {"p50", p.p50 * scale}, {"p95", p.p95 * scale}};
}

// ---------------------------------------------------------------------------------------------
// Population patient fields: a number (fixed) or {mean, sd, min, max}.

pk::Distribution read_distribution(const Json& v, const std::string& path, double phys_lo,
                                   double phys_hi, const std::string& unit) {
  pk::Distribution d;
  if (v.is_number()) {
    const double x = bounded(as_number(v, path), path, phys_lo, true, phys_hi, unit);
    return {x, 0, x, x};
  }
  if (!v.is_object()) {
    throw InputError(path, "must be a number or an object {mean, sd, min, max}");
  }
  refuse_unknown(v, path, {"mean", "sd", "min", "max"});
  ObjectReader r(v, path);
  d.mean = bounded(r.number("mean"), r.path_of("mean"), phys_lo, true, phys_hi, unit);
  d.sd = bounded(r.number("sd"), r.path_of("sd"), 0, true, phys_hi - phys_lo, unit);
  d.min = bounded(r.number("min"), r.path_of("min"), phys_lo, true, phys_hi, unit);
  d.max = bounded(r.number("max"), r.path_of("max"), phys_lo, true, phys_hi, unit);
  r.finish();
  if (d.min > d.max) throw InputError(r.path_of("min"), "must be <= max");
  if (d.mean < d.min || d.mean > d.max)
    throw InputError(r.path_of("mean"), "must lie within [min, max]");
  return d;
}

// S-ketamine models take S-ketamine doses only: the request must say so (Flint 2017 is an
// S-ketamine model, docs/reference/pharmacology.md §1.7); a racemic model refuses "S".
void check_enantiomer(ObjectReader& r, const pk::ModelDefinition& m) {
  const auto e = r.optional_string("enantiomer");
  if (e && *e != "racemic" && *e != "S") {
    throw InputError(r.path_of("enantiomer"), "must be \"racemic\" or \"S\", got \"" + *e + "\"");
  }
  if (m.enantiomer == "S" && e.value_or("") != "S") {
    throw InputError(r.path_of("enantiomer"),
                     "model " + m.id +
                         " is an S-ketamine model: racemic ketamine doses must not be fed to it; "
                         "give \"enantiomer\": \"S\" to confirm the doses are S-ketamine");
  }
  if (m.enantiomer != "S" && e && *e == "S") {
    throw InputError(r.path_of("enantiomer"),
                     "model " + m.id +
                         " is a racemic ketamine model; it does not take S-ketamine "
                         "doses (use flint2017)");
  }
}

Json warnings_json(const pk::ModelDefinition& m) {
  Json w = Json::array();
  for (const auto& s : pk::prediction_warnings(m)) w.push_back(s);
  return w;
}

Json optional_text(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

}  // namespace

// =============================================================================================

Json handle_pk_models() {
  Json out = Json::array();
  for (const auto& m : pk::model_registry()) {
    Json iiv = Json::array();
    for (const auto& v : m.iiv) {
      iiv.push_back({{"param", std::string(pk::param_name(v.param))},
                     {"omega", v.omega},
                     {"cv", std::sqrt(std::expm1(v.omega * v.omega))},
                     {"source", v.source}});
    }
    Json corr = Json::array();
    for (const auto& c : m.correlations) {
      corr.push_back({{"a", std::string(pk::param_name(c.a))},
                      {"b", std::string(pk::param_name(c.b))},
                      {"r", c.r},
                      {"source", c.source}});
    }
    Json e = {{"id", m.id},
              {"citation", m.citation},
              {"population", m.population == pk::Population::adult ? "adult" : "pediatric"},
              {"compounds", m.compounds},
              {"covariates", m.covariates},
              {"has_effect_site", m.ke0.has_value()},
              {"has_metabolite", m.compounds.size() > 1},
              {"weight_kg", range_json(m.weight_kg)},
              {"age_y", range_json(m.age_y)},
              {"iiv", iiv},
              {"correlations", corr},
              {"notes", m.notes},
              {"enantiomer", m.enantiomer},
              {"tci_refused", optional_text(m.tci_refused)},
              {"special_population", optional_text(m.special_population)},
              {"sampling_site", optional_text(m.sampling_site)},
              {"cautions", m.cautions}};
    put_ke0(e, m, std::nullopt);
    out.push_back(std::move(e));
  }
  return out;
}

// =============================================================================================

Json handle_pk_simulate(const Json& request) {
  refuse_unknown(request, "",
                 {"model", "patient", "allow_extrapolation", "times_min", "end_min", "step_min",
                  "doses", "threshold_ng_per_ml", "include_amounts", "ke0_per_min", "enantiomer"});
  ObjectReader r(request, "");
  const pk::ModelDefinition& model = read_model(r);
  check_enantiomer(r, model);
  const pk::Patient patient = read_patient(r);
  const bool extrapolate = r.optional_boolean("allow_extrapolation").value_or(false);
  const std::vector<double> times = read_times(r);
  const auto doses_read = read_doses(r, L::kMaxTimeMin);
  const auto threshold = read_threshold(r);
  const bool amounts = r.optional_boolean("include_amounts").value_or(false);
  const auto ke0 = read_ke0_override(r);
  r.finish();

  Json extrapolation = check_patient_against(model, patient, extrapolate);
  const std::vector<pk::Dose> doses = to_mg(doses_read, patient.weight_kg, "doses");
  pk::Parameters params = pk::individual_parameters(model, patient);
  if (ke0) params.ke0_per_min = *ke0;

  pk::SimulationOptions opt;
  if (threshold) opt.threshold_mg_per_l = mg_per_l(*threshold);
  opt.amounts = amounts;
  const pk::SimulationResult res = pk::simulate(params, doses, times, opt);

  Json out;
  out["model"] = model.id;
  out["compounds"] = model.compounds;
  out["times_min"] = res.times_min;
  out["plasma_ng_per_ml"] = to_ng_per_ml(res.plasma_mg_per_l);
  out["effect_ng_per_ml"] =
      res.effect_mg_per_l.empty() ? Json(nullptr) : to_ng_per_ml(res.effect_mg_per_l);
  out["metabolite_ng_per_ml"] =
      res.metabolite_mg_per_l.empty() ? Json(nullptr) : to_ng_per_ml(res.metabolite_mg_per_l);
  out["cmax_ng_per_ml"] = ng_per_ml(res.cmax_mg_per_l);
  out["tmax_min"] = res.tmax_min;
  out["auc_ng_min_per_ml"] = ng_per_ml(res.auc_mg_min_per_l);
  out["auc_inf_ng_min_per_ml"] = ng_per_ml(res.auc_inf_mg_min_per_l);
  put_ke0(out, model, ke0);
  double total = 0;
  for (const auto& d : doses) total += d.amount_mg;
  out["total_dose_mg"] = total;
  if (threshold) {
    out["threshold_ng_per_ml"] = *threshold;
    out["time_above_threshold_min"] = res.time_above_min.value_or(0.0);
  }
  if (amounts) {
    Json a;
    const std::array<const char*, 3> names = {"central", "peripheral2", "peripheral3"};
    for (int c = 0; c < params.compartments && c < 3; ++c) {
      Json col = Json::array();
      for (const auto& row : res.amounts_mg) col.push_back(row[static_cast<std::size_t>(c)]);
      a[names[static_cast<std::size_t>(c)]] = std::move(col);
    }
    if (!res.metabolite_amount_mg.empty()) a["metabolite"] = res.metabolite_amount_mg;
    out["amounts_mg"] = std::move(a);
  }
  out["extrapolation"] = extrapolation;
  out["sampling_site"] = optional_text(model.sampling_site);
  out["warnings"] = warnings_json(model);
  return out;
}

void write_simulate_csv(std::ostream& out, const Json& resp) {
  const Json& t = resp.at("times_min");
  const Json& cp = resp.at("plasma_ng_per_ml");
  const Json& ce = resp.at("effect_ng_per_ml");
  const Json& cm = resp.at("metabolite_ng_per_ml");
  out << "time_min,plasma_ng_per_ml";
  if (!ce.is_null()) out << ",effect_ng_per_ml";
  if (!cm.is_null()) out << ",metabolite_ng_per_ml";
  out << "\n";
  for (std::size_t i = 0; i < t.size(); ++i) {
    out << fmt(t[i].get<double>()) << ',' << fmt(cp[i].get<double>());
    if (!ce.is_null()) out << ',' << fmt(ce[i].get<double>());
    if (!cm.is_null()) out << ',' << fmt(cm[i].get<double>());
    out << '\n';
  }
}

// =============================================================================================

namespace {

// The hard maximum of one quantity in a protocol's limits (nullopt when it has none).
std::optional<double> hard_max_of(const std::vector<dosing::Limit>& limits,
                                  dosing::LimitQuantity q) {
  std::optional<double> out;
  for (const auto& l : limits) {
    if (l.quantity == q && l.level == dosing::LimitLevel::kHard &&
        l.type == dosing::BoundType::kMax) {
      out = out ? std::min(*out, l.bound) : l.bound;
    }
  }
  return out;
}

// The psychiatric protocols' hard rate limit in mg/h (depression-standard: 150 mg/h, clinic policy
// = 1.5 mg/kg/h, CHEO's infusion maximum, at the 100 kg reference weight; builtin_psychiatry.cpp).
constexpr const char* kPsychiatricProtocol = "depression-standard";

double psychiatric_hard_limit_mg_per_h() {
  const dosing::Protocol* p = dosing::builtin_library().find(kPsychiatricProtocol);
  const auto v = p ? hard_max_of(p->limits, dosing::LimitQuantity::kRateMgPerH) : std::nullopt;
  if (!v) throw std::logic_error("built-in library: depression-standard has no mg/h hard limit");
  return *v;
}

// Label vials are 10, 50 and 100 mg/mL (docs/reference/pharmacology.md §7, §13): no ketamine
// preparation is stronger than 100 mg/mL.
constexpr double kMaxConcentrationMgPerMl = 100.0;

}  // namespace

Json handle_pk_tci(const Json& request) {
  refuse_unknown(
      request, "",
      {"model", "patient", "allow_extrapolation", "target", "steps", "end_min", "max_rate_mg_per_h",
       "interval_s", "ke0_per_min", "protocol", "concentration_mg_per_ml", "enantiomer"});
  ObjectReader r(request, "");
  const pk::ModelDefinition& model = read_model(r);
  if (model.tci_refused) {
    throw InputError("model", "target-controlled infusion is refused on model " + model.id + ": " +
                                  *model.tci_refused +
                                  "; use simulate, or a model whose early "
                                  "kinetics were identified (e.g. domino1982)");
  }
  check_enantiomer(r, model);
  const pk::Patient patient = read_patient(r);
  const bool extrapolate = r.optional_boolean("allow_extrapolation").value_or(false);
  const std::string target_name = r.string("target");
  pk::TciTarget target;
  if (target_name == "plasma") {
    target = pk::TciTarget::plasma;
  } else if (target_name == "effect") {
    target = pk::TciTarget::effect;
  } else {
    throw InputError("target", "must be \"plasma\" or \"effect\", got \"" + target_name + "\"");
  }
  const double end_min =
      bounded(r.number("end_min"), r.path_of("end_min"), 0, false, L::kMaxTciMin, "min");
  const double interval_s =
      bounded(r.optional_number("interval_s").value_or(10.0), r.path_of("interval_s"),
              L::kMinIntervalS, true, L::kMaxIntervalS, "s");
  if (end_min * 60.0 / interval_s > static_cast<double>(L::kMaxTciUpdates)) {
    throw InputError("interval_s", "end_min / interval_s gives more than " +
                                       std::to_string(L::kMaxTciUpdates) + " pump updates");
  }
  const auto max_rate_in = r.optional_number("max_rate_mg_per_h");
  if (max_rate_in) {
    bounded(*max_rate_in, r.path_of("max_rate_mg_per_h"), 0, false, L::kMaxRateMgPerH, "mg/h");
  }
  const auto protocol_id = r.optional_string("protocol");
  const dosing::Protocol* protocol = nullptr;
  if (protocol_id) {
    protocol = dosing::builtin_library().find(*protocol_id);
    if (protocol == nullptr) {
      std::string known;
      for (const auto& p : dosing::builtin_library().protocols())
        known += (known.empty() ? "" : ", ") + p.id;
      throw InputError("protocol",
                       "unknown protocol '" + *protocol_id + "' (known: " + known + ")");
    }
  }
  const auto concentration = r.optional_number("concentration_mg_per_ml");
  if (concentration) {
    bounded(*concentration, r.path_of("concentration_mg_per_ml"), 0, false,
            kMaxConcentrationMgPerMl, "mg/mL (strongest label vial 100 mg/mL, §7)");
    const auto hard_c =
        protocol ? hard_max_of(protocol->limits, dosing::LimitQuantity::kConcentrationMgPerMl)
                 : std::nullopt;
    if (hard_c && *concentration > *hard_c) {
      throw InputError("concentration_mg_per_ml", fmt(*concentration) +
                                                      " mg/mL is above protocol " + protocol->id +
                                                      "'s hard limit " + fmt(*hard_c) + " mg/mL");
    }
  }
  const Json& steps_json = r.array("steps");
  const std::string steps_path = r.path_of("steps");
  if (steps_json.empty()) throw InputError(steps_path, "must contain at least one step");
  if (steps_json.size() > L::kMaxTciSteps) {
    throw InputError(steps_path, "at most " + std::to_string(L::kMaxTciSteps) + " steps");
  }
  std::vector<pk::TargetStep> steps;
  for (std::size_t i = 0; i < steps_json.size(); ++i) {
    refuse_unknown(steps_json[i], element_path(steps_path, i), {"at_min", "target_ng_per_ml"});
    ObjectReader s(steps_json[i], element_path(steps_path, i));
    const double at =
        bounded(s.number("at_min"), s.path_of("at_min"), 0, true, end_min, "min (and < end_min)");
    if (at >= end_min) throw InputError(s.path_of("at_min"), "must be before end_min");
    if (!steps.empty() && at <= steps.back().at_min) {
      throw InputError(s.path_of("at_min"), "steps must be in increasing time order");
    }
    const double c = bounded(s.number("target_ng_per_ml"), s.path_of("target_ng_per_ml"), 0, false,
                             L::kMaxConcentrationNgPerMl, "ng/mL");
    s.finish();
    steps.push_back({at, mg_per_l(c)});
  }
  const auto ke0 = read_ke0_override(r);
  r.finish();

  Json extrapolation = check_patient_against(model, patient, extrapolate);
  pk::Parameters params = pk::individual_parameters(model, patient);
  if (ke0) params.ke0_per_min = *ke0;
  if (target == pk::TciTarget::effect && !params.ke0_per_min) {
    throw InputError("target", "effect-site targeting needs a ke0 and model " + model.id +
                                   " has none; give \"ke0_per_min\" or target \"plasma\"");
  }
  Json warnings = warnings_json(model);

  // The maximum rate: a named protocol's hard rate limits (mg/h; mg/kg/h x weight; the pump's
  // mL/h maximum x concentration), else the library's psychiatric hard limit (150 mg/h).
  double max_rate_mg_per_h = 0;
  std::string max_rate_source;
  if (protocol) {
    const dosing::Pump& pump = dosing::builtin_library().pump();
    std::optional<double> hard;
    std::string why;
    auto consider = [&](std::optional<double> v, const std::string& what) {
      if (v && (!hard || *v < *hard)) {
        hard = *v;
        why = what;
      }
    };
    const auto mg_h = hard_max_of(protocol->limits, dosing::LimitQuantity::kRateMgPerH);
    consider(mg_h, "hard limit " + (mg_h ? fmt(*mg_h) : std::string()) + " mg/h");
    if (const auto per_kg =
            hard_max_of(protocol->limits, dosing::LimitQuantity::kRateMgPerKgPerH)) {
      // The protocol's own weight rule (e.g. ideal weight at BMI >= 30) when height, sex and age
      // are given; otherwise the actual weight, and the source says so.
      double w = patient.weight_kg;
      std::string basis = "actual weight";
      if (patient.height_cm && patient.age_y && patient.sex != pk::Sex::unknown) {
        const dosing::DosingWeight dw = dosing::dosing_weight(
            protocol->weight, units::Kg(patient.weight_kg), units::Cm(*patient.height_cm),
            patient.sex == pk::Sex::male ? dosing::Sex::kMale : dosing::Sex::kFemale,
            units::Years(*patient.age_y));
        w = dw.weight.value();
        basis = "protocol dosing weight: " + dw.reason;
      } else if (protocol->weight.kind != dosing::WeightRuleKind::kActual) {
        basis = "actual weight: give height_cm, sex and age_y for the protocol's weight rule";
      }
      consider(*per_kg * w,
               "hard limit " + fmt(*per_kg) + " mg/kg/h x " + fmt(w) + " kg (" + basis + ")");
    }
    if (concentration) {
      for (const auto* limits : {&protocol->limits, &pump.limits}) {
        if (const auto ml_h = hard_max_of(*limits, dosing::LimitQuantity::kRateMlPerH)) {
          consider(*ml_h * *concentration,
                   "hard limit " + fmt(*ml_h) + " mL/h x " + fmt(*concentration) + " mg/mL");
        }
      }
    }
    if (!hard) {
      throw InputError("protocol", "protocol " + protocol->id +
                                       " has no hard rate limit to hold a TCI schedule to");
    }
    if (max_rate_in && *max_rate_in > *hard) {
      throw InputError("max_rate_mg_per_h", fmt(*max_rate_in) + " mg/h is above protocol " +
                                                protocol->id + "'s " + why + " = " + fmt(*hard) +
                                                " mg/h");
    }
    max_rate_mg_per_h = max_rate_in.value_or(*hard);
    max_rate_source = max_rate_in
                          ? "request (within protocol " + protocol->id + "'s " + why + ")"
                          : "protocol " + protocol->id + " " + why + " (drug library, core/dosing)";
  } else {
    const double psych = psychiatric_hard_limit_mg_per_h();
    if (max_rate_in) {
      max_rate_mg_per_h = *max_rate_in;
      max_rate_source = "request";
      if (*max_rate_in > psych) {
        warnings.push_back("max_rate_mg_per_h " + fmt(*max_rate_in) +
                           " mg/h is above the drug library's psychiatric hard limit " +
                           fmt(psych) + " mg/h and no protocol was named to hold it to");
      }
    } else {
      max_rate_mg_per_h = psych;
      max_rate_source =
          "no protocol named: the drug library's psychiatric hard limit " + fmt(psych) +
          " mg/h (protocol " + kPsychiatricProtocol +
          "; clinic policy: 1.5 mg/kg/h, CHEO's infusion maximum, at the 100 kg reference "
          "weight)";
    }
  }

  // Every rate is rounded down to the pump's step: 0.1 mL/h x concentration, or 0.1 mg/h when the
  // preparation's concentration is not given.
  const double pump_step_ml_per_h = dosing::builtin_library().pump().resolution.value();
  const double step_mg_per_h =
      concentration ? pump_step_ml_per_h * *concentration : pump_step_ml_per_h * 1.0;
  const std::string rate_rounding =
      concentration ? "rounded down to the pump's " + fmt(pump_step_ml_per_h) + " mL/h step at " +
                          fmt(*concentration) + " mg/mL (" + fmt(step_mg_per_h) + " mg/h)"
                    : "no concentration_mg_per_ml given: rounded down to 0.1 mg/h, NOT to the "
                      "pump's 0.1 mL/h step; give concentration_mg_per_ml for pump rates";

  pk::TciOptions options;  // hybrid switch and the 1.2 x target plasma cap (core/pk/tci.h)
  options.rate_step_mg_per_min = step_mg_per_h / 60.0;
  const pk::TciRun run =
      pk::run_tci(params, target, steps, end_min, max_rate_mg_per_h / 60.0, interval_s, options);

  Json out;
  out["model"] = model.id;
  out["target"] = target_name;
  out["protocol"] = protocol ? Json(protocol->id) : Json(nullptr);
  out["interval_s"] = interval_s;
  out["max_rate_mg_per_h"] = max_rate_mg_per_h;
  out["max_rate_source"] = max_rate_source;
  out["concentration_mg_per_ml"] = concentration ? Json(*concentration) : Json(nullptr);
  out["rate_rounding"] = rate_rounding;
  Json sched = Json::array();
  for (std::size_t i = 0; i < run.start_s.size(); ++i) {
    const double rate = units::mg_per_h(units::MgPerMin(run.rate_mg_per_min[i])).value();
    // Whole steps, printed without binary round-off (0.3, not 0.30000000000000004).
    const double n_steps = std::round(rate / step_mg_per_h);
    Json row = {{"start_s", run.start_s[i]}, {"mode", run.plasma_mode[i] ? "plasma" : "effect"}};
    if (concentration) {
      const double ml_h = std::round(n_steps * pump_step_ml_per_h * 10.0) / 10.0;
      row["rate_ml_per_h"] = ml_h;
      row["rate_mg_per_h"] = std::round(ml_h * *concentration * 1e6) / 1e6;
    } else {
      row["rate_mg_per_h"] = std::round(n_steps * step_mg_per_h * 10.0) / 10.0;
    }
    sched.push_back(std::move(row));
  }
  out["schedule"] = std::move(sched);
  out["times_s"] = run.times_s;
  out["plasma_ng_per_ml"] = to_ng_per_ml(run.plasma_mg_per_l);
  out["effect_ng_per_ml"] =
      run.effect_mg_per_l.empty() ? Json(nullptr) : to_ng_per_ml(run.effect_mg_per_l);
  out["target_ng_per_ml"] = to_ng_per_ml(run.target_mg_per_l);
  double peak = 0;
  for (double c : run.plasma_mg_per_l) peak = std::max(peak, c);
  out["predicted_plasma_peak_ng_per_ml"] = ng_per_ml(peak);
  if (target == pk::TciTarget::effect) {
    out["effect_guards"] = {
        {"plasma_cap_factor", *options.plasma_cap_factor},
        {"plasma_cap_source",
         "opentiva 'revised' effect-site method caps the plasma overshoot at 1.2 x target [C] "
         "(docs/reference/pharmacology.md §10 on §1.8, §2.5)"},
        {"hybrid_plasma_tol", options.hybrid_plasma_tol},
        {"hybrid_effect_tol", options.hybrid_effect_tol},
        {"hybrid_source",
         "jarretrt/tci tci_comb: plasma targeting once plasma is within 20% and the effect site "
         "within the code tolerance 0.05 of the target [C] (docs/reference/pharmacology.md §13 on "
         "§2.5)"}};
  } else {
    out["effect_guards"] = nullptr;
  }
  out["total_mg"] = run.total_mg;
  put_ke0(out, model, ke0);
  out["extrapolation"] = extrapolation;
  out["sampling_site"] = optional_text(model.sampling_site);
  out["warnings"] = std::move(warnings);
  return out;
}

// =============================================================================================

PopulationOutput handle_pk_population(const Json& request, const PopulationProgress& progress,
                                      bool keep_patients) {
  refuse_unknown(
      request, "",
      {"model", "n", "seed", "allow_extrapolation", "patient", "doses", "end_min", "step_min",
       "threshold_ng_per_ml", "percentile_step_min", "threads", "iiv_cv", "enantiomer"});
  ObjectReader r(request, "");
  pk::PopulationSpec spec;
  const pk::ModelDefinition& model = read_model(r);
  check_enantiomer(r, model);
  spec.model = &model;
  const long long n = r.integer("n");
  if (n < 1 || static_cast<std::uint64_t>(n) > L::kMaxPopulationN) {
    throw InputError("n", std::to_string(n) + " is out of range: must be 1 to " +
                              std::to_string(L::kMaxPopulationN));
  }
  if (keep_patients && static_cast<std::uint64_t>(n) > L::kMaxPerPatientRows) {
    throw InputError("n", "at most " + std::to_string(L::kMaxPerPatientRows) +
                              " patients with --per-patient (rows are held in memory)");
  }
  spec.n = static_cast<std::uint64_t>(n);
  const long long seed = r.optional_integer("seed").value_or(1);
  if (seed < 0) throw InputError("seed", "must be >= 0");
  spec.seed = static_cast<std::uint64_t>(seed);
  const bool extrapolate = r.optional_boolean("allow_extrapolation").value_or(false);

  // Patient covariates. The bounds here are the physical limits of check_patient; the model's
  // ranges are enforced on [min, max] below (unless extrapolating).
  {
    if (const Json* v = r.optional_value("patient")) {
      refuse_unknown(*v, "patient", {"weight_kg", "age_y", "sex"});
    }
    ObjectReader p = r.object("patient");
    spec.weight_kg =
        read_distribution(p.value("weight_kg"), p.path_of("weight_kg"), 0.2, 400, "kg");
    if (const Json* age = p.optional_value("age_y")) {
      spec.age_y = read_distribution(*age, p.path_of("age_y"), 0, 120, "y");
    }
    if (const Json* sex = p.optional_value("sex")) {
      const std::string path = p.path_of("sex");
      if (sex->is_string()) {
        spec.p_male = read_sex_string(sex->get<std::string>(), path) == pk::Sex::male ? 1.0 : 0.0;
      } else if (sex->is_object()) {
        refuse_unknown(*sex, path, {"p_male"});
        ObjectReader s(*sex, path);
        spec.p_male = bounded(s.number("p_male"), s.path_of("p_male"), 0, true, 1, "");
        s.finish();
      } else {
        throw InputError(path, "must be \"male\", \"female\" or {\"p_male\": fraction}");
      }
    }
    p.finish();
  }
  // Both ends of each covariate distribution must lie in the model's ranges.
  // The ends of each covariate distribution must lie in the model's ranges (named .min / .max).
  auto check_end = [&](double w, std::optional<double> age, const std::string& suffix) {
    pk::Patient pt;
    pt.weight_kg = w;
    pt.age_y = age;
    try {
      pk::check_patient(model, pt, extrapolate);
    } catch (const InputError& e) {
      const bool is_dist = (e.field() == "patient.weight_kg" && spec.weight_kg.sd > 0) ||
                           (e.field() == "patient.age_y" && spec.age_y && spec.age_y->sd > 0);
      throw InputError(is_dist ? e.field() + suffix : e.field(), e.reason());
    }
  };
  const std::optional<double> mean_age =
      spec.age_y ? std::optional<double>(spec.age_y->mean) : std::nullopt;
  check_end(spec.weight_kg.min, mean_age, ".min");
  check_end(spec.weight_kg.max, mean_age, ".max");
  if (spec.age_y) {
    check_end(spec.weight_kg.mean, spec.age_y->min, ".min");
    check_end(spec.weight_kg.mean, spec.age_y->max, ".max");
  }

  const auto doses = read_doses(r, L::kMaxTimeMin);
  for (std::size_t i = 0; i < doses.size(); ++i) {
    const ReadDose& d = doses[i];
    pk::PopulationDose pd;
    pd.start_min = d.start_min;
    pd.duration_min = d.duration_min;
    if (d.mg) {
      pd.amount_mg = *d.mg;
    } else {
      pd.per_kg = true;
      pd.amount_mg_per_kg = *d.mg_per_kg;
      // The heaviest patient drawn is spec.weight_kg.max.
      if (*d.mg_per_kg * spec.weight_kg.max > L::kMaxDoseMg) {
        throw InputError(element_path("doses", i) + ".amount_mg_per_kg",
                         fmt(*d.mg_per_kg) + " mg/kg x " + fmt(spec.weight_kg.max) +
                             " kg (heaviest patient) is above the " + fmt(L::kMaxDoseMg) +
                             " mg per dose limit");
      }
    }
    spec.doses.push_back(pd);
  }
  spec.end_min =
      bounded(r.number("end_min"), r.path_of("end_min"), 0, false, L::kMaxTimeMin, "min");
  spec.step_min = bounded(r.number("step_min"), r.path_of("step_min"), 0, false, spec.end_min,
                          "min (and <= end_min)");
  if (spec.end_min / spec.step_min > static_cast<double>(L::kMaxPopulationSamples)) {
    throw InputError("step_min", "end_min / step_min gives more than " +
                                     std::to_string(L::kMaxPopulationSamples) +
                                     " samples per patient");
  }
  const auto threshold = read_threshold(r);
  if (threshold) spec.threshold_mg_per_l = mg_per_l(*threshold);
  if (auto ps = r.optional_number("percentile_step_min")) {
    spec.percentile_step_min = bounded(*ps, r.path_of("percentile_step_min"), spec.step_min, true,
                                       spec.end_min, "min (step_min to end_min)");
    if (std::fabs(spec.percentile_step_min / spec.step_min -
                  std::round(spec.percentile_step_min / spec.step_min)) > 1e-9) {
      throw InputError("percentile_step_min", "must be a whole multiple of step_min");
    }
  }
  if (auto th = r.optional_integer("threads")) {
    if (*th < 0 || *th > L::kMaxThreads) {
      throw InputError("threads", "must be 0 (all cores) to " + std::to_string(L::kMaxThreads));
    }
    spec.threads = static_cast<unsigned>(*th);
  }

  // Variability: the request's CVs, else the model's published omegas, else refuse.
  pk::Patient typical_pt;
  typical_pt.weight_kg = spec.weight_kg.mean;
  if (spec.age_y) typical_pt.age_y = spec.age_y->mean;
  const pk::Parameters typical = model.typical(typical_pt);
  std::string iiv_origin;
  if (auto cv = r.optional_object("iiv_cv")) {
    const Json& obj = request.at("iiv_cv");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string path = cv->path_of(it.key());
      auto id = pk::param_from_name(it.key());
      if (!id) {
        throw InputError(path, "unknown parameter (known: CL, V1, Q2, V2, Q3, V3, CLM)");
      }
      const bool applies =
          (*id == pk::ParamId::met_cl)                         ? typical.has_metabolite
          : (*id == pk::ParamId::q2 || *id == pk::ParamId::v2) ? typical.compartments >= 2
          : (*id == pk::ParamId::q3 || *id == pk::ParamId::v3) ? typical.compartments >= 3
                                                               : true;
      if (!applies) throw InputError(path, "model " + model.id + " has no " + it.key());
      const double c =
          bounded(cv->number(it.key()), path, 0, true, L::kMaxCv, "(CV as a fraction)");
      spec.iiv.push_back(
          {*id, pk::omega_from_cv(c), "request iiv_cv " + it.key() + " = " + fmt(c)});
    }
    cv->finish();
    iiv_origin = "request";
  } else if (!model.iiv.empty()) {
    spec.iiv = model.iiv;
    iiv_origin = "model";
  } else {
    throw InputError("iiv_cv",
                     "model " + model.id +
                         " has no published inter-individual variability; give iiv_cv "
                         "(CV as a fraction per parameter, e.g. {\"CL\":0.3,\"V1\":0.3})");
  }
  // The model's published correlations apply to the parameters that vary.
  for (const auto& c : model.correlations) {
    auto varies = [&](pk::ParamId id) {
      return std::any_of(spec.iiv.begin(), spec.iiv.end(),
                         [&](const pk::Variability& v) { return v.param == id && v.omega > 0; });
    };
    if (varies(c.a) && varies(c.b)) spec.correlations.push_back(c);
  }
  r.finish();
  spec.keep_patients = keep_patients;

  const pk::PopulationResult res = pk::run_population(spec, extrapolate, progress);

  PopulationOutput po;
  po.has_age = spec.age_y.has_value();
  po.has_metabolite = typical.has_metabolite;
  po.compartments = typical.compartments;
  Json& out = po.response;
  out["model"] = model.id;
  out["n"] = res.n;
  out["seed"] = spec.seed;
  const double k = 1000.0;  // mg/L -> ng/mL
  out["cmax_ng_per_ml"] = percentiles_json(res.cmax_mg_per_l, k);
  out["tmax_min"] = percentiles_json(res.tmax_min, 1.0);
  out["auc_ng_min_per_ml"] = percentiles_json(res.auc_mg_min_per_l, k);
  if (threshold) {
    out["threshold_ng_per_ml"] = *threshold;
    out["time_above_threshold_min"] = percentiles_json(res.time_above_min, 1.0);
  } else {
    out["threshold_ng_per_ml"] = nullptr;
    out["time_above_threshold_min"] = nullptr;
  }
  out["curve_times_min"] = res.curve_times_min;
  Json p5 = Json::array(), p50 = Json::array(), p95 = Json::array();
  for (const auto& c : res.curve_mg_per_l) {
    p5.push_back(ng_per_ml(c.p5));
    p50.push_back(ng_per_ml(c.p50));
    p95.push_back(ng_per_ml(c.p95));
  }
  out["curve_p5_ng_per_ml"] = std::move(p5);
  out["curve_p50_ng_per_ml"] = std::move(p50);
  out["curve_p95_ng_per_ml"] = std::move(p95);
  out["curve_method"] = res.curve_method;
  out["curve_relative_error_bound"] = res.curve_relative_error_bound;
  Json iiv = Json::array();
  for (const auto& v : spec.iiv) {
    iiv.push_back({{"param", std::string(pk::param_name(v.param))},
                   {"omega", v.omega},
                   {"cv", std::sqrt(std::expm1(v.omega * v.omega))},
                   {"source", v.source}});
  }
  out["iiv"] = std::move(iiv);
  out["iiv_origin"] = iiv_origin;
  Json corr = Json::array();
  for (const auto& c : spec.correlations) {
    corr.push_back({{"a", std::string(pk::param_name(c.a))},
                    {"b", std::string(pk::param_name(c.b))},
                    {"r", c.r},
                    {"source", c.source}});
  }
  out["correlations"] = std::move(corr);
  out["sampling_site"] = optional_text(model.sampling_site);
  out["warnings"] = warnings_json(model);
  po.patients = res.patients;
  return po;
}

void write_per_patient_csv(std::ostream& out, const PopulationOutput& po) {
  out << "index,weight_kg,age_y,sex,CL_l_per_min,V1_l,Q2_l_per_min,V2_l,Q3_l_per_min,V3_l";
  if (po.has_metabolite) out << ",CLM_l_per_min,VM_l";
  out << ",cmax_ng_per_ml,tmax_min,auc_ng_min_per_ml,time_above_min\n";
  for (const auto& row : po.patients) {
    const pk::Parameters& p = row.params;
    out << row.index << ',' << fmt(row.weight_kg) << ',' << (po.has_age ? fmt(row.age_y) : "")
        << ',' << (row.male ? "male" : "female") << ',' << fmt(p.cl_l_per_min) << ',' << fmt(p.v1_l)
        << ',' << fmt(p.q2_l_per_min) << ',' << fmt(p.v2_l) << ',' << fmt(p.q3_l_per_min) << ','
        << fmt(p.v3_l);
    if (po.has_metabolite) out << ',' << fmt(p.met_cl_l_per_min) << ',' << fmt(p.met_v_l);
    out << ',' << fmt(ng_per_ml(row.cmax_mg_per_l)) << ',' << fmt(row.tmax_min) << ','
        << fmt(ng_per_ml(row.auc_mg_min_per_l)) << ',' << fmt(row.time_above_min) << '\n';
  }
}

}  // namespace kit::contract
