// Comparing a model's saliency map with a human map of the same image (Langlois et al. 2021): Spearman and Pearson
// over pixels, and for fixation-style maps the AUC (Mann-Whitney: how well the model's values separate fixated from
// other pixels) and NSS (the model's z-scored values at the fixations). A permutation baseline scores each model map
// against the human maps of the other images, so that a score has a reference, and a signed-rank test over images
// says whether the maps match their own images' human maps better than the others'.
import { averageRanks, pearson } from '../metrics/correlation'
import { signedRankGreater } from '../metrics/signedRank'

export interface MapScores {
  /** null where a map is constant and a correlation is not defined. */
  spearman: number | null
  pearson: number | null
  auc: number | null
  nss: number | null
}

/** Bilinear resize of an h × w map to H × W (pixel centres aligned, as image resizing does). */
export function resizeMap(map: ArrayLike<number>, h: number, w: number, height: number, width: number): Float32Array {
  if (h === height && w === width) return Float32Array.from(map)
  const out = new Float32Array(height * width)
  for (let y = 0; y < height; y++) {
    const sy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / height - 0.5))
    const y0 = Math.floor(sy)
    const y1 = Math.min(h - 1, y0 + 1)
    const fy = sy - y0
    for (let x = 0; x < width; x++) {
      const sx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / width - 0.5))
      const x0 = Math.floor(sx)
      const x1 = Math.min(w - 1, x0 + 1)
      const fx = sx - x0
      const top = map[y0 * w + x0]! * (1 - fx) + map[y0 * w + x1]! * fx
      const bottom = map[y1 * w + x0]! * (1 - fx) + map[y1 * w + x1]! * fx
      out[y * width + x] = top * (1 - fy) + bottom * fy
    }
  }
  return out
}

function isConstant(map: ArrayLike<number>): boolean {
  for (let k = 1; k < map.length; k++) if (map[k] !== map[0]) return false
  return true
}

/**
 * The fixated pixels of a human map: its non-zero pixels when most are zero (a fixation map), else its top 10%
 * (a continuous selectivity map). Null when there is no such split (a constant map).
 */
export function fixations(human: ArrayLike<number>): Uint8Array | null {
  if (isConstant(human)) return null
  let zeros = 0
  for (let k = 0; k < human.length; k++) if (human[k] === 0) zeros++
  if (zeros >= human.length / 2) return Uint8Array.from({ length: human.length }, (_, k) => Number(human[k]! !== 0))
  const sorted = Float64Array.from(human).sort()
  const threshold = sorted[Math.floor(0.9 * (sorted.length - 1))]!
  const fixated = Uint8Array.from({ length: human.length }, (_, k) => Number(human[k]! > threshold))
  return fixated.some((v) => v === 1) ? fixated : null
}

/** Area under the ROC curve of the model's values for fixated against other pixels (ties count half). */
export function auc(model: ArrayLike<number>, fixated: Uint8Array): number | null {
  const ranks = averageRanks(model)
  let positives = 0
  let rankSum = 0
  for (let k = 0; k < fixated.length; k++) {
    if (fixated[k]) {
      positives++
      rankSum += ranks[k]!
    }
  }
  const negatives = fixated.length - positives
  if (positives === 0 || negatives === 0) return null
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives)
}

/** Normalised scanpath saliency: the mean of the z-scored model map over the fixated pixels. */
export function nss(model: ArrayLike<number>, fixated: Uint8Array): number | null {
  const n = model.length
  let mean = 0
  for (let k = 0; k < n; k++) mean += model[k]! / n
  let variance = 0
  for (let k = 0; k < n; k++) variance += (model[k]! - mean) ** 2 / n
  const std = Math.sqrt(variance)
  let sum = 0
  let count = 0
  for (let k = 0; k < n; k++) {
    if (!fixated[k]) continue
    sum += (model[k]! - mean) / (std || 1)
    count++
  }
  return count && std > 0 ? sum / count : null
}

/** Every score of a model map against a human map of the same size. */
export function compareMaps(model: ArrayLike<number>, human: ArrayLike<number>): MapScores {
  if (model.length !== human.length) throw new RangeError(`the maps have ${model.length} and ${human.length} pixels; resize one to the other first`)
  const defined = !isConstant(model) && !isConstant(human)
  const fixated = fixations(human)
  return {
    spearman: defined ? pearson(averageRanks(model), averageRanks(human)) : null,
    pearson: defined ? pearson(model, human) : null,
    auc: fixated && !isConstant(model) ? auc(model, fixated) : null,
    nss: fixated ? nss(model, fixated) : null,
  }
}

const mean = (values: (number | null)[]): number | null => {
  const defined = values.filter((v): v is number => v !== null)
  return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null
}

const SCORES = ['spearman', 'pearson', 'auc', 'nss'] as const

/** Each score's p-value, or null where no image has it defined. */
export type ScoreTests = Record<keyof MapScores, number | null>

/**
 * The mean of each score over images: image i's model map against image i's human map, and against every other's
 * (the baseline); and whether a map matches its own image's human map better than the others' — Wilcoxon's
 * one-sided signed-rank test over images of the score with its own minus its mean with the others'.
 */
export function scoreImages(models: ArrayLike<number>[], humans: ArrayLike<number>[]): { perImage: MapScores[]; mean: MapScores; baseline: MapScores; aboveBaseline: ScoreTests } {
  if (models.length !== humans.length) throw new RangeError(`${models.length} model maps but ${humans.length} human maps`)
  const perImage = models.map((m, i) => compareMaps(m, humans[i]!))
  const summary = (scores: MapScores[]): MapScores => Object.fromEntries(SCORES.map((key) => [key, mean(scores.map((s) => s[key]))])) as unknown as MapScores
  const others = models.map((m, i) => humans.flatMap((h, j) => (j === i ? [] : [compareMaps(m, h)])))
  const ownBaselines = others.map(summary)
  const aboveBaseline = Object.fromEntries(
    SCORES.map((key) => {
      const differences = perImage.flatMap((own, i) => (own[key] !== null && ownBaselines[i]![key] !== null ? [own[key]! - ownBaselines[i]![key]!] : []))
      return [key, signedRankGreater(differences)?.p ?? null]
    }),
  ) as unknown as ScoreTests
  return { perImage, mean: summary(perImage), baseline: summary(others.flat()), aboveBaseline }
}
