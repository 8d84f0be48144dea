-- The public inquiry form and the front desk's queue (server/resources/inquiry_routes.cpp).
CREATE TABLE inquiries (
  id {{ID}},
  name TEXT NOT NULL,
  contact TEXT NOT NULL,
  contact_kind TEXT NOT NULL CHECK (contact_kind IN ('email', 'phone')),
  reason TEXT NOT NULL CHECK (reason IN ('depression', 'ptsd', 'ocd', 'chronic_pain', 'other')),
  message TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'scheduled', 'closed')),
  note TEXT NOT NULL DEFAULT '',
  remote_address TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX inquiries_queue ON inquiries (status, created_at_ms);
-- The per-address rate limit counts recent rows here, so it holds across server processes.
CREATE INDEX inquiries_remote ON inquiries (remote_address, created_at_ms);
