import type {SecretValue} from '../../core/secret-value.js'

/**
 * Values held between plan and write. Reading a value again costs 0.1 GetParameters (10 a call) of
 * Parameter Store's 40 a second, which a migration bound by CreateSecret's 50 a second barely uses
 * (5 a second): at quota, a re-read costs a call, never time. So the cache only saves calls, and is
 * sized for the values of a usual migration, not all of a large one: 8 MiB holds 10,000 values of
 * 800 bytes, or 2,000 of Parameter Store's largest standard values (4 KB). It was 64 MiB, which at
 * 10,000 such values alone would have taken the run past 150 MiB.
 */
export const DEFAULT_VALUE_CACHE_BYTES = 8 * 1024 * 1024

/**
 * Source values held between reading and writing, up to a byte budget; past it, values are dropped
 * and read again when their write comes, so memory stays flat however many parameters there are.
 */
export class ValueCache {
  private readonly values = new Map<string, SecretValue>()
  private bytes = 0

  constructor(private readonly budget: number) {}

  offer(name: string, value: SecretValue): void {
    if (this.bytes + value.byteLength > this.budget) return
    this.keep(name, value)
  }

  keep(name: string, value: SecretValue): void {
    this.values.set(name, value)
    this.bytes += value.byteLength
  }

  get(name: string): SecretValue | undefined {
    return this.values.get(name)
  }

  drop(name: string): void {
    const value = this.values.get(name)
    if (value === undefined) return
    this.values.delete(name)
    this.bytes -= value.byteLength
  }
}
