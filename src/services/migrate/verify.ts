import type {SecretStore} from '../../stores/secret-store.js'
import {verifyWritten, wasWritten} from '../copy-pipeline.js'
import {fail} from './execute.js'
import type {Tracker, Working} from './types.js'

/**
 * Reads every written target back (20 a call) and compares it with the source's digest: an item is
 * verified, or failed saying why. Only verified items (and those the plan found unchanged) may have
 * their source deleted.
 */
export async function verify(store: SecretStore, working: readonly Working[], tracker: Tracker): Promise<void> {
  const written = working.filter(({report}) => wasWritten(report))
  if (written.length === 0) return
  tracker.emit('verifying')
  await readBack(store, written, tracker)
}

/** Reads these written items back, in the phase the run is in (a streamed run verifies batch by batch while it writes). */
export async function readBack(store: SecretStore, written: readonly Working[], {progress, emit}: Tracker): Promise<void> {
  const answered = await verifyWritten(
    store,
    written.map(({item, report}) => ({item: report, target: item.target as string, digest: item.source.digest})),
    (report, reason, error) => fail(report, progress, reason, error),
  )
  if (!answered) return
  progress.verified += written.filter(({report}) => report.verified).length
  emit()
}
