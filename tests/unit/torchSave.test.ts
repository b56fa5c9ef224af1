// torch.save files read without Python, against the same tensors as PyTorch hands them to NumPy
// (tests/fixtures/torch/make.py writes both).
import { readFileSync } from 'node:fs'
import { unzipSync, zipSync } from 'fflate'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectFormat } from '../../src-main/core/io/detect'
import { toCOrder } from '../../src-main/core/io/npy'
import { decodeNpz } from '../../src-main/core/io/npz'
import { decodeTorch } from '../../src-main/core/io/torchSave'
import { inspectFile, readArray } from '../../src-main/files/readers'

const dir = join(__dirname, '../fixtures/torch')
const bytes = (name: string) => new Uint8Array(readFileSync(join(dir, name)))

describe('torch.save files', () => {
  it('reads a lone tensor', () => {
    const tensors = decodeTorch(bytes('features.pt')).arrays
    const expected = decodeNpz(bytes('features.npz'))['']!
    expect(Object.keys(tensors)).toEqual([''])
    expect(tensors['']).toMatchObject({ dtype: '<f4', shape: [4, 3] })
    expect(Array.from(tensors['']!.data as Float32Array)).toEqual(Array.from(expected.data as Float32Array))
    // The same tensor as a subclass (saved through _rebuild_from_type_v2; the class itself is never looked up).
    expect(Array.from(decodeTorch(bytes('subclass.pt')).arrays.sub!.data as Float32Array)).toEqual(Array.from(expected.data as Float32Array))
  })

  it('reads every tensor of a checkpoint by its path: views, offsets, every dtype, a state dict; other values are left', () => {
    const tensors = decodeTorch(bytes('checkpoint.pt')).arrays
    const expected = decodeNpz(bytes('checkpoint.npz'))
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort())
    for (const [path, saved] of Object.entries(expected)) {
      const array = toCOrder(saved)
      expect(tensors[path]!.shape, path).toEqual(array.shape)
      expect(Array.from(tensors[path]!.data as ArrayLike<number | bigint>), path).toEqual(Array.from(array.data as ArrayLike<number | bigint>))
    }
    // Python's 2**40 survives as a 64-bit integer; half and bfloat16 become float32 exactly.
    expect(tensors.labels!.dtype).toBe('<i8')
    expect((tensors.labels!.data as BigInt64Array)[2]).toBe(2n ** 40n)
    expect(Array.from(tensors.half!.data as Float32Array)).toEqual([0.5, -2.25, 65504])
    expect(Array.from(tensors.bf16!.data as Float32Array)).toEqual([1, -3.5, 0.15625])
  })

  it('reads NumPy arrays saved with torch.save (protocols 2 and 4), in every layout, as NumPy holds them, and text arrays as text', () => {
    const expected = decodeNpz(bytes('numpy-arrays.npz'))
    for (const file of ['numpy-arrays.pt', 'numpy-arrays-p4.pt']) {
      const arrays = decodeTorch(bytes(file)).arrays
      expect(Object.keys(arrays).sort(), file).toEqual(Object.keys(expected).sort())
      for (const [path, saved] of Object.entries(expected)) {
        const array = toCOrder(arrays[path]!)
        expect(array.shape, `${file} ${path}`).toEqual(saved.shape)
        expect(Array.from(array.data as ArrayLike<number | bigint>), `${file} ${path}`).toEqual(Array.from(saved.data as ArrayLike<number | bigint>))
      }
      expect((arrays.ids!.data as BigInt64Array)[2]).toBe(2n ** 40n)
      expect(arrays.fortran!.fortranOrder).toBe(true)
      // Names saved beside them are text members, as the import takes ids from.
      expect(decodeTorch(bytes(file)).texts.names, file).toEqual({ shape: [2], values: ['x', 'y'] })
    }
  })

  it('is told apart from .npz by its first bytes, and read by the importers with a key', async () => {
    expect(detectFormat('features.pt', bytes('features.pt').subarray(0, 4096))).toBe('torch')
    expect(detectFormat('checkpoint.npz', bytes('checkpoint.npz').subarray(0, 4096))).toBe('npz')
    const { array, key } = await readArray(join(dir, 'checkpoint.pt'), 'model.weight')
    expect(key).toBe('model.weight')
    expect(array.shape).toEqual([2, 3])
    expect((await readArray(join(dir, 'features.pt'))).array.shape).toEqual([4, 3])
    const summary = await inspectFile(join(dir, 'checkpoint.pt'))
    expect(summary.format).toBe('torch')
    expect(summary.items.find((i) => i.key === 'features')).toMatchObject({ kind: 'array', dtype: '<f8', shape: [4, 5] })
    // Without a key, thingsvision's name for features is taken.
    expect((await readArray(join(dir, 'checkpoint.pt'))).key).toBe('features')
  })

  it('refuses the pre-1.6 format and a file without tensors, saying what to do', async () => {
    await expect(readArray(join(dir, 'legacy.pt'))).rejects.toThrow(/legacy\.pt: not a torch\.save zip archive \(files saved by PyTorch before 1\.6/)
    expect(() => decodeTorch(bytes('legacy.pt'))).toThrow('load and save it again with a current PyTorch')
    expect(() => decodeTorch(bytes('no-tensors.pt'))).toThrow('the file holds no tensors, nor NumPy arrays of numbers')
    const whole = bytes('checkpoint.pt')
    expect(() => decodeTorch(whole.subarray(0, whole.length - 200))).toThrow(/the zip archive cannot be read .*; the file may be truncated or damaged/)
    // A storage shorter than its tensor says so, before anything is allocated.
    const entries = unzipSync(bytes('features.pt'))
    const storage = Object.keys(entries).find((name) => name.endsWith('/data/0'))!
    entries[storage] = entries[storage]!.subarray(0, 40)
    expect(() => decodeTorch(zipSync(entries))).toThrow('a tensor of shape [4, 3] reads past the end of its storage data/0')
  })
})
