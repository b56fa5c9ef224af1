// Masking experiments (Langlois et al. 2021): keep the most salient fraction of an image's pixels (by default the
// top half, a threshold at the median) and fill the rest with black, the image's mean colour, or a blurred copy;
// a random map of the same image is the control.
import { randomGenerator } from '../data/simulate'
import type { MaskFill } from './maskFill'

export { MASK_FILLS, type MaskFill } from './maskFill'

/** 1 for the round(fraction · n) pixels of highest value (ties: the earlier pixel first), else 0. */
export function topFractionMask(map: ArrayLike<number>, fraction: number): Uint8Array {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`the fraction to keep must be between 0 and 1, not ${fraction}`)
  const n = map.length
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => map[b]! - map[a]! || a - b)
  const mask = new Uint8Array(n)
  const keep = Math.round(fraction * n)
  for (let k = 0; k < keep; k++) mask[order[k]!] = 1
  return mask
}

/** A map of independent uniform values, the control for a saliency map. */
export function randomMap(pixels: number, seed: number): Float32Array {
  const random = randomGenerator(seed)
  return Float32Array.from({ length: pixels }, () => random())
}

/** Three passes of a (2r + 1)² box blur, close to a Gaussian of σ ≈ r, per channel, edges clamped. */
export function blur(image: Float32Array, height: number, width: number, channels: number, radius: number): Float32Array {
  let current = Float32Array.from(image)
  const pass = (source: Float32Array, horizontal: boolean) => {
    const out = new Float32Array(source.length)
    const [outer, inner] = horizontal ? [height, width] : [width, height]
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++) {
        const at = (i: number) => {
          const clamped = Math.min(inner - 1, Math.max(0, i))
          return ((horizontal ? o * width + clamped : clamped * width + o) * channels) + c
        }
        let sum = 0
        for (let i = -radius; i <= radius; i++) sum += source[at(i)]!
        for (let i = 0; i < inner; i++) {
          out[at(i)] = sum / (2 * radius + 1)
          sum += source[at(i + radius + 1)]! - source[at(i - radius)]!
        }
      }
    }
    return out
  }
  for (let k = 0; k < 3; k++) current = pass(pass(current, true), false)
  return current
}

/** The image (H × W × C) with the pixels outside the mask filled. */
export function applyMask(image: Float32Array, mask: Uint8Array, height: number, width: number, channels: number, fill: MaskFill): Float32Array {
  const out = Float32Array.from(image)
  const mean = new Float32Array(channels)
  if (fill === 'mean') for (let k = 0; k < image.length; k++) mean[k % channels]! += image[k]! / (height * width)
  const blurred = fill === 'blur' ? blur(image, height, width, channels, Math.max(1, Math.round(Math.min(height, width) / 40))) : null
  for (let p = 0; p < height * width; p++) {
    if (mask[p]) continue
    for (let c = 0; c < channels; c++) out[p * channels + c] = fill === 'black' ? 0 : fill === 'mean' ? mean[c]! : blurred![p * channels + c]!
  }
  return out
}
