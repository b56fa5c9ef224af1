import { readFileSync } from 'node:fs'
import { writeFileAtomic } from '../store/artifacts'

export interface WindowState {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

const DEFAULT: WindowState = { width: 1280, height: 820, maximized: false }
const MIN = { width: 800, height: 560 }

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/**
 * The saved window geometry, if it is sane and still on one of the current displays (a monitor may have been
 * unplugged since); otherwise the default size, centred by the OS.
 */
export function loadWindowState(file: string, displays: Rect[]): WindowState {
  let saved: Partial<WindowState>
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>
  } catch {
    return DEFAULT
  }
  const width = Number(saved.width)
  const height = Number(saved.height)
  if (!Number.isFinite(width) || !Number.isFinite(height)) return DEFAULT
  const state: WindowState = {
    width: Math.max(MIN.width, Math.round(width)),
    height: Math.max(MIN.height, Math.round(height)),
    maximized: saved.maximized === true,
  }
  if (Number.isFinite(saved.x) && Number.isFinite(saved.y)) {
    const rect = { x: Number(saved.x), y: Number(saved.y), width: state.width, height: state.height }
    if (displays.some((d) => overlaps(rect, d))) Object.assign(state, { x: rect.x, y: rect.y })
  }
  return state
}

export function saveWindowState(file: string, bounds: Rect, maximized: boolean): void {
  const state: WindowState = { ...bounds, maximized }
  writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(state)))
}
