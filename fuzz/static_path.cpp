// Fuzz target: the web application's path resolver (server/web/static_files.h), from the raw
// request target as a connection decodes it (split_target) to the file served.
//
// The folder holds index.html, one asset, a dotfile and a symbolic link to a file outside it; a
// file outside the folder and the dotfile must never be served, whatever the path (a finding:
// the resolver let the path out). Input: the request target; a first byte 'H' asks with HEAD,
// 'P' with POST (405), anything else with GET.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "fuzz/fuzz_support.h"
#include "server/http/http_server.h"
#include "server/web/static_files.h"

namespace {

struct Web {
  std::filesystem::path dir;
  std::unique_ptr<kit::server::StaticFiles> files;
};

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

Web& web() {
  static Web* w = [] {
    auto* made = new Web;
    made->dir =
        std::filesystem::temp_directory_path() / ("kit-fuzz-static-" + std::to_string(getpid()));
    std::filesystem::remove_all(made->dir);
    const std::filesystem::path root = made->dir / "web";
    std::filesystem::create_directories(root / "assets");
    std::filesystem::create_directories(root / ".git");
    write_file(root / "index.html", "INDEX");
    write_file(root / "assets" / "app-1234.js", "ASSET");
    write_file(root / ".env", "SECRET-DOTFILE");
    write_file(root / ".git" / "config", "SECRET-DOTFOLDER");
    write_file(made->dir / "outside.txt", "SECRET-OUTSIDE");
    std::filesystem::create_symlink(made->dir / "outside.txt", root / "link.txt");
    std::filesystem::create_symlink(made->dir, root / "up");
    made->files = std::make_unique<kit::server::StaticFiles>(root);
    std::atexit([] { std::filesystem::remove_all(web().dir); });
    return made;
  }();
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = kit::fuzz::as_text(data, size);
  kit::server::Request req;
  req.method = "GET";
  if (!text.empty() && (text.front() == 'H' || text.front() == 'P')) {
    req.method = text.front() == 'H' ? "HEAD" : "POST";
    text.remove_prefix(1);
  }
  if (!kit::server::split_target(text, req.path, req.query)) return 0;  // 400 before this
  const kit::server::Response r = web().files->serve(req);
  if (r.body.find("SECRET") != std::string::npos) {
    kit::fuzz::finding("static files served a file it must not: " + req.path);
  }
  if (r.status == 200 && req.method == "POST") kit::fuzz::finding("POST answered 200");
  if (r.status < 100 || r.status > 599 || r.status == 500) {
    kit::fuzz::finding("static files: status " + std::to_string(r.status) + " for " + req.path);
  }
  return 0;
}
