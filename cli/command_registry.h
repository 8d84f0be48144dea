#pragma once
// Subcommands register themselves here (one static Registration per commands_*.cpp file).
#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace kit::cli {

using Registrar = std::function<void(CLI::App& root)>;

std::vector<Registrar>& registrars();

struct Registration {
  explicit Registration(Registrar r) { registrars().push_back(std::move(r)); }
};

}  // namespace kit::cli
