import { describe, expect, it } from 'vitest'
import { matrixNames, matrixRanges } from '../../src-main/api/matrixNames'

describe('matrix names', () => {
  it('says chosen matrices by their numbers from 1, consecutive ones as ranges, in the order chosen', () => {
    expect(matrixRanges([8, 9, 10, 11, 12, 13, 14, 15])).toBe('9–16')
    expect(matrixRanges([0, 2, 4, 5, 6])).toBe('1, 3, 5–7')
    expect(matrixRanges([3])).toBe('4')
    expect(matrixRanges([5, 4, 0, 1])).toBe('6, 5, 1–2')
  })

  it('takes the names a file gives the matrices, else numbers them', () => {
    expect(matrixNames({ kind: 'similarity', meta: { subjects: 2, subjectsFrom: ['mIT', 'hIT'] } })).toEqual(['mIT', 'hIT'])
    expect(matrixNames({ kind: 'similarity', meta: { subjects: 3, subjectsFrom: ['one name short', 'x'] } })).toEqual(['matrix 1', 'matrix 2', 'matrix 3'])
    expect(matrixNames({ kind: 'features', meta: {} })).toEqual(['matrix 1'])
  })
})
