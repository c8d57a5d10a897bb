/**
 * Which Terraform expressions put a secret into an environment when Terraform applies: a Secrets
 * Manager secret or SecureString parameter its data sources read, a variable declared `sensitive`, a
 * resource attribute that is a secret (a database password, a generated password, an access key's
 * secret), directly, inside a string, or through a `local`. Every other reference (an ARN, a name, an
 * id, a variable nobody marked sensitive) says where a secret is, not what it is.
 */
import {looksLikeSecretName} from '../audit/names.js'
import type {EnvValue} from './entries.js'

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
type Block = Record<string, Json>
type Group = Record<string, Record<string, Json>>

/**
 * Resource attributes that hold a secret, as the providers' documentation describes them (each is
 * marked sensitive): the password a database is created with, a generated password or key, an access
 * key's secret and its SES SMTP password, an API key, a client secret.
 */
const SECRET_ATTRIBUTES: Record<string, readonly string[]> = {
  aws_db_instance: ['password'],
  aws_rds_cluster: ['master_password'],
  aws_docdb_cluster: ['master_password'],
  aws_redshift_cluster: ['master_password'],
  aws_elasticache_replication_group: ['auth_token'],
  aws_iam_access_key: ['secret', 'ses_smtp_password_v4'],
  aws_iam_user_login_profile: ['password'],
  aws_cognito_user_pool_client: ['client_secret'],
  aws_api_gateway_api_key: ['value'],
  aws_appsync_api_key: ['key'],
  random_password: ['result'],
  tls_private_key: ['private_key_pem', 'private_key_pem_pkcs8', 'private_key_openssh'],
}

/** Functions whose result says nothing of the secret they are given (its length, a hash of it). */
const NOT_THE_VALUE = /\b(?:length|md5|sha1|sha256|sha512|base64sha256|base64sha512|bcrypt)\([^()]*\)/g

/** `name.label` then an optional index (`[0]`, `["a"]`), as references are written; not after a `.` or a word. */
const ADDRESS = String.raw`(?<![\w.])`
const LABEL = String.raw`([A-Za-z_][\w-]*)(?:\[[^\]]*\])?`

const blocks = (value: Json | undefined): Block[] =>
  Array.isArray(value) ? value.filter((item): item is Block => typeof item === 'object' && item !== null && !Array.isArray(item)) : []
const text = (value: Json | undefined): string | undefined => (typeof value === 'string' ? value : undefined)
/** A string with no `${...}` in it, the only kind whose text is known before apply. */
const literal = (value: Json | undefined): string | undefined => {
  const found = text(value)
  return found === undefined || found.includes('${') ? undefined : found
}

type Resolved = Extract<EnvValue, {kind: 'resolved'}>

/** What a file declares that decides whether a reference is a secret. */
export class TerraformSecrets {
  private readonly sensitive = new Set<string>()
  private readonly locals = new Map<string, string>()
  private readonly resources: Group
  private readonly data: Group

  constructor(parsed: Record<string, Json>) {
    this.resources = (parsed.resource ?? {}) as Group
    this.data = (parsed.data ?? {}) as Group
    for (const [name, body] of Object.entries((parsed.variable ?? {}) as Group)) {
      if (blocks(body).some((block) => block.sensitive === true || block.sensitive === 'true')) this.sensitive.add(name)
    }

    for (const block of blocks(parsed.locals)) {
      for (const [name, value] of Object.entries(block)) if (typeof value === 'string') this.locals.set(name, value)
    }
  }

  /** The secret an expression (`${...}`, or a string with some inside) carries, for the variable `variable`; undefined when none. */
  secretIn(expression: string, variable: string, seen = new Set<string>()): Resolved | undefined {
    const code = expression.replaceAll(NOT_THE_VALUE, '')
    return this.storeRead(code) ?? this.sensitiveVariable(code) ?? this.secretAttribute(code, variable) ?? this.throughLocal(code, variable, seen) ?? this.anyVariable(code)
  }

  /** A Secrets Manager secret or an SSM parameter, read by a data source or written by a resource of this file. */
  private storeRead(code: string): Resolved | undefined {
    const secret = new RegExp(`${ADDRESS}(data\\.)?aws_secretsmanager_secret_version\\.${LABEL}\\.secret_(?:string|binary)\\b`).exec(code)
    if (secret) {
      const block = this.block(secret[1] ? this.data : this.resources, 'aws_secretsmanager_secret_version', secret[2])
      return {kind: 'resolved', source: 'terraform-secret', path: this.secretName(block?.secret_id) ?? '', reference: secret[0]}
    }

    for (const match of code.matchAll(new RegExp(`${ADDRESS}(data\\.)?aws_ssm_parameter\\.${LABEL}\\.value\\b`, 'g'))) {
      const found = match[1] ? this.parameterRead(match[2]) : this.parameterCreated(match[2])
      if (found) return {...found, reference: match[0]}
    }

    return undefined
  }

  /**
   * A parameter a data source reads. Terraform decrypts a SecureString unless `with_decryption = false`,
   * but the file says the type only when it creates the parameter too: then a SecureString is reported
   * whatever its name. Otherwise it may be a String, and the names decide (the variable's or the
   * parameter's), as they do for a Serverless `${ssm:...}`.
   */
  private parameterRead(label: string): Omit<Resolved, 'reference'> | undefined {
    const block = this.block(this.data, 'aws_ssm_parameter', label)
    // Read without decryption, a SecureString arrives as ciphertext.
    if (block?.with_decryption === false || block?.with_decryption === 'false') return undefined
    const name = text(block?.name)
    const created = name === undefined ? undefined : this.createdParameter(name)
    if (created) return this.parameterCreated(created)
    return {kind: 'resolved', source: 'terraform-ssm', path: literal(name) ?? ''}
  }

  private parameterCreated(label: string): Omit<Resolved, 'reference'> | undefined {
    const block = this.block(this.resources, 'aws_ssm_parameter', label)
    const path = literal(block?.name) ?? ''
    return {kind: 'resolved', source: text(block?.type) === 'SecureString' ? 'terraform-ssm-secure' : 'terraform-ssm', path}
  }

  /** The `aws_ssm_parameter` resource a data source's name points at: by reference, or by the same literal name. */
  private createdParameter(name: string): string | undefined {
    const reference = /^\$\{aws_ssm_parameter\.([\w-]+)\.name\}$/.exec(name)
    if (reference) return reference[1]
    return Object.entries(this.resources.aws_ssm_parameter ?? {}).find(([, body]) => blocks(body).some((block) => literal(block.name) === name))?.[0]
  }

  /** A secret's name or ARN: written out, or the literal name of the `aws_secretsmanager_secret` it refers to. */
  private secretName(secretId: Json | undefined): string | undefined {
    const written = literal(secretId)
    if (written !== undefined) return written
    const reference = /^\$\{(data\.)?aws_secretsmanager_secret\.([\w-]+)\.(?:id|arn|name)\}$/.exec(text(secretId) ?? '')
    return reference ? literal(this.block(reference[1] ? this.data : this.resources, 'aws_secretsmanager_secret', reference[2])?.name) : undefined
  }

  /**
   * Any other input variable: its value too is written into the configuration when Terraform applies,
   * and it is often declared in another file of the module (variables.tf) this file does not show. It is
   * reported only when it or the variable it fills is named like a secret, as a deploying shell's is.
   */
  private anyVariable(code: string): Resolved | undefined {
    const match = new RegExp(`${ADDRESS}var\\.([\\w-]+)`).exec(code)
    return match ? {kind: 'resolved', source: 'terraform-variable', path: match[1], reference: match[0]} : undefined
  }

  private sensitiveVariable(code: string): Resolved | undefined {
    for (const match of code.matchAll(new RegExp(`${ADDRESS}var\\.([\\w-]+)`, 'g'))) {
      if (this.sensitive.has(match[1])) return {kind: 'resolved', source: 'terraform-sensitive', path: '', reference: match[0]}
    }

    return undefined
  }

  /**
   * A resource attribute that is a secret. `random_string` makes suffixes and identifiers as often as
   * secrets: its result counts when the resource or the variable is named like a secret.
   */
  private secretAttribute(code: string, variable: string): Resolved | undefined {
    for (const match of code.matchAll(new RegExp(`${ADDRESS}([a-z][a-z0-9_]*)\\.${LABEL}\\.([a-z][a-z0-9_]*)\\b`, 'g'))) {
      const [reference, type, label, attribute] = match
      const secret =
        SECRET_ATTRIBUTES[type]?.includes(attribute) ||
        (type === 'random_string' && attribute === 'result' && (looksLikeSecretName(label) || looksLikeSecretName(variable)))
      if (secret) return {kind: 'resolved', source: 'terraform-attribute', path: '', reference}
    }

    return undefined
  }

  /** A `local` whose value is one of the above (followed once per name, so a cycle ends). */
  private throughLocal(code: string, variable: string, seen: Set<string>): Resolved | undefined {
    for (const match of code.matchAll(new RegExp(`${ADDRESS}local\\.([\\w-]+)`, 'g'))) {
      const value = this.locals.get(match[1])
      if (value === undefined || seen.has(match[1])) continue
      seen.add(match[1])
      const found = this.secretIn(value, variable, seen)
      if (found) return {...found, reference: `${match[0]}, from ${found.reference}`}
    }

    return undefined
  }

  private block(group: Group, type: string, label: string): Block | undefined {
    return blocks(group[type]?.[label])[0]
  }
}
