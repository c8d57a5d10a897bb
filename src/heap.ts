import {setFlagsFromString} from 'node:v8'

/**
 * V8 settings for a batch run: a migration or promotion of thousands of items, which spends minutes
 * waiting on AWS's request quotas (50 writes a second) with the CPU mostly idle.
 *
 * Its live heap stays near 20 MiB (names, digests and report lines, about 0.6 KB an item), but a
 * run allocates about 190 KB an item in the SDK's calls, some of it alive across two young-generation
 * collections and so promoted. With V8's defaults the young generation grows to 16 MiB a semi-space and the old one fills
 * with that garbage until the memory reducer's 100-second watchdog collects it: a 10,000-item run
 * peaked 17 % above a 1,000-item one, garbage V8 had not collected yet, not data the run held.
 *
 * - `--optimize-for-size`: the heap behaviour V8 otherwise gives an isolate under memory pressure or
 *   in the background: the old generation grows by a small factor between full collections, and the
 *   memory reducer collects while a run goes on, instead of after the watchdog.
 * - `--semi-space-growth-factor=1`: the young generation keeps the size it has instead of doubling up
 *   to its maximum (16 MiB a semi-space on Node 20).
 *
 * Both are read by V8 at each collection, so they hold from the moment they are set (on Node 20, 22
 * and 24). What they cost is CPU (more, smaller collections), which a run paced by AWS has to spare:
 * docs/PERFORMANCE.md has the figures. Short commands never set them: they end before a collection
 * would matter.
 */
export const BATCH_HEAP_FLAGS = ['--optimize-for-size', '--semi-space-growth-factor=1'] as const

/** Puts this process's heap in the batch settings above; for commands whose runs last minutes. */
export function favourMemoryOverSpeed(): void {
  for (const flag of BATCH_HEAP_FLAGS) setFlagsFromString(flag)
}
