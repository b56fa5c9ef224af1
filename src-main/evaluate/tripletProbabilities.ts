// Each triplet's pair probabilities under a model's features, softmax([s01, s02, s12] / τ) of its similarities (the
// odd-one-out model of DESIGN §4), for the triplet browser, τ fitted to the human choices: at τ = 1 the dot products of
// DNN features (and of SPoSE's) put nearly every probability at 0 or 1. Runs in a task worker: reads the two arrays.
import type { SimilarityKind } from '../core/metrics/oddOneOut'
import { tripletSimilarities } from '../core/metrics/tripletSimilarities'
import { readNpyFile } from '../files/npyFile'
import { reorderRows } from '../core/data/objectNames'
import { fitTemperature } from '../core/metrics/temperatureFit'

export interface ModelProbabilities {
  /** N × 3, each triplet's pair probabilities. */
  probabilities: Float32Array
  /** The fitted τ; null when none beats chance (uniform probabilities). */
  temperature: number | null
}

export async function tripletProbabilities(featuresFile: string, tripletsFile: string, similarity: SimilarityKind, order: number[] | null = null): Promise<ModelProbabilities> {
  const features = readNpyFile(featuresFile)
  const triplets = readNpyFile(tripletsFile).data as Int32Array
  const [n, p] = features.shape as [number, number]
  const rows = features.data instanceof Float32Array ? features.data : Float32Array.from(features.data as ArrayLike<number>)
  const x = order ? reorderRows(rows, p, order) : rows
  const s = await tripletSimilarities(x, n, p, triplets, similarity)
  const { temperature } = fitTemperature(s)
  const beta = temperature === null ? 0 : 1 / temperature
  const out = new Float32Array(s.length)
  for (let t = 0; t < s.length; t += 3) {
    const top = Math.max(s[t]!, s[t + 1]!, s[t + 2]!)
    const e = [Math.exp(beta * (s[t]! - top)), Math.exp(beta * (s[t + 1]! - top)), Math.exp(beta * (s[t + 2]! - top))]
    const sum = e[0]! + e[1]! + e[2]!
    for (let k = 0; k < 3; k++) out[t + k] = e[k]! / sum
  }
  return { probabilities: out, temperature }
}
