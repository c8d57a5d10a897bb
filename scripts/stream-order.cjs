'use strict'
/**
 * Loaded with --require into each CLI run of the demo. stdout and stderr stay two pipes, as in any
 * pipeline; this records on fd 3, for every write, which of them it went to and its length in bytes,
 * so the demo can print them in the order a terminal would have shown them. Nothing else changes.
 */
const fs = require('node:fs')

for (const [tag, stream] of [['1', process.stdout], ['2', process.stderr]]) {
  const write = stream.write.bind(stream)
  stream.write = (chunk, encoding, callback) => {
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk.byteLength
    try {
      fs.writeSync(3, `${tag} ${bytes}\n`)
    } catch {
      // No fd 3 (run outside the demo): nothing to record.
    }

    return write(chunk, encoding, callback)
  }
}
