import WebSocket from 'ws'
import type { AppEvent, WsReply } from '../../src-main/api/contract'

/** A test client of the browser-mode protocol that records everything the server sends. */
export class TestClient {
  readonly replies: WsReply[] = []
  private nextId = 1

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.replies.push(JSON.parse(data.toString()) as WsReply))
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers })
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestClient(ws)))
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      ws.once('error', reject)
    })
  }

  send(raw: string | Buffer): void {
    this.ws.send(raw)
  }

  async call(op: string, input: unknown): Promise<WsReply & { kind: 'result' }> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ id, op, input }))
    return (await this.waitFor((r) => r.kind === 'result' && r.id === id)) as WsReply & { kind: 'result' }
  }

  event(test: (e: AppEvent) => boolean): Promise<AppEvent> {
    return this.waitFor((r) => r.kind === 'event' && test(r.event)).then((r) => (r as { event: AppEvent }).event)
  }

  waitFor(test: (r: WsReply) => boolean, ms = 10_000): Promise<WsReply> {
    return new Promise((resolve, reject) => {
      const started = Date.now()
      const poll = setInterval(() => {
        const hit = this.replies.find(test)
        if (hit) {
          clearInterval(poll)
          resolve(hit)
        } else if (Date.now() - started > ms || this.ws.readyState === WebSocket.CLOSED) {
          clearInterval(poll)
          reject(new Error('no matching message'))
        }
      }, 5)
    })
  }

  close(): void {
    this.ws.close()
  }
}
