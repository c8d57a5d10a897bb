/**
 * Retrying an optimistic write that lost a race: full jitter ("Exponential Backoff And Jitter", AWS
 * Architecture Blog), so writers that collided once spread out instead of colliding again in step.
 */
export interface BackoffOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number
  /** The ceiling of the first wait, doubled each attempt up to `capMs`. */
  baseMs: number
  capMs: number
  /** Injected by tests. */
  random?: () => number
  sleep?: (ms: number) => Promise<void>
}

export const FIELD_WRITE_BACKOFF: BackoffOptions = {maxAttempts: 40, baseMs: 25, capMs: 1000}

/** The wait before retry number `retry` (1 for the first retry): uniform in [0, min(cap, base * 2^(retry-1))). */
export function jitteredDelay(retry: number, options: Pick<BackoffOptions, 'baseMs' | 'capMs' | 'random'>): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** (retry - 1))
  return Math.floor((options.random ?? Math.random)() * ceiling)
}

/**
 * Runs `attempt` until it gives a result (anything but `undefined`), waiting a jittered delay between
 * attempts; after `maxAttempts` calls `exhausted` builds the error to throw. Errors `attempt` throws
 * are not retried.
 */
export async function retryWithBackoff<T>(
  attempt: (number: number) => Promise<T | undefined>,
  options: BackoffOptions,
  exhausted: (attempts: number) => Error,
): Promise<{result: T; attempts: number}> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  for (let number = 1; number <= options.maxAttempts; number++) {
    if (number > 1) await sleep(jitteredDelay(number - 1, options))
    const result = await attempt(number)
    if (result !== undefined) return {result, attempts: number}
  }

  throw exhausted(options.maxAttempts)
}
