import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { putArray } from '../../src-main/store/artifacts'
import { insertDataset } from '../../src-main/store/datasets'
import { matrixView } from '../../src-main/store/matrixView'
import { Project } from '../../src-main/store/project'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
let project: Project | null = null
afterEach(() => project?.close())

function addMatrix(p: Project, shape: number[], values: number[], kind: 'similarity' | 'features' = 'similarity'): number {
  const sha = putArray(p.db, p.dir, { dtype: '<f8', shape, data: Float64Array.from(values) }).sha256
  return insertDataset(p.db, { kind, name: 'm', sourcePath: 'test', meta: { n: shape[shape.length - 1], p: 1, measure: 'dissimilarity' } }, sha)
}

describe('matrixView', () => {
  it('shows one subject, or the mean, block-averaged to the size asked for', () => {
    project = Project.create(join(tmp(), 'p'), 'x', '1')
    // Two subjects' 4×4 matrices: values i*4+j, and twice that.
    const one = Array.from({ length: 16 }, (_, k) => k)
    const id = addMatrix(project, [2, 4, 4], [...one, ...one.map((v) => 2 * v)])
    const full = matrixView(project.db, project.dir, id, 1, 200)
    expect(full).toMatchObject({ n: 4, size: 4, subjects: 2, subject: 1, min: 2, max: 28 })
    expect(full.values).toEqual(one.map((v) => 2 * v))
    const small = matrixView(project.db, project.dir, id, null, 2)
    // Mean of the subjects is 1.5 × (i*4+j); 2×2 blocks average it.
    expect(small.values).toEqual([1.5 * 2.5, 1.5 * 4.5, 1.5 * 10.5, 1.5 * 12.5])
    expect(() => matrixView(project!.db, project!.dir, id, 2, 200)).toThrow(/has 2 subject\(s\); there is no subject 2/)
    const features = addMatrix(project, [4, 1], [1, 2, 3, 4], 'features')
    expect(() => matrixView(project!.db, project!.dir, features, null, 200)).toThrow(/is features, not a similarity matrix/)
  })

  it('orders the objects by category and names them from a concepts dataset', () => {
    project = Project.create(join(tmp(), 'p'), 'x', '1')
    const values = Array.from({ length: 16 }, (_, k) => k)
    const id = addMatrix(project, [4, 4], values)
    // Objects a, b, c, d; b and d are faces, a and c bodies: shown as b, d, a, c.
    const membership = putArray(project.db, project.dir, { dtype: '|u1', shape: [4, 2], data: Uint8Array.of(0, 1, 1, 0, 0, 1, 1, 0) }).sha256
    const concepts = insertDataset(project.db, { kind: 'concepts', name: 'labels', sourcePath: 'test', meta: { n: 4, names: ['a', 'b', 'c', 'd'], categories: ['face', 'body'] } }, membership)
    const view = matrixView(project.db, project.dir, id, null, 200, concepts)
    const order = [1, 3, 0, 2]
    expect(view.values).toEqual(order.flatMap((i) => order.map((j) => values[i * 4 + j])))
    expect(view.labels).toEqual({ source: 'labels', names: ['b', 'd', 'a', 'c'], groups: [{ name: 'face', start: 0, end: 2 }, { name: 'body', start: 2, end: 4 }] })
    // The same matrix with its objects in reverse order (d, c, b, a), named so (as image files): lined up by name,
    // the view is the same.
    const reversed = [3, 2, 1, 0]
    const sha = putArray(project.db, project.dir, { dtype: '<f8', shape: [4, 4], data: Float64Array.from(reversed.flatMap((i) => reversed.map((j) => values[i * 4 + j]!))) }).sha256
    const named = insertDataset(project.db, { kind: 'similarity', name: 'reversed', sourcePath: 'test', meta: { n: 4, measure: 'dissimilarity', ids: ['d.jpg', 'c.jpg', 'b.jpg', 'a.jpg'] } }, sha)
    expect(matrixView(project.db, project.dir, named, null, 200, concepts)).toMatchObject({ values: view.values, labels: view.labels })
    const other = insertDataset(project.db, { kind: 'concepts', name: 'three', sourcePath: 'test', meta: { n: 3, names: ['a', 'b', 'c'], categories: [] } }, null)
    expect(() => matrixView(project!.db, project!.dir, id, null, 200, other)).toThrow('"three" names 3 objects, but the matrix has 4; choose a dataset of the same objects.')
  })
})
