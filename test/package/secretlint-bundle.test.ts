/**
 * The bundled secretlint leaves no mark on Node's performance timeline: its profiler searched every
 * earlier mark at each new one, so a scan of hundreds of templates spent seconds there (scripts/bundle.ts).
 */
import {execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

const DIST = fileURLToPath(new URL('../../dist/lib/', import.meta.url))

describe('the secretlint bundle', () => {
  it('lints without marking the performance timeline, and still finds a key', () => {
    const script = `
      const {lintSource} = require(${JSON.stringify(`${DIST}secretlint-core.cjs`)})
      const {creator} = require(${JSON.stringify(`${DIST}secretlint-secretlint-rule-preset-recommend.cjs`)})
      const config = {rules: [{id: '@secretlint/secretlint-rule-preset-recommend', rule: creator}]}
      ;(async () => {
        let messages = 0
        for (let i = 0; i < 20; i++) {
          const result = await lintSource({source: {content: 'KEY=' + 'ghp_' + 'a'.repeat(36) + '\\n', filePath: 'x.env', ext: '.env', contentType: 'text'}, options: {config, maskSecrets: true, noPhysicFilePath: true}})
          messages += result.messages.length
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
        const {performance} = require('node:perf_hooks')
        console.log(JSON.stringify({messages, marks: performance.getEntriesByType('mark').length}))
      })()
    `
    const output = JSON.parse(execFileSync(process.execPath, ['-e', script], {encoding: 'utf8'})) as {messages: number; marks: number}
    expect(output.messages).toBe(20)
    // Before: hundreds of marks, each observed and compared with every one before it.
    expect(output.marks).toBe(0)
  })
})
