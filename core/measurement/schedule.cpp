#include "core/measurement/schedule.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace kit::measurement {

std::string_view moment_name(Moment m) {
  switch (m) {
    case Moment::baseline:
      return "baseline";
    case Moment::before_infusion:
      return "before_infusion";
    case Moment::after_infusion:
      return "after_infusion";
    case Moment::weekly_maintenance:
      return "weekly_maintenance";
  }
  return "baseline";
}

std::optional<Moment> moment_from_name(std::string_view name) {
  for (Moment m : {Moment::baseline, Moment::before_infusion, Moment::after_infusion,
                   Moment::weekly_maintenance}) {
    if (moment_name(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view status_name(Status s) {
  switch (s) {
    case Status::upcoming:
      return "upcoming";
    case Status::due:
      return "due";
    case Status::done:
      return "done";
    case Status::missed:
      return "missed";
  }
  return "upcoming";
}

Policy default_policy(std::string_view indication) {
  // The primary instrument is asked at every occasion; a secondary one at baseline and weekly
  // (a fuller picture without doubling the burden at every infusion).
  std::string primary = "phq9";
  std::optional<std::string> secondary;
  if (indication == "depression") {
    secondary = "gad7";
  } else if (indication == "ptsd") {
    primary = "pcl5";
    secondary = "phq9";
  } else if (indication == "chronic_pain") {
    primary = "nrs";
    secondary = "phq9";
  }
  Policy p;
  for (Moment m : {Moment::baseline, Moment::before_infusion, Moment::after_infusion,
                   Moment::weekly_maintenance}) {
    p.rules.push_back({primary, m});
  }
  if (secondary) {
    p.rules.push_back({*secondary, Moment::baseline});
    p.rules.push_back({*secondary, Moment::weekly_maintenance});
  }
  return p;
}

std::vector<Occasion> occasions(const Policy& policy, const Course& course, std::int64_t until_ms) {
  std::vector<const Infusion*> live;
  for (const Infusion& i : course.infusions) {
    if (!i.cancelled) live.push_back(&i);
  }
  std::sort(live.begin(), live.end(),
            [](const Infusion* a, const Infusion* b) { return a->start_ms < b->start_ms; });
  const std::int64_t end = course.ended_ms ? std::min(*course.ended_ms, until_ms) : until_ms;

  std::vector<Occasion> out;
  for (const Rule& rule : policy.rules) {
    auto add = [&](Moment m, int number, int week, std::int64_t opens, std::int64_t closes) {
      if (closes <= opens) return;
      out.push_back({rule.instrument_id, m, number, week, opens, closes});
    };
    switch (rule.moment) {
      case Moment::baseline:
        if (!live.empty()) {
          const std::int64_t first = live.front()->start_ms;
          add(Moment::baseline, 0, 0, first - policy.baseline_window_ms, first);
        }
        break;
      case Moment::before_infusion:
        for (std::size_t k = 0; k < live.size(); ++k) {
          if (k == 0) continue;  // the baseline stands before the first infusion
          const std::int64_t start = live[k]->start_ms;
          add(Moment::before_infusion, live[k]->number, 0, start - policy.before_window_ms, start);
        }
        break;
      case Moment::after_infusion:
        for (const Infusion* i : live) {
          if (!i->end_ms) continue;
          const std::int64_t aim = *i->end_ms + policy.after_delay_ms;
          add(Moment::after_infusion, i->number, 0, aim - policy.after_early_ms,
              aim + policy.after_late_ms);
        }
        break;
      case Moment::weekly_maintenance:
        if (course.maintenance_from_ms && policy.week_ms > 0) {
          int week = 1;
          for (std::int64_t opens = *course.maintenance_from_ms; opens < end;
               opens += policy.week_ms, ++week) {
            add(Moment::weekly_maintenance, 0, week, opens, opens + policy.week_ms);
          }
        }
        break;
    }
  }
  std::sort(out.begin(), out.end(), [](const Occasion& a, const Occasion& b) {
    return std::tie(a.closes_ms, a.opens_ms, a.instrument_id) <
           std::tie(b.closes_ms, b.opens_ms, b.instrument_id);
  });
  return out;
}

Taken taken_on_day(std::string instrument_id, std::int64_t assessment_id, std::int64_t recorded_ms,
                   std::int64_t day_starts_ms, std::int64_t day_ends_ms) {
  Taken t{std::move(instrument_id), recorded_ms, assessment_id, std::nullopt, std::nullopt};
  if (day_ends_ms <= day_starts_ms) return t;  // not a day: only the recording time is known
  if (recorded_ms >= day_starts_ms && recorded_ms < day_ends_ms) return t;  // the same day
  if (recorded_ms < day_starts_ms) return t;  // dated after it was recorded: the recording time
  t.earliest_ms = day_starts_ms;
  t.latest_ms = std::min(day_ends_ms - 1, recorded_ms);
  return t;
}

std::vector<OccasionStatus> statuses(const std::vector<Occasion>& occasions,
                                     const std::vector<Taken>& taken, std::int64_t now_ms) {
  std::vector<OccasionStatus> out;
  out.reserve(occasions.size());
  for (const Occasion& o : occasions) out.push_back({o, Status::upcoming, std::nullopt});

  // Earliest deadline first, per instrument: the sheets in the order of the latest time each can
  // have been taken (a sheet recorded as answered: its recording time), each to the unsatisfied
  // occasion it may satisfy that closes first. A sheet may satisfy an occasion when the time it
  // was taken, [earliest, latest], meets the window [opens, closes). Why this is a maximum
  // matching: if sheet S (latest l_S) takes occasion A though a best assignment gives S occasion B
  // (closing no earlier than A) and A to a later sheet T (l_T >= l_S), then T may satisfy B too
  // (T starts before A closes, so before B closes; it ends at or after l_S, which is at or after B
  // opens), and swapping A and B loses nothing. The exhaustive comparison in
  // tests/core/measurement/schedule_test.cpp checks it on random mixes of instants and days.
  std::vector<const Taken*> in_order;
  for (const Taken& t : taken) in_order.push_back(&t);
  std::stable_sort(in_order.begin(), in_order.end(),
                   [](const Taken* a, const Taken* b) { return a->latest() < b->latest(); });
  for (const Taken* t : in_order) {
    OccasionStatus* best = nullptr;
    for (OccasionStatus& s : out) {
      const Occasion& o = s.occasion;
      if (s.assessment_id || o.instrument_id != t->instrument_id) continue;
      if (t->latest() < o.opens_ms || t->earliest() >= o.closes_ms) continue;
      if (!best || o.closes_ms < best->occasion.closes_ms) best = &s;
    }
    if (best) best->assessment_id = t->assessment_id;
  }
  for (OccasionStatus& s : out) {
    if (s.assessment_id) {
      s.status = Status::done;
    } else if (now_ms >= s.occasion.closes_ms) {
      s.status = Status::missed;
    } else if (now_ms >= s.occasion.opens_ms) {
      s.status = Status::due;
    } else {
      s.status = Status::upcoming;
    }
  }
  return out;
}

}  // namespace kit::measurement
