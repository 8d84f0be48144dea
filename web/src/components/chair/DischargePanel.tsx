// Discharge after the stop: the server's discharge gates as a checklist, the observation timer
// (the clinic's observation_minutes from the recorded stop), the Aldrete items and the home
// readiness checklist (nothing pre-filled), then POST /sessions/{id}/discharge with If-Match. A
// physician may override a discharge score that is not ready, with a reason; the observation time
// and unacknowledged critical alerts are never overridden (the server's rules).
import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { ChairWrite } from '../../api/sessions';
import { dateTimeIn, timeIn } from '../../format/time';
import { Dialog } from './Dialog';
import { Checklist, Section, WirePreview, clock, errorText, useNow } from './common';
import type { ChairContext } from './common';

// The Aldrete items the server scores (contract/safety_api.cpp "aldrete"), 0-2 each.
const ALDRETE = [
  { id: 'activity', label: 'Activity' },
  { id: 'respiration', label: 'Respiration' },
  { id: 'circulation', label: 'Circulation' },
  { id: 'consciousness', label: 'Consciousness' },
  { id: 'o2_saturation', label: 'Oxygen saturation' },
];

// The home readiness checklist the server takes (core/safety/discharge.cpp kHomeReadiness).
const HOME = [
  { id: 'vitals_at_baseline', label: 'Vital signs back to baseline' },
  { id: 'ambulating_at_pre_sedation_level', label: 'Walks at the pre-sedation level' },
  { id: 'minimal_nausea', label: 'Minimal nausea' },
  { id: 'adequate_analgesia', label: 'Adequate analgesia' },
  { id: 'escort_home_confirmed', label: 'A responsible adult takes the patient home' },
  { id: 'written_instructions_given', label: 'Written discharge instructions given and understood' },
];

export function DischargePanel({ ctx }: { ctx: ChairContext }) {
  const s = ctx.session;
  const now = useNow();
  const [open, setOpen] = useState(false);
  if (s.state === 'discharged' && s.discharge) {
    return (
      <Section id="discharge-title" title="Discharged">
        <p>
          Discharged {dateTimeIn(ctx.tz, s.discharge.at)}, Aldrete score {s.discharge.aldrete_score}
          {s.discharge.override_reason ? `; physician override: ${s.discharge.override_reason}` : ''}.
        </p>
        <button type="button" class="button button-secondary no-print" onClick={() => window.print()}>
          Print the infusion record
        </button>
      </Section>
    );
  }
  if (s.state !== 'stopped') return null;
  const stopped = s.stopped_at ? Date.parse(s.stopped_at) : now;
  const obsMs = (ctx.observationMin ?? 0) * 60_000;
  const left = stopped + obsMs - now;
  const blocking = s.gates.filter((g) => !g.passed && g.gate !== 'discharge_score');
  return (
    <>
      <Checklist gates={s.gates} title="Before discharge" />
      <Section id="discharge-title" title="Discharge">
        {ctx.observationMin !== null && (
          <div class="timers" role="timer">
            <div>
              <span class="timer-label">Observation since the stop ({ctx.observationMin} min)</span>
              <span class="timer-value">{left > 0 ? `${clock(left)} left` : 'complete'}</span>
            </div>
            <div>
              <span class="timer-label">Stopped at</span>
              <span class="timer-value">{s.stopped_at ? timeIn(ctx.tz, s.stopped_at) : '—'}</span>
            </div>
          </div>
        )}
        {blocking.length > 0 && <p class="cannot-yet">Cannot discharge yet: {blocking.map((g) => g.reason).join('; ')}</p>}
        <button type="button" class="button" disabled={blocking.length > 0 && left > 0} onClick={() => setOpen(true)}>
          Discharge…
        </button>
        {open && <DischargeDialog ctx={ctx} onClose={() => setOpen(false)} />}
      </Section>
    </>
  );
}

function DischargeDialog({ ctx, onClose }: { ctx: ChairContext; onClose: () => void }) {
  const s = ctx.session;
  const [aldrete, setAldrete] = useState<Record<string, string>>({});
  const [home, setHome] = useState<Record<string, boolean>>({});
  const [override, setOverride] = useState('');
  const [needsOverride, setNeedsOverride] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const missing = ALDRETE.filter((i) => aldrete[i.id] === undefined);
  const body: Record<string, unknown> = {
    aldrete: Object.fromEntries(ALDRETE.map((i) => [i.id, aldrete[i.id] === undefined ? null : Number(aldrete[i.id])])),
    home_readiness: Object.fromEntries(HOME.map((i) => [i.id, !!home[i.id]])),
  };
  if (override.trim()) body.override_reason = override.trim();
  const write: ChairWrite = { method: 'POST', path: `/sessions/${s.id}/discharge`, body, ifMatch: s.version };
  async function confirm() {
    if (missing.length) {
      setError('Score every Aldrete item.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await ctx.send('Discharge', write, { onRetrying: onClose });
      ctx.reload();
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.field === 'discharge_score') setNeedsOverride(e.message);
      else setError(errorText(e));
      if (e instanceof ApiError && e.status === 412) ctx.reload();
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title="Discharge: confirm" onClose={onClose} busy={busy}>
      <fieldset class="field">
        <legend>Aldrete score, each item 0, 1 or 2</legend>
        {ALDRETE.map((i) => (
          <div class="aldrete-row" key={i.id} role="radiogroup" aria-labelledby={`ald-${i.id}-label`}>
            <span id={`ald-${i.id}-label`} class="aldrete-label">
              {i.label}
            </span>
            {['0', '1', '2'].map((v) => (
              <span class="radio radio-inline" key={v}>
                <input type="radio" id={`ald-${i.id}-${v}`} name={`ald-${i.id}`} checked={aldrete[i.id] === v} onChange={() => setAldrete({ ...aldrete, [i.id]: v })} />
                <label for={`ald-${i.id}-${v}`}>
                  {v}
                  <span class="visually-hidden"> for {i.label}</span>
                </label>
              </span>
            ))}
          </div>
        ))}
      </fieldset>
      <fieldset class="field">
        <legend>Ready for home (tick what is true now)</legend>
        {HOME.map((i) => (
          <div class="checkbox" key={i.id}>
            <input type="checkbox" id={`home-${i.id}`} checked={!!home[i.id]} onChange={(e) => setHome({ ...home, [i.id]: (e.currentTarget as HTMLInputElement).checked })} />
            <label for={`home-${i.id}`}>{i.label}</label>
          </div>
        ))}
      </fieldset>
      {needsOverride && (
        <div class="notice notice-warn" role="alert">
          <p>
            <strong>Not ready by the discharge score.</strong> {needsOverride}
          </p>
          {ctx.role === 'physician' ? (
            <div class="field">
              <label for="dis-override">Reason to discharge anyway (physician)</label>
              <textarea id="dis-override" class="input textarea" rows={2} value={override} onInput={(e) => setOverride((e.currentTarget as HTMLTextAreaElement).value)} />
            </div>
          ) : (
            <p>Only a physician can discharge against the score.</p>
          )}
        </div>
      )}
      <WirePreview write={write} />
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" class="button" disabled={busy || missing.length > 0} onClick={confirm}>
          {busy ? 'Sending…' : 'Confirm discharge'}
        </button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
