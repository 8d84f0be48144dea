-- Reminders by e-mail (issue 12 §1; core/reminders/reminders.h, server/reminders/,
-- docs/reminders.md, docs/adr/0025-reminders-outbox.md). The outbox holds one row per message,
-- written by the planner and sent by the sender; the delivery log one row per attempt to hand a
-- message to the SMTP relay, with the relay's reply. Nothing is deleted: a message ends sent,
-- failed (its tries used up) or cancelled (its item closed before it went).
CREATE TABLE reminder_outbox (
  id {{ID}},
  kind TEXT NOT NULL
    CHECK (kind IN ('questionnaire_due', 'appointment_upcoming', 'book_reassessment')),
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  due_key TEXT NOT NULL,                  -- the item reminded of (core: DueItem::key)
  reminder_number BIGINT NOT NULL CHECK (reminder_number >= 1),
  local_day BIGINT NOT NULL,              -- clinic-local day it was planned on (days since 1970)
  recipient TEXT NOT NULL,
  language TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  message_id TEXT NOT NULL,               -- the Message-ID header, the same on every try
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at_ms BIGINT NOT NULL,
  planned_at_ms BIGINT NOT NULL,
  claimed_at_ms BIGINT,                   -- state sending: when, and by which process
  claimed_by TEXT NOT NULL DEFAULT '',
  sent_at_ms BIGINT,
  last_error TEXT NOT NULL DEFAULT '',
  cancel_reason TEXT NOT NULL DEFAULT '',
  updated_at_ms BIGINT NOT NULL,
  -- Two planners (two servers on one database) cannot plan one reminder twice.
  UNIQUE (kind, patient_id, due_key, reminder_number),
  CHECK (state <> 'sent' OR sent_at_ms IS NOT NULL),
  CHECK (state <> 'sending' OR claimed_at_ms IS NOT NULL)
);
CREATE INDEX reminder_outbox_due ON reminder_outbox (state, next_attempt_at_ms);
CREATE INDEX reminder_outbox_patient ON reminder_outbox (patient_id, kind, due_key);

CREATE TABLE reminder_attempts (
  id {{ID}},
  outbox_id BIGINT NOT NULL REFERENCES reminder_outbox (id),
  attempt BIGINT NOT NULL CHECK (attempt >= 1),
  started_at_ms BIGINT NOT NULL,
  finished_at_ms BIGINT,
  -- sending: under way (or its process died: 'interrupted' once found); sent: the relay accepted
  -- the message (250 after DATA); failed: refused or unreachable.
  outcome TEXT NOT NULL DEFAULT 'sending'
    CHECK (outcome IN ('sending', 'sent', 'failed', 'interrupted')),
  smtp_code BIGINT NOT NULL DEFAULT 0,    -- the relay's last reply code (0: none)
  smtp_reply TEXT NOT NULL DEFAULT '',    -- the relay's last reply line, or the transport error
  claimed_by TEXT NOT NULL DEFAULT '',
  UNIQUE (outbox_id, attempt)
);
