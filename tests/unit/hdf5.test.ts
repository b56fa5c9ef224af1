import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isMat73, openHdf5 } from '../../src-main/core/io/hdf5'
import { captureStderr } from '../../src-main/files/stderrCapture'

// Written by h5py: tests/fixtures/hdf5/make_fixtures.py
const dir = join(__dirname, '../fixtures/hdf5')
const values = (data: ArrayLike<number | bigint>) => Array.from(data, Number)
const open = (path: string, matlab: boolean) => openHdf5(path, new Uint8Array(readFileSync(path)).subarray(0, 4096), { matlab, size: statSync(path).size, captureStderr })

describe('HDF5', () => {
  it('lists and reads a thingsvision-style features file', async () => {
    const file = await open(join(dir, 'features.h5'), false)
    try {
      expect(file.entries()).toEqual([
        { path: 'features', kind: 'dataset', shape: [4, 3], dtype: '<f4', matlabClass: null, text: false },
        { path: 'meta', kind: 'group', shape: null, dtype: null, matlabClass: null, text: false },
        { path: 'meta/ids', kind: 'dataset', shape: [4], dtype: '<i8', matlabClass: null, text: false },
      ])
      const features = file.read('features')
      expect(features).toMatchObject({ dtype: '<f4', shape: [4, 3] })
      expect(values(features.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
      expect(values(file.read('meta/ids').data)).toEqual([10, 20, 30, 40])
      expect(() => file.read('embedding')).toThrow("there is no dataset 'embedding' (datasets: features, meta/ids)")
      expect(() => file.read('meta')).toThrow("'meta' is a group, not an array")
    } finally {
      file.close()
    }
  })

  it('reads a MATLAB v7.3 MAT-file in MATLAB’s shape and order', async () => {
    const path = join(dir, 'v73.mat')
    expect(isMat73(new Uint8Array(readFileSync(path)))).toBe(true)
    const file = await open(path, true)
    try {
      expect(file.entries().map((e) => [e.path, e.shape, e.matlabClass])).toEqual([
        ['A', [2, 3], 'double'],
        ['S', [2, 2], 'single'],
        ['name', [1, 5], 'char'],
        ['rdms', null, 'struct'],
        ['rdms/RDM', [2, 2], 'double'],
      ])
      const a = file.read('A')
      expect(a.shape).toEqual([2, 3])
      expect(values(a.data)).toEqual([0, 1, 2, 3, 4, 5])
      expect(values(file.read('S').data)).toEqual([0, 1, 2, 3])
      expect(file.readText('name')).toBe('hello')
      expect(values(file.read('rdms/RDM').data)).toEqual([0, 1, 1, 0])
    } finally {
      file.close()
    }
  })

  it('refuses a file that is not HDF5', async () => {
    await expect(open(join(__dirname, '../fixtures/npy/f32_3x4.npy'), false)).rejects.toThrow('not a readable HDF5 file (no HDF5 signature)')
  })

  it('names a truncated or damaged file before or instead of the library’s own diagnostics', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hdf5-'))
    try {
      const whole = readFileSync(join(dir, 'features.h5'))
      // Cut short: the superblock says how long the file is (its end-of-file address; after MATLAB's 512-byte header too).
      writeFileSync(join(folder, 'half.h5'), whole.subarray(0, whole.length >> 1))
      await expect(open(join(folder, 'half.h5'), false)).rejects.toThrow(`truncated HDF5 file: it has ${whole.length >> 1} bytes, but its header says ${whole.length}`)
      const mat = readFileSync(join(dir, 'v73.mat'))
      writeFileSync(join(folder, 'half.mat'), mat.subarray(0, 3000))
      await expect(open(join(folder, 'half.mat'), true)).rejects.toThrow(`truncated HDF5 file: it has 3000 bytes, but its header says ${mat.length}`)
      // Whole, but its root group's header overwritten: the library cannot open it.
      const damaged = Buffer.from(whole)
      damaged.fill(0x5a, 96, 2048)
      writeFileSync(join(folder, 'damaged.h5'), damaged)
      await expect(open(join(folder, 'damaged.h5'), false)).rejects.toThrow('damaged HDF5 file: the HDF5 library cannot open it (bad object header version number); save it again from the program that wrote it')
      // Opens, but its group's symbol table is overwritten: listing it fails in the library, which would answer
      // "nothing here" after printing its error stack; the stack is the error, named by its innermost reason.
      const table = Buffer.from(whole)
      table.fill(0xab, 800, 1200)
      writeFileSync(join(folder, 'table.h5'), table)
      const file = await open(join(folder, 'table.h5'), false)
      try {
        expect(() => file.entries()).toThrow('damaged HDF5 file: the HDF5 library cannot list its contents (bad symbol table node signature); save it again from the program that wrote it')
      } finally {
        file.close()
      }
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
