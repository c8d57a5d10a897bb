/**
 * The secrets a live function or task definition demonstrably reads, from its environment: a
 * variable whose value is a secret's or a parameter's ARN, or a `*_SECRET_ARN/ID/NAME` (or
 * `*_PARAMETER_NAME`) variable whose value is a name. A role's narrowed policy reads these and
 * nothing else. Pure: names and ARNs only, never a value that may be a secret.
 */
import type {SecretStore} from './iam.js'

/** A secret a workload reads, as an ARN pattern a policy can name (`...:secret:NAME-??????` when only the name is known). */
export interface WorkloadTarget {
  store: SecretStore
  resource: string
  /** Where it was read, for the fix's words: `DB_SECRET_ARN of function billing-api`. */
  label: string
}

/** Where a name is turned into an ARN: the workload's partition, region and account, `*` where not known. */
export interface ArnContext {
  partition: string
  region: string
  account: string
}

/** A variable that holds a secret's ARN, id or name, not its value (scan reads templates by the same rule). */
const SECRET_HANDLE = /secrets?_?(arn|id|name)s?$/i
/** A variable that holds a Parameter Store name. */
const PARAMETER_HANDLE = /(param|parameter)_?(name|path|arn)?$/i
/** The characters Secrets Manager and Parameter Store allow in a name: anything else is not one. */
const STORE_NAME = /^[\w/+=.@-]+$/
/** `arn:aws:secretsmanager:us-east-1:123456789012:secret:NAME[-AbCdEf]` and `arn:aws:ssm:...:parameter/NAME`. */
const STORE_ARN = /^arn:[\w-]+:(secretsmanager|ssm):[\w-]*:\d*:(secret:|parameter\/?)(.+)$/
/** The six characters Secrets Manager appends to a secret's name in its ARN. */
const ARN_SUFFIX = /-[A-Za-z0-9]{6}$/

/** The partition, region and account an ARN (a function's, a role's) gives; `*` for what it does not say. */
export function arnContext(arn: string | undefined): ArnContext {
  const [prefix, partition, , region, account] = (arn ?? '').split(':')
  const known = (part: string | undefined) => (part === undefined || part === '' ? '*' : part)
  return prefix === 'arn' ? {partition: known(partition), region: known(region), account: known(account)} : {partition: 'aws', region: '*', account: '*'}
}

/** The targets one environment names, each once, sorted by variable. */
export function environmentTargets(variables: Readonly<Record<string, string>>, where: ArnContext, owner: string): WorkloadTarget[] {
  const out = new Map<string, WorkloadTarget>()
  for (const [variable, raw] of Object.entries(variables).sort(([a], [b]) => a.localeCompare(b))) {
    const target = targetOf(variable, raw.trim(), where)
    if (target && !out.has(target.resource)) out.set(target.resource, {...target, label: `${variable} of ${owner}`})
  }

  return [...out.values()]
}

function targetOf(variable: string, value: string, {partition, region, account}: ArnContext): Omit<WorkloadTarget, 'label'> | undefined {
  const arn = STORE_ARN.exec(value)
  if (arn) {
    const [, service, , name] = arn
    if (!STORE_NAME.test(name)) return undefined
    if (service === 'ssm') return {store: 'ssm', resource: value}
    // A partial ARN (no suffix) reads the secret under any suffix.
    return {store: 'secretsmanager', resource: ARN_SUFFIX.test(name) ? value : `${value}-??????`}
  }

  if (value.startsWith('arn:') || !STORE_NAME.test(value)) return undefined
  if (SECRET_HANDLE.test(variable)) return {store: 'secretsmanager', resource: `arn:${partition}:secretsmanager:${region}:${account}:secret:${value}-??????`}
  // A parameter's ARN drops the `/` that opens its name: `/app/x` is `parameter/app/x`.
  if (PARAMETER_HANDLE.test(variable)) return {store: 'ssm', resource: `arn:${partition}:ssm:${region}:${account}:parameter/${value.replace(/^\//, '')}`}
  return undefined
}
