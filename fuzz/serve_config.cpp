// Fuzz target: `kit serve`'s configuration (server/serve/config.h): the TOML file and the KIT_*
// environment, resolved as `kit serve --config FILE` resolves them.
//
// Input: the TOML text, optionally followed by a line "#--env" and KEY=VALUE lines (the
// environment). The text is written to a file named by KIT_CONFIG, then resolve_serve_options
// reads it (read_small_file, toml++, every key's type and range), applies the environment and
// validates; the handlers' settings (server_config, the second-factor roles) and the listen address
// are derived as run_serve derives them. KIT_CONFIG and KIT_DEMO_PASSWORD_FILE from the input are
// ignored (they would name other files). A ConfigError naming the setting is the promised answer;
// any other exception is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "server/serve/config.h"

namespace {

const std::filesystem::path& config_file() {
  static const std::filesystem::path p = std::filesystem::temp_directory_path() /
                                         ("kit-fuzz-config-" + std::to_string(getpid()) + ".toml");
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = kit::fuzz::as_text(data, size);
  const std::size_t split = text.find("\n#--env\n");
  const std::string_view toml = text.substr(0, split);
  std::map<std::string, std::string> env;
  if (split != std::string_view::npos) {
    std::string_view rest = text.substr(split + 8);
    while (!rest.empty()) {
      const std::size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      const std::size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      env.emplace(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    }
  }
  env.erase("KIT_DEMO_PASSWORD_FILE");
  env["KIT_CONFIG"] = config_file().string();
  {
    std::ofstream out(config_file(), std::ios::binary | std::ios::trunc);
    out.write(toml.data(), static_cast<std::streamsize>(toml.size()));
  }
  const kit::server::EnvLookup lookup = [&env](const std::string& name) {
    const auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  try {
    const kit::server::ServeOptions options = kit::server::resolve_serve_options({}, lookup);
    (void)kit::server::server_config(options);
    (void)kit::server::parse_listen(options.listen);
    (void)kit::server::web_dir_of(options);
  } catch (const kit::server::ConfigError&) {
  }
  return 0;
}
