/**
 * `secrets scan`: walks the paths it is given, reads each file that may be a template, and hands its
 * text to the pure core (src/core/scan). No AWS call, no credentials: it reads files only.
 *
 * The walk skips what git ignores (the `.gitignore` files at and below each path given, with the
 * `ignore` package's implementation of git's rules) unless git tracks it (read from git's index,
 * core/scan/git-index.ts: git never ignores a tracked file), `.git` and `node_modules`, and `cdk.out`
 * unless it is the path given (a synthesized template asked for). Symbolic links to directories are
 * not followed (no loop can form); a link to a file is read as the file when the file is inside the
 * tree scanned. Only regular files are opened, and never in a way that could wait (a FIFO, a device).
 */
import {constants} from 'node:fs'
import {lstat, open, readdir, realpath, stat} from 'node:fs/promises'
import {dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'

import createDebug from 'debug'
import ignore, {type Ignore} from 'ignore'

import type {SecretScanner} from '../core/audit/variables.js'
import {scanManyForSecrets} from '../core/audit/secret-scan.js'
import {mayBeTemplate, scanFile, worthParsing} from '../core/scan/scan-file.js'
import {fingerprintedFrom, sortScanFindings} from '../core/scan/findings.js'
import type {ScanReport} from '../core/scan/verdict.js'
import {UsageError} from '../core/errors.js'
import {baselineFingerprints} from '../core/scan/sarif.js'
import {trackedPaths} from '../core/scan/git-index.js'
import {changedFiles} from './git-changes.js'
import {parseHcl} from './hcl-parser.js'
import {LARGE_FILE_CHARS, scanInWorker} from './large-file-scan.js'
import {readInputFileAtMost} from './input-file.js'

/** Bigger than this, a file is not a template (CloudFormation takes 1 MB from S3); it is skipped and said. */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024

/** DEBUG=secrets:scan names each file as it is read (names only: never a line of one). */
const trace = createDebug('secrets:scan')

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules'])
const SYNTH_OUTPUT = 'cdk.out'
/**
 * Trees of someone else's code or of build output: vendored packages, a Python environment's
 * packages, SAM's and Serverless's build folders (copies of the templates beside them), Terraform's
 * downloaded modules. They hold thousands of data files and no template of the project's own; each is
 * named in the report, and read when given as a PATH.
 */
const VENDORED = new Map([
  ['vendor', 'vendored packages'],
  ['site-packages', "a Python environment's packages"],
  ['bower_components', 'vendored packages'],
  ['.aws-sam', "SAM's build output (copies of the template)"],
  ['.serverless', "Serverless Framework's build output"],
  ['.terraform', "Terraform's downloaded providers and modules"],
  ['.tox', "tox's Python environments"],
  ['__pycache__', 'compiled Python'],
])

export interface ScanOptions {
  /** Files and directories to scan; relative ones from `cwd`. */
  paths: string[]
  cwd: string
  /**
   * The detector, injected by tests; the real one when absent. A large file goes to the worker only
   * then, since the worker runs the real detector and a function cannot be sent to it.
   */
  scan?: SecretScanner
  maxBytes?: number
  /** Only the files git says changed since `since` (the default branch when absent), under `paths`. */
  changed?: {since?: string}
  /** Told after each file: how many files the walk has seen, and how many templates it has read. */
  onProgress?: (progress: ScanProgress) => void
}

export interface ScanProgress {
  filesSeen: number
  templates: number
}

interface IgnoreScope {
  base: string
  rules: Ignore
}

/** A path given to scan: where the walk may read (its real path), and what git tracks around it. */
interface Root {
  /** The real path of the directory given (of a file's directory): a link leading elsewhere is not read. */
  real: string
  git?: GitTracking
  /**
   * Where fingerprints are counted from: the git work tree's top, else the directory given (a file's
   * directory), so a baseline matches whatever path was typed and wherever scan runs.
   */
  base: string
}

/** What git tracks in the work tree holding a root, as paths from the work tree's top. */
interface GitTracking {
  top: string
  /** False when the index could not be read: anything may be tracked, so .gitignore hides nothing. */
  known: boolean
  files: Set<string>
  /** Every directory that holds a tracked file, at any depth. */
  directories: Set<string>
}

/** A .gitignore is a few KB; more than this is not one, and is not read. */
const MAX_GITIGNORE_BYTES = 1024 * 1024
/** Git's index of a large monorepo is tens of MB. */
const MAX_GIT_INDEX_BYTES = 256 * 1024 * 1024

/** A baseline report is a JSON document written by scan; more than this is not one. */
const MAX_BASELINE_BYTES = 64 * 1024 * 1024

/** The fingerprints of a previous `--json` or SARIF report (`--baseline FILE`). */
export async function readBaseline(path: string): Promise<Set<string>> {
  const text = (await readInputFileAtMost(path, `--baseline ${path}`, MAX_BASELINE_BYTES)).toString('utf8')
  try {
    return baselineFingerprints(text)
  } catch (error) {
    throw new UsageError(`--baseline ${path} ${(error as Error).message}.`)
  }
}

export async function runScan(options: ScanOptions): Promise<ScanReport> {
  const report: ScanReport = {findings: [], templates: [], unparsable: [], skipped: [], filesSeen: 0}
  const maxBytes = options.maxBytes ?? MAX_TEMPLATE_BYTES
  const seen = new Set<string>()
  const roots = options.paths.length > 0 ? options.paths : ['.']
  for (const given of options.changed === undefined ? roots : await changedTemplates(roots, options.cwd, options.changed.since)) {
    const path = isAbsolute(given) ? given : join(options.cwd, given)
    let info
    try {
      info = await stat(path)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new UsageError(`No such file or directory: ${given}.`)
      report.skipped.push({file: given, reason: describeFsError(error)})
      continue
    }

    // A file named is read whatever .gitignore says; only a directory's walk asks git.
    if (info.isDirectory()) await walk(path, [], await rootOf(path, report, options.cwd), options, report, maxBytes, seen)
    // A file git listed for --changed is one a walk would have found: not named, so a non-template is passed over quietly.
    else await scanLink(path, {real: await realpath(dirname(path)), base: (await gitTopOf(dirname(path))) ?? resolve(dirname(path))}, options, report, maxBytes, seen, options.changed === undefined)
  }

  report.findings = sortScanFindings(report.findings)
  return report
}

/**
 * The files changed since `since` that a walk of `roots` would read by their names: under a root, of
 * a name scan reads, and not inside a tree the walk passes over (node_modules, cdk.out, vendor, ...)
 * unless that tree is the root given.
 */
async function changedTemplates(roots: string[], cwd: string, since: string | undefined): Promise<string[]> {
  const files = await changedFiles({cwd, ...(since === undefined ? {} : {since})})
  const dirs = roots.map((root) => resolve(cwd, root))
  return files.filter((file) =>
    mayBeTemplate(file) &&
    dirs.some((dir) => {
      if (!inside(file, dir)) return false
      const folders = relative(dir, file).split(sep).slice(0, -1)
      return !folders.some((name) => ALWAYS_SKIPPED.has(name) || name === SYNTH_OUTPUT || VENDORED.has(name))
    }),
  )
}

async function walk(dir: string, scopes: IgnoreScope[], root: Root, options: ScanOptions, report: ScanReport, maxBytes: number, seen: Set<string>): Promise<void> {
  const here = [...scopes]
  const rules = await readGitignore(join(dir, '.gitignore'), root, options.cwd, report)
  if (rules !== undefined) here.push({base: dir, rules: ignore().add(rules)})
  let entries
  try {
    entries = await readdir(dir, {withFileTypes: true})
  } catch (error) {
    report.skipped.push({file: display(dir, options.cwd), reason: describeFsError(error)})
    return
  }

  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (ALWAYS_SKIPPED.has(entry.name)) continue
    const isDirectory = entry.isDirectory()
    if (ignored(path, isDirectory, here) && !tracked(path, isDirectory, root.git)) continue
    if (isDirectory) {
      if (entry.name === SYNTH_OUTPUT) {
        report.skipped.push({file: display(path, options.cwd), reason: 'synthesized CDK output: run `cdk synth`, then `secrets scan cdk.out`'})
        continue
      }

      const vendored = VENDORED.get(entry.name)
      if (vendored !== undefined) {
        report.skipped.push({file: display(path, options.cwd), reason: `${vendored}: not read (name it as a PATH to scan it)`})
        continue
      }

      await walk(path, here, root, options, report, maxBytes, seen)
    } else if (entry.isSymbolicLink()) {
      await scanLink(path, root, options, report, maxBytes, seen, false)
    } else if (entry.isFile()) {
      await scanOne(path, root, options, report, maxBytes, seen, false)
    } else if (mayBeTemplate(path)) {
      report.skipped.push({file: display(path, options.cwd), reason: notRegular(entry)})
    }
  }
}

/**
 * A symbolic link (or a file named on the command line, which may be one): read only when it leads to
 * a regular file inside the tree scanned. A committed link to /elsewhere/.env.production would put
 * the names and lines of a file outside the repository into CI logs; the target is never named.
 */
async function scanLink(path: string, root: Root, options: ScanOptions, report: ScanReport, maxBytes: number, seen: Set<string>, named: boolean): Promise<void> {
  const file = display(path, options.cwd)
  const target = await realpath(path).catch((error: unknown) => error as Error)
  if (target instanceof Error) {
    report.skipped.push({file, reason: describeFsError(target)})
    return
  }

  const info = await stat(target).catch((error: unknown) => error as Error)
  if (info instanceof Error) report.skipped.push({file, reason: describeFsError(info)})
  else if (info.isDirectory()) report.skipped.push({file, reason: 'a symbolic link to a directory (not followed)'})
  // A file scan would not read anyway (and a .gitignore, read by the walk) is passed over as a plain one would be.
  else if (!named && !mayBeTemplate(path)) return
  else if (!inside(target, root.real)) report.skipped.push({file, reason: 'a symbolic link out of the tree scanned (not followed)'})
  else if (info.isFile()) await scanOne(path, root, options, report, maxBytes, seen, named)
  else report.skipped.push({file, reason: notRegular(info)})
}

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** Why a FIFO, socket or device is not read (opening a FIFO waits for a writer; /dev/zero never ends). */
function notRegular(info: {isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean}): string {
  const kind = info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a FIFO' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'a special file'
  return `skipped: not a regular file (${kind})`
}

/** Where a directory's walk may read, and what git tracks around it. */
async function rootOf(dir: string, report: ScanReport, cwd: string): Promise<Root> {
  const tracking = await gitTracking(dir, report, cwd)
  return {real: await realpath(dir), ...tracking, base: tracking.git?.top ?? resolve(dir)}
}

/** The top of the git work tree holding `dir`: the nearest directory above it with a `.git` (a directory, or a file in a linked worktree or a submodule). */
async function gitTopOf(dir: string): Promise<string | undefined> {
  for (let top = resolve(dir); ; top = dirname(top)) {
    if ((await lstat(join(top, '.git')).catch(() => undefined)) !== undefined) return top
    if (dirname(top) === top) return undefined
  }
}

/**
 * What git tracks in the work tree holding `dir`: its `.git` (a directory, or a file naming the git
 * directory, as in a linked worktree or a submodule) found by walking up, and the index there. When
 * the index cannot be read, .gitignore is not trusted at all (every file is scanned), and that is said.
 */
async function gitTracking(dir: string, report: ScanReport, cwd: string): Promise<{git?: GitTracking}> {
  const top = await gitTopOf(dir)
  if (top === undefined) return {}
  const dotGit = join(top, '.git')
  try {
    const info = await lstat(dotGit)
    const gitDir = info.isDirectory() ? dotGit : await gitDirOf(dotGit, top)
    const index = await readRegularFile(join(gitDir, 'index'), MAX_GIT_INDEX_BYTES, "git's index").catch((error: unknown) => {
      // A repository with nothing staged yet has no index: nothing is tracked.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    })
    const files = new Set(index === undefined ? [] : trackedPaths(index))
    const directories = new Set<string>()
    for (const file of files) for (let at = file.lastIndexOf('/'); at > 0; at = file.lastIndexOf('/', at - 1)) directories.add(file.slice(0, at))
    return {git: {top, known: true, files, directories}}
  } catch (error) {
    report.skipped.push({file: display(dotGit, cwd), reason: `git's index could not be read (${(error as Error).message}): .gitignore is not applied`})
    return {git: {top, known: false, files: new Set(), directories: new Set()}}
  }
}

/** The git directory a `.git` file names (`gitdir: PATH`, relative to the work tree). */
async function gitDirOf(dotGit: string, top: string): Promise<string> {
  const text = (await readRegularFile(dotGit, 64 * 1024, 'a .git file')).toString('utf8')
  const match = /^gitdir: (.+?)\r?\n?$/m.exec(text)
  if (!match) throw new Error('.git names no git directory')
  return resolve(top, match[1])
}

/** Whether git tracks the file, or a file under the directory: then .gitignore does not hide it. */
function tracked(path: string, isDirectory: boolean, git: GitTracking | undefined): boolean {
  if (git === undefined) return false
  if (!git.known) return true
  const rel = relative(git.top, path).split(sep).join('/')
  return isDirectory ? git.directories.has(rel) : git.files.has(rel)
}

function ignored(path: string, isDirectory: boolean, scopes: IgnoreScope[]): boolean {
  for (const {base, rules} of scopes) {
    const rel = relative(base, path).split(sep).join('/')
    if (rel === '' || rel.startsWith('..')) continue
    if (rules.ignores(isDirectory ? `${rel}/` : rel)) return true
  }

  return false
}

async function scanOne(path: string, root: Root, options: ScanOptions, report: ScanReport, maxBytes: number, seen: Set<string>, named: boolean): Promise<void> {
  const file = display(path, options.cwd)
  if (seen.has(file)) return
  seen.add(file)
  report.filesSeen++
  try {
    await readAndScan(path, file, root, options, report, maxBytes, named)
  } finally {
    options.onProgress?.({filesSeen: report.filesSeen, templates: report.templates.length})
  }
}

/** The rest of scanOne: reads the file when its name may be a template, and scans it when its text is one. */
async function readAndScan(path: string, file: string, root: Root, options: ScanOptions, report: ScanReport, maxBytes: number, named: boolean): Promise<void> {
  if (!mayBeTemplate(path)) {
    if (named) report.skipped.push({file, reason: 'not a file type scan reads (YAML, JSON, .template)'})
    return
  }

  const text = await readTemplateText(path, maxBytes).catch((error: unknown) => error as Error)
  if (text instanceof Error) {
    report.skipped.push({file, reason: text.message})
    return
  }

  trace('reading %s', JSON.stringify(file))
  if (!worthParsing(path, text)) {
    if (named) report.skipped.push({file, reason: /\.tf$/i.test(path) ? 'declares nothing scan reads (no function, task definition, parameter, IAM or Secrets Manager block)' : 'not a template scan reads'})
    return
  }

  // A large YAML or JSON file is parsed off the main thread, which must stay free to answer signals.
  const large = options.scan === undefined && text.length > LARGE_FILE_CHARS && !/\.tf$/i.test(path)
  if (large) trace('scanning %s in a worker', JSON.stringify(file))
  const inWorker = large ? await scanInWorker(file, text) : undefined
  const result = inWorker ?? (await scanFile(file, text, options.scan ?? scanManyForSecrets, parseHcl))
  switch (result.kind) {
    case 'scanned': {
      report.templates.push({file, format: result.format, findings: result.findings.length})
      const fromBase = relative(root.base, path).split(sep).join('/')
      report.findings.push(...result.findings.map((item) => fingerprintedFrom(item, fromBase)))
      break
    }

    case 'unparsable': {
      report.unparsable.push({file, ...(result.line === undefined ? {} : {line: result.line}), reason: result.reason})
      break
    }

    case 'not-a-template': {
      if (named) report.skipped.push({file, reason: 'not a template scan reads'})
      break
    }
  }
}

/** The text of a file, refused (with a reason fit to print) when not a regular file, too large, binary or not UTF-8. */
export async function readTemplateText(path: string, maxBytes: number): Promise<string> {
  const bytes = await readRegularFile(path, maxBytes).catch((error: unknown) => {
    if (error instanceof FileRefusal) throw error
    // The reason is fit to print; the code lets a caller say "no such file" where that is the case.
    throw Object.assign(new Error(describeFsError(error)), {code: (error as NodeJS.ErrnoException).code})
  })
  if (bytes.subarray(0, 8192).includes(0)) throw new Error('skipped: binary (holds NUL bytes)')
  try {
    return new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    throw new Error('skipped: not valid UTF-8')
  }
}

/** A file refused for what it is (not regular, too large), with a reason fit to print. */
class FileRefusal extends Error {}

/**
 * The bytes of a regular file of at most `maxBytes`. It is opened without waiting (O_NONBLOCK: a FIFO
 * put in its place after a check would otherwise block a thread that even SIGTERM's exit waits for)
 * and checked on the open descriptor, so what is read is what was checked.
 */
async function readRegularFile(path: string, maxBytes: number, what = 'a template'): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new FileRefusal(notRegular(info))
    if (info.size > maxBytes) throw new FileRefusal(`skipped: ${info.size} bytes, more than the ${maxBytes} ${what} may have`)
    // Read at most one byte past the limit: a growing file has no honest size.
    const buffer = Buffer.alloc(Math.min(info.size + 1, maxBytes + 1))
    let length = 0
    while (length < buffer.length) {
      const {bytesRead} = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }

    if (length > maxBytes) throw new FileRefusal(`skipped: more than the ${maxBytes} bytes ${what} may have`)
    return buffer.subarray(0, length)
  } finally {
    await handle.close()
  }
}

/**
 * A directory's .gitignore, when it is a regular file inside the tree: one that is a FIFO, a link to
 * /dev/zero or out of the tree is not read, and is named. Missing is the usual case, and silent.
 */
async function readGitignore(path: string, root: Root, cwd: string, report: ScanReport): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined)
  if (info === undefined) return undefined
  const refuse = (reason: string) => {
    report.skipped.push({file: display(path, cwd), reason: `${reason}; its rules are not applied`})
    return undefined
  }

  if (info.isSymbolicLink()) {
    const target = await realpath(path).catch((error: unknown) => error as Error)
    if (target instanceof Error) return refuse(describeFsError(target))
    if (!inside(target, root.real)) return refuse('a symbolic link out of the tree scanned (not followed)')
  }

  try {
    return (await readRegularFile(path, MAX_GITIGNORE_BYTES, 'a .gitignore')).toString('utf8')
  } catch (error) {
    return refuse(error instanceof FileRefusal ? error.message : describeFsError(error))
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  switch (code) {
    case 'EACCES':
    case 'EPERM': {
      return 'cannot be read: permission denied'
    }

    case 'ELOOP': {
      return 'a symbolic link loop'
    }

    case 'ENOENT': {
      return 'a broken symbolic link'
    }

    default: {
      return `cannot be read (${code ?? (error as Error).name})`
    }
  }
}

/** Paths as the user would type them: relative to the working directory when under it. */
function display(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel.split(sep).join('/')
}

