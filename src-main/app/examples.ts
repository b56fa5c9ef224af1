// The example projects built from the data that ships in resources/examples (provenance and licences there).
import { join } from 'node:path'
import type { ExampleName, JobSpec } from '../api/contract'

type ImportSpec = Extract<JobSpec, { kind: 'import' }>

export interface Example {
  title: string
  description: string
  imports: (Omit<ImportSpec, 'kind' | 'path' | 'measure'> & { file: string; measure?: ImportSpec['measure'] })[]
}

export const EXAMPLES: Record<ExampleName, Example> = {
  things: {
    title: 'THINGS: 1,854 objects',
    description: 'The 66-d SPoSE embedding learned from 4.7 M human odd-one-out judgments, and the fully sampled 48-object human RDM.',
    imports: [
      { dataset: 'features', file: 'things/spose_embedding66d_rescaled.csv', name: 'SPoSE 66-d embedding (THINGS, 1,854 objects)' },
      { dataset: 'features', file: 'things/spose_embedding66d_rescaled_48val_reordered.csv', name: 'SPoSE 66-d, the 48 RDM objects' },
      { dataset: 'similarity', file: 'things/RDM48_triplet.mat', name: 'RDM48: human triplet dissimilarities', measure: 'dissimilarity' },
      { dataset: 'concepts', file: 'things/things_concepts.tsv', name: 'THINGS concepts (names, WordNet ids, bottom-up categories)' },
      { dataset: 'concepts', file: 'things/categories_final_20200131.tsv', name: 'THINGSplus categories (53)' },
    ],
  },
  rsa92: {
    title: '92 images (Kriegeskorte et al. 2008)',
    description: "16 subjects' similarity judgments of the 92-image set (Mur et al. 2013), and monkey and human IT RDMs.",
    imports: [
      { dataset: 'similarity', file: 'rsa92/92_behavRDMs.mat', key: 'rdms_behav_92.RDM', name: "92 images: 16 subjects' judgment RDMs", measure: 'dissimilarity' },
      { dataset: 'similarity', file: 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat', key: 'RDMs_mIT_hIT_fig1.RDM', name: '92 images: monkey and human IT RDMs', measure: 'dissimilarity' },
      { dataset: 'images', file: 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat', key: 'stimuli_92objs.image', name: 'The 92 stimulus images' },
      { dataset: 'concepts', file: 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat', key: 'stimuli_92objs', name: '92 images: categories (human/nonhuman body and face, natural, artificial)' },
    ],
  },
}

export function exampleImports(name: ExampleName, examplesDir: string): ImportSpec[] {
  return EXAMPLES[name].imports.map(({ file, ...rest }) => ({ kind: 'import', measure: 'dissimilarity', ...rest, path: join(examplesDir, file) }))
}
