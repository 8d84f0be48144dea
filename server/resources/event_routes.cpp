// GET /api/v1/events: live updates for the chair board and the alert inbox as Server-Sent Events.
// The stream carries no patient data, only a change notice (`event: change`, `id: <seq>`, the
// latest audit row id, which moves with every recorded read or write): the client then fetches
// what it shows through the ordinary routes, with its own login and its own audit rows. Polling
// those routes is the fallback (the browser's EventSource reconnects after `retry`).
#include "server/resources/modules.h"

namespace kit::server {

namespace {

Response event_stream(RouteContext& ctx) {
  (void)ctx.user();
  Response r;
  r.status = 200;
  r.content_type = "text/event-stream";
  r.event_stream = true;
  return r;
}

}  // namespace

void register_event_routes(Router& router) {
  router.add({"GET", "/api/v1/events",
              "Live change notices (text/event-stream: `event: change`, `id` = sequence); fetch "
              "the board or inbox again on each",
              "events", access_staff(), false, event_stream, 200});
}

}  // namespace kit::server
