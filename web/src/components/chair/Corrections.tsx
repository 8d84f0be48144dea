// Corrections of a mistyped entry (docs/api-chair.md "Corrections"): marked entered in error, or
// amended with the right values, always with a reason. The original stays on screen, struck
// through, with who corrected it and why; nothing is deleted.
import { useState } from 'preact/hooks';
import type { ChairWrite, Correction } from '../../api/sessions';
import { Dialog } from './Dialog';
import { WirePreview, errorText, parseReading } from './common';
import type { ChairContext } from './common';

export function CorrectionNote({ status, correction }: { status: string; correction: Correction | null }) {
  return (
    <span class="correction-note">
      {status === 'entered_in_error' ? 'Entered in error' : 'Amended'}
      {correction?.reason ? `: ${correction.reason}` : ''}
    </span>
  );
}

export interface AmendField {
  key: string;
  label: string;
  value: number | null;
}

export function CorrectButton({
  ctx,
  collection,
  entryId,
  what,
  amendFields,
  amendBase,
}: {
  ctx: ChairContext;
  collection: 'vitals' | 'adverse-events' | 'dissociation' | 'events';
  entryId: number;
  what: string;
  amendFields?: AmendField[];
  amendBase?: Record<string, unknown>;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class="button button-secondary button-small" onClick={() => setOpen(true)}>
        Correct<span class="visually-hidden"> {what}</span>
      </button>
      {open && <CorrectDialog ctx={ctx} collection={collection} entryId={entryId} what={what} amendFields={amendFields} amendBase={amendBase} onClose={() => setOpen(false)} />}
    </>
  );
}

function CorrectDialog({
  ctx,
  collection,
  entryId,
  what,
  amendFields,
  amendBase,
  onClose,
}: {
  ctx: ChairContext;
  collection: string;
  entryId: number;
  what: string;
  amendFields?: AmendField[];
  amendBase?: Record<string, unknown>;
  onClose: () => void;
}) {
  const canAmend = !!amendFields;
  const [action, setAction] = useState<'entered_in_error' | 'amend' | ''>(canAmend ? '' : 'entered_in_error');
  const [reason, setReason] = useState('');
  // Amending starts from what was typed, so only the wrong number is changed.
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries((amendFields ?? []).map((f) => [f.key, f.value === null ? '' : String(f.value)])),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const amended: Record<string, unknown> = { ...(amendBase ?? {}) };
  let bad = false;
  for (const f of amendFields ?? []) {
    const t = values[f.key] ?? '';
    if (!t) continue;
    const v = parseReading(t);
    if (v === null) bad = true;
    else amended[f.key] = v;
  }
  const body: Record<string, unknown> = { action, reason: reason.trim() };
  if (action === 'amend') body.values = amended;
  const write: ChairWrite = { method: 'POST', path: `/sessions/${ctx.session.id}/${collection}/${entryId}/corrections`, body };
  const problem = !action ? 'Choose what is wrong with the entry' : !reason.trim() ? 'Give the reason for the correction' : action === 'amend' && bad ? 'Some corrected values are not numbers' : null;

  async function confirm() {
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      await ctx.send(`Correction of ${what}`, write, { onRetrying: onClose });
      ctx.reload();
      onClose();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Correct ${what}`} onClose={onClose} busy={busy}>
      <p>The entry stays on the record, struck through, with your reason.</p>
      {canAmend && (
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
          {(amendFields ?? []).map((f) => (
            <div class="field" key={f.key}>
              <label for={`amend-${f.key}`}>{f.label}</label>
              <input id={`amend-${f.key}`} class="input input-vital" inputMode="decimal" value={values[f.key] ?? ''} onInput={(e) => setValues({ ...values, [f.key]: (e.currentTarget as HTMLInputElement).value })} />
            </div>
          ))}
        </div>
      )}
      <div class="field">
        <label for="corr-reason">Reason</label>
        <textarea id="corr-reason" class="input textarea" rows={2} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <WirePreview write={write} />
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
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
