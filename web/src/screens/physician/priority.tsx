// An alert's priority by colour AND symbol AND text (IEC 60601-1-8 priorities; Carbon's status
// indicator: never colour alone). The server's severities: critical, high, moderate, low.
const PRIORITY: Record<string, { symbol: string; label: string; rank: number }> = {
  critical: { symbol: '‼', label: 'Critical', rank: 0 },
  high: { symbol: '▲', label: 'High', rank: 1 },
  moderate: { symbol: '◆', label: 'Medium', rank: 2 },
  medium: { symbol: '◆', label: 'Medium', rank: 2 },
  low: { symbol: '●', label: 'Low', rank: 3 },
};

export function priorityOf(severity: string) {
  return PRIORITY[severity] ?? { symbol: 'ℹ', label: severity ? severity[0]!.toUpperCase() + severity.slice(1) : 'Information', rank: 4 };
}

export function PriorityTag({ severity }: { severity: string }) {
  const p = priorityOf(severity);
  return (
    <span class={`tag prio prio-${severity.replace(/[^a-z]/g, '') || 'info'}`}>
      <span aria-hidden="true" class="prio-symbol">
        {p.symbol}
      </span>{' '}
      {p.label}
    </span>
  );
}

/** Human words for an alert kind: "suicidal_ideation" -> "Suicidal ideation". */
export function kindLabel(kind: string): string {
  const t = kind.replace(/_/g, ' ');
  return t ? t[0]!.toUpperCase() + t.slice(1) : t;
}
