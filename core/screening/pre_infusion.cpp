#include "core/screening/pre_infusion.h"

#include <sstream>

namespace kit::screening {

namespace {
std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
}  // namespace

PreInfusionResult check_pre_infusion(const PreInfusionAnswers& a, const PreInfusionPolicy& p) {
  PreInfusionResult r;
  auto add = [&r](std::string check, bool passed, std::string detail, std::string_view action) {
    r.checks.push_back({std::move(check), passed, std::move(detail), Basis::kPolicy});
    if (!passed) {
      r.passed = false;
      r.actions.push_back(action);
    }
  };
  // "above 180/100 mmHg at rest" is the label's wording (docs/reference/pharmacology.md §10), so a
  // reading exactly at the limit passes.
  const bool bp_ok = a.sbp_mmhg <= p.max_sbp_mmhg && a.dbp_mmhg <= p.max_dbp_mmhg;
  r.bp_above_label_limit = a.sbp_mmhg > kLabelMaxSbpMmhg || a.dbp_mmhg > kLabelMaxDbpMmhg;
  add("blood_pressure", bp_ok,
      fmt(a.sbp_mmhg) + "/" + fmt(a.dbp_mmhg) + " mmHg; limit " + fmt(p.max_sbp_mmhg) + "/" +
          fmt(p.max_dbp_mmhg) + " (defer if either is above)",
      "defer_infusion_blood_pressure");
  if (a.hr_bpm) {
    const bool hr_ok = *a.hr_bpm >= p.min_hr_bpm && *a.hr_bpm <= p.max_hr_bpm;
    add("heart_rate", hr_ok,
        fmt(*a.hr_bpm) + " bpm; policy range " + fmt(p.min_hr_bpm) + "-" + fmt(p.max_hr_bpm),
        "defer_infusion_heart_rate");
  }
  if (a.spo2_percent) {
    const bool spo2_ok = *a.spo2_percent > p.spo2_above_percent;
    add("spo2", spo2_ok,
        fmt(*a.spo2_percent) + " % on room air; policy: above " + fmt(p.spo2_above_percent) + " %",
        "defer_infusion_spo2");
  }
  if (p.require_fasted_as_instructed) {
    add("fasting", a.fasted_as_instructed,
        a.fasted_as_instructed ? "fasted as instructed" : "not fasted as instructed",
        "defer_infusion_not_fasted");
  }
  if (p.require_escort_home) {
    add("escort_home", a.escort_home_confirmed,
        a.escort_home_confirmed ? "escort home confirmed" : "no escort home confirmed",
        "arrange_escort_home");
  }
  return r;
}

}  // namespace kit::screening
