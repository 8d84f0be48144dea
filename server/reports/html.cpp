#include "server/reports/html.h"

#include <sodium.h>

#include "core/common/error.h"

namespace kit::reports {

namespace {

// Print stylesheet: black on white, 10 pt body, tables that do not split a row across pages,
// headings kept with what follows. `size` is filled in per paper.
std::string stylesheet(Paper paper) {
  const std::string size = paper == Paper::letter ? "letter" : "A4";
  return "@page{size:" + size +
         ";margin:16mm 14mm 18mm 14mm}"
         "html{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10pt;color:#111;"
         "background:#fff}"
         "body{margin:0 auto;max-width:190mm;padding:0 2mm}"
         "h1{font-size:16pt;margin:0 0 2mm}h2{font-size:12.5pt;margin:6mm 0 2mm;"
         "border-bottom:0.4mm solid #444;padding-bottom:1mm;break-after:avoid}"
         "h3{font-size:11pt;margin:4mm 0 1.5mm;break-after:avoid}"
         "p{margin:1mm 0 2mm}.muted{color:#555}.small{font-size:8.5pt}"
         ".banner{border:0.4mm solid #111;padding:2mm 3mm;margin:2mm 0 4mm}"
         "table{border-collapse:collapse;width:100%;margin:1mm 0 3mm}"
         "th,td{border-bottom:0.2mm solid #999;padding:1mm 1.5mm;text-align:left;"
         "vertical-align:top}th{background:#eee}tr{break-inside:avoid}"
         "td.num,th.num{text-align:right;white-space:nowrap}td.date{white-space:nowrap}"
         "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:0.5mm 4mm;margin:0}"
         "dl.facts dt{font-weight:bold}dl.facts dd{margin:0}"
         "figure{margin:2mm 0 3mm;break-inside:avoid}figcaption{font-size:8.5pt;color:#444}"
         "svg{max-width:100%;height:auto}"
         ".flag{font-weight:bold}"
         "footer{margin-top:8mm;border-top:0.2mm solid #999;padding-top:2mm;font-size:8pt;"
         "color:#444}"
         "@media screen{body{padding:8mm}}"
         "@media screen and "
         "(max-width:640px){body{padding:3mm}table{display:block;overflow-x:auto}}";
}

std::string sha256_base64(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  return b64;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Paper parse_paper(std::string_view text, const std::string& field) {
  if (text == "a4" || text == "A4") return Paper::a4;
  if (text == "letter") return Paper::letter;
  throw InputError(field, "must be a4 or letter");
}

std::string report_content_security_policy(Paper paper) {
  return "default-src 'none'; style-src 'sha256-" + sha256_base64(stylesheet(paper)) +
         "'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}

std::string html_page(std::string_view title, std::string_view body_html, Paper paper) {
  std::string out = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  // frame-ancestors is ignored in <meta>; the HTTP header carries it.
  std::string meta_policy = report_content_security_policy(paper);
  meta_policy = meta_policy.substr(0, meta_policy.find("; frame-ancestors"));
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + escape(meta_policy) + "\">";
  out += "<meta name=\"referrer\" content=\"no-referrer\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += "<title>" + escape(title) + "</title><style>" + stylesheet(paper) + "</style></head>\n";
  out += "<body>\n";
  out += body_html;
  out += "\n</body></html>\n";
  return out;
}

std::string tag(std::string_view name, std::string_view text, std::string_view cls) {
  std::string out;
  out.append("<").append(name);
  if (!cls.empty()) out.append(" class=\"").append(escape(cls)).append("\"");
  out.append(">").append(escape(text)).append("</").append(name).append(">");
  return out;
}

std::string table(const std::vector<std::string>& header_cells_text,
                  const std::vector<std::vector<std::string>>& rows_html, std::string_view cls) {
  std::string out = "<table";
  if (!cls.empty()) out += " class=\"" + escape(cls) + "\"";
  out += "><thead><tr>";
  for (const std::string& h : header_cells_text) out += "<th>" + escape(h) + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& row : rows_html) {
    out += "<tr>";
    for (const std::string& cell : row) {
      if (cell.rfind("<td", 0) == 0) {
        out += cell;
      } else {
        out.append("<td>").append(cell).append("</td>");
      }
    }
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

}  // namespace kit::reports
