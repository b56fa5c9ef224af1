// The Slurm batch script: its directives, the resources it refuses, and the spec carried through bash unchanged.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { JobSpec } from '../../src-main/api/contract'
import { DEFAULT_RESOURCES, shellQuote, slurmScript } from '../../src-main/jobs/clusterScript'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const spec: JobSpec = { kind: 'simulateTriplets', embedding: 'spose66', count: 1000, seed: 7 }
const script = (overrides: Partial<Parameters<typeof slurmScript>[0]> = {}) =>
  slurmScript({ spec, projectDir: '/data/my project', command: 'humanalign', resources: DEFAULT_RESOURCES, appVersion: '1.2.3', ...overrides })

describe('slurmScript', () => {
  it('asks for the resources and runs the job into the project', () => {
    const { fileName, text } = script({ jobId: 12, resources: { ...DEFAULT_RESOURCES, gpus: 2, partition: 'gpu', account: 'lab-1' } })
    expect(fileName).toBe('humanalign-job-12-simulateTriplets.sbatch')
    expect(text.split('\n').filter((line) => line.startsWith('#SBATCH'))).toEqual([
      '#SBATCH --job-name=humanalign-simulateTriplets',
      '#SBATCH --time=04:00:00',
      '#SBATCH --nodes=1',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=8',
      '#SBATCH --mem=32G',
      '#SBATCH --gres=gpu:2',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=lab-1',
      '#SBATCH --output=humanalign-job-12-simulateTriplets-%j.log',
    ])
    expect(text.startsWith('#!/bin/bash\n')).toBe(true)
    expect(text).toContain(`humanalign job run "$spec" --project '/data/my project'\n`)
    // Without GPUs there is no gres line; without a job id the name says the kind.
    const cpuOnly = script({ resources: { ...DEFAULT_RESOURCES, gpus: 0 } })
    expect(cpuOnly.text).not.toContain('--gres')
    expect(cpuOnly.fileName).toBe('humanalign-simulateTriplets.sbatch')
  })

  it('refuses resources Slurm would not read, or that would add lines to the script', () => {
    expect(() => script({ resources: { ...DEFAULT_RESOURCES, time: '4h' } })).toThrow('The time limit "4h" is not valid for Slurm: write minutes, HH:MM:SS or D-HH:MM:SS.')
    expect(() => script({ resources: { ...DEFAULT_RESOURCES, memory: '32 GB' } })).toThrow('The memory "32 GB" is not valid for Slurm')
    expect(() => script({ resources: { ...DEFAULT_RESOURCES, partition: 'gpu\n#SBATCH --wrap=x' } })).toThrow('The partition "gpu\\n#SBATCH --wrap=x" is not valid for Slurm')
    expect(() => script({ resources: { ...DEFAULT_RESOURCES, account: 'a;b' } })).toThrow('The account "a;b" is not valid for Slurm')
    for (const time of ['90', '1:30:00', '2-12:00:00', '00:05']) expect(() => script({ resources: { ...DEFAULT_RESOURCES, time } })).not.toThrow()
  })

  it('quotes words for the shell', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node')
    expect(shellQuote("/it's here/x")).toBe(`'/it'\\''s here/x'`)
    expect(spawnSync('bash', ['-c', `printf %s ${shellQuote("a b'c$HOME`x`")}`], { encoding: 'utf8' }).stdout).toBe("a b'c$HOME`x`")
  })

  it('carries a spec through bash byte for byte, whatever its strings hold', () => {
    const dir = tmp()
    const tricky: JobSpec = { kind: 'deriveTriplets', dataset: 3, name: `x\nHUMANALIGN_SPEC\n$(touch ${dir}/owned) 'q' "d" \`b\` \\ é` }
    const copy = join(dir, 'copy.json')
    // The "command" copies the spec file the script wrote ($3 after `job run`) so the test can read it.
    const { text } = script({ spec: tricky, command: `sh -c 'cp "$3" ${copy}' x`, projectDir: dir })
    const file = join(dir, 'job.sbatch')
    writeFileSync(file, text)
    const r = spawnSync('bash', [file], { encoding: 'utf8', cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(readFileSync(copy, 'utf8'))).toEqual(tricky)
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.split('\n')).not.toContain('owned')
  })
})
