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
})
