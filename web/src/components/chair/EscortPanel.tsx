// The escort's written instructions (after the stop, and after discharge): what the adult who
// takes the patient home reads and keeps. Every statement is the server's, with its clinical source
// (core/infusion/escort.h); the clinic's phone number and own text come from its configuration,
// and a blank line is printed when it has none. "Print for the escort" prints this sheet alone
// (print stylesheet: body.print-escort); the infusion record's print leaves it out.
import { escortInstructions } from '../../api/sessions';
import { useResource } from '../useResource';
import { dateIn, longDate } from '../../format/time';
import { now } from '../../format/clock';
import { Section } from './common';
import type { ChairContext } from './common';

function printEscortSheet() {
  document.body.classList.add('print-escort');
  const done = () => document.body.classList.remove('print-escort');
  window.addEventListener('afterprint', done, { once: true });
  window.print();
}

export function EscortPanel({ ctx }: { ctx: ChairContext }) {
  const s = ctx.session;
  const shown = s.state === 'stopped' || s.state === 'discharged';
  const r = useResource((signal) => (shown ? escortInstructions(s.id, signal) : Promise.resolve(null)), [s.id, s.state]);
  if (!shown) return null;
  const e = r.data;
  return (
    <div class="escort-panel">
    <Section
      id="escort-title"
      title="Instructions for the escort"
      extra={
        e && (
          <button type="button" class="button button-secondary button-small no-print" onClick={printEscortSheet}>
            Print for the escort
          </button>
        )
      }
    >
      {r.status === 'error' && <p class="notice notice-error" role="alert">The instructions could not be loaded: {r.error.message}</p>}
      {!e && r.status !== 'error' && <p class="muted">Loading the instructions…</p>}
      {e && (
        <div class="escort-sheet">
          <p class="print-only escort-heading">After the infusion: instructions for the escort</p>
          <p class="escort-for">
            <strong>
              {e.patient.given_name} {e.patient.family_name}
            </strong>{' '}
            had a ketamine infusion on {longDate(dateIn(ctx.tz, e.discharged_at ? new Date(e.discharged_at) : now()))}.
            Please read this with them and keep it.
          </p>
          <ol class="escort-list">
            {e.statements.map((st) => (
              <li key={st.id}>
                {st.text}
                {st.id === 'emergency_phone' && (
                  <span class="escort-phone">
                    {e.phone ? (
                      <>
                        {' '}
                        Clinic: <strong class="nowrap">{e.phone}</strong>
                      </>
                    ) : (
                      <>
                        {' '}
                        Clinic: <span class="escort-blank" aria-hidden="true" />
                        <span class="visually-hidden">(the nurse writes the number in)</span>
                      </>
                    )}
                  </span>
                )}
                <span class="escort-source">Source: {st.source}</span>
              </li>
            ))}
          </ol>
          {e.clinic_text && (
            <div class="escort-clinic">
              <h3>From the clinic</h3>
              <p class="escort-clinic-text">{e.clinic_text}</p>
            </div>
          )}
        </div>
      )}
    </Section>
    </div>
  );
}
