/**
 * The arithmetic of `npm run evaluate`: scan's findings set against expected verdicts, giving recall
 * and precision per family of mistake and per source. Pure (no I/O), so a table test can hold it.
 *
 * An expectation names a file, a line (or a range, for a policy statement) and what should be reported
 * there: one of the five families, `clean` (nothing), `out-of-scope` (the peer reports something that is
 * none of the three mistakes, so nothing), or `either` (reporting it and not reporting it are both
 * defensible: ignored both ways). A finding counts against precision only in a file the data covers,
 * since only there are the expectations complete.
 */

export const FAMILIES = ['secret-value', 'secret-reference', 'wrong-store', 'iam-too-wide', 'resource-policy'] as const
export type Family = (typeof FAMILIES)[number]

export const FAMILY_TITLES: Record<Family, string> = {
  'secret-value': 'secret values in the environment',
  'secret-reference': 'secrets put into the environment by reference',
  'wrong-store': 'wrong store (SSM String, .env)',
  'iam-too-wide': 'IAM that reads too many secrets',
  'resource-policy': "a secret's resource policy that opens it",
}

export type Verdict = Family | 'clean' | 'out-of-scope' | 'either'

export interface Expectation {
  source: string
  path: string
  line: number
  /** Last line of the range, inclusive; a finding anywhere in it matches. */
  end?: number
  /** When set, a finding matches only if its variable is this name (or `container/name`). */
  variable?: string
  expected: Verdict
  /** Other families that count as found here, where the line is fairly read as either. */
  accept?: Family[]
  /** What the peer says here, e.g. `CKV_AWS_45 FAILED`. */
  peer?: string
  /** Why the verdict differs from the peer's, or why it is out of scope. */
  reason?: string
}

export interface EvaluatedFinding {
  source: string
  path: string
  line: number
  rule: string
  format?: string
  variable?: string
}

/**
 * The family a rule reports. Prefixes rather than a closed list, so a rule added later lands in its
 * family without a change here; a rule no prefix knows returns undefined and is listed as unmapped.
 */
export function familyOfRule(rule: string, format?: string): Family | undefined {
  if (rule.startsWith('secret-policy') || rule.includes('resource-policy')) return 'resource-policy'
  if (rule.startsWith('iam-')) return 'iam-too-wide'
  if (rule.startsWith('ssm-')) return 'wrong-store'
  if (rule.startsWith('env-resolved') || rule.startsWith('env-reference')) return 'secret-reference'
  // A committed .env file is the wrong store, whatever its value looks like.
  if (rule.startsWith('env-') || rule.startsWith('dotenv-')) return format === 'dotenv' ? 'wrong-store' : 'secret-value'
  return undefined
}

export interface Tally {
  truePositives: number
  falseNegatives: number
  falsePositives: number
  /** tp / (tp + fn); null when nothing was expected. */
  recall: number | null
  /** tp / (tp + fp); null when nothing was reported nor expected. */
  precision: number | null
}

export interface Miss {
  source: string
  path: string
  line: number
  expected: Family
  variable?: string
  peer?: string
}

export interface FalseAlarm {
  source: string
  path: string
  line: number
  rule: string
  family: Family | 'unmapped'
  variable?: string
  /** The verdict of the line it fell on, when the data has one (`clean`, `out-of-scope`, another family). */
  onVerdict?: Verdict
  reason?: string
}

export interface Score {
  total: Tally
  byFamily: Record<Family, Tally>
  bySource: Record<string, {total: Tally; byFamily: Record<Family, Tally>}>
  misses: Miss[]
  falseAlarms: FalseAlarm[]
  /** Findings in files the data does not cover: not scored. */
  outsideData: number
  /** Findings on `either` lines: not scored. */
  ignored: number
  /** Peer negatives (`clean`, `out-of-scope`) and how many of them drew a finding. */
  peerNegatives: {lines: number; reported: number}
}

interface Counts {
  tp: number
  fn: number
  fp: number
}

const tally = ({tp, fn, fp}: Counts): Tally => ({
  truePositives: tp,
  falseNegatives: fn,
  falsePositives: fp,
  recall: tp + fn === 0 ? null : tp / (tp + fn),
  precision: tp + fp === 0 ? null : tp / (tp + fp),
})

const emptyCounts = (): Counts => ({tp: 0, fn: 0, fp: 0})
const familyCounts = () => Object.fromEntries(FAMILIES.map((family) => [family, emptyCounts()])) as Record<Family, Counts>
const isFamily = (verdict: Verdict): verdict is Family => (FAMILIES as readonly string[]).includes(verdict)

const covers = (expectation: Expectation, line: number) => line >= expectation.line && line <= (expectation.end ?? expectation.line)

/** ECS findings name `container/VARIABLE`; the data names the variable alone. */
const sameVariable = (expected: string | undefined, found: string | undefined) =>
  expected === undefined || (found !== undefined && (found === expected || found.endsWith(`/${expected}`)))

const fileKey = (source: string, path: string) => `${source}\u0000${path}`

/** Scores findings against expectations: counts per family and source, every miss and false alarm. */
export function scoreDetection(expectations: readonly Expectation[], findings: readonly EvaluatedFinding[]): Score {
  const byFile = new Map<string, Expectation[]>()
  for (const expectation of expectations) {
    const key = fileKey(expectation.source, expectation.path)
    byFile.set(key, [...(byFile.get(key) ?? []), expectation])
  }

  const matched = new Set<Expectation>()
  const falseAlarms: FalseAlarm[] = []
  const negativesReported = new Set<Expectation>()
  let outsideData = 0
  let ignored = 0

  for (const finding of findings) {
    const inFile = byFile.get(fileKey(finding.source, finding.path))
    if (!inFile) {
      outsideData++
      continue
    }

    const family = familyOfRule(finding.rule, finding.format)
    const hit = inFile.find(
      (item) =>
        family !== undefined &&
        (item.expected === family || (item.accept ?? []).includes(family)) &&
        covers(item, finding.line) &&
        sameVariable(item.variable, finding.variable),
    )
    if (hit) {
      matched.add(hit)
      continue
    }

    if (inFile.some((item) => item.expected === 'either' && covers(item, finding.line))) {
      ignored++
      continue
    }

    const onLine = inFile.find((item) => covers(item, finding.line))
    if (onLine && (onLine.expected === 'clean' || onLine.expected === 'out-of-scope')) negativesReported.add(onLine)
    falseAlarms.push({
      source: finding.source,
      path: finding.path,
      line: finding.line,
      rule: finding.rule,
      family: family ?? 'unmapped',
      ...(finding.variable === undefined ? {} : {variable: finding.variable}),
      ...(onLine ? {onVerdict: onLine.expected} : {}),
      ...(onLine?.reason === undefined ? {} : {reason: onLine.reason}),
    })
  }

  const total = emptyCounts()
  const byFamily = familyCounts()
  const bySource = new Map<string, {total: Counts; byFamily: Record<Family, Counts>}>()
  const sourceCounts = (source: string) => {
    if (!bySource.has(source)) bySource.set(source, {total: emptyCounts(), byFamily: familyCounts()})
    return bySource.get(source)!
  }

  const misses: Miss[] = []
  for (const expectation of expectations) {
    const counts = sourceCounts(expectation.source)
    if (!isFamily(expectation.expected)) continue
    const field = matched.has(expectation) ? 'tp' : 'fn'
    for (const bucket of [total, byFamily[expectation.expected], counts.total, counts.byFamily[expectation.expected]]) bucket[field]++
    if (field === 'fn') {
      misses.push({
        source: expectation.source,
        path: expectation.path,
        line: expectation.line,
        expected: expectation.expected,
        ...(expectation.variable === undefined ? {} : {variable: expectation.variable}),
        ...(expectation.peer === undefined ? {} : {peer: expectation.peer}),
      })
    }
  }

  for (const alarm of falseAlarms) {
    const counts = sourceCounts(alarm.source)
    total.fp++
    counts.total.fp++
    if (alarm.family !== 'unmapped') {
      byFamily[alarm.family].fp++
      counts.byFamily[alarm.family].fp++
    }
  }

  const negatives = expectations.filter((item) => item.expected === 'clean' || item.expected === 'out-of-scope')
  const tallies = (counts: Record<Family, Counts>) =>
    Object.fromEntries(FAMILIES.map((family) => [family, tally(counts[family])])) as Record<Family, Tally>
  return {
    total: tally(total),
    byFamily: tallies(byFamily),
    bySource: Object.fromEntries([...bySource].map(([source, counts]) => [source, {total: tally(counts.total), byFamily: tallies(counts.byFamily)}])),
    misses,
    falseAlarms,
    outsideData,
    ignored,
    peerNegatives: {lines: negatives.length, reported: negativesReported.size},
  }
}
