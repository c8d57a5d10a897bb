/**
 * The `environments:` section of the project file (`secrets.yml`): which AWS account, credentials,
 * region, KMS key and replica regions each environment uses.
 *
 * ```yaml
 * environments:
 *   prod:
 *     profile: acme-prod            # or role: arn:aws:iam::111111111111:role/secrets-admin
 *     region: us-east-1
 *     account: "111111111111"       # guard: writes refuse other accounts
 *     kmsKeyId: alias/prod-secrets  # new secrets are encrypted with it
 *     replicaRegions: [eu-west-1]   # new secrets are replicated there
 *     pricePerSecret: 0.40          # USD a secret a month, for migrate's and promote's cost estimate
 * ```
 *
 * Pure: the section reader is registered in needs-manifest.ts's table of sections, which owns the
 * file's parsing and its located errors. Errors never quote a value: a value in the wrong place may be
 * a secret pasted by mistake, and the line number is enough to find it.
 */
import {isMap, isScalar, isSeq, type Node} from 'yaml'

import {partProblem} from './address.js'
import {secretNameMatch} from './audit/names.js'
import {readPrice} from './cost.js'
import type {SecretsError} from './errors.js'
import {ACCOUNT, REGION} from './iam-policy.js'

/** The project file's default name, found by walking up from the working directory. */
export const PROJECT_FILE = 'secrets.yml'

/** One environment's AWS placement, as written in the file (checked). */
export interface EnvironmentEntry {
  name: string
  /** Line of the environment's key, for messages. */
  line: number
  profile?: string
  /** IAM role assumed through STS; never together with `profile`. */
  role?: string
  region?: string
  /** Twelve digits: writes are refused when the credentials belong to another account. */
  account?: string
  kmsKeyId?: string
  replicaRegions?: string[]
  /** USD per secret per month for the cost estimate of migrate and promote (the list price when absent). */
  pricePerSecret?: number
}

/** What the section readers share: the file name, line numbers, and how to build a located error. */
export interface SectionContext {
  file: string
  lineOf(node: Node | null | undefined): number
  error(line: number, problem: string, hint?: string): SecretsError
}

const ENTRY_KEYS = ['profile', 'role', 'region', 'account', 'kmsKeyId', 'replicaRegions', 'pricePerSecret'] as const
type EntryKey = (typeof ENTRY_KEYS)[number]

/** A commercial, China or GovCloud IAM role ARN (paths allowed). */
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/
/** Profile names as the AWS CLI writes them in ~/.aws/config. */
const PROFILE = /^[\w.@+=,:/-]{1,128}$/
/** A key id, a multi-Region key id, an alias, or the ARN of a key or an alias. */
const KMS_KEY_ID =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[\w/-]{1,250}|arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:(key\/[\w-]{1,128}|alias\/[\w/-]{1,250}))$/

/** The account a role ARN belongs to. */
export function roleAccount(role: string): string | undefined {
  return ROLE_ARN.exec(role)?.[2]
}

/** Reads `environments:`: a mapping from environment name to its entry. */
export function readEnvironments(value: Node | null, context: SectionContext, keyLine: number): EnvironmentEntry[] {
  if (!isMap(value) || value.items.length === 0) {
    throw context.error(value ? context.lineOf(value) : keyLine, 'environments: must map each environment to its AWS settings.', environmentsHint())
  }

  const entries: EnvironmentEntry[] = []
  for (const pair of value.items) {
    const keyNode = pair.key as Node | null
    const line = context.lineOf(keyNode)
    const name = isScalar(keyNode) ? String(keyNode.value) : ''
    const problem = partProblem('environment', name)
    if (problem) throw context.error(line, `environments: ${problem}.`)
    if (entries.some((entry) => entry.name === name)) throw context.error(line, `environment "${name}" is listed twice.`)
    entries.push(readEntry(name, pair.value as Node | null, context, line))
  }

  return entries
}

/**
 * The keys of an entry that hold one string, each with the form it must have and what a wrong one
 * is told (after `environment "<name>": <key>`).
 */
const STRING_KEYS: Record<Exclude<EntryKey, 'replicaRegions' | 'pricePerSecret'>, {form: RegExp; problem: string}> = {
  profile: {form: PROFILE, problem: 'is not a profile name (letters, digits and _.@+=,:/- only).'},
  role: {form: ROLE_ARN, problem: 'is not an IAM role ARN; expected arn:aws:iam::<12-digit account>:role/<name>.'},
  region: {form: REGION, problem: 'is not an AWS region such as us-east-1.'},
  account: {form: ACCOUNT, problem: 'must be a 12-digit AWS account id, quoted: account: "111111111111".'},
  kmsKeyId: {form: KMS_KEY_ID, problem: 'is not a KMS key id, alias/<name>, or key or alias ARN.'},
}

function readEntry(name: string, node: Node | null, context: SectionContext, keyLine: number): EnvironmentEntry {
  if (!isMap(node) || node.items.length === 0) {
    throw context.error(node ? context.lineOf(node) : keyLine, `environment "${name}" needs its settings (${ENTRY_KEYS.join(', ')}).`, environmentsHint())
  }

  const entry: EnvironmentEntry = {name, line: keyLine}
  for (const pair of node.items) readSetting(entry, pair.key as Node | null, pair.value as Node | null, context)
  if (entry.profile !== undefined && entry.role !== undefined) {
    const second = node.items.findLast((pair) => ['profile', 'role'].includes(String((pair.key as {value?: unknown})?.value)))
    throw context.error(
      context.lineOf(second?.key as Node),
      `environment "${name}" has both profile and role; give one.`,
      'profile: uses that profile of your shared config as is; role: assumes the role with your default credentials.',
    )
  }

  const fromRole = entry.role === undefined ? undefined : roleAccount(entry.role)
  if (fromRole !== undefined && entry.account !== undefined && fromRole !== entry.account) {
    throw context.error(keyLine, `environment "${name}": role is in account ${fromRole} but account is ${entry.account}.`)
  }

  if (entry.region !== undefined && entry.replicaRegions?.includes(entry.region)) {
    throw context.error(keyLine, `environment "${name}": replicaRegions lists the primary region ${entry.region}.`)
  }

  return entry
}

/** Reads one `key: value` of an environment into `entry`, checking the key and the value's form. */
function readSetting(entry: EnvironmentEntry, keyNode: Node | null, valueNode: Node | null, context: SectionContext): void {
  const {name} = entry
  const key = isScalar(keyNode) ? String(keyNode.value) : ''
  const line = context.lineOf(keyNode)
  const valueLine = valueNode ? context.lineOf(valueNode) : line
  if (!(ENTRY_KEYS as readonly string[]).includes(key)) {
    if (secretNameMatch(key) !== undefined) {
      throw context.error(line, `environment "${name}": "${key}" looks like a secret value; ${PROJECT_FILE} never holds one (it is committed with the code).`, secretValueHint())
    }

    throw context.error(line, `environment "${name}": unknown key "${key}"; an environment has ${ENTRY_KEYS.join(', ')}.`)
  }

  const where = `environment "${name}": ${key}`
  if (key === 'replicaRegions') {
    entry.replicaRegions = readRegions(valueNode, context, where, valueLine)
    return
  }

  if (key === 'pricePerSecret') {
    const given = readPrice(isScalar(valueNode) && ['number', 'string'].includes(typeof valueNode.value) ? String(valueNode.value) : '', where)
    if ('problem' in given) throw context.error(valueLine, given.problem)
    entry.pricePerSecret = given.price
    return
  }

  if (!isScalar(valueNode) || typeof valueNode.value !== 'string' || valueNode.value.length === 0) {
    const number = isScalar(valueNode) && typeof valueNode.value === 'number'
    throw context.error(valueLine, `${where} must be a string${number ? ' (quote it: YAML reads unquoted digits as a number)' : ''}.`)
  }

  const {form, problem} = STRING_KEYS[key as keyof typeof STRING_KEYS]
  if (!form.test(valueNode.value)) throw context.error(valueLine, `${where} ${problem}`)
  entry[key as keyof typeof STRING_KEYS] = valueNode.value
}

function readRegions(node: Node | null, context: SectionContext, where: string, line: number): string[] {
  if (!isSeq(node) || node.items.length === 0) throw context.error(line, `${where} must be a list of regions, for example [eu-west-1].`)
  const regions: string[] = []
  for (const item of node.items as (Node | null)[]) {
    const itemLine = context.lineOf(item ?? node)
    if (!isScalar(item) || typeof item.value !== 'string' || !REGION.test(item.value)) {
      throw context.error(itemLine, `${where}: each entry must be an AWS region such as eu-west-1.`)
    }

    if (regions.includes(item.value)) throw context.error(itemLine, `${where} lists ${item.value} twice.`)
    regions.push(item.value)
  }

  return regions
}

/**
 * Every string under `environments:` with its key path and line, for the credential scan (which runs
 * before the format checks, so a pasted secret is reported as one rather than as a malformed value).
 */
export function environmentScalars(section: Node | null, lineOf: (node: Node | null | undefined) => number): Array<{name: string; value: string; line: number}> {
  const found: Array<{name: string; value: string; line: number}> = []
  const visit = (node: Node | null, name: string) => {
    if (isScalar(node)) {
      if (typeof node.value === 'string' || typeof node.value === 'number') found.push({name, value: String(node.value), line: lineOf(node)})
    } else if (isMap(node)) {
      for (const pair of node.items) visit(pair.value as Node | null, isScalar(pair.key) ? String(pair.key.value) : name)
    } else if (isSeq(node)) {
      for (const item of node.items as (Node | null)[]) visit(item, name)
    }
  }

  visit(section, 'environments')
  return found
}

export function secretValueHint(): string {
  return `Store the value with "secrets set ENV/SERVICE NAME" (it reads stdin or a prompt) and keep only names in ${PROJECT_FILE}.`
}

function environmentsHint(): string {
  return 'Example:\n  environments:\n    prod:\n      profile: acme-prod\n      region: us-east-1\n      account: "111111111111"\n    staging:\n      role: arn:aws:iam::222222222222:role/secrets-admin\n      region: us-west-2'
}
