#include "server/resources/record_corrections.h"

#include "contract/json_reader.h"
#include "server/resources/chair_common.h"

namespace kit::server::corrections {

CorrectionRequest read_correction_request(const nlohmann::json& body) {
  contract::ObjectReader r(body, "");
  CorrectionRequest c;
  c.action = r.string("action");
  const auto given_reason = r.optional_string("reason");
  if (const nlohmann::json* v = r.optional_value("values")) c.values = *v;
  r.finish();
  if (c.action != "entered_in_error" && c.action != "amend") {
    throw kit::InputError("action", "must be entered_in_error or amend");
  }
  // A correction without a documented reason would leave the record changed with no why.
  const auto reason = chair::optional_text(given_reason, "reason");
  if (!reason) throw kit::InputError("reason", "is required: say why the entry is corrected");
  c.reason = *reason;
  if (c.amend() && !c.values.is_object()) {
    throw kit::InputError("values", "is required to amend: the corrected entry, as first posted");
  }
  if (!c.amend() && !c.values.is_null()) throw kit::InputError("values", "is only for amend");
  return c;
}

}  // namespace kit::server::corrections
