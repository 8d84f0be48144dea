// A questionnaire completed on paper, entered by staff item by item (GAD-7, PCL-5, QIDS-SR16,
// MADRS, Y-BOCS, pain NRS, BPI: whatever GET /instruments lists; the PHQ-9 has its own form with
// its public-domain wording). Items are numbered, not worded: the wording stays on the paper form
// (licence terms: docs/reference/pharmacology.md §12). The number of items and the answer range
// are the server's; the server scores the sheet (and refuses one it cannot score, naming the item).
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { listInstruments } from '../api/assessments';
import type { InstrumentInfo } from '../api/assessments';
import { newIdempotencyKey } from '../screens/chair/outbox';
import { Refusal } from '../screens/ed/common';
import { useResource } from './useResource';

// Not entered here: the PHQ-9 (its own worded form) and the CADSS (recorded during an infusion).
const ELSEWHERE = new Set(['phq9', 'cadss']);

export function PaperQuestionnaire({ patientId, onRecorded }: { patientId: number; onRecorded?: () => void }) {
  const catalogue = useResource((signal) => listInstruments(signal), []);
  const [chosen, setChosen] = useState('');
  const [answers, setAnswers] = useState<string[]>([]);
  const [takenOn, setTakenOn] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<unknown>(null);
  const [answer, setAnswer] = useState<string | null>(null);
  const instruments = (catalogue.data?.instruments ?? []).filter((i) => !ELSEWHERE.has(i.id));
  const inst: InstrumentInfo | undefined = instruments.find((i) => i.id === chosen);

  function choose(id: string) {
    setChosen(id);
    const next = instruments.find((i) => i.id === id);
    setAnswers(next ? Array.from({ length: next.items }, () => '') : []);
    setProblem(null);
    setRefusal(null);
  }

  async function submit(e: Event) {
    e.preventDefault();
    setRefusal(null);
    setAnswer(null);
    if (!inst) return setProblem('Choose the questionnaire first');
    const values: Array<number | null> = [];
    for (let i = 0; i < answers.length; i++) {
      const t = answers[i]!.trim();
      if (t === '') {
        values.push(null); // unanswered on the paper: the server's missing-item rule decides
        continue;
      }
      if (!/^\d+$/.test(t) || Number(t) < inst.item_min || Number(t) > inst.item_max) {
        return setProblem(`Item ${i + 1}: type a whole number from ${inst.item_min} to ${inst.item_max}, as on the paper form`);
      }
      values.push(Number(t));
    }
    if (takenOn && !/^\d{4}-\d{2}-\d{2}$/.test(takenOn)) return setProblem('Type the date the form was filled in as YYYY-MM-DD');
    setProblem(null);
    try {
      const body: Record<string, unknown> = { instrument: inst.id, answers: values };
      if (takenOn) body.taken_on = takenOn;
      const r = await api.request<{ total?: number | null; band?: string | null }>('POST', `/patients/${patientId}/assessments`, {
        body,
        idempotencyKey: newIdempotencyKey(),
      });
      const total = r.data.total;
      const band = r.data.band;
      setAnswer(`${inst.name} recorded${total != null ? `: total ${total}` : ''}${band ? ` (${band.replace(/_/g, ' ')})` : ''}, scored by the server.`);
      setAnswers(answers.map(() => ''));
      setTakenOn('');
      onRecorded?.();
    } catch (ex) {
      setRefusal(ex);
    }
  }

  return (
    <section class="card chair-section" aria-labelledby="paper-title">
      <h2 id="paper-title">Another questionnaire from a paper form</h2>
      <p class="hint">
        Type each answer as the number ticked on the sheet; leave an unanswered item blank. The wording stays on the paper
        form. The server scores the sheet.
      </p>
      {catalogue.status === 'error' && (
        <p class="notice notice-error" role="alert">
          The questionnaires could not be loaded: {catalogue.error.message}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="paper-instrument">Questionnaire</label>
          <select id="paper-instrument" class="input input-medium" value={chosen} onChange={(e) => choose((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">Choose…</option>
            {instruments.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </div>
        {inst && (
          <fieldset class="field">
            <legend>
              {inst.name}: {inst.items} {inst.items === 1 ? 'item' : 'items'}, each {inst.item_min} to {inst.item_max}
            </legend>
            <div class="vitals-grid">
              {answers.map((a, i) => (
                <div class="field" key={`${inst.id}-${i}`}>
                  <label for={`paper-${i}`}>Item {i + 1}</label>
                  <input
                    id={`paper-${i}`}
                    class="input input-vital"
                    inputMode="numeric"
                    autocomplete="off"
                    value={a}
                    onInput={(e) => setAnswers(answers.map((x, j) => (j === i ? (e.currentTarget as HTMLInputElement).value : x)))}
                  />
                </div>
              ))}
            </div>
          </fieldset>
        )}
        <SheetFooter idPrefix="paper" takenOn={takenOn} setTakenOn={setTakenOn} problem={problem} refusal={refusal} answer={answer} submit="Record questionnaire" />
      </form>
    </section>
  );
}

/** The end of a paper sheet's entry form (here and the PHQ-9's): the date it was filled in, the
 * problem with what was typed, the server's refusal or answer, and the submit button. */
export function SheetFooter(props: {
  idPrefix: string;
  takenOn: string;
  setTakenOn: (v: string) => void;
  problem: string | null;
  refusal: unknown;
  answer: string | null;
  submit: string;
}) {
  const { idPrefix, takenOn, setTakenOn, problem, refusal, answer, submit } = props;
  return (
    <>
      <div class="field">
        <label for={`${idPrefix}-date`}>Date the form was filled in (optional)</label>
        <p class="hint" id={`${idPrefix}-date-hint`}>
          YYYY-MM-DD; blank: today.
        </p>
        <input
          id={`${idPrefix}-date`}
          class="input input-medium"
          inputMode="numeric"
          autocomplete="off"
          aria-describedby={`${idPrefix}-date-hint`}
          value={takenOn}
          onInput={(e) => setTakenOn((e.currentTarget as HTMLInputElement).value)}
        />
      </div>
      <FormOutcome problem={problem} refusal={refusal} answer={answer} submit={submit} />
    </>
  );
}

/** The end of a form on the Before treatment screen: the problem with what was typed, the
 * server's refusal or answer, and the submit button. */
export function FormOutcome({ problem, refusal, answer, submit }: { problem: string | null; refusal: unknown; answer: string | null; submit: string }) {
  return (
    <>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <Refusal error={refusal} />
      {answer && (
        <p class="notice" role="status">
          {answer}
        </p>
      )}
      <button type="submit" class="button">
        {submit}
      </button>
    </>
  );
}
