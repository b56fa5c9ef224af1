import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeNpy, encodeNpy, NpyFormatError } from '../../src-main/core/io/npy'

// Fixtures written by NumPy: tests/fixtures/npy/make_fixtures.py
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '../fixtures/npy', name)))

describe('encodeNpy', () => {
  it('writes the same bytes as numpy.save', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => Math.fround(i / 7))
    // NumPy divides in float32; Math.fround(i / 7) rounds the float64 quotient, which is the same value.
    expect(encodeNpy({ dtype: '<f4', shape: [3, 4], data })).toEqual(fixture('f32_3x4.npy'))
    expect(encodeNpy({ dtype: '<f8', shape: [3, 1], data: Float64Array.of(0.5, -1.25, Math.PI) })).toEqual(fixture('f64_col.npy'))
    expect(encodeNpy({ dtype: '<i8', shape: [5], data: BigInt64Array.of(-3n, 0n, 7n, 2n ** 40n, -(2n ** 33n)) })).toEqual(
      fixture('i64_5.npy'),
    )
    expect(encodeNpy({ dtype: '|u1', shape: [2, 2, 2], data: Uint8Array.from({ length: 8 }, (_, i) => i) })).toEqual(
      fixture('u8_2x2x2.npy'),
    )
    expect(encodeNpy({ dtype: '<f4', shape: [0, 3], data: new Float32Array(0) })).toEqual(fixture('f32_empty.npy'))
  })

  it('starts the data on a 64-byte boundary', () => {
    for (const shape of [[1], [12345, 678], [1, 2, 3, 4, 5, 6]]) {
      const n = shape.reduce((a, b) => a * b, 1)
      const bytes = encodeNpy({ dtype: '<f4', shape, data: new Float32Array(n) })
      expect((bytes.length - n * 4) % 64).toBe(0)
    }
  })

  it('refuses data that does not fit the shape or dtype', () => {
    expect(() => encodeNpy({ dtype: '<f4', shape: [2, 2], data: new Float32Array(3) })).toThrow(/holds 4 elements, data has 3/)
    expect(() => encodeNpy({ dtype: '<f8', shape: [2], data: new Float32Array(2) })).toThrow(/not <f8/)
    expect(() => encodeNpy({ dtype: '<f4', shape: [-1], data: new Float32Array(0) })).toThrow(NpyFormatError)
  })
})

describe('decodeNpy', () => {
  it('reads values written by numpy', () => {
    const a = decodeNpy(fixture('f32_3x4.npy'))
    expect(a.dtype).toBe('<f4')
    expect(a.shape).toEqual([3, 4])
    expect(a.fortranOrder).toBe(false)
    expect(a.data[11]).toBe(Math.fround(11 / 7))
    expect(Array.from(decodeNpy(fixture('i64_5.npy')).data as BigInt64Array)).toEqual([-3n, 0n, 7n, 2n ** 40n, -(2n ** 33n)])
    expect(decodeNpy(fixture('f32_empty.npy')).shape).toEqual([0, 3])
  })

  it('reads format version 2.0 and the Fortran-order flag', () => {
    const v2 = decodeNpy(fixture('f32_v2.npy'))
    expect(Array.from(v2.data as Float32Array)).toEqual([1.5, -2])
    const f = decodeNpy(fixture('f32_fortran.npy'))
    expect(f.fortranOrder).toBe(true)
    // Column-major storage of [[0,1,2],[3,4,5]].
    expect(Array.from(f.data as Float32Array)).toEqual([0, 3, 1, 4, 2, 5])
  })

  it('round-trips what it encodes', () => {
    const data = Int32Array.of(-7, 0, 2147483647, -2147483648, 5, 6)
    const back = decodeNpy(encodeNpy({ dtype: '<i4', shape: [2, 3], data }))
    expect(back.shape).toEqual([2, 3])
    expect(Array.from(back.data as Int32Array)).toEqual(Array.from(data))
  })

  it('names what is wrong with a bad file', () => {
    const good = fixture('f32_3x4.npy')
    expect(() => decodeNpy(good.subarray(0, good.length - 4))).toThrow(/truncated .npy data: expected 48 bytes, found 44/)
    expect(() => decodeNpy(new TextEncoder().encode('hello world'))).toThrow(/not a .npy file/)
    const complex = good.slice()
    complex.set(new TextEncoder().encode("'<c8'"), good.indexOf(0x27, 10) + 9)
    expect(() => decodeNpy(complex)).toThrow(/unsupported dtype '<c8'/)
  })
})
