/**
 * What the terminal allows. Prompts need a TTY on stdin (and one on stderr, where they draw);
 * animation needs a TTY on stderr. Pipelines have neither, so nothing waits and nothing animates.
 */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY)
}

export function canAnimate(): boolean {
  return Boolean(process.stderr.isTTY) && process.env.CI !== 'true'
}
