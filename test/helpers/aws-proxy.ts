import {createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/**
 * A loopback HTTP proxy between the CLI and the emulator that sees every AWS call, so a test can act
 * at an exact point of a run instead of after a delay: "when the emulator has answered the 12th
 * CreateSecret, freeze". It listens on 127.0.0.1 only and forwards only to the upstream it was given
 * (the emulator), never anywhere else.
 *
 * Calls are named by their operation: the action of the `X-Amz-Target` header (JSON protocols:
 * Secrets Manager, SSM), else the `Action=` of a query-protocol body (STS, IAM), else `Unknown`.
 */
export interface AwsProxy {
  /** `http://127.0.0.1:PORT`: give it to the CLI as its endpoint. */
  endpoint: string
  /** Answered calls so far (answers delivered to the client), by operation. */
  answered(operation?: string | RegExp): number
  /**
   * Freezes the run at a point. `reached` is asked after each answer is delivered, with the counts of
   * answered calls; once it says yes, every later answer is held back from the client and every later
   * request is held (forwarded to the emulator when `forwardHeld`, so it lands there but its answer
   * never reaches the client: "the write happened, the client never heard"). The promise resolves at
   * that point.
   */
  freezeWhen(reached: (answered: (operation: string | RegExp) => number) => boolean, options?: {forwardHeld?: boolean}): Promise<void>
  /** Unfreezes: held requests go to the emulator and held answers to the client, in order. */
  release(): void
  /** Resolves when no request is on its way to or from the emulator (so its state no longer moves). */
  settled(): Promise<void>
  close(): Promise<void>
}

/**
 * Decides, before a request is forwarded, whether the proxy answers it itself (test/helpers/aws-quotas.ts
 * answers throttled calls as AWS does). Returning an answer keeps the request from the emulator and
 * out of `answered`.
 */
export type ProxyGate = (request: {operation: string; target: string | undefined}) => {status: number; headers: Record<string, string>; body: string} | undefined

export interface AwsProxyOptions {
  gate?: ProxyGate
}

interface Held {
  deliver: () => void
}

export async function startAwsProxy(upstream: string, options: AwsProxyOptions = {}): Promise<AwsProxy> {
  const target = new URL(upstream)
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error(`the AWS proxy forwards to loopback only, not ${upstream}`)
  const counts = new Map<string, number>()
  const answered = (operation?: string | RegExp): number => {
    let total = 0
    for (const [name, count] of counts) {
      if (operation === undefined || (typeof operation === 'string' ? name === operation : operation.test(name))) total += count
    }

    return total
  }

  let frozen = false
  let forwardHeld = false
  let freeze: {reached: (count: typeof answered) => boolean; resolve: () => void} | undefined
  const held: Held[] = []
  let inFlight = 0
  let idle: (() => void)[] = []
  const upstreamDone = () => {
    inFlight -= 1
    if (inFlight === 0) for (const resolve of idle.splice(0)) resolve()
  }

  const checkFreeze = () => {
    if (freeze && !frozen && freeze.reached(answered)) {
      frozen = true
      freeze.resolve()
    }
  }

  const forward = (incoming: IncomingMessage, body: Buffer, operation: string, response: ServerResponse) => {
    inFlight += 1
    const outgoing = httpRequest(
      {host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers},
      (answer) => {
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => {
          upstreamDone()
          const deliver = () => {
            if (response.destroyed) return
            response.writeHead(answer.statusCode ?? 502, answer.headers as IncomingHttpHeaders)
            response.end(Buffer.concat(chunks))
            counts.set(operation, (counts.get(operation) ?? 0) + 1)
            checkFreeze()
          }

          if (frozen) held.push({deliver})
          else deliver()
        })
      },
    )
    outgoing.on('error', () => {
      upstreamDone()
      response.destroy()
    })
    outgoing.end(body)
  }

  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const body = Buffer.concat(chunks)
      const operation = operationOf(incoming.headers, body)
      const target = incoming.headers['x-amz-target']
      const refused = options.gate?.({operation, target: typeof target === 'string' ? target : undefined})
      if (refused) {
        response.writeHead(refused.status, refused.headers)
        response.end(refused.body)
        return
      }

      if (!frozen) return forward(incoming, body, operation, response)
      if (forwardHeld) return forward(incoming, body, operation, response)
      held.push({deliver: () => forward(incoming, body, operation, response)})
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    answered,
    freezeWhen(reached, options = {}) {
      forwardHeld = options.forwardHeld ?? false
      return new Promise((resolve) => {
        freeze = {reached, resolve}
        checkFreeze()
      })
    },
    release() {
      frozen = false
      freeze = undefined
      for (const entry of held.splice(0)) entry.deliver()
    },
    settled() {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve))
    },
    async close() {
      held.length = 0
      idle = []
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function operationOf(headers: IncomingHttpHeaders, body: Buffer): string {
  const target = headers['x-amz-target']
  if (typeof target === 'string' && target.includes('.')) return target.slice(target.lastIndexOf('.') + 1)
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('latin1'))
  return action?.[1] ?? 'Unknown'
}
