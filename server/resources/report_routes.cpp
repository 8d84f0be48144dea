// Printed reports over HTTP (server/reports, docs/reports.md): the patient letter for the referring
// clinician and the clinic's outcomes report, as HTML or as a PDF printed by headless Chromium in a
// child process with a time limit (server/reports/pdf.h). Reading a patient's record for a report
// is audited like every patient-data route (the router writes the row, allowed or denied).
#include <string>

#include "core/common/error.h"
#include "server/api/services.h"
#include "server/reports/clinic_report.h"
#include "server/reports/html.h"
#include "server/reports/patient_report.h"
#include "server/reports/pdf.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

enum class Format { html, pdf };

Format format_of(const Request& req) {
  auto it = req.query.find("format");
  if (it == req.query.end() || it->second == "html") return Format::html;
  if (it->second == "pdf") return Format::pdf;
  throw InputError("format", "must be html or pdf");
}

reports::Paper paper_of(const Request& req) {
  auto it = req.query.find("paper");
  if (it == req.query.end()) return reports::Paper::a4;
  return reports::parse_paper(it->second, "paper");
}

Response document(const std::string& html, Format format, reports::Paper paper,
                  const std::string& file_stem) {
  Response r;
  r.status = 200;
  if (format == Format::pdf) {
    r.body = reports::html_to_pdf(html);
    r.content_type = "application/pdf";
    r.set_header("Content-Disposition", "attachment; filename=\"" + file_stem + ".pdf\"");
  } else {
    r.body = html;
    r.content_type = "text/html; charset=utf-8";
    r.set_header("Content-Security-Policy", reports::report_content_security_policy(paper));
    r.set_header("Content-Disposition", "inline; filename=\"" + file_stem + ".html\"");
  }
  return r;
}

Response patient_report(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const Format format = format_of(ctx.request());
  const reports::Paper paper = paper_of(ctx.request());
  const reports::PatientReport report =
      reports::load_patient_report(ctx.tx(), patient_id, ctx.services().now_ms());
  return document(reports::render_patient_report_html(report, paper), format, paper,
                  "kit-patient-" + std::to_string(patient_id) + "-report");
}

std::string required_query(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) {
    throw InputError(name, "is required (YYYY-MM-DD)");
  }
  return it->second;
}

// Aggregates only: the router writes one audit row per call (no patient), as for
// GET /api/v1/analytics/outcomes. Small groups are suppressed except for physicians (ADR 0026).
Response clinic_report(RouteContext& ctx) {
  for (const auto& [name, value] : ctx.request().query) {
    if (name != "from" && name != "to" && name != "format" && name != "paper") {
      throw InputError(name, "is not a parameter of this report (from, to, format, paper)");
    }
  }
  const std::string from = required_query(ctx.request(), "from");
  const std::string to = required_query(ctx.request(), "to");
  const Format format = format_of(ctx.request());
  const reports::Paper paper = paper_of(ctx.request());
  const reports::ClinicReport report = reports::load_clinic_report(
      ctx.tx(), from, to, ctx.user().role != Role::physician, ctx.services().now_ms());
  return document(reports::render_clinic_report_html(report, paper), format, paper,
                  "kit-clinic-report-" + from + "-to-" + to);
}

}  // namespace

void register_report_routes(Router& router) {
  router.add({"GET", "/api/v1/patients/{id}/report",
              "The patient's treatment summary for the referring clinician, as HTML or PDF "
              "(?format=html|pdf, ?paper=a4|letter)",
              "reports", access_roles({Role::physician}), true, patient_report, 200});
  router.add({"GET", "/api/v1/reports/clinic",
              "The clinic's outcomes report for courses started in a date range, as HTML or PDF "
              "(?from=&to=, ?format=html|pdf, ?paper=a4|letter); aggregates only",
              "reports", access_roles({Role::director, Role::physician, Role::admin}), false,
              clinic_report, 200, /*audited=*/true});
}

}  // namespace kit::server
