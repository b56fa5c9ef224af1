import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeNpy, toCOrder } from '../../src-main/core/io/npy'
import { decodeNpz, encodeNpz } from '../../src-main/core/io/npz'
import { readArray } from '../../src-main/files/readers'
import { useTmp } from '../helpers/tmp'

// Written by NumPy: tests/fixtures/npy/make_fixtures.py
const dir = join(__dirname, '../fixtures/npy')
const read = (name: string) => new Uint8Array(readFileSync(join(dir, name)))
const numbers = (data: ArrayLike<number | bigint>) => Array.from(data as ArrayLike<number | bigint>, Number)
const tmp = useTmp()

describe('every dtype NumPy writes, both byte orders, both memory orders', () => {
  const files = readdirSync(join(dir, 'all')).filter((f) => /^[iuf]\d(le|be)_[cf]\.npy$/.test(f))

  it('covers 11 dtypes', () => {
    expect(files).toHaveLength(2 * (2 + 9 * 2))
  })

  it.each(files)('%s reads as [[0, 1, 2], [3, 4, 5]]', (file) => {
    const array = toCOrder(decodeNpy(read(`all/${file}`)))
    expect(array.shape).toEqual([2, 3])
    expect(array.fortranOrder).toBe(false)
    expect(numbers(array.data)).toEqual([0, 1, 2, 3, 4, 5])
    expect(array.dtype).toBe(file.startsWith('f2') ? '<f4' : `${/^[iu]1/.test(file) ? '|' : '<'}${file.slice(0, 2)}`)
  })

  it('reads booleans, a 3-D Fortran array and a version 3.0 header', () => {
    expect(numbers(decodeNpy(read('all/b1_c.npy')).data)).toEqual([1, 0, 1, 0, 1, 0])
    const cube = toCOrder(decodeNpy(read('all/f4le_3d_f.npy')))
    expect(cube.shape).toEqual([2, 3, 4])
    expect(numbers(cube.data)).toEqual(Array.from({ length: 24 }, (_, i) => i))
    expect(numbers(decodeNpy(read('all/f4_v3.npy')).data)).toEqual([0, 1, 2, 3, 4, 5])
  })
})

describe('.npz', () => {
  it('reads stored (np.savez) and deflated (np.savez_compressed) archives', () => {
    const stored = decodeNpz(read('features_stored.npz'))
    expect(Object.keys(stored).sort()).toEqual(['features', 'ids'])
    expect(stored.features!.shape).toEqual([4, 3])
    expect(numbers(stored.ids!.data)).toEqual([3, 1, 4, 1])
    const gLocal = decodeNpz(read('transform_deflated.npz'))
    expect(Object.keys(gLocal).sort()).toEqual(['bias', 'mean', 'std', 'weights'])
    expect(numbers(gLocal.weights!.data)).toEqual([2, 0, 0, 0, 2, 0, 0, 0, 2])
    expect(gLocal.mean!.shape).toEqual([])
    expect(numbers(gLocal.std!.data)).toEqual([1.5])
  })

  it('writes archives NumPy reads back', () => {
    const file = join(tmp(), 'out.npz')
    for (const compress of [false, true]) {
      writeFileSync(
        file,
        encodeNpz(
          {
            weights: { dtype: '<f4', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
            ids: { dtype: '<i8', shape: [3], data: BigInt64Array.of(7n, 8n, 9n) },
          },
          { compress },
        ),
      )
      const r = spawnSync('python3', ['-c', `import numpy as np; z = np.load(${JSON.stringify(file)}); print(z['weights'].tolist(), z['ids'].tolist(), z['weights'].dtype)`], { encoding: 'utf8' })
      expect(r.stderr).toBe('')
      expect(r.stdout.trim()).toBe('[[1.0, 2.0], [3.0, 4.0]] [7, 8, 9] float32')
    }
  })

  it('names what is wrong with a damaged archive', () => {
    const bytes = read('features_stored.npz')
    expect(() => decodeNpz(bytes.subarray(0, 100))).toThrow(/not a readable .npz \(zip\) archive/)
  })

  it('reads one member from the file as the import does, stored or deflated, by key or by default', async () => {
    const stored = await readArray(join(dir, 'features_stored.npz'))
    expect(stored.key).toBe('features')
    expect(stored.array.shape).toEqual([4, 3])
    expect(numbers(stored.array.data)).toEqual(numbers(decodeNpz(read('features_stored.npz')).features!.data))
    const weights = await readArray(join(dir, 'transform_deflated.npz'), 'weights')
    expect(numbers(weights.array.data)).toEqual([2, 0, 0, 0, 2, 0, 0, 0, 2])
    await expect(readArray(join(dir, 'transform_deflated.npz'))).rejects.toThrow('holds several arrays (weights, bias, mean, std); choose one with its key.')
    await expect(readArray(join(dir, 'transform_deflated.npz'), 'W')).rejects.toThrow("has no array 'W' (it has: weights, bias, mean, std).")
    const file = join(tmp(), 'cut.npz')
    writeFileSync(file, read('features_stored.npz').subarray(0, 100))
    await expect(readArray(file)).rejects.toThrow(/not a readable .npz \(zip\) archive: no end of central directory/)
    // The archive's last bytes (its directory) intact, a member's data cut short: the member says so.
    const whole = read('features_stored.npz')
    const start = whole.indexOf(0x93)
    const damaged = whole.slice()
    damaged.fill(0x20, start, start + 10)
    writeFileSync(file, damaged)
    await expect(readArray(file, 'features')).rejects.toThrow(/array 'features': /)
  })
})
