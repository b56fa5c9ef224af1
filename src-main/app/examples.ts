// The example projects built from the data that ships in resources/examples (provenance and licences there).
import { join } from 'node:path'
import { JobSpec, ProbeSpec, type ExampleName } from '../api/contract'
import { BUILTIN_MODELS } from '../models/sources'

type ImportSpec = Extract<JobSpec, { kind: 'import' }>

/** What a finished job made that a later step uses: its first dataset, or else its run. */
export type Made = (key: string) => number

export interface Example {
  title: string
  description: string
  /** Each import is keyed by its name for the steps. */
  imports: (Omit<ImportSpec, 'kind' | 'path' | 'measure' | 'ids'> & { file: string; idsFile?: string; name: string; measure?: ImportSpec['measure'] })[]
  /** Jobs queued once the imports are in, stage after stage, each keyed so later stages can use what it made. */
  stages?: Record<string, (made: Made) => JobSpec>[]
}

const JUDGMENTS_92 = "92 images: 16 subjects' judgment RDMs"
const IT_92 = '92 images: monkey and human IT RDMs'
const IMAGES_92 = 'The 92 stimulus images'
const CATEGORIES_92 = '92 images: categories (human/nonhuman body and face, natural, artificial)'

// The contract's defaults, so that the example's specs are complete.
const PROBE_DEFAULTS = ProbeSpec.parse({ kind: 'probe', features: 1, triplets: 1 })
const EVALUATE_DEFAULTS = JobSpec.parse({ kind: 'evaluate', metric: 'ceiling', a: 1 }) as Extract<JobSpec, { kind: 'evaluate' }>
const GW_DEFAULTS = JobSpec.parse({ kind: 'gw', a: 1, b: 1 }) as Extract<JobSpec, { kind: 'gw' }>
const MAP_DEFAULTS = JobSpec.parse({ kind: 'map', dataset: 1 }) as Extract<JobSpec, { kind: 'map' }>
const ATTENTION_DEFAULTS = JobSpec.parse({ kind: 'attention', images: 1 }) as Extract<JobSpec, { kind: 'attention' }>
const LANGLOIS = 'Langlois et al. 2021: 25 natural images'
// The THINGS concepts' ids (uniqueID, e.g. chicken1, chicken2, chicken_wire), in the order of every THINGS file here.
// The SPoSE file's own image_name column is in another (byte) order for 21 of its rows, which hold the concepts of
// this order (its chicken1_01b.jpg row is chicken wire: metal, mesh, grid); THINGSplus names rows by word
// ("chicken" twice). Both take these ids, so that every dataset names each concept alike.
const THINGS_IDS = 'things/item_names.tsv'

export const EXAMPLES: Record<ExampleName, Example> = {
  things: {
    title: 'THINGS: 1,854 objects',
    description: 'The 66-d SPoSE embedding learned from 4.7 M human odd-one-out judgments, and the fully sampled 48-object human RDM.',
    imports: [
      { dataset: 'features', file: 'things/spose_embedding66d_rescaled.csv', idsFile: THINGS_IDS, name: 'SPoSE 66-d embedding (THINGS, 1,854 objects)' },
      { dataset: 'features', file: 'things/spose_embedding66d_rescaled_48val_reordered.csv', name: 'SPoSE 66-d, the 48 RDM objects' },
      { dataset: 'similarity', file: 'things/RDM48_triplet.mat', name: 'RDM48: human triplet dissimilarities', measure: 'dissimilarity' },
      { dataset: 'concepts', file: 'things/things_concepts.tsv', name: 'THINGS concepts (names, WordNet ids, bottom-up categories)' },
      { dataset: 'concepts', file: 'things/categories_final_20200131.tsv', idsFile: THINGS_IDS, name: 'THINGSplus categories (53)' },
    ],
  },
  rsa92: {
    title: '92 objects (Kriegeskorte et al. 2008)',
    description: "16 subjects' similarity judgments of the 92-image set (Mur et al. 2013), and monkey and human IT RDMs.",
    imports: [
      { dataset: 'similarity', file: 'rsa92/92_behavRDMs.mat', key: 'rdms_behav_92.RDM', name: JUDGMENTS_92, measure: 'dissimilarity' },
      { dataset: 'similarity', file: 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat', key: 'RDMs_mIT_hIT_fig1.RDM', name: IT_92, measure: 'dissimilarity' },
      { dataset: 'images', file: 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat', key: 'stimuli_92objs.image', name: IMAGES_92 },
      { dataset: 'concepts', file: 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat', key: 'stimuli_92objs', name: CATEGORIES_92 },
    ],
    // Every view populated: MobileNetV2 features of the images, triplets voted by the 16 subjects, the two IT RDMs
    // apart, a probe, RSA with its ceiling, a GW alignment, maps before and after the probe, and the comparison of all
    // representations.
    stages: [
      {
        features: (made) => ({ kind: 'extract', images: made(IMAGES_92), model: 'mobilenet_v2', layers: [BUILTIN_MODELS.mobilenet_v2.defaultLayer], onBadImage: 'abort', checkpointSeconds: 5 }),
        triplets: (made) => ({ kind: 'deriveTriplets', dataset: made(JUDGMENTS_92), name: "92 images: every triplet, the 16 subjects' votes" }),
        // Monkey and human IT are two brains, not two subjects of one: each is compared on its own.
        monkeyIt: (made) => ({ kind: 'selectMatrix', dataset: made(IT_92), matrix: 0, name: '92 images: monkey IT RDM (674 neurons)' }),
        humanIt: (made) => ({ kind: 'selectMatrix', dataset: made(IT_92), matrix: 1, name: '92 images: human IT RDM (316 voxels)' }),
      },
      {
        probe: (made) => ({ ...PROBE_DEFAULTS, features: made('features'), triplets: made('triplets'), objective: 'soft', lambdas: [0.1], rank: 32, batchSize: 4096, learningRate: 0.01, maxEpochs: 40, patience: 8 }),
        rsa: (made) => ({ ...EVALUATE_DEFAULTS, metric: 'rsa', a: made('features'), b: made(JUDGMENTS_92), bootstrap: 200, permutations: 200 }),
        // Human IT against the same judgments: a second model, compared with MobileNetV2 across the 16 subjects.
        itRsa: (made) => ({ ...EVALUATE_DEFAULTS, metric: 'rsa', a: made('humanIt'), b: made(JUDGMENTS_92), bootstrap: 200, permutations: 200 }),
        ceiling: (made) => ({ ...EVALUATE_DEFAULTS, metric: 'ceiling', a: made(JUDGMENTS_92) }),
        accuracy: (made) => ({ ...EVALUATE_DEFAULTS, metric: 'odd-one-out', a: made('features'), b: made('triplets'), categoriesFrom: made(CATEGORIES_92) }),
        gw: (made) => ({ ...GW_DEFAULTS, a: made('features'), b: made(JUDGMENTS_92), trials: 12, categoriesFrom: made(CATEGORIES_92) }),
        humanMap: (made) => ({ ...MAP_DEFAULTS, dataset: made(JUDGMENTS_92), method: 'mds' }),
        modelMap: (made) => ({ ...MAP_DEFAULTS, dataset: made('features'), method: 'tsne' }),
      },
      { aligned: (made) => ({ kind: 'applyTransform', run: made('probe'), features: made('features'), name: 'MobileNetV2 features, probed' }) },
      {
        alignedMap: (made) => ({ ...MAP_DEFAULTS, dataset: made('aligned'), method: 'tsne' }),
        compare: (made) => ({ kind: 'compare', datasets: [made('features'), made('aligned'), made(JUDGMENTS_92), made('humanIt'), made('monkeyIt')], rdm: 'correlation', method: 'spearman' }),
      },
    ],
  },
  langlois25: {
    title: '25 natural images (Langlois et al. 2021)',
    description: 'The 25 photographs of the passive-attention experiments, with Grad-CAM maps of MobileNetV2 to start from.',
    imports: [{ dataset: 'images', file: 'langlois25', name: LANGLOIS }],
    stages: [{ gradcam: (made) => ({ ...ATTENTION_DEFAULTS, images: made(LANGLOIS), method: 'gradcam' }) }],
  },
}

export function exampleImports(name: ExampleName, examplesDir: string): ImportSpec[] {
  return EXAMPLES[name].imports.map(({ file, idsFile, ...rest }) => ({ kind: 'import', measure: 'dissimilarity', ...rest, path: join(examplesDir, file), ...(idsFile ? { ids: join(examplesDir, idsFile) } : {}) }))
}
