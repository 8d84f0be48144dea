// The clinic report's renderer over the core's analytics of a hand-made cohort: plots (Wilson
// bars, response by infusion, the Kaplan-Meier curve) and tables, percentages the ISMP way,
// small groups suppressed without figures, nothing but escaped text.
#include <gtest/gtest.h>

#include <string>

#include "core/outcomes/analytics.h"
#include "server/reports/clinic_report.h"

namespace {

using namespace kit::reports;
namespace an = kit::outcomes::analytics;

// Five depression courses on the PHQ-9: baseline 20 before infusion 1, then 8 after infusion 3
// (a 60 % reduction: response by Keith et al. >= 50 %, core/outcomes/criteria.cpp) in four of
// them, 18 in the fifth (no response). Responders: 4 of 5 = 80 %, Wilson 95 % 38-96 %
// (docs/clinical-rules/outcome-analytics.md §1.1 worked example: [0.375535, 0.963776]).
an::AnalyticsInput cohort() {
  an::AnalyticsInput in;
  in.as_of = "2026-03-31";
  for (int c = 0; c < 5; ++c) {
    an::CourseRecord r;
    r.indication = "depression";
    r.protocol = "depression-induction-series";
    r.course_start = "2026-01-01";
    r.planned_induction_infusions = 6;
    const char* days[] = {"2026-01-05", "2026-01-07", "2026-01-09",
                          "2026-01-12", "2026-01-14", "2026-01-16"};
    for (int k = 0; k < 6; ++k) {
      an::InfusionRecord i;
      i.number = k + 1;
      i.date = days[k];
      i.cadss_total = 10 + c;
      r.infusions.push_back(i);
    }
    r.assessments.push_back({"phq9", "2026-01-04", 20});
    r.assessments.push_back({"phq9", "2026-01-10", c < 4 ? 8.0 : 18.0});
    r.assessments.push_back({"phq9", "2026-02-10", c < 4 ? 7.0 : 18.0});
    if (c == 0) r.adverse_events.push_back({"2026-01-05", "nausea", "mild"});
    in.courses.push_back(r);
  }
  return in;
}

ClinicReport report_of(const an::AnalyticsResult& result, int patients, bool suppress) {
  ClinicReport r;
  r.clinic_name = "North <Clinic>";
  r.from = "2026-01-01";
  r.to = "2026-03-31";
  r.as_of = result.as_of;
  r.generated_at = "2026-03-31T12:00 (UTC)";
  r.courses = 5;
  r.patients = patients;
  r.small_cells_applied = suppress;
  for (const an::GroupOutcomes& g : result.groups) {
    ClinicGroup cg;
    cg.indication = g.indication;
    cg.protocol = g.protocol;
    cg.protocol_name = "Depression induction series";
    cg.patients = patients;
    cg.suppressed = suppress && patients < kSmallCellPatients;
    if (!cg.suppressed) cg.outcomes = g;
    r.groups.push_back(cg);
  }
  return r;
}

TEST(ClinicReportRender, PlotsAndTablesOfTheCoreAnalytics) {
  const an::AnalyticsResult result = an::analyze(cohort());
  ASSERT_EQ(result.groups.size(), 1u);
  const std::string html = render_clinic_report_html(report_of(result, 5, true), Paper::a4);
  EXPECT_NE(html.find("PHQ-9"), std::string::npos);
  EXPECT_NE(html.find("4/5  80% (38-96%)"), std::string::npos) << "the responder bar's label";
  EXPECT_NE(html.find("by infusion 6"), std::string::npos);
  EXPECT_NE(html.find("Kaplan-Meier"), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("nausea"), std::string::npos);
  EXPECT_NE(html.find("North &lt;Clinic&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<Clinic>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("Depression induction series"), std::string::npos);
}

TEST(ClinicReportRender, SmallGroupsShowNoFigures) {
  const an::AnalyticsResult result = an::analyze(cohort());
  const std::string html = render_clinic_report_html(report_of(result, 4, true), Paper::a4);
  EXPECT_NE(html.find("Suppressed: fewer than 5 patients"), std::string::npos);
  EXPECT_EQ(html.find("4/5"), std::string::npos);
  EXPECT_EQ(html.find("nausea"), std::string::npos);
  // A physician's own copy shows the group.
  const std::string all = render_clinic_report_html(report_of(result, 4, false), Paper::a4);
  EXPECT_NE(all.find("4/5"), std::string::npos);
}

}  // namespace
