// Over 300 lines on purpose: the one class every command extends, owning what they share (AWS
// flags and context, the project file and account guard, spinners, reading a value, signals, stdout
// failures, rendering the result, catch()). These are methods over one run's state (--json, whether
// stdout failed); the pure pieces live beside it (core/account-guard, core/outcome, ui/cli-errors).
import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import type {AwsContext} from './aws/clients.js'
import type * as AwsPorts from './aws/ports.js'
import {assertGuardedAccount} from './core/account-guard.js'
import {ExitCode, OutputError, SecretsError, UsageError} from './core/errors.js'
import type {ProjectFile} from './core/needs-manifest.js'
import type {CommandResult} from './core/outcome.js'
// Types only: the yaml parser behind secrets.yml is loaded on first use, never at start-up.
import type {EnvironmentEntry} from './core/project-config.js'
import {escapeLine, escapeUnsafe} from './core/printable.js'
import {assertStorableValue, MAX_SECRET_BYTES, SecretValue, stripOneTrailingNewline} from './core/secret-value.js'
import type {SecretStore} from './stores/secret-store.js'
import {promptHiddenTwice} from './ui/prompts.js'
import {isStdoutWriteError, toSecretsError} from './ui/cli-errors.js'
import {prettyJsonPieces} from './ui/json-output.js'
import {startProgress, withSpinner} from './ui/spinner.js'
import {canPrompt} from './ui/terminal.js'

/** Flags every AWS command takes; unset ones fall back to the SDK's chain (AWS_PROFILE, AWS_REGION, ...). */
export const awsFlags = {
  profile: Flags.string({description: 'AWS profile from your shared config (default: AWS_PROFILE).', helpGroup: 'AWS'}),
  region: Flags.string({description: 'AWS region (default: AWS_REGION or the profile\'s region).', helpGroup: 'AWS'}),
  'endpoint-url': Flags.string({
    description: 'Send AWS calls to this endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL).',
    helpGroup: 'AWS',
  }),
  config: Flags.string({
    description: 'Project file with per-environment accounts, roles and regions (default: the nearest secrets.yml, walking up from here).',
    helpGroup: 'AWS',
  }),
}

export type AwsFlags = Interfaces.InferredFlags<typeof awsFlags>

/** Where a migrate or promote writes, as its question names it, and what its cost estimate needs. */
export interface Destination {
  where: string
  pricing: {replicaRegions: number; pricePerSecret?: number}
}

/**
 * Owns what every command shares: AWS flags, `--json`, spinners (silent in JSON mode and off a TTY),
 * reading a secret value safely, the one way out of a command (its `CommandResult`, rendered by
 * `finish`) and one `catch()` that maps errors to exit codes.
 */
export abstract class BaseCommand<T> extends Command {
  static override baseFlags = awsFlags
  static override enableJsonFlag = true

  /**
   * Builds the Secrets Manager store for environment `env` (its account, role, region, KMS key and
   * replicas from the project file); the SDK is loaded here, on first use, never at start-up. With
   * `write`, the environment's account guard runs first.
   */
  protected async secretStore(flags: AwsFlags, env?: string, options: {write?: boolean} = {}): Promise<SecretStore> {
    const {context, entry} = await this.environment(flags, env)
    if (options.write) {
      await this.announceProjectChoice(flags, context, entry)
      await this.guardAccount(context, entry)
    }

    return (await this.aws()).secretsManagerStore(context, {kmsKeyId: entry?.kmsKeyId, replicaRegions: entry?.replicaRegions})
  }

  /**
   * Where a command gets its AWS readers and sources (src/aws/ports.ts): loaded on first use, so
   * `--help` and commands that never call AWS load no SDK. Commands import nothing from src/aws.
   */
  protected aws(): Promise<typeof AwsPorts> {
    return import('./aws/ports.js')
  }

  private projectFile?: Promise<ProjectFile | undefined>

  /** The project file (--config, or the nearest secrets.yml walking up), read once per run. */
  protected projectConfig(flags: AwsFlags): Promise<ProjectFile | undefined> {
    this.projectFile ??= import('./services/project-config.js').then(({loadProjectConfig}) =>
      loadProjectConfig({file: flags.config, cwd: process.cwd()}),
    )
    return this.projectFile
  }

  /** Where and as whom to act for `env`: flags first, then its entry in the project file, then the SDK's defaults. */
  protected async environment(flags: AwsFlags, env: string | undefined): Promise<{context: AwsContext; entry?: EnvironmentEntry}> {
    const entry = env === undefined ? undefined : (await this.projectConfig(flags))?.environments.find((candidate) => candidate.name === env)
    const context = awsContext(flags, entry)
    await assertPlacement(context, flags.region !== undefined)
    return {context, entry}
  }

  /**
   * The account guard (src/core/account-guard.ts): before a write in an environment with `account:`,
   * the caller's account (STS GetCallerIdentity, once per run) must be that one. Exit 5 naming both.
   */
  protected async guardAccount(context: AwsContext, entry: EnvironmentEntry | undefined): Promise<void> {
    if (entry?.account === undefined) return
    assertGuardedAccount(entry, await (await this.aws()).callerAccount(context))
  }

  /**
   * A write whose account, role or region a project file chose says so on stderr, naming the file:
   * a secrets.yml is easy to overlook (it may sit in a parent folder), and it decides where a value lands.
   * Written in --json mode too (stderr only), since it is about where a value goes, not progress.
   */
  private async announceProjectChoice(flags: AwsFlags, context: AwsContext, entry: EnvironmentEntry | undefined): Promise<void> {
    if (entry === undefined) return
    const file = (await this.projectConfig(flags))?.file
    const chosen: string[] = []
    if (flags.profile === undefined) {
      const {roleAccount} = await import('./core/project-config.js')
      const account = entry.account ?? (entry.role === undefined ? undefined : roleAccount(entry.role))
      if (account !== undefined) chosen.push(`account ${account}`)
      if (entry.role !== undefined) chosen.push(`role ${entry.role}`)
      if (entry.profile !== undefined) chosen.push(`profile ${entry.profile}`)
    }

    if (flags.region === undefined && entry.region !== undefined) chosen.push(`region ${context.region}`)
    if (chosen.length === 0) return
    // The file's path and the profile's name are the user's text: one line, escaped.
    process.stderr.write(`${escapeLine(`Environment ${entry.name} from ${file}: writing to ${chosen.join(', ')}.`)}\n`)
  }

  /**
   * Where a write in `env` lands, for the question asked before it ("prod (account 111111111111,
   * us-east-1)"), and the environment's replica regions and price per secret for the cost estimate.
   */
  protected async destination(flags: AwsFlags & {'price-per-secret'?: string}, env: string | undefined, label: string): Promise<Destination> {
    const {context, entry} = await this.environment(flags, env)
    const {readPrice} = await import('./core/cost.js')
    const given = flags['price-per-secret'] === undefined ? undefined : readPrice(flags['price-per-secret'], '--price-per-secret')
    if (given && 'problem' in given) throw new UsageError(given.problem)
    const price = given ? given.price : entry?.pricePerSecret
    const region = context.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
    const account = entry?.account ?? (entry?.role === undefined ? undefined : (await import('./core/project-config.js')).roleAccount(entry.role))
    const details = [account && `account ${account}`, region].filter(Boolean)
    return {
      where: details.length > 0 ? `${label} (${details.join(', ')})` : label,
      pricing: {replicaRegions: entry?.replicaRegions?.length ?? 0, ...(price === undefined ? {} : {pricePerSecret: price})},
    }
  }

  protected spin<R>(text: string, task: () => Promise<R>): Promise<R> {
    return withSpinner(text, task, !this.jsonEnabled())
  }

  /**
   * A spinner whose text the task updates (progress counts); stopped when the task ends, however it
   * ends. With `afterMs`, drawn only when the task takes longer than that.
   */
  protected async progress<R>(text: string, task: (update: (text: string) => void) => Promise<R>, options: {afterMs?: number} = {}): Promise<R> {
    const progress = await startProgress(text, !this.jsonEnabled(), options)
    try {
      return await task((next) => progress.update(next))
    } finally {
      progress.stop()
    }
  }

  /**
   * The value to store, from --from-file (exact bytes), stdin when it is not a terminal (one trailing
   * newline dropped), or a hidden prompt typed twice. Never from argv.
   */
  protected async readSecretValue(label: string, fromFile: string | undefined): Promise<SecretValue> {
    let value: SecretValue
    let source: string
    if (fromFile !== undefined) {
      source = `file ${fromFile}`
      const {readInputFileAtMost} = await import('./services/input-file.js')
      value = SecretValue.fromBytes(await readInputFileAtMost(fromFile, `file ${fromFile}`, MAX_SECRET_BYTES))
    } else if (!process.stdin.isTTY) {
      source = 'stdin'
      value = SecretValue.fromBytes(stripOneTrailingNewline(await readStdinAtMost()))
    } else if (canPrompt()) {
      source = 'the prompt'
      value = SecretValue.fromString(await promptHiddenTwice(label))
    } else {
      throw new UsageError('No value to store: stdin is a terminal but stderr is not, so no prompt can be shown.', 'Pipe the value on stdin or pass --from-file PATH.')
    }

    assertStorableValue(value, source)
    return value
  }

  override async catch(error: Error & {exitCode?: number}): Promise<never> {
    if (isStdoutWriteError(error)) {
      // The reader went away (`get ... | head -c 0`, `| true`): the command ends quietly, as `get --all` does.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw new Errors.ExitError(ExitCode.ok)
      this.reportOutputFailure(error)
      throw new Errors.ExitError(ExitCode.output)
    }

    const flagNames = [...Object.keys({...this.ctor.baseFlags, ...this.ctor.flags}), ...(this.ctor.enableJsonFlag ? ['json'] : [])]
    const failure = toSecretsError(error, flagNames)
    this.report(failure)
    throw new Errors.ExitError(failure.exitCode)
  }

  /** One error, as text on stderr or as the JSON error document on stdout. */
  private report(failure: SecretsError): void {
    if (this.jsonEnabled() && !this.stdoutFailed) {
      this.logJson({
        error: {code: failure.code, message: failure.message, exitCode: failure.exitCode, hint: failure.hint},
      })
    } else {
      process.stderr.write(`Error: ${failure.message}\n${failure.hint ? `Hint: ${failure.hint}\n` : ''}`)
    }
  }

  /**
   * --json documents are written as JSON.stringify(json, null, 2) writes them, in pieces of about
   * 64 KB (ui/json-output.ts). oclif's logJson first cuts the text into tokens to colour them (no
   * theme is set here, so none is coloured) and joins them again: for a migration of 10,000 items
   * that was some 400,000 token objects at once, the run's peak memory.
   */
  override logJson(json: unknown): void {
    let pending = ''
    for (const piece of prettyJsonPieces(json)) {
      pending += piece
      if (pending.length < JSON_WRITE_BYTES) continue
      process.stdout.write(pending)
      pending = ''
    }

    process.stdout.write(`${pending}\n`)
  }

  /**
   * oclif logs argv in its debug trace here; our init does not, in case a value was typed as an argument.
   * It answers signals and stdout errors for every command.
   */
  override async init(): Promise<void> {
    this.answerSignals()
    this.watchStdout()
  }

  private stdoutFailed = false

  /**
   * stdout errors arrive as events. oclif's listener rethrows all but EPIPE, so `> /dev/full` crashed
   * with a stack trace (after `set` had written its secret): a closed pipe is ignored (the command
   * finishes its work), any other failure is an error with exit 74, reported once on stderr.
   */
  private watchStdout(): void {
    process.stdout.removeAllListeners('error')
    process.stdout.on('error', (error: Error) => {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return
      this.reportOutputFailure(error)
      process.exitCode = ExitCode.output
    })
  }

  private reportOutputFailure(error: Error): void {
    if (this.stdoutFailed) return
    this.stdoutFailed = true
    const code = (error as NodeJS.ErrnoException).code ?? error.name
    this.report(
      new OutputError(
        `Could not write the output to stdout (${code}).`,
        'What the command did before printing (a write to AWS included) is done; check with "secrets list" or "secrets history", and give stdout somewhere it can be written.',
      ),
    )
  }

  /**
   * SIGINT and SIGTERM end every command with one answer, as migrate's do: exit 130 or 143, a message
   * on stderr or the JSON error document under --json, instead of dying silently mid-way. A command
   * that handles a signal itself registers a one-shot handler (`process.once`, as migrate does: finish
   * the writes in flight, then report) and is left to it; a second signal, its handler spent, stops at
   * once. Listeners added with `on` (signal-exit's, under a prompt) only restore the terminal at exit.
   */
  private answerSignals(): void {
    const stop = (signal: 'SIGINT' | 'SIGTERM') => {
      if (process.rawListeners(signal).some((listener) => 'listener' in listener)) return
      const exitCode = signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated
      this.report(
        new SecretsError(`Stopped by ${signal} before the command finished.`, {
          code: 'INTERRUPTED',
          exitCode,
          hint: this.stoppedHint(),
        }),
      )
      process.exit(exitCode)
    }

    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
  }

  /** The next step after a signal stopped the command; a command that writes nothing (scan) says so instead. */
  protected stoppedHint(): string {
    return 'A write already sent to AWS may have completed: check with "secrets history" or "secrets list", then run the command again.'
  }

  abstract override run(): Promise<CommandResult<T>>

  /**
   * The one way out: oclif runs the command (and prints `toSuccessJson` under --json); then the
   * result is rendered here. A failed write to stdout goes through `catch()` like any error.
   */
  protected override async _run<R>(): Promise<R> {
    const result = await super._run<CommandResult<T> | undefined>()
    if (result !== undefined) {
      try {
        await this.finish(result)
      } catch (error) {
        await this.catch(error as Error)
      }
    }

    return result as R
  }

  /** Under --json the document is the result's `json`: oclif prints it, and nothing else is printed. */
  protected override toSuccessJson(result: unknown): unknown {
    return (result as CommandResult<T>).json
  }

  /** Without --json: stdout, the notice and the hint (once); then the exit code, unless stdout already failed (74). */
  private async finish(result: CommandResult<T>): Promise<void> {
    if (!this.jsonEnabled()) {
      if (result.stdout !== undefined) await writeStdout(result.stdout)
      if (result.newlineOnTerminal && process.stdout.isTTY) await writeStdout('\n')
      // A notice or hint may quote text from AWS (a rotation schedule, a name): escaped, as an error's message is.
      if (result.notice !== undefined) process.stderr.write(`${escapeUnsafe(result.notice)}\n`)
      if (result.hint !== undefined) process.stderr.write(`${result.exitCode === ExitCode.ok ? 'Note' : 'Hint'}: ${escapeUnsafe(result.hint)}\n`)
    }

    if (!this.stdoutFailed) process.exitCode = result.exitCode
  }

  /**
   * SIGINT and SIGTERM handled by the command itself (migrate: finish the writes in flight, then
   * report), once each: a second signal stops at once (see answerSignals). Returns the release.
   */
  protected onStop(handler: (signal: NodeJS.Signals) => void): () => void {
    process.once('SIGINT', handler)
    process.once('SIGTERM', handler)
    return () => {
      process.removeListener('SIGINT', handler)
      process.removeListener('SIGTERM', handler)
    }
  }
}

/**
 * Writes to stdout and waits for it: a closed pipe (EPIPE) is no failure (the reader went away; the
 * exit code stays the result's), any other error rejects (exit 74, through catch()).
 */
function writeStdout(data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (error) => (error && (error as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(error) : resolve()))
  })
}

/**
 * Flags win, then the environment's entry in secrets.yml, then the SDK's own chain. A --profile flag
 * replaces the entry's credentials entirely (its profile or its role), as a flag is the user's
 * explicit choice for this one run; the account guard still checks the result.
 */
export function awsContext(flags: Pick<AwsFlags, 'profile' | 'region' | 'endpoint-url'>, entry?: EnvironmentEntry): AwsContext {
  // The SDK reads AWS_REGION only; the AWS CLI also honours AWS_DEFAULT_REGION, and users expect both.
  const region = flags.region ?? entry?.region ?? (process.env.AWS_REGION ? undefined : process.env.AWS_DEFAULT_REGION)
  const credentials = flags.profile === undefined ? {profile: entry?.profile, role: entry?.role} : {profile: flags.profile}
  return {...credentials, region, endpointUrl: flags['endpoint-url']}
}

/** Variables the SDK reads an endpoint from (the per-service ones of the clients this CLI builds). */
const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL', ...['SECRETS_MANAGER', 'SSM', 'STS', 'IAM', 'LAMBDA', 'ECS'].map((service) => `AWS_ENDPOINT_URL_${service}`)]

/**
 * A region or an endpoint the SDK cannot use is a usage error (exit 2) before any call, not an
 * "unexpected" TypeError from deep in the SDK. Neither is quoted: an endpoint may carry a password.
 */
async function assertPlacement(context: AwsContext, regionFlag: boolean): Promise<void> {
  const [{REGION}, {endpointProblem}] = await Promise.all([import('./core/iam-policy.js'), import('./core/endpoint.js')])
  const region = context.region ?? process.env.AWS_REGION
  if (region !== undefined && region !== '' && !REGION.test(region)) {
    const from = regionFlag ? '--region' : context.region === undefined ? 'AWS_REGION' : 'AWS_DEFAULT_REGION'
    throw new UsageError(`${from} is not an AWS region such as us-east-1 (not shown as given).`, 'Pass --region REGION, set AWS_REGION, or fix region: in secrets.yml.')
  }

  const endpoints: Array<[string, string | undefined]> = [['--endpoint-url', context.endpointUrl]]
  if (process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== 'true') for (const name of ENDPOINT_VARIABLES) endpoints.push([name, process.env[name]])
  for (const [from, url] of endpoints) {
    if (url === undefined || url === '') continue
    const problem = endpointProblem(url)
    if (problem) throw new UsageError(`${from} ${problem} (the value is not shown: a URL may carry a password).`)
  }
}

/** Silence on stdin this long, with nothing read yet, gets a note on stderr saying what is awaited. */
const STDIN_NOTICE_MS = 3000

/**
 * Stdin up to the largest storable value plus the one trailing "\r\n" that is dropped: reading stops
 * one byte past that (`yes | secrets set` would otherwise fill memory), and the value is refused
 * (exit 2). A pipe that stays open and silent (`sleep 1000 | secrets set ...`) gets a note on stderr
 * after a few seconds, so nobody waits on a command that is itself waiting.
 */
async function readStdinAtMost(): Promise<Uint8Array> {
  const limit = MAX_SECRET_BYTES + 2
  const chunks: Buffer[] = []
  let length = 0
  const notice = setTimeout(() => {
    process.stderr.write('Waiting for the value on stdin (nothing has arrived yet): pipe it in and close the pipe, or use --from-file PATH.\n')
  }, STDIN_NOTICE_MS)
  notice.unref()
  try {
    for await (const chunk of process.stdin) {
      clearTimeout(notice)
      chunks.push(chunk as Buffer)
      length += (chunk as Buffer).length
      if (length > limit) {
        // Stop reading: the producer gets EPIPE (or SIGPIPE) instead of us buffering all of it.
        process.stdin.destroy()
        const {tooLarge} = await import('./services/input-file.js')
        throw tooLarge('stdin', `is over ${MAX_SECRET_BYTES} bytes (reading stopped at ${length})`, MAX_SECRET_BYTES)
      }
    }
  } catch (error) {
    if (error instanceof UsageError) throw error
    // A closed stdin (`<&-`) reads as nothing; the empty-value check then explains what to do.
  } finally {
    clearTimeout(notice)
  }

  return Buffer.concat(chunks)
}

/** A --json document is written to stdout in pieces of at least this many characters. */
const JSON_WRITE_BYTES = 64 * 1024
