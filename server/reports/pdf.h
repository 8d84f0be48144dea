#pragma once
// HTML -> PDF by headless Chromium (Debian's `chromium`), run as a child process in a private
// temporary folder with a time limit, so a report never holds a server worker for long and a
// browser that hangs is killed (its whole process group). Nothing is loaded from the network:
// the report's own Content-Security-Policy allows no fetch, and the page is a local file.
#include <optional>
#include <string>

namespace kit::reports {

struct PdfOptions {
  int timeout_s = 30;   // the browser is killed after this; the report is refused (unavailable)
  int max_parallel = 2;  // renders at once in this process; more are refused (unavailable)
};

// The browser found on PATH: chromium, else chromium-browser; nullopt when neither is there.
std::optional<std::string> find_chromium();

// The PDF's bytes ("%PDF-..."). kit::Error kind unavailable, naming "chromium", when the browser
// is not installed, is busy with max_parallel other reports, times out or writes no PDF.
std::string html_to_pdf(const std::string& html, const PdfOptions& options = {});

}  // namespace kit::reports
