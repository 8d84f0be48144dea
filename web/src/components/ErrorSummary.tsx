// The NHS/GOV.UK error summary: shown on submit, at the top of the form, focused, each message a
// link to its field. Field ids are `field-<name>`.
import { useEffect, useRef } from 'preact/hooks';

export interface FieldError {
  field: string | null; // null: not about one field (e.g. "too many inquiries")
  message: string;
}

export function fieldId(name: string) {
  return `field-${name}`;
}

export function ErrorSummary({ errors, focusKey }: { errors: FieldError[]; focusKey: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length) ref.current?.focus();
  }, [focusKey]);
  if (!errors.length) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} ref={ref}>
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>
        {errors.map((e) => (
          <li key={e.field + e.message}>
            {e.field ? (
              <a
                href={'#' + fieldId(e.field)}
                onClick={(ev) => {
                  ev.preventDefault();
                  const el = document.getElementById(fieldId(e.field!));
                  el?.focus();
                  el?.scrollIntoView({ block: 'center' });
                }}
              >
                {e.message}
              </a>
            ) : (
              e.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
