/**
 * Measures whole commands through bench/measure.py (wall time, CPU time and peak memory of each child
 * process, runs interleaved so a slow moment of the machine touches every row alike): shared by the
 * benchmarks.
 */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const MEASURE = fileURLToPath(new URL('measure.py', import.meta.url))

export interface Run {
  wall_ms: number
  cpu_ms: number
  max_rss_kb: number
  code: number
  stderr_tail: string
}

export interface Command {
  argv: string[]
  env: Record<string, string>
  stdin?: string
  /** The exit codes a successful run has (scan exits 7 on findings at or above --fail-on); 0 when not given. */
  okExit?: number | number[]
}

/** Runs each command `runs` times, interleaved; rejects when a run ends with an exit code not in its okExit. */
export function measure(commands: Record<string, Command>, runs: number): Promise<Record<string, Run[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [MEASURE], {stdio: ['pipe', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`measure.py exited ${code}`))
      const results = JSON.parse(out) as Record<string, Run[]>
      for (const [label, list] of Object.entries(results)) {
        const ok = [commands[label].okExit ?? 0].flat()
        const failed = list.find((run) => !ok.includes(run.code))
        if (failed) return reject(new Error(`${label} exited ${failed.code}: ${failed.stderr_tail}`))
      }

      resolve(results)
    })
    child.stdin.end(JSON.stringify({commands, runs, interleave: true}))
  })
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
