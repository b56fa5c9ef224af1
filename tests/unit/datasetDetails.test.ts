// Dataset metadata in words, on metadata as the jobs record it (copied from projects made by `project create
// --example` and `simulate triplets`, long lists shortened as listDatasets shortens them).
import { describe, expect, it } from 'vitest'
import { datasetDetails } from '../../src-main/api/datasetDetails'

const HASH = '93569c847532274a350283e9d2ffd838891dfe327984fdd90a8bce3ff19c119c'

describe('datasetDetails', () => {
  it('describes simulated, derived and AligNet triplets without their linked arrays’ hashes', () => {
    const simulated = {
      simulated: 'simulated from SPoSE',
      embedding: 'SPoSE 66-d (Hebart et al. 2020/2023), resources/examples/things/spose_embedding66d_rescaled.csv',
      count: 2000,
      objects: 1854,
      oddOneOut: 2,
      seed: 1,
      temperature: 1107.1282116798745,
      temperatureCalibrated: true,
      meanMaxProbability: 0.6729999999993355,
      softLabels: HASH,
    }
    expect(datasetDetails({ kind: 'triplets', meta: simulated })).toEqual([
      '2,000 triplets of 1,854 objects',
      'simulated from SPoSE, T = 1,107 (calibrated to a mean top probability of 0.673), seed 1',
      'soft labels',
    ])
    expect(datasetDetails({ kind: 'triplets', meta: { ...simulated, temperature: 50, temperatureCalibrated: false } })[1]).toBe('simulated from SPoSE, T = 50, seed 1')
    const derived = { derivedFrom: 1, derivedFromName: "92 images: 16 subjects' judgment RDMs", count: 125580, objects: 92, oddOneOut: 2, subjects: 16, subjectsCeiling: 0.62666527, softLabels: HASH }
    expect(datasetDetails({ kind: 'triplets', meta: derived })).toEqual(['125,580 triplets of 92 objects', `every triplet of "92 images: 16 subjects' judgment RDMs", 16 matrices voting`, "noise ceiling 0.627 (each subject's choice against the others' majority)", 'soft labels'])
    const sampled = { format: 'AligNet', synthetic: true, count: 1, objects: 48, oddOneOut: 2, clustersRun: 3, mode: 'between', teacher: 'SPoSE 66-d', ids: '48 ids', softLabels: HASH, teacherSimilarities: HASH }
    expect(datasetDetails({ kind: 'triplets', meta: sampled })).toEqual(['1 triplet of 48 objects', 'AligNet between triplets labelled by "SPoSE 66-d" (clusters run 3)', 'soft labels', "the teacher's similarities"])
    const imported = { sourcePath: '/data/alignet.npz', format: 'AligNet', count: 10, objects: 12, oddOneOut: 2, exampleFilenames: ['a.jpg'], softLabels: HASH, teacherSimilarities: HASH }
    expect(datasetDetails({ kind: 'triplets', meta: imported })).toEqual(['10 triplets of 12 objects', 'an AligNet file', 'soft labels', "the teacher's similarities"])
    const oneBased = { sourcePath: '/data/t.txt', count: 3, objects: 4, oddOneOut: 2, convertedFromOneBased: true, subjectLevels: ['S1'] }
    expect(datasetDetails({ kind: 'triplets', meta: oneBased })).toEqual(['3 triplets of 4 objects', 'converted from 1-based indices', '1 subject'])
  })

  it('describes features, concepts, matrices and images, full or shortened', () => {
    const extracted = { n: 92, p: 1280, ids: '92 ids', model: 'mobilenet_v2', layer: 'flatten_1', pooling: null, images: 'The 92 stimulus images' }
    expect(datasetDetails({ kind: 'features', meta: extracted })).toEqual(['mobilenet_v2 layer flatten_1 of "The 92 stimulus images"', 'object ids'])
    expect(datasetDetails({ kind: 'features', meta: { ...extracted, pooling: 'avg' } })[0]).toBe('mobilenet_v2 layer flatten_1, avg pooling of "The 92 stimulus images"')
    const probed = { n: 92, p: 32, ids: null, transformedBy: 1, from: 'MobileNetV2 flatten_1' }
    expect(datasetDetails({ kind: 'features', meta: probed })).toEqual(['probe run 1 applied to "MobileNetV2 flatten_1"', 'no object ids'])
    expect(datasetDetails({ kind: 'features', meta: { n: 5, p: 4, ids: '5 ids', averagedRows: 15 } })).toEqual(['object ids', 'the means of 15 rows'])
    const things = { sourcePath: '/x/things_concepts.tsv', n: 1854, names: '1854 names', wordnetIds: '1854 wordnetIds', categories: '45 categories', nameColumn: 'uniqueID', categorySource: 'column "Bottom-up Category (Human Raters)"', skippedRows: 0 }
    expect(datasetDetails({ kind: 'concepts', meta: things })).toEqual(['1,854 names (column "uniqueID")', '1,854 WordNet ids', '45 categories from column "Bottom-up Category (Human Raters)"'])
    // As getDataset returns it: the lists in full.
    const stimuli = { key: 'stimuli_92objs', n: 2, names: ['face', 'tree'], categories: ['animate', 'inanimate'], nameColumn: null, categorySource: 'column "category"', skippedRows: 1 }
    expect(datasetDetails({ kind: 'concepts', meta: stimuli })).toEqual(['2 names', '2 categories from column "category"', '1 row skipped', 'array stimuli_92objs'])
    expect(datasetDetails({ kind: 'similarity', meta: { key: 'rdms_behav_92.RDM', n: 92, subjects: 16, measure: 'dissimilarity' } })).toEqual(["dissimilarities, 16 subjects' matrices", 'array rdms_behav_92.RDM'])
    expect(datasetDetails({ kind: 'similarity', meta: { n: 4, subjects: 1, measure: 'similarity' } })).toEqual(['similarities, one matrix'])
    expect(datasetDetails({ kind: 'similarity', meta: { key: 'rdmutv_*', n: 3, subjects: 2, measure: 'dissimilarity', ids: ['a', 'b', 'c'] } })).toEqual(["dissimilarities, 2 subjects' matrices", 'object ids', 'array rdmutv_*'])
    // A few matrices by the names the file gives them, one taken alone, ids with where they came from.
    const it = { key: 'RDMs_mIT_hIT_fig1.RDM', n: 92, subjects: 2, measure: 'dissimilarity', subjectsFrom: ['mIT_674neurons', 'hITvisStim_316vx'] }
    expect(datasetDetails({ kind: 'similarity', meta: it })).toEqual(['dissimilarities, 2 matrices (mIT_674neurons, hITvisStim_316vx)', 'array RDMs_mIT_hIT_fig1.RDM'])
    const alone = { n: 3, subjects: 1, measure: 'dissimilarity', matrixOf: 'IT RDMs', matrix: 'hITvisStim_316vx', ids: ['a', 'b', 'c'], idsFrom: "'stimuli' in the file" }
    expect(datasetDetails({ kind: 'similarity', meta: alone })).toEqual(['dissimilarities, one matrix', '"hITvisStim_316vx" of "IT RDMs"', "object ids (from 'stimuli' in the file)"])
    const half = { n: 92, subjects: 8, measure: 'dissimilarity', matrixOf: 'judgments', matrix: 'matrices 9–16', subjectsFrom: Array.from({ length: 8 }, (_, s) => `subject ${s + 9}`) }
    expect(datasetDetails({ kind: 'similarity', meta: half })).toEqual(["dissimilarities, 8 subjects' matrices", 'matrices 9–16 of "judgments"'])
    expect(datasetDetails({ kind: 'features', meta: { n: 5, p: 4, ids: '5 ids', idsFrom: '/data/things/item_names.tsv' } })).toEqual(['object ids (from "item_names.tsv")'])
    const images = { sourcePath: '/x/langlois25', n: 25, folder: 'images/langlois-4f38ea', ids: '25 ids', files: '25 files', widths: '25 widths', heights: '25 heights' }
    expect(datasetDetails({ kind: 'images', meta: images })).toEqual(['25 images'])
  })
})
