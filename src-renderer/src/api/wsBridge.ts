import type { AppEvent, HumanAlignBridge, OpName, Result, WsReply } from '@api/contract'

const RECONNECT_MS = 1000
const RETRY_MS = 5000

/** The contract over the browser-mode WebSocket: requests wait for the socket, events fan out, reconnects. */
export function createWsBridge(url: string): HumanAlignBridge {
  const listeners = new Set<(event: AppEvent) => void>()
  const pending = new Map<number, (result: Result<OpName>) => void>()
  const outbox: string[] = []
  let nextId = 1
  let socket: WebSocket

  const fail = (resolve: (r: Result<OpName>) => void, message: string): void =>
    resolve({ ok: false, error: { code: 'internal', message } })

  const emit = (event: AppEvent): void => listeners.forEach((listener) => listener(event))

  function connect(): void {
    let opened = false
    socket = new WebSocket(url)
    socket.addEventListener('open', () => {
      opened = true
      for (const frame of outbox.splice(0)) socket.send(frame)
    })
    socket.addEventListener('message', (message: MessageEvent<string>) => {
      const reply = JSON.parse(message.data) as WsReply
      if (reply.kind === 'event') {
        emit(reply.event)
        return
      }
      const resolve = pending.get(reply.id)
      pending.delete(reply.id)
      resolve?.(reply.ok ? { ok: true, output: reply.output as never } : { ok: false, error: reply.error })
    })
    socket.addEventListener('close', () => {
      for (const resolve of pending.values()) fail(resolve, 'The connection to HumanAlign was lost; retrying.')
      pending.clear()
      if (!opened) {
        emit({
          type: 'error',
          code: 'forbidden',
          message:
            'Cannot reach HumanAlign: the server is not running, or this page has an old token. ' +
            'Open the URL that `npm run serve` printed.',
        })
      }
      setTimeout(connect, opened ? RECONNECT_MS : RETRY_MS)
    })
  }
  connect()

  return {
    invoke(op, input) {
      return new Promise((resolve) => {
        const id = nextId++
        pending.set(id, resolve as (r: Result<OpName>) => void)
        const frame = JSON.stringify({ id, op, input })
        if (socket.readyState === WebSocket.OPEN) socket.send(frame)
        else outbox.push(frame)
      })
    },
    on(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
