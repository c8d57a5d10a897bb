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

const VERDICT_RULES = {'secret-value': 'env-secret-value', 'secret-name': 'env-secret-name', 'secret-slot': 'env-secret-slot'} as const

function literalFinding(entry: EnvEntry, verdict: VariableVerdict | undefined, base: Base): ScanFinding | undefined {
  if (verdict === undefined || verdict.kind === 'clean') return undefined
  // A default beside a source is usually a local stand-in; only a credential's shape makes it a finding.
  if (entry.fallback && verdict.kind !== 'secret-value') return undefined
  const scope = guessScopeFromWorkload(entry.workload)
  const name = secretNameFor(entry.variable)
  return scanFinding({
    ...base,
    rule: VERDICT_RULES[verdict.kind],
    reason: `${entry.variable} in ${entry.where}: ${verdict.detail}`,
    fix: {
      store: `secrets set ${scope.env}/${scope.service} ${name}`,
      grant: grantCommand(scope, entry.workload, name, base.format),
      change: `${verdict.kind === 'secret-slot' ? `this template is built to carry a secret in an environment variable: store it with secrets set, then ` : ''}remove ${entry.variable} from ${entry.where}; pass the secret's name instead (${secretIdVariable(name)}: /${scope.env}/${scope.service}/${name}, as the grant prints it with the handler that reads it; --runtime python for a Python function)`,
    },
  })
}

const RESOLVED_FROM = {
  secretsmanager: 'a Secrets Manager dynamic reference',
  'ssm-secure': 'an SSM SecureString dynamic reference',
  ssm: 'an SSM parameter resolved at deploy',
  env: 'a variable of the deploying shell',
  file: 'a file read at deploy',
} as const

/** A value filled at deploy from a store, the shell or a file: reported when it is a secret (a store's, or by its name). */
function resolvedFinding(entry: EnvEntry, value: Extract<EnvValue, {kind: 'resolved'}>, base: Base): ScanFinding | undefined {
  const fromStore = value.source === 'secretsmanager' || value.source === 'ssm-secure'
  // A file's path says nothing of a secret; the key read from it (`${file(./config.yml):CLIENT_SECRET}`) does.
  const pathName = value.source === 'file' ? fileKey(value.path) : secretOfPath(value.source, value.path)
  const secretLooking = looksLikeSecretName(entry.variable) || looksLikeSecretName(pathName)
  if (!fromStore && !secretLooking) return undefined
  const scope = guessScopeFromWorkload(entry.workload)
  const name = secretNameFor(fromStore || value.source === 'ssm' ? secretOfPath(value.source, value.path) : entry.variable)
  const parameter = value.path.replace(/:\d+$/, '')
  const store =
    value.source === 'secretsmanager'
      ? undefined
      : value.source === 'ssm-secure' || value.source === 'ssm'
        ? ssmParameterFix(parameter.startsWith('/') ? parameter : `/${parameter}`)
        : `secrets set ${scope.env}/${scope.service} ${name}`
  return scanFinding({
    ...base,
    rule: 'env-resolved-secret',
    reason: `${entry.variable} in ${entry.where} is filled from ${RESOLVED_FROM[value.source]}: the value is stored in plain text in the function's configuration`,
    fix: {
      ...(store === undefined ? {} : {store}),
      grant: grantCommand(scope, entry.workload, name, base.format),
      change: `remove ${entry.variable} from ${entry.where}; pass the secret's name instead (${secretIdVariable(name)}, as the grant prints it with the handler that reads it; --runtime python for a Python function)`,
    },
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
