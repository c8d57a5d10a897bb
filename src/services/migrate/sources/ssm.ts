import {Scope} from '../../../core/address.js'
import {NotFoundError, UsageError} from '../../../core/errors.js'
import {digestOf, mapSsmName, type SourceItem, type SourceWords} from '../../../core/migration-plan.js'
import type {SecretValue} from '../../../core/secret-value.js'
import {noun} from '../../../core/words.js'
import type {SecretStore} from '../../../stores/secret-store.js'
import type {ParameterSource} from '../../../stores/ssm-source.js'
import {deleteVerifiedSources} from '../delete-source.js'
import type {PlanInputs} from '../model.js'
import {leftItem, sortByName, takenByOnly} from '../read-source.js'
import {taggedSecretExists} from '../tags.js'
import type {MigrationSource, PagedListing, Reading, SelectedPage, SourceRequest, VerifiedRemoval} from './source.js'
import {refuseGrantFormat} from './workload.js'

/*
 * SSM Parameter Store under a path (--from-ssm): listed in pages of 10, selected by --only, --type and
 * --secrets-only, named after the parameter (or its segments below the path), deleted once verified
 * (--delete-source).
 */

const WORDS: SourceWords = {noun: 'source', deleted: 'deleted', toDelete: 'to delete', kept: 'kept'}

/** The parameters under `path` (no trailing slash, or `/`), read and deleted through `parameters`. */
export function ssmSource(path: string, parameters: ParameterSource): MigrationSource {
  const flattenBelow = (inputs: PlanInputs) => (inputs.flatten ? {below: path} : undefined)
  return {
    kind: 'ssm',
    name: path,
    words: WORDS,
    judgedAlways: false,
    planOrder: 'name',
    async read(reading) {
      for await (const page of selectedPages(reading, path, parameters)) {
        reading.sources.push(...page.sources)
        reading.extraItems.push(...page.extraItems)
        for (const [name, value] of page.values) reading.cache.offer(name, value)
      }

      sortByName(reading)
    },
    paged: pagedListing(path, parameters),
    targetMapping: (inputs) => (item) => mapSsmName(item.name, inputs.to, flattenBelow(inputs)),
    tagName: (item) => item,
    async reread(names) {
      const values = new Map<string, SecretValue>()
      for (const [name, parameter] of await parameters.read([...names])) values.set(name, parameter.value)
      return values
    },
    removal: deletion(parameters),
    unmatched: {
      what: 'parameter under',
      hint: `--only takes a name below the path (e.g. SMTP_PASSWORD for ${path}/SMTP_PASSWORD) or a full name. List them with: aws ssm get-parameters-by-path --path ${path} --recursive --query 'Parameters[].Name'`,
    },
    async migratedEarlier(store, inputs, name) {
      const full = fullParameterName(path, name)
      const mapping = mapSsmName(full, inputs.to, flattenBelow(inputs))
      return mapping.state === 'mapped' && taggedSecretExists(store, mapping.target, 'ssm', full)
    },
    migratedEarlierWhere: 'the parameter deleted',
    nothingFound: (store, inputs, notSelected, migrated) => nothingLeftHint(store, path, inputs.to, notSelected, migrated),
    collisionFix: (inputs) =>
      inputs.flatten
        ? 'Migrate the colliding sub-paths separately, each with its own --to'
        : 'Pass --flatten to name each secret after its segments below the path (queue/URL becomes QUEUE_URL), or migrate each sub-path separately with its own --to',
  }
}

/** Listing in pages: what a pipeline's streamed plan writes from as the pages arrive. */
function pagedListing(path: string, parameters: ParameterSource): PagedListing {
  return {
    pages: (reading) => selectedPages(reading, path, parameters),
    wholeListingReason(inputs) {
      if (inputs.deleteSource) return '--delete-source lists every parameter it would delete before the first write'
      if (inputs.flatten) return `--flatten can give two names one secret (a/b and A_B): every name below ${path} must be known before any is written`
      if (inputs.to !== undefined) return `with --to, two parameters in different folders below ${path} can share a last name (a/KEY and b/KEY), which would collide: every name must be known before any is written`
      return undefined
    },
    // Without --to, a parameter named /<env>/<service>/<name> becomes the secret of that name.
    targetPrefix: path === '/' ? '/' : `${path}/`,
  }
}

/** --delete-source: each parameter deleted once its secret verified equal, re-checked just before. */
function deletion(parameters: ParameterSource): VerifiedRemoval {
  return {
    remove: (run, working) => deleteVerifiedSources({...run, parameters}, working),
    planLine: (count, dryRun) => `\n${dryRun ? 'Would delete' : 'Will delete'} ${count} source parameter${count === 1 ? '' : 's'} (--delete-source), each only once its secret verified equal:`,
    question: (names) => `Delete ${names.length} source parameter${names.length === 1 ? '' : 's'} from SSM now that ${names.length === 1 ? 'its secret' : 'their secrets'} verified?`,
    failedHint: (error) => `Every item migrated, but deleting the sources failed (${error.message}); run the same command again to retry the deletion.`,
  }
}

/**
 * SSM pages as the selection (--only, --type, --secrets-only) takes them, one at a time, in the
 * service's order. Counts what it does not select and the --only names it matched in `reading`.
 */
async function* selectedPages(reading: Reading, path: string, parameters: ParameterSource): AsyncGenerator<SelectedPage> {
  const {types, judge, scan} = reading
  for await (const page of parameters.pages(path, {signal: reading.signal})) {
    for (let counted = 0; counted < page.length; counted++) reading.onRead()
    const chosen = page.filter((parameter) => {
      const byName = takenByOnly(reading, [relativeParameterName(path, parameter.name), parameter.name])
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

/** `/prod/billing` + `SMTP_PASSWORD` -> `/prod/billing/SMTP_PASSWORD`; a full name stays as it is. */
function fullParameterName(path: string, name: string): string {
  if (name.startsWith('/')) return name
  return path === '/' ? `/${name}` : `${path}/${name}`
}

/**
 * The hint of a run that found nothing to take under `path`, or a NotFoundError when nothing was ever
 * there. An empty path is what a finished --delete-source run leaves: running the same command again
 * must succeed, not fail, when the path's parameters are already secrets migrated from it.
 */
async function nothingLeftHint(store: SecretStore, path: string, to: Scope | undefined, notSelected: number, migrated: readonly string[]): Promise<string> {
  if (notSelected === 0 && migrated.length === 0 && !(await migratedEarlierFrom(store, path, to))) {
    throw new NotFoundError(
      `No SSM parameters were found under ${path}.`,
      `Check the path (it is a prefix of parameter names, e.g. /prod/billing) with: aws ssm get-parameters-by-path --path ${path} --recursive --query 'Parameters[].Name'`,
    )
  }

  if (migrated.length > 0) return `Nothing left to do: ${migrated.join(', ')} ${noun(migrated.length, 'was', 'were')} migrated earlier and the parameter deleted.`
  if (notSelected > 0) return `No parameter under ${path} was selected (${notSelected} not selected by --only/--type); nothing was written or deleted.`
  return `Nothing is left under ${path}: an earlier run migrated its parameters and deleted them.`
}

/** True when secrets tagged as migrated from parameters under `path` exist where this run would write. */
async function migratedEarlierFrom(store: SecretStore, path: string, to: Scope | undefined): Promise<boolean> {
  const under = `${path.replace(/\/+$/, '')}/`
  for await (const secret of store.list(to ? to.prefix : under)) {
    const from = secret.tags['secrets:source-name']
    if (secret.tags['secrets:migrated-from'] === 'ssm' && from !== undefined && (from.startsWith(under) || from === path)) return true
  }

  return false
}

/** --to of an SSM run (optional: parameters named /<env>/<service>/<name> keep their names), after refusing what SSM cannot take. */
export function ssmTarget(request: SourceRequest): Scope | undefined {
  const to = request.to === undefined ? undefined : Scope.parse(request.to)
  refuseGrantFormat(request)
  if (request.removeFromSource) throw new UsageError('--remove-from-source is for --from-lambda and --all-functions.', 'For SSM parameters, use --delete-source.')
  return to
}
