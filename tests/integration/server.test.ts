import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_MESSAGE_BYTES } from '../../src-main/api/contract'
import { SCHEMA_VERSION } from '../../src-main/store/migrations'
import { startServe, type ServerProcess } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'
import { TestClient } from '../helpers/wsClient'

const tmp = useTmp()

/** GET with the path sent as is (fetch would normalise the dots away). */
function rawStatus(path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: server.port, path }, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
      .on('error', reject)
      .end()
  })
}
let server: ServerProcess
let base: string
let wsUrl: string
let root: string

beforeAll(async () => {
  const { mkdtempSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  root = mkdtempSync(join(tmpdir(), 'humanalign-server-'))
  server = await startServe({ HUMANALIGN_CONFIG_DIR: join(root, 'config'), HUMANALIGN_PROJECTS_DIR: join(root, 'projects') })
  base = `http://127.0.0.1:${server.port}`
  wsUrl = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`
})
afterAll(async () => {
  await server.stop()
  const { rmSync } = await import('node:fs')
  rmSync(root, { recursive: true, force: true })
})

describe('browser mode over HTTP', () => {
  it('prints a loopback URL with its token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token.length).toBeGreaterThanOrEqual(32)
  })

  it('serves the renderer with a strict CSP and nothing outside it', async () => {
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(await page.text()).toContain('<div id="app">')
    for (const path of ['/../package.json', '/..%2f..%2fpackage.json', '/assets/../../main/cli.js']) {
      expect([403, 404], path).toContain(await rawStatus(path))
    }
    expect(await rawStatus('/%E0%A4%A')).toBe(400)
    expect((await fetch(`${base}/nothing-here.js`)).status).toBe(404)
  })
})

describe('browser mode over WebSocket', () => {
  it('rejects a connection without the token, with a wrong one, or from another site', async () => {
    await expect(TestClient.connect(`ws://127.0.0.1:${server.port}/ws`)).rejects.toThrow('HTTP 401')
    await expect(TestClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}x`)).rejects.toThrow('HTTP 401')
    await expect(TestClient.connect(wsUrl, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403')
    const ok = await TestClient.connect(wsUrl, { Origin: `http://127.0.0.1:${server.port}` })
    ok.close()
  })

  it('runs the contract: create, list after reconnect, rename, close, events to every client', async () => {
    const a = await TestClient.connect(wsUrl)
    const b = await TestClient.connect(wsUrl)
    const info = await a.call('app.info', {})
    expect(info).toMatchObject({ ok: true, output: { name: 'HumanAlign', transport: 'browser', electron: null } })

    const dir = join(tmp(), 'study')
    const created = await a.call('project.create', { path: dir, name: 'Study' })
    expect(created).toMatchObject({ ok: true, output: { path: dir, name: 'Study', schemaVersion: SCHEMA_VERSION } })
    expect(existsSync(join(dir, 'project.sqlite'))).toBe(true)
    // The other client is told.
    expect(await b.event((e) => e.type === 'project.changed' && e.project?.path === dir)).toBeTruthy()
    a.close()
    b.close()

    const c = await TestClient.connect(wsUrl)
    expect(await c.call('project.current', {})).toMatchObject({ ok: true, output: { name: 'Study' } })
    expect(await c.call('project.recent', {})).toMatchObject({ ok: true, output: [{ path: dir, name: 'Study', exists: true }] })
    expect(await c.call('project.rename', { name: 'Renamed' })).toMatchObject({ ok: true, output: { name: 'Renamed' } })
    expect(await c.call('project.close', {})).toEqual({ kind: 'result', id: 4, ok: true, output: null })
    expect(await c.call('project.current', {})).toMatchObject({ ok: true, output: null })
    c.close()
  })

  it('answers bad requests with errors and keeps serving', async () => {
    const c = await TestClient.connect(wsUrl)
    c.send('{ this is not json')
    expect(await c.event((e) => e.type === 'error')).toEqual({ type: 'error', code: 'bad_request', message: 'Message rejected: it is not valid JSON.' })
    c.replies.length = 0

    c.send(JSON.stringify({ id: 1, op: 'app.info', input: {}, padding: 'x'.repeat(MAX_MESSAGE_BYTES) }))
    expect(await c.event((e) => e.type === 'error')).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/bytes rejected: the limit is 1048576 bytes/) })
    c.replies.length = 0

    c.send(JSON.stringify({ op: 'app.info' }))
    expect(await c.event((e) => e.type === 'error')).toMatchObject({ message: expect.stringMatching(/^Message rejected: id: /) })
    c.replies.length = 0

    c.send(Buffer.from([1, 2, 3]))
    expect(await c.event((e) => e.type === 'error')).toMatchObject({ message: expect.stringMatching(/Binary messages are not accepted/) })

    expect(await c.call('no.such.op', {})).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'Unknown operation "no.such.op".' } })
    expect(await c.call('dialog.pickFolder', { title: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await c.call('project.open', { path: 42 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await c.call('project.open', { path: tmp() })).toMatchObject({ ok: false, error: { code: 'user', message: expect.stringMatching(/is not a HumanAlign project/) } })
    expect(await c.call('jobs.start', { kind: 'verifyArtifacts' })).toMatchObject({ ok: false, error: { message: 'No project is open. Open or create a project first.' } })

    // Still alive: a normal request works on this and on a new connection.
    expect(await c.call('app.info', {})).toMatchObject({ ok: true })
    c.close()
    const d = await TestClient.connect(wsUrl)
    expect(await d.call('app.info', {})).toMatchObject({ ok: true })
    d.close()
  })

  it('refuses a project that another running HumanAlign has open', async () => {
    const other = await startServe({ HUMANALIGN_CONFIG_DIR: join(root, 'config2'), HUMANALIGN_PROJECTS_DIR: join(root, 'projects2') })
    const mine = await TestClient.connect(wsUrl)
    const theirs = await TestClient.connect(`ws://127.0.0.1:${other.port}/ws?token=${other.token}`)
    try {
      const dir = join(tmp(), 'shared')
      expect(await mine.call('project.create', { path: dir })).toMatchObject({ ok: true })
      expect(await theirs.call('project.open', { path: dir })).toMatchObject({
        ok: false,
        error: { code: 'conflict', message: expect.stringContaining(`is open in another HumanAlign (process ${server.child.pid}`) },
      })
      await mine.call('project.close', {})
      expect(await theirs.call('project.open', { path: dir })).toMatchObject({ ok: true, output: { path: dir } })
      await theirs.call('project.close', {})
    } finally {
      mine.close()
      theirs.close()
      await other.stop()
    }
  })

  it('runs a job and pushes its progress and final state', async () => {
    const c = await TestClient.connect(wsUrl)
    const dir = join(tmp(), 'jobs')
    expect(await c.call('project.create', { path: dir }) ).toMatchObject({ ok: true })
    const started = await c.call('jobs.start', { kind: 'verifyArtifacts' })
    expect(started).toMatchObject({ ok: true, output: { kind: 'verifyArtifacts', state: 'queued' } })
    const id = (started as { output: { id: number } }).output.id
    const done = await c.event((e) => e.type === 'job.state' && e.job.id === id && e.job.state === 'done')
    expect(done).toMatchObject({ job: { result: { checked: 0, bytes: 0, missing: [], corrupted: [] } } })
    expect(await c.call('jobs.list', {})).toMatchObject({ ok: true, output: [{ id, state: 'done' }] })
    expect(await c.call('jobs.cancel', { id })).toMatchObject({ ok: false, error: { code: 'conflict', message: `Job ${id} has already finished.` } })
    await c.call('project.close', {})
    c.close()
  })
})
