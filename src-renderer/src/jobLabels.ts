import type { JobKind } from '@api/contract'

export const JOB_LABELS: Record<JobKind, string> = {
  verifyArtifacts: 'Verify artifacts',
  similarity: 'Similarity matrix',
  import: 'Import',
  simulateTriplets: 'Simulate triplets (SPoSE)',
  evaluate: 'Evaluate',
  probe: 'Affine probe',
  applyTransform: 'Apply transform',
  extract: 'Extract features',
  alignetClusters: 'AligNet clusters',
  alignetTriplets: 'AligNet triplets',
  alignetDistill: 'AligNet distillation',
  alignetEvaluate: 'AligNet evaluation',
  gw: 'Gromov-Wasserstein alignment',
  map: 'Representation map',
  compare: 'Model comparison',
  deriveTriplets: 'Triplets from similarity matrices',
  categoryMeans: 'Features per category',
  selectMatrix: 'Matrices as a dataset',
  attention: 'Attention maps',
  attentionMask: 'Masking experiment',
}
