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
inline constexpr const char* kPsychiatricIbw =
    "Sanacora 2017 JAMA Psychiatry consensus, as quoted by Singh et al. 2019 J Clin Psychiatry "
    "letter: 'dosing based on calculated ideal body weight, especially in patients with BMI >= "
    "30' (found with search; not in docs/reference/pharmacology.md) [P, quoted]; applied at the "
    "printed BMI >= 30.0 and, as clinic policy, to every psychiatric 0.5 mg/kg 40-min infusion "
    "(PTSD and OCD trials dosed the same 0.5 mg/kg over 40 min and name no weight basis, §3.3-3.4)";
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
    "(docs/reference/pharmacology.md §3.5, §10) [P]";
inline constexpr const char* kSigtermans2009 =
    "Sigtermans 2009 Pain 145:304: S(+)-ketamine, 'individualized stepwise tailoring of dosage "
    "based on effect and side effects', end-of-infusion dose 22.2 +/- 2.0 mg/h per 70 kg "
    "(docs/reference/pharmacology.md §10, superseding §3.5) [P]";
inline constexpr const char* kCrpsTitrationStart =
    "policy: racemic start = PMC2950807's starting rate 10 mg/h (docs/reference/pharmacology.md "
    "§10) [P] per 70 kg (the reference weight of Sigtermans 2009's per-70-kg dosing, §10) = "
    "0.143, rounded down to 0.14 mg/kg/h; the default never starts above 10 mg/h";

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
inline constexpr const char* kAcepMinAge =
    "ACEP 2011 via WikEM: absolute contraindication age < 3 months "
    "(docs/reference/pharmacology.md §3.6) [S]";
inline constexpr const char* kLabelIvInduction =
    "Ketalar label via secondary summaries: IV induction 1-4.5 mg/kg, given over 60 s [S]; CHEO "
    "formulary: IV adult 1-4.5 mg/kg [P] (docs/reference/pharmacology.md §3.6)";
inline constexpr const char* kAcepImChildrenIvAdults =
    "ACEP 2011 (Green et al. Ann Emerg Med 57:449; verbatim copy on sciensity.blogspot.com): "
    "'Administer ketamine 4 to 5 mg/kg IM in children; the IV route is preferred for adults.' "
    "(docs/reference/pharmacology.md §13, superseding §3.6) [S]";
inline constexpr const char* kAcepImRepeatFullOrHalf =
    "ACEP 2011: 'Repeat ketamine dose (full or half dose IM) if sedation is inadequate after 5 "
    "to 10 minutes.' (docs/reference/pharmacology.md §13, superseding §3.6) [S]";
inline constexpr const char* kAcepUnusuallyHighIv =
    "ACEP 2011: emesis and apnoea rise with 'unusually high IV doses (ie, initial dose 2.5 mg/kg "
    "or total dose 5.0 mg/kg)' (docs/reference/pharmacology.md §13) [S]";
inline constexpr const char* kImVialStrengths =
    "policy: IM is given from the vial; vial strengths for IM use are 50 and 100 mg/mL (openFDA, "
    "docs/reference/pharmacology.md §13) [S]: nothing weaker than 50 mg/mL is injected IM";
inline constexpr const char* kImVolumeAdult =
    "policy: maximum IM volume per injection site is NOT FOUND in docs/reference/pharmacology.md "
    "(§13); anchor found with search, not in the reference: droracle.ai 'generally no more than "
    "5 mL for large muscles in adults'; biologyinsights.com, askvity.info: 3 mL a common maximum "
    "[S]. Soft 3 mL, hard 5 mL per site";
inline constexpr const char* kImVolumeChild =
    "policy: maximum IM volume per injection site is NOT FOUND in docs/reference/pharmacology.md "
    "(§13); anchor found with search, not in the reference: droracle.ai 'no more than 1 mL for "
    "infants and small children' [S] (soft 1 mL); hard 3 mL, the adult common maximum "
    "(biologyinsights.com, askvity.info [S])";
inline constexpr const char* kIvPushVolume =
    "policy: one IV push is at most one 20-mL vial of the 10 mg/mL product (Ketalar 10 mg/mL, "
    "20-mL vial: openFDA, docs/reference/pharmacology.md §7 [P]) = hard 20 mL; soft 10 mL = the "
    "ACEP adult 1 mg/kg at the 100-kg reference weight drawn at 10 mg/mL";
inline constexpr const char* kImCumulativeSoft =
    "policy: ACEP first IM dose up to 5 mg/kg plus one full repeat dose = 10 mg/kg "
    "(docs/reference/pharmacology.md §13) [S]";
inline constexpr const char* kImCumulativeHard =
    "policy: Ketalar label IM 6.5-13 mg/kg (docs/reference/pharmacology.md §3.6) [S]: its upper "
    "single dose bounds the whole episode";
inline constexpr const char* kAdultImDoseMg =
    "policy: ACEP IM 4 mg/kg (docs/reference/pharmacology.md §13) at the 100-kg reference "
    "weight = 400 mg; no source gives a lean weight basis for IM ketamine, so an adult above "
    "100 kg dosed on total body weight needs a documented reason";
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
