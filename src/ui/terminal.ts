/**
 * What the terminal allows. Prompts need a TTY on stdin (and one on stderr, where they draw);
 * animation needs a TTY on stderr. Pipelines have neither, so nothing waits and nothing animates.
 */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY)
}

export function canAnimate(): boolean {
  // A terminal that reports zero columns (some pseudo-terminals) makes ora clear lines forever.
  return Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0 && process.env.CI !== 'true'
}
