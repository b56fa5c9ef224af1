import type { DatasetInfo, JobKind, JobSpec } from '../../api/contract'
import type { ArtifactRow } from '../../store/artifacts'
import type { ObjectList } from '../catalog'
import type { JobFunction } from '../protocol'
import { importData } from './importData'
import { evaluate, type EvaluateInput } from './evaluate'
import { extract } from './extract'
import { alignetDistill, type DistillInput } from './alignetDistill'
import { alignetEvaluate, type AlignetEvaluateInput } from './alignetEvaluate'
import { gw, type GwInput } from './gw'
import { compare, deriveTriplets, map, type CompareInput } from './explore'
import { attention, type AttentionInput } from './attention'
import { categoryMeans, type CategoryMeansInput } from './categoryMeans'
import { selectMatrix } from './selectMatrix'
import { attentionMask, type AttentionMaskInput } from './attentionMask'
import { alignetClusters, alignetTriplets, type TeacherInput, type TripletsInput } from './alignet'
import { applyProbe, probe, type ApplyTransformInput, type ProbeInput } from './probe'
import { similarity } from './similarity'
import { simulateTriplets } from './simulateTriplets'
import { verifyArtifacts } from './verifyArtifacts'

/** Every job kind, by name; each runs inside a worker thread. */
export const jobKinds: Record<JobKind, JobFunction> = {
  verifyArtifacts: async (_spec, input, ctx) => ({ result: await verifyArtifacts(input as ArtifactRow[], ctx) }),
  simulateTriplets: (spec, _input, ctx) => simulateTriplets(spec as Extract<JobSpec, { kind: 'simulateTriplets' }>, ctx.examplesDir, ctx),
  evaluate: (spec, input, ctx) => evaluate(spec as Extract<JobSpec, { kind: 'evaluate' }>, input as EvaluateInput, ctx),
  import: (spec, input, ctx) => importData(spec as Extract<JobSpec, { kind: 'import' }>, input as { objects: ObjectList } | null, ctx),
  extract: (spec, input, ctx) => extract(spec as Extract<JobSpec, { kind: 'extract' }>, input as DatasetInfo, ctx),
  probe: (spec, input, ctx) => probe(spec as Extract<JobSpec, { kind: 'probe' }>, input as ProbeInput, ctx),
  applyTransform: (spec, input, ctx) => applyProbe(spec as Extract<JobSpec, { kind: 'applyTransform' }>, input as ApplyTransformInput, ctx),
  alignetClusters: (spec, input, ctx) => alignetClusters(spec as Extract<JobSpec, { kind: 'alignetClusters' }>, input as TeacherInput, ctx),
  alignetTriplets: (spec, input, ctx) => alignetTriplets(spec as Extract<JobSpec, { kind: 'alignetTriplets' }>, input as TripletsInput, ctx),
  alignetDistill: (spec, input, ctx) => alignetDistill(spec as Extract<JobSpec, { kind: 'alignetDistill' }>, input as DistillInput, ctx),
  alignetEvaluate: (spec, input, ctx) => alignetEvaluate(spec as Extract<JobSpec, { kind: 'alignetEvaluate' }>, input as AlignetEvaluateInput, ctx),
  gw: (spec, input, ctx) => gw(spec as Extract<JobSpec, { kind: 'gw' }>, input as GwInput, ctx),
  map: (spec, input, ctx) => map(spec as Extract<JobSpec, { kind: 'map' }>, input as DatasetInfo, ctx),
  compare: (spec, input, ctx) => compare(spec as Extract<JobSpec, { kind: 'compare' }>, input as CompareInput, ctx),
  deriveTriplets: async (spec, input, ctx) => deriveTriplets(spec as Extract<JobSpec, { kind: 'deriveTriplets' }>, input as DatasetInfo, ctx),
  categoryMeans: async (spec, input, ctx) => categoryMeans(spec as Extract<JobSpec, { kind: 'categoryMeans' }>, input as CategoryMeansInput, ctx),
  selectMatrix: async (spec, input, ctx) => selectMatrix(spec as Extract<JobSpec, { kind: 'selectMatrix' }>, input as DatasetInfo, ctx),
  attention: (spec, input, ctx) => attention(spec as Extract<JobSpec, { kind: 'attention' }>, input as AttentionInput, ctx),
  attentionMask: (spec, input, ctx) => attentionMask(spec as Extract<JobSpec, { kind: 'attentionMask' }>, input as AttentionMaskInput, ctx),
  similarity: (spec, input, ctx) => similarity(spec as Extract<JobSpec, { kind: 'similarity' }>, input as ArtifactRow, ctx),
}
