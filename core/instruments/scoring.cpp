#include "core/instruments/scoring.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/common/error.h"

namespace kit::instruments {

namespace {

std::string fmt_number(double v) {
  if (v == std::floor(v)) return std::to_string(static_cast<long long>(v));
  std::string s = std::to_string(std::round(v * 100.0) / 100.0);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string answer_path(int item) { return "answers[" + std::to_string(item - 1) + "]"; }

std::string list_missing(const std::vector<std::optional<int>>& answers, int first, int last) {
  std::string out;
  for (int i = first; i <= last; ++i) {
    if (answers[static_cast<std::size_t>(i - 1)]) continue;
    if (!out.empty()) out += ", ";
    out += answer_path(i);
  }
  return out;
}

int count_answered(const std::vector<std::optional<int>>& answers, int first, int last) {
  int n = 0;
  for (int i = first; i <= last; ++i) n += answers[static_cast<std::size_t>(i - 1)] ? 1 : 0;
  return n;
}

int sum_items(const std::vector<std::optional<int>>& answers, int first, int last) {
  int s = 0;
  for (int i = first; i <= last; ++i) s += answers[static_cast<std::size_t>(i - 1)].value_or(0);
  return s;
}

int item(const std::vector<std::optional<int>>& answers, int number) {
  return *answers[static_cast<std::size_t>(number - 1)];
}

const BandSet* choose_band_set(const InstrumentDefinition& d, const std::string& requested) {
  if (d.band_sets.empty()) {
    if (!requested.empty() && requested != "default") {
      throw InputError("band_set", std::string(d.name) + " has no severity bands");
    }
    return nullptr;
  }
  if (requested.empty()) return &d.band_sets.front();
  std::string known;
  for (const auto& set : d.band_sets) {
    if (set.id == requested) return &set;
    known += (known.empty() ? "" : ", ") + std::string(set.id);
  }
  throw InputError("band_set", "unknown band set '" + requested + "' for " + std::string(d.name) +
                                   "; known: " + known);
}

int resolve_item_max(const InstrumentDefinition& d, const ScoringOptions& o,
                     std::vector<std::string>& policies) {
  if (!o.item_max) {
    if (d.items_source.policy) policies.emplace_back(d.items_source.citation);
    return d.item_max;
  }
  if (!d.items_source.policy) {
    throw InputError("policy.item_max", "the item range of " + std::string(d.name) +
                                            " is published (" + std::to_string(d.item_min) + "-" +
                                            std::to_string(d.item_max) + ") and cannot be changed");
  }
  if (*o.item_max < 1 || *o.item_max > 10) {
    throw InputError("policy.item_max", "must be a whole number from 1 to 10");
  }
  policies.push_back("clinic policy (request): " + std::string(d.name) + " items range " +
                     std::to_string(d.item_min) + "-" + std::to_string(*o.item_max));
  return *o.item_max;
}

void check_answers(const InstrumentDefinition& d, const std::vector<std::optional<int>>& answers,
                   int item_max) {
  if (static_cast<int>(answers.size()) != d.item_count) {
    throw InputError("answers", std::string(d.name) + " has " + std::to_string(d.item_count) +
                                    " items; got " + std::to_string(answers.size()) +
                                    " answers (use null for an unanswered item)");
  }
  for (int i = 1; i <= d.item_count; ++i) {
    const auto& a = answers[static_cast<std::size_t>(i - 1)];
    if (a && (*a < d.item_min || *a > item_max)) {
      throw InputError(answer_path(i), "must be between " + std::to_string(d.item_min) + " and " +
                                           std::to_string(item_max) + " (" + std::string(d.name) +
                                           " item range), got " + std::to_string(*a));
    }
  }
}

std::string policy_note(const Source& s) { return std::string(s.citation); }

// Sum scoring with the instrument's missing-item rule (all required, or proration).
void score_sum(const InstrumentDefinition& d, const std::vector<std::optional<int>>& answers,
               ScoreResult& r) {
  const int n = d.item_count;
  if (r.missing > 0 &&
      (d.missing.kind != MissingRuleKind::prorate_up_to || r.missing > d.missing.max_missing)) {
    std::string rule =
        d.missing.kind == MissingRuleKind::prorate_up_to
            ? "at most " + std::to_string(d.missing.max_missing) + " may be missing (" +
                  std::string(d.missing.source.citation) + ")"
            : "it is scored only when complete (" + std::string(d.missing.source.citation) + ")";
    throw InputError("answers", std::to_string(r.missing) + " of " + std::to_string(n) +
                                    " answers missing (" + list_missing(answers, 1, n) +
                                    "); cannot score " + std::string(d.name) + ": " + rule);
  }
  const int sum = sum_items(answers, 1, n);
  if (r.missing == 0) {
    r.total = sum;
    return;
  }
  // Mean substitution: each missing item takes the mean of the answered items.
  const double prorated = static_cast<double>(sum) * n / r.answered;
  r.total = std::floor(prorated + 0.5);
  r.prorated = true;
  r.policies.push_back(policy_note(d.missing.source));
  r.policies.push_back("policy: prorated total " + fmt_number(prorated) +
                       " rounded to the nearest whole point, halves up (rounding rule NOT FOUND)");
}

void score_domains(const InstrumentDefinition& d, const std::vector<std::optional<int>>& answers,
                   ScoreResult& r) {
  double total = 0;
  for (const auto& g : d.domains) {
    int best = -1;
    for (int i = g.first_item; i <= g.last_item; ++i) {
      const auto& a = answers[static_cast<std::size_t>(i - 1)];
      if (a) best = std::max(best, *a);
    }
    if (best < 0) {
      throw InputError("answers", std::string(d.name) + " domain '" + std::string(g.name) +
                                      "' (items " + std::to_string(g.first_item) + "-" +
                                      std::to_string(g.last_item) + ") has no answer; " +
                                      std::string(d.missing.source.citation));
    }
    total += best;
    r.subscales.push_back({g.name, static_cast<double>(best), static_cast<double>(d.item_min),
                           static_cast<double>(d.item_max),
                           count_answered(answers, g.first_item, g.last_item), g.loinc,
                           "highest answered item of the domain"});
  }
  r.total = total;
  if (r.missing > 0) r.policies.push_back(policy_note(d.missing.source));
}

void score_bpi(const InstrumentDefinition& d, const std::vector<std::optional<int>>& answers,
               ScoreResult& r) {
  const ItemGroup& sev = d.subscales.at(0);
  const ItemGroup& itf = d.subscales.at(1);
  const int sev_items = sev.last_item - sev.first_item + 1;
  const int itf_items = itf.last_item - itf.first_item + 1;
  const int sev_answered = count_answered(answers, sev.first_item, sev.last_item);
  if (sev_answered < sev_items) {
    throw InputError("answers", "BPI severity items missing (" +
                                    list_missing(answers, sev.first_item, sev.last_item) +
                                    "); policy: all 4 severity items are required (rule NOT "
                                    "FOUND in the reference)");
  }
  const double severity =
      static_cast<double>(sum_items(answers, sev.first_item, sev.last_item)) / sev_items;
  r.total = severity;
  r.subscales.push_back(
      {sev.name, severity, 0, 10, sev_answered, sev.loinc, "mean of the 4 severity items"});
  const int itf_answered = count_answered(answers, itf.first_item, itf.last_item);
  SubscaleScore interference{itf.name, std::nullopt, 0, 10, itf_answered, itf.loinc, ""};
  if (itf_answered >= d.missing.min_answered) {
    interference.score =
        static_cast<double>(sum_items(answers, itf.first_item, itf.last_item)) / itf_answered;
    interference.note = "mean of the " + std::to_string(itf_answered) + " answered of " +
                        std::to_string(itf_items) + " interference items (valid if >=4)";
  } else {
    interference.note = "not scored: " + std::to_string(itf_answered) + " of " +
                        std::to_string(itf_items) +
                        " interference items answered; valid only if >=4 (SRAlab; ePPOC)";
  }
  r.subscales.push_back(interference);
}

void add_sum_subscales(const InstrumentDefinition& d,
                       const std::vector<std::optional<int>>& answers, int item_max,
                       ScoreResult& r) {
  for (const auto& g : d.subscales) {
    const int items = g.last_item - g.first_item + 1;
    const int answered = count_answered(answers, g.first_item, g.last_item);
    SubscaleScore s{g.name,
                    std::nullopt,
                    static_cast<double>(d.item_min * items),
                    static_cast<double>(item_max * items),
                    answered,
                    g.loinc,
                    "sum of items"};
    if (answered == items) s.score = sum_items(answers, g.first_item, g.last_item);
    r.subscales.push_back(s);
  }
}

// PHQ-9 diagnostic algorithm (CamCOPS phq9.py; LOINC 44249-1 text): items 1-8 count if >=2,
// item 9 counts if >=1; core = item 1 or 2 counts.
void phq9_indicators(const std::vector<std::optional<int>>& a, ScoreResult& r) {
  const Source src{"CamCOPS phq9.py; LOINC 44249-1 text"};
  const bool complete = r.missing == 0;
  int symptoms = 0;
  bool core = false;
  if (complete) {
    for (int i = 1; i <= 8; ++i) symptoms += item(a, i) >= 2 ? 1 : 0;
    symptoms += item(a, 9) >= 1 ? 1 : 0;
    core = item(a, 1) >= 2 || item(a, 2) >= 2;
  }
  auto decide = [&](bool v) { return complete ? std::optional<bool>(v) : std::nullopt; };
  r.indicators.push_back({"major_depressive_syndrome", decide(core && symptoms >= 5),
                          "item 1 or 2 >=2 and >=5 symptoms (items 1-8 >=2, item 9 >=1)", src});
  r.indicators.push_back({"other_depressive_syndrome",
                          decide(core && symptoms >= 2 && symptoms <= 4),
                          "item 1 or 2 >=2 and 2-4 symptoms", src});
}

void gad7_indicators(ScoreResult& r) {
  r.indicators.push_back({"screen_positive",
                          r.total >= 10,
                          "total >=10 (sensitivity 89%, specificity 82%)",
                          {"Spitzer 2006 (via pbpsychiatricservices/jotform)"}});
}

// PCL-5 provisional diagnosis, both published ways (comorbidityguidelines.org.au; CamCOPS).
void pcl5_indicators(const std::vector<std::optional<int>>& a, ScoreResult& r) {
  r.indicators.push_back({"provisional_ptsd_cutoff",
                          r.total >= 33,
                          "total >=33 (published cut-point range 31-33; older NCPTSD text 38)",
                          {"CamCOPS pcl5.py (33); comorbidityguidelines.org.au (31-33)"}});
  auto endorsed = [&](int first, int last) {
    int n = 0;
    for (int i = first; i <= last; ++i) n += item(a, i) >= 2 ? 1 : 0;
    return n;
  };
  const bool met =
      endorsed(1, 5) >= 1 && endorsed(6, 7) >= 1 && endorsed(8, 14) >= 2 && endorsed(15, 20) >= 2;
  r.indicators.push_back({"dsm5_symptom_rule",
                          met,
                          "items >=2 endorsed; >=1 of B (1-5), >=1 of C (6-7), >=2 of D (8-14), "
                          ">=2 of E (15-20)",
                          {"comorbidityguidelines.org.au; CamCOPS pcl5.py"}});
}

void apply_safety(const InstrumentDefinition& d, const std::vector<std::optional<int>>& answers,
                  const ScoringOptions& o, int item_max, ScoreResult& r) {
  if (!d.safety) {
    if (o.safety_flag_min) {
      throw InputError("policy.safety_flag_min", std::string(d.name) + " has no safety item");
    }
    return;
  }
  const SafetyItem& s = *d.safety;
  int flag_min = s.flag_min;
  if (o.safety_flag_min) {
    if (*o.safety_flag_min < 1 || *o.safety_flag_min > item_max) {
      throw InputError("policy.safety_flag_min",
                       "must be between 1 and " + std::to_string(item_max) + " (item " +
                           std::to_string(s.item) + " of " + std::string(d.name) + ")");
    }
    flag_min = *o.safety_flag_min;
    r.policies.push_back("clinic policy (request): item " + std::to_string(s.item) + " flags '" +
                         std::string(s.flag) + "' at >=" + std::to_string(flag_min));
  } else if (s.threshold_source.policy) {
    r.policies.push_back(policy_note(s.threshold_source));
  }
  const auto& a = answers[static_cast<std::size_t>(s.item - 1)];
  if (!a) {
    // The sheet may still be scorable (proration), but the safety question was not answered:
    // say so rather than stay silent; a clinician asks it (review).
    r.flags.push_back(std::string(s.flag) + "_unassessed");
    r.flag_urgency = "review";
  } else if (*a >= flag_min) {
    r.flags.emplace_back(s.flag);
    // A clinic that raises the flag threshold never makes a flag less urgent than "urgent" at
    // the item's urgent level.
    const int urgent_min = std::max(s.urgent_min, flag_min);
    r.flag_urgency = *a >= urgent_min ? "urgent" : "review";
    r.safety_answer = *a;
    if (s.urgent_source.policy) r.policies.push_back(policy_note(s.urgent_source));
  }
  if (r.flag_urgency) {
    r.safety_item = s.item;
    r.crisis_guidance = kCrisisGuidance;
    r.policies.push_back(policy_note(kCrisisGuidanceSource));
  }
}

}  // namespace

std::optional<std::string_view> band_of(const BandSet& set, double total) {
  std::optional<std::string_view> found;
  for (const auto& b : set.bands) {
    if (total >= b.min) found = b.name;
  }
  return found;
}

ScoreResult score_sheet(const InstrumentDefinition& d,
                        const std::vector<std::optional<int>>& answers,
                        const ScoringOptions& options) {
  ScoreResult r;
  r.instrument = &d;
  const int item_max = resolve_item_max(d, options, r.policies);
  check_answers(d, answers, item_max);
  r.band_set = choose_band_set(d, options.band_set);
  r.answered = count_answered(answers, 1, d.item_count);
  r.missing = d.item_count - r.answered;
  r.total_min = d.total_min;
  r.total_max =
      d.scoring == Scoring::sum ? static_cast<double>(item_max) * d.item_count : d.total_max;

  switch (d.scoring) {
    case Scoring::sum:
      score_sum(d, answers, r);
      add_sum_subscales(d, answers, item_max, r);
      break;
    case Scoring::domain_max:
      score_domains(d, answers, r);
      break;
    case Scoring::bpi_severity:
      score_bpi(d, answers, r);
      break;
  }
  if (r.band_set) r.band = band_of(*r.band_set, r.total);
  apply_safety(d, answers, options, item_max, r);
  if (d.id == "phq9") phq9_indicators(answers, r);
  if (d.id == "gad7") gad7_indicators(r);
  if (d.id == "pcl5") pcl5_indicators(answers, r);
  return r;
}

}  // namespace kit::instruments
