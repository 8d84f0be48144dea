// ED procedural sedation: /ed. The episodes in progress (open, sedated, recovering) and a new
// episode for a patient in the department, without a clinic course or appointment: identity,
// measured weight, procedure and the ED contraindication questions. The server applies the age and
// contraindication gates (ACEP 2011) and stores nothing when it refuses; the screen shows which
// rule refused. Doses come next, on the episode's screen, as the server computes them.
import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { listEpisodes } from '../../api/sedation';
import type { Episode, EpisodeSummary } from '../../api/sedation';
import { newIdempotencyKey } from '../chair/outbox';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { RadioGroup, TextArea, TextField } from '../../components/Fields';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { dateTimeIn } from '../../format/time';
import { Link, navigate } from '../../router';
import { getSession } from '../../session';
import { CONDITIONS, EMPTY_OPENING, HEPATIC, checkOpening, openingBody } from './edForm';
import type { OpeningForm } from './edForm';
import { Refusal, WhenField, useClinicZone } from './common';
import { STATE_LABEL } from './labels';
import '../chair/chair.css';
import './ed.css';
import { nowMs } from '../../format/clock';

const SERVER_FIELD: Record<string, string> = {
  'patient.given_name': 'given_name',
  'patient.family_name': 'family_name',
  'patient.date_of_birth': 'date_of_birth',
  'patient.sex': 'sex',
  'patient.mrn': 'mrn',
  weight_kg: 'weight_kg',
  procedure: 'procedure',
  major_posterior_pharynx_procedure: 'posterior_pharynx',
  'conditions.hepatic_impairment': 'hepatic',
  relative_contraindication_review_reason: 'review_reason',
  at_ms: 'started_at',
};

export default function EdHome() {
  const tz = useClinicZone();
  const active = useResource(async (signal) => {
    const lists = await Promise.all((['open', 'sedated', 'recovering'] as const).map((s) => listEpisodes(s, signal)));
    return lists.flat().sort((a, b) => b.id - a.id);
  }, []);
  return (
    <div class="ed-screen">
      <div class="page-head">
        <h1>ED procedural sedation</h1>
        <p class="subtitle">Ketamine for a procedure in the emergency department: no clinic course or appointment needed. Doses, running totals and discharge times are the server’s, from the ED protocols.</p>
      </div>
      <section class="section" aria-labelledby="ed-active-title">
        <h2 id="ed-active-title">Sedations in progress</h2>
        {active.status === 'error' && <LoadError error={active.error} retry={active.reload} />}
        {!active.data && active.status === 'loading' && <Skeleton label="sedations in progress" />}
        {active.data && active.data.length === 0 && <Empty>No sedation in progress.</Empty>}
        {active.data && active.data.length > 0 && <ActiveList episodes={active.data} tz={tz} />}
      </section>
      <NewEpisode tz={tz} />
    </div>
  );
}

function ActiveList({ episodes, tz }: { episodes: EpisodeSummary[]; tz: string }) {
  return (
    <ul class="ed-active">
      {episodes.map((e) => (
        <li key={e.id} class="card ed-active-item">
          <Link href={`/ed/episode?id=${e.id}`}>
            Episode {e.id}: {e.procedure}
          </Link>{' '}
          <span class={`tag ed-state-${e.state}`}>{STATE_LABEL[e.state] ?? e.state}</span>
          <span class="muted">
            {' '}
            · {formatQuantity(e.weight_kg, 'kg')} · opened {dateTimeIn(tz, e.created_at)}
          </span>
        </li>
      ))}
    </ul>
  );
}

function NewEpisode({ tz }: { tz: string }) {
  const [form, setForm] = useState<OpeningForm>(EMPTY_OPENING);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [refusal, setRefusal] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [key, setKey] = useState(() => newIdempotencyKey());
  const isPhysician = getSession().user?.role === 'physician';
  const set = <K extends keyof OpeningForm>(k: K) => (v: OpeningForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setKey(newIdempotencyKey()); // a changed request is a new write
  };
  const err = (k: string) => errors.find((e) => e.field === k)?.message;

  async function submit(e: Event) {
    e.preventDefault();
    setRefusal(null);
    const local = checkOpening(form, tz, nowMs());
    setErrors(local);
    if (local.length) {
      setFocusKey((n) => n + 1);
      return;
    }
    setSaving(true);
    try {
      const answer = await api.request<Episode>('POST', '/sedation/episodes', { body: openingBody(form, tz), idempotencyKey: key });
      navigate(`/ed/episode?id=${answer.data.id}`);
    } catch (ex) {
      const field = (ex as { field?: string }).field;
      const mapped = field ? (SERVER_FIELD[field] ?? (field.startsWith('conditions.') ? 'all_asked' : null)) : null;
      const status = (ex as { status?: number }).status;
      if (mapped && status === 400) {
        setErrors([{ field: mapped, message: (ex as Error).message }]);
        setFocusKey((n) => n + 1);
      } else {
        setRefusal(ex);
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <section class="card section ed-new" aria-labelledby="ed-new-title">
      <h2 id="ed-new-title">New sedation</h2>
      <form onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} focusKey={focusKey} />
        <fieldset class="ed-fieldset">
          <legend>Patient</legend>
          <div class="ed-two">
            <TextField name="given_name" label="Given name" value={form.given_name} onInput={set('given_name')} error={err('given_name')} autocomplete="off" />
            <TextField name="family_name" label="Family name" value={form.family_name} onInput={set('family_name')} error={err('family_name')} autocomplete="off" />
            <TextField name="date_of_birth" label="Date of birth" hint="YYYY-MM-DD, for example 2019-05-02. The server works out the age." value={form.date_of_birth} onInput={set('date_of_birth')} error={err('date_of_birth')} inputMode="numeric" autocomplete="off" />
            <TextField name="mrn" label="Hospital number (optional)" value={form.mrn} onInput={set('mrn')} error={err('mrn')} autocomplete="off" />
          </div>
          <RadioGroup name="sex" label="Sex" value={form.sex} options={[{ value: 'female', label: 'Female' }, { value: 'male', label: 'Male' }]} onChange={set('sex')} error={err('sex')} />
          <TextField name="weight_kg" label="Weight measured today (kg)" hint="Every dose of the episode is computed from this weight." value={form.weight_kg} onInput={set('weight_kg')} error={err('weight_kg')} inputMode="decimal" width="medium" autocomplete="off" />
          {form.weight_kg && !err('weight_kg') && /^\d+(\.\d+)?$/.test(form.weight_kg.trim()) && <p class="echo">You typed {formatQuantity(Number(form.weight_kg), 'kg', { maxDecimals: 3 })}</p>}
        </fieldset>
        <fieldset class="ed-fieldset">
          <legend>Procedure</legend>
          <TextField name="procedure" label="Procedure" hint="For example: forearm fracture reduction." value={form.procedure} onInput={set('procedure')} error={err('procedure')} autocomplete="off" />
          <RadioGroup
            name="posterior_pharynx"
            label="Does the procedure stimulate the posterior pharynx (a major procedure there)?"
            value={form.posterior_pharynx}
            options={[{ value: 'no', label: 'No' }, { value: 'yes', label: 'Yes' }]}
            onChange={set('posterior_pharynx')}
            error={err('posterior_pharynx')}
          />
          <WhenField id="field-started_at" label="Sedation care began at" value={form.started_at} onInput={set('started_at')} tz={tz} error={err('started_at')} />
        </fieldset>
        <fieldset class="ed-fieldset" aria-describedby="conditions-hint">
          <legend>Contraindications (ACEP 2011)</legend>
          <p class="hint" id="conditions-hint">
            Ask about each one and tick every condition present. The server decides which are absolute (no sedation) and which are relative (a physician reviews them).
          </p>
          <div class="ed-conditions">
            {CONDITIONS.map((c) => (
              <div class="checkbox" key={c.key}>
                <input type="checkbox" id={`cond-${c.key}`} checked={!!form.present[c.key]} onChange={(e) => set('present')({ ...form.present, [c.key]: (e.currentTarget as HTMLInputElement).checked })} />
                <label for={`cond-${c.key}`}>{c.label}</label>
              </div>
            ))}
          </div>
          <div class={'field checkbox ed-attest' + (err('all_asked') ? ' field-has-error' : '')}>
            <input type="checkbox" id="field-all_asked" checked={form.all_asked} aria-invalid={err('all_asked') ? 'true' : undefined} onChange={(e) => set('all_asked')((e.currentTarget as HTMLInputElement).checked)} />
            <label for="field-all_asked">I asked about every condition above: the ones not ticked are absent</label>
          </div>
          <RadioGroup
            name="hepatic"
            label="Hepatic impairment"
            value={form.hepatic}
            options={HEPATIC.map((h) => ({ value: h, label: h[0]!.toUpperCase() + h.slice(1) }))}
            onChange={set('hepatic')}
            error={err('hepatic')}
          />
          <TextArea
            name="review_reason"
            label="Physician’s review of relative contraindications"
            hint={isPhysician ? 'Needed when a relative contraindication is ticked: why the benefit outweighs the risk.' : 'Only a physician may accept a relative contraindication: ask one to open the episode.'}
            value={form.review_reason}
            onInput={set('review_reason')}
            error={err('review_reason')}
            rows={2}
          />
        </fieldset>
        <Refusal error={refusal} />
        <button type="submit" class="button button-large" disabled={saving}>
          {saving ? 'Checking…' : 'Check and open the sedation record'}
        </button>
      </form>
    </section>
  );
}
