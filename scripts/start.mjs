// `npm start`: the desktop window when an Electron binary and a display are available, browser mode otherwise.
// Electron runs its own Node ABI, so better-sqlite3 is built once for it (into .native/) and handed over by path.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { electronBinary, root, sqliteForElectron } from './electron-native.mjs'

const args = process.argv.slice(2)

function browserMode(reason) {
  console.log(`Electron is not available here (${reason}); starting browser mode instead.`)
  const serveArgs = args.filter((a) => a !== '--browser')
  const child = spawn(process.execPath, [join(root, 'bin/humanalign.js'), 'serve', ...serveArgs], { stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code) => process.exit(code ?? 0))
}

const electron = electronBinary({ forceBrowser: args.includes('--browser') })
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
