/**
 * The files git says changed since a ref, for `secrets scan --changed`: a pull request's gate reads
 * only what the branch touched. The one place scan starts a child process (`git`), and only when
 * --changed asks for it: what changed between two commits is not in git's index.
 */
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {UsageError} from '../core/errors.js'

const run = promisify(execFile)

/** A diff of a large repository's branch stays well under this. */
const MAX_GIT_OUTPUT_BYTES = 64 * 1024 * 1024

async function git(args: string[], cwd: string): Promise<string> {
  const {stdout} = await run('git', args, {cwd, maxBuffer: MAX_GIT_OUTPUT_BYTES, encoding: 'utf8'})
  return stdout
}

/** Whether a ref names a commit here. */
async function exists(ref: string, cwd: string): Promise<boolean> {
  return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd).then(
    () => true,
    () => false,
  )
}

/** The default branch: the remote's HEAD when known, else origin/main, origin/master, main or master. */
async function defaultBranch(cwd: string): Promise<string> {
  const remoteHead = await git(['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'], cwd).then(
    (text) => text.trim(),
    () => '',
  )
  for (const candidate of [remoteHead, 'origin/main', 'origin/master', 'main', 'master']) {
    if (candidate !== '' && (await exists(candidate, cwd))) return candidate
  }

  throw new UsageError('--changed found no default branch (origin/HEAD, main or master): name the ref with --since REF.')
}

/**
 * The absolute paths of the files changed since the merge base of `since` (the default branch when
 * absent) and HEAD: committed on the branch, changed in the work tree, or new and not ignored. A
 * deleted file is not listed.
 */
export async function changedFiles(options: {cwd: string; since?: string}): Promise<string[]> {
  const {cwd} = options
  const top = await git(['rev-parse', '--show-toplevel'], cwd).then(
    (text) => text.replace(/\r?\n$/, ''),
    () => {
      throw new UsageError('--changed reads git: run it inside a git work tree.')
    },
  )
  const since = options.since ?? (await defaultBranch(cwd))
  if (since.startsWith('-') || !(await exists(since, cwd))) throw new UsageError(`--since ${since} names no commit here.`)
  const base = (await git(['merge-base', since, 'HEAD'], cwd).catch(() => {
    throw new UsageError(`--since ${since} shares no history with HEAD.`)
  })).trim()
  // -z: names as they are, never quoted; --no-renames: a renamed file is listed under its new name.
  const changed = await git(['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', '--diff-filter=d', base, '--'], top)
  const untracked = await git(['ls-files', '-z', '--others', '--exclude-standard'], top)
  const files = new Set([...changed.split('\0'), ...untracked.split('\0')].filter((name) => name.length > 0))
  return [...files].sort().map((name) => join(top, name))
}
