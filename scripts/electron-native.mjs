// Finding an Electron binary and building better-sqlite3 for its Node ABI; shared by `npm start` and the e2e test.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The Electron executable, or why there is none: no display, or a binary that cannot be had. */
export function electronBinary({ forceBrowser = false, download = true } = {}) {
  if (forceBrowser) return { reason: '--browser was given' }
  const noDisplay =
    process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
      ? { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' }
      : null
  if (!download) {
    // Look without triggering the package's download on first use.
    const pathFile = join(root, 'node_modules/electron/path.txt')
    const binary = existsSync(pathFile) ? join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8')) : null
    if (!binary || !existsSync(binary)) return { reason: 'the Electron binary is not installed' }
    return noDisplay ?? { path: binary }
  }
  // No display: say so before downloading a binary that could not show a window anyway.
  if (noDisplay) return noDisplay
  // Resolving the electron package downloads its binary on first use; a machine offline gets an error.
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  })
  const path = probe.stdout.trim()
  if (probe.status === 0 && path && existsSync(path)) return { path }
  return { reason: 'the Electron binary is not installed and could not be downloaded' }
}

/** better-sqlite3 compiled for Electron's ABI (once, into .native/), or why it could not be built. */
export function sqliteForElectron() {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'))
  const target = join(root, '.native', `electron-${version}`, 'better_sqlite3.node')
  if (existsSync(target)) return { path: target }
  const work = mkdtempSync(join(tmpdir(), 'humanalign-sqlite-'))
  try {
    cpSync(join(root, 'node_modules/better-sqlite3'), work, { recursive: true })
    rmSync(join(work, 'build'), { recursive: true, force: true })
    const gyp = join(root, 'node_modules/node-gyp/bin/node-gyp.js')
    console.log(`Building better-sqlite3 for Electron ${version} (once)…`)
    const build = spawnSync(
      process.execPath,
      [gyp, 'rebuild', '--release', `--target=${version}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
      { cwd: work, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    )
    if (build.status !== 0) {
      return { reason: `better-sqlite3 could not be built for Electron: ${build.stderr.trim().split('\n').pop()}` }
    }
    mkdirSync(dirname(target), { recursive: true })
    cpSync(join(work, 'build/Release/better_sqlite3.node'), target)
    return { path: target }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
