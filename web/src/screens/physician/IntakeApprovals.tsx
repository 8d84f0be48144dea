// Intake approvals: every patient awaiting a decision (status `intake`), with what the decision
// rests on: the latest screening (eligible or not, the absolute and relative contraindications the
// core found, the actions it asks for), the consents on file, and earlier decisions. Approve or
// decline: POST /patients/{id}/approval with If-Match (the record's version, so a decision on a
// record changed meanwhile is refused) and an Idempotency-Key (a retry records one decision).
// The server's rules decide (docs/api-journey.md "Intake"); this screen only shows why.
import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import {
  decideIntake,
  listApprovals,
  listConsents,
  listScreenings,
  newIdempotencyKey,
  patientsWithStatus,
} from '../../api/physician';
import { listClinics } from '../../api/scheduling';
import type { Approval, Consent, Patient, Screening, ScreeningFinding } from '../../api/types';
import { ErrorSummary, type FieldError } from '../../components/ErrorSummary';
import { RadioGroup, TextArea } from '../../components/Fields';
import { Empty, LoadError, Skeleton, describeError } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { dateTimeIn, longDate } from '../../format/time';
import { useChangeEvents } from '../../live/events';
import { usePolling } from '../../live/poll';
import { Link } from '../../router';

interface Candidate {
  patient: Patient;
  screening: Screening | undefined;
  consents: Consent[];
  approvals: Approval[];
}

export default function IntakeApprovals() {
  const queue = useResource(async (signal) => {
    const [page, clinics] = await Promise.all([patientsWithStatus('intake', signal), listClinics(signal)]);
    const candidates: Candidate[] = await Promise.all(
      page.patients.map(async (patient) => {
        const [screenings, consents, approvals] = await Promise.all([
          listScreenings(patient.id, signal),
          listConsents(patient.id, signal),
          listApprovals(patient.id, signal),
        ]);
        return { patient, screening: screenings[0], consents, approvals };
      }),
    );
    // Ready to decide first (screened, with consent), then the oldest record.
    const ready = (c: Candidate) => (c.screening && treatmentConsent(c.consents) ? 0 : 1);
    candidates.sort((a, b) => ready(a) - ready(b) || a.patient.created_at.localeCompare(b.patient.created_at));
    return { candidates, tz: clinics[0]?.timezone ?? 'UTC' };
  }, []);
  useChangeEvents(queue.reload);
  usePolling(queue.reload, 60_000);
  const [done, setDone] = useState<string | null>(null);
  const d = queue.data;
  return (
    <>
      <div class="page-head">
        <h1>Intake approvals</h1>
        <p class="subtitle">Patients awaiting a decision, with their screening and consent.</p>
      </div>
      <p role="status" aria-live="polite" class={done ? 'notice' : 'visually-hidden'}>
        {done ?? ''}
      </p>
      {queue.status === 'error' && <LoadError error={queue.error} retry={queue.reload} />}
      {!d && queue.status === 'loading' && <Skeleton label="patients awaiting approval" />}
      {d &&
        (d.candidates.length === 0 ? (
          <Empty>No patients are awaiting approval.</Empty>
        ) : (
          <ul class="intake-list" aria-label="Patients awaiting approval">
            {d.candidates.map((c) => (
              <IntakeCard
                key={c.patient.id}
                c={c}
                tz={d.tz}
                onDecided={(msg) => {
                  setDone(msg);
                  queue.reload();
                }}
              />
            ))}
          </ul>
        ))}
    </>
  );
}

function treatmentConsent(consents: Consent[]): Consent | undefined {
  return consents.find((c) => c.type === 'treatment' && !c.withdrawn_at);
}

function Findings({ title, items, empty }: { title: string; items: ScreeningFinding[]; empty: string }) {
  return (
    <div>
      <h4 class="facts-title">{title}</h4>
      {items.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <ul class="findings">
          {items.map((f, i) => (
            <li key={i}>
              {f.finding ?? f.text ?? f.rule ?? f.code}{' '}
              <span class="muted">
                ({f.basis}; {f.source})
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function IntakeCard({ c, tz, onDecided }: { c: Candidate; tz: string; onDecided: (msg: string) => void }) {
  const p = c.patient;
  const name = `${p.family_name}, ${p.given_name}`;
  const s = c.screening;
  const consent = treatmentConsent(c.consents);
  const [decision, setDecision] = useState<'approved' | 'declined' | ''>('');
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [key, setKey] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const prefix = `p${p.id}`;
  const titleId = `intake-${p.id}-title`;
  const needsOverride = decision === 'approved' && s !== undefined && !s.eligible;

  async function submit(e: Event) {
    e.preventDefault();
    const errs: FieldError[] = [];
    if (!decision) errs.push({ field: `${prefix}-decision`, message: 'Choose approve or decline' });
    if (decision === 'declined' && !reason.trim()) errs.push({ field: `${prefix}-reason`, message: 'Enter why the patient is declined' });
    if (needsOverride && !override.trim())
      errs.push({ field: `${prefix}-override`, message: 'Enter why you approve despite the absolute contraindication' });
    if (errs.length) {
      setErrors(errs);
      setFocusKey((k) => k + 1);
      return;
    }
    const k = key ?? newIdempotencyKey();
    setKey(k);
    setBusy(true);
    setErrors([]);
    try {
      await decideIntake(
        p.id,
        p.version,
        {
          decision: decision as 'approved' | 'declined',
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          ...(needsOverride ? { override_reason: override.trim() } : {}),
        },
        k,
      );
      onDecided(`${name}: ${decision === 'approved' ? 'approved' : 'declined'}.`);
    } catch (err) {
      let field = `${prefix}-decision`;
      let message = err instanceof Error ? describeError(err) : String(err);
      if (err instanceof ApiError) {
        if (err.field === 'reason') field = `${prefix}-reason`;
        if (err.field === 'override_reason') field = `${prefix}-override`;
        if (err.status === 412) {
          message = 'The record changed since it was shown; it has been reloaded. Check it and decide again.';
          setKey(null);
          onDecided('The queue was reloaded.');
        }
      }
      setErrors([{ field, message }]);
      setFocusKey((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }
  const errorOf = (f: string) => errors.find((x) => x.field === f)?.message;

  return (
    <li class="card intake-card" aria-labelledby={titleId}>
      <h2 id={titleId} class="card-title">
        <Link href={`/patients/chart?patient=${p.id}`}>{name}</Link>{' '}
        <span class="muted nowrap">{p.mrn}</span>
      </h2>
      <dl class="facts">
        <dt>Born</dt>
        <dd>{longDate(p.date_of_birth)}</dd>
        <dt>Indication</dt>
        <dd>{p.indication.replace(/_/g, ' ')}</dd>
      </dl>
      <div>
        <h3 id={`${titleId}-screen`}>Screening</h3>
        {!s ? (
          <p class="notice notice-error">No screening on file: the patient cannot be approved until screened.</p>
        ) : (
          <>
            <p>
              {s.eligible ? (
                <span class="tag tag-completed">
                  <span aria-hidden="true">✓</span> Eligible
                </span>
              ) : (
                <span class="tag tag-open">
                  <span aria-hidden="true">✕</span> Not eligible: absolute contraindication
                </span>
              )}{' '}
              <span class="muted">Screened {dateTimeIn(tz, s.screened_at)}</span>
            </p>
            <div class="findings-grid">
              <Findings title="Absolute contraindications" items={s.result.absolute ?? []} empty="None found." />
              <Findings title="Relative contraindications" items={s.result.relative ?? []} empty="None found." />
              <Findings title="Actions asked for" items={s.result.actions ?? []} empty="None." />
            </div>
          </>
        )}
      </div>
      <div>
        <h3 id={`${titleId}-consent`}>Consent</h3>
        {c.consents.length === 0 ? (
          <p class="notice notice-error">No consent on file: a treatment consent is needed to approve.</p>
        ) : (
          <ul class="findings">
            {c.consents.map((k) => (
              <li key={k.id}>
                {k.type.replace(/_/g, ' ')} (form {k.version}), signed {dateTimeIn(tz, k.signed_at)}
                {k.withdrawn_at && <strong> — withdrawn {dateTimeIn(tz, k.withdrawn_at)}</strong>}
              </li>
            ))}
          </ul>
        )}
        {c.consents.length > 0 && !consent && <p class="field-error">No treatment consent in force.</p>}
      </div>
      {c.approvals.length > 0 && (
        <div>
          <h3 id={`${titleId}-prev`}>Earlier decisions</h3>
          <ul class="findings">
            {c.approvals.map((a) => (
              <li key={a.id}>
                {a.decision} {dateTimeIn(tz, a.decided_at)}
                {a.reason && <>: {a.reason}</>}
              </li>
            ))}
          </ul>
        </div>
      )}
      <form onSubmit={submit} noValidate aria-label={`Decision for ${name}`} class="decision-form">
        <ErrorSummary errors={errors} focusKey={focusKey} />
        <RadioGroup
          name={`${prefix}-decision`}
          label={<span class="legend-text">Decision for {name}</span>}
          value={decision}
          options={[
            { value: 'approved', label: 'Approve for treatment' },
            { value: 'declined', label: 'Decline' },
          ]}
          onChange={setDecision}
          error={errorOf(`${prefix}-decision`)}
        />
        {needsOverride && (
          <TextArea
            name={`${prefix}-override`}
            label="Reason to approve despite the absolute contraindication"
            hint="Stored with the decision."
            value={override}
            onInput={setOverride}
            rows={3}
            error={errorOf(`${prefix}-override`)}
          />
        )}
        <TextArea
          name={`${prefix}-reason`}
          label={decision === 'declined' ? 'Reason for declining' : 'Reason or note (optional when approving)'}
          value={reason}
          onInput={setReason}
          rows={3}
          error={errorOf(`${prefix}-reason`)}
        />
        <button type="submit" class="button" disabled={busy}>
          {busy ? 'Saving…' : 'Record decision'}
        </button>
      </form>
    </li>
  );
}
