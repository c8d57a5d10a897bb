/**
 * Leak canary suite: distinctive values are stored, then every command runs on its success and
 * failure paths, plain and with `--json` + `DEBUG=*`. The canary must never show in stderr, in stdout
 * (except where the user asked for the value: `get`, `get --all`), in any file the CLI writes, or in
 * the argv or environment of any child process (the CLI starts none).
 */
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmod, chown, cp, mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'

import {CreateRoleCommand} from '@aws-sdk/client-iam'
import {CreateFunctionCommand} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {credentialShapes, emulatorClients, tinyZip} from '../fixtures/audit-accounts.js'
import {secretStore, seed} from '../fixtures/migrate-helpers.js'
import {type CliResult, ROOT, cliEnv, emulatorEndpoint, runCli, uniqueEnv, useOwnEmulator} from '../helpers/cli.js'
import {closedPort} from '../helpers/emulator.js'
import {nodeForOtherUsers} from '../helpers/other-user.js'
import {runCliInPty} from '../helpers/pty.js'
import {always, type FakeAnswer, type FakeAws, startFakeAws} from './fake-aws.js'
import {codeCacheFiles, encodingsOf, filesUnder, makeSandbox, type Sandbox, spawnRecords} from './sandbox.js'
import {SecretValue} from '../../src/core/secret-value.js'

// The matrix runs audit and doctor, which read the whole account (ACCOUNT_WIDE_COMMANDS).
await useOwnEmulator()
const E = uniqueEnv('leak')
const E2 = uniqueEnv('leak2')
/** Every stored value starts with this; finding it anywhere is a leak. */
const CANARY = `canary-${randomBytes(6).toString('hex')}`
const value = (label: string) => `${CANARY}-${label}`

type PathName = 'ok' | 'missing' | 'denied' | 'throttled' | '5xx' | 'echo' | 'down' | 'invalid'
const PATHS: PathName[] = ['ok', 'missing', 'denied', 'throttled', '5xx', 'echo', 'down', 'invalid']
type Mode = 'plain' | 'json-debug'
const MODES: Mode[] = ['plain', 'json-debug']
/**
 * SAFETY_FULL=1 (the slow suite) runs every command x path in both modes; the default suite runs each
 * command x path once, alternating the modes so every command and every path sees both.
 */
const FULL = process.env.SAFETY_FULL === '1'

interface Context {
  path: PathName
  mode: Mode
  /** A suffix unique to the mode, for names the ok path creates. */
  tag: string
  files: {dotenv: string; valueFile: string; manifest: string; manifestMissing: string}
}

interface Case {
  command: string
  /** Arguments for a path; undefined when the path does not apply to the command. */
  args(ctx: Context): string[] | undefined
  input?: (ctx: Context) => string
  /** The user asked for the value: stdout may hold it (never stderr). */
  printsValue?: (ctx: Context) => boolean
  /** Exit code of the ok path when it is not 0 (a finding, a difference, an invalid .env line). */
  okExit?: number
}

const CASES: Case[] = [
  {
    command: 'set (new secret, stdin)',
    args: (c) => (c.path === 'invalid' ? ['set', `${E}/a*pi`, 'NEW'] : ['set', `${E}/api`, c.path === 'missing' ? 'DB_PASS' : `NEW_${c.tag}`, ...(c.path === 'missing' ? ['--no-overwrite'] : [])]),
    input: (c) => `${value(`new-${c.tag}`)}\n`,
  },
  {
    command: 'set (new version, --from-file)',
    args: (c) => ['set', c.path === 'invalid' ? `/${E}/api/BAD-abc123` : `/${E}/api/ROTATE`, '--from-file', c.files.valueFile, '--description', 'rotated', '--tag', 'owner=leaks'],
  },
  {
    command: 'get',
    args: (c) => ['get', c.path === 'invalid' ? `${E}/api/extra` : `${E}/api`, c.path === 'missing' ? 'NOPE' : 'DB_PASS'],
    printsValue: (c) => c.path === 'ok',
  },
  {
    command: 'get --version-stage AWSPREVIOUS',
    args: (c) => ['get', `${E}/api`, c.path === 'missing' ? 'NOPE' : 'ROTATE', '--version-stage', 'AWSPREVIOUS', ...(c.path === 'invalid' ? ['--all'] : [])],
    printsValue: (c) => c.path === 'ok',
  },
  {
    command: 'get --all',
    args: (c) => ['get', c.path === 'invalid' ? `${E}/api/DB_PASS` : c.path === 'missing' ? `${E}/none` : `${E}/api`, '--all'],
    printsValue: (c) => c.path === 'ok',
  },
  {command: 'list', args: (c) => ['list', c.path === 'invalid' ? `${E}/a/b/c` : c.path === 'missing' ? `${E}/none` : E, '--include-deleted']},
  {command: 'history', args: (c) => ['history', `${E}/${c.path === 'invalid' ? '..' : 'api'}`, c.path === 'missing' ? 'NOPE' : 'ROTATE']},
  {
    command: 'delete --yes',
    args: (c) => ['delete', `${E}/api`, c.path === 'missing' ? 'NOPE' : c.path === 'invalid' ? 'DB_PASS' : `DEL_${c.tag}`, '--yes', ...(c.path === 'invalid' ? ['--recovery-days', '3'] : [])],
  },
  // Two versions each (seedAll): the previous one becomes current by a stage move that reads no value.
  {command: 'rollback --yes', args: (c) => ['rollback', c.path === 'invalid' ? `${E}/a b` : `${E}/api`, c.path === 'missing' ? 'NOPE' : `ROLLBACK_${c.tag}`, '--yes']},
  {command: 'restore', args: (c) => ['restore', c.path === 'invalid' ? `${E}//api` : `${E}/api`, c.path === 'missing' ? 'NOPE' : `DEL_${c.tag}`]},
  {
    command: 'migrate --from-ssm',
    args: (c) => ['migrate', '--from-ssm', c.path === 'invalid' ? 'legacy' : `/${E}/${c.path === 'missing' ? 'nothing' : `legacy-${c.tag}`}`, '--to', `${E}/mig${c.tag}`, '--delete-source', '--concurrency', '2'],
  },
  {
    command: 'migrate --from-dotenv',
    args: (c) => ['migrate', '--from-dotenv', c.path === 'missing' ? `${c.files.dotenv}.missing` : c.files.dotenv, '--to', c.path === 'invalid' ? `${E}/a b` : `${E}/dot${c.tag}`],
    // The .env file has a line dotenv cannot read: reported as invalid (by number), the rest migrated.
    okExit: 2,
  },
  {
    command: 'migrate --from-lambda',
    // A function's environment: two secrets and a configuration variable, each holding the canary.
    args: (c) => ['migrate', '--from-lambda', c.path === 'missing' ? `${E}-nowhere` : `${E}-fn`, '--to', c.path === 'invalid' ? `${E}/a b` : `${E}/lam${c.tag}`, '--format', 'sam'],
  },
  {
    command: 'migrate --from-lambda --remove-from-source',
    // The bare emulator gives no RevisionId: every secret is migrated and verified, then the function is
    // left as it is, with the refusal in the report (exit 4).
    args: (c) => ['migrate', '--from-lambda', c.path === 'missing' ? `${E}-nowhere` : `${E}-fn`, '--to', c.path === 'invalid' ? `${E}/a b` : `${E}/lrm${c.tag}`, '--remove-from-source'],
    okExit: 4,
  },
  {
    command: 'migrate --dry-run',
    args: (c) => ['migrate', '--from-dotenv', c.files.dotenv, '--to', `${E}/api`, '--dry-run', ...(c.path === 'invalid' ? ['--on-conflict', 'clobber'] : [])],
    // DB_PASS exists in ${E}/api with another value: a conflict, reported by name.
    okExit: 4,
  },
  {command: 'grant', args: (c) => ['grant', `${E}/api`, '--function', c.path === 'invalid' ? 'bad name!' : 'checkout', '--secret', 'DB_PASS', '--format', 'terraform']},
  // STS for the account, then DescribeSecret for the rotation: a value is never asked for.
  {command: 'grant --runtime', args: (c) => ['grant', `${E}/api`, '--function', c.path === 'invalid' ? 'bad name!' : 'checkout', '--secret', 'DB_PASS', '--runtime', 'nodejs', '--format', 'terraform']},
  {
    command: 'grant --check',
    args: (c) => ['grant', '--manifest', c.path === 'missing' ? c.files.manifestMissing : c.files.manifest, '--env', c.path === 'invalid' ? 'pr od' : E, '--check'],
  },
  {command: 'audit', args: (c) => (c.path === 'missing' ? undefined : ['audit', '--only', c.path === 'invalid' ? 'everything' : 'ssm'])},
  {command: 'diff', args: (c) => ['diff', `${E}/api`, c.path === 'invalid' ? `${E2}/api*` : c.path === 'missing' ? `${E2}/none` : `${E2}/api`], okExit: 8},
  {
    command: 'promote --yes',
    args: (c) => ['promote', c.path === 'missing' ? `${E2}/none` : `${E2}/api`, c.path === 'invalid' ? `${E2}/api` : `${E}/prom${c.tag}`, '--yes'],
  },
  {command: 'doctor', args: (c) => ['doctor', c.path === 'invalid' ? 'prod' : c.path === 'missing' ? `${E}/none` : `${E}/api`]},
]

/** What a path points the CLI at; fake endpoints answer every call with one AWS error. */
const FAKES: Partial<Record<PathName, () => (request: {operation: string; body: string}) => FakeAnswer>> = {
  denied: () => always(400, 'AccessDeniedException', 'User: arn:aws:iam::123456789012:user/ci is not authorized'),
  throttled: () => always(400, 'ThrottlingException', 'Rate exceeded'),
  '5xx': () => always(500, 'InternalServiceError', 'internal error'),
  /**
   * A hostile endpoint that quotes each request back in its error message (some validation errors
   * quote the offending parameter): reads find nothing, every write is refused with its own body.
   */
  echo: () => (request) => {
    if (request.operation.endsWith('GetSecretValue')) return {status: 400, type: 'ResourceNotFoundException', message: 'not here'}
    if (request.operation.endsWith('ListSecrets')) return {status: 200, type: '', body: '{"SecretList":[]}'}
    if (request.operation.endsWith('BatchGetSecretValue')) return {status: 200, type: '', body: '{"SecretValues":[],"Errors":[]}'}
    return {status: 400, type: 'InvalidParameterException', message: `Invalid request: ${request.body}`}
  },
}

const DOCUMENTED_EXITS = new Set([0, 2, 3, 4, 5, 6, 7, 8])

interface Run {
  command: string
  path: PathName
  mode: Mode
  result: CliResult
  printsValue: boolean
  okExit: number
}

let sandbox: Sandbox
let workDir: string
const fakes = new Map<PathName, FakeAws>()
const runs: Run[] = []

function leakIn(text: string | Buffer): boolean {
  return encodingsOf(CANARY).some((form) => Buffer.from(text).includes(form))
}

/** A Lambda function with these variables (the emulator runs no code: a tiny zip is enough). */
async function plantFunction(name: string, variables: Record<string, string>): Promise<void> {
  const {lambda, iam} = emulatorClients(emulatorEndpoint())
  const trust = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})
  const {Role} = await iam.send(new CreateRoleCommand({RoleName: `${name}-role`, AssumeRolePolicyDocument: trust}))
  await lambda.send(
    new CreateFunctionCommand({FunctionName: name, Runtime: 'nodejs20.x', Role: Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: tinyZip()}, Environment: {Variables: variables}}),
  )
}

async function seedAll(): Promise<void> {
  const store = await secretStore()
  const put = (name: string, text: string, exists = false) =>
    store.write(name, SecretValue.fromString(text), {overwrite: true, exists})
  await Promise.all([
    put(`/${E}/api/DB_PASS`, value('db')),
    put(`/${E}/api/API_KEY`, value('api')),
    put(`/${E}/api/ROTATE`, value('rotate-1')),
    put(`/${E}/api/DEL_plain`, value('del-plain')),
    put(`/${E}/api/DEL_json`, value('del-json')),
    store.write(`/${E}/api/BINARY`, SecretValue.fromBytes(Buffer.concat([Buffer.from(value('bin')), Buffer.from([0xff, 0xfe])])), {overwrite: true, exists: false}),
    put(`/${E2}/api/DB_PASS`, value('db-other-env')),
    put(`/${E2}/api/ONLY_HERE`, value('only-here')),
  ])
  await put(`/${E}/api/ROTATE`, value('rotate-2'), true)
  for (const tag of ['plain', 'json']) {
    await put(`/${E}/api/ROLLBACK_${tag}`, value(`rollback-1-${tag}`))
    await put(`/${E}/api/ROLLBACK_${tag}`, value(`rollback-2-${tag}`), true)
  }
  await plantFunction(`${E}-fn`, {DB_PASSWORD: value('lambda-db'), GITHUB_TOKEN: credentialShapes.githubToken(), LOG_LEVEL: value('lambda-config')})
  await seed(
    ['plain', 'json'].flatMap((tag) => [
      {name: `/${E}/legacy-${tag}/DB_PASSWORD`, value: value('ssm-string'), type: 'String' as const},
      {name: `/${E}/legacy-${tag}/STRIPE_KEY`, value: value('ssm-secure'), type: 'SecureString' as const},
      {name: `/${E}/legacy-${tag}/HOSTS`, value: `a,b,${value('ssm-list')}`, type: 'StringList' as const},
    ]),
  )
}

async function writeInputs(): Promise<Context['files']> {
  workDir = await mkdtemp(join(tmpdir(), 'secrets-leak-inputs-'))
  const files = {
    dotenv: join(workDir, '.env'),
    valueFile: join(workDir, 'value.bin'),
    manifest: join(workDir, 'secrets.yml'),
    manifestMissing: join(workDir, 'missing.yml'),
  }
  // An unquoted multi-line PEM value too: dotenv reads its padded line as a key (issue 23.4), so the
  // canary there would be a secret's *name* if it were ever shown or written.
  await writeFile(
    files.dotenv,
    `DB_PASS=${value('dotenv-1')}\nexport TOKEN="${value('dotenv-2')}\\nline2"\nbad line ${value('dotenv-bad')}\n` +
      `PEM_KEY=-----BEGIN PRIVATE KEY-----\n${value('pem-line')}==\n-----END PRIVATE KEY-----\n`,
  )
  await writeFile(files.valueFile, value('from-file'))
  await writeFile(files.manifest, 'service: api\nfunctions:\n  checkout: [DB_PASS, API_KEY]\n')
  await writeFile(files.manifestMissing, 'service: api\nfunctions:\n  checkout: [DB_PASS, NOT_THERE]\n')
  return files
}

async function runCase(kase: Case, ctx: Context): Promise<void> {
  const args = kase.args(ctx)
  if (!args) return
  const env: Record<string, string> = {...sandbox.env}
  const extra: string[] = []
  const fake = fakes.get(ctx.path)
  if (fake) extra.push('--endpoint-url', fake.endpoint)
  if (ctx.path === 'down') extra.push('--endpoint-url', `http://127.0.0.1:${await closedPort()}`)
  if (fake || ctx.path === 'down') env.AWS_MAX_ATTEMPTS = '2'
  if (ctx.mode === 'json-debug') {
    extra.push('--json')
    env.DEBUG = '*'
  }

  const result = await runCli([...args, ...extra], {env, input: kase.input?.(ctx), timeoutMs: 45_000})
  runs.push({command: kase.command, path: ctx.path, mode: ctx.mode, result, printsValue: kase.printsValue?.(ctx) ?? false, okExit: kase.okExit ?? 0})
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  await Promise.all(Array.from({length: size}, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item)
  }))
}

describe('the canary never leaks', () => {
  beforeAll(async () => {
    sandbox = await makeSandbox()
    await Promise.all(['home', 'cache', 'config', 'data', 'tmp'].map((dir) => mkdir(join(sandbox.root, dir), {recursive: true})))
    const [files] = await Promise.all([
      writeInputs(),
      seedAll(),
      ...Object.entries(FAKES).map(async ([path, make]) => fakes.set(path as PathName, await startFakeAws(make()))),
    ])
    // Tasks run side by side; delete and restore of one secret run in order, in one task.
    const tasks: {kases: Case[]; path: PathName; mode: Mode}[] = []
    for (const [p, path] of PATHS.entries()) {
      for (const [k, kase] of CASES.entries()) {
        if (kase.command === 'restore') continue
        const kases = kase.command === 'delete --yes' ? CASES.filter((c) => /^(delete|restore)/.test(c.command)) : [kase]
        for (const mode of FULL ? MODES : [MODES[(p + k) % MODES.length]]) tasks.push({kases, path, mode})
      }
    }

    // Mostly waiting (retry back-off, the emulator): more in flight than cores.
    await pool(tasks, 6, async ({kases, path, mode}) => {
      const ctx: Context = {path, mode, tag: mode === 'plain' ? 'plain' : 'json', files}
      for (const kase of kases) await runCase(kase, ctx)
    })
  }, 240_000)

  afterAll(async () => {
    if (process.env.SAFETY_DUMP) await writeFile(process.env.SAFETY_DUMP, JSON.stringify(runs.map((run) => ({...run, result: {...run.result, stdoutBytes: undefined}})), null, 1))
    await Promise.all([...fakes.values()].map((fake) => fake.close()))
  })

  it('tried every command on every path, plain and with --json and DEBUG=*', () => {
    const modes = FULL ? MODES.length : 1
    expect(runs).toHaveLength((CASES.length * PATHS.length - 1) /* audit has no "missing" */ * modes)
    for (const mode of MODES) expect(runs.filter((run) => run.mode === mode).length).toBeGreaterThan(runs.length / 3)
    // The figure SECURITY.md quotes.
    console.info(`leaks: ${CASES.length} command forms x ${PATHS.length} paths${FULL ? ` x ${MODES.length} modes` : ''} = ${runs.length} runs`)
  })

  it('never prints the canary on stderr, even with DEBUG=*', () => {
    const leaks = runs.filter((run) => leakIn(run.result.stderr)).map((run) => `${run.command} / ${run.path} / ${run.mode}`)
    expect(leaks).toEqual([])
  })

  it('prints the canary on stdout only where the value was asked for', () => {
    const leaks = runs.filter((run) => !run.printsValue && leakIn(run.result.stdoutBytes)).map((run) => `${run.command} / ${run.path} / ${run.mode}`)
    expect(leaks).toEqual([])
    // And where it was asked for, it is there: the check above is not vacuous.
    const asked = runs.filter((run) => run.printsValue)
    expect(asked.length).toBeGreaterThan(0)
    for (const run of asked) expect(run.result.stdout, `${run.command} / ${run.mode}`).toContain(CANARY)
  })

  it('exits with a documented code and never a stack trace', () => {
    const bad = runs
      .filter((run) => !DOCUMENTED_EXITS.has(run.result.code ?? -1) || /^\s{4}at /m.test(run.result.stderr.replace(/^.*\b(oclif|secrets):\S+ .*$/gm, '')))
      .map((run) => `${run.command} / ${run.path} / ${run.mode}: exit ${run.result.code}\n${run.result.stderr.slice(0, 400)}`)
    expect(bad).toEqual([])
  })

  it('fails on every fault path (the faults were real) and succeeds on the ok path', () => {
    for (const run of runs) {
      if (['denied', 'throttled', '5xx', 'down', 'invalid'].includes(run.path)) {
        expect(run.result.code, `${run.command} / ${run.path} / ${run.mode}`).not.toBe(0)
      }
    }

    const okFailures = runs.filter((run) => run.path === 'ok' && run.result.code !== run.okExit)
    expect(okFailures.map((run) => `${run.command} / ${run.mode}: ${run.result.code} ${run.result.stderr.slice(0, 300)}`)).toEqual([])
  })

  it('gives JSON errors as one JSON document on stdout with --json', () => {
    for (const run of runs.filter((r) => r.mode === 'json-debug')) {
      expect(() => JSON.parse(run.result.stdout), `${run.command} / ${run.path}: ${run.result.stdout.slice(0, 200)}`).not.toThrow()
    }
  })

  it('writes the canary into no file: HOME, caches, TMPDIR and the V8 code cache', async () => {
    const caches = await codeCacheFiles()
    expect(caches.length).toBeGreaterThan(0)
    const files = [...(await filesUnder(sandbox.root)), ...caches]
    const leaks = files.filter((file) => leakIn(file.bytes)).map((file) => file.path)
    expect(leaks).toEqual([])
  })

  it('starts no child process and never puts the canary in its own environment', async () => {
    const records = await spawnRecords(sandbox)
    expect(records.filter((record) => record.kind !== 'exit-env')).toEqual([])
    // Every run reached exit and was recorded, so the recorder was really loaded.
    expect(records.filter((record) => record.kind === 'exit-env').length).toBeGreaterThanOrEqual(runs.length)
    expect(records.filter((record) => leakIn(JSON.stringify(record.env ?? {})))).toEqual([])
  })

  it('an interrupted prompt (Ctrl-C with a value half typed) shows nothing and writes nothing', async () => {
    // SIGINT from outside (kill -INT) while the prompt holds the terminal in raw mode, and Ctrl-C typed at it.
    const first = await runCliInPty(['set', `${E}/api`, 'TYPED'], [{expect: 'Value for'}, {send: value('typed')}, {signal: 'INT'}], sandbox.env)
    const second = await runCliInPty(
      ['set', `${E}/api`, 'TYPED2'],
      [{expect: 'Value for'}, {send: `${value('typed2')}\r`}, {expect: 'Again'}, {send: value('typed2').slice(0, 12)}, {send: '\u0003'}],
      {...sandbox.env, DEBUG: '*'},
    )
    // Killed by the signal (the shell reports 130) or exited 130 after restoring the terminal.
    expect([130, -2]).toContain(first.exit)
    expect(second.exit).toBe(130)
    for (const [index, result] of [first, second].entries()) {
      // On failure, the terminal's output with the canary marked, so CI's log says where it showed.
      expect(leakIn(result.output), `run ${index + 1}: ${result.output.replaceAll(CANARY, '<CANARY>').slice(-600)}`).toBe(false)
      expect(result.output).not.toMatch(/^\s{4}at /m)
    }

    expect((await runCli(['get', `${E}/api`, 'TYPED'])).code).toBe(3)
    expect((await runCli(['get', `${E}/api`, 'TYPED2'])).code).toBe(3)
  })
})

/**
 * Where else a canary can be put by mistake (issue 23): an argument that looks like a flag, a
 * `NAME=VALUE` name, text a YAML error would quote, a hidden prompt's visibility toggle, and the
 * userinfo of an endpoint URL. Each runs plain and with `--json` + `DEBUG=*`; the canary must show on
 * neither stream, and the exit code is a documented one.
 */
describe('the canary never leaks from argv, names, secrets.yml, prompts or endpoints', () => {
  const C = `canary-${randomBytes(6).toString('hex')}`
  const ENV = uniqueEnv('leakpos')
  let dir: string
  let fake: FakeAws

  interface Position {
    label: string
    args: string[]
    cwd?: () => string
    env?: () => Record<string, string>
    input?: string
  }

  /** secrets.yml texts whose YAML error (or value error) would quote the canary. */
  const YAML_ERRORS: Record<string, string> = {
    'block scalar header': `environments:\n  prod:\n    profile: |${C}\n`,
    'unterminated quote': `environments:\n  prod:\n    profile: "${C}\n`,
    'unterminated flow': `environments:\n  prod:\n    replicaRegions: [${C}\n`,
    'unknown alias': `environments:\n  prod:\n    profile: *${C}\n`,
    'tab indentation': `environments:\n\tprod: ${C}\n`,
    'bad indentation': `environments:\n  prod:\n    profile: a\n   ${C}: b\n`,
    'duplicate key': `environments:\n  ${C}: {}\n  ${C}: {}\n`,
    'bad escape': `environments:\n  prod:\n    profile: "\\q${C}"\n`,
  }

  const positions = (): Position[] => [
    {label: 'an argument beginning with "-" (set)', args: ['set', `${ENV}/api`, 'X', `-${C}`], input: 'v'},
    {label: 'an argument beginning with "--" (set)', args: ['set', `${ENV}/api`, 'X', `--${C}`], input: 'v'},
    {label: 'an argument beginning with "-" (get)', args: ['get', `${ENV}/api`, `-${C}`]},
    {label: 'an argument beginning with "-" (list)', args: ['list', `-${C}`]},
    {label: 'an integer flag\'s value', args: ['delete', `${ENV}/api`, 'X', '--recovery-days', C]},
    {label: 'an options flag\'s value', args: ['grant', `${ENV}/api`, '--function', 'f', '--format', C]},
    {label: 'a NAME=VALUE name', args: ['set', `${ENV}/api`, `DB_PASS=${C}`], input: 'v'},
    {label: 'a /ENV/SERVICE/NAME=VALUE name', args: ['set', `/${ENV}/api/DB_PASS=${C}`], input: 'v'},
    ...Object.entries(YAML_ERRORS).map(([kind, text]) => ({
      label: `a secrets.yml with a ${kind}`,
      args: ['list', 'prod'],
      cwd: () => join(dir, kind.replaceAll(' ', '-')),
    })),
    {label: 'an endpoint URL\'s password (doctor, AWS_ENDPOINT_URL)', args: ['doctor'], env: () => ({AWS_ENDPOINT_URL: withUserinfo(fake.endpoint)})},
    {label: 'an endpoint URL\'s password (doctor, AWS_ENDPOINT_URL_SECRETS_MANAGER)', args: ['doctor'], env: () => ({AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SECRETS_MANAGER: withUserinfo(fake.endpoint)})},
    {label: 'an endpoint URL\'s password (doctor, --endpoint-url)', args: ['doctor', '--endpoint-url', withUserinfo(fake.endpoint)]},
    {label: 'an endpoint URL\'s password (get, failing)', args: ['get', `${ENV}/api`, 'X', '--endpoint-url', withUserinfo(fake.endpoint)]},
    {label: 'an endpoint that is not a URL', args: ['get', `${ENV}/api`, 'X', '--endpoint-url', `${C}-not-a-url`]},
    {label: 'a region that is not one', args: ['get', `${ENV}/api`, 'X', '--region', `us ${C}`]},
  ]

  const withUserinfo = (endpoint: string) => endpoint.replace('http://', `http://user:${C}@`)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-leak-positions-'))
    await Promise.all(
      Object.entries(YAML_ERRORS).map(async ([kind, text]) => {
        const sub = join(dir, kind.replaceAll(' ', '-'))
        await mkdir(sub)
        await writeFile(join(sub, 'secrets.yml'), text)
      }),
    )
    fake = await startFakeAws(always(400, 'AccessDeniedException', 'not authorized'))
  })

  afterAll(async () => {
    await fake?.close()
  })

  it('shows the canary on neither stream, plain or with --json and DEBUG=*, and exits with a documented code', async () => {
    const failures: string[] = []
    const cases = positions().flatMap((position) => MODES.map((mode) => ({position, mode})))
    await pool(cases, 4, async ({position, mode}) => {
      const json = mode === 'json-debug'
      const result = await runCli([...position.args, ...(json ? ['--json'] : [])], {
        cwd: position.cwd?.(),
        input: position.input,
        env: {AWS_MAX_ATTEMPTS: '1', ...position.env?.(), ...(json ? {DEBUG: '*'} : {})},
        timeoutMs: 30_000,
      })
      const where = `${position.label} / ${mode}`
      if (result.stdout.includes(C) || result.stderr.includes(C)) failures.push(`${where}: canary shown\n${(result.stdout + result.stderr).slice(0, 600)}`)
      if (!DOCUMENTED_EXITS.has(result.code ?? -1)) failures.push(`${where}: exit ${result.code}\n${result.stderr.slice(0, 300)}`)
      if (json && result.code !== 0) {
        try {
          JSON.parse(result.stdout)
        } catch {
          failures.push(`${where}: no JSON document on stdout`)
        }
      }
    })
    expect(failures).toEqual([])
    // Nothing was created under a name holding the value.
    const listed = await runCli(['list', ENV, '--json'])
    expect(listed.stdout).not.toContain(C)
  })

  it('never draws the value at the hidden prompt, even when Ctrl+T (inquirer\'s visibility toggle) is pressed', async () => {
    const typed = `${C}-typed`
    const result = await runCliInPty(['set', `${ENV}/api`, 'TOGGLED'], [
      {expect: 'Value for'},
      {send: typed},
      {send: '\u0014'},
      {send: '\r'},
      {expect: 'Again'},
      {send: typed},
      {send: '\u0014'},
      {send: '\r'},
      {expect: 'created'},
    ])
    expect(result.failure).toBeNull()
    expect(result.exit).toBe(0)
    expect(result.output).not.toContain(C)
    expect(result.output).not.toMatch(/toggle visibility/)
    expect((await runCli(['get', `${ENV}/api`, 'TOGGLED'])).stdout).toBe(typed)
  })
})

/** Every file and folder under `dir`, by path relative to it, skipping the folders named in `skip`. */
async function namesUnder(dir: string, skip: string[] = []): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true}).catch(() => [] as string[])
  return entries.filter((entry) => !skip.some((folder) => entry === folder || entry.startsWith(`${folder}/`))).map((entry) => relative(dir, join(dir, entry)))
}

describe('a value typed where a command or an argument belongs', () => {
  // A key pasted into the wrong place: as the command, as each argument, as a flag and a flag's value.
  const TYPED = `sk_live_${CANARY.replace('canary-', '')}CANARY`
  const ARGVS = [
    [TYPED],
    [TYPED, 'prod/api'],
    ['prod/api', TYPED],
    [`--${TYPED}`],
    ['get', TYPED],
    ['get', `${E}/api`, TYPED],
    ['get', `${E}/api`, 'DB_PASS', TYPED],
    ['get', `${E}/api`, 'DB_PASS', '--region', TYPED],
    ['list', TYPED],
    ['history', `${E}/api`, TYPED],
    ['help', TYPED],
    [TYPED, '--help'],
    ['--version', TYPED],
  ]

  it('appears in no file name and no file content: the package folder, XDG_CACHE_HOME, ~/.cache, HOME, the temp folder', async () => {
    const box = await makeSandbox()
    await Promise.all(['home', 'cache', 'config', 'data', 'tmp'].map((dir) => mkdir(join(box.root, dir), {recursive: true})))
    for (const argv of ARGVS) {
      // With XDG_CACHE_HOME, and without it (the caches then go to ~/.cache when they leave the package).
      for (const env of [box.env, {...box.env, XDG_CACHE_HOME: undefined}]) await runCli(argv, {env, timeoutMs: 30_000})
    }

    const typed = (text: string | Buffer) => encodingsOf(TYPED).some((form) => Buffer.from(text).includes(form))
    // The package folder is the checkout: bin/, dist/ and its code caches, and everything else but
    // node_modules and .git, which no run writes to.
    const packageNames = await namesUnder(ROOT, ['node_modules', '.git'])
    expect(packageNames.some((name) => name.startsWith('dist/'))).toBe(true)
    const sandboxNames = await namesUnder(box.root)
    expect(sandboxNames.length).toBeGreaterThan(0)
    expect([...packageNames, ...sandboxNames, ...(await readdir(tmpdir()))].filter((name) => typed(name))).toEqual([])

    const contents = [...(await filesUnder(join(ROOT, 'dist'))), ...(await filesUnder(join(ROOT, 'bin'))), ...(await filesUnder(box.root))]
    expect(contents.filter((file) => typed(file.bytes)).map((file) => file.path)).toEqual([])
    await Promise.all([box.root, dirname(box.spawnLog)].map((dir) => rm(dir, {recursive: true, force: true})))
  }, 120_000)

  // A read-only install keeps its caches in the user's cache folder instead: run one as a user who
  // cannot write it (root ignores permissions), with XDG_CACHE_HOME and with ~/.cache.
  const canSwitchUser = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0
  it.runIf(canSwitchUser)('appears in no file name and no file content where a read-only install keeps its caches', async () => {
    const uid = 12_345
    const root = await mkdtemp(join(tmpdir(), 'secrets-leak-readonly-'))
    await chmod(root, 0o755)
    const install = join(root, 'install')
    for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) {
      await cp(join(ROOT, entry), join(install, entry), {recursive: true, filter: (source) => !source.includes('.v8-cache')})
    }

    for (const dir of ['home', 'cache', 'tmp']) {
      await mkdir(join(root, dir))
      await chown(join(root, dir), uid, uid)
    }

    const base = {HOME: join(root, 'home'), TMPDIR: join(root, 'tmp'), XDG_CACHE_HOME: join(root, 'cache')}
    // Outside `root`, which is searched below.
    const nodeDir = await mkdtemp(join(tmpdir(), 'secrets-leak-node-'))
    await chmod(nodeDir, 0o755)
    const node = nodeForOtherUsers(nodeDir)
    for (const argv of ARGVS) {
      for (const unset of [[], ['-u', 'XDG_CACHE_HOME']]) {
        spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'env', ...unset, node, join(install, 'bin', 'run.js'), ...argv], {
          env: cliEnv(base),
          input: '',
          timeout: 30_000,
        })
      }
    }

    const typed = (text: string | Buffer) => encodingsOf(TYPED).some((form) => Buffer.from(text).includes(form))
    const names = await namesUnder(root)
    // Both cache folders were used, so the search is not vacuous.
    expect(names.filter((name) => name.endsWith('.bin')).map((name) => name.split('/')[0]).sort()).toContain('cache')
    expect(names.some((name) => name.startsWith('home/.cache/secrets/v8-cache/') && name.endsWith('.bin'))).toBe(true)
    expect(names.some((name) => name.startsWith('install/dist/.v8-cache'))).toBe(false)
    expect(names.filter((name) => typed(name))).toEqual([])
    expect((await filesUnder(root)).filter((file) => typed(file.bytes)).map((file) => file.path)).toEqual([])
    await Promise.all([root, nodeDir].map((dir) => rm(dir, {recursive: true, force: true})))
  }, 120_000)
})

/**
 * Key/value secrets (issue 15): a canary inside one field of a JSON secret shows only on the stdout of
 * the `get --field` that asks for that field; a canary in another field never shows at all. Every
 * field command runs plain and with `--json` + `DEBUG=*`, on its success and its failure paths.
 */
describe('a canary inside one field of a JSON secret', () => {
  const ENV = uniqueEnv('leakkv')
  const ASKED = `canary-${randomBytes(6).toString('hex')}-asked`
  const OTHER = `canary-${randomBytes(6).toString('hex')}-other`
  const NEW = `canary-${randomBytes(6).toString('hex')}-new`
  const doc = (note: string) => JSON.stringify({username: 'admin', password: ASKED, note})

  it('never shows except on the stdout of get --field asking for it', async () => {
    for (const [name, text] of [['DB', doc(OTHER)], ['DB2', doc(`${OTHER}-2`)]] as const) {
      expect((await runCli(['set', `/${ENV}/api/${name}`], {input: text})).code).toBe(0)
    }

    expect((await runCli(['set', `/${ENV}/b/DB`], {input: doc(`${OTHER}-b`)})).code).toBe(0)
    const forms: Array<{args: string[]; input?: string; asks?: boolean}> = [
      {args: ['get', `${ENV}/api`, 'DB', '--field', 'password'], asks: true},
      {args: ['get', `${ENV}/api`, 'DB', '--field', 'username']},
      {args: ['get', `${ENV}/api`, 'DB', '--field', 'missing']},
      {args: ['fields', `${ENV}/api`, 'DB']},
      {args: ['diff', `${ENV}/api`, `${ENV}/b`, '--fields']},
      {args: ['set', `${ENV}/api`, 'DB2', '--field', 'password'], input: NEW},
      {args: ['set', `${ENV}/api`, 'DB2', '--field', ''], input: NEW},
      {args: ['set', `${ENV}/api`, 'DB2', '--unset-field', 'username']},
      {args: ['set', `${ENV}/api`, 'DB2'], input: NEW},
      {args: ['set', `${ENV}/api`, 'DB2', '--field', 'token', '--generate']},
      {args: ['set', `${ENV}/api`, 'DB2', '--field', 'password', '--endpoint-url', `http://127.0.0.1:${await closedPort()}`], input: NEW},
    ]
    const failures: string[] = []
    for (const form of forms) {
      for (const json of [false, true]) {
        const result = await runCli([...form.args, ...(json ? ['--json'] : [])], {input: form.input, env: {AWS_MAX_ATTEMPTS: '1', ...(json ? {DEBUG: '*'} : {})}, timeoutMs: 45_000})
        const where = `${form.args.join(' ')}${json ? ' --json (DEBUG=*)' : ''}`
        for (const canary of [OTHER, NEW]) if (result.stdout.includes(canary) || result.stderr.includes(canary)) failures.push(`${where}: ${canary.slice(-5)} shown`)
        if (result.stderr.includes(ASKED)) failures.push(`${where}: asked field on stderr`)
        if (!form.asks && result.stdout.includes(ASKED)) failures.push(`${where}: asked field on stdout`)
        if (form.asks && result.code === 0 && !result.stdout.includes(ASKED)) failures.push(`${where}: the field asked for was not printed`)
      }
    }

    expect(failures).toEqual([])
  })
})
