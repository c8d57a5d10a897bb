/**
 * A policy fix that keeps what the function does and takes away only what it does not: the
 * statements of the policy as written, with the secret reads narrowed to the secrets the template
 * passes the function, and every other action and statement left as it was. Pure; the edits it
 * returns are key paths and values in CloudFormation's JSON form, for a person or a tool to apply.
 */
import {SECRET_READ_ACTIONS, type SecretStore, secretReadGrants, wildcardMatch} from '../audit/iam.js'
import type {PolicyEntry, StatementEntry, TemplatePath} from './entries.js'
import {hclPolicyEdit, type LinesEdit} from './terraform-edit.js'

/** A secret the template tells a function to read: its ARN as the template writes it (`{Ref: X}`, `{"Fn::Sub": ...}`). */
export interface SecretTarget {
  store: SecretStore
  resource: unknown
  /** How the template names it, for the fix's words: `!Ref OrdersSecret`, `DB_SECRET_ARN`. */
  label: string
}

/** Set the value at a key path of the template (a list index one past the end appends). */
export interface TemplateEdit {
  at: TemplatePath
  value: unknown
}

/** An edit of a template: a value at a key path (CloudFormation, SAM, Serverless), or whole lines (Terraform). */
export type FixEdit = TemplateEdit | LinesEdit

export type Narrowing =
  | {edits: FixEdit[]; kept: string[]; targets: SecretTarget[]; denied: boolean}
  | {refused: string}

const STORES: readonly SecretStore[] = ['secretsmanager', 'ssm']
const STORE_WORDS: Record<SecretStore, string> = {secretsmanager: 'secret', ssm: 'SecureString parameter'}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/** Whether the action (possibly a wildcard) allows reading a store's values. */
const readsStore = (action: string, store: SecretStore) => SECRET_READ_ACTIONS[store].some((read) => wildcardMatch(action, read, true))
/** Whether the action is one of a store's read actions itself, so taking it out takes nothing else. */
const isReadAction = (action: string, store: SecretStore) => SECRET_READ_ACTIONS[store].some((read) => read.toLowerCase() === action.toLowerCase())

/** The stores a statement reads beyond a scoped name: every secret, or a whole environment. */
function broadStores(entry: NarrowableStatement): SecretStore[] {
  const stores = new Set<SecretStore>()
  for (const grant of secretReadGrants({Statement: [entry.statement]})) {
    for (const resource of grant.resources) if (resource.reach.kind !== 'scoped') for (const store of resource.stores) stores.add(store)
  }

  return STORES.filter((store) => stores.has(store))
}

/** The Deny that leaves a store's reads to its targets alone (or to none), whatever else allows them. */
export function fence(store: SecretStore, targets: readonly SecretTarget[]): Record<string, unknown> {
  const own = targets.filter((target) => target.store === store).map((target) => target.resource)
  return {
    Sid: store === 'ssm' ? 'OnlyItsOwnParameters' : 'OnlyItsOwnSecrets',
    Effect: 'Deny',
    Action: [...SECRET_READ_ACTIONS[store]],
    ...(own.length > 0 ? {NotResource: own} : {Resource: '*'}),
  }
}

/**
 * Narrows one policy to the targets. An attached managed policy cannot be edited: a Deny beside it
 * leaves the reads to the targets (or to none: a function the template gives no secret reads none).
 * Within a written policy, a read action named as such moves to its own statement on the targets and
 * the rest of its statement stays; a wildcard that also allows other things (`secretsmanager:*`, `*`)
 * stays as written, fenced by a Deny. Where the function plainly reads secrets but the template names
 * none, the answer is a refusal that says so, never a guessed name; `readsNone` (a role end users
 * assume) takes the reads out instead.
 */
export function narrowPolicy(entry: PolicyEntry, targets: readonly SecretTarget[], {readsNone = false}: {readsNone?: boolean} = {}): Narrowing {
  const {place} = entry
  if (place === undefined) return {refused: 'the policy is written in a form a fix cannot edit (an Fn::If around it, or a JSON string)'}
  const targetsOf = (store: SecretStore) => targets.filter((target) => target.store === store)
  const broad = [...new Set(entry.statements.flatMap((item) => broadStores(item)))]
  if (broad.length === 0) return {refused: 'its secret reads are already scoped to names'}
  const used = targets.filter((target) => broad.includes(target.store))

  if (place.kind === 'attached') {
    const denies = broad.map((store) => fence(store, targets))
    const policy = place.bare ? {Statement: denies} : {PolicyName: 'OnlyItsOwnSecrets', PolicyDocument: {Version: '2012-10-17', Statement: denies}}
    const edit = place.count === 0 ? {at: place.policies, value: [policy]} : {at: [...place.policies, place.count], value: policy}
    return {edits: [edit], kept: [`${entry.policy ?? 'the attached policy'} (all of it)`], targets: used, denied: true}
  }

  if (place.kind === 'item') {
    const statements: Array<Record<string, unknown>> = []
    for (const store of broad) {
      const own = targetsOf(store)
      if (own.length === 0 && readsNone) continue
      if (own.length === 0) return {refused: nothingNamed(entry, store)}
      statements.push({Effect: 'Allow', Action: asList(entry.statements[0]?.statement.Action), Resource: own.map((target) => target.resource)})
    }

    return {edits: [{at: place.at, value: {Statement: statements}}], kept: [], targets: used, denied: false}
  }

  const narrowed = narrowStatements(entry.statements, targets, {readsNone, nothingNamed: (store) => nothingNamed(entry, store)})
  if ('refused' in narrowed) return narrowed
  const edit = place.kind === 'hcl' ? hclPolicyEdit(place, narrowed.statements) : {at: place.at, value: narrowed.statements}
  return {edits: [edit], kept: narrowed.kept, targets: used, denied: narrowed.fenced.length > 0}
}

/** A statement to narrow: as read, and as written (what the fix writes back where it keeps it). */
export type NarrowableStatement = Pick<StatementEntry, 'statement' | 'written'>

export type StatementsNarrowing = {statements: unknown[]; kept: string[]; fenced: SecretStore[]} | {refused: string}

/**
 * Narrows a list of statements to the targets: a read action named as such moves to its own
 * statement on the targets and the rest of its statement stays; a wildcard that also allows other
 * things (`secretsmanager:*`, `*`) stays as written, fenced by a Deny at the end; a statement that
 * reads no secret broadly stays as it is. Where a store is read but no target is in it, the answer is
 * `nothingNamed`'s refusal (or, with `readsNone`, the reads are taken out). Pure: scan and audit share it.
 */
export function narrowStatements(
  statements: readonly NarrowableStatement[],
  targets: readonly SecretTarget[],
  {readsNone = false, nothingNamed: unnamed}: {readsNone?: boolean; nothingNamed: (store: SecretStore) => string},
): StatementsNarrowing {
  const targetsOf = (store: SecretStore) => targets.filter((target) => target.store === store)
  const out: unknown[] = []
  const kept = new Set<string>()
  const fenced = new Set<SecretStore>()
  for (const item of statements) {
    const stores = broadStores(item)
    if (item.written === undefined) return {refused: 'a statement of the policy is written in a form a fix cannot edit'}
    if (stores.length === 0) {
      out.push(item.written)
      continue
    }

    const actions = asList(item.written.Action)
    const wide = item.written.NotAction !== undefined || actions.some((action) => typeof action !== 'string' || stores.some((store) => readsStore(action, store) && !isReadAction(action, store)))
    if (wide) {
      // `*` and `secretsmanager:*` may be doing other work (creating or rotating secrets): kept, and fenced.
      out.push(item.written)
      for (const action of actions) kept.add(String(action))
      for (const store of stores) {
        if (targetsOf(store).length === 0 && !actions.includes('*') && !readsNone) return {refused: unnamed(store)}
        fenced.add(store)
      }

      continue
    }

    const others = actions.filter((action) => !stores.some((store) => isReadAction(String(action), store)))
    if (others.length > 0) {
      out.push({...item.written, Action: others})
      for (const action of others) kept.add(String(action))
    }

    for (const store of stores) {
      const reads = actions.filter((action) => isReadAction(String(action), store))
      if (reads.length === 0) continue
      const own = targetsOf(store)
      if (own.length === 0 && readsNone) continue
      if (own.length === 0) return {refused: unnamed(store)}
      const {Sid: sid, NotResource: _notResource, ...rest} = item.written
      out.push({...(typeof sid === 'string' ? {Sid: `${sid}Reads`} : {}), ...rest, Action: reads, Resource: own.map((target) => target.resource)})
    }
  }

  for (const store of fenced) out.push(fence(store, targets))
  return {statements: out, kept: [...kept], fenced: [...fenced]}
}

function nothingNamed(entry: PolicyEntry, store: SecretStore): string {
  const who = entry.holders.length > 0 ? entry.holders.join(', ') : entry.resource
  return `nothing in the template names the ${STORE_WORDS[store]}s ${who} reads (an ARN or name in its environment, or a reference to the secret: !Ref, !GetAtt, aws_secretsmanager_secret.NAME.arn)`
}
