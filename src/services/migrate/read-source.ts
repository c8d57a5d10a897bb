import type {SecretScanner} from '../../core/audit/variables.js'
import {cutAtHashProblem, type DotenvFile, duplicateKeysError, readDotenv} from '../../core/dotenv.js'
import {UsageError} from '../../core/errors.js'
import {digestOf, type PlanItem, type SourceItem} from '../../core/migration-plan.js'
import {byPathSegments} from '../../core/order.js'
import type {EnvironmentSource} from '../../stores/environment-source.js'
import type {SecretValue} from '../../core/secret-value.js'
import type {ParameterSource} from '../../stores/ssm-source.js'
import type {MigrateOptions} from './types.js'
import type {ValueCache} from './value-cache.js'

/** What reading the source found, before any target is read. */
export interface ReadResult {
  sources: SourceItem[]
  /** Items reported but never written: .env lines dotenv cannot read, and items --secrets-only left. */
  extraItems: PlanItem[]
  /** Items --only or --type did not select: not in the plan, never touched. */
  notSelected: number
  /** The --only names that matched an item. */
  matchedOnly: Set<string>
  /** Items taken that the audit's rules judge configuration (judgeConfiguration without --secrets-only). */
  configuration: string[]
  /** What was read but may not be what the source meant (a .env value cut at a `#`): names and lines only. */
  warnings: string[]
}

/** The selection of one read (--only, --type, --secrets-only), and what it has found so far. */
export interface Reading extends ReadResult {
  only?: Set<string>
  types?: Set<string>
  /** Whether the audit's rules leave what is not a secret (--secrets-only, a workload), or only name it. */
  leavesConfiguration: boolean
  /** --secrets-only: a .env value cut at `#` is refused, not only warned of. */
  secretsOnly: boolean
  /** The audit's rules, loaded only for --secrets-only, a workload, or judgeConfiguration. */
  judge?: typeof import('../../core/audit/inspect.js')
  scan?: SecretScanner
  cache: ValueCache
  onRead: () => void
  /** The run's signal: it stops the source's listing (ListingStoppedError, core/paging.ts). */
  signal?: AbortSignal
}

/**
 * Reads the source (SSM pages, or the .env text), keeps what the selection takes as sources (their
 * values offered to `cache`), and reports what it leaves or cannot read as extra items.
 */
export async function readSource(options: MigrateOptions, cache: ValueCache, onRead: () => void): Promise<ReadResult> {
  const {source} = options
  const reading = await startReading(options, cache, onRead)
  if (source.kind === 'ssm') await readParameters(reading, source.path, source.parameters)
  else if (source.kind === 'dotenv') await readDotenvEntries(reading, source.file, source.text)
  else await readEnvironment(reading, source.environment)
  const {sources, extraItems, notSelected, matchedOnly, configuration, warnings} = reading
  return {sources, extraItems, notSelected, matchedOnly, configuration, warnings}
}

/** A read not yet begun: the selection of `options`, with the audit's rules loaded when it needs them. */
export async function startReading(options: MigrateOptions, cache: ValueCache, onRead: () => void): Promise<Reading> {
  const select = options.select ?? {}
  const {source} = options
  // A workload's environment is mostly configuration: the audit's rules always decide what it gives.
  const leavesConfiguration = Boolean(select.secretsOnly) || source.kind === 'lambda' || source.kind === 'ecs'
  const detect = leavesConfiguration || Boolean(select.judgeConfiguration)
  return {
    sources: [],
    extraItems: [],
    notSelected: 0,
    matchedOnly: new Set<string>(),
    configuration: [],
    leavesConfiguration,
    warnings: [],
    secretsOnly: Boolean(select.secretsOnly),
    only: select.only && select.only.length > 0 ? new Set(select.only) : undefined,
    types: select.types && select.types.length > 0 ? new Set(select.types) : undefined,
    // The audit's own rules decide what --secrets-only takes (and name configuration); loaded only when asked for.
    judge: detect ? await import('../../core/audit/inspect.js') : undefined,
    scan: detect ? (select.scan ?? (await import('../../core/audit/secret-scan.js')).scanManyForSecrets) : undefined,
    cache,
    onRead,
    signal: options.signal,
  }
}

/** Records an item --secrets-only leaves in place, saying why. */
function leave(reading: Reading, item: SourceItem, why: string): void {
  reading.extraItems.push(leftItem(item, why))
}

/** An item the audit's rules leave in place, with their reason. */
function leftItem(item: SourceItem, why: string): PlanItem {
  return {source: item, state: 'left', reason: `left in place: not a secret by the audit's rules (${why})`}
}

async function readParameters(reading: Reading, path: string, parameters: ParameterSource): Promise<void> {
  for await (const page of selectedPages(reading, path, parameters)) {
    reading.sources.push(...page.sources)
    reading.extraItems.push(...page.extraItems)
    for (const [name, value] of page.values) reading.cache.offer(name, value)
  }

  // Pages come in the service's order; the plan is shown sorted so runs compare line by line.
  reading.sources.sort((a, b) => byPathSegments(a.name, b.name))
}

/** One page of parameters as the selection takes it: its sources with their values, and what it leaves. */
export interface SelectedPage {
  sources: SourceItem[]
  values: Map<string, SecretValue>
  extraItems: PlanItem[]
}

/**
 * SSM pages as the selection (--only, --type, --secrets-only) takes them, one at a time, in the
 * service's order: what a streamed plan writes from as the listing arrives. Counts what it does not
 * select and the --only names it matched in `reading`.
 */
export async function* selectedPages(reading: Reading, path: string, parameters: ParameterSource): AsyncGenerator<SelectedPage> {
  const {only, types, judge, scan} = reading
  for await (const page of parameters.pages(path, {signal: reading.signal})) {
    for (let counted = 0; counted < page.length; counted++) reading.onRead()
    const chosen = page.filter((parameter) => {
      const names = [relativeParameterName(path, parameter.name), parameter.name]
      const byName = only === undefined || names.some((name) => only.has(name))
      if (only) for (const name of names) if (only.has(name)) reading.matchedOnly.add(name)
      return byName && (types === undefined || types.has(parameter.type))
    })
    reading.notSelected += page.length - chosen.length
    const verdicts =
      judge && scan
        ? await judge.judgeParameters(
            chosen.map((parameter) => ({name: parameter.name, type: parameter.type, value: parameter.value.text})),
            scan,
          )
        : undefined
    const selected: SelectedPage = {sources: [], values: new Map(), extraItems: []}
    for (const [index, parameter] of chosen.entries()) {
      const item: SourceItem = {name: parameter.name, type: parameter.type, digest: digestOf(parameter.value.bytes), byteLength: parameter.value.byteLength}
      const verdict = verdicts?.[index]
      if (verdict && !verdict.secret && reading.leavesConfiguration) {
        selected.extraItems.push(leftItem(item, verdict.detail))
        continue
      }

      if (verdict && !verdict.secret) reading.configuration.push(parameter.name)
      else if (verdict && reading.leavesConfiguration) item.selected = verdict.detail
      selected.sources.push(item)
      selected.values.set(parameter.name, parameter.value)
    }

    yield selected
  }
}

/** A parameter's name below `path` (what --only matches besides the full name). */
function relativeParameterName(path: string, name: string): string {
  if (path === '/') return name.replace(/^\//, '')
  return name.startsWith(`${path}/`) ? name.slice(path.length + 1) : name
}

/**
 * A workload's variables: those the audit calls secrets are taken, the rest left in place, each with
 * the audit's reason; --only takes exactly the variables it names (VARIABLE, or CONTAINER/VARIABLE),
 * secret-looking or not, and saying what the audit would have decided.
 */
async function readEnvironment(reading: Reading, environment: EnvironmentSource): Promise<void> {
  const {only, judge, scan} = reading
  if (!judge || !scan) throw new Error('readEnvironment needs the audit rules')
  const variables = await environment.variables({signal: reading.signal})
  const chosen = variables.filter((variable) => {
    if (only === undefined) return true
    const names = [variable.name, variable.variable].filter((name) => only.has(name))
    for (const name of names) reading.matchedOnly.add(name)
    return names.length > 0
  })
  reading.notSelected += variables.length - chosen.length
  const {classifyVariables} = await import('../../core/audit/variables.js')
  const verdicts = await classifyVariables(chosen.map((variable) => ({name: variable.variable, value: variable.value.text ?? ''})), scan)
  for (const [index, variable] of chosen.entries()) {
    reading.onRead()
    const item: SourceItem = {name: variable.name, digest: digestOf(variable.value.bytes), byteLength: variable.value.byteLength}
    const verdict = verdicts[index]
    const why = judge.describeVerdict(verdict)
    if (only) item.selected = !judge.holdsSecret(verdict) ? `named by --only (the audit would leave it: ${why})` : why
    else if (!judge.holdsSecret(verdict)) {
      leave(reading, item, why)
      continue
    } else item.selected = why

    reading.sources.push(item)
    reading.cache.keep(variable.name, variable.value)
  }

  reading.sources.sort((a, b) => byPathSegments(a.name, b.name))
}

async function readDotenvEntries(reading: Reading, fileName: string, text: string): Promise<void> {
  const {only, judge, scan} = reading
  const file = readDotenv(text)
  if (file.duplicates.length > 0) throw duplicateKeysError(fileName, file.duplicates)
  const selected = file.entries.filter((entry) => {
    if (only === undefined) return true
    if (only.has(entry.key)) reading.matchedOnly.add(entry.key)
    return only.has(entry.key)
  })
  reading.notSelected += file.entries.length - selected.length
  const cutAtHash = new Map(file.cutAtHash.map(({key, line}) => [key, line]))
  const entries = selected.filter((entry) => keepCutValue(reading, fileName, entry, cutAtHash.get(entry.key)))
  const verdicts =
    judge && scan ? await (await import('../../core/audit/variables.js')).classifyVariables(entries.map((entry) => ({name: entry.key, value: entry.value.text ?? ''})), scan) : undefined
  for (const [index, entry] of entries.entries()) {
    const item: SourceItem = {name: entry.key, line: entry.line, digest: digestOf(entry.value.bytes), byteLength: entry.value.byteLength}
    const verdict = verdicts?.[index]
    reading.onRead()
    if (verdict && judge && !reading.leavesConfiguration) {
      if (!judge.holdsSecret(verdict)) reading.configuration.push(entry.key)
    } else if (verdict && judge) {
      const why = judge.describeVerdict(verdict)
      if (!judge.holdsSecret(verdict)) {
        leave(reading, item, why)
        continue
      }

      item.selected = why
    }

    reading.sources.push(item)
    reading.cache.keep(entry.key, entry.value)
  }

  reportUnreadLines(reading, file)
  if (file.entries.length === 0 && reading.extraItems.length === 0) throw new UsageError(`${fileName} has no KEY=VALUE entries; nothing to migrate.`)
}

/**
 * An entry whose value dotenv cut at a `#` (`TOKEN=abc#x` reads as `abc`): migrated with a warning
 * naming its key and line, since the rest may be a comment; --secrets-only refuses it (an invalid item
 * saying how to quote it), since a secret cut short is a broken secret and the audit's rules would judge
 * the part before the `#`. True when the entry is still to be read.
 */
function keepCutValue(reading: Reading, fileName: string, entry: {key: string; line: number}, cutLine: number | undefined): boolean {
  if (cutLine === undefined) return true
  if (!reading.secretsOnly) {
    reading.warnings.push(cutAtHashProblem(fileName, entry.key, cutLine))
    return true
  }

  reading.onRead()
  reading.extraItems.push({
    source: {name: entry.key, line: entry.line, digest: '', byteLength: 0},
    state: 'invalid',
    reason: `the value is cut at "#" (dotenv reads an unquoted # as the start of a comment), so --secrets-only does not take it: quote the value, ${entry.key}='...', to migrate it whole`,
  })
  return false
}

/**
 * Lines dotenv cannot read as KEY=VALUE would be lost silently: they are reported as invalid items.
 * So are lines dotenv reads as a key that could be a secret (a base64 line of an unquoted PEM key):
 * named by their line number only, never written.
 */
function reportUnreadLines(reading: Reading, file: DotenvFile): void {
  const {only, extraItems} = reading
  for (const line of file.ignoredLines) {
    extraItems.push({
      source: {name: `line ${line}`, line, digest: '', byteLength: 0},
      state: 'invalid',
      reason: 'dotenv does not read this line as KEY=VALUE (a key is letters, digits, _ . and -); it was not migrated',
    })
  }

  for (const {key, line} of file.truncated) {
    if (only && !only.has(key)) continue
    reading.matchedOnly.add(key)
    extraItems.push({
      source: {name: key, line, digest: '', byteLength: 0},
      state: 'invalid',
      reason: 'the value is only the first line of an unquoted multi-line PEM block; quote the whole value in double quotes to migrate it',
    })
  }

  for (const {line, reason} of file.suspectLines) {
    extraItems.push({source: {name: `line ${line}`, line, digest: '', byteLength: 0}, state: 'invalid', reason})
  }
}
