#pragma once
// The HTML of a printed report: escaping of every piece of text that did not come from this file,
// and the page shell (print stylesheet for A4 or US Letter, a Content-Security-Policy that lets
// nothing load and no script run). Pure functions.
#include <string>
#include <string_view>
#include <vector>

namespace kit::reports {

// & < > " ' as entities: safe in element content and in quoted attribute values. Every piece of
// user-entered text (names, notes, reasons, descriptions) goes through this before it is written.
std::string escape(std::string_view text);

enum class Paper { a4, letter };
// "a4" | "letter"; kit::InputError naming `field` otherwise.
Paper parse_paper(std::string_view text, const std::string& field);

// The report's Content-Security-Policy: nothing loads (no script, font, image or frame from
// anywhere), and the one stylesheet is allowed by its SHA-256 hash, not by 'unsafe-inline'. Sent
// as the HTTP header with the HTML and written in the page's <meta> for the saved file.
std::string report_content_security_policy(Paper paper);

// The whole document: <!doctype html>, the head (title escaped here, the stylesheet, the policy)
// and `body_html` as given (already built from escaped text).
std::string html_page(std::string_view title, std::string_view body_html, Paper paper);

// Small builders for the report bodies (text escaped here).
std::string tag(std::string_view name, std::string_view text, std::string_view cls = "");
std::string table(const std::vector<std::string>& header_cells_text,
                  const std::vector<std::vector<std::string>>& rows_html,
                  std::string_view cls = "");

}  // namespace kit::reports
