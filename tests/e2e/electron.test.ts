// The desktop window, driven by Playwright's Electron support. Runs only where an Electron binary and a display
// exist; elsewhere it is skipped and says why.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { electronBinary, root, sqliteForElectron } from '../../scripts/electron-native.mjs'

const binary = electronBinary({ download: false })
const sqlite = binary.path ? sqliteForElectron() : binary
const reason = binary.reason ?? sqlite.reason
if (reason) console.warn(`SKIPPED: the Electron window test (${reason}).`)

describe.skipIf(reason !== undefined)('the desktop window', () => {
  it('opens sandboxed with only the contract exposed, and creates a project', async () => {
    const home = mkdtempSync(join(tmpdir(), 'humanalign-electron-'))
    const app = await electron.launch({
      executablePath: binary.path!,
      args: [root],
      env: { ...process.env, HUMANALIGN_SQLITE_BINDING: sqlite.path!, HUMANALIGN_CONFIG_DIR: join(home, 'config'), HUMANALIGN_PROJECTS_DIR: join(home, 'projects') },
    })
    try {
      const page = await app.firstWindow()
      await page.getByRole('heading', { name: 'Welcome to HumanAlign' }).waitFor()
      const exposed = await page.evaluate(() => {
        const g = globalThis as unknown as { humanalign?: object; require?: unknown; process?: unknown }
        return {
          keys: Object.keys(g.humanalign ?? {}).sort(),
          frozen: Object.isFrozen(g.humanalign),
          require: typeof g.require,
          process: typeof g.process,
        }
      })
      // No Node in the page (nodeIntegration off, sandbox on); only the contract crossed the bridge.
      expect(exposed).toEqual({ keys: ['invoke', 'on'], frozen: true, require: 'undefined', process: 'undefined' })
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1)
      expect(new URL(page.url()).origin).toBe('app://humanalign')
      await page.fill('#new-name', 'Desktop study')
      await page.getByRole('button', { name: 'Create project' }).click()
      await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('Desktop study')
      await page.screenshot({ path: join(__dirname, 'screenshots', 'electron.png') })
    } finally {
      await app.close()
      rmSync(home, { recursive: true, force: true })
    }
  }, 120_000)
})
