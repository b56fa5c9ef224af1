// Lining up two datasets' objects by name, and the CLI's file comparisons that use it.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { matchObjects, reorderMatrix, reorderRows } from '../../src-main/core/data/objectNames'
import { encodeNpz } from '../../src-main/core/io/npz'
import { encodeNpyStrings } from '../../src-main/core/io/npyStrings'
import { encodeNpy } from '../../src-main/core/io/npy'
import { evalCka, evalRsa } from '../../src-main/evaluate/evaluations'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()

describe('matchObjects', () => {
  it('leaves unnamed datasets and datasets in the same order as they are', () => {
    expect(matchObjects({ name: 'a', ids: ['x', 'y'] }, { name: 'b', ids: null })).toBeNull()
    expect(matchObjects({ name: 'a', ids: ['x', 'y'] }, { name: 'b', ids: ['x', 'y'] })).toBeNull()
    expect(matchObjects({ name: 'a', ids: ['x', 'y'] }, { name: 'b', ids: ['img/x.jpg', 'img/y.jpg'] })).toBeNull()
    // Row numbers are what an unnamed dataset is given: not names.
    expect(matchObjects({ name: 'a', ids: ['0', '1', '2'] }, { name: 'b', ids: ['c', 'a', 'b'] })).toBeNull()
    // No name in common: another naming convention (codes and concept names), taken row by row.
    expect(matchObjects({ name: 'a', ids: ['s01', 's02', 's03'] }, { name: 'b', ids: ['cat', 'dog', 'car'] })).toBeNull()
  })

  it("gives b's row of each of a's objects, by id or by file name without folder and extension", () => {
    expect(matchObjects({ name: 'a', ids: ['cat', 'dog', 'car'] }, { name: 'b', ids: ['car', 'cat', 'dog'] })).toEqual([1, 2, 0])
    expect(matchObjects({ name: 'a', ids: ['cat', 'dog', 'car'] }, { name: 'b', ids: ['img/car.jpg', 'img/cat.jpg', 'img/dog.jpg'] })).toEqual([1, 2, 0])
  })

  it('finds the concept a THINGS image is of: its file name without the image number', () => {
    // One image per concept, the files in byte order (chicken1 < chicken2 < chicken_wire), the concepts in THINGS'.
    const images = ['object_images/chicken1/chicken1_01b.jpg', 'object_images/chicken2/chicken2_03s.jpg', 'chicken_wire_12b.png']
    expect(matchObjects({ name: 'images', ids: images }, { name: 'concepts', ids: ['chicken_wire', 'chicken1', 'chicken2'] })).toEqual([1, 2, 0])
    // An id that is the file's own stem is taken first; two images of one concept are refused.
    expect(matchObjects({ name: 'a', ids: ['x/cat_01b.jpg', 'dog_01b.jpg', 'cat'] }, { name: 'b', ids: ['dog', 'cat_01b', 'cat'] })).toEqual([1, 0, 2])
    expect(() => matchObjects({ name: 'a', ids: ['cat_01b.jpg', 'cat_02s.jpg'] }, { name: 'b', ids: ['cat', 'dog'] })).toThrow('"dog" of "b" is not in "a"')
    // The other way: concepts against a folder of one image each (THINGS' _01b images, listed in byte order).
    expect(matchObjects({ name: 'concepts', ids: ['chicken_wire', 'chicken1', 'chicken2'] }, { name: 'images', ids: images })).toEqual([2, 0, 1])
    // A concept with two images has no one image: refused, naming it.
    expect(() => matchObjects({ name: 'concepts', ids: ['cat', 'dog'] }, { name: 'images', ids: ['cat_01b.jpg', 'cat_02s.jpg', 'dog_01b.jpg'] })).toThrow('"cat" of "concepts" is not in "images"')
  })

  it('refuses datasets that name different objects, or names that match twice', () => {
    expect(() => matchObjects({ name: 'a', ids: ['cat', 'dog'] }, { name: 'b', ids: ['cat', 'cow'] })).toThrow('"a" and "b" name different objects: "dog" of "a" is not in "b"; "cow" of "b" is not in "a". Compare representations of the same objects.')
    // "x/cat.jpg" and "y/cat.png" share a stem: "cat" could be either.
    expect(() => matchObjects({ name: 'a', ids: ['cat', 'dog', 'cow'] }, { name: 'b', ids: ['x/cat.jpg', 'y/cat.png', 'cow.jpg'] })).toThrow(
      '"a" and "b" name different objects: "cat", "dog" of "a" are not in "b"; "x/cat.jpg", "y/cat.png" of "b" are not in "a".',
    )
  })

  it('reorders matrices (each of several subjects) and rows', () => {
    const m = Float64Array.of(0, 1, 2, 1, 0, 3, 2, 3, 0)
    expect(Array.from(reorderMatrix(m, 3, [2, 0, 1]))).toEqual([0, 2, 3, 2, 0, 1, 3, 1, 0])
    expect(Array.from(reorderMatrix(Float64Array.of(...m, ...m), 3, [2, 0, 1])).slice(9)).toEqual([0, 2, 3, 2, 0, 1, 3, 1, 0])
    expect(Array.from(reorderRows(Float32Array.of(1, 2, 3, 4, 5, 6), 2, [2, 0, 1]))).toEqual([5, 6, 1, 2, 3, 4])
  })
})

describe('comparing files that name their objects', () => {
  it("compares RSA tools' files as they are: rsatoolbox's condensed RDMs with a Meadows download, equal to SciPy", async () => {
    const rdms = join(__dirname, '../fixtures/rdms')
    const result = await evalRsa({ a: join(rdms, 'rsatoolbox.hdf5'), b: join(rdms, 'Meadows_study_v_v1_arrangement_tree.mat'), rdm: 'euclidean', method: 'spearman', bootstrap: 0, permutations: 0, seed: 0 })
    // e = np.load('expected.npz'); iu = np.triu_indices(5, 1)
    // scipy.stats.spearmanr(e['rsatoolbox'].mean(0)[iu], e['meadows'].mean(0)[iu]).correlation
    expect(result.r).toBeCloseTo(0.7454545454545454, 12)
    expect(result).toMatchObject({ a: 'mean of 3 matrices', b: 'mean of 2 matrices' })
    // cat … cup and cat.jpg … cup.jpg in the same order: nothing to line up.
    expect(result).not.toHaveProperty('objectsMatchedByName')
    // Meadows' JSON download of two tasks, the second's matrix put in the first's order by its stimuli:
    // scipy.stats.spearmanr(e['rsatoolbox'].mean(0)[iu], e['meadows_json'].mean(0)[iu]).correlation
    const json = await evalRsa({ a: join(rdms, 'rsatoolbox.hdf5'), b: join(rdms, 'Meadows_study_v_v1_wise-dolphin_tree.json'), rdm: 'euclidean', method: 'spearman', bootstrap: 0, permutations: 0, seed: 0 })
    expect(json.r).toBeCloseTo(0.7696969696969697, 12)
    expect(json).toMatchObject({ b: 'mean of 2 matrices' })
  })

  it('RSA and CKA of features and a labelled RDM in other orders match each object with itself', async () => {
    const dir = tmp()
    const names = ['cat', 'dog', 'car', 'tree', 'cup', 'hat']
    const x = Float32Array.from({ length: 6 * 4 }, (_, i) => Math.sin(i * 1.7) + (i % 5))
    // The features with their names beside them (np.savez(f, features=X, names=…)), in file order.
    writeFileSync(join(dir, 'features.npz'), encodeNpz({ features: encodeNpy({ dtype: '<f4', shape: [6, 4], data: x }), names: encodeNpyStrings([6], names) }))
    // The same features' Euclidean RDM as a labelled table, its objects in reverse order.
    const order = [5, 4, 3, 2, 1, 0]
    const distance = (i: number, j: number) => Math.hypot(...Array.from({ length: 4 }, (_, d) => x[i * 4 + d]! - x[j * 4 + d]!))
    const rows = order.map((i) => [names[i], ...order.map((j) => String(distance(i, j)))].join(','))
    writeFileSync(join(dir, 'rdm.csv'), [['', ...order.map((i) => names[i])].join(','), ...rows].join('\n'))
    const request = { a: join(dir, 'features.npz'), b: join(dir, 'rdm.csv'), rdm: 'euclidean', method: 'pearson', bootstrap: 0, permutations: 0, seed: 0 } as const
    const result = await evalRsa(request)
    expect(result.objectsMatchedByName).toBe(true)
    expect(result.r).toBeCloseTo(1, 6)
    // The features reversed, named so: CKA with the originals is 1 once lined up.
    writeFileSync(join(dir, 'reversed.npz'), encodeNpz({ features: encodeNpy({ dtype: '<f4', shape: [6, 4], data: reorderRows(x, 4, order) }), names: encodeNpyStrings([6], order.map((i) => names[i]!)) }))
    const cka = await evalCka(join(dir, 'features.npz'), join(dir, 'reversed.npz'), false, 'cpu')
    expect(cka).toMatchObject({ objectsMatchedByName: true })
    expect(cka.cka).toBeCloseTo(1, 6)
  })
})
