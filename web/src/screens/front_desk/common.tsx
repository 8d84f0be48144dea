// Small pieces shared by the front desk and admin screens: a labelled select, API errors turned
// into the error summary's entries (linked to the field the server named), and status labels.
import type { ComponentChildren } from 'preact';
import { ApiError } from '../../api/client';
import { fieldId } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { describeError } from '../../components/Status';

export function SelectField<T extends string>(props: {
  name: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
  value: T | '';
  options: Array<{ value: T; label: string }>;
  onChange: (v: T) => void;
  placeholder?: string;
}) {
  const { name, label, hint, error, value, options, onChange, placeholder } = props;
  const ids = [hint ? `${fieldId(name)}-hint` : '', error ? `${fieldId(name)}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={'field' + (error ? ' field-has-error' : '')}>
      <label for={fieldId(name)}>{label}</label>
      {hint && (
        <p class="hint" id={`${fieldId(name)}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${fieldId(name)}-error`}>
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      )}
      <select
        id={fieldId(name)}
        name={name}
        class="desk-select"
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={ids || undefined}
        onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value as T)}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The server's answer as error-summary entries: a named field links to it when the form has it. */
export function errorsFrom(e: unknown, known: string[], label: (f: string) => string = (f) => f.replace(/_/g, ' ')): FieldError[] {
  if (e instanceof ApiError) {
    if (e.status === 412) {
      return [{ field: null, message: 'Someone changed this record meanwhile. The screen has been refreshed: check it and try again.' }];
    }
    const f = e.field && known.includes(e.field) ? e.field : null;
    const text = e.field && !e.message.toLowerCase().startsWith(label(e.field).toLowerCase()) ? `${cap(label(e.field))}: ${e.message}` : cap(e.message);
    return [{ field: f, message: text }];
  }
  return [{ field: null, message: e instanceof Error ? describeError(e) : String(e) }];
}

export function cap(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const INDICATIONS = [
  { value: 'depression', label: 'Depression' },
  { value: 'ptsd', label: 'PTSD' },
  { value: 'ocd', label: 'OCD' },
  { value: 'chronic_pain', label: 'Chronic pain' },
  { value: 'other', label: 'Other' },
] as const;

export function label(s: string) {
  return cap(s.replace(/_/g, ' '));
}
