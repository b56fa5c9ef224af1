// A Slurm batch script that runs one job headless on a cluster node (`humanalign job run`), recording its result in
// the project as the window would. The spec travels inside the script, so the script is the whole submission.
import type { JobSpec } from '../api/contract'
import { AppError } from '../api/errors'

export interface SlurmResources {
  /** Wall-clock limit as Slurm writes it: MM, HH:MM:SS or D-HH:MM:SS. */
  time: string
  cpus: number
  /** Memory per node: a number with an optional K, M, G or T. */
  memory: string
  gpus: number
  partition?: string
  account?: string
}

export const DEFAULT_RESOURCES: SlurmResources = { time: '04:00:00', cpus: 8, memory: '32G', gpus: 1 }

const TIME = /^(\d+-)?\d{1,3}(:\d{2}){0,2}$/
const MEMORY = /^\d+[KMGT]?$/
/** Partition and account names: what sbatch accepts on one line, nothing a shell or a second directive could use. */
const NAME = /^[A-Za-z0-9_.,-]+$/

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

function checkResources(r: SlurmResources): void {
  const bad = (what: string, value: string, fix: string) => new AppError('user', `${what} ${JSON.stringify(value)} is not valid for Slurm: ${fix}.`)
  if (!TIME.test(r.time)) throw bad('The time limit', r.time, 'write minutes, HH:MM:SS or D-HH:MM:SS')
  if (!MEMORY.test(r.memory)) throw bad('The memory', r.memory, 'write a number with K, M, G or T, such as 32G')
  if (r.partition !== undefined && !NAME.test(r.partition)) throw bad('The partition', r.partition, 'use letters, digits, and . _ , -')
  if (r.account !== undefined && !NAME.test(r.account)) throw bad('The account', r.account, 'use letters, digits, and . _ , -')
}

export interface ClusterScriptRequest {
  spec: JobSpec
  projectDir: string
  /** How the node starts HumanAlign's command line, as shell words joined by spaces (already quoted). */
  command: string
  resources: SlurmResources
  /** The job this repeats, when it was made from one of the project's jobs. */
  jobId?: number
  appVersion: string
}

/** The file name and text of the batch script. */
export function slurmScript(request: ClusterScriptRequest): { fileName: string; text: string } {
  const { spec, projectDir, command, resources, jobId, appVersion } = request
  checkResources(resources)
  const stem = jobId === undefined ? `humanalign-${spec.kind}` : `humanalign-job-${jobId}-${spec.kind}`
  const directives = [
    `--job-name=humanalign-${spec.kind}`,
    `--time=${resources.time}`,
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${resources.cpus}`,
    `--mem=${resources.memory}`,
    ...(resources.gpus > 0 ? [`--gres=gpu:${resources.gpus}`] : []),
    ...(resources.partition ? [`--partition=${resources.partition}`] : []),
    ...(resources.account ? [`--account=${resources.account}`] : []),
    `--output=${stem}-%j.log`,
  ]
  const text = [
    '#!/bin/bash',
    `# HumanAlign ${appVersion}: ${jobId === undefined ? `a ${spec.kind} job` : `job ${jobId} (${spec.kind}) again`}, headless, for Slurm.`,
    `# Submit with: sbatch ${stem}.sbatch`,
    '# The node must reach the project folder and the files the spec names at the same paths as here (a shared',
    '# file system). The project is locked while the job runs; open it afterwards to see the result.',
    ...directives.map((d) => `#SBATCH ${d}`),
    'set -euo pipefail',
    'spec="$(mktemp)"',
    `trap 'rm -f "$spec"' EXIT`,
    // A quoted delimiter: the shell expands nothing in the spec. The JSON has no line equal to it.
    `cat > "$spec" <<'HUMANALIGN_SPEC'`,
    JSON.stringify(spec, null, 2),
    'HUMANALIGN_SPEC',
    `${command} job run "$spec" --project ${shellQuote(projectDir)}`,
    '',
  ].join('\n')
  return { fileName: `${stem}.sbatch`, text }
}
