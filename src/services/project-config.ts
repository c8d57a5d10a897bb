import {stat} from 'node:fs/promises'
import type {Stats} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {isMap, LineCounter, type Node, parseDocument} from 'yaml'

import {ManifestError, parseProjectFile, type ProjectFile} from '../core/needs-manifest.js'
import {environmentScalars, PROJECT_FILE, secretValueHint} from '../core/project-config.js'
import {UsageError} from '../core/errors.js'
import {readInputFile} from './input-file.js'

/**
 * The project file for this run: `--config FILE`, or the nearest `secrets.yml` walking up from `cwd`
 * (as git finds its folder). Undefined when there is none: every command then behaves as before.
 */
export async function loadProjectConfig(options: {file?: string; cwd: string}): Promise<ProjectFile | undefined> {
  const path = options.file === undefined ? await findProjectFile(options.cwd) : resolve(options.cwd, options.file)
  if (path === undefined) return undefined
  const text = (await readInputFile(path, options.file === undefined ? `The project file ${path}` : `--config ${options.file}`)).toString('utf8')

  const label = options.file ?? path
  // A pasted credential is reported as such first, before any format check could describe the line.
  await refuseSecretValues(text, label)
  return parseProjectFile(text, label)
}

/**
 * The nearest `secrets.yml` in `cwd` or one of its parents. A file found this way decides which
 * account and role writes go to, so it is trusted only as git trusts a repository: refused (exit 2,
 * naming it) unless it and its folder belong to the current user or root and nobody else can write
 * it. A file named with --config is the user's explicit choice and is not checked.
 */
export async function findProjectFile(cwd: string): Promise<string | undefined> {
  let dir = resolve(cwd)
  for (;;) {
    const candidate = join(dir, PROJECT_FILE)
    let info: Stats | undefined
    try {
      info = await stat(candidate)
    } catch {
      // not here: go up
    }

    if (info?.isFile()) {
      const problem = distrust(info, await stat(dir))
      if (problem) {
        throw new UsageError(
          `Refusing the project file ${candidate}: ${problem}. A ${PROJECT_FILE} found above the working directory chooses the account and role that writes go to, so only one you (or root) own and nobody else can change is used.`,
          `If you trust it, pass --config ${candidate}; if it is yours, fix its owner or mode (chmod go-w); otherwise remove it or work outside ${dir}.`,
        )
      }

      return candidate
    }

    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** Why a file found by walking up is not trusted, or undefined. POSIX only: Windows has no uid. */
function distrust(file: Stats, folder: Stats): string | undefined {
  const me = process.getuid?.()
  if (me === undefined) return undefined
  const trusted = (uid: number) => uid === me || uid === 0
  if (!trusted(file.uid)) return `it belongs to uid ${file.uid}, not to you (uid ${me}) or root`
  if ((file.mode & 0o002) !== 0) return 'it is writable by every user'
  // Group-writable is fine for the user's own (private) group, the usual umask 002 on Linux.
  if ((file.mode & 0o020) !== 0 && file.gid !== process.getgid?.() && file.gid !== 0) return `it is writable by the group ${file.gid}`
  if (!trusted(folder.uid)) return `its folder belongs to uid ${folder.uid}, not to you (uid ${me}) or root`
  // A folder anyone may write without the sticky bit lets anyone replace the file.
  if ((folder.mode & 0o002) !== 0 && (folder.mode & 0o1000) === 0) return 'its folder is writable by every user'
  return undefined
}

/**
 * The file never holds a secret value: every string under `environments:` goes through the audit's
 * detection (credential shapes by secretlint; references, regions and ARNs are recognised as benign
 * first, so secretlint is only loaded when a free-form value such as a profile name is present).
 */
async function refuseSecretValues(text: string, file: string): Promise<void> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter})
  if (doc.errors.length > 0 || !isMap(doc.contents)) return // the parser reports it, with the line
  const section = doc.contents.get('environments', true) as Node | undefined
  if (!section) return
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1)
  const scalars = environmentScalars(section, lineOf)
  if (scalars.length === 0) return
  const [{classifyVariables}, {scanManyForSecrets}] = await Promise.all([import('../core/audit/variables.js'), import('../core/audit/secret-scan.js')])
  const verdicts = await classifyVariables(scalars, scanManyForSecrets)
  const index = verdicts.findIndex((verdict) => verdict.kind === 'secret-value')
  if (index === -1) return
  const verdict = verdicts[index] as {detail: string}
  throw new ManifestError(
    file,
    scalars[index].line,
    `the value of ${scalars[index].name} looks like a credential (${verdict.detail}); ${PROJECT_FILE} never holds a secret value (it is committed with the code).`,
    secretValueHint(),
  )
}
