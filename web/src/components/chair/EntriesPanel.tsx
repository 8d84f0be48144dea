// The session's other entries: the pump event history (a wrong event is marked entered in error),
// adverse events and CADSS, each correctable with a reason; corrected entries stay, struck through.
import { useState } from 'preact/hooks';
import type { ChairWrite } from '../../api/sessions';
import { formatQuantity } from '../../format/quantity';
import { timeIn } from '../../format/time';
import { ADVERSE_KINDS, EVENT_LABEL, words } from '../../screens/chair/labels';
import { CorrectButton, CorrectionNote } from './Corrections';
import { Section, errorText } from './common';
import type { ChairContext } from './common';

export function EventHistory({ ctx }: { ctx: ChairContext }) {
  const s = ctx.session;
  if (!s.events.length) return null;
  return (
    <Section id="events-title" title="Pump events">
      <ol class="event-list">
        {s.events.map((e) => {
          const struck = e.status !== 'active';
          const text = `${timeIn(ctx.tz, e.at)} ${EVENT_LABEL[e.kind] ?? e.kind}${e.rate_ml_per_h !== null ? ' at ' + formatQuantity(e.rate_ml_per_h, 'mL/h') : ''}`;
          return (
            <li key={e.id} class={struck ? 'row-corrected' : ''}>
              {struck ? <del>{text}</del> : <span>{text}</span>}
              {e.note && <span class="muted"> — {e.note}</span>}
              {e.override_reason && <span class="event-extra">Physician override: {e.override_reason}</span>}
              {e.gate_override_reason && <span class="event-extra">Started without a cleared day-of check: {e.gate_override_reason}</span>}
              {struck && <CorrectionNote status={e.status} correction={e.correction} />}
              {!struck && s.state !== 'discharged' && <CorrectButton ctx={ctx} collection="events" entryId={e.id} what={`pump event ${EVENT_LABEL[e.kind]} of ${timeIn(ctx.tz, e.at)}`} />}
            </li>
          );
        })}
      </ol>
    </Section>
  );
}

export function AdversePanel({ ctx }: { ctx: ChairContext }) {
  const s = ctx.session;
  const open = s.state !== 'discharged' && s.state !== 'voided' && s.state !== 'planned';
  const [kind, setKind] = useState('');
  const [severity, setSeverity] = useState('');
  const [description, setDescription] = useState('');
  const [actionTaken, setActionTaken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    if (!kind || !severity) {
      setError('Choose the kind and the severity.');
      return;
    }
    const body: Record<string, unknown> = { kind, severity };
    if (description.trim()) body.description = description.trim();
    if (actionTaken.trim()) body.action_taken = actionTaken.trim();
    const write: ChairWrite = { method: 'POST', path: `/sessions/${s.id}/adverse-events`, body };
    setBusy(true);
    setError(null);
    try {
      await ctx.send(`Adverse event (${words(kind)})`, write);
      setKind('');
      setSeverity('');
      setDescription('');
      setActionTaken('');
      ctx.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section id="adverse-title" title="Adverse events">
      {s.adverse_events.length === 0 ? (
        <p class="muted">None recorded.</p>
      ) : (
        <ul class="entry-list">
          {s.adverse_events.map((a) => {
            const struck = a.status !== 'active';
            const text = `${timeIn(ctx.tz, a.at)} ${words(a.kind)} (${words(a.severity)})${a.description ? ': ' + a.description : ''}`;
            return (
              <li key={a.id}>
                {struck ? <del>{text}</del> : text}
                {struck && <CorrectionNote status={a.status} correction={a.correction} />}
                {!struck && <CorrectButton ctx={ctx} collection="adverse-events" entryId={a.id} what={`adverse event ${words(a.kind)}`} />}
              </li>
            );
          })}
        </ul>
      )}
      {open && (
        <form onSubmit={submit} noValidate class="entry-form">
          <div class="field">
            <label for="ae-kind">Kind</label>
            <select id="ae-kind" class="input input-medium" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">Choose…</option>
              {ADVERSE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {words(k)}
                </option>
              ))}
            </select>
          </div>
          <fieldset class="field">
            <legend>Severity</legend>
            <div class="radios radios-inline">
              {['mild', 'moderate', 'severe', 'life_threatening'].map((v) => (
                <div class="radio" key={v}>
                  <input type="radio" id={`ae-sev-${v}`} name="ae-severity" checked={severity === v} onChange={() => setSeverity(v)} />
                  <label for={`ae-sev-${v}`}>{words(v)}</label>
                </div>
              ))}
            </div>
          </fieldset>
          <div class="field">
            <label for="ae-description">Description{kind === 'other' ? '' : ' (optional)'}</label>
            <input id="ae-description" class="input" value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="ae-action">Action taken (optional)</label>
            <input id="ae-action" class="input" value={actionTaken} onInput={(e) => setActionTaken((e.currentTarget as HTMLInputElement).value)} />
          </div>
          {error && (
            <p class="notice notice-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="button" disabled={busy}>
            {busy ? 'Recording…' : 'Record adverse event'}
          </button>
        </form>
      )}
    </Section>
  );
}

const CADSS_ITEMS = 23;

export function CadssPanel({ ctx }: { ctx: ChairContext }) {
  const s = ctx.session;
  const open = s.state === 'running' || s.state === 'paused' || s.state === 'stopped';
  const [answers, setAnswers] = useState<string[]>(() => Array(CADSS_ITEMS).fill(''));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [show, setShow] = useState(false);
  const missing = answers.filter((a) => a === '').length;
  async function submit(e: Event) {
    e.preventDefault();
    if (missing) {
      setError(`${missing} item${missing > 1 ? 's' : ''} not answered: every item is needed.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await ctx.send('CADSS', { method: 'POST', path: `/sessions/${s.id}/dissociation`, body: { answers: answers.map(Number) } });
      setAnswers(Array(CADSS_ITEMS).fill(''));
      setShow(false);
      ctx.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Section id="cadss-title" title="Dissociation (CADSS)">
      {s.dissociation.length === 0 ? (
        <p class="muted">No CADSS recorded.</p>
      ) : (
        <ul class="entry-list">
          {s.dissociation.map((d) => {
            const struck = d.status !== 'active';
            const text = `${timeIn(ctx.tz, d.at)} total ${d.total}`;
            return (
              <li key={d.id}>
                {struck ? <del>{text}</del> : text}
                {struck && <CorrectionNote status={d.status} correction={d.correction} />}
                {!struck && <CorrectButton ctx={ctx} collection="dissociation" entryId={d.id} what={`CADSS of ${timeIn(ctx.tz, d.at)}`} />}
              </li>
            );
          })}
        </ul>
      )}
      {open && !show && (
        <button type="button" class="button button-secondary" onClick={() => setShow(true)}>
          Record a CADSS…
        </button>
      )}
      {open && show && (
        <form onSubmit={submit} noValidate>
          <p class="hint">The 23 subjective items of the clinic's licensed form, each scored 0 to 4 (the server's item range; the clinic confirms it against its form).</p>
          <div class="cadss-grid">
            {answers.map((a, i) => (
              <div class="field" key={i}>
                <label for={`cadss-${i + 1}`}>Item {i + 1}</label>
                <select id={`cadss-${i + 1}`} class="input" value={a} onChange={(e) => setAnswers(answers.map((x, j) => (j === i ? (e.currentTarget as HTMLSelectElement).value : x)))}>
                  <option value="">—</option>
                  {[0, 1, 2, 3, 4].map((v) => (
                    <option key={v} value={String(v)}>
                      {v}
                    </option>
                  ))}
                </select>
              </div>
            ))}
          </div>
          {error && (
            <p class="notice notice-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="button" disabled={busy}>
            {busy ? 'Recording…' : 'Record CADSS'}
          </button>
        </form>
      )}
    </Section>
  );
}
