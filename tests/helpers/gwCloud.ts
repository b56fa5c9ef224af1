import { randomGenerator } from '../../src-main/core/data/simulate'
import type { GwSide } from '../../src-main/core/gw/crossProduct'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'

/**
 * A random 4-d point cloud of m objects and the same cloud relabelled (Euclidean dissimilarities of both), with
 * uniform marginals and, for each cloud object, its position in the copy (what a GW plan should recover).
 */
export function relabelledCloud(m: number, seed = 21): { sides: [GwSide, GwSide]; uniform: Float64Array; partner: Int32Array } {
  const random = randomGenerator(seed)
  const cloud = Float64Array.from({ length: m * 4 }, () => random())
  // Object i of the copy is object order[i] of the cloud.
  const order = Int32Array.from({ length: m }, (_, i) => i)
  for (let i = m - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const copy = Float64Array.from({ length: m * 4 }, (_, k) => cloud[order[Math.floor(k / 4)]! * 4 + (k % 4)]!)
  const [one, two] = [cloud, copy].map((x) => ({ n: m, c: rdmFromFeatures(x, m, 4, 'euclidean'), factors: null }))
  const partner = new Int32Array(m)
  order.forEach((object, position) => (partner[object] = position))
  return { sides: [one!, two!], uniform: new Float64Array(m).fill(1 / m), partner }
}
