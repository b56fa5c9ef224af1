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

/** What a file-system error means for a path the user gave (a missing input, a full disk), in words. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'a folder, where a file is needed',
  ENOTDIR: 'part of the path is a file, not a folder',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
}

/** A file-system error on a path, as the user's error naming the path; null for anything else. */
export function fileProblem(err: unknown): AppError | null {
  const { code, path } = (err ?? {}) as { code?: unknown; path?: unknown }
  const problem = typeof code === 'string' ? FILE_PROBLEMS[code] : undefined
  return problem && typeof path === 'string' ? new AppError('user', `${path}: ${problem}. Check the path.`) : null
}

/** The error as the user's (an AppError, or a file-system error on a path); null for an internal one. */
export function userError(err: unknown): AppError | null {
  return err instanceof AppError ? err : fileProblem(err)
}

export function toErrorPayload(err: unknown): ErrorPayload {
  const known = userError(err)
  if (known) return { code: known.code, message: known.message }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'internal', message: `Internal error: ${message}` }
}
