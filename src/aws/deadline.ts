/**
 * A deadline on the whole of one HTTP attempt: from sending the request to the last byte of the
 * answer. The SDK's `requestTimeout` is a socket idle timeout, so a server that sends its headers and
 * then one byte every half second keeps a command waiting forever. Past the deadline the attempt is
 * aborted (request and response body destroyed) with a `TimeoutError`, which the SDK's retry strategy
 * treats as transient and src/aws/errors.ts answers with exit 6.
 */
import type {Readable} from 'node:stream'

interface HttpHandlerLike {
  handle(request: unknown, options?: {abortSignal?: AbortSignalLike; requestTimeout?: number}): Promise<{response: {body?: unknown}}>
}

/** The SDK's own AbortSignal type is not the DOM's; only these members are used. */
type AbortSignalLike = {
  aborted?: boolean
  addEventListener?: (type: 'abort', listener: () => void, options?: {once?: boolean}) => void
  removeEventListener?: (type: 'abort', listener: () => void) => void
}

const WRAPPED = Symbol.for('secrets.deadline')

/** Wraps the request handler of `client` (once) so each attempt ends within `ms` or fails. */
export function applyDeadline(client: {config: {requestHandler?: unknown}}, ms: number): void {
  const handler = client.config.requestHandler as (HttpHandlerLike & {[WRAPPED]?: boolean}) | undefined
  if (!handler || typeof handler.handle !== 'function' || handler[WRAPPED]) return
  const handle = handler.handle.bind(handler)
  handler[WRAPPED] = true
  handler.handle = (request, options = {}) => handleWithDeadline(handle, request, options, ms)
}

async function handleWithDeadline(
  handle: HttpHandlerLike['handle'],
  request: unknown,
  options: {abortSignal?: AbortSignalLike; requestTimeout?: number},
  ms: number,
): ReturnType<HttpHandlerLike['handle']> {
  const controller = new AbortController()
  const outer = options.abortSignal
  const forward = () => controller.abort()
  if (outer?.aborted) controller.abort()
  outer?.addEventListener?.('abort', forward, {once: true})
  let body: Readable | undefined
  let expired = false
  const timer = setTimeout(() => {
    expired = true
    controller.abort()
    body?.destroy(deadlineError(ms))
  }, ms)
  timer.unref()
  // Once the attempt is over: the caller's signal (one for a whole listing) keeps no listener per attempt.
  const done = () => {
    clearTimeout(timer)
    outer?.removeEventListener?.('abort', forward)
  }
  try {
    const output = await handle(request, {...options, abortSignal: controller.signal as AbortSignalLike})
    const candidate = output.response.body as Readable | undefined
    if (candidate && typeof candidate.on === 'function' && typeof candidate.destroy === 'function' && !candidate.readableEnded) {
      body = candidate
      // The deadline holds until the body is read to its end (the deserializer reads it next).
      candidate.once('end', done)
      candidate.once('close', done)
    } else {
      done()
    }

    return output
  } catch (error) {
    done()
    throw expired ? deadlineError(ms) : error
  }
}

function deadlineError(ms: number): Error {
  const error = new Error(`The answer did not complete within ${ms} ms.`)
  error.name = 'TimeoutError'
  return error
}
