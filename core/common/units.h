#pragma once
// Units are where dosing errors are born. Clinical quantities travel as distinct types so that a
// dose in mg can never be passed where mg/kg or micrograms are expected, and a rate in mL/h is not a
// rate in mg/h. Construction is explicit; the raw number is read with .value() at the boundary.
#include <compare>

namespace kit::units {

template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double v) : v_(v) {}
  constexpr double value() const { return v_; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(v_ + o.v_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(v_ - o.v_); }
  constexpr Quantity operator*(double k) const { return Quantity(v_ * k); }
  constexpr Quantity operator/(double k) const { return Quantity(v_ / k); }
  constexpr double operator/(Quantity o) const { return v_ / o.v_; }
  constexpr Quantity& operator+=(Quantity o) {
    v_ += o.v_;
    return *this;
  }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  double v_ = 0.0;
};

// Mass and amount
using Mg = Quantity<struct MgTag>;
using Mcg = Quantity<struct McgTag>;
using Kg = Quantity<struct KgTag>;
// Dose per weight
using MgPerKg = Quantity<struct MgPerKgTag>;
// Rates
using MgPerH = Quantity<struct MgPerHTag>;
using MgPerMin = Quantity<struct MgPerMinTag>;
using MgPerKgPerH = Quantity<struct MgPerKgPerHTag>;
using McgPerKgPerMin = Quantity<struct McgPerKgPerMinTag>;
using McgPerH = Quantity<struct McgPerHTag>;
using MlPerH = Quantity<struct MlPerHTag>;
// Volume and concentration
using Ml = Quantity<struct MlTag>;
using L = Quantity<struct LTag>;
using MgPerMl = Quantity<struct MgPerMlTag>;
using NgPerMl = Quantity<struct NgPerMlTag>;
// Time
using Minutes = Quantity<struct MinutesTag>;
using Hours = Quantity<struct HoursTag>;
using Cm = Quantity<struct CmTag>;
using Years = Quantity<struct YearsTag>;

// The only cross-unit arithmetic allowed, each spelled out.
constexpr Mg dose_for(MgPerKg d, Kg w) { return Mg(d.value() * w.value()); }
constexpr MgPerH rate_for(MgPerKgPerH r, Kg w) { return MgPerH(r.value() * w.value()); }
constexpr MlPerH pump_rate(MgPerH r, MgPerMl c) { return MlPerH(r.value() / c.value()); }
constexpr Ml volume_for(Mg d, MgPerMl c) { return Ml(d.value() / c.value()); }
constexpr Mg mg_from(Mcg m) { return Mg(m.value() / 1000.0); }
constexpr MgPerH mg_per_h(MgPerMin r) { return MgPerH(r.value() * 60.0); }
constexpr MgPerKgPerH mg_per_kg_per_h(McgPerKgPerMin r) { return MgPerKgPerH(r.value() * 60.0 / 1000.0); }
// Plasma concentrations: the PK engine works in mg and L, so mg/L (= ug/mL); reports use ng/mL.
constexpr NgPerMl ng_per_ml_from_mg_per_l(double mg_per_l) { return NgPerMl(mg_per_l * 1000.0); }
constexpr double mg_per_l_from(NgPerMl c) { return c.value() / 1000.0; }

}  // namespace kit::units
