import type { ErrorCode, ErrorPayload } from './contract'

/**
 * An error the user can act on: its message names what is wrong and how to fix it, and it crosses every
 * transport as `{ code, message }`. Anything else thrown is an internal error.
 */
export class AppError extends Error {
  constructor(
    readonly code: Exclude<ErrorCode, 'internal'>,
    message: string,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof AppError) return { code: err.code, message: err.message }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'internal', message: `Internal error: ${message}` }
}
