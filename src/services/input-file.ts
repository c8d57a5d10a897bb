import {readFile, stat} from 'node:fs/promises'

import {UsageError} from '../core/errors.js'

/**
 * Reads a file the user named (`--from-file`, `--from-dotenv`, `--config`, `--manifest`), answering
 * every way it can fail with a UsageError (exit 2) that starts with `label`. `missing` replaces the
 * "no such file" error where the caller has a better next step.
 */
export async function readInputFile(path: string, label: string, missing?: () => UsageError): Promise<Buffer> {
  try {
    // A directory is refused by name (reading one fails with a less helpful EISDIR on some systems).
    if ((await stat(path)).isDirectory()) throw new UsageError(`${label} is a directory, not a file.`)
    return await readFile(path)
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw missing?.() ?? new UsageError(`${label}: no such file.`)
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${label}: permission denied.`)
    throw new UsageError(`${label} could not be read (${code ?? 'error'}).`)
  }
}
