import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nearestClassMeanAccuracy, oneShotAccuracy } from '../../src-main/core/metrics/classification'

// NumPy references: tests/fixtures/classification/make_fixtures.py
const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/classification/reference.json'), 'utf8')) as { x: number[]; labels: string[]; nearestClassMean: number; oneShotExact: number }
const x = Float32Array.from(ref.x)

describe('classification of a representation', () => {
  it('gives NumPy’s leave-one-out nearest-class-mean accuracy', () => {
    expect(nearestClassMeanAccuracy(x, 12, 4, ref.labels)).toBeCloseTo(ref.nearestClassMean, 12)
    expect(ref.nearestClassMean).toBeCloseTo(10 / 12, 12)
  })

  it('averages one-shot tasks to the exact expectation over all prototype choices', () => {
    // 20,000 random draws of 64 equally likely choices: the mean is within 0.01 of the exact 0.6927.
    expect(Math.abs(oneShotAccuracy(x, 12, 4, ref.labels, 20_000, 3) - ref.oneShotExact)).toBeLessThan(0.01)
    expect(oneShotAccuracy(x, 12, 4, ref.labels, 50, 1)).toBe(oneShotAccuracy(x, 12, 4, ref.labels, 50, 1))
  })

  it('is perfect on separated classes and refuses labels that do not fit', () => {
    const separated = Float32Array.of(1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9)
    const labels = ['cat', 'cat', 'car', 'car']
    expect(nearestClassMeanAccuracy(separated, 4, 2, labels)).toBe(1)
    expect(oneShotAccuracy(separated, 4, 2, labels, 10)).toBe(1)
    expect(() => oneShotAccuracy(separated, 4, 2, ['cat', 'cat', 'car'])).toThrow('there are 3 labels for 4 images')
    expect(() => nearestClassMeanAccuracy(separated, 4, 2, ['cat', 'cat', 'cat', 'cat'])).toThrow('at least two classes')
  })
})
