// Printed reports over HTTP (server/reports, docs/reports.md): the patient letter for the referring
// clinician, as HTML or as a PDF printed by headless Chromium in a child process with a time
// limit (server/reports/pdf.h). Reading a patient's record for a report is audited like every
// patient-data route (the router writes the row, allowed or denied).
#include <string>

#include "core/common/error.h"
#include "server/api/services.h"
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

}  // namespace

void register_report_routes(Router& router) {
  router.add({"GET", "/api/v1/patients/{id}/report",
              "The patient's treatment summary for the referring clinician, as HTML or PDF "
              "(?format=html|pdf, ?paper=a4|letter)",
              "reports", access_roles({Role::physician}), true, patient_report, 200});
}

}  // namespace kit::server
