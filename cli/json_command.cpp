#include "cli/json_command.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/common/error_kinds.h"

namespace kit::cli {

namespace {

std::string read_all(std::istream& in) {
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string read_input(const std::string& file) {
  if (file.empty()) return read_all(std::cin);
  std::ifstream f(file, std::ios::binary);
  if (!f) throw InputError("--input", "cannot open file '" + file + "'");
  return read_all(f);
}

}  // namespace

std::string dump(const nlohmann::json& response) {
  // NaN cannot appear in JSON; the handlers never produce one, but guard the contract anyway.
  return response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

CLI::App* add_json_command(CLI::App& parent, const std::string& name, const std::string& help,
                           Handler handler) {
  auto options = std::make_shared<JsonCommandOptions>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("--input", options->input_file, "Read the JSON request from FILE instead of stdin");
  cmd->callback([options, handler = std::move(handler)]() {
    HandlerResult result;
    try {
      nlohmann::json request = contract::parse_request(read_input(options->input_file));
      result = handler(request);
    } catch (const kit::Error& e) {
      // One taxonomy, one table: the exit code comes from core/common/error_kinds.h.
      std::cerr << "error: " << e.what() << "\n";
      throw CLI::RuntimeError(info(e.kind()).exit_code);
    } catch (const nlohmann::json::exception& e) {
      // A request of the wrong shape read past the strict reader: still the caller's input.
      std::cerr << "error: input: " << e.what() << "\n";
      throw CLI::RuntimeError(info(ErrorKind::invalid_input).exit_code);
    } catch (const std::exception& e) {
      // A fault of the software, never reported as bad input.
      std::cerr << "error: internal: " << e.what() << "\n";
      throw CLI::RuntimeError(info(ErrorKind::internal).exit_code);
    }
    std::cout << result.text;
    std::cout.flush();
    if (result.exit_code != kOk) throw CLI::RuntimeError(result.exit_code);
  });
  return cmd;
}

}  // namespace kit::cli
