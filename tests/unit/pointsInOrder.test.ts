// The Maps page shows the right map's objects in the left map's order (datasets.lineUp): point k of the right map
// is then the same object as point k of the left.
import { describe, expect, it } from 'vitest'
import { pointsInOrder } from '../../src-main/api/pointsInOrder'

describe('points in another order', () => {
  it('takes each object’s x and y together, in the order given', () => {
    // Objects a, b, c at (0, 1), (2, 3), (4, 5); the left map lists them c, a, b.
    expect(pointsInOrder([0, 1, 2, 3, 4, 5], [2, 0, 1])).toEqual([4, 5, 0, 1, 2, 3])
    expect(pointsInOrder([0, 1, 2, 3], null)).toEqual([0, 1, 2, 3])
  })
})
