// A modal dialog for chair-side confirmations: focus moves into it, Tab stays inside it, Escape
// and "Cancel" close it (unless it is sending), and focus returns to what opened it.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let counter = 0;

export function Dialog({
  title,
  onClose,
  busy = false,
  children,
  tone = 'normal',
}: {
  title: string;
  onClose: () => void;
  busy?: boolean;
  children: ComponentChildren;
  tone?: 'normal' | 'danger';
}) {
  const ref = useRef<HTMLDivElement>(null);
  const id = useRef(`dialog-${++counter}`);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const box = ref.current!;
    const first = box.querySelector<HTMLElement>('input, select, textarea, button:not([disabled])');
    (first ?? box).focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busyRef.current) {
        e.preventDefault();
        closeRef.current();
      }
      if (e.key !== 'Tab') return;
      const items = Array.from(
        box.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input, select, textarea, [tabindex="0"]'),
      );
      if (!items.length) return;
      const head = items[0]!;
      const tail = items[items.length - 1]!;
      if (e.shiftKey && document.activeElement === head) {
        e.preventDefault();
        tail.focus();
      } else if (!e.shiftKey && document.activeElement === tail) {
        e.preventDefault();
        head.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, []);
  const busyRef = useRef(busy);
  busyRef.current = busy;
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  return (
    <div class="overlay chair-overlay">
      <div
        class={'card dialog chair-dialog' + (tone === 'danger' ? ' chair-dialog-danger' : '')}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id.current}
        ref={ref}
        tabIndex={-1}
      >
        <h2 id={id.current}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
