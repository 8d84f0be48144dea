// Labelled form fields with their hint and error, wired for assistive technology
// (aria-describedby, aria-invalid). The form owns the values; fields never clear them.
import type { ComponentChildren } from 'preact';
import { fieldId } from './ErrorSummary';

interface Common {
  name: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
}

function describedBy(name: string, hint: unknown, error?: string) {
  const ids = [hint ? `${fieldId(name)}-hint` : '', error ? `${fieldId(name)}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function HintAndError({ name, hint, error }: { name: string; hint?: ComponentChildren; error?: string }) {
  return (
    <>
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
    </>
  );
}

export function TextField(
  props: Common & {
    value: string;
    onInput: (v: string) => void;
    type?: 'text' | 'password' | 'email' | 'tel' | 'search';
    autocomplete?: string;
    inputMode?: 'text' | 'email' | 'tel' | 'numeric' | 'decimal' | 'search' | 'url';
    spellcheck?: boolean;
    width?: 'full' | 'medium';
  },
) {
  const { name, label, hint, error, value, onInput, type = 'text', autocomplete, inputMode, spellcheck, width } = props;
  return (
    <div class={'field' + (error ? ' field-has-error' : '')}>
      <label for={fieldId(name)}>{label}</label>
      <HintAndError name={name} hint={hint} error={error} />
      <input
        id={fieldId(name)}
        name={name}
        type={type as "text"}
        class={'input' + (width === 'medium' ? ' input-medium' : '')}
        value={value}
        autocomplete={autocomplete}
        inputMode={inputMode}
        spellcheck={spellcheck}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, hint, error)}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </div>
  );
}

export function TextArea(
  props: Common & { value: string; onInput: (v: string) => void; rows?: number; maxLength?: number },
) {
  const { name, label, hint, error, value, onInput, rows = 5, maxLength } = props;
  return (
    <div class={'field' + (error ? ' field-has-error' : '')}>
      <label for={fieldId(name)}>{label}</label>
      <HintAndError name={name} hint={hint} error={error} />
      <textarea
        id={fieldId(name)}
        name={name}
        class="input textarea"
        rows={rows}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(name, hint, error)}
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
      {maxLength !== undefined && (
        <p class={'hint count' + (value.length > maxLength ? ' count-over' : '')} aria-live="polite">
          {value.length > maxLength
            ? `${(value.length - maxLength).toLocaleString('en-US')} characters too many`
            : `${(maxLength - value.length).toLocaleString('en-US')} characters left`}
        </p>
      )}
    </div>
  );
}

export function RadioGroup<T extends string>(
  props: Common & { value: T | ''; options: Array<{ value: T; label: string }>; onChange: (v: T) => void },
) {
  const { name, label, hint, error, value, options, onChange } = props;
  return (
    <div class={'field' + (error ? ' field-has-error' : '')}>
      <fieldset aria-describedby={describedBy(name, hint, error)}>
        <legend>{label}</legend>
        <HintAndError name={name} hint={hint} error={error} />
        <div class="radios">
          {options.map((o, i) => (
            <div class="radio" key={o.value}>
              <input
                type="radio"
                // The first option carries the field id, so the error summary's link lands on it.
                id={i === 0 ? fieldId(name) : `${fieldId(name)}-${o.value}`}
                name={name}
                value={o.value}
                checked={value === o.value}
                onChange={() => onChange(o.value)}
              />
              <label for={i === 0 ? fieldId(name) : `${fieldId(name)}-${o.value}`}>{o.label}</label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
