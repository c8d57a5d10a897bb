import {open, readFile, stat} from 'node:fs/promises'

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
    throw inputFileError(error, label, missing)
  }
}

/**
 * Reads at most `maxBytes` of a file: a regular file larger than that is refused from its size
 * without reading it (a sparse 1 GB file), and anything else (/dev/zero, a FIFO) is read only until
 * one byte past the limit. Errors as readInputFile's.
 */
export async function readInputFileAtMost(path: string, label: string, maxBytes: number): Promise<Buffer> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new UsageError(`${label} is a directory, not a file.`)
    if (info.isFile() && info.size > maxBytes) throw tooLarge(label, `is ${info.size} bytes`, maxBytes)
    const file = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(maxBytes + 1)
      let length = 0
      while (length < buffer.length) {
        const {bytesRead} = await file.read(buffer, length, buffer.length - length, null)
        if (bytesRead === 0) break
        length += bytesRead
      }

      if (length > maxBytes) throw tooLarge(label, `is over ${maxBytes} bytes (reading stopped at ${length})`, maxBytes)
      return buffer.subarray(0, length)
    } finally {
      await file.close()
    }
  } catch (error) {
    throw inputFileError(error, label)
  }
}

/** The refusal of an input over the limit: sizes only, never content. */
export function tooLarge(label: string, size: string, maxBytes: number): UsageError {
  return new UsageError(`The value from ${label} ${size}; Secrets Manager stores at most ${maxBytes}.`)
}

function inputFileError(error: unknown, label: string, missing?: () => UsageError): UsageError {
  if (error instanceof UsageError) return error
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return missing?.() ?? new UsageError(`${label}: no such file.`)
  if (code === 'EACCES' || code === 'EPERM') return new UsageError(`${label}: permission denied.`)
  return new UsageError(`${label} could not be read (${code ?? 'error'}).`)
}
