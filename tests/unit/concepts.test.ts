import { describe, expect, it } from 'vitest'
import { toConcepts } from '../../src-main/core/data/concepts'
import { parseDelimited } from '../../src-main/core/io/delimited'

const table = (s: string) => parseDelimited([new TextEncoder().encode(s)])

describe('Concepts', () => {
  it('reads names, WordNet ids and one-hot categories, leaving out a totals row', async () => {
    const c = toConcepts(await table('Word\tWordNet ID\tanimal\tfood\ncat\tn02121808\t1\t\nbread\tn07679356\t\t1\n\t\t1\t1\n'))
    expect(c).toMatchObject({ n: 2, names: ['cat', 'bread'], wordnetIds: ['n02121808', 'n07679356'], categories: ['animal', 'food'], skippedRows: 1 })
    expect(Array.from(c.membership)).toEqual([1, 0, 0, 1])
  })

  it('makes categories from a label column when there are no 0/1 columns', async () => {
    const c = toConcepts(await table('uniqueID,Word,Bottom-up Category,frequency\nbat1,bat,animal,3\nbat2,bat,sports equipment,5\ncow,cow,animal,2\n'))
    expect(c.names).toEqual(['bat1', 'bat2', 'cow'])
    expect(c.nameColumn).toBe('uniqueID')
    expect(c.categories).toEqual(['animal', 'sports equipment'])
    expect(Array.from(c.membership)).toEqual([1, 0, 0, 1, 1, 0])
    expect(c.categorySource).toBe('column "Bottom-up Category"')
  })

  it('prefers a category label column to 0/1 columns, and numbers objects that have no names', () => {
    const c = toConcepts({
      rows: 3,
      columns: [
        { name: 'category', kind: 'text', texts: ['human face', 'animal body', 'human face'] },
        { name: 'human', kind: 'number', numbers: Float64Array.of(1, 0, 1) },
      ],
    })
    expect(c).toMatchObject({ n: 3, names: ['1', '2', '3'], nameColumn: null, categories: ['human face', 'animal body'], categorySource: 'column "category"' })
    expect(Array.from(c.membership)).toEqual([1, 0, 0, 1, 1, 0])
  })

  it('needs a name column', async () => {
    expect(() => toConcepts({ rows: 1, columns: [{ name: 'x', kind: 'number', numbers: Float64Array.of(1) }] })).toThrow(
      'concepts need a column of names (text); this table has only numbers.',
    )
  })
})
