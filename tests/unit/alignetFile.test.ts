import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeAlignet, encodeAlignet } from '../../src-main/core/alignet/alignetFile'
import { decodeNpyStrings, encodeNpyStrings } from '../../src-main/core/io/npyStrings'
import { encodeNpz } from '../../src-main/core/io/npz'

const fixtures = join(__dirname, '../fixtures/alignet')
const names = ['n01/a.JPEG', 'n01/b.JPEG', 'n02/c.JPEG', 'n03/é.JPEG', 'n03/f.JPEG', 'n01/a.JPEG']

describe('AligNet triplet files', () => {
  it('reads the layout NumPy writes', () => {
    const t = decodeAlignet(new Uint8Array(readFileSync(join(fixtures, 'alignet_numpy.npz'))))
    expect(t.count).toBe(2)
    expect(t.filenames).toEqual(names)
    expect(Array.from(t.indices)).toEqual([0, 1, 2, 3, 4, 0])
    expect(Array.from(t.similarities)).toEqual([0.9, 0.1, 0.2, 0.8, -0.3, 0.05].map(Math.fround))
  })

  it('writes text arrays byte for byte as numpy.save, and files that read back the same', () => {
    expect(encodeNpyStrings([2, 3], names)).toEqual(new Uint8Array(readFileSync(join(fixtures, 'filenames_numpy.npy'))))
    expect(decodeNpyStrings(encodeNpyStrings([3], ['', 'x', '😀']))).toEqual({ shape: [3], values: ['', 'x', '😀'] })
    const t = { count: 2, filenames: names, similarities: Float32Array.of(1, 2, 3, 4, 5, 6), indices: Int32Array.of(0, 1, 2, 3, 4, 0) }
    expect(decodeAlignet(encodeAlignet(t))).toEqual(t)
  })

  it('says what is missing or misshapen', () => {
    expect(() => decodeAlignet(encodeNpz({ indices: { dtype: '<i4', shape: [1, 3], data: Int32Array.of(0, 1, 2) } }))).toThrow('not an AligNet triplet file: no filenames, similarities (it has indices)')
    const bad = encodeNpz({
      filenames: encodeNpyStrings([1, 3], ['a', 'b', 'c']),
      similarities: { dtype: '<f4', shape: [1, 2], data: Float32Array.of(1, 2) },
      indices: { dtype: '<i4', shape: [1, 3], data: Int32Array.of(0, 1, 2) },
    })
    expect(() => decodeAlignet(bad)).toThrow("'similarities' is [1 × 2]; AligNet's arrays are n × 3 with the same n (1)")
  })
})

describe('npz bytes', () => {
  it('are the same for the same arrays whenever they are written', async () => {
    const arrays = { a: { dtype: '<f4' as const, shape: [2], data: Float32Array.of(1, 2) } }
    const first = encodeNpz(arrays)
    await new Promise((r) => setTimeout(r, 2100))
    expect(Buffer.from(encodeNpz(arrays)).equals(Buffer.from(first))).toBe(true)
  })
})
