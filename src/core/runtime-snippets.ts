/**
 * The code `secrets grant --runtime` prints for a function to read its secrets at run time: the one
 * set of templates, so the README's handlers are checked against them (test/docs/runtime-snippets.test.ts).
 * Pure: readings in, source text out.
 *
 * The Lambda handlers use Powertools for AWS Lambda's Parameters utility (its cache, not one written
 * by hand); an ECS task's module, the AWS SDK itself (Powertools is for Lambda). The secret's name
 * comes from the environment (configuration); its value only ever lives in a local variable: never
 * assigned to process.env / os.environ, never logged.
 */

import {codeString} from './printable.js'

export const RUNTIMES = ['nodejs', 'python'] as const
export type Runtime = (typeof RUNTIMES)[number]

/**
 * The `--runtime` a fix prints for a function whose template declares `declared` (`python3.12`,
 * `nodejs20.x`, `java21`): the snippets' own runtime, none for a runtime they do not cover (with the
 * reason), and Node.js with the Python alternative when the template does not say.
 */
export function runtimeOfDeclared(declared: string | undefined): {runtime?: Runtime; note?: string} {
  if (declared === undefined) return {runtime: 'nodejs', note: '--runtime python for a Python function'}
  const runtime = RUNTIMES.find((name) => declared.toLowerCase().startsWith(name))
  if (runtime !== undefined) return {runtime}
  return {note: `no handler is printed for ${declared}: the handlers cover Node.js and Python; read the secret at run time with the AWS SDK or the Parameters and Secrets Lambda Extension`}
}

/**
 * How the handler reads: Powertools' Parameters utility (a library, its cache in the process), or the
 * AWS Parameters and Secrets Lambda Extension (a layer: an HTTP cache on localhost, no library).
 */
export const VIAS = ['library', 'extension'] as const
export type Via = (typeof VIAS)[number]

/** The extension's settings, read from the function's environment: its port (default 2773) and its cache TTL. */
export const EXTENSION_PORT_VARIABLE = 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT'
export const EXTENSION_TTL_VARIABLE = 'SECRETS_MANAGER_TTL'
/** The extension refuses a TTL over 300 s. */
export const EXTENSION_MAX_TTL = 300

/** One secret a function reads: the variable that names it, and the fields it needs of a key/value secret. */
export interface SecretReading {
  /** The environment variable that holds the secret's name, e.g. DB_PASS_SECRET_ID. */
  variable: string
  /** The secret's short name (DB_PASS), which names the local variable. */
  name: string
  /** Fields of a key/value (JSON object) secret; empty reads the whole value as text. */
  fields: string[]
}

/** The handler module for `runtime`, with the cache age in seconds. */
export function handlerSnippet(runtime: Runtime, readings: readonly SecretReading[], maxAge: number, via: Via = 'library'): string {
  if (via === 'extension') return runtime === 'nodejs' ? nodeExtensionHandler(readings) : pythonExtensionHandler(readings)
  return runtime === 'nodejs' ? nodeHandler(readings, maxAge) : pythonHandler(readings, maxAge)
}

/** The file name the snippet is meant to be saved as. */
export function handlerFileName(runtime: Runtime): string {
  return runtime === 'nodejs' ? 'handler.mjs' : 'handler.py'
}

/**
 * The module `grant --task --runtime` prints for an ECS task: no handler, no Powertools (a Lambda
 * library); the AWS SDK reads each secret on first use with the task role's credentials, and keeps it
 * in memory for `maxAge` seconds, then reads it again, so a rotated value arrives without a restart.
 */
export function taskModuleSnippet(runtime: Runtime, readings: readonly SecretReading[], maxAge: number): string {
  return runtime === 'nodejs' ? nodeTaskModule(readings, maxAge) : pythonTaskModule(readings, maxAge)
}

/** The file name the task's module is meant to be saved as (never `secrets.py`, which would hide Python's own module). */
export function taskModuleFileName(runtime: Runtime): string {
  return runtime === 'nodejs' ? 'task-secrets.mjs' : 'task_secrets.py'
}

/** The readings the README's example handlers are built from. */
export const README_READINGS: readonly SecretReading[] = [
  {variable: 'DB_PASS_SECRET_ID', name: 'DB_PASS', fields: []},
  {variable: 'DB_SECRET_ID', name: 'DB', fields: ['username', 'password']},
]

/** The cache age the README's example handlers use. */
export const README_MAX_AGE = 300

// ------------------------------------------------------------------------------------------ Node.js

function nodeHandler(readings: readonly SecretReading[], maxAge: number): string {
  const locals = localsOf(readings, new LocalNames(camelCase, JS_RESERVED))
  const lines: string[] = []
  const returned: string[] = []
  for (const [index, reading] of readings.entries()) {
    const {local, fieldLocals} = locals[index]
    const id = `process.env.${reading.variable}`
    if (reading.fields.length === 0) {
      lines.push(`  const ${local} = await getSecret(${id}, {maxAge: MAX_AGE})`)
      returned.push(local)
      continue
    }

    // transform: 'json' parses the key/value document once; the parsed object is what is cached.
    lines.push(`  const ${local} = await getSecret(${id}, {maxAge: MAX_AGE, transform: 'json'})`)
    for (const [fieldIndex, field] of reading.fields.entries()) {
      const fieldLocal = fieldLocals[fieldIndex]
      lines.push(`  const ${fieldLocal} = ${local}${jsMember(field)}`)
      returned.push(fieldLocal)
    }
  }

  return [
    "import {getSecret} from '@aws-lambda-powertools/parameters/secrets'",
    '',
    `// Values are cached in memory for MAX_AGE seconds per execution environment (secrets grant --max-age).`,
    `const MAX_AGE = ${maxAge}`,
    '',
    ...nodeReadSecrets('within MAX_AGE, from the cache, without a call', lines, returned),
  ].join('\n')
}

/** `readSecrets` over the reads in `lines`, then the handler; `whence` says where a read within the cache age comes from. */
function nodeReadSecrets(whence: string, lines: string[], returned: string[]): string[] {
  return [
    `// Reads the secrets whose names the environment holds; ${whence}.`,
    'export async function readSecrets() {',
    ...lines,
    `  return {${returned.join(', ')}}`,
    '}',
    '',
    ...nodeHandlerTail(returned),
  ]
}

/** The handler itself, the same whichever way readSecrets reads. */
function nodeHandlerTail(returned: string[]): string[] {
  return [
    'export const handler = async (event) => {',
    '  // Local variables only: never copied to process.env, never logged.',
    `  const {${returned.join(', ')}} = await readSecrets()`,
    '  // ... use them here ...',
    '  return {statusCode: 200}',
    '}',
    '',
  ]
}

function jsMember(field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `[${codeString(field)}]`
}

// ------------------------------------------------------------------------------------------- Python

function pythonHandler(readings: readonly SecretReading[], maxAge: number): string {
  const locals = localsOf(readings, new LocalNames(snakeCase, PY_RESERVED))
  const lines: string[] = []
  const returned: string[] = []
  for (const [index, reading] of readings.entries()) {
    const {local, fieldLocals} = locals[index]
    const id = `os.environ[${codeString(reading.variable)}]`
    if (reading.fields.length === 0) {
      lines.push(`    ${local} = parameters.get_secret(${id}, max_age=MAX_AGE)`)
      returned.push(local)
      continue
    }

    lines.push(`    ${local} = parameters.get_secret(${id}, max_age=MAX_AGE, transform="json")`)
    for (const [fieldIndex, field] of reading.fields.entries()) {
      const fieldLocal = fieldLocals[fieldIndex]
      lines.push(`    ${fieldLocal} = ${local}[${codeString(field)}]`)
      returned.push(fieldLocal)
    }
  }

  return [
    'import os',
    '',
    'from aws_lambda_powertools.utilities import parameters',
    '',
    '# Values are cached in memory for MAX_AGE seconds per execution environment (secrets grant --max-age).',
    `MAX_AGE = ${maxAge}`,
    '',
    '',
    ...pythonReadSecrets('within MAX_AGE, from the cache', lines, returned),
  ].join('\n')
}

/** `read_secrets` over the reads in `lines`, then the handler; `whence` says where a read within the cache age comes from. */
function pythonReadSecrets(whence: string, lines: string[], returned: string[]): string[] {
  return [
    'def read_secrets():',
    `    """Reads the secrets whose names the environment holds; ${whence}."""`,
    ...lines,
    `    return {${returned.map((local) => `${codeString(local)}: ${local}`).join(', ')}}`,
    '',
    '',
    ...PYTHON_HANDLER_TAIL,
  ]
}

const PYTHON_HANDLER_TAIL = [
  'def handler(event, context):',
  '    # A local variable only: never copied to os.environ, never logged.',
  '    secrets = read_secrets()',
  '    # ... use secrets[...] here ...',
  '    return {"statusCode": 200}',
  '',
]

// -------------------------------------------------------------------------------- the extension

/**
 * The reads of `readSecrets` over a `getSecret(id)` that returns the secret's text: JSON parsed here
 * where fields are asked for (the extension and GetSecretValue return SecretString as stored).
 * `passed` is an argument of readSecrets handed on to each read (the task module's forceFetch).
 */
function textReads(readings: readonly SecretReading[], style: 'js' | 'py', passed?: string): {lines: string[]; returned: string[]} {
  const locals = localsOf(readings, style === 'js' ? new LocalNames(camelCase, JS_RESERVED) : new LocalNames(snakeCase, PY_RESERVED))
  const lines: string[] = []
  const returned: string[] = []
  for (const [index, reading] of readings.entries()) {
    const {local, fieldLocals} = locals[index]
    const id = style === 'js' ? `process.env.${reading.variable}` : `os.environ[${codeString(reading.variable)}]`
    const args = passed === undefined ? id : `${id}, ${passed}`
    const read = style === 'js' ? `await getSecret(${args})` : `get_secret(${args})`
    if (reading.fields.length === 0) {
      lines.push(style === 'js' ? `  const ${local} = ${read}` : `    ${local} = ${read}`)
      returned.push(local)
      continue
    }

    lines.push(style === 'js' ? `  const ${local} = JSON.parse(${read})` : `    ${local} = json.loads(${read})`)
    for (const [fieldIndex, field] of reading.fields.entries()) {
      const fieldLocal = fieldLocals[fieldIndex]
      lines.push(style === 'js' ? `  const ${fieldLocal} = ${local}${jsMember(field)}` : `    ${fieldLocal} = ${local}[${codeString(field)}]`)
      returned.push(fieldLocal)
    }
  }

  return {lines, returned}
}

function nodeExtensionHandler(readings: readonly SecretReading[]): string {
  const {lines, returned} = textReads(readings, 'js')
  return [
    `// The AWS Parameters and Secrets Lambda Extension (a layer) caches each value for ${EXTENSION_TTL_VARIABLE} seconds.`,
    `const PORT = process.env.${EXTENSION_PORT_VARIABLE} ?? '2773'`,
    '',
    "// One secret's text from the extension; its token is the function's own session token.",
    'async function getSecret(secretId) {',
    '  const response = await fetch(`http://localhost:${PORT}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {',
    "    headers: {'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN},",
    '  })',
    '  if (!response.ok) throw new Error(`The secrets extension answered ${response.status} for ${secretId}`)',
    '  return (await response.json()).SecretString',
    '}',
    '',
    ...nodeReadSecrets("within the TTL, from the extension's cache", lines, returned),
  ].join('\n')
}

function pythonExtensionHandler(readings: readonly SecretReading[]): string {
  const {lines, returned} = textReads(readings, 'py')
  return [
    'import json',
    'import os',
    'import urllib.parse',
    'import urllib.request',
    '',
    `# The AWS Parameters and Secrets Lambda Extension (a layer) caches each value for ${EXTENSION_TTL_VARIABLE} seconds.`,
    `PORT = os.environ.get("${EXTENSION_PORT_VARIABLE}", "2773")`,
    '',
    '',
    'def get_secret(secret_id):',
    `    """One secret's text from the extension; its token is the function's own session token."""`,
    '    request = urllib.request.Request(',
    `        f"http://localhost:{PORT}/secretsmanager/get?secretId={urllib.parse.quote(secret_id, safe='')}",`,
    '        headers={"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]},',
    '    )',
    '    with urllib.request.urlopen(request) as response:',
    '        return json.loads(response.read())["SecretString"]',
    '',
    '',
    ...pythonReadSecrets("within the TTL, from the extension's cache", lines, returned),
  ].join('\n')
}

// ------------------------------------------------------------------------------------- ECS tasks

function nodeTaskModule(readings: readonly SecretReading[], maxAge: number): string {
  const {lines, returned} = textReads(readings, 'js', 'forceFetch')
  return [
    "import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'",
    '',
    '// Values are cached in memory for MAX_AGE seconds, then read again (secrets grant --max-age).',
    `const MAX_AGE = ${maxAge}`,
    '// Credentials: the task role, from the container credentials endpoint ECS sets; region: AWS_REGION.',
    'const client = new SecretsManagerClient({})',
    'const cache = new Map()',
    '',
    "// One secret's text: from the cache within MAX_AGE, else from Secrets Manager; forceFetch reads again (after an authentication error).",
    'async function getSecret(secretId, forceFetch) {',
    '  const cached = cache.get(secretId)',
    '  if (!forceFetch && cached && Date.now() - cached.at < MAX_AGE * 1000) return cached.value',
    '  const {SecretString} = await client.send(new GetSecretValueCommand({SecretId: secretId}))',
    '  cache.set(secretId, {value: SecretString, at: Date.now()})',
    '  return SecretString',
    '}',
    '',
    '// Reads the secrets whose names the environment holds, on first use; within MAX_AGE, from the cache, without a call.',
    '// Call it where the values are needed and keep them in local variables: never copied to process.env, never logged.',
    'export async function readSecrets(forceFetch = false) {',
    ...lines,
    `  return {${returned.join(', ')}}`,
    '}',
    '',
  ].join('\n')
}

function pythonTaskModule(readings: readonly SecretReading[], maxAge: number): string {
  const {lines, returned} = textReads(readings, 'py', 'force_fetch')
  return [
    'import json',
    'import os',
    'import time',
    '',
    'import boto3',
    '',
    '# Values are cached in memory for MAX_AGE seconds, then read again (secrets grant --max-age).',
    `MAX_AGE = ${maxAge}`,
    '_cache = {}',
    '_client = None',
    '',
    '',
    'def get_secret(secret_id, force_fetch=False):',
    `    """One secret's text: from the cache within MAX_AGE, else from Secrets Manager; force_fetch reads again (after an authentication error)."""`,
    '    global _client',
    '    cached = _cache.get(secret_id)',
    '    if not force_fetch and cached is not None and time.monotonic() - cached[1] < MAX_AGE:',
    '        return cached[0]',
    '    if _client is None:',
    '        # Credentials: the task role, from the container credentials endpoint ECS sets; region: AWS_DEFAULT_REGION.',
    '        _client = boto3.client("secretsmanager")',
    '    value = _client.get_secret_value(SecretId=secret_id)["SecretString"]',
    '    _cache[secret_id] = (value, time.monotonic())',
    '    return value',
    '',
    '',
    'def read_secrets(force_fetch=False):',
    '    """Reads the secrets whose names the environment holds, on first use; within MAX_AGE, from the cache.',
    '',
    '    Call it where the values are needed and keep them in local variables: never copied to os.environ, never logged.',
    '    """',
    ...lines,
    `    return {${returned.map((local) => `${codeString(local)}: ${local}`).join(', ')}}`,
    '',
  ].join('\n')
}

// -------------------------------------------------------------------------------------- local names

const JS_RESERVED = new Set(
  'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield getSecret readSecrets handler event MAX_AGE PORT fetch client cache forceFetch GetSecretValueCommand SecretsManagerClient'.split(' '),
)
const PY_RESERVED = new Set(
  'json urllib get_secret PORT False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield os parameters read_secrets handler event context secrets MAX_AGE time boto3 force_fetch'.split(' '),
)

function words(text: string): string[] {
  return text
    .replaceAll(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase())
}

function camelCase(text: string): string {
  return words(text)
    .map((word, i) => (i === 0 ? word : word[0].toUpperCase() + word.slice(1)))
    .join('')
}

function snakeCase(text: string): string {
  return words(text).join('_')
}

/**
 * Each reading's local and its fields' locals: a whole secret is named after the secret (`DB_PASSWORD`
 * -> `dbPassword`), a field after its secret and itself (`DB:password` -> `dbPassword`). Where a field
 * would take a whole secret's name, the field's says what it is (`dbPasswordField`), so neither reads
 * as a numbered copy of the other.
 */
function localsOf(readings: readonly SecretReading[], names: LocalNames): {local: string; fieldLocals: string[]}[] {
  const wholeSecrets = new Set(readings.map((reading) => names.styled(reading.name)))
  const locals = readings.map((reading) => ({local: names.take(reading.name), fieldLocals: [] as string[]}))
  for (const [index, reading] of readings.entries()) {
    for (const field of reading.fields) {
      const local = `${reading.name}_${field}`
      locals[index].fieldLocals.push(names.take(wholeSecrets.has(names.styled(local)) ? `${local}_field` : local))
    }
  }

  return locals
}

/** Identifiers for the locals, unique within one handler, never a keyword or a name the template uses. */
class LocalNames {
  private readonly used = new Set<string>()

  constructor(
    private readonly style: (text: string) => string,
    private readonly reserved: ReadonlySet<string>,
  ) {}

  /** The identifier `text` would get, before telling it apart from those already taken. */
  styled(text: string): string {
    const base = this.style(text) || 'secret'
    return /^\d/.test(base) || this.reserved.has(base) ? this.style(`secret_${base}`) : base
  }

  take(text: string): string {
    const base = this.styled(text)
    let name = base
    for (let i = 2; this.used.has(name); i++) name = `${base}${i}`
    this.used.add(name)
    return name
  }
}
