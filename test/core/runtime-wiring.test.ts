import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {handlerSnippet, RUNTIMES, type SecretReading, taskModuleSnippet} from '../../src/core/runtime-snippets.js'
import {
  cachePlan,
  cacheNotes,
  DEFAULT_MAX_AGE,
  functionWiring,
  groupSpecs,
  parseSecretSpec,
  ROTATION_OVERLAP_SECONDS,
  secretEnvironment,
  secretIdVariable,
} from '../../src/core/runtime-wiring.js'

const scope = Scope.parse('prod/api')
const READINGS: SecretReading[] = [
  {variable: 'DB_PASS_SECRET_ID', name: 'DB_PASS', fields: []},
  {variable: 'DB_SECRET_ID', name: 'DB', fields: ['password', 'user-name', 'class']},
  {variable: 'CLASS_SECRET_ID', name: 'class', fields: []},
  {variable: 'SECRET_2FA_SECRET_ID', name: '2fa', fields: []},
]

function compiles(runtime: 'nodejs' | 'python', code: string): {status: number | null; output: string} {
  const dir = mkdtempSync(join(tmpdir(), 'snippet-'))
  const file = join(dir, runtime === 'nodejs' ? 'handler.mjs' : 'handler.py')
  writeFileSync(file, code)
  const run = runtime === 'nodejs' ? spawnSync(process.execPath, ['--check', file], {encoding: 'utf8'}) : spawnSync('python3', ['-m', 'py_compile', file], {encoding: 'utf8'})
  return {status: run.status, output: `${run.stdout}${run.stderr}`}
}

describe('secretIdVariable', () => {
  it.each([
    ['DB_PASS', 'DB_PASS_SECRET_ID'],
    ['db.pass', 'DB_PASS_SECRET_ID'],
    ['stripe-key@v2', 'STRIPE_KEY_V2_SECRET_ID'],
    ['2fa', 'SECRET_2FA_SECRET_ID'],
    ['_x_', 'X_SECRET_ID'],
    ['@=', 'SECRET_SECRET_ID'],
  ])('names %s by %s', (name, variable) => {
    expect(secretIdVariable(name)).toBe(variable)
    expect(variable).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/)
  })

  it('refuses two secrets that one variable would name', () => {
    const needs = [{address: scope.secret('db.pass'), fields: []}, {address: scope.secret('DB_PASS'), fields: []}]
    expect(() => secretEnvironment('checkout', needs)).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(/DB_PASS_SECRET_ID/)}))
  })
})

describe('NAME:FIELD', () => {
  it('splits on the first colon and groups the fields of one secret', () => {
    expect(parseSecretSpec('DB_PASS')).toEqual({name: 'DB_PASS'})
    expect(parseSecretSpec('DB:pass:word')).toEqual({name: 'DB', field: 'pass:word'})
    expect(groupSpecs(['DB:password', 'DB_PASS', 'DB:username', 'DB:password'])).toEqual([
      {name: 'DB', fields: ['password', 'username']},
      {name: 'DB_PASS', fields: []},
    ])
  })

  it.each(['DB:', 'DB:\u0007'])('refuses %j', (spec) => {
    expect(() => parseSecretSpec(spec)).toThrow(expect.objectContaining({exitCode: 2}))
  })

  // LS and PS end a `//` comment for JavaScript, NEL a `#` comment for YAML 1.1: the handler is printed inside such comments.
  it.each(['2028', '2029', '0085', '009B', '202E'])('refuses DB:pw<U+%s>x, showing it escaped', (code) => {
    const spec = `DB:pw${String.fromCharCode(Number.parseInt(code, 16))}x()//`
    expect(() => parseSecretSpec(spec)).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(/^Invalid secret "DB:pw\\u\{[0-9a-f]+\}x.*": its field name contains a control character, a line break or a bidirectional control/)}))
  })
})

describe.each(RUNTIMES)('the %s handler', (runtime) => {
  const code = handlerSnippet(runtime, READINGS, 120)

  it('is valid source for its runtime, whatever the names of the secrets and fields', () => {
    const result = compiles(runtime, code)
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })

  it('reads each secret by the variable that names it, with maxAge, and parses JSON only where fields are asked for', () => {
    if (runtime === 'nodejs') {
      expect(code).toContain("import {getSecret} from '@aws-lambda-powertools/parameters/secrets'")
      expect(code).toContain('const MAX_AGE = 120')
      expect(code).toContain('await getSecret(process.env.DB_PASS_SECRET_ID, {maxAge: MAX_AGE})')
      expect(code).toContain("await getSecret(process.env.DB_SECRET_ID, {maxAge: MAX_AGE, transform: 'json'})")
      expect(code).toContain('db["user-name"]')
      expect(code.match(/transform/g)).toHaveLength(1)
    } else {
      expect(code).toContain('from aws_lambda_powertools.utilities import parameters')
      expect(code).toContain('MAX_AGE = 120')
      expect(code).toContain('parameters.get_secret(os.environ["DB_PASS_SECRET_ID"], max_age=MAX_AGE)')
      expect(code).toContain('parameters.get_secret(os.environ["DB_SECRET_ID"], max_age=MAX_AGE, transform="json")')
      expect(code.match(/transform/g)).toHaveLength(1)
    }
  })

  it('never writes a value into the environment and never logs one', () => {
    expect(code).not.toMatch(/process\.env\.\w+\s*=[^=]|os\.environ\[[^\]]+\]\s*=[^=]|os\.environ\.update|putenv|console\.|print\(|logger|logging/)
  })
})

describe.each(RUNTIMES)('the %s locals', (runtime) => {
  // DB_PASSWORD and the field password of DB both read as "db password": neither may become a numbered copy.
  const readings: SecretReading[] = [
    {variable: 'DB_PASSWORD_SECRET_ID', name: 'DB_PASSWORD', fields: []},
    {variable: 'DB_SECRET_ID', name: 'DB', fields: ['password', 'username']},
  ]
  const [password, field, username] = runtime === 'nodejs' ? ['dbPassword', 'dbPasswordField', 'dbUsername'] : ['db_password', 'db_password_field', 'db_username']

  it.each([
    ['the library handler', handlerSnippet(runtime, readings, 120)],
    ['the extension handler', handlerSnippet(runtime, readings, 120, 'extension')],
    ['the task module', taskModuleSnippet(runtime, readings, 120)],
  ])('name a field that would take a whole secret\'s name after the field, never with a number, in %s', (_, code) => {
    expect(code).toMatch(new RegExp(`\\b${password} = `))
    expect(code).toMatch(new RegExp(`\\b${field} = db(\\.password|\\["password"\\])`))
    expect(code).toMatch(new RegExp(`\\b${username} = db`))
    expect(code).not.toMatch(/\b(dbPassword|db_password)2\b/)
    expect(compiles(runtime, code).status).toBe(0)
  })
})

describe('the cache plan', () => {
  const enabled = {secret: '/prod/api/DB', state: {kind: 'enabled' as const, afterDays: 30}}

  it('defaults to 300 s and says why', () => {
    const plan = cachePlan(undefined, [])
    expect(plan.maxAge).toBe(DEFAULT_MAX_AGE)
    expect(cacheNotes(plan)[0]).toMatch(/^Cache: maxAge 300 s \(at most one GetSecretValue per secret every 5 minutes/)
  })

  it('warns when a rotating secret is cached longer than the overlap, and only then', () => {
    expect(cachePlan(undefined, [enabled]).warnings).toEqual([])
    expect(cachePlan(ROTATION_OVERLAP_SECONDS, [enabled]).warnings).toEqual([])
    expect(cachePlan(ROTATION_OVERLAP_SECONDS + 1, [{secret: '/prod/api/DB', state: {kind: 'disabled'}}]).warnings).toEqual([])
    const [warning] = cachePlan(3600, [enabled]).warnings
    expect(warning).toMatch(/^\/prod\/api\/DB rotates \(every 30 days\) and maxAge 3600 s outlives the 300 s/)
    expect(cacheNotes(cachePlan(3600, [enabled]))).toEqual([
      'Cache: maxAge 3600 s (set with --max-age).',
      'Rotation of /prod/api/DB: every 30 days.',
      `Warning: ${warning}`,
    ])
  })

  it('says which secrets were not checked, and why', () => {
    const notes = cacheNotes(cachePlan(60, [{secret: '/prod/api/A', state: {kind: 'unchecked', reason: 'no credentials'}}, {secret: '/prod/api/B', state: {kind: 'unchecked', reason: 'no credentials'}}]))
    expect(notes).toContain('Rotation not checked for /prod/api/A, /prod/api/B (no credentials).')
  })

  it('gives each function only its own secrets in its notes', () => {
    const rotation = new Map([['/prod/api/DB', enabled.state], ['/prod/api/OTHER', enabled.state]])
    const wiring = functionWiring('checkout', 'nodejs', [{address: scope.secret('DB'), fields: ['password']}], {maxAge: 900, rotation})
    expect(wiring.environment).toEqual({DB_SECRET_ID: '/prod/api/DB'})
    expect(wiring.plan.warnings).toHaveLength(1)
    expect(wiring.notes.join('\n')).not.toContain('OTHER')
  })
})

describe.each(RUNTIMES)('the %s handler through the extension', (runtime) => {
  const code = handlerSnippet(runtime, READINGS, 120, 'extension')

  it('is valid source that calls localhost with the session token header, and no library', () => {
    const result = compiles(runtime, code)
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
    expect(code).toContain('/secretsmanager/get?secretId=')
    expect(code).toContain('"X-Aws-Parameters-Secrets-Token"'.replace(/"/g, runtime === 'nodejs' ? "'" : '"'))
    expect(code).toContain('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT')
    expect(code).not.toMatch(/powertools|getSecret\(process\.env\.\w+, \{/)
    expect(code).not.toMatch(/process\.env\.\w+\s*=[^=]|os\.environ\[[^\]]+\]\s*=[^=]|console\.|print\(|logging/)
  })

  it('puts the TTL in the environment, the layer in the notes, and refuses a TTL the extension cannot keep', () => {
    const wiring = functionWiring('checkout', runtime, [{address: scope.secret('DB'), fields: ['password']}], {maxAge: 120, rotation: new Map()}, 'extension')
    expect(wiring.environment).toEqual({DB_SECRET_ID: '/prod/api/DB', SECRETS_MANAGER_TTL: '120'})
    expect(wiring.extensionLayer).toBe(true)
    expect(wiring.notes.at(-1)).toMatch(/^Layer: the AWS Parameters and Secrets Lambda Extension, its ARN .* SecretsExtensionLayerArn/)
    expect(() => functionWiring('checkout', runtime, [{address: scope.secret('DB'), fields: []}], {maxAge: 301, rotation: new Map()}, 'extension')).toThrow(
      expect.objectContaining({exitCode: 2, message: expect.stringMatching(/at most 300 s/)}),
    )
  })
})
