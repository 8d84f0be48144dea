#pragma once
// A dosing regimen: boluses and zero-order infusions (overlapping allowed), turned into a sorted
// list of events at which the total input rate changes or a bolus enters.
#include <vector>

namespace kit::pk {

struct Dose {
  double start_min = 0;
  double duration_min = 0;  // 0: bolus
  double amount_mg = 0;
};

struct Event {
  double t_min = 0;
  double bolus_mg = 0;
  double rate_change_mg_per_min = 0;
};

// Sorted by time; events at the same instant are merged (boluses summed, rate changes summed).
std::vector<Event> build_events(const std::vector<Dose>& doses);

// End of the last dose (bolus time or infusion stop); 0 for an empty regimen.
double last_input_time_min(const std::vector<Dose>& doses);

}  // namespace kit::pk
