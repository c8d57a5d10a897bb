/**
 * The environment and Parameter Store rules: audit's variable verdicts (core/audit/variables.ts) and
 * parameter verdicts (core/audit/inspect.ts) on what a template writes, and the deploy-time
 * resolutions only a template shows.
 */
import {guessScopeFromWorkload, secretNameFor, ssmParameterFix} from '../audit/fixes.js'
import {judgeParameters} from '../audit/inspect.js'
import {looksLikeSecretName} from '../audit/names.js'
import {classifyVariables, type SecretScanner, type VariableVerdict} from '../audit/variables.js'
import {secretIdVariable} from '../runtime-wiring.js'
import {type EnvEntry, type EnvValue, type Extracted, grantCommand, secretOfPath} from './entries.js'
import {type ScanFinding, scanFinding} from './findings.js'

export async function judgeEnv(file: string, {format, env}: Extracted, scan: SecretScanner): Promise<ScanFinding[]> {
  const literals = env.filter((entry) => entry.value.kind === 'literal')
  const verdicts = await classifyVariables(
    literals.map((entry) => ({name: entry.variable, value: (entry.value as {text: string}).text})),
    scan,
  )
  const verdictOf = new Map(literals.map((entry, index) => [entry, verdicts[index]]))
  const findings: ScanFinding[] = []
  for (const entry of env) {
    const {value} = entry
    const label = entry.container ? `${entry.container}/${entry.variable}` : entry.variable
    const base = {file, format, ...entry.position, resource: entry.resource, variable: label}
    const found =
      value.kind === 'literal' ? literalFinding(entry, verdictOf.get(entry), base) : value.kind === 'resolved' ? resolvedFinding(entry, value, base) : undefined
    if (found) findings.push(found)
  }

  return findings
}

type Base = Pick<ScanFinding, 'file' | 'format' | 'line' | 'column' | 'resource' | 'variable'>

function literalFinding(entry: EnvEntry, verdict: VariableVerdict | undefined, base: Base): ScanFinding | undefined {
  if (verdict === undefined || verdict.kind === 'clean') return undefined
  const scope = guessScopeFromWorkload(entry.workload)
  const name = secretNameFor(entry.variable)
  return scanFinding({
    ...base,
    rule: verdict.kind === 'secret-value' ? 'env-secret-value' : 'env-secret-name',
    reason: `${entry.variable} in ${entry.where}: ${verdict.detail}`,
    fix: {
      store: `secrets set ${scope.env}/${scope.service} ${name}`,
      grant: grantCommand(scope, entry.workload, name, base.format),
      change: `remove ${entry.variable} from ${entry.where}; pass the secret's name instead (${secretIdVariable(name)}: /${scope.env}/${scope.service}/${name}, as the grant prints it with the handler that reads it; --runtime python for a Python function)`,
    },
  })
}

const RESOLVED_FROM = {
  secretsmanager: 'a Secrets Manager dynamic reference',
  'ssm-secure': 'an SSM SecureString dynamic reference',
  ssm: 'an SSM parameter resolved at deploy',
  env: 'a variable of the deploying shell',
  file: 'a file read at deploy',
  'terraform-secret': 'a Secrets Manager secret Terraform reads when it applies',
  'terraform-ssm-secure': 'a SecureString parameter Terraform reads when it applies',
  'terraform-ssm': 'an SSM parameter Terraform reads when it applies',
  'terraform-sensitive': 'a Terraform variable declared sensitive',
  'terraform-attribute': "a resource's secret attribute",
} as const

type ResolvedSource = Extract<EnvValue, {kind: 'resolved'}>['source']

/** The store a source reads from, which names the secret and its fix; the others are stored with `secrets set`. */
const STORE_OF: Partial<Record<ResolvedSource, 'secretsmanager' | 'ssm'>> = {
  secretsmanager: 'secretsmanager',
  'ssm-secure': 'ssm',
  ssm: 'ssm',
  'terraform-secret': 'secretsmanager',
  'terraform-ssm-secure': 'ssm',
  'terraform-ssm': 'ssm',
}

/** Secrets whatever they are named: a secrets store's, a variable declared sensitive, a resource's secret attribute. */
const ALWAYS_SECRET = new Set<ResolvedSource>(['secretsmanager', 'ssm-secure', 'terraform-secret', 'terraform-ssm-secure', 'terraform-sensitive', 'terraform-attribute'])

/** A value filled at deploy from a store, the shell or a file: reported when it is a secret (a store's, or by its name). */
function resolvedFinding(entry: EnvEntry, value: Extract<EnvValue, {kind: 'resolved'}>, base: Base): ScanFinding | undefined {
  const store = STORE_OF[value.source]
  const named = value.path !== ''
  const secretLooking = looksLikeSecretName(entry.variable) || (value.source !== 'file' && named && looksLikeSecretName(secretOfPath(store ?? value.source, value.path)))
  if (!ALWAYS_SECRET.has(value.source) && !secretLooking) return undefined
  const scope = guessScopeFromWorkload(entry.workload)
  const name = secretNameFor(store && named ? secretOfPath(store, value.path) : entry.variable)
  const parameter = value.path.replace(/:\d+$/, '')
  const storeFix =
    store === 'secretsmanager'
      ? undefined
      : store === 'ssm' && named
        ? ssmParameterFix(parameter.startsWith('/') ? parameter : `/${parameter}`)
        : `secrets set ${scope.env}/${scope.service} ${name}`
  const through = value.reference === undefined ? '' : ` (${value.reference})`
  return scanFinding({
    ...base,
    rule: 'env-resolved-secret',
    reason: `${entry.variable} in ${entry.where} is filled from ${RESOLVED_FROM[value.source]}${through}: the value is stored in plain text in the function's configuration`,
    fix: {
      ...(storeFix === undefined ? {} : {store: storeFix}),
      grant: grantCommand(scope, entry.workload, name, base.format),
      change: `remove ${entry.variable} from ${entry.where}; pass the secret's name instead (${secretIdVariable(name)}, as the grant prints it with the handler that reads it; --runtime python for a Python function)`,
    },
  })
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
