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

interface Held {
  deliver: () => void
}

/** A request as the proxy saw it, for the hooks below. */
export interface ProxiedRequest {
  operation: string
  method: string
  path: string
  body: Buffer
}

/** An answer the proxy gives (or delivers) instead of the emulator's. */
export interface ProxiedAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** Hooks that let a test bed play AWS behaviour the emulator lacks (see lambda-revisions.ts). */
export interface AwsProxyHooks {
  /** Asked before a request is forwarded: an answer here is given instead, and the emulator never sees the request. */
  intercept?: (request: ProxiedRequest) => Promise<ProxiedAnswer | undefined>
  /** Rewrites the body of the emulator's answer before it is delivered. */
  rewrite?: (request: ProxiedRequest, status: number, body: Buffer) => Promise<Buffer> | Buffer
  /**
   * Asked as each request arrives, before any freeze: an answer here is given at once, the emulator
   * never sees the request and it is not counted in `answered` (test/helpers/aws-quotas.ts answers
   * throttled calls with it).
   */
  gate?: ProxyGate
}

/** See `AwsProxyHooks.gate`. */
export type ProxyGate = (request: {operation: string; target: string | undefined}) => {status: number; headers: Record<string, string>; body: string} | undefined


export async function startAwsProxy(upstream: string, hooks: AwsProxyHooks = {}): Promise<AwsProxy> {
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

  const forward = async (incoming: IncomingMessage, body: Buffer, operation: string, response: ServerResponse) => {
    const request: ProxiedRequest = {operation, method: incoming.method ?? 'GET', path: incoming.url ?? '/', body}
    const instead = await hooks.intercept?.(request)
    if (instead) {
      response.writeHead(instead.status, instead.headers)
      response.end(instead.body)
      counts.set(operation, (counts.get(operation) ?? 0) + 1)
      return
    }

    inFlight += 1
    const outgoing = httpRequest(
      {host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers},
      (answer) => {
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', async () => {
          const raw = Buffer.concat(chunks)
          const delivered = hooks.rewrite ? await hooks.rewrite(request, answer.statusCode ?? 502, raw) : raw
          upstreamDone()
          const deliver = () => {
            if (response.destroyed) return
            const headers = endToEnd(answer.headers)
            if (delivered !== raw) headers['content-length'] = String(delivered.length)
            response.writeHead(answer.statusCode ?? 502, headers)
            response.end(delivered)
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
      const operation = operationOf(incoming.headers, body, incoming.method, incoming.url)
      const amzTarget = incoming.headers['x-amz-target']
      const refused = hooks.gate?.({operation, target: typeof amzTarget === 'string' ? amzTarget : undefined})
      if (refused) {
        response.writeHead(refused.status, refused.headers)
        response.end(refused.body)
        return
      }

      if (!frozen || forwardHeld) return void forward(incoming, body, operation, response)
      held.push({deliver: () => void forward(incoming, body, operation, response)})
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

/**
 * Hop-by-hop headers (RFC 9110, 7.6.1) describe one connection, not the answer, so a proxy does not pass
 * them on. The emulator's server answers `Connection: close` to every request: passed on, it made the CLI
 * open a new connection per call, which AWS's endpoints (keep-alive) never do.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(String(headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()))
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name) && !named.has(name)))
}

function operationOf(headers: IncomingHttpHeaders, body: Buffer, method?: string, path?: string): string {
  // Lambda speaks REST: the operation is the method and the path.
  if (path !== undefined && /^\/2015-03-31\/functions\/[^/]+\/configuration/.test(path)) return method === 'PUT' ? 'UpdateFunctionConfiguration' : 'GetFunctionConfiguration'
  const target = headers['x-amz-target']
  if (typeof target === 'string' && target.includes('.')) return target.slice(target.lastIndexOf('.') + 1)
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('latin1'))
  return action?.[1] ?? 'Unknown'
}
