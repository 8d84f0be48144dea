// One e-mail through libcurl's SMTP (server/reminders/smtp_client.h).
#include "server/reminders/smtp_client.h"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <mutex>

namespace kit::server {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 128; });
}

std::string base64(const std::string& bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// RFC 2047 encoded-word for a non-ASCII header value.
std::string header_text(const std::string& s) {
  return ascii(s) ? s : "=?UTF-8?B?" + base64(s) + "?=";
}

std::string rfc5322_date(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t read_cb(char* buffer, std::size_t size, std::size_t nitems, void* userdata) {
  auto* up = static_cast<Upload*>(userdata);
  const std::size_t room = size * nitems;
  const std::size_t n = std::min(room, up->data->size() - up->offset);
  std::memcpy(buffer, up->data->data() + up->offset, n);
  up->offset += n;
  return n;
}

// The relay's replies (CURLINFO_HEADER_IN): the first refusal (4xx/5xx) and the last line. What
// the client sends is never kept.
struct Replies {
  std::string first_refusal;
  std::string last;
};

int debug_cb(CURL*, curl_infotype type, char* data, std::size_t size, void* userdata) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.empty()) return 0;
  auto* r = static_cast<Replies*>(userdata);
  line = line.substr(0, 500);
  if (r->first_refusal.empty() && (line[0] == '4' || line[0] == '5')) r->first_refusal = line;
  r->last = line;
  return 0;
}

}  // namespace

bool header_safe(const std::string& text) {
  return !text.empty() && std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 32 || u == 127;
  });
}

bool plain_address(const std::string& a) {
  if (!header_safe(a) || a.size() > 254) return false;
  if (std::any_of(a.begin(), a.end(), [](char c) {
        return c == ' ' || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '\\';
      })) {
    return false;
  }
  const auto at = a.find('@');
  return at != std::string::npos && at > 0 && at + 1 < a.size() &&
         a.find('@', at + 1) == std::string::npos;
}

std::string compose_mail(const SmtpSettings& smtp, const Mail& mail) {
  std::string m;
  m += "Date: " + rfc5322_date(mail.date_ms) + "\r\n";
  m += "From: <" + smtp.from + ">\r\n";
  m += "To: <" + mail.to + ">\r\n";
  m += "Message-ID: " + mail.message_id + "\r\n";
  m += "Subject: " + header_text(mail.subject) + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "\r\n";
  for (char c : mail.body) {
    if (c == '\r') continue;
    if (c == '\n') {
      m += "\r\n";
    } else {
      m += c;
    }
  }
  if (m.size() < 2 || m.compare(m.size() - 2, 2, "\r\n") != 0) m += "\r\n";
  return m;
}

SmtpResult send_mail(const SmtpSettings& smtp, const Mail& mail) {
  SmtpResult result;
  if (!plain_address(mail.to)) {
    result.reply = "refused before sending: the recipient is not a plain e-mail address";
    return result;
  }
  if (!plain_address(smtp.from) || !header_safe(mail.subject) || !header_safe(mail.message_id)) {
    result.reply = "refused before sending: the sender, subject or Message-ID is not header-safe";
    return result;
  }
  global_init();
  CURL* curl = curl_easy_init();
  if (!curl) {
    result.reply = "libcurl could not start a transfer";
    return result;
  }
  const std::string message = compose_mail(smtp, mail);
  Upload upload{&message};
  Replies replies;
  char errbuf[CURL_ERROR_SIZE] = {0};
  const std::string from = "<" + smtp.from + ">";
  const std::string to = "<" + mail.to + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, smtp.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // STARTTLS when the relay offers it on smtp://; smtps:// is TLS throughout. Certificates are
  // verified whenever TLS is used (libcurl's default, kept).
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (!smtp.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, smtp.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  if (!smtp.user.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, smtp.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, smtp.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(smtp.timeout_s));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(smtp.timeout_s, 30)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &replies);
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);  // feeds debug_cb only; nothing is printed
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  result.code = code;
  if (rc == CURLE_OK) {
    result.accepted = true;
    result.reply = replies.last.empty() ? "250" : replies.last;
  } else {
    // The refusal, not the "221 Bye" that follows it.
    const std::string error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    const std::string& reply = replies.first_refusal.empty() ? replies.last : replies.first_refusal;
    result.reply = reply.empty() ? error : reply + " (" + error + ")";
  }
  return result;
}

}  // namespace kit::server
