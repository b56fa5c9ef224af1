// Renaming and removing datasets, removing runs, and freeing the files that nothing in the project uses any more.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { putArray } from '../../src-main/store/artifacts'
import { getDataset, insertDataset, listDatasets, removeDataset, renameDataset } from '../../src-main/store/datasets'
import { addUserModel, listUserModels, removeUserModel } from '../../src-main/store/models'
import { Project } from '../../src-main/store/project'
import { reclaimStorage } from '../../src-main/store/reclaimStorage'
import { getRun, insertRun, removeRun } from '../../src-main/store/runs'
import { settled, until } from '../helpers/events'
import { seedSparseArtifact } from '../helpers/seed'
import { useSession } from '../helpers/session'
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
  it('removes a run with its stored-array links; the job that made it stays with its curves, the array too', () => {
    const { db, dir, array } = seeded()
    const run = insertRun(db, { kind: 'probe', name: 'probe', params: {}, result: { meanHeldOut: 0.5 } })
    db.prepare('INSERT INTO run_artifacts (run_id, role, artifact) VALUES (?, ?, ?)').run(run, 'weights', array.sha256)
    const job = db.prepare("INSERT INTO jobs (kind, spec, state, run_id, created_at) VALUES ('probe', '{}', 'done', ?, 'now')").run(run).lastInsertRowid
    db.prepare('INSERT INTO job_metrics (job_id, name, step, value) VALUES (?, ?, ?, ?)').run(job, 'loss', 1, 0.3)
    expect(removeRun(db, run)).toMatchObject({ id: run, kind: 'probe' })
    expect(getRun(db, run)).toBeUndefined()
    expect(db.prepare('SELECT COUNT(*) AS n FROM run_artifacts').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT run_id FROM jobs').get()).toEqual({ run_id: null })
    expect(db.prepare('SELECT name, step, value FROM job_metrics').all()).toEqual([{ name: 'loss', step: 1, value: 0.3 }])
    expect(existsSync(join(dir, 'artifacts', array.file))).toBe(true)
    expect(() => removeRun(db, run)).toThrow(`There is no run ${run} in this project.`)
  })
})

describe('freeing storage', () => {
  const arrayOf = (value: number) => ({ dtype: '<f4' as const, shape: [4], data: Float32Array.of(value, 2, 3, 4) })
  const fileOf = (dir: string, file: string) => join(dir, 'artifacts', file)

  it('frees an array once nothing refers to it, counting its bytes; a shared one stays', () => {
    const { db, dir, features, copy, array } = seeded()
    const size = statSync(fileOf(dir, array.file)).size
    removeDataset(db, features)
    expect(reclaimStorage(db, dir)).toEqual({ files: 0, bytes: 0 })
    expect(existsSync(fileOf(dir, array.file))).toBe(true)
    removeDataset(db, copy)
    expect(reclaimStorage(db, dir)).toEqual({ files: 1, bytes: size })
    expect(existsSync(fileOf(dir, array.file))).toBe(false)
    expect(project!.info()).toMatchObject({ artifactBytes: 0, counts: { artifacts: 0 } })
  })

  it('keeps arrays named in datasets\' metadata, runs\' results and unfinished jobs\' specs', () => {
    const { db, dir } = seeded()
    const soft = putArray(db, dir, arrayOf(10))
    const plan = putArray(db, dir, arrayOf(11))
    const pending = putArray(db, dir, arrayOf(12))
    const finished = putArray(db, dir, arrayOf(13))
    const triplets = insertDataset(db, { kind: 'triplets', name: 't', sourcePath: '/t', meta: { softLabels: soft.sha256 } }, null)
    const run = insertRun(db, { kind: 'gw', name: 'gw', params: {}, result: { outputs: { plan: plan.sha256 } } })
    db.prepare("INSERT INTO jobs (kind, spec, state, created_at) VALUES ('similarity', ?, 'failed', 'now')").run(JSON.stringify({ kind: 'similarity', features: pending.sha256 }))
    db.prepare("INSERT INTO jobs (kind, spec, state, created_at) VALUES ('similarity', ?, 'done', 'now')").run(JSON.stringify({ kind: 'similarity', features: finished.sha256 }))
    // Only the array that a finished job alone names goes.
    expect(reclaimStorage(db, dir).files).toBe(1)
    expect([soft, plan, pending, finished].map((a) => existsSync(fileOf(dir, a.file)))).toEqual([true, true, true, false])
    removeDataset(db, triplets)
    removeRun(db, run)
    expect(reclaimStorage(db, dir).files).toBe(2)
    expect([soft, plan, pending].map((a) => existsSync(fileOf(dir, a.file)))).toEqual([false, false, true])
  })

  it('removes files a crash left behind and image folders no dataset lists', () => {
    const { db, dir, array } = seeded()
    writeFileSync(fileOf(dir, `${array.file}.0a1b2c.tmp`), 'half')
    writeFileSync(fileOf(dir, `${'e'.repeat(64)}.npy`), 'not recorded')
    for (const folder of ['kept-abc123', 'kept-abc123x', 'gone-def456']) {
      mkdirSync(join(dir, 'images', folder, 'sub'), { recursive: true })
      writeFileSync(join(dir, 'images', folder, 'sub', 'a.png'), 'png!')
    }
    insertDataset(db, { kind: 'images', name: 'kept', sourcePath: '/imgs', meta: { folder: 'images/kept-abc123x', files: ['sub/a.png'] } }, null)
    expect(reclaimStorage(db, dir)).toEqual({ files: 3, bytes: 4 + 12 + 4 })
    expect(readdirSync(join(dir, 'artifacts'))).toEqual([array.file])
    // A folder whose name begins another's is kept too: freeing errs on the side of keeping.
    expect(readdirSync(join(dir, 'images')).sort()).toEqual(['kept-abc123', 'kept-abc123x'])
  })
})

describe('model removal', () => {
  it('deletes a student trained in the project with its folder, even after the project moved; an outside model only leaves the list', () => {
    const { db, dir } = seeded()
    for (const folder of ['job-3', 'job-9']) {
      mkdirSync(join(dir, 'models', folder), { recursive: true })
      writeFileSync(join(dir, 'models', folder, 'model.json'), '{}')
    }
    // Recorded where the project was before it was moved: the folder is still its own.
    addUserModel(db, { id: '/old/place/models/job-3', title: 'student', description: '' })
    addUserModel(db, { id: '/elsewhere/my-model', title: 'mine', description: '' })
    expect(reclaimStorage(db, dir)).toEqual({ files: 1, bytes: 2 })
    expect(readdirSync(join(dir, 'models'))).toEqual(['job-3'])
    expect(removeUserModel(db, '/old/place/models/job-3')).toMatchObject({ title: 'student', source: 'folder' })
    expect(reclaimStorage(db, dir)).toEqual({ files: 1, bytes: 2 })
    expect(readdirSync(join(dir, 'models'))).toEqual([])
    expect(removeUserModel(db, '/elsewhere/my-model').title).toBe('mine')
    expect(listUserModels(db)).toEqual([])
    expect(() => removeUserModel(db, 'mobilenet_v2')).toThrow('There is no model mobilenet_v2 in this project; the built-in models cannot be removed.')
  })
})

describe('a moved project', () => {
  it('finds the models trained in it at their new place', () => {
    const before = join(tmp(), 'before')
    const opened = Project.create(before, 'P', '0')
    mkdirSync(join(before, 'models', 'job-4'), { recursive: true })
    addUserModel(opened.db, { id: join(before, 'models', 'job-4'), title: 'student', description: '' })
    addUserModel(opened.db, { id: '/elsewhere/models/mine', title: 'mine', description: '' })
    opened.close()
    const after = join(tmp(), 'after')
    renameSync(before, after)
    project = Project.open(after)
    expect(listUserModels(project.db).map((m) => m.id)).toEqual([join(after, 'models', 'job-4'), '/elsewhere/models/mine'])
  })
})

describe('freeing storage while jobs run', () => {
  const openSession = useSession()

  it('waits for the last job to end, then frees the files and says so', async () => {
    const { session, seen, project: opened } = await openSession()
    const array = putArray(opened.db, opened.dir, { dtype: '<f4', shape: [2], data: Float32Array.of(1, 2) })
    const id = insertDataset(opened.db, { kind: 'features', name: 'two', sourcePath: '/x.npy', meta: { n: 1, p: 2 } }, array.sha256)
    // Verifying a 2 GiB sparse artifact takes seconds.
    seedSparseArtifact(opened, 2)
    const job = session.startJob({ kind: 'verifyArtifacts' })
    await until(seen, (e) => e.type === 'job.state' && e.job.id === job.id && e.job.state === 'running')
    expect(session.removeDataset(id)).toMatchObject({ dataset: { id, name: 'two' }, freed: null })
    expect(existsSync(join(opened.dir, 'artifacts', array.file))).toBe(true)
    await until(seen, settled(job.id))
    const log = await until(seen, (e) => e.type === 'log' && e.message.startsWith('Freed'))
    expect(log).toMatchObject({ level: 'info', message: 'Freed 2.0 GiB that removed datasets and runs left in the project folder.' })
    expect(readdirSync(join(opened.dir, 'artifacts'))).toEqual([])
    expect(session.current()).toMatchObject({ artifactBytes: 0, counts: { artifacts: 0 } })
  })
})
