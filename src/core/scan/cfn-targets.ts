/**
 * The secrets a CloudFormation template tells a function to read, from what it passes the function:
 * a `!Ref` of a secret the stack makes, a `!GetAtt` of a secret's ARN (an EventBridge connection's, a
 * database's managed master secret), a parameter or variable that names a secret's ARN or name, and
 * the secret a dynamic reference resolves. A policy fix scopes the reads to these and to nothing else.
 */
import type {Node} from 'yaml'

import type {SecretStore} from '../audit/iam.js'
import {cfnEnvValue, type EnvValue, storedName} from './entries.js'
import type {SecretTarget} from './narrow-policy.js'
import {cfnJson, intrinsicCall, literalText, nodeValue, type Tree} from './tree.js'

/** A variable or parameter that holds a secret's ARN, id or name, not its value. */
export const SECRET_HANDLE = /secrets?_?(arn|id|name)s?$/i
/** A variable or parameter that holds a Parameter Store name. */
export const PARAMETER_HANDLE = /(param|parameter)_?(name|path|arn)?$/i
/** The characters Secrets Manager and Parameter Store allow in a name: anything else is not one. */
export const STORE_NAME = /^[\w/+=.@-]+$/

const SECRET_ARN = (name: string) => `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${name}-??????`
const PARAMETER_ARN = (name: string) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name.replace(/^\//, '')}`

/** What the template knows of a `Ref` target: its resource type, or that it is a parameter read as a value. */
export interface TargetContext {
  types: ReadonlyMap<string, string>
  /** Parameters whose value is a secret itself (NoEcho, or read from Parameter Store): not a name. */
  valueParameters: ReadonlySet<string>
  parameters: ReadonlySet<string>
  /** Literal defaults, to tell a parameter name with a leading `/` from one without. */
  defaults: ReadonlyMap<string, string>
}

/** The secret one environment variable points the function to, if it points to one. */
export function targetOfVariable(tree: Tree, context: TargetContext, variable: string, node: Node | undefined): SecretTarget | undefined {
  const value = nodeValue(tree, node)
  if (value.kind === 'other') return undefined
  const resolved = cfnEnvValue(value)
  const named = resolved.kind === 'resolved' ? resolvedTarget(resolved, variable) : undefined
  if (named) return named

  const call = intrinsicCall(tree, node)
  if (call?.fn === 'Ref') {
    const id = literalText(tree, call.arg, call.bare)
    if (id === undefined) return undefined
    if (context.types.get(id) === 'AWS::SecretsManager::Secret') return {store: 'secretsmanager', resource: {Ref: id}, label: `!Ref ${id}`}
    if (!context.parameters.has(id) || context.valueParameters.has(id)) return undefined
    if (SECRET_HANDLE.test(variable) || SECRET_HANDLE.test(id)) {
      const arn = /arn/i.test(variable) || /arn/i.test(id)
      return {store: 'secretsmanager', resource: arn ? {Ref: id} : {'Fn::Sub': SECRET_ARN(`\${${id}}`)}, label: `!Ref ${id}`}
    }

    if (PARAMETER_HANDLE.test(variable) || PARAMETER_HANDLE.test(id)) {
      if (/arn/i.test(variable) || /arn/i.test(id)) return {store: 'ssm', resource: {Ref: id}, label: `!Ref ${id}`}
      // A parameter's ARN drops the `/` that opens its name: `/app/x` is `parameter/app/x`.
      const slash = context.defaults.get(id)?.startsWith('/') ? '' : '/'
      return {store: 'ssm', resource: {'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${slash}\${${id}}`}, label: `!Ref ${id}`}
    }

    return undefined
  }

  if (call?.fn === 'Fn::GetAtt') {
    const written = cfnJson(tree, node) as {'Fn::GetAtt'?: unknown[]}
    const attribute = (written['Fn::GetAtt'] ?? []).slice(1).join('.')
    if (/SecretArn$/.test(attribute)) return {store: 'secretsmanager', resource: written, label: `!GetAtt ${(written['Fn::GetAtt'] ?? []).join('.')}`}
    return undefined
  }

  // A name or ARN written out, or built with !Sub.
  const sub = call?.fn === 'Fn::Sub' && value.kind === 'intrinsic' ? value.text : undefined
  const text = value.kind === 'literal' ? value.text : sub
  if (text === undefined || text.includes('${}')) return undefined
  const wrap = (arn: string) => (sub === undefined && !arn.includes('${') ? arn : {'Fn::Sub': arn})
  if (SECRET_HANDLE.test(variable)) {
    if (text.startsWith('arn:')) return {store: 'secretsmanager', resource: wrap(/-[A-Za-z0-9]{6}$/.test(text) ? text : `${text}-??????`), label: variable}
    if (!STORE_NAME.test(text.replaceAll(/\$\{[\w:.]+\}/g, 'x'))) return undefined
    return {store: 'secretsmanager', resource: {'Fn::Sub': SECRET_ARN(text)}, label: variable}
  }

  if (PARAMETER_HANDLE.test(variable)) {
    if (text.startsWith('arn:')) return {store: 'ssm', resource: wrap(text), label: variable}
    if (!STORE_NAME.test(text.replaceAll(/\$\{[\w:.]+\}/g, 'x'))) return undefined
    return {store: 'ssm', resource: {'Fn::Sub': PARAMETER_ARN(text)}, label: variable}
  }

  return undefined
}

/**
 * The secret a value resolved at deploy names (a dynamic reference, Serverless's `${ssm:/aws/reference/secretsmanager/...}`):
 * once the function reads it at run time instead, the one secret it reads.
 */
export function resolvedTarget(resolved: Extract<EnvValue, {kind: 'resolved'}>, variable: string): SecretTarget | undefined {
  if (resolved.source !== 'secretsmanager' && resolved.source !== 'ssm-secure') return undefined
  const name = storedName(resolved.source, resolved.path)
  const store: SecretStore = resolved.source === 'secretsmanager' ? 'secretsmanager' : 'ssm'
  if (!STORE_NAME.test(name.replace(/^arn:[^:]*:[^:]*:[^:]*:[^:]*:(secret:|parameter)/, ''))) return undefined
  return {store, resource: {'Fn::Sub': store === 'ssm' ? PARAMETER_ARN(name) : SECRET_ARN(name)}, label: `${variable} (${resolved.source} ${name})`}
}

/** The access configurations whose URI is a secret (the others name a subnet, a security group, a virtual host). */
const SECRET_ACCESS_TYPES = new Set(['BASIC_AUTH', 'SASL_SCRAM_256_AUTH', 'SASL_SCRAM_512_AUTH', 'CLIENT_CERTIFICATE_TLS_AUTH', 'SERVER_ROOT_CA_CERTIFICATE'])

/**
 * The secrets an event source reads for the function (Amazon MQ, Kafka, DocumentDB): its
 * `SourceAccessConfigurations` of an authentication type, whose `URI` is a secret's ARN. Lambda reads
 * them with the function's role, so the role's narrowed reads must keep them.
 */
export function eventSourceTargets(tree: Tree, configurations: Node | undefined): SecretTarget[] {
  const out: SecretTarget[] = []
  for (const item of tree.items(configurations)) {
    const type = literalText(tree, tree.get(item, 'Type'))
    if (type === undefined || !SECRET_ACCESS_TYPES.has(type)) continue
    const uri = tree.get(item, 'URI')
    const written = cfnJson(tree, uri)
    // A literal that is not an ARN is a placeholder (`<your_secret_arn>`), not a secret to scope to.
    if (written === null || (typeof written === 'string' && !written.startsWith('arn:'))) continue
    const text = nodeValue(tree, uri)
    out.push({store: 'secretsmanager', resource: written, label: `the ${type} secret of its event source (${text.kind === 'other' ? 'URI' : text.text})`})
  }

  return out
}

/** A statement's `Resource` entries that name one secret by reference (`!Ref`, `!GetAtt`): already what the function reads. */
export function referencedResources(written: Record<string, unknown> | undefined, store: SecretStore): SecretTarget[] {
  const out: SecretTarget[] = []
  for (const item of Array.isArray(written?.Resource) ? written.Resource : written?.Resource === undefined ? [] : [written.Resource]) {
    if (typeof item !== 'object' || item === null) continue
    const [fn, arg] = Object.entries(item)[0] ?? []
    if (fn === 'Ref') out.push({store, resource: item, label: `!Ref ${String(arg)}`})
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) out.push({store, resource: item, label: `!GetAtt ${arg.join('.')}`})
  }

  return out
}
