import { describe, expect, it } from 'vitest'
import { categoryMeans, rowCategories } from '../../src-main/core/data/categoryMeans'

// Four objects of two features; categories a (objects 0 and 2), b (object 3), c (none); object 1 in no category.
const features = { data: Float32Array.of(1, 2, 50, 60, 3, 5, -1, 0.5), n: 4, p: 2, ids: ['x/1.jpg', 'x/2.jpg', 'y/3.jpg', 'y/4.jpg'], name: 'F' }
const membership = Uint8Array.of(1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0)

describe('categoryMeans', () => {
  it('averages the rows of each category, leaving out rows in none and categories without rows', () => {
    const m = categoryMeans(features, { membership, categories: ['a', 'b', 'c'], names: ['1', '2', '3', '4'], name: 'C' })
    // a: the mean of (1, 2) and (3, 5); b: (−1, 0.5) alone.
    expect(Array.from(m.data)).toEqual([2, 3.5, -1, 0.5])
    expect(m).toMatchObject({ ids: ['a', 'b'], p: 2, counts: [2, 1], uncategorised: 1, shared: 0, empty: ['c'] })
  })

  it('finds each row in the categories by name, in any order', () => {
    // The table lists the objects backwards, named by file stems.
    const reversed = Uint8Array.of(0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0)
    const m = categoryMeans(features, { membership: reversed, categories: ['a', 'b', 'c'], names: ['4', '3', '2', '1'], name: 'C' })
    expect(Array.from(m.data)).toEqual([2, 3.5, -1, 0.5])
  })

  it('takes rows in order where a side names nothing, or no name is common to both, when the counts agree', () => {
    const m = categoryMeans({ ...features, ids: null }, { membership, categories: ['a', 'b', 'c'], names: null, name: 'C' })
    expect(Array.from(m.data)).toEqual([2, 3.5, -1, 0.5])
    // Concept names against image file names: two conventions for the same four objects.
    expect(Array.from(categoryMeans(features, { membership, categories: ['a', 'b', 'c'], names: ['ant', 'bee', 'cat', 'dog'], name: 'C' }).data)).toEqual([2, 3.5, -1, 0.5])
    expect(() => categoryMeans({ ...features, ids: null }, { membership: membership.subarray(0, 9), categories: ['a', 'b', 'c'], names: null, name: 'C' })).toThrow(
      '"F" has 4 rows and "C" 3 objects, and one of them does not name its objects, so they cannot be matched; give both the same objects, or names.',
    )
  })

  it('counts an object in several categories in the mean of each (categories that nest, as THINGSplus\' do)', () => {
    // Object 3 in b and c, object 0 in a, b and c: three layers of memberships.
    const nested = Uint8Array.from(membership)
    nested[3 * 3 + 2] = 1
    nested[1] = 1
    nested[2] = 1
    const m = categoryMeans(features, { membership: nested, categories: ['a', 'b', 'c'], names: ['1', '2', '3', '4'], name: 'C' })
    // a: (1, 2) and (3, 5); b and c: (1, 2) and (−1, 0.5).
    expect(Array.from(m.data)).toEqual([2, 3.5, 0, 1.25, 0, 1.25])
    expect(m).toMatchObject({ ids: ['a', 'b', 'c'], counts: [2, 2, 2], uncategorised: 1, shared: 2, empty: [] })
  })

  it('refuses objects it cannot find, and categories no row is in', () => {
    expect(() => categoryMeans(features, { membership, categories: ['a', 'b', 'c'], names: ['1', '2', '3', '5'], name: 'C' })).toThrow('"y/4.jpg" of "F" is not in "C"; give the categories of the images the features are of.')
    expect(() => categoryMeans(features, { membership: new Uint8Array(12), categories: ['a', 'b', 'c'], names: null, name: 'C' })).toThrow('none of the rows of "F" is in a category of "C".')
  })

  it('reads each row’s category from its memberships, a table at any offset and of any width', () => {
    // Rows of 5 (not a whole number of 4-byte words): in 0, none, 4, 1 and 3 (one word), 2 and 4 (two words), 3, none.
    const rows = [[1, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 1], [0, 1, 0, 1, 0], [0, 0, 1, 0, 1], [0, 0, 0, 1, 0], [0, 0, 0, 0, 0]]
    for (const offset of [0, 1, 3]) {
      const buffer = new Uint8Array(offset + 35)
      buffer.set(rows.flat(), offset)
      expect(Array.from(rowCategories(buffer.subarray(offset), 7, 5))).toEqual([0, -1, 4, -2, -2, 3, -1])
    }
  })

  it('sums float32 rows in float64, four at a time and the rest one by one', () => {
    // 7 features: one SIMD block of 4 and 3 left. Each column is 2^24, 1, 1: float64 sums give (2^24 + 2) / 3 =
    // 5,592,406 exactly; float32 sums would lose both ones (2^24 + 1 rounds to 2^24) and give 5,592,405.33.
    const data = Float32Array.from({ length: 21 }, (_, k) => (k < 7 ? 2 ** 24 : 1))
    const m = categoryMeans({ data, n: 3, p: 7, ids: null, name: 'F' }, { membership: Uint8Array.of(1, 1, 1), categories: ['all'], names: null, name: 'C' })
    expect(Array.from(m.data)).toEqual(new Array(7).fill(5_592_406))
  })
})
