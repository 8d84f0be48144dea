// The pump program and its controls. The rate is the one number the nurse keys into the pump: it
// is shown large, with its unit, on one line that never wraps or truncates. Every control opens a
// dialog showing exactly what will be sent; the write then goes through the outbox (a fresh
// Idempotency-Key, If-Match on the session's version).
import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { ChairWrite, InfusionSession, PumpEventKind } from '../../api/sessions';
import { formatQuantity } from '../../format/quantity';
import { EVENT_LABEL } from '../../screens/chair/labels';
import { Dialog } from './Dialog';
import { WirePreview, clock, errorText, useNow } from './common';
import type { ChairContext } from './common';

/** A rate as keyed: digits with at most one decimal (the pump's 0.1 mL/h step); else null. */
export function parseRate(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,4}(\.\d)?$/.test(t)) return null;
  const v = Number(t);
  return v > 0 ? v : null;
}

function currentRate(s: InfusionSession): number | null {
  return s.delivered.current_rate_ml_per_h;
}

/** The rate of the last pump event in force that set one (start, rate change, resume). */
export function lastRate(s: InfusionSession): number | null {
  for (let i = s.events.length - 1; i >= 0; i--) {
    const e = s.events[i]!;
    if (e.status === 'active' && e.rate_ml_per_h !== null) return e.rate_ml_per_h;
  }
  return null;
}

export function RateDisplay({ label, rate, id }: { label: string; rate: number | null; id: string }) {
  return (
    <div class="rate" role="group" aria-labelledby={id}>
      <span class="rate-label" id={id}>
        {label}
      </span>
      <span class="rate-value">{formatQuantity(rate, 'mL/h')}</span>
    </div>
  );
}

export function PumpPanel(ctx: ChairContext) {
  const s = ctx.session;
  const now = useNow();
  const [dialog, setDialog] = useState<PumpEventKind | null>(null);
  const running = s.state === 'running';
  const rate = running ? currentRate(s) : s.state === 'planned' ? s.planned_rate_ml_per_h : lastRate(s);
  const volumeMl = s.planned_dose_mg / s.concentration_mg_per_ml;
  const started = s.started_at ? Date.parse(s.started_at) : null;
  const stopped = s.stopped_at ? Date.parse(s.stopped_at) : null;
  const elapsedMs = started ? (stopped ?? now) - started : 0;
  // Infused minutes as of the server's answer, plus the time since then while the pump runs.
  const infusedMs = s.delivered.infused_min * 60_000 + (running ? Math.max(0, now - Date.parse(s.delivered.as_of)) : 0);
  const remainingMs = s.planned_duration_min * 60_000 - infusedMs;
  const blockedStart = s.state === 'planned' && s.gates.some((g) => !g.passed);
  const onlyDayOfCheck = s.gates.filter((g) => !g.passed).every((g) => g.gate === 'day_of_check');

  return (
    <section class="card chair-section pump" aria-labelledby="pump-title">
      <h2 id="pump-title">Pump program</h2>
      <RateDisplay
        id="rate-now"
        label={s.state === 'planned' ? 'Rate to program' : running ? 'Running at' : s.state === 'paused' ? 'Paused: last rate' : 'Pump stopped: last rate'}
        rate={rate}
      />
      <dl class="facts-grid">
        <div>
          <dt>Concentration</dt>
          <dd class="nowrap">{formatQuantity(s.concentration_mg_per_ml, 'mg/mL')}</dd>
        </div>
        <div>
          <dt>Planned dose</dt>
          <dd class="nowrap">
            {formatQuantity(s.planned_dose_mg, 'mg')} ({formatQuantity(s.planned_dose_mg / s.dosing_weight_kg, 'mg/kg')})
          </dd>
        </div>
        <div>
          <dt>Volume to infuse</dt>
          <dd class="nowrap">{formatQuantity(volumeMl, 'mL')}</dd>
        </div>
        <div>
          <dt>Planned duration</dt>
          <dd class="nowrap">{formatQuantity(s.planned_duration_min, 'min')}</dd>
        </div>
        <div>
          <dt>Dosing weight</dt>
          <dd class="nowrap">{formatQuantity(s.dosing_weight_kg, 'kg')}</dd>
        </div>
        <div>
          <dt>Delivered so far</dt>
          <dd>
            <span class="nowrap">{formatQuantity(s.delivered.mg, 'mg')}</span> ·{' '}
            <span class="nowrap">{formatQuantity(s.delivered.ml, 'mL')}</span> ·{' '}
            <span class="nowrap">{formatQuantity(s.delivered.mg_per_kg, 'mg/kg')}</span>
          </dd>
        </div>
        <div>
          <dt>Limits this session</dt>
          <dd>
            <span class="nowrap">soft {formatQuantity(s.delivered.soft_limit_mg, 'mg')}</span> ·{' '}
            <span class="nowrap">hard {formatQuantity(s.delivered.hard_limit_mg, 'mg')}</span>
          </dd>
        </div>
      </dl>
      {started !== null && (
        <div class="timers" role="timer" aria-live="off">
          <div>
            <span class="timer-label">{stopped ? 'Start to stop' : 'Elapsed since start'}</span>
            <span class="timer-value">{clock(elapsedMs)}</span>
          </div>
          <div>
            <span class="timer-label">Infusion time remaining</span>
            <span class="timer-value">{s.state === 'stopped' || s.state === 'discharged' ? '—' : clock(remainingMs)}</span>
          </div>
        </div>
      )}
      <div class="pump-actions">
        {s.state === 'planned' && (
          <>
            <button type="button" class="button button-large" disabled={blockedStart && !(ctx.role === 'physician' && onlyDayOfCheck)} onClick={() => setDialog('start')}>
              Start infusion…
            </button>
            {blockedStart && (
              <p class="cannot-yet">
                Cannot start yet: {s.gates.filter((g) => !g.passed).length} check
                {s.gates.filter((g) => !g.passed).length > 1 ? 's' : ''} not passed (see the checklist).
                {ctx.role === 'physician' && onlyDayOfCheck && ' A physician may start with a documented reason.'}
              </p>
            )}
          </>
        )}
        {s.state === 'running' && (
          <>
            <button type="button" class="button" onClick={() => setDialog('rate_change')}>
              Change rate…
            </button>
            <button type="button" class="button button-secondary" onClick={() => setDialog('pause')}>
              Pause…
            </button>
            <button type="button" class="button button-danger" onClick={() => setDialog('stop')}>
              Stop infusion…
            </button>
          </>
        )}
        {s.state === 'paused' && (
          <>
            <button type="button" class="button" onClick={() => setDialog('resume')}>
              Resume…
            </button>
            <button type="button" class="button button-danger" onClick={() => setDialog('stop')}>
              Stop infusion…
            </button>
          </>
        )}
      </div>
      {dialog && <PumpDialog ctx={ctx} kind={dialog} onClose={() => setDialog(null)} />}
    </section>
  );
}

function PumpDialog({ ctx, kind, onClose }: { ctx: ChairContext; kind: PumpEventKind; onClose: () => void }) {
  const s = ctx.session;
  const last = s.delivered.current_rate_ml_per_h ?? lastRate(s);
  const [rateText, setRateText] = useState('');
  const [note, setNote] = useState('');
  const [override, setOverride] = useState('');
  const [gateOverride, setGateOverride] = useState('');
  const [needsOverride, setNeedsOverride] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsRate = kind === 'rate_change';
  const rate = needsRate ? parseRate(rateText) : null;
  const dayOfCheckFailed = kind === 'start' && s.gates.some((g) => g.gate === 'day_of_check' && !g.passed);

  const body: Record<string, unknown> = { kind };
  if (needsRate && rate !== null) body.rate_ml_per_h = rate;
  if (note.trim()) body.note = note.trim();
  if (override.trim()) body.override_reason = override.trim();
  if (gateOverride.trim()) body.gate_override_reason = gateOverride.trim();
  const write: ChairWrite = { method: 'POST', path: `/sessions/${s.id}/events`, body, ifMatch: s.version };
  const sentRate = kind === 'start' ? s.planned_rate_ml_per_h : kind === 'resume' ? last : rate;
  const ratio = needsRate && rate !== null && last ? rate / last : 1;

  const problems: string[] = [];
  if (needsRate && rateText && rate === null) problems.push('Type the rate in mL/h with at most one decimal, e.g. 26.2');
  if (needsRate && !rateText) problems.push('Type the new rate in mL/h');
  if (dayOfCheckFailed && !gateOverride.trim()) problems.push('The day-of check is not cleared: a physician documents why the infusion starts anyway');

  async function confirm() {
    if (problems.length) return;
    setBusy(true);
    setError(null);
    try {
      await ctx.send(`${EVENT_LABEL[kind]}${sentRate !== null ? ' at ' + formatQuantity(sentRate, 'mL/h') : ''}`, write, { onRetrying: onClose });
      ctx.reload();
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.field === 'override_reason') {
        setNeedsOverride(e.message);
      } else {
        setError(errorText(e));
      }
      if (e instanceof ApiError && e.status === 412) ctx.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`${EVENT_LABEL[kind]}: confirm`} onClose={onClose} busy={busy} tone={kind === 'stop' ? 'danger' : 'normal'}>
      {needsRate && (
        <div class="field">
          <label for="field-rate">New rate (mL/h)</label>
          <p class="hint" id="field-rate-hint">
            Now {formatQuantity(last, 'mL/h')}. Steps of {formatQuantity(s.pump_step_ml_per_h, 'mL/h')}.
          </p>
          <input
            id="field-rate"
            class="input input-rate"
            inputMode="decimal"
            autocomplete="off"
            value={rateText}
            aria-describedby="field-rate-hint field-rate-echo"
            aria-invalid={rateText && rate === null ? 'true' : undefined}
            onInput={(e) => setRateText((e.currentTarget as HTMLInputElement).value)}
          />
          <p id="field-rate-echo" class="echo" aria-live="polite">
            {rateText ? (rate === null ? `“${rateText}” is not a rate the pump takes` : `You typed ${formatQuantity(rate, 'mL/h')}`) : ''}
          </p>
          {rate !== null && (ratio >= 5 || ratio <= 0.2) && (
            <p class="notice notice-error" role="alert">
              <strong>Check the decimal point:</strong> {formatQuantity(rate, 'mL/h')} is {ratio >= 1 ? `${Math.round(ratio)} times` : `1/${Math.round(1 / ratio)} of`} the current rate.
            </p>
          )}
        </div>
      )}
      <p class="confirm-what">
        {kind === 'start' && 'Program the pump and start it at'}
        {kind === 'resume' && 'Resume the pump at'}
        {kind === 'rate_change' && 'Change the pump rate to'}
        {kind === 'pause' && 'Pause the pump now.'}
        {kind === 'stop' && "Stop the pump: this ends today's infusion."}
      </p>
      {sentRate !== null && kind !== 'pause' && kind !== 'stop' && <RateDisplay id="rate-confirm" label="Rate" rate={sentRate} />}
      {kind === 'start' && (
        <p>
          {formatQuantity(s.concentration_mg_per_ml, 'mg/mL')} · {formatQuantity(s.planned_dose_mg, 'mg')} in{' '}
          {formatQuantity(s.planned_dose_mg / s.concentration_mg_per_ml, 'mL')} over {formatQuantity(s.planned_duration_min, 'min')}
        </p>
      )}
      {dayOfCheckFailed && (
        <div class="field">
          <label for="field-gate-override">Why start without a cleared day-of check (physician)</label>
          <textarea id="field-gate-override" class="input textarea" rows={2} value={gateOverride} onInput={(e) => setGateOverride((e.currentTarget as HTMLTextAreaElement).value)} />
        </div>
      )}
      {needsOverride && (
        <div class="notice notice-warn" role="alert">
          <p>
            <strong>Outside a soft limit.</strong> {needsOverride}
          </p>
          {ctx.role === 'physician' ? (
            <div class="field">
              <label for="field-override">Reason for the override (physician)</label>
              <textarea id="field-override" class="input textarea" rows={2} value={override} onInput={(e) => setOverride((e.currentTarget as HTMLTextAreaElement).value)} />
            </div>
          ) : (
            <p>Only a physician can approve this rate. Ask the physician, or choose another rate.</p>
          )}
        </div>
      )}
      <div class="field">
        <label for="field-note">Note (optional)</label>
        <input id="field-note" class="input" value={note} onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <WirePreview write={write} />
      {problems.length > 0 && (rateText || dayOfCheckFailed) && (
        <ul class="field-error">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" class={'button' + (kind === 'stop' ? ' button-danger' : '')} disabled={busy || problems.length > 0} onClick={confirm}>
          {busy ? 'Sending…' : `Confirm ${EVENT_LABEL[kind]!.toLowerCase()}`}
        </button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
