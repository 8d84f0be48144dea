// The reminders' wording and mail (server/reminders/catalogue.h, smtp_client.h) and their
// settings (server/serve/config.h): every catalogue has every kind with only known placeholders
// and no clinical word; the patient's language is used, English otherwise; the mail is CRLF, its
// Subject encoded when not ASCII, and nothing with a line break reaches a header; bad settings are
// refused naming the setting.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "server/reminders/catalogue.h"
#include "server/reminders/reminder_runner.h"
#include "server/reminders/smtp_client.h"
#include "server/serve/config.h"

namespace kit::server::testing {
namespace {

const std::vector<std::pair<std::string, std::string>> kValues = {
    {"clinic", "Oak Clinic"},
    {"link", "https://portal.example/portal"},
    {"date", "2026-11-27"},
    {"time", "08:00"},
    {"timezone", "America/New_York"}};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

TEST(ReminderCatalogue, EnglishAndSpanishHaveEveryKindFilledWithoutClinicalWords) {
  const auto languages = reminder_languages();
  EXPECT_NE(std::find(languages.begin(), languages.end(), "en"), languages.end());
  EXPECT_NE(std::find(languages.begin(), languages.end(), "es"), languages.end());
  for (const std::string& language : languages) {
    for (reminders::Kind kind :
         {reminders::Kind::questionnaire_due, reminders::Kind::appointment_upcoming,
          reminders::Kind::book_reassessment}) {
      const ReminderText t = reminder_text(kind, language, kValues);
      EXPECT_EQ(t.language, language);
      const std::string all = lower(t.subject + "\n" + t.body);
      EXPECT_EQ(all.find('{'), std::string::npos) << language << ": unfilled placeholder\n" << all;
      EXPECT_NE(all.find("https://portal.example/portal"), std::string::npos) << language;
      EXPECT_NE(all.find("oak clinic"), std::string::npos) << language;
      for (const char* word : {"phq", "gad", "pcl", "depres", "ptsd", "tept", "ketamin", "dosis",
                               "dose", "mg", "infusi", "dolor", "pain", "ansiedad", "anxiety"}) {
        EXPECT_EQ(all.find(word), std::string::npos) << language << ": " << word << "\n" << all;
      }
      EXPECT_EQ(t.subject.find('\n'), std::string::npos);
    }
  }
  const ReminderText es = reminder_text(reminders::Kind::appointment_upcoming, "es", kValues);
  EXPECT_NE(es.body.find("el 2026-11-27 a las 08:00 (America/New_York)"), std::string::npos);
  EXPECT_NE(es.subject.find("recordatorio de su cita"), std::string::npos);
  // A language without a catalogue reads English.
  const ReminderText fr = reminder_text(reminders::Kind::questionnaire_due, "fr", kValues);
  EXPECT_EQ(fr.language, "en");
  EXPECT_NE(fr.subject.find("questionnaire due"), std::string::npos);
}

TEST(ReminderMail, CrlfLinesEncodedSubjectAndHeaders) {
  SmtpSettings smtp;
  smtp.from = "reminders@clinic.example";
  Mail mail{"ana@example.net", "Oak: reevaluación", "Hola:\nlínea 2\n", "<kit-reminder.1@x>",
            1'795'000'000'000};
  const std::string m = compose_mail(smtp, mail);
  EXPECT_NE(m.find("From: <reminders@clinic.example>\r\n"), std::string::npos);
  EXPECT_NE(m.find("To: <ana@example.net>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Message-ID: <kit-reminder.1@x>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Subject: =?UTF-8?B?"), std::string::npos);  // not ASCII: RFC 2047
  EXPECT_NE(m.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\n\r\nHola:\r\nlínea 2\r\n"), std::string::npos);
  EXPECT_EQ(m.find("\n\n"), std::string::npos);  // every line end is CRLF
  mail.subject = "plain";
  EXPECT_NE(compose_mail(smtp, mail).find("Subject: plain\r\n"), std::string::npos);
}

TEST(ReminderMail, AddressesAndHeadersRefuseInjection) {
  EXPECT_TRUE(plain_address("ana@example.net"));
  EXPECT_FALSE(plain_address("ana@example.net\r\nBcc: x@evil"));
  EXPECT_FALSE(plain_address("Ana <ana@example.net>"));
  EXPECT_FALSE(plain_address("a,b@example.net"));
  EXPECT_FALSE(plain_address("no-at-sign"));
  EXPECT_FALSE(plain_address("two@@example.net"));
  EXPECT_FALSE(plain_address(""));
  EXPECT_FALSE(header_safe("a\nb"));
  EXPECT_TRUE(header_safe("Oak: reevaluación"));
  // Refused before any connection: nothing listens on port 9 of 127.0.0.1, and no try is made.
  SmtpSettings smtp;
  smtp.url = "smtp://127.0.0.1:9";
  smtp.from = "reminders@clinic.example";
  const SmtpResult r = send_mail(smtp, {"x@example.net\r\nBcc: y@evil", "s", "b", "<id@x>", 0});
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.reply.find("not a plain e-mail address"), std::string::npos);
}

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string error_of(std::map<std::string, std::string> vars) {
  try {
    resolve_serve_options({}, env(std::move(vars)));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ReminderConfig, DefaultsAndRefusals) {
  const ServeOptions o = resolve_serve_options({}, env({}));
  EXPECT_EQ(o.smtp_url, "");
  EXPECT_EQ(o.reminders_every_s, 300);
  EXPECT_EQ(o.reminder_max_attempts, 3);
  EXPECT_EQ(o.reminder_hours, "09:00-20:00");
  EXPECT_EQ(error_of({{"KIT_SMTP_URL", "smtp://relay:587"}, {"KIT_SMTP_FROM", "k@clinic.example"}}),
            "(accepted)");
  EXPECT_NE(error_of({{"KIT_SMTP_URL", "http://relay"}, {"KIT_SMTP_FROM", "k@c.example"}})
                .find("smtp_url"),
            std::string::npos);
  EXPECT_NE(error_of({{"KIT_SMTP_URL", "smtp://user:pw@relay"}, {"KIT_SMTP_FROM", "k@c.example"}})
                .find("KIT_SMTP_PASSWORD"),
            std::string::npos);
  EXPECT_NE(error_of({{"KIT_SMTP_URL", "smtp://relay"}}).find("smtp_from"), std::string::npos);
  EXPECT_NE(error_of({{"KIT_REMINDER_HOURS", "20:00-09:00"}}).find("KIT_REMINDER_HOURS"),
            std::string::npos);
  EXPECT_NE(error_of({{"KIT_REMINDER_HOURS", "9-17"}}).find("KIT_REMINDER_HOURS"),
            std::string::npos);
  EXPECT_NE(error_of({{"KIT_REMINDER_MAX_ATTEMPTS", "0"}}).find("KIT_REMINDER_MAX_ATTEMPTS"),
            std::string::npos);
  EXPECT_NE(error_of({{"KIT_PORTAL_BASE_URL", "javascript:alert(1)"}}).find("portal_base_url"),
            std::string::npos);
  EXPECT_EQ(parse_reminder_hours("00:00-24:00", "h"), std::make_pair(0, 24 * 60));
  EXPECT_EQ(parse_reminder_hours("09:30-20:00", "h"), std::make_pair(9 * 60 + 30, 20 * 60));
}

}  // namespace
}  // namespace kit::server::testing
