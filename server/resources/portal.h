#pragma once
// The patient portal's routes (server/resources/portal_routes.cpp, docs/web-portal.md).
#include <string>

#include "server/api/router.h"

namespace kit::server {

// Invitations, questionnaire wording, drafts, preferences and the portal's clinic information.
void register_portal_routes(Router& router);

// A request path as the access log may write it: an invitation token in the path
// (/api/v1/invitations/<token>[/accept]) is replaced by "{token}", so logs never hold a usable
// link. Every other path is returned unchanged.
std::string loggable_path(const std::string& path);

}  // namespace kit::server
