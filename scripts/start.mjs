// `npm start`: the desktop window when an Electron binary and a display are available, browser mode otherwise.
// Electron runs its own Node ABI, so better-sqlite3 is built once for it (into .native/) and handed over by path.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)

function electronBinary() {
  if (args.includes('--browser')) return { reason: '--browser was given' }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' }
  }
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

function sqliteForElectron() {
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

function browserMode(reason) {
  console.log(`Electron is not available here (${reason}); starting browser mode instead.`)
  const serveArgs = args.filter((a) => a !== '--browser')
  const child = spawn(process.execPath, [join(root, 'bin/humanalign.js'), 'serve', ...serveArgs], { stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code) => process.exit(code ?? 0))
}

const electron = electronBinary()
if (!electron.path) {
  browserMode(electron.reason)
} else {
  const sqlite = sqliteForElectron()
  if (!sqlite.path) {
    browserMode(sqlite.reason)
  } else {
    const child = spawn(electron.path, [root], {
      stdio: 'inherit',
      env: { ...process.env, HUMANALIGN_SQLITE_BINDING: sqlite.path },
    })
    child.on('exit', (code) => process.exit(code ?? 0))
  }
}
