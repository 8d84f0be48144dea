// Before treatment (nurse or physician): /prepare?patient=N, and /prepare to find the patient.
// What the infusion gates need, entered through the screens: the measured weight and height (the
// dose is computed from them), the screening (docs/screening-schema.md: every condition answered,
// the medications, and on an infusion day the day-of check), the signed treatment consent and, for a
// physician, the course (planned, then moved to induction); and a PHQ-9 completed on paper. Every rule is the server's; the screen
// shows its answer (eligible, findings, cleared to start).
import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { listConsents, listCourses, listScreenings } from '../../api/physician';
import { searchPatients } from '../../api/patients';
import type { Patient } from '../../api/types';
import { LoadError, Skeleton } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { dateIn, dateTimeIn } from '../../format/time';
import { Link, useLocation } from '../../router';
import { getSession } from '../../session';
import { newIdempotencyKey } from '../chair/outbox';
import { CONDITIONS, HEPATIC, parseDecimal } from '../ed/edForm';
import { wholeYears } from './age';
import { PHQ9_ANSWERS, PHQ9_ITEMS, PHQ9_QUESTION } from './phq9';
import { Refusal, useClinicZone } from '../ed/common';
import { FormOutcome, PaperQuestionnaire, SheetFooter } from '../../components/PaperQuestionnaire';
import '../chair/chair.css';
import '../ed/ed.css';

export default function BeforeTreatment() {
  const { search } = useLocation();
  const id = Number(search.get('patient'));
  if (!Number.isInteger(id) || id <= 0) return <FindPatient />;
  return <Prepare id={id} />;
}

function FindPatient() {
  const [q, setQ] = useState('');
  const [term, setTerm] = useState('');
  const found = useResource((signal) => (term ? searchPatients(term, signal).then((p) => p.patients) : Promise.resolve([])), [term]);
  return (
    <div>
      <div class="page-head">
        <h1>Before treatment</h1>
        <p class="subtitle">Weight and height, screening, consent, the course and the day-of check of a patient.</p>
      </div>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setTerm(q.trim());
        }}
      >
        <label for="prep-q">Find a patient (name or MRN)</label>
        <div class="search-row">
          <input id="prep-q" class="input input-medium" type="search" value={q} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="button">
            Search
          </button>
        </div>
      </form>
      {found.status === 'error' && <LoadError error={found.error} retry={found.reload} />}
      {term && found.data && (found.data.length === 0 ? <p class="empty">No patient found.</p> : (
        <ul class="ed-active">
          {found.data.map((p) => (
            <li key={p.id} class="card ed-active-item">
              <Link href={`/prepare?patient=${p.id}`}>
                {p.family_name}, {p.given_name}
              </Link>{' '}
              <span class="muted">
                MRN {p.mrn} · born {p.date_of_birth} · {p.status.replace(/_/g, ' ')}
              </span>
            </li>
          ))}
        </ul>
      ))}
    </div>
  );
}

function Prepare({ id }: { id: number }) {
  const tz = useClinicZone();
  const role = getSession().user?.role;
  const patient = useResource((signal) => api.request<Patient>('GET', `/patients/${id}`, { signal }), [id]);
  const history = useResource(async (signal) => {
    const [screenings, consents, courses] = await Promise.all([listScreenings(id, signal), listConsents(id, signal), listCourses(id, signal)]);
    return { screenings, consents, courses };
  }, [id]);
  const reload = () => {
    patient.reload();
    history.reload();
  };
  const p = patient.data?.data;
  if (!p) return patient.status === 'error' ? <LoadError error={patient.error} retry={patient.reload} /> : <Skeleton label="the patient" />;
  const latest = history.data?.screenings[0];
  return (
    <div class="chair-screen">
      <div class="page-head">
        <p class="breadcrumb">
          <Link href="/prepare">Before treatment</Link>
        </p>
        <h1>
          {p.family_name}, {p.given_name} <span class="visually-hidden">: before treatment</span>
        </h1>
        <p class="subtitle">
          MRN {p.mrn} · born {p.date_of_birth} · {p.indication.replace(/_/g, ' ')} · <span class="tag">{p.status.replace(/_/g, ' ')}</span>
        </p>
      </div>
      {history.status === 'error' && <LoadError error={history.error} retry={history.reload} />}
      <div class="chair-grid ed-screen">
        <div class="chair-col">
          <Measurements p={p} etag={patient.data!.etag} reload={reload} />
          <section class="card chair-section" aria-labelledby="latest-title">
            <h2 id="latest-title">Latest screening</h2>
            {!latest ? (
              <p class="empty">Not screened yet.</p>
            ) : (
              <>
                <p>
                  <strong>{latest.eligible ? 'Eligible' : 'Not eligible'}</strong>
                  {latest.result.cleared_to_start !== undefined && <> · {latest.result.cleared_to_start ? 'cleared to start today' : 'not cleared to start'}</>} · {dateTimeIn(tz, latest.screened_at)}
                </p>
                <ul class="ed-findings">
                  {[...latest.result.absolute.map((f) => ['Absolute', f] as const), ...latest.result.relative.map((f) => ['Relative', f] as const)].map(([k, f], i) => (
                    <li key={i}>
                      <strong>{k}:</strong> {f.finding ?? f.text ?? f.rule} <span class="muted">({f.source})</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <ConsentPanel id={id} consents={history.data?.consents ?? []} reload={reload} tz={tz} />
          <CoursePanel p={p} courses={history.data?.courses ?? []} reload={reload} isPhysician={role === 'physician'} />
        </div>
        <div class="chair-col">
          <ScreeningForm p={p} tz={tz} reload={reload} />
          <Phq9Form id={id} />
          <PaperQuestionnaire patientId={id} />
        </div>
      </div>
    </div>
  );
}

function Measurements({ p, etag, reload }: { p: Patient; etag: string | null; reload: () => void }) {
  const [weight, setWeight] = useState('');
  const [height, setHeight] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<unknown>(null);
  async function save(e: Event) {
    e.preventDefault();
    const w = parseDecimal(weight);
    const h = parseDecimal(height);
    if (w === null || h === null) return setProblem('Type the weight in kg and the height in cm, as measured');
    setProblem(null);
    setRefusal(null);
    try {
      await api.request('PATCH', `/patients/${p.id}`, { body: { weight_kg: w, height_cm: h }, ifMatch: etag ?? p.version });
      setWeight('');
      setHeight('');
      reload();
    } catch (ex) {
      setRefusal(ex);
    }
  }
  return (
    <section class="card chair-section" aria-labelledby="meas-title">
      <h2 id="meas-title">Weight and height</h2>
      <p>
        On record: {p.weight_kg === null ? 'no weight' : formatQuantity(p.weight_kg, 'kg')}, {p.height_cm === null ? 'no height' : formatQuantity(p.height_cm, 'cm')}.
      </p>
      <form onSubmit={save} noValidate>
        <div class="vitals-grid">
          <div class="field">
            <label for="meas-weight">Weight (kg)</label>
            <input id="meas-weight" class="input input-vital" inputMode="decimal" autocomplete="off" value={weight} onInput={(e) => setWeight((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="meas-height">Height (cm)</label>
            <input id="meas-height" class="input input-vital" inputMode="decimal" autocomplete="off" value={height} onInput={(e) => setHeight((e.currentTarget as HTMLInputElement).value)} />
          </div>
        </div>
        {problem && (
          <p class="field-error" role="alert">
            {problem}
          </p>
        )}
        <Refusal error={refusal} />
        <button type="submit" class="button">
          Save weight and height
        </button>
      </form>
    </section>
  );
}

function ScreeningForm({ p, tz, reload }: { p: Patient; tz: string; reload: () => void }) {
  const [present, setPresent] = useState<Record<string, boolean>>({});
  const [asked, setAsked] = useState(false);
  const [hepatic, setHepatic] = useState('');
  const [benzo, setBenzo] = useState('');
  const [dayOf, setDayOf] = useState(false);
  const [sbp, setSbp] = useState('');
  const [dbp, setDbp] = useState('');
  const [fasted, setFasted] = useState('');
  const [escort, setEscort] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<unknown>(null);
  const [answer, setAnswer] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setRefusal(null);
    setAnswer(null);
    const b = parseDecimal(benzo);
    const problems = [
      !asked && 'Confirm that every condition was asked about',
      !hepatic && 'Choose the hepatic impairment grade',
      b === null && 'Type the daily benzodiazepine dose as lorazepam equivalent in mg (0 when none)',
      dayOf && (parseDecimal(sbp) === null || parseDecimal(dbp) === null) && 'Type the blood pressure taken today',
      dayOf && (!fasted || !escort) && 'Answer the fasting and escort questions',
    ].filter(Boolean) as string[];
    if (problems.length) return setProblem(problems[0]!);
    setProblem(null);
    const conditions: Record<string, unknown> = Object.fromEntries(CONDITIONS.map((c) => [c.key, !!present[c.key]]));
    conditions.hepatic_impairment = hepatic;
    const body: Record<string, unknown> = {
      indication: p.indication,
      age_years: wholeYears(p.date_of_birth, dateIn(tz)),
      conditions,
      medications: { benzodiazepine_lorazepam_eq_mg_per_day: b },
    };
    if (dayOf) body.pre_infusion = { sbp_mmhg: parseDecimal(sbp), dbp_mmhg: parseDecimal(dbp), fasted_as_instructed: fasted === 'yes', escort_home_confirmed: escort === 'yes' };
    try {
      const r = await api.request<{ eligible: boolean; cleared_to_start?: boolean; result?: { cleared_to_start?: boolean } }>('POST', `/patients/${p.id}/screening`, { body, idempotencyKey: newIdempotencyKey() });
      const cleared = r.data.cleared_to_start ?? r.data.result?.cleared_to_start;
      setAnswer(`Screening recorded: ${r.data.eligible ? 'eligible' : 'not eligible'}${cleared === undefined ? '' : cleared ? ', cleared to start today' : ', not cleared to start'}.`);
      reload();
    } catch (ex) {
      setRefusal(ex);
    }
  }
  const yesNo = (name: string, value: string, set: (v: string) => void, legend: string) => (
    <fieldset class="field">
      <legend>{legend}</legend>
      <div class="radios radios-inline">
        {['yes', 'no'].map((v) => (
          <div class="radio" key={v}>
            <input type="radio" id={`${name}-${v}`} name={name} checked={value === v} onChange={() => set(v)} />
            <label for={`${name}-${v}`}>{v === 'yes' ? 'Yes' : 'No'}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
  return (
    <section class="card chair-section" aria-labelledby="scr-title">
      <h2 id="scr-title">Screening</h2>
      <form onSubmit={submit} noValidate>
        <fieldset class="field">
          <legend>Conditions present (tick each one)</legend>
          <div class="ed-conditions">
            {CONDITIONS.map((c) => (
              <div class="checkbox" key={c.key}>
                <input type="checkbox" id={`scr-${c.key}`} checked={!!present[c.key]} onChange={(e) => setPresent({ ...present, [c.key]: (e.currentTarget as HTMLInputElement).checked })} />
                <label for={`scr-${c.key}`}>{c.label}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="field checkbox ed-attest">
          <input type="checkbox" id="scr-asked" checked={asked} onChange={(e) => setAsked((e.currentTarget as HTMLInputElement).checked)} />
          <label for="scr-asked">I asked about every condition above: the ones not ticked are absent</label>
        </div>
        <fieldset class="field">
          <legend>Hepatic impairment</legend>
          <div class="radios radios-inline">
            {HEPATIC.map((h) => (
              <div class="radio" key={h}>
                <input type="radio" id={`scr-hep-${h}`} name="scr-hep" checked={hepatic === h} onChange={() => setHepatic(h)} />
                <label for={`scr-hep-${h}`}>{h[0]!.toUpperCase() + h.slice(1)}</label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for="scr-benzo">Benzodiazepines per day, as lorazepam (mg)</label>
          <p class="hint" id="scr-benzo-hint">Type 0 when none.</p>
          <input id="scr-benzo" class="input input-vital" inputMode="decimal" autocomplete="off" aria-describedby="scr-benzo-hint" value={benzo} onInput={(e) => setBenzo((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field checkbox">
          <input type="checkbox" id="scr-dayof" checked={dayOf} onChange={(e) => setDayOf((e.currentTarget as HTMLInputElement).checked)} />
          <label for="scr-dayof">This is the day-of check before today’s infusion</label>
        </div>
        {dayOf && (
          <>
            <div class="vitals-grid">
              <div class="field">
                <label for="scr-sbp">Systolic BP at rest (mmHg)</label>
                <input id="scr-sbp" class="input input-vital" inputMode="decimal" autocomplete="off" value={sbp} onInput={(e) => setSbp((e.currentTarget as HTMLInputElement).value)} />
              </div>
              <div class="field">
                <label for="scr-dbp">Diastolic BP at rest (mmHg)</label>
                <input id="scr-dbp" class="input input-vital" inputMode="decimal" autocomplete="off" value={dbp} onInput={(e) => setDbp((e.currentTarget as HTMLInputElement).value)} />
              </div>
            </div>
            {yesNo('scr-fasted', fasted, setFasted, 'Fasted as the clinic instructed')}
            {yesNo('scr-escort', escort, setEscort, 'An escort home is confirmed')}
          </>
        )}
        <FormOutcome problem={problem} refusal={refusal} answer={answer} submit="Record screening" />
      </form>
    </section>
  );
}

function ConsentPanel({ id, consents, reload, tz }: { id: number; consents: Array<{ id: number; type: string; version: string; signed_at: string; withdrawn_at: string | null }>; reload: () => void; tz: string }) {
  const [version, setVersion] = useState('');
  const [signed, setSigned] = useState(false);
  const [refusal, setRefusal] = useState<unknown>(null);
  async function save(e: Event) {
    e.preventDefault();
    setRefusal(null);
    try {
      await api.request('POST', `/patients/${id}/consents`, { body: { type: 'treatment', version: version.trim() }, idempotencyKey: newIdempotencyKey() });
      setVersion('');
      setSigned(false);
      reload();
    } catch (ex) {
      setRefusal(ex);
    }
  }
  return (
    <section class="card chair-section" aria-labelledby="consent-title">
      <h2 id="consent-title">Treatment consent</h2>
      {consents.length === 0 ? (
        <p class="empty">No consent on file.</p>
      ) : (
        <ul>
          {consents.map((c) => (
            <li key={c.id}>
              {c.type.replace(/_/g, ' ')}, form {c.version}, signed {dateTimeIn(tz, c.signed_at)}
              {c.withdrawn_at ? ' (withdrawn)' : ''}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={save} noValidate>
        <div class="field">
          <label for="consent-version">Consent form version</label>
          <p class="hint" id="consent-version-hint">As printed on the signed form, for example 2026-01.</p>
          <input id="consent-version" class="input input-medium" autocomplete="off" aria-describedby="consent-version-hint" value={version} onInput={(e) => setVersion((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <div class="field checkbox">
          <input type="checkbox" id="consent-signed" checked={signed} onChange={(e) => setSigned((e.currentTarget as HTMLInputElement).checked)} />
          <label for="consent-signed">The patient signed the treatment consent form</label>
        </div>
        <Refusal error={refusal} />
        <button type="submit" class="button" disabled={!signed || !version.trim()}>
          Record consent
        </button>
      </form>
    </section>
  );
}

const PROTOCOLS: Record<string, string> = {
  depression: 'depression-induction-series',
  ptsd: 'ptsd-induction-series',
};

function CoursePanel({ p, courses, reload, isPhysician }: { p: Patient; courses: Array<{ id: number; protocol_id: string; state: string; version?: number }>; reload: () => void; isPhysician: boolean }) {
  const [refusal, setRefusal] = useState<unknown>(null);
  const [reason, setReason] = useState('');
  const protocol = PROTOCOLS[p.indication];
  const planned = courses.find((c) => c.state === 'planned');
  async function run(method: () => Promise<unknown>) {
    setRefusal(null);
    try {
      await method();
      setReason('');
      reload();
    } catch (ex) {
      setRefusal(ex);
    }
  }
  return (
    <section class="card chair-section" aria-labelledby="course-title">
      <h2 id="course-title">Course</h2>
      {courses.length === 0 ? (
        <p class="empty">No course yet.</p>
      ) : (
        <ul>
          {courses.map((c) => (
            <li key={c.id}>
              Course {c.id}: {c.protocol_id}, <strong>{c.state}</strong>
            </li>
          ))}
        </ul>
      )}
      {!isPhysician && <p class="hint">A physician plans the course and starts the induction series.</p>}
      {isPhysician && !planned && courses.every((c) => c.state !== 'induction' && c.state !== 'maintenance') && (
        protocol ? (
          <button type="button" class="button" onClick={() => run(() => api.request('POST', `/patients/${p.id}/courses`, { body: { protocol_id: protocol }, idempotencyKey: newIdempotencyKey() }))}>
            Plan the course: {protocol}
          </button>
        ) : (
          <p class="hint">No induction series protocol for the indication {p.indication.replace(/_/g, ' ')}.</p>
        )
      )}
      {isPhysician && planned && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) run(() => api.request('POST', `/courses/${planned.id}/transitions`, { body: { to: 'induction', reason: reason.trim() }, idempotencyKey: newIdempotencyKey() }));
          }}
        >
          <div class="field">
            <label for="course-reason">Reason to start the induction series</label>
            <input id="course-reason" class="input" autocomplete="off" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <button type="submit" class="button" disabled={!reason.trim()}>
            Start the induction series
          </button>
        </form>
      )}
      <Refusal error={refusal} />
    </section>
  );
}

function Phq9Form({ id }: { id: number }) {
  const [answers, setAnswers] = useState<Array<number | null>>(() => PHQ9_ITEMS.map(() => null));
  const [takenOn, setTakenOn] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<unknown>(null);
  const [answer, setAnswer] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    setRefusal(null);
    setAnswer(null);
    const missing = answers.findIndex((a) => a === null);
    if (missing >= 0) return setProblem(`Answer question ${missing + 1} as on the paper form`);
    if (takenOn && !/^\d{4}-\d{2}-\d{2}$/.test(takenOn)) return setProblem('Type the date the form was filled in as YYYY-MM-DD');
    setProblem(null);
    try {
      const body: Record<string, unknown> = { instrument: 'phq9', answers };
      if (takenOn) body.taken_on = takenOn;
      const r = await api.request<{ total?: number; band?: string; score?: { total?: number; band?: string } }>('POST', `/patients/${id}/assessments`, { body, idempotencyKey: newIdempotencyKey() });
      const total = r.data.total ?? r.data.score?.total;
      const band = r.data.band ?? r.data.score?.band;
      setAnswer(`PHQ-9 recorded${total !== undefined ? `: total ${total}` : ''}${band ? ` (${band.replace(/_/g, ' ')})` : ''}, scored by the server.`);
      setAnswers(PHQ9_ITEMS.map(() => null));
      setTakenOn('');
    } catch (ex) {
      setRefusal(ex);
    }
  }
  return (
    <section class="card chair-section" aria-labelledby="phq-title">
      <h2 id="phq-title">PHQ-9 from the paper form</h2>
      <p class="hint">{PHQ9_QUESTION}</p>
      <form onSubmit={submit} noValidate>
        {PHQ9_ITEMS.map((item, i) => (
          <fieldset class="field" key={i}>
            <legend>
              {i + 1}. {item}
            </legend>
            <div class="radios radios-inline">
              {PHQ9_ANSWERS.map((a) => (
                <div class="radio" key={a.value}>
                  <input type="radio" id={`phq-${i}-${a.value}`} name={`phq-${i}`} checked={answers[i] === a.value} onChange={() => setAnswers(answers.map((x, j) => (j === i ? a.value : x)))} />
                  <label for={`phq-${i}-${a.value}`}>{a.label}</label>
                </div>
              ))}
            </div>
          </fieldset>
        ))}
        <SheetFooter idPrefix="phq" takenOn={takenOn} setTakenOn={setTakenOn} problem={problem} refusal={refusal} answer={answer} submit="Record PHQ-9" />
      </form>
    </section>
  );
}
