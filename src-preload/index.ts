// Exposes the contract, and nothing else, to the sandboxed renderer as window.humanalign.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { isOpName, type AppEvent, type HumanAlignBridge, type OpName, type Result } from '../src-main/api/contract'
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../src-main/electron/channels'

const bridge: HumanAlignBridge = {
  invoke(op, input) {
    if (!isOpName(op)) {
      return Promise.resolve({ ok: false, error: { code: 'bad_request', message: `Unknown operation ${String(op)}.` } })
    }
    return ipcRenderer.invoke(INVOKE_CHANNEL, op, input) as Promise<Result<OpName>>
  },
  on(listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function')
    const forward = (_event: IpcRendererEvent, payload: AppEvent): void => listener(payload)
    ipcRenderer.on(EVENT_CHANNEL, forward)
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward)
    }
  },
} as HumanAlignBridge

contextBridge.exposeInMainWorld('humanalign', Object.freeze(bridge))
