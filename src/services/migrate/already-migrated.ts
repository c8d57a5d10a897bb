import type {Scope} from '../../core/address.js'
import {NotFoundError} from '../../core/errors.js'
import {mapDotenvKey, mapFunctionVariable, mapSsmName} from '../../core/migration-plan.js'
import {noun} from '../../core/words.js'
import type {SecretStore} from '../../stores/secret-store.js'
import {cleanTagValue, taggedName} from './execute.js'
import {type MigrateOptions, type MigrationSource, sourceName} from './types.js'

/*
 * Re-runs: what a finished run leaves (sources deleted, secrets tagged with where they came from) must
 * make the same command succeed again, while a typo in --only or in the path still fails.
 */

/**
 * --only names that matched nothing. One whose parameter was migrated earlier (a secret tagged with
 * its name exists where this run writes) is done, so running a printed fix twice succeeds; any other
 * is an error before anything is written: a typo must not quietly migrate nothing.
 */
export async function unmatchedOnly(store: SecretStore, options: MigrateOptions, matched: ReadonlySet<string>): Promise<{migrated: string[]}> {
  const unmatched = (options.select?.only ?? []).filter((name) => !matched.has(name))
  if (unmatched.length === 0) return {migrated: []}
  const {source} = options
  const migrated: string[] = []
  const missing: string[] = []
  for (const name of unmatched) {
    if (source.kind === 'ssm' && (await migratedEarlier(store, fullParameterName(source.path, name), options.to, options.flatten ? {below: source.path} : undefined))) migrated.push(name)
    else if (source.kind === 'lambda' && (await variableMigratedEarlier(store, options, name))) migrated.push(name)
    else missing.push(name)
  }

  if (missing.length > 0) {
    throw new NotFoundError(`--only ${missing.join(', ')}: no such ${UNMATCHED[source.kind]} ${sourceName(source)}; nothing was written or deleted.`, unmatchedHint(source))
  }

  return {migrated}
}

/** What an --only name that matched nothing is not, and where. */
const UNMATCHED: Record<MigrationSource['kind'], string> = {
  ssm: 'parameter under',
  dotenv: 'key in',
  lambda: 'environment variable in function',
  ecs: 'environment variable in the latest ACTIVE revision of',
}

function unmatchedHint(source: MigrationSource): string {
  if (source.kind === 'ssm') {
    return `--only takes a name below the path (e.g. SMTP_PASSWORD for ${source.path}/SMTP_PASSWORD) or a full name. List them with: aws ssm get-parameters-by-path --path ${source.path} --recursive --query 'Parameters[].Name'`
  }

  if (source.kind === 'dotenv') return '--only takes a key of the file exactly as written (case matters).'
  return source.kind === 'lambda'
    ? `--only takes a variable name exactly as written (case matters). List them with: aws lambda get-function-configuration --function-name ${source.environment.name} --query 'keys(Environment.Variables)'`
    : `--only takes a variable name (VARIABLE, or CONTAINER/VARIABLE for one container). List them with: aws ecs describe-task-definition --task-definition ${source.environment.name} --query 'taskDefinition.containerDefinitions[].environment[].name'`
}

/**
 * The hint of an SSM run that found nothing to take under `path`, or a NotFoundError when nothing was
 * ever there. An empty path is what a finished --delete-source run leaves: running the same command
 * again must succeed, not fail, when the path's parameters are already secrets migrated from it.
 */
export async function nothingLeftHint(store: SecretStore, path: string, to: Scope | undefined, notSelected: number, migrated: readonly string[]): Promise<string> {
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

/** `/prod/billing` + `SMTP_PASSWORD` -> `/prod/billing/SMTP_PASSWORD`; a full name stays as it is. */
function fullParameterName(path: string, name: string): string {
  if (name.startsWith('/')) return name
  return path === '/' ? `/${name}` : `${path}/${name}`
}

/** True when a secret tagged as migrated from the parameter `name` exists where this run would write. */
async function migratedEarlier(store: SecretStore, name: string, to: Scope | undefined, flatten?: {below: string}): Promise<boolean> {
  const mapping = mapSsmName(name, to, flatten)
  if (mapping.state !== 'mapped') return false
  for await (const secret of store.list(mapping.target)) {
    if (secret.name === mapping.target && secret.tags['secrets:migrated-from'] === 'ssm' && secret.tags['secrets:source-name'] === name) return true
  }

  return false
}

/**
 * True when the secret this run would write for the variable `name` exists, tagged as migrated from
 * that function's variable: an earlier run moved it and --remove-from-source (or a person) took it
 * out of the function.
 */
async function variableMigratedEarlier(store: SecretStore, options: MigrateOptions, name: string): Promise<boolean> {
  const {source} = options
  if (source.kind !== 'lambda') return false
  const mapping = options.toEnvironment
    ? mapFunctionVariable(name, options.toEnvironment.env)
    : options.to
      ? mapDotenvKey(name, options.to)
      : undefined
  if (mapping?.state !== 'mapped' || (source.environment.many && !name.includes('/'))) return false
  const tag = cleanTagValue(taggedName(source, name, source.environment.name))
  for await (const secret of store.list(mapping.target)) {
    if (secret.name === mapping.target && secret.tags['secrets:migrated-from'] === 'lambda' && secret.tags['secrets:source-name'] === tag) return true
  }

  return false
}

/** The note of a run whose --only named variables an earlier run had already migrated and removed. */
export function migratedEarlierNote(source: MigrationSource, migrated: readonly string[]): string {
  const where = source.kind === 'ssm' ? 'the parameter deleted' : `no longer in ${sourceName(source)}`
  return `Nothing left to do for ${migrated.join(', ')}: ${noun(migrated.length, 'it was', 'they were')} migrated earlier (the secret is tagged with ${noun(migrated.length, 'its', 'their')} source) and ${noun(migrated.length, 'is', 'are')} ${where}.`
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
