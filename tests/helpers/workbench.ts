import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './chromium'
import { startServe, type ServerProcess } from './cli'

/** Browser mode served by `humanalign serve`, and a Chromium page for it: the e2e tests' setup. */
export interface Workbench {
  server: ServerProcess
  browser: Browser
  page: Page
  close(): Promise<void>
}

export async function openWorkbench(env: NodeJS.ProcessEnv): Promise<Workbench> {
  const server = await startServe(env)
  let browser: Browser
  try {
    browser = await launchChromium()
  } catch (err) {
    await server.stop()
    throw err
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' })
  // An error the page does not catch fails the test.
  page.on('pageerror', (err) => {
    throw err
  })
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close()
      await server.stop()
    },
  }
}
