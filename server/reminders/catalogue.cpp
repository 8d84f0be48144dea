// The reminders' wording (server/reminders/catalogue.h).
#include "server/reminders/catalogue.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace kit::server {

namespace {

const std::map<std::string, nlohmann::json>& parsed() {
  static const std::map<std::string, nlohmann::json> catalogues = [] {
    std::map<std::string, nlohmann::json> out;
    for (const auto& [language, text] : embedded_reminder_catalogues()) {
      out[language] = nlohmann::json::parse(text);
    }
    return out;
  }();
  return catalogues;
}

}  // namespace

std::vector<std::string> reminder_languages() {
  std::vector<std::string> out;
  for (const auto& [language, _] : parsed()) out.push_back(language);
  return out;
}

ReminderText reminder_text(reminders::Kind kind, const std::string& language,
                           const std::vector<std::pair<std::string, std::string>>& values) {
  const auto& all = parsed();
  auto it = all.find(language);
  if (it == all.end()) it = all.find("en");
  if (it == all.end()) throw std::runtime_error("the English reminder catalogue is missing");
  const std::string name(reminders::kind_name(kind));
  const nlohmann::json& entry = it->second.at(name);
  return {it->first, reminders::fill(entry.at("subject").get<std::string>(), values),
          reminders::fill(entry.at("body").get<std::string>(), values)};
}

}  // namespace kit::server
