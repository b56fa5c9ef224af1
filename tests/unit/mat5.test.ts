import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeMat5, MatFormatError, type MatValue } from '../../src-main/core/io/mat5'
import { decodeNpy, toCOrder, type NpyArray } from '../../src-main/core/io/npy'

// Fixtures by SciPy: tests/fixtures/mat/make_fixtures.py
const fixtures = join(__dirname, '../fixtures/mat')
const examples = join(__dirname, '../../resources/examples')
const bytes = (file: string) => new Uint8Array(readFileSync(file))
const numeric = (v: MatValue | undefined): NpyArray => {
  if (v?.kind !== 'numeric') throw new Error(`expected a numeric array, got ${v?.kind}`)
  return toCOrder(v.array)
}
const values = (a: NpyArray) => Array.from(a.data as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x : Number(x)))

describe.each(['scipy_v5.mat', 'scipy_v5_compressed.mat'])('%s (written by scipy.io.savemat)', (file) => {
  const mat = decodeMat5(bytes(join(fixtures, file)))

  it('reads every numeric class with its shape, in row-major order', () => {
    expect(numeric(mat.a_double)).toMatchObject({ dtype: '<f8', shape: [2, 3] })
    expect(values(numeric(mat.a_double))).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25])
    expect(values(numeric(mat.a_single))).toEqual([0, 1, 2, 3, 4, 5])
    expect(numeric(mat.a_single).dtype).toBe('<f4')
    expect(values(numeric(mat.a_int8))).toEqual([-3, 4])
    expect(values(numeric(mat.a_uint8))).toEqual([250, 1, 2])
    expect(values(numeric(mat.a_int16))).toEqual([-300, 7])
    expect(values(numeric(mat.a_uint16))).toEqual([65000])
    expect(values(numeric(mat.a_int32))).toEqual([-70000, 5])
    expect(values(numeric(mat.a_uint32))).toEqual([4000000000])
    expect(values(numeric(mat.a_int64))).toEqual([-(2n ** 40n), 3n])
    expect(values(numeric(mat.a_uint64))).toEqual([2n ** 63n + 5n])
    expect(numeric(mat.a_3d).shape).toEqual([2, 3, 4])
    expect(values(numeric(mat.a_3d))).toEqual(Array.from({ length: 24 }, (_, i) => i))
    expect(values(numeric(mat.a_integer_valued_double))).toEqual([1, 2, 255])
  })

  it('reads logical and complex arrays', () => {
    expect(mat.a_logical).toMatchObject({ kind: 'numeric', logical: true, className: 'logical' })
    expect(values(numeric(mat.a_logical))).toEqual([1, 0, 1])
    const c = mat.a_complex as Extract<MatValue, { kind: 'numeric' }>
    expect(c.complex).toBe(true)
    expect(values(c.array)).toEqual([1, 3])
    expect(values(c.imaginary!)).toEqual([2, -4])
  })

  it('reads char arrays, cell arrays and struct arrays', () => {
    expect(mat.s_row).toEqual({ kind: 'char', shape: [1, 5], text: ['hello'] })
    expect(mat.s_matrix).toEqual({ kind: 'char', shape: [2, 2], text: ['ab', 'cd'] })
    const cell = mat.c_cell as Extract<MatValue, { kind: 'cell' }>
    expect(cell.shape).toEqual([1, 3])
    expect(values(numeric(cell.cells[0]))).toEqual([1.5])
    expect(cell.cells[1]).toMatchObject({ kind: 'char', text: ['x'] })
    expect(values(numeric(cell.cells[2]))).toEqual([1, 2, 3])
    const people = mat.st_people as Extract<MatValue, { kind: 'struct' }>
    expect(people.shape).toEqual([1, 2])
    expect(people.fields).toEqual(['name', 'rdm'])
    expect(people.elements.map((e) => (e.name as { text: string[] }).text[0])).toEqual(['ann', 'bob'])
    expect(values(numeric(people.elements[1]!.rdm))).toEqual([0, 2, 2, 0])
  })
})

describe('real data', () => {
  it('reads the 92-image struct array into 16 RDMs equal to SciPy’s', () => {
    const mat = decodeMat5(bytes(join(examples, 'rsa92/92_behavRDMs.mat')))
    const rdms = mat.rdms_behav_92 as Extract<MatValue, { kind: 'struct' }>
    expect(rdms.shape).toEqual([1, 16])
    expect(rdms.fields).toEqual(['RDM', 'name', 'color'])
    const reference = decodeNpy(bytes(join(fixtures, 'rdms92_scipy.npy')))
    const expected = reference.data as Float64Array
    rdms.elements.forEach((subject, s) => {
      const rdm = numeric(subject.RDM)
      expect(rdm.shape).toEqual([92, 92])
      expect(Array.from(rdm.data as Float64Array)).toEqual(Array.from(expected.subarray(s * 92 * 92, (s + 1) * 92 * 92)))
    })
    const names = readFileSync(join(fixtures, 'rdms92_names_scipy.txt'), 'utf8').trim().split('\n')
    expect(rdms.elements.map((e) => (e.name as { text: string[] }).text[0])).toEqual(names)
  })

  it('reads RDM48 equal to SciPy’s', () => {
    const rdm = numeric(decodeMat5(bytes(join(examples, 'things/RDM48_triplet.mat'))).RDM48_triplet)
    expect(rdm.shape).toEqual([48, 48])
    expect(Array.from(rdm.data as Float64Array)).toEqual(Array.from(decodeNpy(bytes(join(fixtures, 'rdm48_scipy.npy'))).data as Float64Array))
  })

  it('reads the 92 stimulus images and the category vectors', () => {
    const mat = decodeMat5(bytes(join(examples, 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat')))
    // A double array MATLAB stored compactly as uint8; scipy.io.loadmat(mat_dtype=True) also reads float64.
    const categories = numeric(mat.categoryVectors)
    expect(categories).toMatchObject({ dtype: '<f8', shape: [92, 12] })
    expect(values(categories).slice(0, 24)).toEqual([1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0])
    const stimuli = mat.stimuli_92objs as Extract<MatValue, { kind: 'struct' }>
    expect(stimuli.shape).toEqual([1, 92])
    expect(numeric(stimuli.elements[0]!.image)).toMatchObject({ dtype: '|u1', shape: [175, 175, 3] })
  })
})

describe('bad .mat files', () => {
  it('name the problem', () => {
    const good = bytes(join(fixtures, 'scipy_v5.mat'))
    expect(() => decodeMat5(new TextEncoder().encode('just some text that is not a mat file'.repeat(5)))).toThrow(MatFormatError)
    expect(() => decodeMat5(good.subarray(0, good.length - 40))).toThrow(/truncated .mat file/)
    const compressed = bytes(join(fixtures, 'scipy_v5_compressed.mat')).slice()
    compressed.fill(0xff, 200, 260)
    expect(() => decodeMat5(compressed)).toThrow(/compressed element is corrupted|truncated/)
  })
})
