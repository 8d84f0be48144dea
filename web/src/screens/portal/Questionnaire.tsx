// One questionnaire in the patient portal (/portal/questionnaire/{instrument}), phone first: one
// question per screen with its progress, back and next, every answer saved as a server-side draft
// (PUT /patients/{id}/questionnaire-drafts/{instrument}: close the page and resume later), a
// review screen, then POST /patients/{id}/assessments (the server scores it and raises any alert)
// and the draft is discarded. The wording is the instrument's published text in the patient's
// language (GET /questionnaires/{instrument}), or English with a note when no translation is
// published. A positive PHQ-9 item 9 shows the crisis guidance at once, before anything is sent.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import { myPatientRecord } from '../../api/patients';
import { discardDraft, getDraft, getPreferences, portalInfo, questionnaireText, saveDraft, submitAssessment } from '../../api/portal';
import type { QuestionnaireOption } from '../../api/portal';
import { LoadError, Skeleton } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { isLanguage, setLanguage, t, useLanguage } from '../../i18n';
import { Link, useLocation } from '../../router';
import { CrisisGuidance, instrumentName } from './common';

/** PHQ-9 item 9 (0-based 8): thoughts of being better off dead or of self-harm; any answer above
 * "not at all" is the safety flag of core/instruments/catalog.cpp (docs/clinical-rules/instruments.md). */
export function crisisShown(instrument: string, answers: Array<number | null>): boolean {
  return instrument === 'phq9' && (answers[8] ?? 0) > 0;
}

export default function Questionnaire() {
  const { path } = useLocation();
  const instrument = decodeURIComponent(path.replace(/\/+$/, '').split('/').pop() ?? '');
  const lang = useLanguage();
  const page = useResource(
    async (signal) => {
      const me = await myPatientRecord(signal);
      const [prefs, info, draft] = await Promise.all([getPreferences(me.id, signal), portalInfo(signal), getDraft(me.id, instrument, signal)]);
      const language = isLanguage(prefs.language) ? prefs.language : 'en';
      const text = await questionnaireText(instrument, language, signal);
      return { me, info, draft, text, language };
    },
    [instrument],
  );
  const d = page.data;
  useEffect(() => {
    if (d) setLanguage(d.language);
  }, [d?.language]);
  if (page.status === 'error' && !d) {
    return (
      <div class="portal">
        <LoadError error={page.error!} retry={page.reload} />
        <p>
          <Link href="/portal">{t('q.backToPortal')}</Link>
        </p>
      </div>
    );
  }
  if (!d) return <Skeleton label={instrumentName(instrument)} />;
  return <Form key={instrument} {...d} lang={lang} instrument={instrument} />;
}

function Form(props: {
  me: { id: number };
  info: { clinic_phone: string | null };
  draft: Awaited<ReturnType<typeof getDraft>>;
  text: Awaited<ReturnType<typeof questionnaireText>>;
  language: 'en' | 'es';
  lang: 'en' | 'es';
  instrument: string;
}) {
  const { me, info, text, instrument } = props;
  const count = text.items.length;
  const [answers, setAnswers] = useState<Array<number | null>>(() =>
    props.draft && props.draft.answers.length === count ? props.draft.answers : Array(count).fill(null),
  );
  const [position, setPosition] = useState(() => Math.min(props.draft?.position ?? 0, count));
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [position, done]);

  async function persist(next: Array<number | null>, at: number) {
    setStatus(t('q.saving'));
    try {
      await saveDraft(me.id, instrument, { answers: next, position: at, language: text.language });
      setStatus(t('q.saved'));
    } catch (e) {
      setStatus(t('common.error', { message: (e as Error).message }));
    }
  }

  function choose(value: number) {
    const next = answers.slice();
    next[position] = value;
    setAnswers(next);
    setError('');
    void persist(next, position);
  }

  function go(to: number) {
    if (to > position && position < count && answers[position] === null) {
      setError(t('q.chooseOne'));
      return;
    }
    setError('');
    setPosition(to);
    void persist(answers, to);
  }

  async function submit() {
    const missing = answers.filter((a) => a === null).length;
    if (missing) {
      setError(t('q.answerAll', { missing }));
      return;
    }
    setSending(true);
    setError('');
    try {
      await submitAssessment(me.id, instrument, answers as number[]);
      await discardDraft(me.id, instrument);
      setDone(true);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('common.error', { message: (e as Error).message }));
    } finally {
      setSending(false);
    }
  }

  const crisis = crisisShown(instrument, answers);
  const optionsOf = (i: number): QuestionnaireOption[] => text.items[i]?.options ?? text.options ?? [];
  const labelOf = (i: number) => optionsOf(i).find((o) => o.value === answers[i])?.label ?? t('q.notAnswered');

  if (done) {
    return (
      <div class="portal portal-q" lang={text.language}>
        <h1 tabIndex={-1} ref={heading}>
          {t('q.done.title')}
        </h1>
        {crisis && <CrisisGuidance phone={info.clinic_phone} />}
        <p>{t('q.done.body')}</p>
        <p>
          <Link class="button" href="/portal">
            {t('q.done.back')}
          </Link>
        </p>
      </div>
    );
  }

  return (
    <div class="portal portal-q">
      <p>
        <Link href="/portal">{t('q.backToPortal')}</Link>
      </p>
      <h1 lang={text.language}>{text.title}</h1>
      {!text.translated && <p class="portal-note">{t('q.englishOnly')}</p>}
      {crisis && <CrisisGuidance phone={info.clinic_phone} />}
      {position < count ? (
        <>
          <p class="progress-label" id="q-progress">
            {t('q.progress', { n: position + 1, total: count })}
          </p>
          <progress max={count} value={position + 1} aria-labelledby="q-progress" />
          <p class="instructions" lang={text.language}>
            {text.instructions}
          </p>
          <fieldset aria-describedby={error ? 'q-error' : undefined}>
            <legend lang={text.language}>
              <span tabIndex={-1} ref={heading} class="q-text">
                {position + 1}. {text.items[position]!.text}
              </span>
            </legend>
            {error && (
              <p class="field-error" id="q-error" role="alert">
                {error}
              </p>
            )}
            <div class="portal-options" lang={text.language}>
              {optionsOf(position).map((o) => (
                <label key={o.value}>
                  <input type="radio" name={`item-${position}`} value={o.value} checked={answers[position] === o.value} onChange={() => choose(o.value)} />
                  <span>{o.label}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <div class="portal-nav">
            {position > 0 && (
              <button type="button" class="button button-secondary" onClick={() => go(position - 1)}>
                {t('q.back')}
              </button>
            )}
            <button type="button" class="button" onClick={() => go(position + 1)}>
              {position === count - 1 ? t('q.review') : t('q.next')}
            </button>
          </div>
        </>
      ) : (
        <>
          <h2 tabIndex={-1} ref={heading}>
            {t('q.reviewTitle')}
          </h2>
          <ol class="portal-review" lang={text.language}>
            {text.items.map((item, i) => (
              <li key={i}>
                {item.text}
                <span class="answer">{labelOf(i)}</span>
                <button type="button" class="button button-secondary button-small" onClick={() => go(i)}>
                  {t('q.change', { n: i + 1 })}
                </button>
              </li>
            ))}
          </ol>
          {error && (
            <p class="field-error" role="alert">
              {error}
            </p>
          )}
          <div class="portal-nav">
            <button type="button" class="button button-secondary" onClick={() => go(count - 1)}>
              {t('q.back')}
            </button>
            <button type="button" class="button" disabled={sending} onClick={submit}>
              {t('q.submit')}
            </button>
          </div>
        </>
      )}
      <p class="portal-status" role="status">
        {status}
      </p>
      <details class="portal-source">
        <summary>{t('q.attribution')}</summary>
        <p lang={text.language}>{text.attribution}</p>
      </details>
    </div>
  );
}

