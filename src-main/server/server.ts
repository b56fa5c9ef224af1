import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { MAX_MESSAGE_BYTES, WsRequest, type AppEvent, type WsReply } from '../api/contract'
import { describeIssues } from '../api/dispatcher'
import type { Backend } from '../app/backend'
import { serveStatic } from './static'
import { tokensEqual } from './security'

export interface ServerOptions {
  backend: Backend
  staticDir: string
  host: string
  port: number
  /** Generated when not given. */
  token?: string
}

export interface RunningServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** Frames beyond this are cut off by ws itself (connection closed); between our limit and this we answer. */
const HARD_PAYLOAD_LIMIT = 16 * MAX_MESSAGE_BYTES

function reject(socket: Socket, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function send(ws: WebSocket, reply: WsReply): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply))
}

function errorEvent(code: string, message: string): WsReply {
  return { kind: 'event', event: { type: 'error', code, message } satisfies AppEvent }
}

/** Browser mode: the built renderer over HTTP and the contract over a token-guarded WebSocket. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const { backend } = options
  const http = createServer((req, res) => serveStatic(options.staticDir, req, res))
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_PAYLOAD_LIMIT })

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== '/ws') return reject(socket, 404, 'Not Found')
    if (!tokensEqual(token, url.searchParams.get('token'))) return reject(socket, 401, 'Unauthorized')
    // A page from another site must not drive the API even if it learned the port.
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return reject(socket, 403, 'Forbidden')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = backend.events.subscribe((event) => send(ws, { kind: 'event', event }))
    ws.on('close', unsubscribe)
    ws.on('error', unsubscribe)
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength
      if (bytes > MAX_MESSAGE_BYTES) {
        return send(ws, errorEvent('bad_request', `Message of ${bytes} bytes rejected: the limit is ${MAX_MESSAGE_BYTES} bytes.`))
      }
      if (isBinary) return send(ws, errorEvent('bad_request', 'Binary messages are not accepted; send JSON text.'))
      let parsed: unknown
      try {
        parsed = JSON.parse(data.toString())
      } catch {
        return send(ws, errorEvent('bad_request', 'Message rejected: it is not valid JSON.'))
      }
      const request = WsRequest.safeParse(parsed)
      if (!request.success) {
        return send(ws, errorEvent('bad_request', `Message rejected: ${describeIssues(request.error)}.`))
      }
      const { id, op, input } = request.data
      void backend.dispatch('browser', op, input).then((result) => send(ws, { kind: 'result', id, ...result }))
    })
  })

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port, options.host, () => {
      http.off('error', reject)
      resolve()
    })
  })
  const port = (http.address() as AddressInfo).port
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${hostForUrl}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        http.close(() => resolve())
        http.closeAllConnections()
      }),
  }
}
