import {readFileSync} from 'node:fs'

import {ROOT} from './cli.js'

/**
 * The ids of the commands a user can run and see (oclif.manifest.json, written by the build): tests
 * that must cover every command take the list from here, so a new command is covered by itself.
 */
export function publicCommandIds(): string[] {
  const manifest = JSON.parse(readFileSync(`${ROOT}oclif.manifest.json`, 'utf8')) as {commands: Record<string, {hidden?: boolean}>}
  return Object.entries(manifest.commands)
    .filter(([, command]) => !command.hidden)
    .map(([id]) => id)
    .sort()
}
