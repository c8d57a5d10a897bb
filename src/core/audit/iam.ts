/**
 * Which secrets an IAM policy lets its holder read. Pure: it takes policy documents as IAM returns
 * them (URL-encoded JSON) and says, per statement, whether it allows reading secret values and how far
 * it reaches: every secret, a whole environment (`/prod/*`), or one service or named secrets. A
 * SecureString parameter is a secret too: SSM's reads count like Secrets Manager's, and a parameter
 * path follows the same convention (`parameter/prod/*` is the prod environment).
 */

/** The action that reads a secret's value; BatchGetSecretValue also needs it on each secret. */
export const READ_SECRET_ACTION = 'secretsmanager:GetSecretValue'

/** The two stores whose reads return a secret's value. */
export type SecretStore = 'secretsmanager' | 'ssm'

/**
 * The actions that return a secret's value, per store. SSM's return a SecureString decrypted with
 * WithDecryption (GetParameterHistory too); under the default aws/ssm key no kms:Decrypt is needed,
 * since that key's policy lets any principal of the account decrypt through SSM.
 */
export const SECRET_READ_ACTIONS: Record<SecretStore, readonly string[]> = {
  secretsmanager: [READ_SECRET_ACTION],
  ssm: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
}

const STORES: readonly SecretStore[] = ['secretsmanager', 'ssm']

export interface PolicyStatement {
  Sid?: string
  Effect?: string
  Action?: string | string[]
  NotAction?: string | string[]
  Resource?: string | string[]
  NotResource?: string | string[]
  Condition?: unknown
}

export interface PolicyDocument {
  Version?: string
  Statement: PolicyStatement[]
}

/** How far one resource pattern reaches into Secrets Manager. */
export type SecretReach =
  | {kind: 'none'}
  | {kind: 'all'}
  /** Every secret of an environment, across its services: `/prod/*`. */
  | {kind: 'environment'; env: string}
  /** One service's secrets or named secrets: `/prod/api/*`, `/prod/api/DB_PASS-??????`. `env` is unset for names outside the `/<env>/<service>/` convention. */
  | {kind: 'scoped'; env?: string; service?: string}

/** One Allow statement that lets its holder read secret values. */
export interface SecretReadGrant {
  /** The statement's Sid, or `#<index>` (1-based) when it has none. */
  statement: string
  /** The action patterns that allow reading (`secretsmanager:GetSecretValue`, `secretsmanager:*`, `*`, ...), or `NotAction` when it is written that way. */
  actions: string[]
  /** Resource patterns that reach secrets, with how far each reaches and the stores it reaches into. */
  resources: Array<{pattern: string; reach: Exclude<SecretReach, {kind: 'none'}>; stores: SecretStore[]}>
  /** A Condition may narrow it further; conditions are not evaluated. */
  conditional: boolean
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

/**
 * Parses a policy document as IAM returns it: GetPolicyVersion, GetRolePolicy and
 * GetAccountAuthorizationDetails give it URL-encoded (RFC 3986), CloudFormation and tests as plain JSON.
 */
export function parsePolicyDocument(text: string): PolicyDocument {
  const trimmed = text.trim()
  const json = trimmed.startsWith('{') ? trimmed : decodeURIComponent(trimmed)
  const parsed = JSON.parse(json) as {Version?: string; Statement?: PolicyStatement | PolicyStatement[]}
  const statements = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]
  return {Version: parsed.Version, Statement: statements}
}

/**
 * IAM wildcard match: `*` any run of characters (including `:` and `/`), `?` exactly one.
 *
 * Without backtracking: a regex built from `a*a*a*...x` backtracks exponentially, and anyone who can
 * write a policy could stall an audit with one. The pattern is cut at its stars; the first piece must
 * start the text, the last must end it, and each piece between is taken at its leftmost place after the
 * previous one (leftmost is always safe, since a star absorbs whatever it skips). Each piece is looked
 * for once: O(pattern x text) at worst, linear in the pattern for the short texts matched here.
 */
export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern
  const t = ignoreCase ? text.toLowerCase() : text
  const pieces = p.split('*')
  if (pieces.length === 1) return t.length === p.length && pieceAt(p, t, 0)
  const first = pieces[0]
  const last = pieces.at(-1) as string
  if (first.length + last.length > t.length || !pieceAt(first, t, 0) || !pieceAt(last, t, t.length - last.length)) return false
  let from = first.length
  const end = t.length - last.length
  for (const piece of pieces.slice(1, -1)) {
    if (piece.length === 0) continue
    const at = findPiece(piece, t, from, end)
    if (at === -1) return false
    from = at + piece.length
  }

  return true
}

/** Whether `piece` (no `*`; `?` matches any one character) matches `text` at `at`. */
function pieceAt(piece: string, text: string, at: number): boolean {
  for (let i = 0; i < piece.length; i++) if (piece[i] !== '?' && piece[i] !== text[at + i]) return false
  return true
}

/** The leftmost place in `text[from, end)` where `piece` matches whole, or -1. */
function findPiece(piece: string, text: string, from: number, end: number): number {
  for (let at = from; at + piece.length <= end; at++) if (pieceAt(piece, text, at)) return at
  return -1
}

const hasWildcard = (text: string) => /[*?]/.test(text)

/** The stores whose values the statement's actions read, and the action patterns that allow it. Action names are case-insensitive. */
function statementReads(statement: PolicyStatement): {stores: SecretStore[]; actions: string[]} {
  const reads = (store: SecretStore, allowed: (action: string) => boolean) => SECRET_READ_ACTIONS[store].some((action) => allowed(action))
  if (statement.NotAction !== undefined) {
    const excluded = (action: string) => asList(statement.NotAction).some((pattern) => wildcardMatch(pattern, action, true))
    const stores = STORES.filter((store) => reads(store, (action) => !excluded(action)))
    return {stores, actions: stores.length > 0 ? ['NotAction'] : []}
  }

  const patterns = asList(statement.Action)
  const stores = STORES.filter((store) => reads(store, (action) => patterns.some((pattern) => wildcardMatch(pattern, action, true))))
  const actions = patterns.filter((pattern) => stores.some((store) => SECRET_READ_ACTIONS[store].some((action) => wildcardMatch(pattern, action, true))))
  return {stores, actions}
}

/** How far one `Resource` entry reaches into Secrets Manager. */
export function secretReach(resource: string): SecretReach {
  return storeReach(resource, 'secretsmanager')
}

/** How far one `Resource` entry reaches into Parameter Store: `parameter/prod/*` is the prod environment, as `secret:/prod/*` is. */
export function parameterReach(resource: string): SecretReach {
  return storeReach(resource, 'ssm')
}

/** Per store: the ARN's service, its resource type, and what separates the type from the name. */
const ARN_SHAPES: Record<SecretStore, {service: string; type: string; separator: string}> = {
  secretsmanager: {service: 'secretsmanager', type: 'secret', separator: ':'},
  ssm: {service: 'ssm', type: 'parameter', separator: '/'},
}

/** How far one `Resource` entry reaches into one store. */
export function storeReach(resource: string, store: SecretStore): SecretReach {
  if (resource === '*') return {kind: 'all'}
  const shape = ARN_SHAPES[store]
  const parts = resource.split(':')
  if (parts[0] !== 'arn' && !hasWildcard(parts[0] ?? '')) return {kind: 'none'}
  if (parts.length < 6) {
    // `arn:aws:secretsmanager:*` or `arn:*`: a `*` matches across colons, so it covers every ARN of the store.
    const service = parts[2]
    if (service !== undefined && !hasWildcard(service) && service.toLowerCase() !== shape.service) return {kind: 'none'}
    return hasWildcard(parts.at(-1) ?? '') ? {kind: 'all'} : {kind: 'none'}
  }

  const [, , service] = parts
  if (!wildcardMatch(service, shape.service, true)) return {kind: 'none'}
  const rest = parts.slice(5).join(':')
  const separator = rest.indexOf(shape.separator)
  const resourceType = separator === -1 ? rest : rest.slice(0, separator)
  if (hasWildcard(resourceType)) return wildcardMatch(resourceType, shape.type) || resourceType.startsWith('*') ? {kind: 'all'} : {kind: 'none'}
  if (resourceType !== shape.type || separator === -1) return {kind: 'none'}
  const name = rest.slice(separator + 1)
  // A parameter's ARN drops the leading `/` of its name: `parameter/prod/api/X` is `/prod/api/X`, while `parameter/x` is `x`.
  return secretNameReach(store === 'ssm' && name.includes('/') ? `/${name}` : name)
}

/** Reach of the name part of a secret ARN: `*`, `/prod/*`, `/prod/api/*`, `/prod/api/DB_PASS-??????`. */
function secretNameReach(name: string): SecretReach {
  if (name.length === 0) return {kind: 'none'}
  if (name.startsWith('*') || name.startsWith('?')) return {kind: 'all'}
  const conventional = name.startsWith('/')
  const segments = (conventional ? name.slice(1) : name).split('/')
  const [env, service] = segments
  if (env.startsWith('*') || env.startsWith('?')) return {kind: 'all'}
  if (hasWildcard(env)) {
    // `/prod*` also matches `/production/...`: at least a whole environment.
    return {kind: 'environment', env: env.replace(/[*?].*$/, '')}
  }

  if (segments.length === 1) return conventional ? {kind: 'scoped', env} : {kind: 'scoped'}
  if (service === undefined || service === '' || service.startsWith('*') || service.startsWith('?')) {
    return {kind: 'environment', env}
  }

  return {kind: 'scoped', env, service: service.replace(/[*?].*$/, '')}
}

/**
 * What the document's unconditional Deny statements leave of each store's reads: nothing (a Deny on
 * `*`), or only the resources a `NotResource` lists. A store no Deny covers in full is absent.
 */
function readFences(document: PolicyDocument): Map<SecretStore, 'none' | string[]> {
  const fences = new Map<SecretStore, 'none' | string[]>()
  for (const statement of document.Statement) {
    if ((statement.Effect ?? '').toLowerCase() !== 'deny' || statement.NotAction !== undefined) continue
    if (statement.Condition !== undefined && Object.keys(statement.Condition as object).length > 0) continue
    const patterns = asList(statement.Action)
    for (const store of STORES) {
      if (!SECRET_READ_ACTIONS[store].every((action) => patterns.some((pattern) => wildcardMatch(pattern, action, true)))) continue
      if (statement.NotResource !== undefined) {
        const left = fences.get(store)
        if (left !== 'none') fences.set(store, [...(left ?? []), ...asList(statement.NotResource)])
      } else if (asList(statement.Resource).some((pattern) => storeReach(pattern, store).kind === 'all')) {
        fences.set(store, 'none')
      }
    }
  }

  return fences
}

/** A grant's resources as the Deny statements leave them: a fenced store reaches only what its fence lets through. */
function fenced(resources: SecretReadGrant['resources'], fences: ReadonlyMap<SecretStore, 'none' | string[]>): SecretReadGrant['resources'] {
  if (fences.size === 0) return resources
  const out: SecretReadGrant['resources'] = []
  for (const resource of resources) {
    const open = resource.stores.filter((store) => !fences.has(store))
    if (open.length > 0) out.push({...resource, stores: open})
    if (resource.reach.kind === 'scoped') continue
    for (const store of resource.stores) {
      const left = fences.get(store)
      if (left === undefined || left === 'none') continue
      for (const pattern of left) {
        const reach = storeReach(pattern, store)
        if (reach.kind !== 'none' && reach.kind !== 'scoped') out.push({pattern, reach, stores: [store]})
      }
    }
  }

  return out
}

/**
 * Every Allow statement of the document that lets its holder read secret values, as far as the
 * document's own unconditional Deny statements leave it (a Deny with NotResource fences the reads to
 * what it lists, as `scan`'s fixes write one beside a managed policy).
 */
export function secretReadGrants(document: PolicyDocument): SecretReadGrant[] {
  const grants: SecretReadGrant[] = []
  const fences = readFences(document)
  for (const [index, statement] of document.Statement.entries()) {
    if ((statement.Effect ?? '').toLowerCase() !== 'allow') continue
    const {stores, actions} = statementReads(statement)
    if (stores.length === 0) continue
    const resources: SecretReadGrant['resources'] = []
    if (statement.NotResource === undefined) {
      for (const pattern of asList(statement.Resource)) {
        const reached = stores.map((store) => ({store, reach: storeReach(pattern, store)})).filter(({reach}) => reach.kind !== 'none')
        const [first] = reached
        if (first && first.reach.kind !== 'none') resources.push({pattern, reach: first.reach, stores: reached.map(({store}) => store)})
      }
    } else {
      // Allow on everything except the listed resources: unless the exclusion covers all of a store, it reaches all of it.
      const open = stores.filter((store) => !asList(statement.NotResource).some((pattern) => storeReach(pattern, store).kind === 'all'))
      if (open.length > 0) resources.push({pattern: `NotResource ${asList(statement.NotResource).join(', ')}`, reach: {kind: 'all'}, stores: open})
    }

    const left = fenced(resources, fences)
    if (left.length === 0) continue
    grants.push({
      statement: statement.Sid ? statement.Sid : `#${index + 1}`,
      actions,
      resources: left,
      conditional: statement.Condition !== undefined && Object.keys(statement.Condition as object).length > 0,
    })
  }

  return grants
}

/** Where a policy allows kms:Decrypt on every key: the statement and the pattern. */
export interface DecryptAll {
  statement: string
  pattern: string
  conditional: boolean
}

/**
 * The first Allow statement that lets its holder decrypt with every KMS key (`*`, `key/*`): beside a
 * secret read it opens the secrets under customer managed keys too, so a finding names it.
 */
export function decryptsEveryKey(document: PolicyDocument): DecryptAll | undefined {
  for (const [index, statement] of document.Statement.entries()) {
    if ((statement.Effect ?? '').toLowerCase() !== 'allow') continue
    const decrypts =
      statement.NotAction === undefined
        ? asList(statement.Action).some((pattern) => wildcardMatch(pattern, 'kms:Decrypt', true))
        : !asList(statement.NotAction).some((pattern) => wildcardMatch(pattern, 'kms:Decrypt', true))
    if (!decrypts) continue
    const pattern = statement.NotResource === undefined ? asList(statement.Resource).find((resource) => reachesEveryKey(resource)) : `NotResource ${asList(statement.NotResource).join(', ')}`
    if (pattern === undefined) continue
    const conditional = statement.Condition !== undefined && Object.keys(statement.Condition as object).length > 0
    return {statement: statement.Sid ? statement.Sid : `#${index + 1}`, pattern, conditional}
  }

  return undefined
}

/** `*`, `arn:aws:kms:*`, `arn:aws:kms:*:*:key/*`: every key; one key's ARN or an alias is not. */
function reachesEveryKey(resource: string): boolean {
  if (resource === '*') return true
  const parts = resource.split(':')
  if (parts[0] !== 'arn' && !hasWildcard(parts[0] ?? '')) return false
  const service = parts[2]
  if (service === undefined) return hasWildcard(parts.at(-1) ?? '')
  if (!wildcardMatch(service, 'kms', true)) return false
  if (parts.length < 6) return hasWildcard(parts.at(-1) ?? '')
  const rest = parts.slice(5).join(':')
  return rest.startsWith('*') || rest.startsWith('key/*') || rest.startsWith('key/?')
}

/** The environments whose secrets the grants reach (known ones only: `*` is reported on its own). */
export function grantEnvironments(grants: readonly SecretReadGrant[]): string[] {
  const envs = new Set<string>()
  for (const grant of grants) {
    for (const {reach} of grant.resources) {
      if ((reach.kind === 'environment' || reach.kind === 'scoped') && reach.env !== undefined) envs.add(reach.env)
    }
  }

  return [...envs].sort()
}

/** The services reached per environment, for the fix (`secrets grant prod/api ...`). */
export function grantServices(grants: readonly SecretReadGrant[]): Map<string, Set<string>> {
  const services = new Map<string, Set<string>>()
  for (const grant of grants) {
    for (const {reach} of grant.resources) {
      if (reach.kind === 'environment' && !services.has(reach.env)) services.set(reach.env, new Set())
      if (reach.kind === 'scoped' && reach.env !== undefined) {
        const set = services.get(reach.env) ?? new Set<string>()
        if (reach.service) set.add(reach.service)
        services.set(reach.env, set)
      }
    }
  }

  return services
}

/** The worst mistake in one policy document, or undefined when it is scoped as it should be. */
export type PolicyVerdict =
  | {rule: 'iam-all-secrets'; grant: SecretReadGrant; pattern: string}
  | {rule: 'iam-multiple-environments'; environments: string[]}
  | {rule: 'iam-whole-environment'; grant: SecretReadGrant; pattern: string; env: string}

export function judgePolicy(grants: readonly SecretReadGrant[]): PolicyVerdict | undefined {
  for (const grant of grants) {
    const all = grant.resources.find(({reach}) => reach.kind === 'all')
    if (all) return {rule: 'iam-all-secrets', grant, pattern: all.pattern}
  }

  const environments = grantEnvironments(grants)
  if (environments.length > 1) return {rule: 'iam-multiple-environments', environments}
  for (const grant of grants) {
    const whole = grant.resources.find(({reach}) => reach.kind === 'environment')
    if (whole && whole.reach.kind === 'environment') return {rule: 'iam-whole-environment', grant, pattern: whole.pattern, env: whole.reach.env}
  }

  return undefined
}

/** `secretsmanager:* on * (statement ReadAll)`: actions and resource patterns are policy text, never secret values. */
export function describeGrant(grant: SecretReadGrant, pattern: string, decrypt?: DecryptAll): string {
  const conditional = grant.conditional ? '; it has a Condition, which was not evaluated' : ''
  const stores = grant.resources.find((resource) => resource.pattern === pattern)?.stores ?? []
  // The actions already say so when both stores are read; SSM alone needs the reminder that it is secrets.
  const parameters = stores.length === 1 && stores[0] === 'ssm' ? ': SecureString parameters are secrets, returned decrypted' : ''
  return `Allow ${grant.actions.join(', ')} on ${pattern} (statement ${grant.statement}${conditional})${parameters}${describeDecrypt(decrypt)}`
}

/** Why a verdict was given, in words: the statement and pattern, or the environments it spans. */
export function describeVerdict(verdict: PolicyVerdict, decrypt?: DecryptAll): string {
  if (verdict.rule === 'iam-multiple-environments') {
    return `reads secrets of ${verdict.environments.length} environments (${verdict.environments.join(', ')})${describeDecrypt(decrypt)}`
  }

  return describeGrant(verdict.grant, verdict.pattern, decrypt)
}

function describeDecrypt(decrypt: DecryptAll | undefined): string {
  if (decrypt === undefined) return ''
  const conditional = decrypt.conditional ? ', with a Condition that was not evaluated' : ''
  return `; with kms:Decrypt on ${decrypt.pattern} (statement ${decrypt.statement}${conditional}), which decrypts every key's ciphertext, customer managed keys included`
}
