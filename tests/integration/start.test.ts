import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { useTmp } from '../helpers/tmp'
import { TestClient } from '../helpers/wsClient'

const tmp = useTmp()
const ROOT = join(__dirname, '..', '..')

describe('npm start without Electron', () => {
  it('says why in one line and starts browser mode with its URL and token', async () => {
    const dir = tmp()
    const env: NodeJS.ProcessEnv = { ...process.env, HUMANALIGN_CONFIG_DIR: join(dir, 'c'), HUMANALIGN_PROJECTS_DIR: join(dir, 'p') }
    delete env.DISPLAY
    delete env.WAYLAND_DISPLAY
    const child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
      const first = (await lines.next()).value as string
      expect(first).toBe(
        'Electron is not available here (there is no display (DISPLAY and WAYLAND_DISPLAY are unset)); starting browser mode instead.',
      )
      const { url, port, token } = JSON.parse((await lines.next()).value as string) as { url: string; port: number; token: string }
      expect(url).toBe(`http://127.0.0.1:${port}/?token=${token}`)
      const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws?token=${token}`)
      expect(await client.call('app.info', {})).toMatchObject({ ok: true, output: { transport: 'browser' } })
      client.close()
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  })
})

describe('the package bin', () => {
  it('runs as `npx humanalign` in the project', () => {
    // --ignore-scripts: the first npx of this package in a checkout installs it into npx's cache and runs its
    // `prepare` (electron-vite build) in place, rebuilding out/ under the test files running beside this one (two CI
    // runs failed on a worker file that was missing for that moment).
    const r = spawnSync('npx', ['--no-install', '--ignore-scripts', 'humanalign', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^Usage: humanalign <command> \[options\]/)
  })
})
