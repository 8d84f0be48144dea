// The bedside record of one ED sedation: /ed/episode?id=N (an ED physician or nurse, on a tablet or
// a phone). The running total held to the protocol's limits, shown large; the next dose as the
// server computes it (dose-preview: protocol, mg, mg/kg, volume, every gate) and recorded with
// If-Match; monitoring and adverse events with their times; the end of the procedure; discharge
// readiness after the protocol's intervals with the RCEM checklist; corrections with a reason.
// The browser computes no dose: every number is the server's (docs/api-sedation.md).
import { useCallback, useState } from 'preact/hooks';
import type { ApiAnswer } from '../../api/client';
import { getEpisode, episodePath, previewDose } from '../../api/sedation';
import type { DosePreview, Episode, Monitoring, SedationAdverseEvent, SedationDose } from '../../api/sedation';
import type { ChairWrite, Gate } from '../../api/sessions';
import { Dialog } from '../../components/chair/Dialog';
import { WirePreview, clock, useNow } from '../../components/chair/common';
import { LoadError, Skeleton } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { dateTimeIn, timeIn } from '../../format/time';
import { useLiveRefresh } from '../../live/events';
import { Link, useLocation } from '../../router';
import { getSession } from '../../session';
import { useOutbox } from '../chair/outbox';
import { atField, parseDecimal } from './edForm';
import { Refusal, WhenField, useClinicZone } from './common';
import { ADVERSE_KINDS, INTERVENTIONS, LIMIT_LABEL, ROUTE_LABEL, SEVERITIES, STATE_LABEL, edGateLabel, labelOf } from './labels';
import '../chair/chair.css';
import './ed.css';

type Send = <T>(label: string, write: ChairWrite) => Promise<ApiAnswer<T>>;

interface Ctx {
  e: Episode;
  tz: string;
  role: string;
  send: Send;
  reload: () => void;
}

export default function EdEpisode() {
  const { search } = useLocation();
  const id = Number(search.get('id'));
  const valid = Number.isInteger(id) && id > 0;
  const tz = useClinicZone();
  const episode = useResource((signal) => (valid ? getEpisode(id, signal) : Promise.reject(new Error('No episode was given in the address.'))), [id]);
  const reload = useCallback(() => episode.reload(), []);
  const live = useLiveRefresh(reload, 10_000);
  const outbox = useOutbox();
  const role = getSession().user?.role ?? 'nurse';

  if (!valid) return <LoadError error={new Error('No episode was given in the address: open one from ED sedation.')} />;
  const e = episode.data?.data;
  if (!e) return episode.status === 'error' ? <LoadError error={episode.error} retry={episode.reload} /> : <Skeleton label="the sedation record" rows={5} />;
  const ctx: Ctx = { e, tz, role, send: (label, write) => outbox.send(label, write), reload };
  const p = e.patient;
  const name = p ? `${p.family_name}, ${p.given_name}` : `Patient ${e.patient_id}`;
  const takesDoses = e.state === 'open' || e.state === 'sedated';
  const takesEntries = takesDoses || e.state === 'recovering';
  const inForce = e.doses.filter((d) => d.status === 'active');

  return (
    <div class="ed-screen chair-screen">
      <div class="page-head chair-head">
        <p class="breadcrumb no-print">
          <Link href="/ed">ED sedation</Link>
        </p>
        <h1>
          {name} <span class="visually-hidden">: procedural sedation</span>
        </h1>
        <p class="subtitle">
          <span class={`tag ed-state-${e.state}`}>{STATE_LABEL[e.state] ?? e.state}</span> {e.procedure} · {formatQuantity(e.weight_kg, 'kg')} · age {formatAge(e.age_y)} ({e.age_group === 'adult' ? 'adult protocols' : 'paediatric protocols'})
          {p?.mrn ? ` · MRN ${p.mrn}` : ''} · opened {dateTimeIn(tz, e.opened_at)} ({tz})
        </p>
        <p class={'live-status ' + (live ? 'live-on' : 'live-off')} role="status">
          <span aria-hidden="true">{live ? '● ' : '○ '}</span>
          {live ? 'Live: updates as they happen' : 'Checking for updates every 10 s'}
        </p>
      </div>
      {episode.status === 'error' && <LoadError error={episode.error} retry={episode.reload} />}
      {outbox.pending.length > 0 && (
        <section class="card pending" aria-labelledby="pending-title">
          <h2 id="pending-title">Not yet recorded by the server</h2>
          <ul aria-live="polite">
            {outbox.pending.map((w) => (
              <li key={w.key} class="pending-item">
                <span class="tag tag-pending">
                  <span aria-hidden="true">◌</span> pending
                </span>{' '}
                {w.label}: {w.state === 'sending' ? `sending (attempt ${w.attempts})` : w.state === 'waiting' ? `no answer yet, trying again with the same key (attempt ${w.attempts})` : `refused by the server: ${w.lastError ?? ''}`}
                {w.state === 'refused' && (
                  <button type="button" class="button button-secondary button-small" onClick={() => outbox.dismiss(w.key)}>
                    Dismiss
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {e.state === 'voided' && (
        <p class="notice" role="status">
          Voided: {e.void_reason}
        </p>
      )}

      <RunningTotal ctx={ctx} />
      <div class="chair-grid">
        <div class="chair-col">
          {takesDoses && <DosePanel ctx={ctx} key={`dose-${e.version}`} />}
          <DoseHistory ctx={ctx} doses={e.doses} />
          {e.state === 'sedated' && <EndProcedure ctx={ctx} />}
          {(e.state === 'recovering' || e.state === 'discharged') && <DischargePanel ctx={ctx} />}
          {takesDoses && inForce.length === 0 && <VoidPanel ctx={ctx} />}
        </div>
        <div class="chair-col">
          <MonitoringPanel ctx={ctx} open={takesEntries} />
          <AdversePanel ctx={ctx} open={takesEntries} />
          <OpeningPanel e={e} />
        </div>
      </div>
    </div>
  );
}

function formatAge(years: number): string {
  if (years >= 2) return `${Math.floor(years)} years`;
  const months = Math.round(years * 12);
  return `${months} months`;
}

// ---- The running total -------------------------------------------------------------------------

function RunningTotal({ ctx }: { ctx: Ctx }) {
  const { e, tz } = ctx;
  const now = useNow(15_000);
  const limit = e.cumulative_limit;
  const share = limit && limit.hard_mg_per_kg > 0 ? Math.min(1, e.running_total_mg_per_kg / limit.hard_mg_per_kg) : 0;
  const next = e.next_repeat;
  const nextAt = next ? Date.parse(next.earliest_at) : null;
  return (
    <section class="card ed-total" aria-labelledby="total-title">
      <h2 id="total-title">Running total of ketamine</h2>
      <p class="ed-total-value">
        <span class="rate-value">{formatQuantity(e.running_total_mg, 'mg')}</span>{' '}
        <span class="ed-total-perkg">{formatQuantity(e.running_total_mg_per_kg, 'mg/kg')}</span>
      </p>
      {limit ? (
        <>
          <div class="ed-bar" aria-hidden="true">
            <div class={'ed-bar-fill' + (share >= 0.8 ? ' ed-bar-near' : '')} ref={(el) => {
              if (el) el.style.width = `${Math.round(share * 100)}%`;
            }} />
          </div>
          <p class="ed-limit">
            Hard limit for this episode: <strong>{formatQuantity(limit.hard_mg_per_kg, 'mg/kg')}</strong> in total. <span class="muted">{limit.source}</span>
          </p>
        </>
      ) : (
        <p class="muted">No dose given yet. The limit depends on the route of the first dose.</p>
      )}
      {next && nextAt !== null && (e.state === 'sedated') && (
        <p class="ed-next">
          Earliest repeat ({ROUTE_LABEL[next.route] ?? next.route}): <strong>{timeIn(tz, next.earliest_at)}</strong>
          {nextAt > now ? ` (in ${Math.ceil((nextAt - now) / 60_000)} min)` : ' (now allowed)'}. <span class="muted">{next.schedule}</span>
        </p>
      )}
      <p class="hint">Counted from the doses in force (a dose marked entered in error is left out), by the server.</p>
    </section>
  );
}

// ---- The next dose -----------------------------------------------------------------------------

function DosePanel({ ctx }: { ctx: Ctx }) {
  const { e, tz, role } = ctx;
  const isPhysician = role === 'physician';
  const [route, setRoute] = useState<'' | 'iv' | 'im'>('');
  const [conc, setConc] = useState('');
  const [perKg, setPerKg] = useState('');
  const [orderedBy, setOrderedBy] = useState('');
  const [override, setOverride] = useState('');
  const [when, setWhen] = useState('');
  const [preview, setPreview] = useState<DosePreview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const first = e.doses.every((d) => d.status !== 'active');

  const changed = <T,>(f: (v: T) => void) => (v: T) => {
    f(v);
    setPreview(null);
    setRefusal(null);
  };

  function body(): Record<string, unknown> | null {
    if (!route) return (setProblem('Choose the route'), null);
    const c = parseDecimal(conc);
    if (c === null || c <= 0) return (setProblem('Type the concentration of the syringe in mg/mL, as on the label (for example 10 or 50)'), null);
    const b: Record<string, unknown> = { route, concentration_mg_per_ml: c };
    if (perKg.trim()) {
      const k = parseDecimal(perKg);
      if (k === null || k <= 0) return (setProblem('Type the dose in mg/kg (for example 0.5), or leave it blank for the protocol’s dose'), null);
      b.dose_mg_per_kg = k;
    }
    if (!isPhysician) {
      if (!orderedBy.trim()) return (setProblem('Name the physician who ordered the dose'), null);
      b.ordered_by = orderedBy.trim();
    }
    if (isPhysician && override.trim()) b.override_reason = override.trim();
    const at = atField(tz, when);
    if ('error' in at) return (setProblem(at.error), null);
    Object.assign(b, at);
    setProblem(null);
    return b;
  }

  async function calculate(ev: Event) {
    ev.preventDefault();
    setRefusal(null);
    const b = body();
    if (!b) return;
    setBusy(true);
    try {
      setPreview(await previewDose(e.id, b));
    } catch (ex) {
      setPreview(null);
      setRefusal(ex);
    } finally {
      setBusy(false);
    }
  }

  const b = preview ? { route, concentration_mg_per_ml: preview.concentration_mg_per_ml, ...(perKg.trim() ? { dose_mg_per_kg: parseDecimal(perKg) } : {}), ...(!isPhysician ? { ordered_by: orderedBy.trim() } : {}), ...(isPhysician && override.trim() ? { override_reason: override.trim() } : {}), ...(() => { const a = atField(tz, when); return 'error' in a ? {} : a; })() } : null;
  const write: ChairWrite | null = b ? { method: 'POST', path: episodePath(e.id, '/doses'), body: b, ifMatch: e.version } : null;

  async function record() {
    if (!write) return;
    setBusy(true);
    setRefusal(null);
    try {
      await ctx.send('Dose', write);
      setConfirming(false);
      setPreview(null);
      ctx.reload();
    } catch (ex) {
      setConfirming(false);
      setRefusal(ex);
      ctx.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card chair-section ed-dose" aria-labelledby="dose-title">
      <h2 id="dose-title">{first ? 'First dose' : 'Repeat dose'}</h2>
      <form onSubmit={calculate} noValidate>
        <fieldset class="field">
          <legend>Route</legend>
          <div class="radios radios-inline">
            {(['iv', 'im'] as const).map((r) => (
              <div class="radio" key={r}>
                <input type="radio" id={`route-${r}`} name="route" checked={route === r} onChange={() => changed(setRoute)(r)} />
                <label for={`route-${r}`}>{ROUTE_LABEL[r]}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="ed-two">
          <div class="field">
            <label for="dose-conc">Concentration of the syringe (mg/mL)</label>
            <input id="dose-conc" class="input input-medium" inputMode="decimal" autocomplete="off" value={conc} onInput={(ev) => changed(setConc)((ev.currentTarget as HTMLInputElement).value)} />
            {parseDecimal(conc) !== null && <p class="echo">You typed {formatQuantity(parseDecimal(conc), 'mg/mL')}</p>}
          </div>
          <div class="field">
            <label for="dose-perkg">Dose (mg/kg), optional</label>
            <p class="hint" id="dose-perkg-hint">Blank: the protocol’s dose.</p>
            <input id="dose-perkg" class="input input-medium" inputMode="decimal" autocomplete="off" aria-describedby="dose-perkg-hint" value={perKg} onInput={(ev) => changed(setPerKg)((ev.currentTarget as HTMLInputElement).value)} />
          </div>
        </div>
        {isPhysician ? (
          <div class="field">
            <label for="dose-override">Reason to exceed a soft limit (physician, optional)</label>
            <input id="dose-override" class="input" autocomplete="off" value={override} onInput={(ev) => changed(setOverride)((ev.currentTarget as HTMLInputElement).value)} />
          </div>
        ) : (
          <div class="field">
            <label for="dose-ordered">Ordered by (physician’s name)</label>
            <input id="dose-ordered" class="input" autocomplete="off" value={orderedBy} onInput={(ev) => changed(setOrderedBy)((ev.currentTarget as HTMLInputElement).value)} />
          </div>
        )}
        <WhenField id="dose-when" label="Given at" value={when} onInput={changed(setWhen)} tz={tz} />
        {problem && (
          <p class="field-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="button" disabled={busy}>
          {busy && !confirming ? 'Asking the server…' : 'Calculate the dose'}
        </button>
      </form>
      {preview && <PreviewCard p={preview} weight={e.weight_kg} tz={tz} />}
      {preview && (
        <div class="pump-actions">
          <button type="button" class="button button-large" disabled={!preview.accepted} onClick={() => setConfirming(true)}>
            Record this dose as given…
          </button>
          {!preview.accepted && <p class="cannot-yet">Cannot be given: see the refusals above.</p>}
        </div>
      )}
      <Refusal error={refusal} />
      {confirming && preview && write && (
        <Dialog title="Dose given: confirm" onClose={() => setConfirming(false)} busy={busy}>
          <DoseEqualsVolume mg={preview.dose_mg} ml={preview.volume_ml} />
          <p>
            {ROUTE_LABEL[preview.route]} of {formatQuantity(preview.concentration_mg_per_ml, 'mg/mL')} ({formatQuantity(preview.dose_mg_per_kg, 'mg/kg')}). Running total after it: <strong>{formatQuantity(preview.running_total_mg, 'mg')}</strong> ({formatQuantity(preview.running_total_mg_per_kg, 'mg/kg')}).
          </p>
          <WirePreview write={write} />
          <div class="dialog-actions">
            <button type="button" class="button" disabled={busy} onClick={record}>
              {busy ? 'Sending…' : 'Confirm dose given'}
            </button>
            <button type="button" class="button button-secondary" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function PreviewCard({ p, weight, tz }: { p: DosePreview; weight: number; tz: string }) {
  const failed = p.gates.filter((g) => !g.passed);
  return (
    <div class={'ed-preview' + (p.accepted ? '' : ' ed-preview-refused')} aria-live="polite">
      <p class="rate-label">
        {p.repeat ? 'Repeat' : 'First'} dose, {ROUTE_LABEL[p.route]} ({p.protocol}), for {formatQuantity(weight, 'kg')}:
      </p>
      <DoseEqualsVolume mg={p.dose_mg} ml={p.volume_ml} />
      <dl class="facts-grid">
        <div>
          <dt>Dose per kg</dt>
          <dd>{formatQuantity(p.dose_mg_per_kg, 'mg/kg')}</dd>
        </div>
        <div>
          <dt>Concentration</dt>
          <dd>{formatQuantity(p.concentration_mg_per_ml, 'mg/mL')}</dd>
        </div>
        <div>
          <dt>Running total after this dose</dt>
          <dd>
            {formatQuantity(p.running_total_mg, 'mg')} ({formatQuantity(p.running_total_mg_per_kg, 'mg/kg')})
          </dd>
        </div>
        <div>
          <dt>Hard limit (total)</dt>
          <dd>{formatQuantity(p.cumulative_limit.hard_mg_per_kg, 'mg/kg')}</dd>
        </div>
        {p.earliest_repeat_at && (
          <div>
            <dt>Earliest repeat after it</dt>
            <dd>{timeIn(tz, p.earliest_repeat_at)}</dd>
          </div>
        )}
      </dl>
      <p class={'ed-limit-status ed-limit-' + p.limit_status}>{LIMIT_LABEL[p.limit_status] ?? p.limit_status}</p>
      {failed.length > 0 && (
        <div role="alert" class="ed-refusals">
          <p class="notice-title">The server refuses this dose:</p>
          <GateList gates={failed} />
        </div>
      )}
      <details>
        <summary>Every check ({p.gates.length})</summary>
        <GateList gates={p.gates} />
      </details>
    </div>
  );
}

function GateList({ gates }: { gates: Gate[] }) {
  return (
    <ul class="checklist">
      {gates.map((g) => (
        <li key={g.gate} class={'check ' + (g.passed ? 'check-passed' : 'check-failed')}>
          <span class="check-icon" aria-hidden="true">
            {g.passed ? '✓' : '✕'}
          </span>
          <span class="check-body">
            <strong>{edGateLabel(g.gate)}</strong> <span class="check-state">{g.passed ? 'Passed' : 'Not passed'}</span>
            <span class="check-reason">{g.reason}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function DoseHistory({ ctx, doses }: { ctx: Ctx; doses: SedationDose[] }) {
  return (
    <section class="card chair-section" aria-labelledby="doses-title">
      <h2 id="doses-title">Doses given</h2>
      {doses.length === 0 ? (
        <p class="empty">None yet.</p>
      ) : (
        <div class="table-wrap" role="region" aria-label="Doses recorded" tabIndex={0}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Dose = volume</th>
                <th scope="col">Running total</th>
                <th scope="col">
                  <span class="visually-hidden">Correction</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {doses.map((d) => {
                const struck = d.status !== 'active';
                const cell = (t: string) => (struck ? <del>{t}</del> : t);
                return (
                  <tr key={d.id} class={struck ? 'row-corrected' : ''}>
                    <td>{cell(timeIn(ctx.tz, d.at))}</td>
                    <td>
                      <strong class="nowrap">{cell(`${formatQuantity(d.dose_mg, 'mg')} = ${formatQuantity(d.volume_ml, 'mL')}`)}</strong>
                      <br />
                      <span class="muted">
                        {ROUTE_LABEL[d.route] ?? d.route}, {formatQuantity(d.dose_mg_per_kg, 'mg/kg')} of {formatQuantity(d.concentration_mg_per_ml, 'mg/mL')}
                        {d.ordered_by ? `, ordered by ${d.ordered_by}` : ''}
                        {d.override_reason ? `, override: ${d.override_reason}` : ''}
                      </span>
                    </td>
                    <td>{cell(`${formatQuantity(d.running_total_mg, 'mg')} (${formatQuantity(d.running_total_mg_per_kg, 'mg/kg')})`)}</td>
                    <td>
                      {struck ? (
                        <span class="correction-note">Entered in error{d.correction?.reason ? `: ${d.correction.reason}` : ''}</span>
                      ) : (
                        <CorrectButton ctx={ctx} collection="doses" entryId={d.id} what={`the dose at ${timeIn(ctx.tz, d.at)}`} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// ---- Monitoring ----------------------------------------------------------------------------------

const READINGS: Array<{ key: keyof Monitoring & string; label: string; unit: 'bpm' | '%' | 'mmHg' | 'breaths/min' }> = [
  { key: 'spo2_percent', label: 'SpO2 (%)', unit: '%' },
  { key: 'hr_bpm', label: 'Heart rate (bpm)', unit: 'bpm' },
  { key: 'sbp_mmhg', label: 'Systolic BP (mmHg)', unit: 'mmHg' },
  { key: 'dbp_mmhg', label: 'Diastolic BP (mmHg)', unit: 'mmHg' },
  { key: 'rr_per_min', label: 'Respiratory rate (breaths/min)', unit: 'breaths/min' },
];

function readingsBody(values: Record<string, string>, oxygen: string, note: string): Record<string, unknown> | string {
  const b: Record<string, unknown> = {};
  for (const r of READINGS) {
    const t = (values[r.key] ?? '').trim();
    if (!t) continue;
    if (!/^\d{1,3}(\.\d)?$/.test(t)) return `${r.label}: type a number such as 98`;
    b[r.key] = Number(t);
  }
  if (oxygen) b.on_oxygen = oxygen === 'yes';
  if (note.trim()) b.sedation_observation = note.trim();
  if (!Object.keys(b).length) return 'Type at least one reading or an observation';
  return b;
}

function MonitoringPanel({ ctx, open }: { ctx: Ctx; open: boolean }) {
  const { e, tz } = ctx;
  const [values, setValues] = useState<Record<string, string>>({});
  const [oxygen, setOxygen] = useState('');
  const [note, setNote] = useState('');
  const [when, setWhen] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const { busy, refusal, setRefusal, run } = useSender();

  async function submit(ev: Event) {
    ev.preventDefault();
    setRefusal(null);
    const b = readingsBody(values, oxygen, note);
    if (typeof b === 'string') return setProblem(b);
    const at = atField(tz, when);
    if ('error' in at) return setProblem(at.error);
    setProblem(null);
    await run(
      () => ctx.send('Monitoring', { method: 'POST', path: episodePath(e.id, '/monitoring'), body: { ...b, ...at } }),
      () => {
        setValues({});
        setOxygen('');
        setNote('');
        setWhen('');
        ctx.reload();
      },
    );
  }

  return (
    <section class="card chair-section" aria-labelledby="mon-title">
      <h2 id="mon-title">Monitoring</h2>
      {open && (
        <form onSubmit={submit} noValidate>
          <div class="vitals-grid">
            {READINGS.map((r) => (
              <div class="field" key={r.key}>
                <label for={`mon-${r.key}`}>{r.label}</label>
                <input id={`mon-${r.key}`} class="input input-vital" inputMode="decimal" autocomplete="off" value={values[r.key] ?? ''} onInput={(ev) => setValues({ ...values, [r.key]: (ev.currentTarget as HTMLInputElement).value })} />
              </div>
            ))}
          </div>
          <fieldset class="field">
            <legend>On supplemental oxygen</legend>
            <div class="radios radios-inline">
              {[['yes', 'Yes'], ['no', 'No']].map(([v, l]) => (
                <div class="radio" key={v}>
                  <input type="radio" id={`oxy-${v}`} name="oxygen" checked={oxygen === v} onChange={() => setOxygen(v!)} />
                  <label for={`oxy-${v}`}>{l}</label>
                </div>
              ))}
            </div>
          </fieldset>
          <div class="field">
            <label for="mon-note">Observation (optional)</label>
            <input id="mon-note" class="input" autocomplete="off" value={note} onInput={(ev) => setNote((ev.currentTarget as HTMLInputElement).value)} />
          </div>
          <WhenField id="mon-when" label="Taken at" value={when} onInput={setWhen} tz={tz} />
          {problem && (
            <p class="field-error" role="alert">
              {problem}
            </p>
          )}
          <Refusal error={refusal} />
          <button type="submit" class="button" disabled={busy}>
            Record monitoring
          </button>
          <p class="hint">The reference gives no ED thresholds for ketamine sedation, so the server raises no alert: watch the readings.</p>
        </form>
      )}
      {e.monitoring.length === 0 ? (
        <p class="empty">No monitoring recorded.</p>
      ) : (
        <div class="table-wrap" role="region" aria-label="Monitoring recorded" tabIndex={0}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">SpO2</th>
                <th scope="col">HR</th>
                <th scope="col">BP</th>
                <th scope="col">RR</th>
                <th scope="col">O2</th>
                <th scope="col">Observation</th>
                <th scope="col">
                  <span class="visually-hidden">Correction</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {[...e.monitoring].reverse().map((m) => {
                const struck = m.status !== 'active';
                const cell = (t: string) => (struck ? <del>{t}</del> : t);
                const bp = m.sbp_mmhg !== null || m.dbp_mmhg !== null ? `${m.sbp_mmhg ?? '—'}/${m.dbp_mmhg ?? '—'}` : '—';
                return (
                  <tr key={m.id} class={struck ? 'row-corrected' : ''}>
                    <td>{cell(timeIn(tz, m.at))}</td>
                    <td>{cell(formatQuantity(m.spo2_percent, '%'))}</td>
                    <td>{cell(m.hr_bpm === null ? '—' : String(m.hr_bpm))}</td>
                    <td>{cell(bp)}</td>
                    <td>{cell(m.rr_per_min === null ? '—' : String(m.rr_per_min))}</td>
                    <td>{cell(m.on_oxygen === null ? '—' : m.on_oxygen ? 'yes' : 'no')}</td>
                    <td class="message-cell">{cell(m.sedation_observation || '—')}</td>
                    <td>
                      {struck ? (
                        <span class="correction-note">
                          {m.status === 'amended' ? 'Amended' : 'Entered in error'}
                          {m.correction?.reason ? `: ${m.correction.reason}` : ''}
                        </span>
                      ) : (
                        <CorrectButton ctx={ctx} collection="monitoring" entryId={m.id} what={`monitoring at ${timeIn(tz, m.at)}`} amend={m} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// ---- Adverse events ------------------------------------------------------------------------------

function AdversePanel({ ctx, open }: { ctx: Ctx; open: boolean }) {
  const { e, tz } = ctx;
  const [kind, setKind] = useState('');
  const [severity, setSeverity] = useState('');
  const [done, setDone] = useState<Record<string, boolean>>({});
  const [description, setDescription] = useState('');
  const [when, setWhen] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const { busy, refusal, setRefusal, run } = useSender();

  async function submit(ev: Event) {
    ev.preventDefault();
    setRefusal(null);
    if (!kind) return setProblem('Choose what happened');
    if (!severity) return setProblem('Choose the severity');
    const at = atField(tz, when);
    if ('error' in at) return setProblem(at.error);
    setProblem(null);
    const body: Record<string, unknown> = { kind, severity, interventions: INTERVENTIONS.filter((i) => done[i.value]).map((i) => i.value), ...at };
    if (description.trim()) body.description = description.trim();
    await run(
      () => ctx.send('Adverse event', { method: 'POST', path: episodePath(e.id, '/adverse-events'), body }),
      () => {
        setKind('');
        setSeverity('');
        setDone({});
        setDescription('');
        setWhen('');
        ctx.reload();
      },
    );
  }

  return (
    <section class="card chair-section" aria-labelledby="ae-title">
      <h2 id="ae-title">Adverse events</h2>
      {open && (
        <form onSubmit={submit} noValidate>
          <div class="field">
            <label for="ae-kind">What happened</label>
            <select id="ae-kind" class="input input-medium" value={kind} onChange={(ev) => setKind((ev.currentTarget as HTMLSelectElement).value)}>
              <option value="">Choose…</option>
              {ADVERSE_KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          </div>
          <fieldset class="field">
            <legend>Severity</legend>
            <div class="radios radios-inline">
              {SEVERITIES.map((s) => (
                <div class="radio" key={s.value}>
                  <input type="radio" id={`sev-${s.value}`} name="ae-severity" checked={severity === s.value} onChange={() => setSeverity(s.value)} />
                  <label for={`sev-${s.value}`}>{s.label}</label>
                </div>
              ))}
            </div>
          </fieldset>
          <fieldset class="field">
            <legend>Interventions (tick all that were needed)</legend>
            <div class="ed-conditions">
              {INTERVENTIONS.map((i) => (
                <div class="checkbox" key={i.value}>
                  <input type="checkbox" id={`int-${i.value}`} checked={!!done[i.value]} onChange={(ev) => setDone({ ...done, [i.value]: (ev.currentTarget as HTMLInputElement).checked })} />
                  <label for={`int-${i.value}`}>{i.label}</label>
                </div>
              ))}
            </div>
          </fieldset>
          <div class="field">
            <label for="ae-desc">Description (needed for “other”)</label>
            <input id="ae-desc" class="input" autocomplete="off" value={description} onInput={(ev) => setDescription((ev.currentTarget as HTMLInputElement).value)} />
          </div>
          <WhenField id="ae-when" label="Happened at" value={when} onInput={setWhen} tz={tz} />
          {problem && (
            <p class="field-error" role="alert">
              {problem}
            </p>
          )}
          <Refusal error={refusal} />
          <button type="submit" class="button" disabled={busy}>
            Record adverse event
          </button>
        </form>
      )}
      {e.adverse_events.length === 0 ? (
        <p class="empty">No adverse event recorded.</p>
      ) : (
        <ul class="ed-ae-list">
          {e.adverse_events.map((a) => (
            <AdverseItem key={a.id} a={a} ctx={ctx} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AdverseItem({ a, ctx }: { a: SedationAdverseEvent; ctx: Ctx }) {
  const struck = a.status !== 'active';
  const text = `${timeIn(ctx.tz, a.at)} ${labelOf(ADVERSE_KINDS, a.kind)} (${labelOf(SEVERITIES, a.severity).toLowerCase()})${a.interventions.length ? ': ' + a.interventions.map((i) => labelOf(INTERVENTIONS, i).toLowerCase()).join(', ') : ''}${a.description ? `. ${a.description}` : ''}`;
  return (
    <li class={'ed-ae ' + (struck ? 'row-corrected' : `ed-ae-${a.severity}`)}>
      {struck ? <del>{text}</del> : text}{' '}
      {struck ? (
        <span class="correction-note">Entered in error{a.correction?.reason ? `: ${a.correction.reason}` : ''}</span>
      ) : (
        <CorrectButton ctx={ctx} collection="adverse-events" entryId={a.id} what={`the ${labelOf(ADVERSE_KINDS, a.kind).toLowerCase()} at ${timeIn(ctx.tz, a.at)}`} />
      )}
    </li>
  );
}

// ---- Corrections -------------------------------------------------------------------------------

function CorrectButton({ ctx, collection, entryId, what, amend }: { ctx: Ctx; collection: 'doses' | 'monitoring' | 'adverse-events'; entryId: number; what: string; amend?: Monitoring }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class="button button-secondary button-small" onClick={() => setOpen(true)}>
        Correct<span class="visually-hidden"> {what}</span>
      </button>
      {open && <CorrectDialog ctx={ctx} collection={collection} entryId={entryId} what={what} amend={amend} onClose={() => setOpen(false)} />}
    </>
  );
}

function CorrectDialog({ ctx, collection, entryId, what, amend, onClose }: { ctx: Ctx; collection: string; entryId: number; what: string; amend?: Monitoring; onClose: () => void }) {
  const [action, setAction] = useState<'' | 'amend' | 'entered_in_error'>(amend ? '' : 'entered_in_error');
  const [reason, setReason] = useState('');
  // Amending starts from what was typed, so only the wrong number is changed.
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(READINGS.map((r) => [r.key, amend?.[r.key] == null ? '' : String(amend[r.key])])));
  const { busy, refusal, run } = useSender();
  let amended: Record<string, unknown> | string = {};
  if (action === 'amend' && amend) {
    amended = readingsBody(values, amend.on_oxygen === null ? '' : amend.on_oxygen ? 'yes' : 'no', amend.sedation_observation);
    if (typeof amended !== 'string') amended.at_ms = Date.parse(amend.at);
  }
  const body: Record<string, unknown> = { action, reason: reason.trim() };
  if (action === 'amend' && typeof amended !== 'string') body.values = amended;
  const write: ChairWrite = { method: 'POST', path: episodePath(ctx.e.id, `/${collection}/${entryId}/corrections`), body };
  const problem = !action ? 'Choose what is wrong with the entry' : !reason.trim() ? 'Give the reason for the correction' : typeof amended === 'string' ? amended : null;

  async function confirm() {
    if (problem) return;
    await run(
      () => ctx.send(`Correction of ${what}`, write),
      () => {
        ctx.reload();
        onClose();
      },
    );
  }

  return (
    <Dialog title={`Correct ${what}`} onClose={onClose} busy={busy}>
      <p>The entry stays on the record, struck through, with your reason.{collection === 'doses' ? ' A dose is never amended: mark it entered in error, then record the dose that was given.' : ''}</p>
      {amend && (
        <fieldset class="field">
          <legend>What is wrong</legend>
          <div class="radios">
            <div class="radio">
              <input type="radio" id="corr-amend" name="corr-action" checked={action === 'amend'} onChange={() => setAction('amend')} />
              <label for="corr-amend">A value was mistyped: amend it</label>
            </div>
            <div class="radio">
              <input type="radio" id="corr-error" name="corr-action" checked={action === 'entered_in_error'} onChange={() => setAction('entered_in_error')} />
              <label for="corr-error">The whole entry is wrong: entered in error</label>
            </div>
          </div>
        </fieldset>
      )}
      {action === 'amend' && (
        <div class="vitals-grid">
          {READINGS.map((r) => (
            <div class="field" key={r.key}>
              <label for={`amend-${r.key}`}>{r.label}</label>
              <input id={`amend-${r.key}`} class="input input-vital" inputMode="decimal" value={values[r.key] ?? ''} onInput={(ev) => setValues({ ...values, [r.key]: (ev.currentTarget as HTMLInputElement).value })} />
            </div>
          ))}
        </div>
      )}
      <div class="field">
        <label for="corr-reason">Reason</label>
        <textarea id="corr-reason" class="input textarea" rows={2} value={reason} onInput={(ev) => setReason((ev.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <WirePreview write={write} />
      <Refusal error={refusal} />
      <div class="dialog-actions">
        <button type="button" class="button" disabled={busy || !!problem} onClick={confirm}>
          {busy ? 'Sending…' : 'Confirm correction'}
        </button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={onClose}>
          Cancel
        </button>
      </div>
      {problem && <p class="hint">{problem}.</p>}
    </Dialog>
  );
}

// ---- End of procedure, discharge, void -----------------------------------------------------------

function EndProcedure({ ctx }: { ctx: Ctx }) {
  const [open, setOpen] = useState(false);
  const [when, setWhen] = useState('');
  const { busy, refusal, run } = useSender();
  const at = atField(ctx.tz, when);
  const write: ChairWrite = { method: 'POST', path: episodePath(ctx.e.id, '/end-procedure'), body: 'error' in at ? {} : at, ifMatch: ctx.e.version };
  async function confirm() {
    if ('error' in at) return;
    await run(
      () => ctx.send('End of the procedure', write),
      () => {
        setOpen(false);
        ctx.reload();
      },
    );
  }
  return (
    <section class="card chair-section" aria-labelledby="end-title">
      <h2 id="end-title">End of the procedure</h2>
      <p>After this no more doses are recorded; recovery and the discharge checks begin.</p>
      <button type="button" class="button" onClick={() => setOpen(true)}>
        Procedure over…
      </button>
      {open && (
        <Dialog title="End of the procedure: confirm" onClose={() => setOpen(false)} busy={busy}>
          <WhenField id="end-when" label="Procedure ended at" value={when} onInput={setWhen} tz={ctx.tz} error={'error' in at ? at.error : null} />
          <WirePreview write={write} />
          <Refusal error={refusal} />
          <div class="dialog-actions">
            <button type="button" class="button" disabled={busy || 'error' in at} onClick={confirm}>
              Confirm: procedure over
            </button>
            <button type="button" class="button button-secondary" disabled={busy} onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function DischargePanel({ ctx }: { ctx: Ctx }) {
  const { e, tz } = ctx;
  const r = e.discharge_readiness;
  const now = useNow(15_000);
  const [met, setMet] = useState<Record<string, boolean>>({});
  const [reversal, setReversal] = useState('');
  const { busy, refusal, run } = useSender();
  const timeGates = r.gates.filter((g) => g.gate !== 'discharge_checklist' && g.gate !== 'episode_recovering');
  const earliest = r.earliest_at ? Date.parse(r.earliest_at) : null;

  if (e.state === 'discharged') {
    return (
      <section class="card chair-section" aria-labelledby="dis-title">
        <h2 id="dis-title">Discharged</h2>
        <p>Discharged at {e.discharged_at ? dateTimeIn(tz, e.discharged_at) : '—'}.</p>
        <Instructions list={r.instructions} />
      </section>
    );
  }
  const rev = atField(tz, reversal);
  const body: Record<string, unknown> = { criteria: Object.fromEntries(r.checklist.map((c) => [c.id, !!met[c.id]])) };
  if (!('error' in rev) && rev.at_ms !== undefined) body.reversal_agent_at_ms = rev.at_ms;
  const write: ChairWrite = { method: 'POST', path: episodePath(e.id, '/discharge'), body, ifMatch: e.version };

  async function discharge() {
    await run(() => ctx.send('Discharge', write), ctx.reload);
  }

  return (
    <section class="card chair-section" aria-labelledby="dis-title">
      <h2 id="dis-title">Before discharge</h2>
      <p class="ed-earliest">
        {earliest === null ? (
          'Every time rule is met.'
        ) : earliest <= now ? (
          <>Time rules met since {timeIn(tz, r.earliest_at!)}.</>
        ) : (
          <>
            Earliest discharge: <strong class="timer-value">{timeIn(tz, r.earliest_at!)}</strong> (in {clock(earliest - now)})
          </>
        )}
      </p>
      <GateList gates={timeGates} />
      <fieldset class="field ed-checklist">
        <legend>Discharge checklist (RCEM): tick each criterion met</legend>
        {r.checklist.map((c) => (
          <div class="checkbox" key={c.id}>
            <input type="checkbox" id={`crit-${c.id}`} checked={!!met[c.id]} onChange={(ev) => setMet({ ...met, [c.id]: (ev.currentTarget as HTMLInputElement).checked })} />
            <label for={`crit-${c.id}`}>{c.text}</label>
          </div>
        ))}
      </fieldset>
      <WhenField id="rev-when" label="Reversal agent given at (only if one was given)" value={reversal} onInput={setReversal} tz={tz} error={'error' in rev ? rev.error : null} />
      <WirePreview write={write} />
      <Refusal error={refusal} words={Object.fromEntries(r.checklist.map((c) => [c.id, `“${c.text}”`]))} />
      <button type="button" class="button button-large" disabled={busy || 'error' in rev} onClick={discharge}>
        {busy ? 'Sending…' : 'Discharge'}
      </button>
      <Instructions list={r.instructions} />
    </section>
  );
}

function Instructions({ list }: { list: string[] }) {
  if (!list.length) return null;
  return (
    <div class="ed-instructions">
      <h3>For the patient and carers</h3>
      <ul>
        {list.map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
    </div>
  );
}

function VoidPanel({ ctx }: { ctx: Ctx }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { busy, refusal, run } = useSender();
  const write: ChairWrite = { method: 'POST', path: episodePath(ctx.e.id, '/void'), body: { reason: reason.trim() }, ifMatch: ctx.e.version };
  async function confirm() {
    await run(
      () => ctx.send('Void', write),
      () => {
        setOpen(false);
        ctx.reload();
      },
    );
  }
  return (
    <section class="card chair-section" aria-labelledby="void-title">
      <h2 id="void-title">Not going ahead</h2>
      <p>With no dose in force the episode may be voided; it stays on file.</p>
      <button type="button" class="button button-secondary" onClick={() => setOpen(true)}>
        Void this episode…
      </button>
      {open && (
        <Dialog title="Void the episode" onClose={() => setOpen(false)} busy={busy} tone="danger">
          <div class="field">
            <label for="void-reason">Reason</label>
            <textarea id="void-reason" class="input textarea" rows={2} value={reason} onInput={(ev) => setReason((ev.currentTarget as HTMLTextAreaElement).value)} />
          </div>
          <Refusal error={refusal} />
          <div class="dialog-actions">
            <button type="button" class="button button-danger" disabled={busy || !reason.trim()} onClick={confirm}>
              Void
            </button>
            <button type="button" class="button button-secondary" disabled={busy} onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

// ---- Opening checks --------------------------------------------------------------------------------

function OpeningPanel({ e }: { e: Episode }) {
  const findings = [...e.findings.absolute, ...e.findings.relative];
  return (
    <section class="card chair-section" aria-labelledby="open-title">
      <h2 id="open-title">Age and contraindications</h2>
      <GateList gates={e.opening_gates} />
      {findings.length > 0 ? (
        <ul class="ed-findings">
          {findings.map((f) => (
            <li key={f.rule}>
              <strong>{f.severity === 'absolute' ? 'Absolute' : 'Relative'}:</strong> {f.finding} <span class="muted">({f.source})</span>
            </li>
          ))}
        </ul>
      ) : (
        <p>No contraindication reported.</p>
      )}
      {e.relative_review_reason && <p>Physician’s review: {e.relative_review_reason}</p>}
    </section>
  );
}

/** "30 mg = 3 mL", large; on a narrow screen "= 3 mL" moves to the next line whole (the sign never
 * ends a line on its own). */
function DoseEqualsVolume({ mg, ml }: { mg: number; ml: number }) {
  return (
    <p class="ed-dose-big">
      <span class="rate-value">{formatQuantity(mg, 'mg')}</span>{' '}
      <span class="ed-volume">
        <span class="ed-eq">=</span> <span class="rate-value">{formatQuantity(ml, 'mL')}</span>
      </span>
    </p>
  );
}

/** One confirmed write at a time: `busy` while it is sent, the server's refusal kept to show;
 * `done` runs after the server accepted it. */
function useSender() {
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<unknown>(null);
  async function run(send: () => Promise<unknown>, done: () => void): Promise<void> {
    setBusy(true);
    setRefusal(null);
    try {
      await send();
      done();
    } catch (ex) {
      setRefusal(ex);
    } finally {
      setBusy(false);
    }
  }
  return { busy, refusal, setRefusal, run };
}
