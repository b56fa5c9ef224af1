// Names, categories and images of objects follow the order of the dataset they label, matched by name: the triplet
// browser's category filter, odd-one-out accuracy per category, the labels and thumbnails the pages ask for.
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Project } from '../../src-main/store/project'
import { useSession } from '../helpers/session'
import { TripletBrowser } from '../../src-main/app/tripletBrowser'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { objectNames, rowsInOrderOf } from '../../src-main/evaluate/objectOrder'
import { putArray } from '../../src-main/store/artifacts'
import { getDataset, insertDataset } from '../../src-main/store/datasets'
import { objectLabels } from '../../src-main/store/objectLabels'
import { planView } from '../../src-main/store/matrixView'
import { insertRun } from '../../src-main/store/runs'
import { imageThumbnails } from '../../src-main/store/thumbnails'
import { stateOf, useJobRunner } from '../helpers/jobRunner'
import { EXAMPLES_DIR, WORKER_DIR } from '../helpers/seed'

const setup = useJobRunner()
beforeAll(async () => {
  await chooseBackend({ force: 'wasm' })
})

const n = 24
const names = Array.from({ length: n }, (_, i) => `object ${i}`)
/** The order the "shuffled" datasets list the objects in: row k is object SHUFFLE[k]. */
const SHUFFLE = Array.from({ length: n }, (_, k) => (k * 7) % n)
/** Object i's category: three of them, in blocks of eight. */
const categoryOf = (i: number) => Math.floor(i / 8)

/** Triplets i < j < k of the objects with k − j − 1 a multiple of 5. */
function tripletIndices(): number[] {
  const indices: number[] = []
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) for (let k = j + 1; k < n; k += 5) indices.push(i, j, k)
  return indices
}
/** How many of those triplets have `some` or every one of their objects in category c. */
function inCategory(c: number, every: boolean): number {
  const indices = tripletIndices()
  let count = 0
  for (let t = 0; t < indices.length; t += 3) {
    const hits = [0, 1, 2].filter((m) => categoryOf(indices[t + m]!) === c).length
    if (every ? hits === 3 : hits > 0) count++
  }
  return count
}

function seed({ project }: { project: Project }) {
  const put = (data: Float32Array | Uint8Array | Int32Array, shape: number[]) =>
    putArray(project.db, project.dir, data instanceof Uint8Array ? { dtype: '|u1', shape, data } : data instanceof Int32Array ? { dtype: '<i4', shape, data } : { dtype: '<f4', shape, data }).sha256
  const random = randomGenerator(3)
  const x = Float32Array.from({ length: n * 4 }, () => random() * 2 - 1)
  const features = insertDataset(project.db, { kind: 'features', name: 'features', sourcePath: 't', meta: { n, p: 4, ids: names } }, put(x, [n, 4]))
  // Every triplet of the first twelve objects and some across: in the features' order, named alike.
  const indices = tripletIndices()
  const triplets = insertDataset(project.db, { kind: 'triplets', name: 'triplets', sourcePath: 't', meta: { objects: n, count: indices.length / 3, ids: names } }, put(Int32Array.from(indices), [indices.length / 3, 3]))
  const concepts = (name: string, rows: number[], meta: object) => {
    const membership = Uint8Array.from({ length: n * 3 }, (_, k) => Number(categoryOf(rows[Math.floor(k / 3)]!) === k % 3))
    return insertDataset(project.db, { kind: 'concepts', name, sourcePath: 't', meta: { n, categories: ['a', 'b', 'c'], ...meta } }, put(membership, [n, 3]))
  }
  const identity = names.map((_, i) => i)
  return {
    features,
    triplets,
    inOrder: concepts('in order', identity, { names, nameColumn: 'name' }),
    shuffled: concepts('shuffled', SHUFFLE, { names: SHUFFLE.map((i) => names[i]!), nameColumn: 'name' }),
    // A table without a names column: its objects numbered 1…n, which name nothing; taken row by row.
    numbered: concepts('numbered', SHUFFLE, { names: names.map((_, i) => String(i + 1)), nameColumn: null }),
    count: indices.length / 3,
  }
}

describe('labels in the order of what they label', () => {
  it('gives the names and categories of concepts in the order of the dataset they label', () => {
    const ctx = setup()
    const ids = seed(ctx)
    const { db, dir } = ctx.project
    const plain = objectLabels(db, dir, ids.shuffled)
    expect(plain.names.slice(0, 3)).toEqual(['object 0', 'object 7', 'object 14'])
    const lined = objectLabels(db, dir, ids.shuffled, ids.triplets)
    expect(lined.names).toEqual(names)
    expect(lined.category).toEqual(names.map((_, i) => categoryOf(i)))
    expect({ ...lined, source: '' }).toEqual({ ...objectLabels(db, dir, ids.inOrder, ids.triplets), source: '' })
    // Numbered concepts are not named: as they are.
    expect(objectNames(getDataset(db, ids.numbered)!)).toBeNull()
    expect(objectLabels(db, dir, ids.numbered, ids.triplets).category).toEqual(SHUFFLE.map(categoryOf))
  })

  it('puts category memberships in the order of the first named of the datasets compared', () => {
    const ctx = setup()
    const ids = seed(ctx)
    const { db } = ctx.project
    const membership = Uint8Array.from({ length: n * 3 }, (_, k) => Number(categoryOf(SHUFFLE[Math.floor(k / 3)]!) === k % 3))
    const unnamed = { ...getDataset(db, ids.features)!, meta: { n, p: 4 } }
    const expected = Uint8Array.from({ length: n * 3 }, (_, k) => Number(categoryOf(Math.floor(k / 3)) === k % 3))
    // Unnamed triplets took the features' order: the features say where each object is.
    expect(rowsInOrderOf([unnamed, getDataset(db, ids.features)!], getDataset(db, ids.shuffled)!, membership, 3)).toEqual(expected)
    // Nothing named: row by row.
    expect(rowsInOrderOf([unnamed], getDataset(db, ids.shuffled)!, membership, 3)).toBe(membership)
  })

  it('filters the triplet browser by the category of each object, found by name', async () => {
    const ctx = setup()
    const ids = seed(ctx)
    const browser = new TripletBrowser(WORKER_DIR, () => 'wasm')
    const query = { triplets: ids.triplets, models: [], similarity: 'dot' as const, agreement: 'any' as const, level: null, entropy: null, object: null, sort: 'index' as const, offset: 0, limit: 10, category: 1 }
    const total = async (concepts: number) => (await browser.page(ctx.project.db, ctx.project.dir, { ...query, categoriesFrom: concepts })).total
    // Triplets with an object of category b (objects 8…15).
    const expected = inCategory(1, false)
    expect(await total(ids.inOrder)).toBe(expected)
    expect(await total(ids.shuffled)).toBe(expected)
    // Taken row by row, the numbered table's categories are other objects'.
    expect(await total(ids.numbered)).not.toBe(expected)
  })

  it('counts odd-one-out accuracy per category by name', async () => {
    const ctx = setup()
    const ids = seed(ctx)
    const spec = { kind: 'evaluate', metric: 'odd-one-out', a: ids.features, b: ids.triplets, similarity: 'dot', temperature: 1, rdm: 'correlation', method: 'spearman', bootstrap: 0, permutations: 0, seed: 0, unbiased: false } as const
    const perCategory = async (concepts: number) => {
      const job = await stateOf(ctx.seen, ctx.runner.start({ ...spec, categoriesFrom: concepts }).id)
      expect(job.state, job.error ?? '').toBe('done')
      return (job.result as { perCategory: Record<string, { total: number; correct: number }> }).perCategory
    }
    const inOrder = await perCategory(ids.inOrder)
    expect(Object.values(inOrder).map((c) => c.total)).toEqual([0, 1, 2].map((c) => inCategory(c, true)))
    expect(await perCategory(ids.shuffled)).toEqual(inOrder)
    expect(await perCategory(ids.numbered)).not.toEqual(inOrder)
  })

  it("makes thumbnails of the images of another dataset's objects, found by name", async () => {
    const ctx = setup()
    const { db, dir } = ctx.project
    const files = ['image_r_10.jpg', 'image_r_18.jpg', 'image_r_24.jpg', 'image_r_32.jpg']
    const folder = join(dir, 'images', 'four')
    mkdirSync(folder, { recursive: true })
    files.forEach((f) => copyFileSync(join(EXAMPLES_DIR, 'langlois25', f), join(folder, f)))
    const images = insertDataset(db, { kind: 'images', name: 'four', sourcePath: 'langlois', meta: { n: 4, folder: 'images/four', files, ids: files.map((f) => f.replace('.jpg', '')) } }, null)
    const reversed = [...files].reverse().map((f) => `stimuli/${f}`)
    const features = insertDataset(db, { kind: 'features', name: 'reversed', sourcePath: 't', meta: { n: 4, p: 1, ids: reversed } }, putArray(db, dir, { dtype: '<f4', shape: [4, 1], data: Float32Array.of(1, 2, 3, 4) }).sha256)
    const lined = await imageThumbnails(db, dir, images, { offset: 0, limit: 4, indices: [0, 3], orderOf: features }, 16)
    expect(lined.thumbnails.map((t) => t.file)).toEqual(['image_r_32.jpg', 'image_r_10.jpg'])
    const plain = await imageThumbnails(db, dir, images, { offset: 0, limit: 4, indices: [0, 3] }, 16)
    expect(plain.thumbnails.map((t) => t.file)).toEqual(['image_r_10.jpg', 'image_r_32.jpg'])
    await expect(imageThumbnails(db, dir, images, { offset: 0, limit: 4, indices: [4], orderOf: features }, 16)).rejects.toThrow('"four" has 4 images; there is no image 4.')
  })

  it('shows the GW plan grouped by the categories of its objects, found by name', () => {
    const ctx = setup()
    const ids = seed(ctx)
    const { db, dir } = ctx.project
    // Every cell of the plan its own value: row i, column j holds i·n + j.
    const plan = putArray(db, dir, { dtype: '<f4', shape: [n, n], data: Float32Array.from({ length: n * n }, (_, k) => k) }).sha256
    const run = insertRun(db, { kind: 'gw', name: 'gw', params: { a: ids.features, b: ids.features, categoriesFrom: ids.shuffled }, result: { outputs: { plan } } })
    const view = planView(db, dir, run, 200)
    const shown = view.labels!.names
    // Grouped by category: the first block is category a's objects.
    expect(view.labels!.groups[0]).toMatchObject({ name: 'a', start: 0, end: 8 })
    expect(shown.slice(0, 8).every((name) => categoryOf(names.indexOf(name)) === 0)).toBe(true)
    // Each cell is that of the objects its row and column are labelled with (the plan's rows are A's objects).
    expect(view.values).toEqual(shown.flatMap((a) => shown.map((b) => names.indexOf(a) * n + names.indexOf(b))))
  })

  describe('over the contract', () => {
    const openSession = useSession()

    it('says where one dataset’s objects are among another’s rows, and labels them in its order', async () => {
      const { session, project } = await openSession()
      const ids = seed({ project })
      // The shuffled concepts' rows of the triplets' objects: object i is at row SHUFFLE⁻¹(i).
      const { order } = session.lineUp(ids.shuffled, ids.triplets)
      expect(order!.map((row) => SHUFFLE[row])).toEqual(names.map((_, i) => i))
      expect(session.lineUp(ids.inOrder, ids.triplets).order).toBeNull()
      expect(session.lineUp(ids.numbered, ids.triplets).order).toBeNull()
      expect(session.objects(ids.shuffled, ids.features).names).toEqual(names)
    })
  })
})
