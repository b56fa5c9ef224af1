import { describe, expect, it } from 'vitest'
import { orderByCategory } from '../../src-main/core/data/objectOrder'

describe('orderByCategory', () => {
  it('groups objects by their first category, stably, with the uncategorised last', () => {
    // Objects 0..5; categories face, body; object 1 is in both (face wins), object 4 in none.
    const membership = [0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0]
    expect(orderByCategory(6, ['face', 'body'], membership)).toEqual({
      order: [1, 2, 5, 0, 3, 4],
      groups: [
        { name: 'face', start: 0, end: 3 },
        { name: 'body', start: 3, end: 5 },
        { name: 'uncategorised', start: 5, end: 6 },
      ],
    })
  })

  it('keeps the file order when there are no categories', () => {
    expect(orderByCategory(3, [], [])).toEqual({ order: [0, 1, 2], groups: [{ name: 'uncategorised', start: 0, end: 3 }] })
  })
})
