import type { Client } from '../api/client'

let current: Client | null = null

/** The stores' one way to the main side, set once at start-up (IPC in the window, WebSocket in a browser). */
export function setClient(client: Client): void {
  current = client
}

export function client(): Client {
  if (!current) throw new Error('HumanAlign is not connected')
  return current
}
