import {accessSync, constants, copyFileSync, linkSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {BIN, cliEnv, type ProcessResult, runProcess} from './cli.js'

/**
 * A path to this Node binary that another user can execute, for tests that run the CLI as one
 * (`setpriv --reuid`). The running binary may sit where only its owner can reach it (a Node line CI
 * installed under root's 0700 home, an nvm under ~/.nvm): then it is linked, or copied, into `dir`,
 * which the caller has made reachable.
 */
export function nodeForOtherUsers(dir: string): string {
  if (reachableByOthers(process.execPath)) return process.execPath
  const target = join(dir, 'node')
  try {
    accessSync(target, constants.X_OK)
    return target
  } catch {}

  try {
    linkSync(process.execPath, target)
  } catch {
    // Another file system: a copy (about 120 MB, once per caller's folder).
    copyFileSync(process.execPath, target)
  }

  return target
}

/** Every folder above `file` lets others through, and `file` lets others execute it. */
function reachableByOthers(file: string): boolean {
  if ((statSync(file).mode & 0o001) === 0) return false
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false
    if (dirname(dir) === dir) return true
  }
}

/**
 * Runs the built CLI as another user (setpriv, as root): `uid` should have a passwd entry (65534,
 * nobody), so the repository's own node binary and bin/ are reachable as they are.
 */
export function runCliAs(uid: number, args: string[], cwd = tmpdir()): Promise<ProcessResult> {
  return runProcess('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, BIN, ...args], {
    cwd,
    env: {...cliEnv(), HOME: tmpdir(), SECRETS_NO_CODE_CACHE: '1'},
  })
}
