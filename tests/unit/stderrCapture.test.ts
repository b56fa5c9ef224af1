import fs, { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { captureStderr } from '../../src-main/files/stderrCapture'

describe('captureStderr', () => {
  it('catches what a call writes to fd 2 (text, or part of a buffer), passes other writes on, and always restores', () => {
    const folder = mkdtempSync(join(tmpdir(), 'stderr-'))
    const fd = openSync(join(folder, 'out.txt'), 'w')
    try {
      const original = fs.writeSync
      const { value, written } = captureStderr(() => {
        fs.writeSync(2, 'HDF5-DIAG: ')
        fs.writeSync(2, Buffer.from('xxerror stack\nyy'), 2, 12)
        fs.writeSync(fd, 'kept')
        return 42
      })
      expect([value, written]).toEqual([42, 'HDF5-DIAG: error stack\n'])
      expect(readFileSync(join(folder, 'out.txt'), 'utf8')).toBe('kept')
      expect(fs.writeSync).toBe(original)
      expect(() => captureStderr(() => { throw new Error('inside') })).toThrow('inside')
      expect(fs.writeSync).toBe(original)
    } finally {
      closeSync(fd)
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
