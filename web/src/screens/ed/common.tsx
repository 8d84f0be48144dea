// Pieces the ED sedation screens share: the clinic's time zone (every time shown and typed is on
// its wall clock), a "given at" field for charting what already happened, and a refusal notice.
import { chairClinics } from '../../api/sessions';
import { ApiError } from '../../api/client';
import { useResource } from '../../components/useResource';
import { edGateLabel } from './labels';

/** The clinic's IANA time zone (the first clinic's), UTC until it is known or when there is none. */
export function useClinicZone(): string {
  const clinics = useResource((signal) => chairClinics(signal).catch(() => []), []);
  return clinics.data?.[0]?.timezone ?? 'UTC';
}

/** An optional time on the clinic's clock; blank means now (the server's clock). */
export function WhenField({ id, label, value, onInput, tz, error }: { id: string; label: string; value: string; onInput: (v: string) => void; tz: string; error?: string | null }) {
  return (
    <div class={'field' + (error ? ' field-has-error' : '')}>
      <label for={id}>{label}</label>
      <p class="hint" id={`${id}-hint`}>
        Leave blank for now. Clinic time ({tz}).
      </p>
      {error && (
        <p class="field-error" id={`${id}-error`}>
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      )}
      <input
        id={id}
        type="datetime-local"
        class="input input-medium"
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={`${id}-hint` + (error ? ` ${id}-error` : '')}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </div>
  );
}

/** A refusal from the server, in words: which rule refused and why (nothing was stored). */
export function Refusal({ error, words = {} }: { error: unknown; words?: Record<string, string> }) {
  if (!error) return null;
  let title = 'Not recorded';
  let text = error instanceof Error ? error.message : String(error);
  // The server names checklist items by id: say them in words.
  for (const [id, word] of Object.entries(words)) text = text.split(id).join(word);
  if (error instanceof ApiError) {
    if (error.code === 'rule_refused') title = `Refused: ${edGateLabel(error.field ?? '')}`;
    else if (error.status === 412) title = 'Someone else changed this record: it has been reloaded, check and try again';
    else if (error.field) title = `Not recorded: ${error.field}`;
  }
  return (
    <div class="notice notice-error refusal" role="alert">
      <p class="notice-title">{title}</p>
      <p>{text}</p>
      <p class="hint">Nothing was stored.</p>
    </div>
  );
}
