// The pickle interpreter behind torch.save files and NumPy object arrays builds data and runs nothing.
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Opaque, unpickle } from '../../src-main/core/io/pickle'

describe('unpickle', () => {
  it('builds dicts, lists, numbers, text and bytes, and leaves a call to os.system an opaque placeholder', () => {
    // pickle.dumps({'names': ['a', 'b'], 'evil': E(), 'n': 3, 'x': 2.5, 'b': b'\x00\x01'}, protocol=4), where
    // E.__reduce__ returns (os.system, ('touch /tmp/humanalign-pickle-ran',)); written by CPython 3.11.
    // prettier-ignore
    const bytes = Uint8Array.from([128, 4, 149, 116, 0, 0, 0, 0, 0, 0, 0, 125, 148, 40, 140, 5, 110, 97, 109, 101, 115, 148, 93, 148, 40, 140, 1, 97, 148, 140, 1, 98, 148, 101, 140, 4, 101, 118, 105, 108, 148, 140, 5, 112, 111, 115, 105, 120, 148, 140, 6, 115, 121, 115, 116, 101, 109, 148, 147, 148, 140, 32, 116, 111, 117, 99, 104, 32, 47, 116, 109, 112, 47, 104, 117, 109, 97, 110, 97, 108, 105, 103, 110, 45, 112, 105, 99, 107, 108, 101, 45, 114, 97, 110, 148, 133, 148, 82, 148, 140, 1, 110, 148, 75, 3, 140, 1, 120, 148, 71, 64, 4, 0, 0, 0, 0, 0, 0, 104, 4, 67, 2, 0, 1, 148, 117, 46])
    const value = unpickle(bytes) as Map<string, unknown>
    expect(value.get('names')).toEqual(['a', 'b'])
    expect(value.get('n')).toBe(3)
    expect(value.get('x')).toBe(2.5)
    expect(value.get('b')).toEqual(Uint8Array.of(0, 1))
    expect(value.get('evil')).toEqual(new Opaque('posix.system'))
    expect(existsSync('/tmp/humanalign-pickle-ran')).toBe(false)
    expect(() => unpickle(bytes.subarray(0, 40))).toThrow('the pickle ends')
  })
})
