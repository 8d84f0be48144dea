import type { ComponentChildren } from 'preact';

/** A data table that scrolls sideways inside its own box on narrow screens, never the page. */
export function DataTable({ caption, head, children }: { caption: string; head: string[]; children: ComponentChildren }) {
  return (
    // The scrolling box is a named region (keyboard users can scroll it); its name must differ from
    // the section heading around it (axe landmark-unique).
    <div class="table-wrap" role="region" aria-label={`${caption} table`} tabIndex={0}>
      <table class="table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

const STATUS_SYMBOL: Record<string, string> = {
  new: '●',
  contacted: '◐',
  scheduled: '✓',
  closed: '○',
  booked: '◷',
  completed: '✓',
  cancelled: '✕',
  no_show: '!',
  open: '!',
  acknowledged: '✓',
  retracted: '○',
  // Front desk and admin screens: board states, checks, accounts.
  waiting: '◷',
  planned: '◷',
  running: '▶',
  paused: '❚❚',
  stopped: '■',
  discharged: '✓',
  ok: '✓',
  conflict: '✕',
  failed: '✕',
  active: '✓',
  disabled: '○',
};

/** A status by symbol, shape, colour and text (never colour alone). */
export function StatusTag({ status, label }: { status: string; label?: string }) {
  return (
    <span class={`tag tag-${status.replace(/[^a-z_]/g, '')}`}>
      <span aria-hidden="true">{STATUS_SYMBOL[status] ?? '•'}</span> {label ?? status.replace(/_/g, ' ')}
    </span>
  );
}
