import { createDispatcher, type Dispatch } from '../api/dispatcher'
import { createEventBus, type EventBus } from '../api/events'
import { createHandlers, type HandlerDeps } from '../api/handlers'
import { Session } from './session'

export interface BackendOptions {
  app: HandlerDeps['app']
  workerPath: string
  pickFolder?: HandlerDeps['pickFolder']
  onInternalError?: (err: unknown) => void
}

export interface Backend {
  dispatch: Dispatch
  events: EventBus
  session: Session
  close(): Promise<void>
}

/** Wires the contract's handlers to a session; every transport (IPC, WebSocket, CLI) sits on one of these. */
export function createBackend(options: BackendOptions): Backend {
  const events = createEventBus()
  const session = new Session({ appVersion: options.app.version, workerPath: options.workerPath, events })
  const handlers = createHandlers({ session, app: options.app, pickFolder: options.pickFolder })
  return {
    dispatch: createDispatcher(handlers, options.onInternalError),
    events,
    session,
    close: () => session.close(),
  }
}
