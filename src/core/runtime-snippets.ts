/**
 * The code `secrets grant --runtime` prints for a function to read its secrets at run time: the one
 * set of templates, so the README's handlers are checked against them (test/docs/runtime-snippets.test.ts).
 * Pure: readings in, source text out.
 *
 * Both use Powertools for AWS Lambda's Parameters utility (its cache, not one written by hand). The
 * secret's name comes from the function's environment (configuration); its value only ever lives
 * in a local variable of the handler: never assigned to process.env / os.environ, never logged.
 */

export const RUNTIMES = ['nodejs', 'python'] as const
export type Runtime = (typeof RUNTIMES)[number]

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
export function handlerSnippet(runtime: Runtime, readings: readonly SecretReading[], maxAge: number): string {
  return runtime === 'nodejs' ? nodeHandler(readings, maxAge) : pythonHandler(readings, maxAge)
}

/** The file name the snippet is meant to be saved as. */
export function handlerFileName(runtime: Runtime): string {
  return runtime === 'nodejs' ? 'handler.mjs' : 'handler.py'
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
  const names = new LocalNames(camelCase, JS_RESERVED)
  const lines: string[] = []
  const returned: string[] = []
  for (const reading of readings) {
    const local = names.take(reading.name)
    const id = `process.env.${reading.variable}`
    if (reading.fields.length === 0) {
      lines.push(`  const ${local} = await getSecret(${id}, {maxAge: MAX_AGE})`)
      returned.push(local)
      continue
    }

    // transform: 'json' parses the key/value document once; the parsed object is what is cached.
    lines.push(`  const ${local} = await getSecret(${id}, {maxAge: MAX_AGE, transform: 'json'})`)
    for (const field of reading.fields) {
      const fieldLocal = names.take(`${reading.name}_${field}`)
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
    '// Reads the secrets whose names the environment holds; within MAX_AGE, from the cache, without a call.',
    'export async function readSecrets() {',
    ...lines,
    `  return {${returned.join(', ')}}`,
    '}',
    '',
    'export const handler = async (event) => {',
    '  // Local variables only: never copied to process.env, never logged.',
    `  const {${returned.join(', ')}} = await readSecrets()`,
    '  // ... use them here ...',
    '  return {statusCode: 200}',
    '}',
    '',
  ].join('\n')
}

function jsMember(field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `[${JSON.stringify(field)}]`
}

// ------------------------------------------------------------------------------------------- Python

function pythonHandler(readings: readonly SecretReading[], maxAge: number): string {
  const names = new LocalNames(snakeCase, PY_RESERVED)
  const lines: string[] = []
  const returned: string[] = []
  for (const reading of readings) {
    const local = names.take(reading.name)
    const id = `os.environ[${JSON.stringify(reading.variable)}]`
    if (reading.fields.length === 0) {
      lines.push(`    ${local} = parameters.get_secret(${id}, max_age=MAX_AGE)`)
      returned.push(local)
      continue
    }

    lines.push(`    ${local} = parameters.get_secret(${id}, max_age=MAX_AGE, transform="json")`)
    for (const field of reading.fields) {
      const fieldLocal = names.take(`${reading.name}_${field}`)
      lines.push(`    ${fieldLocal} = ${local}[${JSON.stringify(field)}]`)
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
    'def read_secrets():',
    '    """Reads the secrets whose names the environment holds; within MAX_AGE, from the cache."""',
    ...lines,
    `    return {${returned.map((local) => `${JSON.stringify(local)}: ${local}`).join(', ')}}`,
    '',
    '',
    'def handler(event, context):',
    '    # A local variable only: never copied to os.environ, never logged.',
    '    secrets = read_secrets()',
    '    # ... use secrets[...] here ...',
    '    return {"statusCode": 200}',
    '',
  ].join('\n')
}

// -------------------------------------------------------------------------------------- local names

const JS_RESERVED = new Set(
  'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield getSecret readSecrets handler event MAX_AGE'.split(' '),
)
const PY_RESERVED = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield os parameters read_secrets handler event context secrets MAX_AGE'.split(' '),
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

/** Identifiers for the locals, unique within one handler, never a keyword or a name the template uses. */
class LocalNames {
  private readonly used = new Set<string>()

  constructor(
    private readonly style: (text: string) => string,
    private readonly reserved: ReadonlySet<string>,
  ) {}

  take(text: string): string {
    let base = this.style(text) || 'secret'
    if (/^\d/.test(base) || this.reserved.has(base)) base = this.style(`secret_${base}`)
    let name = base
    for (let i = 2; this.used.has(name); i++) name = `${base}${i}`
    this.used.add(name)
    return name
  }
}
