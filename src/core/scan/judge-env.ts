/**
 * The environment and Parameter Store rules: audit's variable verdicts (core/audit/variables.ts) and
 * parameter verdicts (core/audit/inspect.ts) on what a template writes, and the deploy-time
 * resolutions only a template shows.
 */
import {functionKeyFlag, guessScopeFromWorkload, quoteArg, scopeOfPath, secretNameFor, ssmParameterFix} from '../audit/fixes.js'
import {judgeParameters} from '../audit/inspect.js'
import {looksLikeSecretName} from '../audit/names.js'
import {classifyVariables, type SecretScanner, type VariableVerdict} from '../audit/variables.js'
import {secretIdVariable} from '../runtime-wiring.js'
import {
  type DefaultEntry,
  type EnvEntry,
  type EnvValue,
  type Extracted,
  grantCommand,
  type Grantee,
  granteesOf,
  grantFormat,
  type ResolvedSource,
  runtimeAdvice,
  secretOfPath,
  storedName,
  TASK_READER_ADVICE,
  valueFromNote,
  workloadFlag,
} from './entries.js'
import {type ScanFinding, scanFinding, type TemplateFormat} from './findings.js'

export async function judgeEnv(file: string, {format, env, defaults = []}: Extracted, scan: SecretScanner): Promise<ScanFinding[]> {
  const literals = env.filter((entry) => entry.value.kind === 'literal')
  const verdicts = await classifyVariables(
    literals.map((entry) => ({name: entry.variable, value: (entry.value as {text: string}).text})),
    scan,
  )
  const verdictOf = new Map(literals.map((entry, index) => [entry, verdicts[index]]))
  for (const [entry, verdict] of await partialVerdicts(env, scan)) verdictOf.set(entry, verdict)
  const findings: ScanFinding[] = []
  for (const entry of env) {
    const {value} = entry
    const label = entry.container ? `${entry.container}/${entry.variable}` : entry.variable
    const base = {file, format, ...entry.position, resource: entry.resource, variable: label}
    const found =
      value.kind === 'literal' || value.kind === 'partial'
        ? literalFinding(entry, verdictOf.get(entry), base)
        : value.kind === 'resolved'
          ? resolvedFinding(entry, value, base)
          : undefined
    if (found) findings.push(found)
  }

  return [...findings, ...(await defaultFindings(file, format, defaults, scan))]
}

/**
 * The literal parts of a reference (`!Join ['', ['Bearer ', 'sk_live_...', !Ref Stage]]`) are judged
 * by their shape alone: the reference, not the name, decides what the rest is.
 */
async function partialVerdicts(env: EnvEntry[], scan: SecretScanner): Promise<Map<EnvEntry, VariableVerdict>> {
  const pieces = env.flatMap((entry) => (entry.value.kind === 'partial' ? entry.value.pieces.map((value) => ({entry, value})) : []))
  const verdicts = await classifyVariables(
    pieces.map(({entry, value}) => ({name: entry.variable, value})),
    scan,
  )
  const out = new Map<EnvEntry, VariableVerdict>()
  for (const [index, {entry}] of pieces.entries()) {
    const verdict = verdicts[index]
    if (verdict.kind === 'secret-value' && !out.has(entry)) out.set(entry, {...verdict, detail: verdict.detail.replace(/^value/, 'a literal part of the value')})
  }

  return out
}

type Base = Pick<ScanFinding, 'file' | 'format' | 'line' | 'column' | 'resource' | 'variable'>

const VERDICT_RULES = {'secret-value': 'env-secret-value', 'secret-name': 'env-secret-name', 'secret-slot': 'env-secret-slot'} as const

function literalFinding(entry: EnvEntry, verdict: VariableVerdict | undefined, base: Base): ScanFinding | undefined {
  if (verdict === undefined || verdict.kind === 'clean') return undefined
  // A default beside a source is usually a local stand-in; only a credential's shape makes it a finding.
  if (entry.fallback && verdict.kind !== 'secret-value') return undefined
  const scope = scopeOf(entry)
  const name = secretNameFor(entry.variable)
  return scanFinding({
    ...base,
    rule: VERDICT_RULES[verdict.kind],
    reason: `${entry.variable} in ${entry.where}: ${verdict.detail}`,
    fix: {
      store: `secrets set ${scope.env}/${scope.service} ${name}`,
      grant: grants(entry, (grantee) => grantCommand(scope, grantee.name, name, base.format, grantee.runtime, grantee.key, entry.container !== undefined)),
      change: `${verdict.kind === 'secret-slot' ? `this template is built to carry a secret in an environment variable: store it with secrets set, then ` : ''}remove ${entry.variable} from ${entry.where}; pass the secret's name instead (${secretIdVariable(name)}: /${scope.env}/${scope.service}/${name}, ${readerAdvice(entry)})${valueFromNote(entry)}${fillIn(entry)}`,
    },
  })
}

/** The scope the template gives, else the one guessed from the workload's name. */
function scopeOf(entry: EnvEntry): {env: string; service: string} {
  return entry.scope ?? guessScopeFromWorkload(entry.workload)
}

/** One grant per function the variable reaches (every function, for a Serverless `provider.environment`). */
function grants(entry: EnvEntry, grant: (grantee: Grantee) => string): string {
  return granteesOf(entry).map((grantee) => grant(grantee)).join('; ')
}

/** What the change says of the handler, once for each thing said of the functions granted (Node.js guessed, a runtime with none). */
function handlerAdvice(entry: EnvEntry): string {
  return [...new Set(granteesOf(entry).map((grantee) => runtimeAdvice(grantee.runtime)))].join('')
}

/** How the change says the secret is read: the handler the grant prints, or for a container the module its application imports. */
function readerAdvice(entry: EnvEntry): string {
  return entry.container === undefined ? `as the grant prints it with the handler that reads it${handlerAdvice(entry)}` : TASK_READER_ADVICE
}

function fillIn(entry: EnvEntry): string {
  return entry.fillIn === undefined ? '' : `; ${entry.fillIn}`
}

type Resolved = Extract<EnvValue, {kind: 'resolved'}>

const RESOLVED_FROM: Record<ResolvedSource, (value: Resolved) => string> = {
  secretsmanager: () => 'a Secrets Manager dynamic reference',
  'ssm-secure': () => 'an SSM SecureString dynamic reference',
  // CloudFormation reads only a String parameter through a parameter type: the secret is plain text there too.
  ssm: ({parameter, path}) =>
    parameter === undefined
      ? 'an SSM parameter resolved at deploy'
      : `${path === '' ? 'a Parameter Store parameter' : `the Parameter Store parameter ${path}`} (a String) read at deploy through the template parameter ${parameter}`,
  env: () => 'a variable of the deploying shell',
  file: () => 'a file read at deploy',
  parameter: ({path}) => `the template parameter ${path}, declared NoEcho`,
  attribute: ({path, resourceType}) => `${path}, a secret the stack creates (${resourceType ?? 'resource'})`,
  'terraform-secret': () => 'a Secrets Manager secret Terraform reads when it applies',
  'terraform-ssm-secure': () => 'a SecureString parameter Terraform reads when it applies',
  'terraform-ssm': () => 'an SSM parameter Terraform reads when it applies',
  'terraform-sensitive': () => 'a Terraform variable declared sensitive',
  'terraform-variable': () => 'a Terraform input variable',
  'terraform-attribute': () => "a resource's secret attribute",
}

/** The store a source reads from, which names the secret and its fix; the others are stored with `secrets set`. */
const STORE_OF: Partial<Record<ResolvedSource, 'secretsmanager' | 'ssm'>> = {
  secretsmanager: 'secretsmanager',
  'ssm-secure': 'ssm',
  ssm: 'ssm',
  'terraform-secret': 'secretsmanager',
  'terraform-ssm-secure': 'ssm',
  'terraform-ssm': 'ssm',
}

/** Sources that are a secret by their own word: a secrets store, NoEcho, a secret attribute, a variable declared sensitive. */
const SECRET_SOURCES: ReadonlySet<ResolvedSource> = new Set([
  'secretsmanager',
  'ssm-secure',
  'parameter',
  'attribute',
  'terraform-secret',
  'terraform-ssm-secure',
  'terraform-sensitive',
  'terraform-attribute',
])

/** A value filled at deploy from a store, the shell, a file or the stack: reported when it is a secret (by its source, or by its name). */
function resolvedFinding(entry: EnvEntry, value: Resolved, base: Base): ScanFinding | undefined {
  const store = STORE_OF[value.source]
  const named = value.path !== ''
  const secretLooking =
    SECRET_SOURCES.has(value.source) ||
    looksLikeSecretName(entry.variable) ||
    // A file's path says nothing of a secret; the key read from it (`${file(./config.yml):CLIENT_SECRET}`) does.
    (named && looksLikeSecretName(value.source === 'file' ? fileKey(value.path) : secretOfPath(store ?? value.source, value.path))) ||
    (value.parameter !== undefined && looksLikeSecretName(value.parameter))
  if (!secretLooking) return undefined
  const storedAt = store !== undefined && named ? storedName(store, value.path) : undefined
  // The scope the stored name gives wins over the one guessed from the function: the grant must read
  // the secret the store command writes, or the one a dynamic reference already names.
  const guessed = scopeOf(entry)
  const fromPath = storedAt === undefined ? {} : scopeOfPath(storedAt)
  const scope = {env: fromPath.env ?? guessed.env, service: fromPath.service ?? guessed.service}
  const name = secretNameFor(storedAt === undefined ? entry.variable : secretOfPath(store as string, value.path))
  const storeFix =
    store === 'secretsmanager' || value.source === 'attribute'
      ? undefined
      : store === 'ssm' && storedAt !== undefined
        ? ssmParameterFix(storedAt.startsWith('/') ? storedAt : `/${storedAt}`, scope)
        : `secrets set ${scope.env}/${scope.service} ${name}`
  // A Secrets Manager secret outside /ENV/SERVICE/NAME is granted by its own name, as it is.
  const outsideScheme = store === 'secretsmanager' && storedAt !== undefined && !IN_SCHEME.test(storedAt)
  const task = entry.container !== undefined
  const grant = outsideScheme
    ? grants(entry, (grantee) => `secrets grant ${workloadFlag(task)} ${quoteArg(grantee.name)}${task ? '' : functionKeyFlag(grantee.name, grantee.key)} --id ${quoteArg(storedAt)} --format ${grantFormat(base.format, task)}`)
    : grants(entry, (grantee) => grantCommand(scope, grantee.name, name, base.format, grantee.runtime, grantee.key, task))
  const passName = `pass the secret's name instead (${outsideScheme ? `${storedAt}, which ${task ? 'the task' : 'the function'} reads at run time` : `${secretIdVariable(name)}, ${readerAdvice(entry)}`})${valueFromNote(entry)}`
  const templateParameter = value.source === 'parameter' ? value.path : value.parameter
  const change =
    value.source === 'attribute'
      ? `keep it in Secrets Manager: an AWS::SecretsManager::Secret in this template named /${scope.env}/${scope.service}/${name} whose SecretString is !GetAtt ${value.path}; remove ${entry.variable} from ${entry.where}; ${passName}${fillIn(entry)}`
      : `remove ${entry.variable} from ${entry.where}${templateParameter === undefined ? '' : ` and the parameter ${templateParameter} once nothing else takes it`}; ${passName}${fillIn(entry)}`
  return scanFinding({
    ...base,
    rule: 'env-resolved-secret',
    reason: `${entry.variable} in ${entry.where} is filled from ${RESOLVED_FROM[value.source](value)}${value.reference === undefined ? '' : ` (${value.reference})`}: the value is stored in plain text in the ${entry.container === undefined ? "function's configuration" : 'task definition'}`,
    fix: {...(storeFix === undefined ? {} : {store: storeFix}), grant, change},
  })
}

/** A name in the product's scheme, /ENV/SERVICE/NAME. */
const IN_SCHEME = /^\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[^/]+$/

/**
 * A parameter's literal Default that fills a variable is a value written in the template. It is a
 * secret by its shape, or by NoEcho (the template's own word) unless it is a placeholder; an ordinary
 * parameter's default is judged by its shape only, as its name says nothing.
 */
async function defaultFindings(file: string, format: TemplateFormat, defaults: DefaultEntry[], scan: SecretScanner): Promise<ScanFinding[]> {
  const verdicts = await classifyVariables(
    defaults.map((entry) => ({name: entry.user.variable, value: entry.value})),
    scan,
  )
  return defaults.flatMap((entry, index) => {
    const verdict = verdicts[index]
    const declared = entry.noEcho && (verdict.kind === 'secret-name' || (verdict.kind === 'clean' && verdict.reason === 'not-secret-looking'))
    if (verdict.kind !== 'secret-value' && !declared) return []
    const {user} = entry
    const scope = guessScopeFromWorkload(user.workload)
    const name = secretNameFor(user.variable)
    const why = verdict.kind === 'secret-value' ? verdict.detail : 'the parameter is declared NoEcho, and its Default is a literal'
    return [
      scanFinding({
        file,
        format,
        ...entry.position,
        rule: verdict.kind === 'secret-value' ? 'env-secret-value' : 'env-secret-name',
        resource: entry.parameter,
        variable: user.variable,
        reason: `the Default of parameter ${entry.parameter} is written in the template and fills ${user.variable} in ${user.where}: ${why}`,
        fix: {
          store: `secrets set ${scope.env}/${scope.service} ${name}`,
          grant: grantCommand(scope, user.workload, name, format, user.runtime, undefined, user.container !== undefined),
          change: `delete the Default of ${entry.parameter} and rotate the value (it stays in the repository's history); remove ${user.variable} from ${user.where}; pass the secret's name instead (${secretIdVariable(name)}, ${user.container === undefined ? 'as the grant prints it with the handler that reads it' : TASK_READER_ADVICE})${valueFromNote(user)}`,
        },
      }),
    ]
  })
}

/** The last part of the key a file variable reads (`./config/${opt:stage}.yml:oauth.CLIENT_SECRET` -> CLIENT_SECRET), or ''. */
function fileKey(path: string): string {
  return /:([\w.-]+)$/.exec(path.replaceAll(/\$\{[^{}]*\}/g, ''))?.[1].split('.').at(-1) ?? ''
}

export async function judgeParameterEntries(file: string, {format, parameters}: Extracted, scan: SecretScanner): Promise<ScanFinding[]> {
  const verdicts = await judgeParameters(
    parameters.map((entry) => ({name: entry.name ?? entry.resource, type: 'String', value: entry.value})),
    scan,
  )
  const findings: ScanFinding[] = []
  for (const [index, entry] of parameters.entries()) {
    const verdict = verdicts[index]
    if (!verdict.secret) continue
    const name = entry.name ?? entry.resource
    const conventional = /^\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(name)
    const scope = guessScopeFromWorkload(entry.resource)
    const store = conventional ? ssmParameterFix(name) : `secrets set ${scope.env}/${scope.service} ${secretNameFor(name.split('/').at(-1) ?? name)}`
    findings.push(
      scanFinding({
        file,
        format,
        ...entry.position,
        rule: 'ssm-plaintext-secret',
        resource: entry.resource,
        variable: name,
        reason: `parameter ${name}: a template can only create String parameters, so it is plain text (${verdict.detail.replace(/^unencrypted String: /, '')})`,
        fix: {store, change: `delete the parameter resource ${entry.resource} from the file; its readers take the secret's name and read it from Secrets Manager`},
      }),
    )
  }

  return findings
}
