import { parseArgs } from 'node:util'
import { AppError } from '../api/errors'
import type { Backend } from '../app/backend'
import { isLoopbackHost } from './security'
import { startServer, type RunningServer } from './server'

export const SERVE_USAGE = `Usage: humanalign serve [--port N] [--host ADDR] [--allow-remote]

Starts browser mode: the workbench at a URL with a session token, on 127.0.0.1 unless told otherwise.
  --port N          port to listen on (default 5757; 0 picks a free port)
  --host ADDR       address to bind (default 127.0.0.1)
  --allow-remote    allow a non-loopback --host (anyone who has the token can use the workbench)`

export interface ServeOptions {
  port: number
  host: string
}

export function parseServeArgs(argv: string[]): ServeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '5757' },
      host: { type: 'string', default: '127.0.0.1' },
      'allow-remote': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AppError('user', `--port ${values.port} is not a port number (0–65535).`)
  }
  if (!isLoopbackHost(values.host) && !values['allow-remote']) {
    throw new AppError(
      'user',
      `Refusing to listen on ${values.host}: browser mode binds to 127.0.0.1 by default. ` +
        'Add --allow-remote if others on the network should reach it.',
    )
  }
  return { port, host: values.host }
}

/** Starts the server and keeps it up until SIGINT/SIGTERM, closing the open project cleanly. */
export async function serve(backend: Backend, staticDir: string, options: ServeOptions): Promise<RunningServer> {
  let server: RunningServer
  try {
    server = await startServer({ backend, staticDir, ...options })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new AppError('user', `Port ${options.port} is in use (another HumanAlign?). Use --port N, or --port 0 for any free port.`)
    }
    throw err
  }
  const stop = (): void => {
    void server
      .close()
      .then(() => backend.close())
      .finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return server
}
