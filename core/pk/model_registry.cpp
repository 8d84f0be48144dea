// The registry of published ketamine PK models. One entry per model; every number cites its source
// (see docs/reference/pharmacology.md §1 for the compiled reference and its source tags, and
// docs/pk-models.md for the per-model write-up). Engine units: mg, L, L/min, min.
#include <cmath>

#include "core/pk/model.h"

namespace kit::pk {

namespace {

constexpr double kPerHour = 1.0 / 60.0;  // L/h -> L/min

// Builds clearance parameters from a micro-constant encoding (V1 and k's, per minute).
Parameters from_micro(int n, double v1, double k10, double k12, double k21, double k13 = 0,
                      double k31 = 0) {
  Parameters p;
  p.compartments = n;
  p.v1_l = v1;
  p.cl_l_per_min = k10 * v1;
  if (n >= 2) {
    p.q2_l_per_min = k12 * v1;
    p.v2_l = v1 * k12 / k21;  // V2 = V1·k12/k21 (stanpumpR R/getDrugPK.R)
  }
  if (n >= 3) {
    p.q3_l_per_min = k13 * v1;
    p.v3_l = v1 * k13 / k31;  // V3 = V1·k13/k31
  }
  return p;
}

// Scaling factors relative to a 70 kg standard: volumes linear, clearances linear or ^0.75.
double linear70(const Patient& pt) { return pt.weight_kg / 70.0; }
double allometric70(const Patient& pt) { return std::pow(pt.weight_kg / 70.0, 0.75); }

// Two-compartment model from per-70 kg volumes (L) and clearances (L/h); clearances scaled
// allometrically (^0.75), volumes linearly.
Parameters two_cpt_allometric(const Patient& pt, double v1, double v2, double cl_h, double q_h) {
  Parameters p;
  p.compartments = 2;
  p.v1_l = v1 * linear70(pt);
  p.v2_l = v2 * linear70(pt);
  p.cl_l_per_min = cl_h * kPerHour * allometric70(pt);
  p.q2_l_per_min = q_h * kPerHour * allometric70(pt);
  return p;
}

// Domino EF et al., Anesth Analg 1982;61:87-92 (PMID 7198883), as encoded with four-decimal rate
// constants by opentiva ketamine.py and TCIsim; STANPUMP/stanpumpR round to three decimals.
Parameters domino1982(const Patient& pt) {
  return from_micro(3, 0.063 * pt.weight_kg, 0.4381, 0.5921, 0.2470, 0.5900, 0.0146);
}

// Clements & Nimmo 1981, 250 ug/kg bolus set, as encoded by opentiva ketamine.py (Clements250).
Parameters clements1981(const Patient& pt) {
  return from_micro(2, 1.7522 * pt.weight_kg, 0.0109, 0.0186, 0.0137);
}

// Hijazi 2003, as encoded by opentiva ketamine.py (Hijazi).
Parameters hijazi2003(const Patient& pt) {
  return from_micro(2, 1.08 * pt.weight_kg, 0.0333, 0.0088, 0.0030);
}

// Herd & Anderson 2007 abstract: V1 38.7, V2 102 L/70 kg; CL 90, Q 215 L/h/70 kg (allometric).
Parameters herd2007(const Patient& pt) { return two_cpt_allometric(pt, 38.7, 102, 90, 215); }

// Hornik 2018 as encoded by opentiva: V1 32.8, V2 152 L/70 kg; CL 38.9, Q 54.9 L/h/70 kg.
Parameters hornik2018(const Patient& pt) { return two_cpt_allometric(pt, 32.8, 152, 38.9, 54.9); }

// Sherwin 2015 abstract: V1 20.5, V2 220 L/70 kg; CL 87.9, Q 87.3 L/h/70 kg. The clearance exponent
// is NOT FOUND; ^0.75 is an assumption (see notes).
Parameters sherwin2015(const Patient& pt) { return two_cpt_allometric(pt, 20.5, 220, 87.9, 87.3); }

// Elkomy 2015 abstract: CL 60.6·(WT/70)^0.75, Q 73.2·(WT/70)^0.75 L/h; V1 57.3, V2 152 ·(WT/70) L.
Parameters elkomy2015(const Patient& pt) { return two_cpt_allometric(pt, 57.3, 152, 60.6, 73.2); }

// Kamp 2020 as encoded by opentiva ("Klamp"): V1 25, V2 56, V3 157 L; CL 84, Q2 161, Q3 79 L/h;
// everything scaled LINEARLY with WT/70.
Parameters kamp2020(const Patient& pt) {
  Parameters p;
  p.compartments = 3;
  const double f = linear70(pt);
  p.v1_l = 25 * f;
  p.v2_l = 56 * f;
  p.v3_l = 157 * f;
  p.cl_l_per_min = 84 * kPerHour * f;
  p.q2_l_per_min = 161 * kPerHour * f;
  p.q3_l_per_min = 79 * kPerHour * f;
  return p;
}

// Flint 2017 (nlmixr2lib Flint_2017_s_ketamine.R, Table 3): S-ketamine 2-cpt + S-norketamine.
Parameters flint2017(const Patient& pt) {
  Parameters p = two_cpt_allometric(pt, 7.73, 545, 112, 196);
  p.has_metabolite = true;
  p.met_v_l = 1.0 * linear70(pt);                           // Vsnk/Fm, fixed at 1 L/70 kg
  p.met_cl_l_per_min = 53.2 * kPerHour * allometric70(pt);  // Clsnk/Fm 53.2 L/h/70 kg
  p.met_cl_slope_per_h = 0.0087;                            // +0.870 %/h after the first dose
  return p;
}

// omega (SD of eta) from a log-normal CV: omega^2 = ln(1 + CV^2).
double omega_from_cv(double cv) { return std::sqrt(std::log1p(cv * cv)); }

const char* const kTpeakKe0 =
    "opentiva/opentiva opentiva/ketamine.py: 'from tpeak 1 min' (opentiva's own assumed time to "
    "peak effect, not a published estimate)";
const char* const kFlintSrc =
    "nlmixr2/nlmixr2lib inst/modeldb/specificDrugs/Flint_2017_s_ketamine.R (Flint 2017 Table 3)";

std::vector<ModelDefinition> build() {
  std::vector<ModelDefinition> m;
  m.push_back(ModelDefinition{
      .id = "domino1982",
      .citation = "Domino EF et al. Anesth Analg 1982;61:87-92 (PMID 7198883), as cited by "
                  "opentiva; stanpumpR R/drugs_ketamine.R (from STANPUMP's author) cites this "
                  "parameter set as Domino EF et al. Clin Pharmacol Ther 1984;36(5):645-653 "
                  "(PubMed 6488686) (docs/reference/pharmacology.md §13 on §1.1)",
      .population = Population::adult,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {std::nullopt, std::nullopt,
                    "study weight range NOT FOUND in the reference; physical limits only"},
      .age_y = {18, std::nullopt, "adult volunteers; exact age range NOT FOUND"},
      .typical = domino1982,
      .iiv = {},
      .correlations = {},
      .ke0 = Ke0{0.238, Ke0Provenance::published,
                 "Navarrete et al., J Clin Monit Comput 2025;39(2):349-354 (PMID 39546215): ANI "
                 "endpoint, estimated on Domino PK, n=20 (95% CI 0.20-0.28); primary paper not "
                 "seen, cited via TCIsim js/pk/ketamine.js"},
      .notes = "V1 0.063 L/kg; k10 0.4381, k12 0.5921, k13 0.5900, k21 0.2470, k31 0.0146 /min. "
               "IIV NOT FOUND: population runs need an explicit iiv_cv. Other ke0 values in code: "
               "opentiva 0.652 (tpeak 1 min), stanpumpR tpeak 3 min 'just a guess', STANPUMP 10 "
               "'no idea'. A public JS simulator's V2 0.207/V3 1.51 L/kg is inconsistent with the "
               "rate constants and is not used. stanpumpR's 70 kg test vector (CL 1.93158, Q2 "
               "2.61072 L/min, V2 10.56972 L) uses the three-decimal constants and differs from "
               "this four-decimal encoding by up to 2.3e-4 relative."});

  m.push_back(ModelDefinition{
      .id = "clements1981",
      .citation = "Clements & Nimmo. Br J Anaesth 1981;53:27 (PMID 7459184, DOI "
                  "10.1093/bja/53.1.27), 250 ug/kg bolus parameter set as encoded by opentiva "
                  "(class Clements250)",
      .population = Population::adult,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {std::nullopt, std::nullopt,
                    "study weight range NOT FOUND; opentiva codes no weight limits"},
      .age_y = {18, std::nullopt,
                "adult model; exact study age range NOT FOUND (opentiva codes no age limits)"},
      .typical = clements1981,
      .iiv = {},
      .correlations = {},
      .ke0 = Ke0{5.2, Ke0Provenance::code_convention, kTpeakKe0},
      .notes = "Encoding (opentiva): V1 1.7522 L/kg; k10 0.0109, k12 0.0186, k21 0.0137 /min, so "
               "CL 19.1 mL/kg/min, V2 2.379 L/kg. Author initials, the page range and the paper's "
               "own table NOT FOUND; "
               "only opentiva's encoding was seen. IIV and covariates NOT FOUND.",
      .tci_refused = "the central volume (V1 1.75 L/kg) was not identified from early samples: a "
                     "plasma TCI on it gives boluses that other models predict at 2,400-3,800 "
                     "ng/mL, the anaesthetic range (docs/reference/pharmacology.md §13 on §1.2, "
                     "§1.9)"});

  m.push_back(ModelDefinition{
      .id = "hijazi2003",
      .citation = "Hijazi et al. Br J Anaesth 2003 (PMID 12538370, DOI 10.1093/bja/aeg028): 12 "
                  "intensive care patients with brain or spinal cord injury; two-compartment set "
                  "as encoded by opentiva (class Hijazi)",
      .population = Population::adult,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {std::nullopt, std::nullopt, "study weight range NOT FOUND"},
      .age_y = {std::nullopt, std::nullopt,
                "study age range NOT FOUND: the abstract (Ovid, Br J Anaesth 2003) says only '12 "
                "intensive care patients with brain or spinal cord injury'; opentiva's age_upper "
                "18 is not copied (see notes)"},
      .typical = hijazi2003,
      .iiv = {},
      .correlations = {},
      .ke0 = Ke0{4.773, Ke0Provenance::code_convention, kTpeakKe0},
      .notes = "Encoding (opentiva): V1 1.08 L/kg; k10 0.0333, k12 0.0088, k21 0.0030 /min -> CL "
               "35.96 mL/kg/min, consistent with the abstract's total clearance 36.0 (SD 13.3) "
               "mL/min/kg; abstract Vbeta 16.0 (SD 8.6) L/kg, t1/2 4.9 (SD 1.6) h. opentiva codes "
               "age_upper 18, which would restrict an ICU study compared by its authors with "
               "healthy volunteers and surgical patients to children: an apparent opentiva bug, "
               "but the abstract does not state ages, so no age limit is enforced and the "
               "population is filed as adult provisionally (adulthood NOT confirmed). "
               "Norketamine parameters and IIV NOT FOUND. First author's initial from the "
               "reference title only; full author list NOT FOUND.",
      .tci_refused = "the central volume (V1 1.08 L/kg) was not identified from early samples: a "
                     "plasma TCI on it gives boluses that other models predict at 2,400-3,800 "
                     "ng/mL, the anaesthetic range (docs/reference/pharmacology.md §13 on §1.3, "
                     "§1.9)",
      .special_population =
          "Hijazi 2003 studied 12 intensive care patients with brain or spinal-cord injury whose "
          "PK differed from healthy volunteers (abstract [P]; docs/reference/pharmacology.md §10 "
          "on §1.3)"});

  m.push_back(ModelDefinition{
      .id = "herd2007",
      .citation = "Herd D, Anderson BJ. Ketamine disposition in children presenting for procedural "
                  "sedation and analgesia in a children's emergency department. Paediatr Anaesth "
                  "2007;17(7):622-9 (PMID 17564643, DOI 10.1111/j.1460-9592.2006.02145.x)",
      .population = Population::pediatric,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {10.8, 74.8,
                    "opentiva ketamine.py Herd weight_lower/upper (abstract: 32.5 SD 15.6 kg)"},
      .age_y = {1, 14, "opentiva ketamine.py Herd age_lower/upper (abstract: 8.3 SD 3.5 y)"},
      .typical = herd2007,
      .iiv = {{ParamId::v1, 0.64, "Herd 2007 abstract: BSV 64% (as SD of eta)"},
              {ParamId::v2, 0.517, "Herd 2007 abstract: BSV 51.7% (as SD of eta)"},
              {ParamId::cl, 0.381, "Herd 2007 abstract: BSV 38.1% (as SD of eta)"},
              {ParamId::q2, 0.19, "Herd 2007 abstract: BSV 19% (as SD of eta)"}},
      .correlations = {},
      // t1/2ke0 11 s -> ke0 = ln 2 / (11/60 min) = 3.781 /min, estimated on this cohort's PK.
      .ke0 = Ke0{0.69314718055994530942 / (11.0 / 60.0), Ke0Provenance::published,
                 "Herd, Anderson, Keene, Holford, Paediatr Anaesth 2008;18(1):36-42 (abstract): "
                 "effect-site equilibration half-time 11 s (95% CI 0.07-20 s), sedation endpoint"},
      .notes = "V1 38.7, V2 102 L x (WT/70); CL 90, Q 215 L/h x (WT/70)^0.75 (abstract: "
               "'standardized to a 70-kg person using allometric models'; exponents as coded by "
               "opentiva). BSV% is taken as the SD of eta (omega = BSV/100), the NONMEM/Holford "
               "convention; the abstract does not state the transform. A published paediatric PD "
               "study on this cohort (Herd, Anderson, "
               "Keene, Holford, Paediatr Anaesth 2008;18(1):36-42, abstract) reports an "
               "effect-site equilibration half-time of 11 s (95% CI 0.07-20 s) for sedation: that "
               "published value is the ke0 used (opentiva's 2.995 is a tpeak-1-min convention). "
               "Norketamine (Herd, Anderson & Holford "
               "2007) parameters NOT FOUND."});

  m.push_back(ModelDefinition{
      .id = "hornik2018",
      .citation = "Hornik et al. (Pediatric Trial Network), J Clin Pharmacol 2018 (PMID "
                  "29677389, DOI 10.1002/jcph.1116), as encoded by opentiva (class Hornik)",
      .population = Population::pediatric,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {2, 176, "opentiva ketamine.py Hornik weight_lower/upper"},
      .age_y = {1, 18, "opentiva ketamine.py Hornik age_lower/upper"},
      .typical = hornik2018,
      .iiv = {},
      .correlations = {},
      .ke0 = Ke0{4.212, Ke0Provenance::code_convention, kTpeakKe0},
      .notes = "V1 32.8, V2 152 L x (WT/70); CL 38.9, Q 54.9 L/h x (WT/70)^0.75 (opentiva). "
               "Abstract: IM bioavailability 41%; >750 ng/mL for procedures <=20 min; analgesia "
               ">100 ng/mL. IIV, volume/page numbers and the paper's own parameter table NOT "
               "FOUND. The first author's initials are not in the reference: 'Hornik et al.'"});

  m.push_back(ModelDefinition{
      .id = "sherwin2015",
      .citation = "Sherwin CMT et al. Development of an optimal sampling schedule for children "
                  "receiving ketamine for short-term procedural sedation and analgesia. Paediatr "
                  "Anaesth 2015;25(2):211-6 (PMID 25212712, DOI 10.1111/pan.12521)",
      .population = Population::pediatric,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {std::nullopt, std::nullopt, "study weight range NOT FOUND (abstract)"},
      .age_y = {std::nullopt, 18,
                "abstract population description '57 children' (upper bound 18 y from the word "
                "'children'); exact age range NOT FOUND"},
      .typical = sherwin2015,
      .iiv = {},
      .correlations = {},
      .ke0 = std::nullopt,
      .notes = "Abstract: V1 20.5 L/70 kg, V2 220 L/70 kg, Q 87.3 L/h/70 kg, CL 87.9 L/h/70 kg; "
               "57 children, 1-1.5 mg/kg IV bolus. Whether clearances scale linearly or with "
               "^0.75 is NOT FOUND in the abstract; the standard allometric model (CL, Q ^0.75; "
               "V ^1) is an ASSUMPTION. 'Population parameter variability ranged from 34% to "
               "98%': per-parameter IIV NOT FOUND, so none is registered. No ke0 published."});

  m.push_back(ModelDefinition{
      .id = "elkomy2015",
      .citation = "Elkomy MH, Drover DR, Hammer GB, Galinkin JL, Ramamoorthy C. Population "
                  "pharmacokinetics of ketamine in children with heart disease. Int J Pharm "
                  "2015;478(1):223-231 (PMID 25448584, DOI 10.1016/j.ijpharm.2014.11.026)",
      .population = Population::pediatric,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {std::nullopt, std::nullopt,
                    "study weight range NOT FOUND (abstract; its dosing simulations are stated for "
                    "children >= 1 y, weight >= 10 kg)"},
      .age_y = {0.5, 18, "Elkomy 2015 abstract: 21 children, 6 months to 18 years old"},
      .typical = elkomy2015,
      .iiv = {},
      .correlations = {},
      .ke0 = std::nullopt,
      .notes = "Abstract: CL 60.6 x (WT/70)^0.75 L/h, Q 73.2 x (WT/70)^0.75 L/h, V1 57.3 x "
               "(WT/70) L, V2 152 x (WT/70) L; 2 mg/kg IV, sampled over 8 h; children with "
               "cardiac disease. Simulated regimen: 2 mg/kg over 1 min, 6.3 mg/kg/h to 30 min, "
               "4.5 mg/kg/h 30-80 min, 3.9 mg/kg/h 80-120 min. IIV NOT FOUND. No ke0 published."});

  m.push_back(ModelDefinition{
      .id = "kamp2020",
      .citation = "Kamp J, Olofsen E, Henthorn TK, van Velzen M, Niesters M, Dahan A. "
                  "Anesthesiology 2020;133(6):1192-1213 (DOI 10.1097/ALN.0000000000003577), "
                  "three-compartment set as encoded by opentiva (class 'Klamp')",
      .population = Population::adult,
      .compounds = {"ketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {std::nullopt, std::nullopt,
                    "meta-analysis of adult and paediatric data; ranges NOT FOUND"},
      .age_y = {std::nullopt, std::nullopt,
                "meta-analysis of adult and paediatric data; ranges NOT FOUND"},
      .typical = kamp2020,
      .iiv = {},
      .correlations = {},
      .ke0 = Ke0{2.791, Ke0Provenance::code_convention, kTpeakKe0},
      .notes = "V1 25, V2 56, V3 157 L x (WT/70); CL 84, Q2 161, Q3 79 L/h x (WT/70) scaled "
               "LINEARLY, as encoded in opentiva. Another code (anon TS registry "
               "'KETAMINE_KAMP') uses the same numbers but scales clearances (WT/70)^0.75 and "
               "offers no ke0 ('no reliable ke0'). The abstract reports weighted mean Vd 252 "
               "L/70 kg and CL 79 L/h at 70 kg, no covariate effects, and a raw-data model with "
               "venous delay compartments; the paper's own V1/V2/V3/Q values NOT FOUND (only "
               "code encodings seen; the opentiva ketamine.py revision read for this entry had "
               "no Klamp class, the lead saw it in another). IIV NOT FOUND. Predictions are "
               "ARTERIAL: the abstract's model has 'one central arterial compartment'; "
               "venous-sampled models show 'substantially higher context-sensitive half-times' "
               "(docs/reference/pharmacology.md §13 on §1.6).",
      .sampling_site = "arterial",
      .cautions = {"kamp2020 clearance exponent unconfirmed: opentiva scales clearances linearly "
                   "with WT/70, another code uses (WT/70)^0.75, and the paper's table was not "
                   "retrieved (docs/reference/pharmacology.md §13 on §1.6)"}});

  m.push_back(ModelDefinition{
      .id = "flint2017",
      .citation = "Flint RB, Brouwer CNM, Kranzlin ASC, Lie-A-Huen L, Bos AP, Mathot RAA. "
                  "Pharmacokinetics of S-ketamine during prolonged sedation at the pediatric "
                  "intensive care unit. Pediatr Anesth 2017;27(11):1098-1107 (DOI "
                  "10.1111/pan.13239)",
      .population = Population::pediatric,
      .compounds = {"S-ketamine", "S-norketamine"},
      .covariates = {"weight_kg"},
      .weight_kg = {3.4, 35, std::string(kFlintSrc) + " population.weight_range (n=25)"},
      .age_y = {0.02, 12.5, std::string(kFlintSrc) + " population.age_range (n=25)"},
      .typical = flint2017,
      .iiv = {{ParamId::cl, omega_from_cv(0.402),
               std::string(kFlintSrc) + ": CV 40.2% on CL, omega^2 = ln(1+CV^2) = 0.14980 (the "
                                        "file's comment states 0.14965, an arithmetic slip)"},
              {ParamId::met_cl, omega_from_cv(1.04),
               std::string(kFlintSrc) + ": CV 104% on CLM, omega^2 = ln(1+CV^2) = 0.73314 (the "
                                        "file's comment states 0.73326, an arithmetic slip)"}},
      .correlations = {{ParamId::cl, ParamId::met_cl, 0.506,
                        std::string(kFlintSrc) + ": r = 0.506 between CL and CLM etas"}},
      .ke0 = std::nullopt,
      .notes = "S-ketamine: CL 112 L/h, V1 7.73 L, Q 196 L/h, V2 545 L at 70 kg; CL and Q "
               "(WT/70)^0.75, volumes (WT/70)^1 (exponents fixed, Methods 2.4). S-norketamine "
               "(one apparent compartment fed by the parent's elimination): CL/Fm 53.2 L/h "
               "(^0.75), V/Fm 1 L fixed (^1), CL rising 0.870%/h with time after the first dose "
               "(met_cl_slope_per_h 0.0087). IIV only on CL and CLM (others not estimable). "
               "Doses are S-ketamine mg: do not feed racemic doses. Infusion 0.3-3.6 mg/kg/h "
               "in mechanically ventilated PICU children. Residual error 41.9%/47.5% "
               "proportional (not used by the engine). No ke0 published.",
      .special_population = "Flint 2017 studied 25 mechanically ventilated children in a "
                            "paediatric intensive care unit (Pediatr Anesth 2017;27:1098 abstract; "
                            "docs/reference/pharmacology.md §1.7)",
      .enantiomer = "S"});
  return m;
}

}  // namespace

const std::vector<ModelDefinition>& model_registry() {
  static const std::vector<ModelDefinition> registry = build();
  return registry;
}

}  // namespace kit::pk
