'use strict'
// V8 settings for a batch run: `secrets migrate` or `promote` of thousands of items, which spends
// minutes waiting on AWS's request quotas (50 writes a second) with the CPU mostly idle.
//
// Its live heap stays near 20 MiB (a streamed migration keeps report lines, about 0.25 KB an item),
// but a run allocates about 190 KB an item in the SDK's calls, some of it alive across two
// young-generation collections and so promoted. With V8's defaults the young generation doubles up
// to its maximum and the old one fills with that garbage until the memory reducer's 100-second
// watchdog collects it: on Node 20 a 10,000-item run peaked 17 % above a 1,000-item one, and on
// Node 24 at 280 MiB.
//
// - --optimize-for-size: the heap behaviour V8 otherwise gives an isolate under memory pressure or in
//   the background: the old generation grows by a small factor between full collections, and the
//   memory reducer collects while a run goes on, instead of after the watchdog.
// - --semi-space-growth-factor=1: the young generation keeps the size it has.
//
// What they cost is CPU (more, smaller collections), which a run paced by AWS has to spare:
// docs/PERFORMANCE.md has the figures. bin/run.js sets them before the first bundle loads, never
// later: V8 rejects a code cache made under other flags, so a command's caches must be made and read
// under the flags it runs with (set in the command, every run recompiled the bundles loaded before).
// bin/run.js names the commands and requires this file for them alone.

const BATCH_HEAP_FLAGS = ['--optimize-for-size', '--semi-space-growth-factor=1']

/** Puts this process's heap in the batch settings above. */
function favourMemoryOverSpeed() {
  const v8 = require('node:v8')
  for (const flag of BATCH_HEAP_FLAGS) v8.setFlagsFromString(flag)
}

module.exports = {BATCH_HEAP_FLAGS, favourMemoryOverSpeed}
