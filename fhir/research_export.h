#pragma once
// The de-identified research export (docs/research-export.md): one CSV row per infusion session
// and one per active assessment. Pure: records in, CSV text out. The rules, after HIPAA Safe
// Harbor (45 CFR 164.514(b)(2)): names, MRN, phone, e-mail, ids and every free-text field are
// dropped; each patient is a study number given in a random order; every date is shifted by a
// per-patient random number of days (drawn from `key`, kept nowhere) and times of day are
// dropped; ages above 89 are "90+"; the birth date itself is never written.
#include <cstdint>
#include <string>
#include <vector>

#include "fhir/record.h"

namespace kit::fhir {

struct ResearchTables {
  std::string infusions_csv;
  std::string assessments_csv;
  std::int64_t patients = 0;
  std::int64_t infusion_rows = 0;
  std::int64_t assessment_rows = 0;
};

// A fresh random key from the operating system (std::random_device): each export shifts dates
// and orders study numbers differently, and nothing stored can undo it.
std::uint64_t random_research_key();

// The date shift of one patient for `key`: a whole number of days in [-365, -1] (never 0).
std::int64_t research_day_shift(std::uint64_t key, std::int64_t patient_id);

// "90+" above 89, else the whole years.
std::string research_age(int years);

ResearchTables research_tables(const std::vector<PatientRecord>& records, std::uint64_t key,
                               std::int64_t now_ms);

}  // namespace kit::fhir
