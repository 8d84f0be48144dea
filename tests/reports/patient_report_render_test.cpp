// The patient letter's renderer: every user-entered text escaped (a hostile name, notes and an
// adverse-event description cannot open a tag), every quantity ISMP-formatted, the page closed to
// scripts and loads by its Content-Security-Policy.
#include <gtest/gtest.h>

#include <string>

#include "core/common/error.h"
#include "server/reports/html.h"
#include "server/reports/patient_report.h"

namespace {

using namespace kit::reports;

const std::string NB = "\xC2\xA0";
const std::string kHostile = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";

PatientReport sample() {
  PatientReport r;
  r.clinic_name = "Clinic & <b>Co</b>";
  r.generated_at = "2026-11-26T07:00";
  r.zone = "UTC";
  r.patient_id = 7;
  r.mrn = "KIT-000007";
  r.given_name = kHostile;
  r.family_name = "O'Brien";
  r.date_of_birth = "1980-01-01";
  r.age_years = 46;
  r.sex = "female";
  r.weight_kg = 70;
  r.indication = "depression";
  r.status = "in_treatment";
  CourseLine c;
  c.protocol_name = "Depression induction series";
  c.state = "induction";
  c.planned_infusions = 6;
  c.infusions_given = 1;
  c.notes = kHostile;
  c.events.push_back({"2026-11-02", "induction", kHostile});
  r.courses.push_back(c);
  InfusionLine i;
  i.number = 1;
  i.date = "2026-11-03";
  i.state = "discharged";
  i.planned_mg = 35;
  i.dosing_weight_kg = 70;
  i.planned_mg_per_kg = 0.5;
  i.delivered_mg = 34.98;
  i.delivered_mg_per_kg = 0.4997;
  i.infused_min = 40;
  i.highest_cadss = 12;
  r.infusions.push_back(i);
  r.total_delivered_mg = 1234.5;
  ScoreOutcome s;
  s.instrument = "phq9";
  s.name = "PHQ-9";
  s.total_max = 27;
  s.readings = {{"2026-11-01", 21}, {"2026-11-10", 8}};
  s.evaluated = true;
  s.baseline = 21;
  s.latest = 8;
  s.change_pct = -61.9;
  s.status = "response";
  s.reason = "reduction 61.9% >= 50%";
  s.response_line = 10.5;
  s.remission_line = 4;
  r.scores.push_back(s);
  r.adverse_events.push_back({"2026-11-03T09:10", "nausea", "mild", kHostile, kHostile});
  r.alerts.push_back({"2026-11-03T09:10", "safety_flag", "high", kHostile, "open"});
  return r;
}

TEST(PatientReportRender, EscapesEveryUserEnteredText) {
  const std::string html = render_patient_report_html(sample(), Paper::a4);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>Co"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img src=x "
                      "onerror=alert(1)&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("O&#39;Brien"), std::string::npos);
  EXPECT_NE(html.find("Clinic &amp; &lt;b&gt;Co&lt;/b&gt;"), std::string::npos);
}

TEST(PatientReportRender, WritesDosesTheIsmpWay) {
  const std::string html = render_patient_report_html(sample(), Paper::a4);
  EXPECT_NE(html.find("35" + NB + "mg"), std::string::npos);
  EXPECT_NE(html.find("0.5" + NB + "mg/kg"), std::string::npos);
  EXPECT_NE(html.find("34.98" + NB + "mg"), std::string::npos);
  EXPECT_NE(html.find("1,234.5" + NB + "mg"), std::string::npos);
  EXPECT_NE(html.find("40" + NB + "min"), std::string::npos);
  EXPECT_EQ(html.find("35.0"), std::string::npos);
  EXPECT_EQ(html.find(">.5"), std::string::npos);
}

TEST(PatientReportRender, ShowsTheOutcomeTrajectoryAndRecommendation) {
  const std::string html = render_patient_report_html(sample(), Paper::letter);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("response \xE2\x89\xA4 10.5"), std::string::npos);
  EXPECT_NE(html.find("PHQ-9"), std::string::npos);
  EXPECT_NE(html.find("No booster is indicated now"), std::string::npos);
  EXPECT_NE(html.find("size:letter"), std::string::npos);
}

TEST(PatientReportRender, ThePageRunsNoScriptAndLoadsNothing) {
  const std::string html = render_patient_report_html(sample(), Paper::a4);
  EXPECT_NE(
      html.find("http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;"),
      std::string::npos);
  EXPECT_EQ(html.find(" style=\""), std::string::npos);  // presentation attributes only
  EXPECT_EQ(html.find("unsafe-inline"), std::string::npos);
  const std::string policy = report_content_security_policy(Paper::a4);
  EXPECT_NE(policy.find("style-src 'sha256-"), std::string::npos);
  EXPECT_NE(policy, report_content_security_policy(Paper::letter));  // the stylesheet differs
}

TEST(PatientReportRender, PaperIsA4OrLetter) {
  EXPECT_EQ(parse_paper("a4", "paper"), Paper::a4);
  EXPECT_EQ(parse_paper("letter", "paper"), Paper::letter);
  try {
    parse_paper("legal", "paper");
    FAIL() << "legal accepted";
  } catch (const kit::InputError& e) {
    EXPECT_EQ(e.field(), "paper");
  }
}

}  // namespace
