import { z } from 'zod'
import { isOpName, operations, type Caller, type OpName, type OpOutput, type Result } from './contract'
import { AppError, toErrorPayload } from './errors'

export interface CallContext {
  caller: Caller
}

export type Handler<N extends OpName> = (
  input: z.output<(typeof operations)[N]['input']>,
  call: CallContext,
) => OpOutput<N> | Promise<OpOutput<N>>

export type Handlers = { [N in OpName]: Handler<N> }

export type Dispatch = (caller: Caller, op: unknown, input: unknown) => Promise<Result<OpName>>

/** Formats a schema failure as one line a person can act on: which field, what was wrong. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}

/**
 * The single entry point of every transport: checks the operation name, who is calling, the input schema,
 * runs the handler, and checks what it returns. Never throws; every failure becomes `{ ok: false, error }`.
 */
export function createDispatcher(handlers: Handlers, onInternalError?: (err: unknown) => void): Dispatch {
  return async (caller, op, rawInput) => {
    try {
      if (!isOpName(op)) throw new AppError('bad_request', `Unknown operation ${JSON.stringify(op)}.`)
      const definition = operations[op]
      if (!(definition.callers as readonly Caller[]).includes(caller)) {
        throw new AppError('forbidden', `Operation ${op} is not available from ${caller}.`)
      }
      const parsed = definition.input.safeParse(rawInput ?? {})
      if (!parsed.success) {
        throw new AppError('bad_request', `Invalid input for ${op}: ${describeIssues(parsed.error)}.`)
      }
      const handler = handlers[op] as Handler<OpName>
      const output = await handler(parsed.data as never, { caller })
      return { ok: true, output: definition.output.parse(output) as OpOutput<OpName> }
    } catch (err) {
      const error = toErrorPayload(err)
      if (error.code === 'internal') onInternalError?.(err)
      return { ok: false, error }
    }
  }
}
