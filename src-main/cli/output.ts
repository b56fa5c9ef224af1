import { userError } from '../api/errors'

export interface CliIo {
  json: boolean
  debug: boolean
}

export const EXIT_OK = 0
export const EXIT_USER = 1
export const EXIT_INTERNAL = 2

/** Prints a result: exactly one JSON object with --json, otherwise the human text. */
export function printResult(io: CliIo, value: unknown, human: () => string): void {
  process.stdout.write(io.json ? `${JSON.stringify(value)}\n` : `${human()}\n`)
}

/** One clear line on stderr; the stack only with --debug. Returns the exit code. */
export function reportError(io: CliIo, err: unknown): number {
  const known = userError(err)
  const user = known !== null || (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')
  const message = known?.message ?? (err instanceof Error ? err.message : String(err))
  process.stderr.write(`humanalign: ${user ? '' : 'internal error: '}${message.split('\n')[0]}\n`)
  if (io.debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`)
  return user ? EXIT_USER : EXIT_INTERNAL
}
