import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadWindowState, saveWindowState } from '../../src-main/electron/windowState'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }]

describe('window state', () => {
  it('restores what was saved', () => {
    const file = join(tmp(), 'w.json')
    saveWindowState(file, { x: 100, y: 50, width: 1000, height: 700 }, true)
    expect(loadWindowState(file, screen)).toEqual({ x: 100, y: 50, width: 1000, height: 700, maximized: true })
  })

  it('drops a position on a display that is gone and enforces the minimum size', () => {
    const file = join(tmp(), 'w.json')
    saveWindowState(file, { x: 2500, y: 10, width: 300, height: 200 }, false)
    expect(loadWindowState(file, screen)).toEqual({ width: 800, height: 560, maximized: false })
  })

  it('falls back to the default for a missing or damaged file', () => {
    const file = join(tmp(), 'w.json')
    expect(loadWindowState(file, screen)).toEqual({ width: 1280, height: 820, maximized: false })
    writeFileSync(file, '{"width": "wide"')
    expect(loadWindowState(file, screen)).toEqual({ width: 1280, height: 820, maximized: false })
  })
})
