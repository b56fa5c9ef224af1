// Similarity matrices as RSA tools save them (tests/fixtures/rdms/make.py): rsatoolbox's RDMs files, Meadows'
// downloads and labelled pandas tables import with their objects' names, equal to SciPy's squareform; and
// rsatoolbox's Dataset files as features.
import { join, resolve } from 'node:path'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import type { JobSpec } from '../../src-main/api/contract'
import { decodeNpz } from '../../src-main/core/io/npz'
import { importData } from '../../src-main/jobs/kinds/importData'
import { inspectFile } from '../../src-main/files/readers'
import type { JobContext } from '../../src-main/jobs/protocol'

const dir = join(__dirname, '../fixtures/rdms')
const expected = decodeNpz(new Uint8Array(readFileSync(join(dir, 'expected.npz'))))
const ctx = { progress: () => {}, metric: () => {}, checkpoint: () => {}, signal: new AbortController().signal } as unknown as JobContext
const CONDS = ['cat', 'dog', 'car', 'tree', 'cup']

async function importMatrix(file: string, extra: Partial<Extract<JobSpec, { kind: 'import' }>> = {}) {
  const spec = { kind: 'import', dataset: 'similarity', path: resolve(dir, file), measure: 'dissimilarity', ...extra } as Extract<JobSpec, { kind: 'import' }>
  const output = await importData(spec, null, ctx)
  return { result: output.result as Record<string, unknown>, data: output.outputs!.data!, meta: output.records![0]!.meta }
}

describe('importing similarity matrices', () => {
  it.each(['rsatoolbox.hdf5', 'rsatoolbox.pkl'])('reads an rsatoolbox RDMs file (%s) without a key: its condensed RDMs, named by the conditions, each by its subject', async (file) => {
    const { result, data, meta } = await importMatrix(file)
    // rdm_descriptors: index (not a name) and subject.
    expect(result).toMatchObject({ n: 5, subjects: 3, subjectsFrom: ['s1', 's2', 's3'] })
    expect(data.shape).toEqual([3, 5, 5])
    expect(Array.from(data.data as Float64Array)).toEqual(Array.from(expected.rsatoolbox!.data as Float64Array))
    expect(meta).toMatchObject({ key: 'dissimilarities', ids: CONDS, idsFrom: file.endsWith('.pkl') ? "'pattern_descriptors.conds' in the file" : "'pattern_descriptors/conds' in the file" })
  })

  it("reads Meadows' downloads: one participant's rdmutv, and several participants' rdmutv_NAME stacked as subjects", async () => {
    const one = await importMatrix('Meadows_study_v_v1_wise-dolphin_1_tree.mat')
    expect(one.data.shape).toEqual([5, 5])
    expect(Array.from(one.data.data as Float64Array)).toEqual(Array.from((expected.meadows!.data as Float64Array).subarray(0, 25)))
    expect(one.meta).toMatchObject({ key: 'rdmutv', ids: CONDS.map((c) => `${c}.jpg`), idsFrom: "'stimuli' in the file" })
    const several = await importMatrix('Meadows_study_v_v1_arrangement_tree.mat')
    expect(several.data.shape).toEqual([2, 5, 5])
    expect(Array.from(several.data.data as Float64Array)).toEqual(Array.from(expected.meadows!.data as Float64Array))
    // The participants' stimuli lists agree: they name the objects.
    expect(several.meta).toMatchObject({ key: 'rdmutv_*', subjectsFrom: ['rdmutv_wise_dolphin', 'rdmutv_green_lion'], ids: CONDS.map((c) => `${c}.jpg`) })
    await expect(importMatrix('Meadows_study_v_v1_arrangement_tree.mat', { key: 'rdm_*' })).rejects.toThrow("has no variable matching 'rdm_*' (it has: stimuli_wise_dolphin, rdmutv_wise_dolphin, stimuli_green_lion, rdmutv_green_lion)")
  })

  it("reads Meadows' JSON download: each task's RDM stacked, the second task's stimuli put in the first's order", async () => {
    const file = 'Meadows_study_v_v1_wise-dolphin_tree.json'
    expect(await inspectFile(join(dir, file))).toMatchObject({ format: 'meadows', items: [{ key: 'rdmutv_ma1', shape: [1, 10] }, { key: 'rdmutv_ma2', shape: [1, 10] }, { key: 'stimuli', kind: 'text', text: CONDS.join('\n') }] })
    const both = await importMatrix(file)
    expect(both.data.shape).toEqual([2, 5, 5])
    expect(Array.from(both.data.data as Float64Array)).toEqual(Array.from(expected.meadows_json!.data as Float64Array))
    // The task left before its end (ma3) has no RDM: not among them.
    expect(both.meta).toMatchObject({ key: 'rdmutv_*', subjectsFrom: ['rdmutv_ma1', 'rdmutv_ma2'], ids: CONDS, idsFrom: "'stimuli' in the file" })
    const second = await importMatrix(file, { key: 'rdmutv_ma2' })
    expect(Array.from(second.data.data as Float64Array)).toEqual(Array.from((expected.meadows_json!.data as Float64Array).subarray(25)))
  })

  it.each(['rsatoolbox-dataset.hdf5', 'rsatoolbox-dataset.pkl'])("reads an rsatoolbox Dataset file (%s) as features without a key, its observations named by conds", async (file) => {
    const { result, data, meta } = await importMatrix(file, { dataset: 'features' })
    expect(result).toMatchObject({ n: 5, p: 4, idsFrom: file.endsWith('.pkl') ? "'obs_descriptors.conds' in the file" : "'obs_descriptors/conds' in the file" })
    expect(Array.from(data.data as Float32Array)).toEqual(Array.from(Float32Array.from(expected.measurements!.data as Float64Array)))
    expect(meta).toMatchObject({ key: 'measurements', ids: CONDS })
  })

  it('averages the repeated rows of an rsatoolbox Dataset of several runs to one per condition, as pandas groupby does', async () => {
    await expect(importMatrix('rsatoolbox-runs.hdf5', { dataset: 'features' })).rejects.toThrow(
      'object id "cup" appears twice (rows 4 and 5). Object ids must be unique. To average the rows of each object (repeated measurements, as rsatoolbox keeps runs), import with "Average repeated rows" (--average-repeats).',
    )
    const { result, data, meta } = await importMatrix('rsatoolbox-runs.hdf5', { dataset: 'features', averageRepeats: true })
    expect(result).toMatchObject({ n: 5, p: 4, averagedRows: 15 })
    // Each condition's mean over its three runs, in the order the conditions first appear (cat, dog, car, tree, cup).
    expect(meta).toMatchObject({ ids: CONDS, averagedRows: 15 })
    expect(Array.from(data.data as Float32Array)).toEqual(Array.from(Float32Array.from(expected.runs_mean!.data as Float64Array)))
    // Without ids there is nothing to average by.
    await expect(importMatrix(join(__dirname, '../fixtures/npy/f32_3x4.npy'), { dataset: 'features', averageRepeats: true })).rejects.toThrow('the rows have no object ids to average them by')
  })

  it('says what is wrong with a Meadows JSON file it cannot use', async () => {
    const original = JSON.parse(readFileSync(join(dir, 'Meadows_study_v_v1_wise-dolphin_tree.json'), 'utf8')) as { tasks: { stimuli: { name: string }[]; rdm?: number[] }[] }
    const folder = mkdtempSync(join(tmpdir(), 'meadows-'))
    try {
      const variant = (name: string, change: (tasks: typeof original.tasks) => void) => {
        const copy = structuredClone(original)
        change(copy.tasks)
        writeFileSync(join(folder, name), JSON.stringify(copy))
        return join(folder, name)
      }
      const other = variant('other.json', (tasks) => (tasks[2]!.stimuli[0]!.name = 'horse'))
      await expect(importMatrix(other)).rejects.toThrow(`${other}: tasks "ma1" and "ma2" arranged different stimuli, and HumanAlign stacks the matrices of one stimulus set; download each task's results on its own.`)
      const short = variant('short.json', (tasks) => tasks[1]!.rdm!.pop())
      await expect(importMatrix(short)).rejects.toThrow(`${short}: task "ma1" has an rdm of 9 value(s), but its 5 stimuli make 10 pair(s); download the results again, or as a MATLAB file.`)
      const text = variant('text.json', (tasks) => (tasks[1]!.rdm![3] = 'NaN' as unknown as number))
      await expect(importMatrix(text)).rejects.toThrow(`${text}: task "ma1" has "NaN" in its rdm, where a dissimilarity (a number) belongs; download the results again, or as a MATLAB file.`)
      // An empty file of any kind says so.
      writeFileSync(join(folder, 'empty.json'), '')
      await expect(importMatrix(join(folder, 'empty.json'))).rejects.toThrow(`${join(folder, 'empty.json')} is empty (0 bytes): it was not saved completely, or it is not the file you meant.`)
      const unfinished = variant('unfinished.json', (tasks) => tasks.forEach((t) => delete t.rdm))
      await expect(importMatrix(unfinished)).rejects.toThrow(`${unfinished}: none of its 3 multiple-arrangement task(s) has an RDM (each was left before its end); download the results of a participant who finished one.`)
      // JSON of another kind is still a table.
      expect((await inspectFile(variant('plain.json', (tasks) => tasks.forEach((t) => ((t as unknown as { task: object }).task = {}))))).format).toBe('json')
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it.each(['labelled.csv', 'labelled-rows.tsv', 'labelled-columns.csv'])('reads a labelled table (%s) with its names as the ids', async (file) => {
    const { data, meta } = await importMatrix(file)
    expect(Array.from(data.data as Float64Array)).toEqual(Array.from(expected.labelled!.data as Float64Array))
    expect(meta).toMatchObject({ ids: CONDS, idsFrom: 'the table' })
  })

  it('refuses a table whose rows and columns name different objects, and ids that do not fit', async () => {
    await expect(importMatrix('labelled-disagree.csv')).rejects.toThrow('the rows and the columns name different objects: row 1 is "cat" but column 1 is "cup". A similarity matrix lists the same objects in the same order down and across.')
    // An ids file of a line per object: this one has six lines.
    const six = join(tmpdir(), `six-ids-${process.pid}.txt`)
    writeFileSync(six, 'cat\ncar\ncup\ndog\nfig\nhat\n')
    try {
      await expect(importMatrix('rsatoolbox.hdf5', { ids: six })).rejects.toThrow('there are 5 matrix rows but 6 object ids. The id list must have one line per row.')
    } finally {
      rmSync(six)
    }
    // A labelled table as the ids file gives its names column: the five row names.
    await expect(importMatrix('rsatoolbox.hdf5', { ids: join(dir, 'labelled.csv') })).resolves.toMatchObject({ meta: { ids: ['cat', 'dog', 'car', 'tree', 'cup'] } })
  })
})
