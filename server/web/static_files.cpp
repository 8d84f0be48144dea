#include "server/web/static_files.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "server/http/http_server.h"

namespace kit::server {

namespace fs = std::filesystem;

namespace {

// Files larger than this are not the app's (the whole app is well under 1 MiB).
constexpr std::uintmax_t kMaxFileBytes = 16u * 1024u * 1024u;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The path's segments if every one is a plain name: no empty-but-inner, ".", "..", dotfile,
// backslash or control character. Empty optional: refuse.
std::optional<std::vector<std::string>> safe_segments(const std::string& path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string> out;
  std::size_t i = 1;
  while (i <= path.size()) {
    const std::size_t slash = path.find('/', i);
    const std::size_t end = slash == std::string::npos ? path.size() : slash;
    std::string seg = path.substr(i, end - i);
    if (!seg.empty()) {
      if (seg.front() == '.') return std::nullopt;  // ".", "..", ".env", ".git"
      for (unsigned char c : seg) {
        if (c < 0x20 || c == 0x7f || c == '\\' || c == ':') return std::nullopt;
      }
      out.push_back(std::move(seg));
    } else if (slash != std::string::npos) {
      return std::nullopt;  // "//" inside the path
    }
    if (slash == std::string::npos) break;
    i = slash + 1;
  }
  return out;
}

bool within(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty()) continue;  // a trailing separator of the root
    if (q == p.end() || *q != *r) return false;
  }
  return true;
}

// The real file `segments` names under `root`, or nothing: it must exist, be a regular file after
// resolving every symlink, and lie inside the (resolved) root.
std::optional<fs::path> resolve(const fs::path& root, const std::vector<std::string>& segments) {
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  fs::path candidate = real_root;
  for (const std::string& s : segments) candidate /= s;
  const fs::path real = fs::canonical(candidate, ec);
  if (ec) return std::nullopt;
  if (!within(real_root, real)) return std::nullopt;
  if (!fs::is_regular_file(real, ec) || ec) return std::nullopt;
  return real;
}

std::optional<std::string> read_file(const fs::path& p) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(p, ec);
  if (ec || size > kMaxFileBytes) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The file `segments` names, answered as is or, when the client accepts gzip and the build wrote
// a precompressed sibling ("name.gz", resolved by the same rules), as that sibling with
// Content-Encoding: gzip. Vary: Accept-Encoding either way, so a shared cache keeps both.
std::optional<Response> file_response(const fs::path& root, std::vector<std::string> segments,
                                      const fs::path& file, const Request& req,
                                      std::string_view cache_control) {
  const std::string name = segments.back();
  std::optional<std::string> body;
  bool gzipped = false;
  if (accepts_gzip(req.header("accept-encoding").value_or(""))) {
    segments.back() += ".gz";
    if (auto gz = resolve(root, segments)) {
      body = read_file(*gz);
      gzipped = body.has_value();
    }
  }
  if (!body) body = read_file(file);
  if (!body) return std::nullopt;
  Response r;
  r.status = 200;
  r.body = std::move(*body);
  r.content_type = content_type_for(name);
  r.set_header("Cache-Control", std::string(cache_control));
  r.set_header("Vary", "Accept-Encoding");
  if (gzipped) r.set_header("Content-Encoding", "gzip");
  return r;
}

Response not_found() { return http_error_response(404, "not_found", "no such file"); }

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  // RFC 9110 §12.5.3: a comma-separated list of codings, each with an optional ";q=" weight;
  // "gzip" (or "*") with a weight above 0 accepts gzip. Names are case-insensitive.
  bool star = false;
  std::optional<bool> gzip;
  std::size_t i = 0;
  while (i <= accept_encoding.size()) {
    std::size_t comma = accept_encoding.find(',', i);
    if (comma == std::string_view::npos) comma = accept_encoding.size();
    const std::string item = lower(accept_encoding.substr(i, comma - i));
    i = comma + 1;
    const std::size_t semi = item.find(';');
    auto trim = [](std::string t) {
      const auto b = t.find_first_not_of(" \t");
      const auto e = t.find_last_not_of(" \t");
      return b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
    };
    const std::string coding = trim(item.substr(0, semi));
    bool positive = true;
    if (semi != std::string::npos) {
      std::string params = item.substr(semi + 1);
      params.erase(std::remove_if(params.begin(), params.end(),
                                  [](char c) { return c == ' ' || c == '\t'; }),
                   params.end());
      if (params.rfind("q=", 0) == 0) {
        const std::string q = params.substr(2);
        // q=0, q=0., q=0.0, q=0.00, q=0.000: refused.
        positive =
            !(q.empty() || (q[0] == '0' && q.find_first_not_of("0.", 0) == std::string::npos));
      }
    }
    if (coding == "gzip" || coding == "x-gzip") gzip = positive;
    if (coding == "*") star = positive;
    if (comma == accept_encoding.size()) break;
  }
  return gzip.value_or(star);
}

std::string content_type_for(std::string_view file_name) {
  const std::size_t dot = file_name.rfind('.');
  const std::string ext = dot == std::string_view::npos ? "" : lower(file_name.substr(dot + 1));
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"txt", "text/plain; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
  };
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return std::string(type);
  }
  return "application/octet-stream";
}

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {}

bool StaticFiles::has_index() const { return resolve(root_, {"index.html"}).has_value(); }

Response StaticFiles::serve(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = http_error_response(405, "method_not_allowed", "use GET");
    r.set_header("Allow", "GET, HEAD");
    return r;
  }
  const auto segments = safe_segments(req.path);
  if (!segments) return not_found();
  const bool asset = !segments->empty() && (*segments)[0] == "assets";
  if (!segments->empty()) {
    if (auto file = resolve(root_, *segments)) {
      auto r = file_response(root_, *segments, *file, req, asset ? kImmutable : kRevalidate);
      return r ? std::move(*r) : not_found();
    }
  }
  // Not a file. An asset or a name with an extension is simply missing (a script must never be
  // answered with HTML); any other path is a route of the app: index.html.
  const bool has_extension = !segments->empty() && segments->back().find('.') != std::string::npos;
  if (asset || has_extension) return not_found();
  const auto index = resolve(root_, {"index.html"});
  std::optional<Response> page;
  if (index) page = file_response(root_, {"index.html"}, *index, req, kRevalidate);
  if (!page) {
    return http_error_response(
        503, "web_app_missing",
        "the web application is not built: run `npm ci && npm run build` in web/, or set web_dir");
  }
  return std::move(*page);
}

}  // namespace kit::server
