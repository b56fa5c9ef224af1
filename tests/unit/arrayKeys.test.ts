// Keys that pick arrays: patterns with *, and the stacked keys the Data page offers.
import { describe, expect, it } from 'vitest'
import { matchingKeys, stackedKeys } from '../../src-main/api/arrayKeys'

describe('array keys', () => {
  it('matches a key itself, or every name a * pattern fits, in the file order; other characters are literal', () => {
    const names = ['stimuli_a', 'rdmutv_a', 'rdmutv_b.c', 'rdmutvX']
    expect(matchingKeys(names, 'rdmutv_a')).toEqual(['rdmutv_a'])
    expect(matchingKeys(names, 'rdmutv_*')).toEqual(['rdmutv_a', 'rdmutv_b.c'])
    expect(matchingKeys(names, 'rdmutv_b?c')).toEqual([])
    expect(matchingKeys(['a.b', 'axb'], 'a.*')).toEqual(['a.b'])
  })

  it('offers PREFIX_* where two or more arrays of one shape share a prefix', () => {
    const arrays = [
      { key: 'rdmutv_wise_dolphin', shape: [1, 10] },
      { key: 'rdmutv_green_lion', shape: [1, 10] },
      { key: 'sub_1', shape: [5, 5] },
      { key: 'sub_2', shape: [4, 4] },
      { key: 'features', shape: [5, 3] },
      { key: 'lone_one', shape: [3] },
    ]
    expect(stackedKeys(arrays)).toEqual([{ key: 'rdmutv_*', count: 2, shape: [1, 10] }])
  })
})
