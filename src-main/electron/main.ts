// Electron main: one sandboxed window over the shared backend. Only this folder imports electron.
import { app, BrowserWindow, dialog, ipcMain, net, protocol, screen, shell, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createBackend, type Backend } from '../app/backend'
import { APP_VERSION } from '../app/version'
import { CONTENT_SECURITY_POLICY } from '../server/security'
import { resolveStaticPath } from '../server/static'
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './channels'
import { loadWindowState, saveWindowState } from './windowState'

const SCHEME = 'app'
const ORIGIN = `${SCHEME}://humanalign`
const rendererDir = join(__dirname, '..', 'renderer')
const preloadPath = join(__dirname, '..', 'preload', 'index.cjs')

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])

let mainWindow: BrowserWindow | null = null
let backend: Backend | null = null

function serveRenderer(request: Request): Promise<Response> | Response {
  const file = new URL(request.url).host === 'humanalign' ? resolveStaticPath(rendererDir, request.url) : null
  if (file === null) return new Response('Forbidden', { status: 403 })
  return net.fetch(pathToFileURL(file).toString()).then((response) => {
    const headers = new Headers(response.headers)
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    return new Response(response.body, { status: response.status, headers })
  })
}

function isTrusted(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  return frame !== null && mainWindow !== null && event.sender === mainWindow.webContents && new URL(frame.url).origin === ORIGIN
}

function createWindow(stateFile: string): BrowserWindow {
  const displays = screen.getAllDisplays().map((d) => d.workArea)
  const state = loadWindowState(stateFile, displays)
  const win = new BrowserWindow({
    ...state,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'HumanAlign',
    icon: join(__dirname, '..', '..', 'resources', 'icon.png'),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  if (state.maximized) win.maximize()
  win.once('ready-to-show', () => win.show())
  win.on('close', () => saveWindowState(stateFile, win.getNormalBounds(), win.isMaximized()))
  void win.loadURL(`${ORIGIN}/index.html`)
  return win
}

function lockDownNavigation(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (new URL(url).origin !== ORIGIN) event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser, never inside the app.
      if (url.startsWith('https://')) void shell.openExternal(url)
      return { action: 'deny' }
    })
  })
}

async function start(): Promise<void> {
  await app.whenReady()
  protocol.handle(SCHEME, serveRenderer)
  backend = createBackend({
    app: {
      name: 'HumanAlign',
      version: APP_VERSION,
      node: process.versions.node,
      electron: process.versions.electron,
      platform: process.platform,
      transport: 'electron',
    },
    workerDir: __dirname,
    examplesDir: join(__dirname, '..', '..', 'resources', 'examples'),
    pickFolder: async (title) => {
      if (!mainWindow) return null
      const picked = await dialog.showOpenDialog(mainWindow, { title, properties: ['openDirectory', 'createDirectory'] })
      return picked.canceled ? null : (picked.filePaths[0] ?? null)
    },
    onInternalError: (err) => console.error(err),
  })
  const active = backend
  ipcMain.handle(INVOKE_CHANNEL, (event, op: unknown, input: unknown) => {
    if (!isTrusted(event)) return { ok: false, error: { code: 'forbidden', message: 'Request from an untrusted frame.' } }
    return active.dispatch('renderer', op, input)
  })
  active.events.subscribe((event) => mainWindow?.webContents.send(EVENT_CHANNEL, event))
  mainWindow = createWindow(join(app.getPath('userData'), 'window-state.json'))
  mainWindow.on('closed', () => {
    mainWindow = null
  })
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  lockDownNavigation()
  app.on('window-all-closed', () => {
    void (backend?.close() ?? Promise.resolve()).finally(() => app.quit())
  })
  void start()
}
