// Pickle files as research code writes them (tests/fixtures/pickle/make.py: pickle.dump with protocols 2, 4 and 5,
// and the arrays NumPy holds, in expected.npz), read without Python.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
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

describe('large arrays in pickles', () => {
  // Written here by NumPy: 300 × 1152 arrays (over the 1 MiB from which an array is a view of the file's bytes, not a
  // copy), after name lists of 1 to 4 names so that the data start at every offset, with protocols 2, 4 and 5.
  const dtypes = ['<f4', '<f8', '<i2', '>f4'] as const
  const value = (k: number) => ((k * 37) % 1000) / 8
  const written = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'humanalign-pickle-'))
    const script = `
import pickle, sys, numpy as np
k = np.arange(300 * 1152)
for protocol in (2, 4, 5):
    for names in range(1, 5):
        for dtype in ${JSON.stringify(dtypes)}:
            x = (((k * 37) % 1000) / 8).astype(dtype).reshape(300, 1152)
            with open(f"{sys.argv[1]}/p{protocol}-{names}-{dtype[1:]}{'-be' if dtype[0] == '>' else ''}.pkl", 'wb') as f:
                pickle.dump({'names': ['n' * (i + 1) for i in range(names)], 'features': x}, f, protocol=protocol)
`
    const r = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(r.stderr)
    return dir
  })()

  it.each([2, 4, 5])('reads them exactly at every alignment with protocol %i; from protocol 4 on, a native one is a view of the aligned file bytes', (protocol) => {
    for (let names = 1; names <= 4; names++) {
      for (const dtype of dtypes) {
        const file = new Uint8Array(readFileSync(join(written, `p${protocol}-${names}-${dtype.slice(1)}${dtype[0] === '>' ? '-be' : ''}.pkl`)))
        const array = decodePickleFile(file).arrays.features!
        expect(array.shape).toEqual([300, 1152])
        const data = array.data as Float32Array | Float64Array | Int16Array
        const wrong = data.findIndex((v, k) => v !== (dtype === '<i2' ? Math.trunc(value(k)) : value(k)))
        expect(wrong, `${protocol} ${names} ${dtype}`).toBe(-1)
        const itemBytes = Number(dtype.slice(2))
        expect(data.byteOffset % itemBytes).toBe(0)
        // Protocol 2 pickles bytes as latin-1 text, so its arrays are built anew; big-endian ones are converted; the
        // int16 one (675 KiB) is under 1 MiB, and copied.
        expect(data.buffer === file.buffer, `${protocol} ${names} ${dtype}`).toBe(protocol >= 4 && dtype[0] === '<' && data.byteLength >= 1 << 20)
      }
    }
  })
})

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
