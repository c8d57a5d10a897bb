/**
 * Turns what the collectors read from AWS into findings. Pure: every input is plain data, and the
 * secretlint scanner is passed in.
 */
import {finding, type Finding} from './findings.js'
import {ecsTaskDefinitionFix, grantRuntime, guessScopeFromWorkload, lambdaFunctionFix, quoteArg, secretNameFor, ssmParameterFix} from './fixes.js'
import {classifyVariables, type SecretScanner, type VariableVerdict} from './variables.js'
import {looksLikeSecretName} from './names.js'

export interface LambdaFunctionInput {
  name: string
  variables: Record<string, string>
  /** The runtime as Lambda names it (python3.12, nodejs20.x, java21); absent for a function packaged as a container image. */
  runtime?: string
}

export interface TaskDefinitionInput {
  family: string
  revision: number
  /** The task role (what the containers' code runs as), when the definition has one. */
  taskRoleArn?: string
  containers: Array<{name: string; environment: Array<{name?: string; value?: string}>}>
}

export interface ParameterInput {
  name: string
  type: 'String' | 'StringList' | 'SecureString' | string
  /** Only read for String and StringList; a SecureString is a finding whatever it holds. */
  value?: string
}

const VERDICT_RULES = {'secret-value': 'env-secret-value', 'secret-name': 'env-secret-name', 'secret-slot': 'env-secret-slot'} as const

/** A secret is in the value (a slot only says where one will go): what `migrate` moves. */
export function holdsSecret(verdict: VariableVerdict): boolean {
  return verdict.kind === 'secret-value' || verdict.kind === 'secret-name'
}

/** A slot's fix: store the real secret (typed at the prompt), grant it, and take the variable out. */
function slotFix(workload: string, variable: string, runtime?: string): string {
  const {env, service} = guessScopeFromWorkload(workload)
  const name = secretNameFor(variable)
  const {flag, note} = grantRuntime(runtime)
  // A runtime the handlers do not cover says so; an unknown one (a task definition) keeps the slot's comment as it was.
  const why = runtime !== undefined && note !== undefined ? `; ${note}` : ''
  return `secrets set ${env}/${service} ${quoteArg(name)} && secrets grant ${env}/${service} --function ${quoteArg(workload)} --secret ${quoteArg(name)}${flag}  # this is built to carry a secret in an environment variable: pass the secret's name instead; remove ${variable} from ${workload}'s environment${why}`
}

export async function inspectLambdaFunction(fn: LambdaFunctionInput, scan: SecretScanner): Promise<Finding[]> {
  const entries = Object.entries(fn.variables)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({name, value}))
  const verdicts = await classifyVariables(entries, scan)
  // One fix for all of the function's secrets: migrate them together, grant them together. A slot
  // holds no secret to migrate: its fix stores the real one.
  const fix = lambdaFunctionFix(fn.name, entries.filter((_, index) => holdsSecret(verdicts[index])).map(({name}) => name), fn.runtime)
  const findings: Finding[] = []
  for (const [index, verdict] of verdicts.entries()) {
    if (verdict.kind === 'clean') continue
    const variable = entries[index].name
    findings.push(
      finding(VERDICT_RULES[verdict.kind], {
        resourceType: 'lambda-function',
        resource: fn.name,
        item: variable,
        detail: verdict.detail,
        fix: verdict.kind === 'secret-slot' ? slotFix(fn.name, variable, fn.runtime) : fix,
      }),
    )
  }

  return findings
}

/** Only `environment` entries are judged: `secrets` entries (valueFrom) are references by construction. */
export async function inspectTaskDefinition(definition: TaskDefinitionInput, scan: SecretScanner): Promise<Finding[]> {
  const entries = definition.containers.flatMap((container) =>
    container.environment
      .filter((entry) => entry.name !== undefined)
      .map((entry) => ({container: container.name, name: entry.name!, value: entry.value ?? ''})),
  )
  const verdicts = await classifyVariables(entries, scan)
  // One fix for every container's secrets: migrate the family's latest revision, grant them together.
  const fix = ecsTaskDefinitionFix(definition.family, entries.filter((_, index) => holdsSecret(verdicts[index])).map(({name}) => name))
  const findings: Finding[] = []
  for (const [index, verdict] of verdicts.entries()) {
    if (verdict.kind === 'clean') continue
    const {container, name} = entries[index]
    findings.push(
      finding(VERDICT_RULES[verdict.kind], {
        resourceType: 'ecs-task-definition',
        resource: `${definition.family}:${definition.revision}`,
        item: `${container}/${name}`,
        detail: verdict.detail,
        fix: verdict.kind === 'secret-slot' ? slotFix(definition.family, name) : fix,
      }),
    )
  }

  return findings
}

/**
 * True when a parameter's value must be read to judge it: String and StringList (a secret-sounding name
 * may still hold a reference). A SecureString is never read, let alone decrypted.
 */
export function parameterNeedsValue(parameter: Pick<ParameterInput, 'type'>): boolean {
  return parameter.type !== 'SecureString'
}

/** Parameters judged per secretlint run; values are up to 8 KB (Advanced tier: 8 KB) each. */
const PARAMETERS_PER_SCAN = 100

/**
 * Why a parameter is or is not a secret, by the audit's rules: what `secrets audit` reports and what
 * `secrets migrate --secrets-only` moves are decided by this one function.
 */
export type ParameterVerdict =
  | {secret: true; rule: 'ssm-secure-string' | 'ssm-plaintext-secret'; detail: string}
  | {secret: false; detail: string}

/** Words for why a value is not a secret (BenignReason and the rest), for plans and reports. */
const CLEAN_DETAILS: Record<string, string> = {
  empty: 'the value is empty',
  boolean: 'the value is a flag (true/false, on/off, ...)',
  number: 'the value is a short number (a setting)',
  'too-short': 'the value is too short to be a credential',
  arn: 'the value is an ARN (a reference)',
  'dynamic-reference': 'the value is a {{resolve:...}} reference',
  'secret-name': 'the value is a secret or parameter name (a reference)',
  'url-without-credentials': 'the value is a URL without credentials',
  placeholder: 'the value is a placeholder',
  'not-secret-looking': 'neither the name nor the value looks like a secret',
}

/** The words for a verdict of `classifyVariables`: why it is a secret, or why not. */
export function describeVerdict(verdict: VariableVerdict): string {
  return verdict.kind === 'clean' ? (CLEAN_DETAILS[verdict.reason] ?? verdict.reason) : verdict.detail
}

/**
 * SecureString: a secret, whatever it holds (it belongs in Secrets Manager). String and StringList:
 * a secret when the name (its last path segment) or the value says so, unless the value is a
 * reference. When a value could not be read (GetParameters denied), a secret-sounding name decides.
 */
export async function judgeParameters(parameters: readonly ParameterInput[], scan: SecretScanner): Promise<ParameterVerdict[]> {
  const withValues = parameters.filter((parameter) => parameter.type !== 'SecureString' && parameter.value !== undefined)
  const verdicts = new Map<ParameterInput, VariableVerdict>()
  for (let index = 0; index < withValues.length; index += PARAMETERS_PER_SCAN) {
    const chunk = withValues.slice(index, index + PARAMETERS_PER_SCAN)
    const judged = await classifyVariables(
      chunk.map((parameter) => ({name: lastSegment(parameter.name), value: parameter.value!})),
      scan,
    )
    for (const [at, verdict] of judged.entries()) verdicts.set(chunk[at], verdict)
  }

  return parameters.map((parameter): ParameterVerdict => {
    if (parameter.type === 'SecureString') {
      return {secret: true, rule: 'ssm-secure-string', detail: 'SecureString parameter: Secrets Manager scales for run-time reads and rotates'}
    }

    const verdict =
      verdicts.get(parameter) ??
      (looksLikeSecretName(lastSegment(parameter.name))
        ? {kind: 'secret-name' as const, word: '', detail: `${parameter.type} parameter whose name says secret (its value was not read)`}
        : {kind: 'clean' as const, reason: 'not-secret-looking' as const})
    // A placeholder in a parameter is no secret to move (a slot is an environment variable's matter).
    if (verdict.kind === 'secret-slot') return {secret: false, detail: CLEAN_DETAILS.placeholder}
    if (verdict.kind === 'clean') return {secret: false, detail: describeVerdict(verdict)}
    return {secret: true, rule: 'ssm-plaintext-secret', detail: `unencrypted ${parameter.type}: ${verdict.detail}`}
  })
}

/** One finding per parameter that `judgeParameters` calls a secret; SecureString medium, the rest high. */
export async function inspectParameters(parameters: readonly ParameterInput[], scan: SecretScanner): Promise<Finding[]> {
  const verdicts = await judgeParameters(parameters, scan)
  const findings: Finding[] = []
  for (const [index, parameter] of parameters.entries()) {
    const verdict = verdicts[index]
    if (!verdict.secret) continue
    findings.push(
      finding(verdict.rule, {
        resourceType: 'ssm-parameter',
        resource: parameter.name,
        item: parameter.name,
        detail: verdict.detail,
        fix: ssmParameterFix(parameter.name),
      }),
    )
  }

  return findings
}

/** One parameter; see `inspectParameters`. */
export async function inspectParameter(parameter: ParameterInput, scan: SecretScanner): Promise<Finding | undefined> {
  const [found] = await inspectParameters([parameter], scan)
  return found
}

function lastSegment(name: string): string {
  return name.split('/').filter(Boolean).at(-1) ?? name
}
