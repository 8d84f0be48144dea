#pragma once
// The web application's files (web/dist, built by Vite), served by `kit serve` for every GET or
// HEAD outside /api/ (docs/adr/0012-web-application.md):
//   - a path resolves inside the folder only: no "..", no dotfiles or dot-folders, no symlink
//     that leads outside, nothing but regular files;
//   - Content-Type from the extension; hashed assets under /assets/ are cached for a year
//     (immutable), everything else (index.html) is revalidated (no-cache);
//   - an unknown path without an extension is a client-side route: index.html answers it; a
//     missing file with an extension (or under /assets/) is a 404;
//   - a client that accepts gzip gets the build's precompressed "name.gz" sibling, when there is
//     one (resolved by the same rules), with Content-Encoding: gzip; every file answer carries
//     Vary: Accept-Encoding.
// The security headers (and the app's Content-Security-Policy for HTML) are added by the HTTP
// layer (server/http/security_headers.h).
#include <filesystem>
#include <string>
#include <string_view>

#include "server/http/message.h"

namespace kit::server {

class StaticFiles {
 public:
  // `root` need not exist yet (the app may be built after the server starts).
  explicit StaticFiles(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  // True if the folder holds an index.html (the app is built).
  bool has_index() const;

  // Answers a request for a path outside /api/ (GET and HEAD; anything else is 405).
  Response serve(const Request& req) const;

 private:
  std::filesystem::path root_;
};

// Whether an Accept-Encoding header value accepts gzip ("gzip" or "*" with a weight above 0).
bool accepts_gzip(std::string_view accept_encoding);

// The Content-Type for a file name, by extension (text types with charset=utf-8);
// application/octet-stream when unknown.
std::string content_type_for(std::string_view file_name);

}  // namespace kit::server
