import type { AppEvent, ErrorCode, HumanAlignBridge, OpInput, OpName, OpOutput } from '@api/contract'

export class ClientError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'ClientError'
  }
}

export interface Client {
  call<N extends OpName>(op: N, input: OpInput<N>): Promise<OpOutput<N>>
  on(listener: (event: AppEvent) => void): () => void
}

/** Typed calls over whichever bridge this renderer has; a failed result becomes a ClientError. */
export function createClient(bridge: HumanAlignBridge): Client {
  return {
    async call(op, input) {
      const result = await bridge.invoke(op, input)
      if (result.ok) return result.output as OpOutput<typeof op>
      throw new ClientError(result.error.code, result.error.message)
    },
    on: (listener) => bridge.on(listener),
  }
}
