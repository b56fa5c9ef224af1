/** Data that cannot be used as it is; the message says what is wrong and how to fix it. */
export class ValidationError extends Error {
  override name = 'ValidationError'
}
