// Each kind of run's headline, on results as the jobs store them (figures from the 92-image example's runs).
import { describe, expect, it } from 'vitest'
import { runHeadline } from '../../src-main/api/runHeadline'

describe('runHeadline', () => {
  it('gives the main figure of every kind of run', () => {
    expect(runHeadline('odd-one-out', { accuracy: 0.39640070074852685, correct: 49780, total: 125580, ci95: [0.3936985221044125, 0.39910921734881954] })).toBe('accuracy 0.3964 [0.3937, 0.3991] (49780 of 125580)')
    expect(runHeadline('rsa', { method: 'spearman', r: 0.1357003719950408, ci95: [0.0379545080660517, 0.2488046141483294], p: 0.004975124378109453 })).toBe('spearman r 0.1357 [0.0380, 0.2488], p 0.00498')
    const perMatrix = { side: 'b', names: [], r: Array(16).fill(0.1), mean: 0.14184148716, sem: 0.0215029637 }
    expect(runHeadline('rsa', { method: 'spearman', r: 0.1357, ci95: null, p: null, perMatrix })).toBe('spearman r 0.1357; with each of 16 matrices 0.1418 ± 0.0215')
    expect(runHeadline('ceiling', { lower: 0.47759987284941974, upper: 0.5751184041603763 })).toBe('lower 0.4776, upper 0.5751')
    expect(runHeadline('ceiling', { ceiling: 0.8, responses: 40, repeatedTriplets: 10 })).toBe('leave-one-out agreement 0.8000 (40 responses to 10 repeated triplets)')
    expect(runHeadline('cka', { cka: 0.68162955 })).toBe('CKA 0.6816')
    expect(runHeadline('probe', { meanHeldOut: 0.4929789713438211, meanZeroShot: 0.3970946554372583, chosen: { lambda: 0.1, alpha: 0.1 } })).toBe('held-out accuracy 0.4930 (zero-shot 0.3971), λ = 0.1')
    expect(runHeadline('gw', { epsilon: 0.0010000000000000002, loss: 0.09989364542529704, matching: { top1: 0.010869565217391304 } })).toBe('ε = 0.00100, loss 0.09989, top-1 matching 1.1%')
    expect(runHeadline('map', { method: 'tsne', n: 92 })).toBe('92 objects in 2-D')
    expect(runHeadline('compare', { names: ['a', 'b', 'c', 'd'] })).toBe('4 representations, RSA between every pair')
    expect(runHeadline('alignetClusters', { k: 10, n: 1854, elbow: 10 })).toBe('k = 10 clusters of 1854 objects (elbow at k = 10)')
    expect(runHeadline('alignetDistill', { student: 'MobileNetV2 aligned', divergenceFirst: 0.31234, divergenceLast: 0.1, steps: 500 })).toBe('student "MobileNetV2 aligned", divergence 0.3123 → 0.1000 over 500 steps')
    expect(runHeadline('alignetEvaluate', { objects: 92, rows: [{ measure: 'odd-one-out accuracy', base: 0.4, aligned: 0.45 }] })).toBe('odd-one-out accuracy: 0.4000 → 0.4500')
    expect(runHeadline('attention', { images: 25, scores: { mean: { spearman: 0.151, auc: 0.626 } } })).toBe('25 maps; against human maps Spearman 0.151, AUC 0.626')
    expect(runHeadline('attention', { images: 25, scores: null })).toBe('25 maps')
    expect(runHeadline('attentionMask', { keep: 0.4, salient: { agreement: 1 }, random: { agreement: 0.92 } })).toBe('same class kept 100.0% with the salient 40.0%, 92.0% at random')
  })

  it('shows a missing figure as a dash, and nothing for a kind it does not know', () => {
    expect(runHeadline('probe', {})).toBe('held-out accuracy — (zero-shot —), λ = —')
    expect(runHeadline('gw', null)).toBe('ε = —, loss —, top-1 matching —')
    expect(runHeadline('something new', { x: 1 })).toBe('')
  })
})
