// kit: the command line shell around the KIT core. Subcommands live in commands_*.cpp.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/command_registry.h"

namespace kit::cli {
std::vector<Registrar>& registrars() {
  static std::vector<Registrar> list;
  return list;
}
}  // namespace kit::cli

int main(int argc, char** argv) {
  CLI::App app{"KIT - Ketamine Infusion Therapy: dosing, pharmacokinetics and clinic operations"};
  app.set_version_flag("--version", std::string("kit ") + KIT_VERSION);
  app.require_subcommand(1);
  for (const auto& reg : kit::cli::registrars()) reg(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // CLI11 reports usage errors with its own codes; the contract says bad input is 2.
    return (code == 0) ? 0 : 2;
  }
  return 0;
}
