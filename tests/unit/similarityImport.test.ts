// Similarity matrices as RSA tools save them (tests/fixtures/rdms/make.py): rsatoolbox's RDMs files, Meadows'
// downloads and labelled pandas tables import with their objects' names, equal to SciPy's squareform.
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { JobSpec } from '../../src-main/api/contract'
import { decodeNpz } from '../../src-main/core/io/npz'
import { importData } from '../../src-main/jobs/kinds/importData'
import type { JobContext } from '../../src-main/jobs/protocol'

const dir = join(__dirname, '../fixtures/rdms')
const expected = decodeNpz(new Uint8Array(readFileSync(join(dir, 'expected.npz'))))
const ctx = { progress: () => {}, metric: () => {}, checkpoint: () => {}, signal: new AbortController().signal } as unknown as JobContext
const CONDS = ['cat', 'dog', 'car', 'tree', 'cup']

async function importMatrix(file: string, extra: Partial<Extract<JobSpec, { kind: 'import' }>> = {}) {
  const spec = { kind: 'import', dataset: 'similarity', path: join(dir, file), measure: 'dissimilarity', ...extra } as Extract<JobSpec, { kind: 'import' }>
  const output = await importData(spec, null, ctx)
  return { result: output.result as Record<string, unknown>, data: output.outputs!.data!, meta: output.records![0]!.meta }
}

describe('importing similarity matrices', () => {
  it.each(['rsatoolbox.hdf5', 'rsatoolbox.pkl'])('reads an rsatoolbox RDMs file (%s) without a key: its condensed RDMs, named by the conditions', async (file) => {
    const { result, data, meta } = await importMatrix(file)
    expect(result).toMatchObject({ n: 5, subjects: 3 })
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

  it.each(['labelled.csv', 'labelled-rows.tsv', 'labelled-columns.csv'])('reads a labelled table (%s) with its names as the ids', async (file) => {
    const { data, meta } = await importMatrix(file)
    expect(Array.from(data.data as Float64Array)).toEqual(Array.from(expected.labelled!.data as Float64Array))
    expect(meta).toMatchObject({ ids: CONDS, idsFrom: 'the table' })
  })

  it('refuses a table whose rows and columns name different objects, and ids that do not fit', async () => {
    await expect(importMatrix('labelled-disagree.csv')).rejects.toThrow('the rows and the columns name different objects: row 1 is "cat" but column 1 is "cup". A similarity matrix lists the same objects in the same order down and across.')
    // An ids file of a line per object: this one has six lines.
    await expect(importMatrix('rsatoolbox.hdf5', { ids: join(dir, 'labelled.csv') })).rejects.toThrow('there are 5 matrix rows but 6 object ids. The id list must have one line per row.')
  })
})
