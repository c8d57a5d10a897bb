import type {SecretValue} from '../../core/secret-value.js'

/** Values held between plan and write; about 8 KB SSM values, so 64 MiB covers thousands. */
export const DEFAULT_VALUE_CACHE_BYTES = 64 * 1024 * 1024

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
