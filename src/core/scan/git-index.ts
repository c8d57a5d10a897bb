/**
 * The paths git tracks, read from its index file (`.git/index`, format versions 2, 3 and 4), so scan
 * can tell a tracked file from an ignored one without starting `git` (a walk starts no child
 * process; only `scan --changed` runs git, services/git-changes.ts). Git never ignores a tracked
 * file, whatever .gitignore says: neither may scan.
 *
 * Only the paths are read. A split index (its `link` extension names a shared index holding the
 * rest) is not read: the caller then knows nothing of what is tracked and must not trust .gitignore.
 */

export class GitIndexError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GitIndexError'
  }
}

/** The fixed part of an entry: times, dev, ino, mode, uid, gid, size (40 bytes), the object id (20), flags (2). */
const FIXED = 62
const HASH = 20
const EXTENDED = 0x40_00

/** The tracked paths of an index file's bytes, `/`-separated as git keeps them; throws GitIndexError. */
export function trackedPaths(bytes: Uint8Array): string[] {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (data.length < 12 + HASH || data.toString('latin1', 0, 4) !== 'DIRC') throw new GitIndexError('not a git index')
  const version = data.readUInt32BE(4)
  if (version < 2 || version > 4) throw new GitIndexError(`git index version ${version} is not read`)
  const count = data.readUInt32BE(8)
  const end = data.length - HASH
  const decoder = new TextDecoder()
  const paths: string[] = []
  let offset = 12
  let previous: Buffer = Buffer.alloc(0)
  for (let index = 0; index < count; index++) {
    const start = offset
    if (offset + FIXED > end) throw new GitIndexError('git index is truncated')
    const flags = data.readUInt16BE(offset + FIXED - 2)
    offset += FIXED
    if (version >= 3 && flags & EXTENDED) offset += 2
    let name: Buffer
    if (version === 4) {
      // The path is the previous one less its last N bytes, plus the NUL-terminated suffix here.
      let byte = data[offset++]
      let strip = byte & 0x7f
      while (byte & 0x80) {
        if (offset >= end) throw new GitIndexError('git index is truncated')
        byte = data[offset++]
        strip = ((strip + 1) << 7) | (byte & 0x7f)
      }

      const nul = data.indexOf(0, offset)
      if (nul === -1 || nul >= end || strip > previous.length) throw new GitIndexError('git index is truncated')
      name = Buffer.concat([previous.subarray(0, previous.length - strip), data.subarray(offset, nul)])
      offset = nul + 1
    } else {
      const nul = data.indexOf(0, offset)
      if (nul === -1 || nul >= end) throw new GitIndexError('git index is truncated')
      name = data.subarray(offset, nul)
      // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
      offset = start + Math.ceil((nul + 1 - start) / 8) * 8
    }

    previous = name
    paths.push(decoder.decode(name))
  }

  for (const signature of extensions(data, offset, end)) {
    if (signature === 'link') throw new GitIndexError('a split git index is not read')
  }

  return paths
}

/** The signatures of the extensions after the entries. */
function extensions(data: Buffer, from: number, end: number): string[] {
  const found: string[] = []
  let offset = from
  while (offset + 8 <= end) {
    found.push(data.toString('latin1', offset, offset + 4))
    offset += 8 + data.readUInt32BE(offset + 4)
  }

  return found
}
