import { describe, expect, it } from 'vitest'
import type { BenchReport } from '../../src-main/bench/harness'
import { runCli } from '../helpers/cli'

describe('humanalign bench', () => {
  it('runs each case against NumPy in one command and reports time, memory and the ratios', () => {
    const r = runCli(['bench', '--quick', '--repeats', '2', '--backend', 'wasm', '--case', 'matmul', '--case', 'cosine', '--case', 'rdm', '--case', 'gather', '--case', 'oddoneout', '--case', 'readnpz', '--case', 'rsasubjects', '--case', 'derive', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout) as BenchReport & { saved: string | null }
    expect(report.saved).toBeNull()
    expect(report.repeats).toBe(2)
    expect(report.cases.map((c) => [c.case, c.size])).toEqual([
      ['matmul', 128],
      ['cosine', 200],
      // 1 − np.corrcoef in float64: the same RDM.
      ['rdm', 200],
      ['gather', 10_000],
      ['oddoneout', 10_000],
      // The .npz both sides read, written by NumPy into the temporary folder.
      ['readnpz', 300],
      // SciPy's spearmanr per subject and wilcoxon.
      ['rsasubjects', 4],
      // Every triplet of 40 objects, 16 subjects voting: the same noise ceiling.
      ['derive', 40],
    ])
    for (const c of report.cases) {
      // Both sides computed the same thing on the same inputs.
      expect(c.agree, `${c.case}: ${c.ours.checksum} vs ${c.reference.checksum}`).toBe(true)
      expect(c.ours.backend).toBe('wasm')
      expect(c.ours.milliseconds).toHaveLength(2)
      expect(c.reference.implementation).toMatch(c.case === 'rsasubjects' ? /^SciPy \d/ : /^NumPy \d/)
      expect(c.ratio.time).toBeCloseTo(c.ours.medianMs / c.reference.medianMs, 10)
      expect(c.ratio.memory).toBeCloseTo(c.ours.peakRssBytes / c.reference.peakRssBytes, 10)
      expect(c.ours.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024)
    }
  }, 120_000)

  it('runs a case at a size of the user\'s choosing, and refuses a bad one', () => {
    const r = runCli(['bench', '--size', '96', '--repeats', '1', '--backend', 'wasm', '--case', 'matmul', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const [only, ...rest] = (JSON.parse(r.stdout) as BenchReport).cases
    expect(rest).toEqual([])
    expect([only!.size, only!.description, only!.agree]).toEqual([96, 'fp32 matmul 96×96', true])
    const bad = runCli(['bench', '--size', '1.5', '--case', 'matmul'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('--size 1.5 is not a positive whole number.')
    expect(runCli(['bench', '--size', '64', '--quick']).stderr).toContain('--size and --quick both choose the sizes; give one of them.')
  }, 60_000)

  it('names an unknown case', () => {
    const r = runCli(['bench', '--case', 'fft'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Unknown bench case fft; the cases are matmul, cosine, rdm, gather, oddoneout, rsaboot, cka, probe, kmeans, tsne, pca, gw, saliency, distill, readnpz, readtxt, readpkl, readpt, categorymeans, temperature, rsasubjects, derive, mobilenet.')
  })

  it('says how to install NumPy when no Python has it', () => {
    const r = runCli(['bench', '--quick'], { HUMANALIGN_PYTHON: '/nonexistent/python' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('HUMANALIGN_PYTHON=/nonexistent/python cannot import NumPy. Point it at a Python with NumPy, or install it: apt-get install python3-numpy.')
  })
})
