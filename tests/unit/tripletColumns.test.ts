// Triplet tables as experiments export them: objects by name, the odd one out in a choice column.
import { describe, expect, it } from 'vitest'
import { objectLookup } from '../../src-main/core/data/objectNames'
import { tripletIndexColumns as typed, type Cells } from '../../src-main/core/data/tripletColumns'

const texts = (name: string, ...cells: string[]): Cells => ({ name, texts: cells })
const numbers = (name: string, ...cells: number[]): Cells => ({ name, numbers: cells })
/** The result with its columns as plain arrays, to compare with the columns worked out by hand. */
const tripletIndexColumns = (...args: Parameters<typeof typed>) => {
  const result = typed(...args)
  return { ...result, columns: result.columns.map((c) => Array.from(c)) }
}
const list = { name: 'THINGS images', ids: ['images/aardvark_01b.jpg', 'images/abacus_01s.jpg', 'images/zebra_02s.jpg', 'images/yak_01b.jpg'] }

describe('triplet tables with names and a choice column', () => {
  it('finds an object by its id, or by its file name without folder and extension, unless two share it', () => {
    const find = objectLookup(['a/cat.jpg', 'b/cat.png', 'dog.jpg', 'x/eel.jpg'])
    expect(find('a/cat.jpg')).toBe(0)
    expect(find('b/cat.png')).toBe(1)
    expect(find('cat')).toBeUndefined()
    expect(find('dog')).toBe(2)
    expect(find('stimuli/dog.png')).toBe(2)
    expect(find('eel.JPG')).toBe(3)
    expect(find('emu')).toBeUndefined()
  })

  it('turns names into indices of the object list and moves the chosen object last, the other two in their order', () => {
    const objects = [
      texts('left', 'aardvark_01b.jpg', 'zebra_02s', 'yak_01b.png'),
      texts('middle', 'abacus_01s.jpg', 'yak_01b', 'aardvark_01b'),
      texts('right', 'zebra_02s.jpg', 'aardvark_01b', 'images/abacus_01s.jpg'),
    ]
    const byName = tripletIndexColumns(objects, texts('response', 'abacus_01s.jpg', 'zebra_02s.jpg', 'abacus_01s'), list)
    expect(byName).toEqual({ named: true, choice: 'object', columns: [[0, 3, 3], [2, 0, 0], [1, 2, 1]] })
    // The same choices as the position of the chosen object among the three shown, counted from 1 and from 0.
    expect(tripletIndexColumns(objects, numbers('button', 2, 1, 3), list)).toEqual({ ...byName, choice: 'position 1–3' })
    expect(tripletIndexColumns(objects, numbers('button', 1, 0, 2), list)).toEqual({ ...byName, choice: 'position 0–2' })
    // Without a choice column the third is the odd one out.
    expect(tripletIndexColumns(objects, undefined, list)).toEqual({ named: true, choice: null, columns: [[0, 2, 3], [1, 3, 0], [2, 0, 1]] })
  })

  it('reads a numeric choice as the chosen object when every row chose one of its three, else as a position', () => {
    const objects = [numbers('i', 5, 7, 9), numbers('j', 6, 8, 1), numbers('k', 4, 2, 3)]
    expect(tripletIndexColumns(objects, numbers('odd', 6, 2, 9), null)).toEqual({ named: false, choice: 'object', columns: [[5, 7, 1], [4, 8, 3], [6, 2, 9]] })
    expect(tripletIndexColumns(objects, numbers('odd', 2, 3, 1), null)).toEqual({ named: false, choice: 'position 1–3', columns: [[5, 7, 1], [4, 8, 3], [6, 2, 9]] })
  })

  it('says which row and name is wrong, and what it needs', () => {
    const objects = [texts('a', 'aardvark_01b'), texts('b', 'abacus_01s'), texts('c', 'okapi_01b')]
    expect(() => tripletIndexColumns(objects, undefined, list)).toThrow(
      'row 1, column "c": "okapi_01b" is not an object of "THINGS images" (its ids are like "images/aardvark_01b.jpg", "images/abacus_01s.jpg", "images/zebra_02s.jpg").',
    )
    expect(() => tripletIndexColumns(objects, undefined, null)).toThrow('column "a" holds names ("aardvark_01b"), not indices: choose the object list they name (--objects-from')
    const shown = [texts('a', 'aardvark_01b', 'yak_01b'), texts('b', 'abacus_01s', 'zebra_02s'), texts('c', 'zebra_02s', 'abacus_01s')]
    expect(() => tripletIndexColumns(shown, texts('choice', 'zebra_02s', 'aardvark_01b'), list)).toThrow(
      'the choice column "choice" holds neither one of each triplet\'s three objects (row 2: "aardvark_01b" is none of yak_01b, zebra_02s, abacus_01s) nor their positions (1–3, or 0–2).',
    )
    expect(() => tripletIndexColumns(shown, numbers('key', 1, 2), list)).toThrow('Its values are only 1 and 2, so whether positions count from 0 or 1 cannot be told.')
    expect(() => tripletIndexColumns(shown, numbers('key', 1, 4), list)).toThrow('nor their positions (1–3, or 0–2).')
  })
})
