import { tmpdir } from 'node:os'
import { createDispatcher, type Dispatch } from '../api/dispatcher'
import { createEventBus, type EventBus } from '../api/events'
import { createHandlers, type HandlerDeps } from '../api/handlers'
import { Session, type SessionOptions } from './session'

export interface BackendOptions {
  app: HandlerDeps['app']
  /** Folder of the built worker entries (jobWorker.js, taskWorker.js). */
  workerDir: string
  backendFlag?: SessionOptions['backendFlag']
  /** The bundled example data (resources/examples). */
  examplesDir: string
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
  // Dawn's Vulkan loader complains on stderr without a runtime dir (a headless server, a CI container). Set on
  // the main thread: worker threads only get a copy of the environment, which native code does not see.
  process.env.XDG_RUNTIME_DIR ??= tmpdir()
  const events = createEventBus()
  const session = new Session({ app: options.app, workerDir: options.workerDir, events, backendFlag: options.backendFlag, examplesDir: options.examplesDir })
  const handlers = createHandlers({ session, app: options.app, pickFolder: options.pickFolder })
  return {
    dispatch: createDispatcher(handlers, options.onInternalError),
    events,
    session,
    close: () => session.close(),
  }
}
