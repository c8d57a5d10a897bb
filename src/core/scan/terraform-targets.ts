/**
 * The secrets a Terraform function is told to read, from its environment: a reference to a secret or
 * a SecureString parameter of the configuration (`aws_secretsmanager_secret.db.arn`), a variable or
 * local that holds a secret's ARN or name (`DB_SECRET_ARN = var.db_secret_arn`), or an ARN or name
 * written out. A policy fix scopes the function's reads to these and nothing else.
 */
import {PARAMETER_HANDLE, SECRET_HANDLE, STORE_NAME} from './cfn-targets.js'
import type {SecretTarget} from './narrow-policy.js'

/** `aws_secretsmanager_secret.x.arn` or `.id` (both the ARN), a data source's, or a version's `arn`. */
const SECRET_REFERENCE = /^\$\{((?:data\.)?aws_secretsmanager_secret\.[\w-]+)\.(?:arn|id)\}$|^\$\{(aws_secretsmanager_secret_version\.[\w-]+)\.arn\}$/
const PARAMETER_REFERENCE = /^\$\{((?:data\.)?aws_ssm_parameter\.[\w-]+)\.arn\}$/
const INPUT = /^\$\{((?:var|local)\.[\w-]+)\}$/

/** A name's ARN in any region and account of the partition: the configuration does not say which. */
const SECRET_ARN = (name: string) => `arn:aws:secretsmanager:*:*:secret:${name}-??????`

export function terraformTarget(variable: string, value: string): SecretTarget | undefined {
  const secret = SECRET_REFERENCE.exec(value)
  if (secret) return {store: 'secretsmanager', resource: `\${${secret[1] ?? secret[2]}.arn}`, label: secret[1] ?? secret[2]}
  const parameter = PARAMETER_REFERENCE.exec(value)
  if (parameter) return {store: 'ssm', resource: value, label: parameter[1]}

  const input = INPUT.exec(value)?.[1]
  const arn = /arn/i.test(variable) || /arn/i.test(input ?? '')
  if (input !== undefined) {
    if (SECRET_HANDLE.test(variable) || SECRET_HANDLE.test(input)) return {store: 'secretsmanager', resource: arn ? value : SECRET_ARN(value), label: `${variable} (${input})`}
    if (arn && (PARAMETER_HANDLE.test(variable) || PARAMETER_HANDLE.test(input))) return {store: 'ssm', resource: value, label: `${variable} (${input})`}
    return undefined
  }

  if (value.includes('${')) return undefined
  if (SECRET_HANDLE.test(variable)) {
    if (value.startsWith('arn:')) return {store: 'secretsmanager', resource: /-[A-Za-z0-9]{6}$/.test(value) ? value : `${value}-??????`, label: variable}
    return STORE_NAME.test(value) ? {store: 'secretsmanager', resource: SECRET_ARN(value), label: variable} : undefined
  }

  if (PARAMETER_HANDLE.test(variable) && value.startsWith('arn:')) return {store: 'ssm', resource: value, label: variable}
  return undefined
}
