#pragma once
// Citations used by the built-in drug library. Section numbers refer to
// docs/reference/pharmacology.md; [P] primary, [S] secondary, [C] code (its tags).
// Items that no source gives are labelled "policy" where they are used.
namespace kit::dosing::src {

// --- Psychiatry (docs/reference/pharmacology.md §3.1-3.4)
inline constexpr const char* kZarate2006 =
    "Zarate 2006 Arch Gen Psychiatry: 0.5 mg/kg IV over 40 min "
    "(docs/reference/pharmacology.md §3.1) [P]";
inline constexpr const char* kAndrade2017 =
    "Andrade 2017 J Clin Psychiatry review: usual 0.5 mg/kg; some respond to 0.1, some need up "
    "to 0.75 mg/kg (docs/reference/pharmacology.md §3.1) [P]";
inline constexpr const char* kFava2020 =
    "Fava 2020 Mol Psychiatry: single 40-min infusions of 0.1, 0.2, 0.5, 1.0 mg/kg "
    "(docs/reference/pharmacology.md §3.1) [P]";
inline constexpr const char* kShiroma2014 =
    "Shiroma 2014 J Affect Disord: 6 x 0.5 mg/kg over 40 min, Mon-Wed-Fri over 12 days; Phillips "
    "2019 Am J Psychiatry: 6 infusions thrice weekly over 2 weeks "
    "(docs/reference/pharmacology.md §3.2) [P]";
inline constexpr const char* kPhillips2019Maintenance =
    "Phillips 2019 Am J Psychiatry: responders then received 4 once-weekly maintenance "
    "infusions (docs/reference/pharmacology.md §3.2) [P]";
inline constexpr const char* kFeder2014 =
    "Feder 2014 JAMA Psychiatry: single 0.5 mg/kg over 40 min "
    "(docs/reference/pharmacology.md §3.3) [S/P]";
inline constexpr const char* kFeder2021 =
    "Feder 2021 Am J Psychiatry: six 0.5 mg/kg infusions over 2 consecutive weeks, 3/week "
    "(docs/reference/pharmacology.md §3.3) [P]";
inline constexpr const char* kRodriguez2013 =
    "Rodriguez 2013 Neuropsychopharmacology: 0.5 mg/kg over 40 min "
    "(docs/reference/pharmacology.md §3.4) [P]";
inline constexpr const char* kSanacoraIbw =
    "Sanacora 2017 JAMA Psychiatry consensus, as quoted by Singh et al. 2019 J Clin Psychiatry "
    "letter: landmark trials dosed 0.5 mg/kg actual body weight; the consensus suggested ideal "
    "body weight especially when BMI >= 30 (found with search; not in "
    "docs/reference/pharmacology.md) [P, quoted]";
inline constexpr const char* kActualWeightNoSource =
    "no source states a weight basis; actual (total) body weight, as the trials dose 'per kg'";

// --- Pain (docs/reference/pharmacology.md §3.5)
inline constexpr const char* kSchwartzman2009 =
    "Schwartzman 2009 Pain: 4 h/day x 10 days; max 0.35 mg/kg/h, not > 25 mg/h (100 mg per "
    "4 h) (docs/reference/pharmacology.md §3.5) [P]";
inline constexpr const char* kCohen2018Crps =
    "Cohen 2018 Reg Anesth Pain Med consensus: CRPS 22 mg/h x 4 days, or 0.35 mg/kg/h over 4 h "
    "daily x 10 days (docs/reference/pharmacology.md §3.5) [S summary]";
inline constexpr const char* kCrpsFiveDay =
    "PMC2950807 inpatient racemic CRPS study: titrated 10-40 mg/h for 5 days "
    "(docs/reference/pharmacology.md §3.5) [P]";

// --- Infusion and product limits (docs/reference/pharmacology.md §7)
inline constexpr const char* kCheoMaxRate =
    "CHEO hospital library entry: ketamine infusion max 1500 ug/kg/h = 1.5 mg/kg/h "
    "(docs/reference/pharmacology.md §7) [P]";
inline constexpr const char* kCheoConcentrations =
    "CHEO: usual dilution 1 mg/mL; standard concentrations 1 and 5 mg/mL "
    "(docs/reference/pharmacology.md §7) [P]";
inline constexpr const char* kLabelDilution =
    "Ketalar label as quoted by droracle: 100 mg/mL must be diluted before IV use "
    "(docs/reference/pharmacology.md §7) [S]";
inline constexpr const char* kVialStrengths =
    "openFDA NDC records: strongest vial 100 mg/mL (docs/reference/pharmacology.md §7) [P]";
inline constexpr const char* kPumpMaxRate =
    "jarretrt/tci and opentiva pump.py: max infusion rate 1200 mL/h "
    "(docs/reference/pharmacology.md §2.6) [C]";
inline constexpr const char* kPumpResolution =
    "policy: the assumed pump programs rates in 0.1 mL/h steps; a rate below one step cannot run";

// --- ED procedural sedation (docs/reference/pharmacology.md §3.6; ACEP numbers are from WikEM /
// a blog [S])
inline constexpr const char* kAcepIvAdult =
    "ACEP 2011 (Green et al. Ann Emerg Med 57:449) via WikEM: IV adults 1 mg/kg over 30-60 s "
    "(docs/reference/pharmacology.md §3.6) [S]";
inline constexpr const char* kAcepIvChildren =
    "ACEP 2011 via WikEM: IV children 1.5-2 mg/kg over 30-60 s "
    "(docs/reference/pharmacology.md §3.6) [S]";
inline constexpr const char* kAcepIvRepeat =
    "ACEP 2011 via WikEM: IV repeat 0.5-1 mg/kg every 5-15 min PRN "
    "(docs/reference/pharmacology.md §3.6) [S]";
inline constexpr const char* kAcepIm =
    "ACEP 2011 via WikEM: IM 4-5 mg/kg, children and adults "
    "(docs/reference/pharmacology.md §3.6) [S]";
inline constexpr const char* kAcepImRepeat =
    "ACEP 2011 via WikEM: IM repeat 2-4 mg/kg if inadequate 10 min after the first dose "
    "(docs/reference/pharmacology.md §3.6) [S]";
inline constexpr const char* kAcepMinAge =
    "ACEP 2011 via WikEM: absolute contraindication age < 3 months "
    "(docs/reference/pharmacology.md §3.6) [S]";
inline constexpr const char* kLabelIvInduction =
    "Ketalar label via secondary summaries: IV induction 1-4.5 mg/kg, given over 60 s [S]; CHEO "
    "formulary: IV adult 1-4.5 mg/kg [P] (docs/reference/pharmacology.md §3.6)";
inline constexpr const char* kCheoIm =
    "CHEO formulary: IM 3-7 mg/kg (paeds), 3-8 mg/kg (adolescent/adult) "
    "(docs/reference/pharmacology.md §3.6) [P]";

// --- Policies (no published value exists; docs/reference/pharmacology.md §7: published ketamine
// smart-pump limits NOT FOUND)
inline constexpr const char* kAdultAgePolicy =
    "policy: adult protocols from 18 years (studied populations were adults; no age bound is "
    "given in docs/reference/pharmacology.md)";
inline constexpr const char* kReferenceWeightPolicy =
    "policy: absolute limit = the per-kg anchor at a 100-kg reference weight";

}  // namespace kit::dosing::src
