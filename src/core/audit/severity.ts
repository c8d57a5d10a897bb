/** How bad a finding is. `--fail-on` compares against this order. */
export type Severity = 'high' | 'medium' | 'low'

/** Most severe first: the order findings are shown in and `--fail-on` counts from. */
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low']

const RANK: Record<Severity, number> = {high: 3, medium: 2, low: 1}

/** A positive number when `a` is more severe than `b`; usable as a sort comparator for most-severe-first with `(a, b) => compareSeverity(b, a)`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b]
}

/** True when `severity` is `threshold` or worse (`--fail-on medium` trips on medium and high). */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold]
}

export function isSeverity(text: string): text is Severity {
  return (SEVERITIES as readonly string[]).includes(text)
}
