#pragma once
// The drug library: the protocols a clinic allows, plus the infusion pump's own range. Built-in
// data lives in builtin_*.cpp; a clinic's own library (loaded later by the server) goes through the
// same validation, so a library with soft > hard or an uncited limit can never be used.
#include <string>
#include <vector>

#include "core/common/units.h"
#include "core/dosing/protocol.h"

namespace kit::dosing {

struct Pump {
  units::MlPerH resolution{0.1};  // programmable rate step
  std::vector<Limit> limits;      // quantity kRateMlPerH only
  std::string source;
};

struct LibraryProblem {
  std::string path;  // e.g. "protocols[3].limits[2]"
  std::string reason;
};

// Every reason the library must not be used; empty when it is sound.
std::vector<LibraryProblem> validate_library(const std::vector<Protocol>& protocols,
                                             const Pump& pump);

class DrugLibrary {
 public:
  // Throws kit::InputError naming the first problem ("library.protocols[i]...").
  DrugLibrary(std::vector<Protocol> protocols, Pump pump);

  const std::vector<Protocol>& protocols() const { return protocols_; }
  const Pump& pump() const { return pump_; }
  // nullptr when no protocol has this id.
  const Protocol* find(const std::string& id) const;

 private:
  std::vector<Protocol> protocols_;
  Pump pump_;
};

// The cited default library shipped with KIT (validated once, on first use).
const DrugLibrary& builtin_library();

// The parts of the built-in library, one per clinical area (builtin_*.cpp).
std::vector<Protocol> builtin_psychiatry_protocols();
std::vector<Protocol> builtin_pain_protocols();
std::vector<Protocol> builtin_ed_sedation_protocols();
Pump builtin_pump();

}  // namespace kit::dosing
