#pragma once
// One e-mail handed to an SMTP relay with libcurl (docs/reminders.md). smtp:// upgrades to TLS
// with STARTTLS when the relay offers it (CURLUSESSL_TRY) and verifies the relay's certificate
// then; smtps:// is TLS from the first byte. The relay's last reply line is kept for the delivery
// log; the password never is.
#include <cstdint>
#include <string>

namespace kit::server {

struct SmtpSettings {
  std::string url;   // smtp://host:port or smtps://host:port
  std::string from;  // envelope and From: address
  std::string user;  // empty: no authentication
  std::string password;
  int timeout_s = 60;   // the whole exchange
  std::string ca_file;  // PEM file of the CAs the relay's certificate is checked against (empty:
                        // the system's)
};

struct Mail {
  std::string to;
  std::string subject;     // UTF-8; encoded (RFC 2047) when not ASCII
  std::string body;        // UTF-8 plain text, "\n" line ends
  std::string message_id;  // "<...@...>", the same on every try of one message
  std::int64_t date_ms = 0;
};

struct SmtpResult {
  bool accepted = false;  // the relay answered 250 to the message
  long code = 0;          // its last reply code (0: none, e.g. connection refused)
  std::string reply;      // its last reply line, or the transport error
};

// Whether text may go into a header: no control characters (CR, LF: header injection), not empty.
bool header_safe(const std::string& text);
// A plain mailbox "local@domain" (no display name, no angle brackets, no spaces or controls).
bool plain_address(const std::string& address);

// The RFC 5322 message (CRLF line ends).
std::string compose_mail(const SmtpSettings& smtp, const Mail& mail);

SmtpResult send_mail(const SmtpSettings& smtp, const Mail& mail);

}  // namespace kit::server
