// The de-identified research CSV (fhir/research_export.h, docs/research-export.md).
#include "fhir/research_export.h"

#include <gtest/gtest.h>

#include <set>

#include "core/common/calendar.h"

namespace {

kit::fhir::PatientRecord patient(std::int64_t id, const std::string& dob) {
  kit::fhir::PatientRecord r;
  r.patient.id = id;
  r.patient.mrn = "KIT-00000" + std::to_string(id);
  r.patient.given_name = "Given" + std::to_string(id);
  r.patient.family_name = "Family" + std::to_string(id);
  r.patient.date_of_birth = dob;
  r.patient.sex = "male";
  r.patient.indication = "depression";
  kit::fhir::SessionRecord s;
  s.session.id = 100 + id;
  s.session.protocol_id = "psych";
  s.session.state = "discharged";
  s.session.dosing_weight_kg = 80;
  s.session.delivered_mg = 40;
  s.session.started_at_ms = 1'795'000'000'000;  // 2026-11-18
  s.session.created_at_ms = *s.session.started_at_ms;
  s.session.override_reason = "FREE TEXT";
  r.sessions.push_back(s);
  kit::storage::Assessment a;
  a.instrument = "phq9";
  a.total = 7;
  a.taken_on = "2026-11-25";
  a.status = "active";
  r.assessments.push_back(a);
  return r;
}

TEST(ResearchExport, ShiftIsPerPatientNeverZeroAndKeepsIntervals) {
  std::set<std::int64_t> shifts;
  for (std::int64_t id = 1; id <= 200; ++id) {
    const std::int64_t s = kit::fhir::research_day_shift(12345, id);
    EXPECT_GE(s, -365);
    EXPECT_LE(s, -1);
    shifts.insert(s);
  }
  EXPECT_GT(shifts.size(), 100u);  // spread, not one shift for all
  EXPECT_NE(kit::fhir::research_day_shift(1, 5), kit::fhir::research_day_shift(2, 5));

  const auto t = kit::fhir::research_tables({patient(5, "1980-01-01")}, 777, 0);
  const std::int64_t shift = kit::fhir::research_day_shift(777, 5);
  // 2026-11-18 is day 20775 since 1970-01-01.
  const std::string day = kit::calendar::format_day(20775 + shift);
  EXPECT_NE(t.infusions_csv.find("S0001,1," + day + ",46,male,depression,psych,discharged,80,"),
            std::string::npos)
      << t.infusions_csv;
  // The assessment a week later stays a week later.
  EXPECT_NE(t.assessments_csv.find("S0001," + kit::calendar::format_day(20782 + shift) + ",7,"),
            std::string::npos)
      << t.assessments_csv;
}

TEST(ResearchExport, AgesAbove89AreGroupedAndNoIdentifierIsWritten) {
  EXPECT_EQ(kit::fhir::research_age(89), "89");
  EXPECT_EQ(kit::fhir::research_age(90), "90+");
  EXPECT_EQ(kit::fhir::research_age(104), "90+");
  const auto t =
      kit::fhir::research_tables({patient(1, "1921-06-01"), patient(2, "1990-03-04")}, 9, 0);
  const std::string all = t.infusions_csv + t.assessments_csv;
  EXPECT_NE(all.find(",90+,"), std::string::npos) << all;
  for (const char* s : {"KIT-", "Given", "Family", "1921-06-01", "1990-03-04", "2026-11-18",
                        "2026-11-25", "FREE TEXT"}) {
    EXPECT_EQ(all.find(s), std::string::npos) << s << " in\n" << all;
  }
  EXPECT_EQ(t.infusion_rows, 2);
  EXPECT_EQ(t.assessment_rows, 2);
}

}  // namespace
