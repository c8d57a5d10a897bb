/**
 * `secrets scan`: walks the paths it is given, reads each file that may be a template, and hands its
 * text to the pure core (src/core/scan). No AWS call, no credentials: it reads files only.
 *
 * The walk skips what git ignores (the `.gitignore` files at and below each path given, with the
 * `ignore` package's implementation of git's rules), `.git` and `node_modules`, and `cdk.out` unless
 * it is the path given (a synthesized template asked for). Symbolic links to directories are not
 * followed (no loop can form); a link to a file is read as the file.
 */
import {open, readdir, readFile, stat} from 'node:fs/promises'
import {isAbsolute, join, relative, sep} from 'node:path'

import ignore, {type Ignore} from 'ignore'

import type {SecretScanner} from '../core/audit/variables.js'
import {mayBeTemplate, scanFile} from '../core/scan/scan-file.js'
import {sortScanFindings} from '../core/scan/findings.js'
import type {ScanReport} from '../core/scan/verdict.js'
import {UsageError} from '../core/errors.js'
import {baselineFingerprints} from '../core/scan/sarif.js'
import {parseHcl} from './hcl-parser.js'
import {readInputFileAtMost} from './input-file.js'

/** Bigger than this, a file is not a template (CloudFormation takes 1 MB from S3); it is skipped and said. */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules'])
const SYNTH_OUTPUT = 'cdk.out'

export interface ScanOptions {
  /** Files and directories to scan; relative ones from `cwd`. */
  paths: string[]
  cwd: string
  scan: SecretScanner
  maxBytes?: number
}

interface IgnoreScope {
  base: string
  rules: Ignore
}

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
  for (const given of options.paths.length > 0 ? options.paths : ['.']) {
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

    if (info.isDirectory()) await walk(path, [], options, report, maxBytes, seen)
    else await scanOne(path, options, report, maxBytes, seen, true)
  }

  report.findings = sortScanFindings(report.findings)
  return report
}

async function walk(dir: string, scopes: IgnoreScope[], options: ScanOptions, report: ScanReport, maxBytes: number, seen: Set<string>): Promise<void> {
  const here = [...scopes]
  const gitignore = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined)
  if (gitignore !== undefined) here.push({base: dir, rules: ignore().add(gitignore)})
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
    if (ignored(path, isDirectory, here)) continue
    if (isDirectory) {
      if (entry.name === SYNTH_OUTPUT) {
        report.skipped.push({file: display(path, options.cwd), reason: 'synthesized CDK output: run `cdk synth`, then `secrets scan cdk.out`'})
        continue
      }

      await walk(path, here, options, report, maxBytes, seen)
    } else if (entry.isSymbolicLink()) {
      const target = await stat(path).catch((error: unknown) => error as Error)
      if (target instanceof Error) report.skipped.push({file: display(path, options.cwd), reason: describeFsError(target)})
      else if (target.isDirectory()) report.skipped.push({file: display(path, options.cwd), reason: 'a symbolic link to a directory (not followed)'})
      else await scanOne(path, options, report, maxBytes, seen, false)
    } else if (entry.isFile()) {
      await scanOne(path, options, report, maxBytes, seen, false)
    }
  }
}

function ignored(path: string, isDirectory: boolean, scopes: IgnoreScope[]): boolean {
  for (const {base, rules} of scopes) {
    const rel = relative(base, path).split(sep).join('/')
    if (rel === '' || rel.startsWith('..')) continue
    if (rules.ignores(isDirectory ? `${rel}/` : rel)) return true
  }

  return false
}

async function scanOne(path: string, options: ScanOptions, report: ScanReport, maxBytes: number, seen: Set<string>, named: boolean): Promise<void> {
  const file = display(path, options.cwd)
  if (seen.has(file)) return
  seen.add(file)
  report.filesSeen++
  if (!mayBeTemplate(path)) {
    if (named) report.skipped.push({file, reason: 'not a file type scan reads (YAML, JSON, .template)'})
    return
  }

  const text = await readText(path, maxBytes).catch((error: unknown) => error as Error)
  if (text instanceof Error) {
    report.skipped.push({file, reason: text.message})
    return
  }

  const result = await scanFile(file, text, options.scan, parseHcl)
  switch (result.kind) {
    case 'scanned': {
      report.templates.push({file, format: result.format, findings: result.findings.length})
      report.findings.push(...result.findings)
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

/** The text of a file, refused (with a reason fit to print) when too large, binary or not UTF-8. */
async function readText(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw new Error(describeFsError(error))
  })
  try {
    const info = await handle.stat()
    if (info.size > maxBytes) throw new Error(`skipped: ${info.size} bytes, more than the ${maxBytes} a template may have`)
    // Read at most one byte past the limit: a FIFO or a growing file has no honest size.
    const buffer = Buffer.alloc(Math.min(info.size || maxBytes + 1, maxBytes + 1))
    const {bytesRead} = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead > maxBytes) throw new Error(`skipped: more than the ${maxBytes} bytes a template may have`)
    const bytes = buffer.subarray(0, bytesRead)
    if (bytes.subarray(0, 8192).includes(0)) throw new Error('skipped: binary (holds NUL bytes)')
    try {
      return new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    } catch {
      throw new Error('skipped: not valid UTF-8')
    }
  } finally {
    await handle.close()
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

