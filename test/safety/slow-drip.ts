import {createServer, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface SlowDrip {
  endpoint: string
  /** Requests received (one per HTTP attempt). */
  requests: number
  /** HTTP attempts per operation (X-Amz-Target's operation). */
  count(operation: string): number
  close(): Promise<void>
}

/**
 * A server on 127.0.0.1 that answers every request at once with 200 and its headers, then sends
 * the body one byte every `intervalMs`, never finishing: the connection is never idle, so only a
 * deadline on the whole response ends an attempt.
 */
export async function startSlowDrip(intervalMs = 500): Promise<SlowDrip> {
  const open = new Set<ServerResponse>()
  const timers = new Set<NodeJS.Timeout>()
  const state = {requests: 0}
  const operations: string[] = []
  const server = createServer((req, res) => {
    state.requests++
    operations.push(String(req.headers['x-amz-target'] ?? ''))
    req.resume()
    res.writeHead(200, {'content-type': 'application/x-amz-json-1.1', 'content-length': '1000000'})
    res.write('{')
    open.add(res)
    const timer = setInterval(() => res.write(' '), intervalMs)
    timers.add(timer)
    res.on('close', () => {
      clearInterval(timer)
      timers.delete(timer)
      open.delete(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests
    },
    count: (operation) => operations.filter((target) => target.endsWith(`.${operation}`)).length,
    async close() {
      for (const timer of timers) clearInterval(timer)
      for (const res of open) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
