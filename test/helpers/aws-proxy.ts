import {createServer, request, type IncomingHttpHeaders} from 'node:http'

/** One AWS call as the proxy saw it: its `X-Amz-Target` (e.g. `secretsmanager.CreateSecret`). */
export interface ProxiedCall {
  target: string
  /** How many calls with this target have been answered so far, this one included (1-based). */
  count: number
  status: number
}

export interface AwsProxy {
  endpoint: string
  /** Every call answered so far, in order. */
  calls: ProxiedCall[]
  stop(): Promise<void>
}

/**
 * A loopback proxy in front of the emulator, for conditions that depend on *when* something happens
 * during a run. Every request is forwarded as it is; once the emulator has answered, `onAnswered` runs
 * and the CLI gets the answer only after it settles. So a test can act "just after the 1st CreateSecret
 * was answered" deterministically: the CLI is waiting on that very answer, and no sleep is involved.
 */
export async function startAwsProxy(upstream: string, onAnswered: (call: ProxiedCall) => Promise<void> | void = () => {}): Promise<AwsProxy> {
  const target = new URL(upstream)
  const counts = new Map<string, number>()
  const calls: ProxiedCall[] = []
  const server = createServer((incoming, outgoing) => {
    const body: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => body.push(chunk))
    incoming.on('end', () => {
      const forward = request(
        {host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers},
        (answer) => {
          const answerBody: Buffer[] = []
          answer.on('data', (chunk: Buffer) => answerBody.push(chunk))
          answer.on('end', async () => {
            const name = String(incoming.headers['x-amz-target'] ?? `${incoming.method} ${incoming.url}`)
            const count = (counts.get(name) ?? 0) + 1
            counts.set(name, count)
            const call = {target: name, count, status: answer.statusCode ?? 0}
            calls.push(call)
            try {
              await onAnswered(call)
            } catch (error) {
              // A failing hook must fail the test, not hang the CLI: answer 500 so it shows.
              outgoing.writeHead(500).end(String(error))
              return
            }

            const payload = Buffer.concat(answerBody)
            outgoing.writeHead(answer.statusCode ?? 500, {...withoutFraming(answer.headers), 'content-length': String(payload.length)})
            outgoing.end(payload)
          })
        },
      )
      forward.on('error', (error) => outgoing.writeHead(502).end(String(error)))
      forward.end(Buffer.concat(body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The body is re-sent whole, so the upstream's framing headers no longer apply. */
function withoutFraming(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = {...headers}
  delete copy['transfer-encoding']
  delete copy['content-length']
  delete copy.connection
  return copy
}
