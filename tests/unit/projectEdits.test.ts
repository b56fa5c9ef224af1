// Renaming and removing datasets, removing runs: the lists change, the arrays stay (runs made from a dataset may read them).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { putArray } from '../../src-main/store/artifacts'
import { getDataset, insertDataset, listDatasets, removeDataset, renameDataset } from '../../src-main/store/datasets'
import { Project } from '../../src-main/store/project'
import { getRun, insertRun, removeRun } from '../../src-main/store/runs'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
let project: Project | null = null
afterEach(() => project?.close())

function seeded() {
  project = Project.create(join(tmp(), 'p'), 'P', '0')
  const array = putArray(project.db, project.dir, { dtype: '<f4', shape: [3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) })
  const features = insertDataset(project.db, { kind: 'features', name: 'three objects', sourcePath: '/x.npy', meta: { n: 3, p: 2 } }, array.sha256)
  // A second dataset of the same content shares the array.
  const copy = insertDataset(project.db, { kind: 'features', name: 'the same again', sourcePath: '/y.npy', meta: { n: 3, p: 2 } }, array.sha256)
  return { db: project.db, dir: project.dir, features, copy, array }
}

describe('dataset edits', () => {
  it('renames a dataset and its feature set', () => {
    const { db, features } = seeded()
    expect(renameDataset(db, features, 'renamed')).toMatchObject({ id: features, name: 'renamed' })
    expect(db.prepare('SELECT name FROM feature_sets WHERE dataset_id = ?').get(features)).toEqual({ name: 'renamed' })
  })

  it('removes a dataset and its feature set, keeping the shared array on disk', () => {
    const { db, dir, features, copy, array } = seeded()
    expect(removeDataset(db, features)).toMatchObject({ id: features, name: 'three objects' })
    expect(getDataset(db, features)).toBeUndefined()
    expect(listDatasets(db).map((d) => d.id)).toEqual([copy])
    expect(db.prepare('SELECT COUNT(*) AS n FROM feature_sets').get()).toEqual({ n: 1 })
    expect(existsSync(join(dir, 'artifacts', array.file))).toBe(true)
    expect(getDataset(db, copy)!.artifact).toBe(array.sha256)
  })

  it('names a dataset that is not there', () => {
    const { db } = seeded()
    expect(() => removeDataset(db, 99)).toThrow('There is no dataset 99 in this project.')
    expect(() => renameDataset(db, 99, 'x')).toThrow('There is no dataset 99 in this project.')
  })
})

describe('run removal', () => {
  it('removes a run with its metric series and stored-array links; the job that made it stays, the array too', () => {
    const { db, dir, array } = seeded()
    const run = insertRun(db, { kind: 'probe', name: 'probe', params: {}, result: { meanHeldOut: 0.5 } })
    db.prepare('INSERT INTO metrics (run_id, name, step, value) VALUES (?, ?, ?, ?)').run(run, 'loss', 1, 0.3)
    db.prepare('INSERT INTO run_artifacts (run_id, role, artifact) VALUES (?, ?, ?)').run(run, 'weights', array.sha256)
    db.prepare("INSERT INTO jobs (kind, spec, state, run_id, created_at) VALUES ('probe', '{}', 'done', ?, 'now')").run(run)
    expect(removeRun(db, run)).toMatchObject({ id: run, kind: 'probe' })
    expect(getRun(db, run)).toBeUndefined()
    expect(db.prepare('SELECT COUNT(*) AS n FROM metrics').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT COUNT(*) AS n FROM run_artifacts').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT run_id FROM jobs').get()).toEqual({ run_id: null })
    expect(existsSync(join(dir, 'artifacts', array.file))).toBe(true)
    expect(() => removeRun(db, run)).toThrow(`There is no run ${run} in this project.`)
  })
})
