// Pickle files as research code writes them (tests/fixtures/pickle/make.py: pickle.dump with protocols 2, 4 and 5,
// and the arrays NumPy holds, in expected.npz), read without Python.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { detectFormat } from '../../src-main/core/io/detect'
import { toCOrder } from '../../src-main/core/io/npy'
import { decodeNpz } from '../../src-main/core/io/npz'
import { decodePickleFile } from '../../src-main/core/io/pickleFile'
import { inspectFile, readArray } from '../../src-main/files/readers'

const dir = join(__dirname, '../fixtures/pickle')
const bytes = (name: string) => new Uint8Array(readFileSync(join(dir, name)))
const expected = decodeNpz(bytes('expected.npz'))

describe('pickle files', () => {
  it.each([2, 4, 5])('reads the arrays, nested lists of numbers and texts of a dict pickled with protocol %i as NumPy holds them', (protocol) => {
    const members = decodePickleFile(bytes(`features-p${protocol}.pkl`))
    const paths: Record<string, string> = { features: 'features', fortran: 'fortran', big_endian: 'big_endian', ids: 'ids', matrix: 'nested.matrix' }
    for (const [name, path] of Object.entries(paths)) {
      const array = toCOrder(members.arrays[path]!)
      expect(array.shape, path).toEqual(expected[name]!.shape)
      expect(Array.from(array.data as ArrayLike<number | bigint>), path).toEqual(Array.from(expected[name]!.data as ArrayLike<number | bigint>))
    }
    expect((members.arrays.ids!.data as BigInt64Array)[2]).toBe(2n ** 40n)
    expect(Array.from(members.arrays['nested.flags']!.data as Float64Array)).toEqual([1, 0])
    expect(members.texts.names).toEqual({ shape: [4], values: ['cat', 'dog', 'car', 'tree'] })
    expect(members.texts.labels).toEqual({ shape: [4], values: ['animal', 'animal', 'vehicle', 'plant'] })
    expect(members.texts.bytes_labels!.values).toEqual(['a', 'bc'])
    // Scalars and string attributes are not members.
    expect(Object.keys(members.arrays)).not.toContain('epoch')
    expect(Object.keys(members.texts)).not.toContain('note')
  })

  it('is told by its name, and read by the importers with a key', async () => {
    expect(detectFormat('features.pkl', bytes('features-p4.pkl'))).toBe('pickle')
    expect(detectFormat('features.pickle', bytes('features-p4.pkl'))).toBe('pickle')
    const summary = await inspectFile(join(dir, 'features-p5.pkl'))
    expect(summary.format).toBe('pickle')
    expect(summary.items.find((i) => i.key === 'fortran')).toMatchObject({ kind: 'array', dtype: '<f8', shape: [2, 3] })
    expect(summary.items.find((i) => i.key === 'names')).toMatchObject({ kind: 'text', shape: [4], text: 'cat\ndog\ncar\ntree' })
    // Without a key, thingsvision's name for features is taken.
    const read = await readArray(join(dir, 'features-p4.pkl'))
    expect(read.key).toBe('features')
    expect(read.array.shape).toEqual([4, 3])
    expect((await readArray(join(dir, 'features-p2.pkl'), 'nested.matrix')).array.data).toEqual(Float64Array.of(0, 1.5, 1.5, 0))
  })

  it('names what it does not read, and says how to save a pandas frame or a Python 2 pickle instead', async () => {
    expect(() => decodePickleFile(bytes('frame.pkl'))).toThrow(/only pandas\.core\.frame\.DataFrame; save a pandas DataFrame with df\.to_csv\(…\) or np\.save\(…, df\.to_numpy\(\)\) instead/)
    expect(() => decodePickleFile(bytes('python2.pkl'))).toThrow('a pickle of protocol 0 or 1 (Python 2) is not read; load it and save it again with pickle.dump(obj, f) in Python 3')
    // The message ends with what to do: no general advice about formats after it.
    await expect(readArray(join(dir, 'python2.pkl'))).rejects.toThrow(/python2\.pkl: a pickle of protocol 0 or 1 \(Python 2\) is not read; load it and save it again with pickle\.dump\(obj, f\) in Python 3\.$/)
    await expect(readArray(join(dir, 'frame.pkl'))).rejects.toThrow(/df\.to_numpy\(\)\) instead\.$/)
    await expect(readArray(join(dir, 'features-p4.pkl'), 'nope')).rejects.toThrow(/features-p4\.pkl has no array 'nope' \(it has: features, fortran, big_endian, ids, nested\.matrix, nested\.flags\)/)
  })
})
