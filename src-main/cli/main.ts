import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { BackendSetting, DatasetKind, ExampleName, JobSpec, ProbeSpec, type DatasetInfo, type JobInfo, type OpInput, type OpName, type OpOutput } from '../api/contract'
import { AppError } from '../api/errors'
import { datasetDetails } from '../api/datasetDetails'
import { runHeadline } from '../api/runHeadline'
import { matrixNames } from '../api/matrixNames'
import { createBackend, type Backend } from '../app/backend'
import type { BackendName } from '../core/compute/backendNames'
import { parseServeArgs, serve, SERVE_USAGE } from '../server/serve'
import { formatBench, formatDoctor, formatInspect, formatProject } from './format'
import { ceilingKindText, countOf, freedText, pValueText, temperatureText } from '../api/format'
import { describeIssues } from '../api/dispatcher'
import { runBench } from '../bench/harness'
import { evalCeiling, evalCka, evalOddOneOut, evalRsa, evalTripletCeiling } from '../evaluate/evaluations'
import { probeFiles } from '../evaluate/probeFiles'
import { alignetCluster, alignetLabel, alignetSample, alignetTriplets } from '../evaluate/alignetFiles'
import { distillFromFiles } from '../models/distillFiles'
import { attentionMaps, compareFiles, maskImages, type TargetRequest } from '../models/attentionFiles'
import { MASK_FILLS } from '../core/attention/masking'
import { SALIENCY_METHODS } from '../core/attention/saliency'
import { readArray } from '../files/readers'
import { beforeAfter, formatBeforeAfter } from '../evaluate/beforeAfter'
import { gwFiles } from '../evaluate/gwFiles'
import { AUGMENTATIONS, DISTILL_DEFAULTS } from '../core/alignet/distill'
import { SAMPLING_MODES } from '../core/alignet/sampling'
import { describeModel, extractFiles } from '../models/extractFiles'
import { BUILTIN_MODELS } from '../models/sources'
import { POOLINGS } from '../core/models/pooling'
import { PROBE_DEFAULTS } from '../core/probe/train'
import { BENCH_CASES, isCaseName, type CaseName } from '../bench/cases'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { EXIT_INTERNAL, EXIT_OK, EXIT_USER, printResult, reportError, type CliIo } from './output'

export const USAGE = `Usage: humanalign <command> [options]

Commands:
  project create DIR [--name NAME] [--example things|rsa92|langlois25]
                                     create a project folder (project.sqlite + artifacts/), empty or
                                     holding a bundled example's data
  project info DIR                   describe a project: name, schema, what it holds, each dataset with
                                     its id (for --objects-from) and what it holds in words, each run
                                     with its id and headline
  bench [--case NAME] [--quick | --size N] [--save]
                                     time our kernels against NumPy, PyTorch, scikit-learn, POT (${Object.keys(BENCH_CASES).join(', ')}); --size runs
                                     the cases at one size of your own (e.g. --case probe --size 1000000); --save writes
                                     bench/results/DATE-HOST-BACKEND.json
  import KIND FILE --project DIR     import features, triplets, similarity (matrices), concepts or images
                                     (a folder, a .txt list of image files, or an N×H×W×C uint8 array):
         [--key K] [--name N] [--ids FILE] [--objects N | --objects-from DATASET_ID]
         [--one-based|--zero-based] [--header|--no-header] [--columns A,B,C] [--id-column NAME] [--average-repeats]
         [--choice-column C] [--subject-column S] [--rt-column RT] [--condition-column C] [--soft-labels FILE]
         [--measure similarity|dissimilarity]
                                     --ids: the objects' names, one per line or a table's names column such
                                     as items1854names.tsv' uniqueID (features, matrices, concepts); --key PREFIX_*
                                     stacks the arrays it matches as subjects (Meadows' rdmutv_NAME);
                                     --average-repeats: features whose rows repeat an id (runs, trials) become
                                     one row per object, the mean of its rows
  eval odd-one-out --features F --triplets T [--similarity dot|cosine|euclidean] [--temperature τ|fit]
                                     (fit: the τ under which the human choices are most likely, so that the
                                     model's entropies are on their scale; 1 by default)
  eval rsa --a A --b B [--rdm correlation|cosine|euclidean] [--method spearman|pearson|kendall]
           [--bootstrap N] [--permutations N] [--seed S]   (A, B: features, or n×n matrices; where both
                                     name their objects, B's are matched to A's by name); against several
                                     subjects' matrices, also r with each, their mean ± SEM (what a
                                     noise ceiling bounds) and the one-sided signed-rank test across them
  eval ceiling --rdms FILE [--key K] [--method spearman|pearson|kendall]   (one RDM per subject)
  eval ceiling --triplets FILE       leave-one-out agreement of triplets answered several times
  eval cka --a F1 --b F2 [--unbiased]
                                     any eval with --project DIR also stores the result as a run; there the
                                     inputs may be dataset ids (project info lists them), evaluated as the
                                     window does, with accuracy per level and, with --categories-from
                                     CONCEPTS_ID, per category
  models [NAME|DIR]                  the built-in models (MobileNetV2, InceptionV3), or one model's layers with
                                     output shapes and parameter counts
  extract --model NAME|DIR --images DIR|LIST.txt --out features.npy [--layer NAME[,NAME]]
          [--pool average|flatten|cls|mean] [--batch N (default: sized to memory)] [--skip-unreadable] [--mean-per-folder]
                                     features of images from one or several layers (one pass), with
                                     file_names.txt beside them (thingsvision's convention);
                                     --mean-per-folder: one row per subfolder (THINGS' concepts), its images' mean
  probe --features F --triplets T [--objective hard|soft|glocal] [--soft-labels P] [--folds 3]
        [--lambda l1,l2,…] [--alpha a1,…] [--rank Q] [--epochs N] [--batch-size B] [--lr R]
        [--out transform.npz] [--project DIR]
                                     affine probe, cross-validated over objects (λ chosen by held-out
                                     accuracy); writes gLocal's transform.npz; with --project, F and T may
                                     be dataset ids: the project's probe job, as in the window
  alignet cluster --features F [--transform T.npz] [--k 2,5,10,20,50] [--restarts 3] [--seed S]
          [--mini-batch B] [--out clusters.npz]
                                     k-means of the teacher's features for each k, with the elbow; --out
                                     keeps the clustering at the elbow (or the one k given)
  alignet sample --clusters clusters.npz --count N --out triplets.npy [--mode between|within|border]
                                     triplets drawn from the clusters (image indices, odd one out unknown)
  alignet label --features F [--transform T.npz] --triplets T.npy --out triplets.npz
          [--file-names file_names.txt]
                                     the teacher's similarities and odd one out, in AligNet's layout
  alignet triplets --features F [--transform T.npz] --k K --count N --out triplets.npz
          [--mode between|within|border] [--file-names file_names.txt] [--restarts 3] [--seed S]
          [--mini-batch B]
                                     cluster, sample and label in one go
  alignet distill --triplets T.npz --images DIR --out DIR [--model mobilenet_v2|FOLDER] [--layer L]
          [--steps 5000] [--batch-size 64] [--lr 3e-5] [--warmup 500] [--lambda 1] [--divergence kl|js]
          [--head 1024|none] [--augment flip|crop|crop+flip|none] [--seed S]
                                     fine-tune a student (the model cut at the layer + a Dense triplet
                                     head) toward the teacher's triplet choices; saves a TF.js model
  alignet evaluate --base B.npy --aligned A.npy [--triplets T [--one-based]] [--rdms R [--key K]]
          [--labels labels.txt] [--bootstrap 1000] [--seed S]
                                     base vs aligned on human data: odd-one-out accuracy, RSA with the
                                     noise ceiling, one-shot and nearest-class-mean classification (where
                                     the files name their objects, A's and R's are matched to B's by name)
  gw --source A --target B (--eps E | --eps LO,HI [--trials 10] [--search tpe|grid|random] [--inits 3]
     [--no-prune] [--seed S]) [--metric cosine|euclidean|correlation] [--categories labels.txt] [--no-normalise]
     [--domain auto|plain|log] [--max-iterations 1000] [--precision float32|float64] [--out plan.npy]
     [--source-weights W.npy] [--target-weights W.txt]   (marginals: one positive weight per object; uniform by default)
                                     entropic Gromov-Wasserstein between two representations of the same
                                     objects (features or dissimilarity matrices): loss, top-1/5/10 matching;
                                     with --project DIR, A and B may be dataset ids (the window's job, stored
                                     as a run; --categories-from CONCEPTS_ID for category matching)
  attention maps --images DIR|LIST.txt --out DIR [--model mobilenet_v2|FOLDER]
          [--method gradient|gradientInput|smoothgrad|guided|gradcam] [--target predicted|class:N|similar:IMAGE[@LAYER]]
          [--layer L (Grad-CAM)] [--samples 30] [--sigma 0.1] [--seed S] [--threads N (CPU: one per core)]
                                     saliency maps (N × H × W maps.npy, file_names.txt, PNG overlays)
  attention compare --maps maps.npy --human FILE|DIR [--key K]
                                     Spearman, Pearson, AUC and NSS against human maps (.npy/.mat/.npz/.h5 or
                                     grayscale images), with the baseline of the other images' human maps
  attention mask --images DIR --maps maps.npy [--model M] [--keep 0.5] [--fill black|mean|blur] [--out DIR]
                                     keep each image's most salient pixels: does the model still see the same
                                     class and embedding, against random masks of the same size
  report --project DIR --out report.html
                                     a one-file HTML report of the project's results (tables, figures,
                                     settings, versions) that opens without a network
  simulate triplets --n N --project DIR [--seed S] [--temperature T]
                                     THINGS triplets simulated from the SPoSE embedding, with soft labels
  dataset rename ID NAME --project DIR | dataset remove ID --project DIR
                                     rename a dataset, or remove it (freeing the arrays only it used)
  run remove ID --project DIR        remove a run from the project's results (freeing what only it stored)
  run transform ID FILE.npz --project DIR
                                     write a probe run's transform as gLocal's transform.npz
  job spec ID --project DIR          a job's spec (JSON), to edit or to run elsewhere
  job discard ID --project DIR       give up a failed job: delete its checkpoint (it cannot be resumed)
  job run SPEC.json --project DIR    run a job from its spec, headless, recording its result in the project
  job resume ID --project DIR        continue a failed or stopped job from its last checkpoint
  job script (SPEC.json | --job ID) --project DIR [--time 04:00:00] [--cpus 8] [--mem 32G] [--gpus 1]
          [--partition P] [--account A] [--command CMD] [--out FILE]
                                     a Slurm batch script that runs the job on a cluster node (job run),
                                     for a project on a shared file system; --command: how the node starts
                                     humanalign (default: as this machine does)
  derive triplets --from DATASET_ID --project DIR [--name N]
                                     every triplet of a similarity dataset's objects (at most 300), each
                                     subject's matrix voting; the votes are kept as soft labels
  derive means --from FEATURES_ID --by CONCEPTS_ID --project DIR [--name N]
                                     features of images averaged per category (an image folder's
                                     subfolders: THINGS' concepts), one row per category, named by it;
                                     an object in several categories counts in each
  derive matrix --from DATASET_ID --matrix NAME|N[,…] --project DIR [--name N]
                                     one matrix of a dataset of several (human IT beside monkey IT, one
                                     subject's judgments), by its name or number from 1, or several
                                     (--matrix 1-8: half of the subjects, to hold the others out), as a
                                     dataset of its own: RSA, GW and maps take a dataset of several as
                                     their mean
  inspect FILE [--header|--no-header]
                                     what a file holds: arrays, shapes, dtypes, keys, table columns (the
                                     first row of a table as its header, or as data, when detection errs)
  doctor                             versions, compute backends (and why any is unavailable), GPU, memory, paths
  serve [--port N] [--host ADDR]     start browser mode (see humanalign serve --help)

Every command works on plain files or a project folder.
Global options:
  --json     print exactly one JSON object on stdout
  --debug    print stack traces of errors
  --backend NAME   compute backend: auto, tensorflow, webgpu, wasm or cpu (else HUMANALIGN_BACKEND, else the
                   setting made in the window, else the best available)
  --help     show help;  --version  print the version
Exit codes: 0 ok, 1 a problem with the input (the message says what to fix), 2 internal error.`

export interface CliPaths {
  version: string
  /** Folder of the built worker entries. */
  workerDir: string
  staticDir: string
  /** The installed app's folder (bench/ lives there). */
  appRoot: string
}

/** Takes the global options out of argv wherever they stand. */
function globalOptions(argv: string[]): { io: CliIo; backend?: BackendSetting; rest: string[] } {
  const io: CliIo = { json: false, debug: false }
  const rest: string[] = []
  let backend: BackendSetting | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--json') io.json = true
    else if (arg === '--debug') io.debug = true
    else if (arg === '--backend' || arg.startsWith('--backend=')) {
      const value = arg === '--backend' ? argv[++i] : arg.slice('--backend='.length)
      const parsed = BackendSetting.safeParse(value)
      if (!parsed.success) {
        throw usageError(`--backend ${value ?? ''} is not a backend; use auto, tensorflow, webgpu, wasm or cpu.`)
      }
      backend = parsed.data
    } else rest.push(arg)
  }
  return { io, backend, rest }
}

/** Runs one operation through the shared dispatcher, as the CLI caller. */
async function call<N extends OpName>(backend: Backend, op: N, input: OpInput<N>): Promise<OpOutput<N>> {
  const result = await backend.dispatch('cli', op, input)
  if (result.ok) return result.output as OpOutput<N>
  if (result.error.code === 'internal') throw new Error(result.error.message)
  throw new AppError(result.error.code, result.error.message)
}

function usageError(message: string): AppError {
  return new AppError('user', `${message} Run humanalign --help for usage.`)
}

async function projectCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const [action, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, example: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  })
  if (positionals.length !== 1) throw usageError(`project ${action ?? ''} needs exactly one folder.`)
  const path = resolve(positionals[0]!)
  if (action === 'create' && values.example !== undefined) {
    const example = ExampleName.safeParse(values.example)
    if (!example.success) throw usageError(`--example ${values.example} is not an example; the examples are ${ExampleName.options.join(', ')}.`)
    const ended = jobsEnding(backend, io)
    const { project, jobs } = await call(backend, 'project.createExample', { path, example: example.data })
    const finished = await ended(jobs.map((j) => j.id))
    const failed = finished.filter((j) => j.state !== 'done')
    if (failed.length) throw new AppError('user', `The example project was created, but ${failed.length} import(s) failed: ${failed.map((j) => j.error).join('; ')}`)
    // The example's analyses are queued stage by stage after the imports (in the same turn as their last event,
    // so one macrotask later they are listed); wait until the last has run.
    await new Promise((r) => setImmediate(r))
    let jobsNow = await call(backend, 'jobs.list', {})
    while (jobsNow.some((j) => j.state === 'queued' || j.state === 'running')) {
      await new Promise((r) => setTimeout(r, 300))
      jobsNow = await call(backend, 'jobs.list', {})
    }
    const broken = jobsNow.filter((j) => j.state === 'failed')
    if (broken.length) throw new AppError('user', `The example project was created, but ${broken.length} of its analyses failed: ${broken.map((j) => `${j.kind}: ${j.error}`).join('; ')}`)
    const info = await call(backend, 'project.current', {})
    printResult(io, info, () => `Created project "${project.name}" in ${project.path} from the example: ${countOf(info?.counts.datasets ?? 0, 'dataset')}, ${countOf(info?.counts.runs ?? 0, 'run')}`)
    return EXIT_OK
  }
  if (action === 'create') {
    const info = await call(backend, 'project.create', { path, name: values.name })
    printResult(io, info, () => `Created project "${info.name}" in ${info.path}`)
  } else if (action === 'info') {
    if (values.name !== undefined) throw usageError('--name applies to project create only.')
    const info = await call(backend, 'project.info', { path })
    const { datasets, runs } = await call(backend, 'project.contents', { path })
    const listed = {
      ...info,
      datasets: datasets.map((d) => ({ ...d, details: datasetDetails(d) })),
      // A run's headline, not its whole result (a map's coordinates, a plan's trials).
      runs: runs.map((r) => ({ id: r.id, kind: r.kind, name: r.name, createdAt: r.createdAt, headline: runHeadline(r.kind, r.result) })),
    }
    printResult(io, listed, () => formatProject(info, datasets, runs))
  } else {
    throw usageError(`Unknown project action ${JSON.stringify(action ?? '')}; use create or info.`)
  }
  return EXIT_OK
}

/** Waits for jobs (by id, once known) to end, printing progress to stderr. Subscribe before starting them. */
function jobsEnding(backend: Backend, io: CliIo): (ids: number[]) => Promise<JobInfo[]> {
  const ended = new Map<number, JobInfo>()
  let waiting: { ids: number[]; resolve: (jobs: JobInfo[]) => void } | null = null
  const check = (): void => {
    if (waiting && waiting.ids.every((id) => ended.has(id))) {
      if (!io.json) process.stderr.write('\r\x1b[K')
      waiting.resolve(waiting.ids.map((id) => ended.get(id)!))
      waiting = null
    }
  }
  backend.events.subscribe((event) => {
    if (event.type === 'job.state' && ['done', 'failed', 'cancelled'].includes(event.job.state)) {
      ended.set(event.job.id, event.job)
      check()
    }
    if (event.type === 'job.progress' && !io.json) process.stderr.write(`\r${Math.round(event.progress.fraction * 100)}% ${event.progress.stage}\x1b[K`)
  })
  return (ids) =>
    new Promise((resolveJobs) => {
      waiting = { ids, resolve: resolveJobs }
      check()
    })
}

/** Starts a job through the contract (or resumes one) and waits for it to end. */
async function runJob(backend: Backend, io: CliIo, spec: OpInput<'jobs.start'> | { resume: number }): Promise<JobInfo> {
  const ended = jobsEnding(backend, io)
  const { id } = 'resume' in spec ? await call(backend, 'jobs.resume', { id: spec.resume }) : await call(backend, 'jobs.start', spec)
  const [job] = await ended([id])
  if (job!.state !== 'done') throw new AppError('user', job!.error ?? `The job was ${job!.state}.`)
  return job!
}

/** --header / --no-header: whether a table's first row names its columns (else it is detected). */
const HEADER_OPTIONS = { header: { type: 'boolean' }, 'no-header': { type: 'boolean' } } as const

function headerOption(values: { header?: boolean; 'no-header'?: boolean }): { header?: boolean } {
  if (values.header && values['no-header']) throw usageError('--header and --no-header contradict each other.')
  return values.header ? { header: true } : values['no-header'] ? { header: false } : {}
}

async function importCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      project: { type: 'string' },
      key: { type: 'string' },
      name: { type: 'string' },
      ids: { type: 'string' },
      objects: { type: 'string' },
      'objects-from': { type: 'string' },
      'one-based': { type: 'boolean' },
      'zero-based': { type: 'boolean' },
      ...HEADER_OPTIONS,
      measure: { type: 'string' },
      columns: { type: 'string' },
      'id-column': { type: 'string' },
      'average-repeats': { type: 'boolean' },
      'choice-column': { type: 'string' },
      'subject-column': { type: 'string' },
      'rt-column': { type: 'string' },
      'condition-column': { type: 'string' },
      'soft-labels': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  })
  const [dataset, file] = positionals
  const kinds = DatasetKind.options as readonly string[]
  if (positionals.length !== 2 || !kinds.includes(dataset!)) throw usageError(`import needs a kind (${kinds.join(', ')}) and a file.`)
  if (!values.project) throw usageError('import needs --project DIR (the project to import into).')
  if (values['one-based'] && values['zero-based']) throw usageError('--one-based and --zero-based contradict each other.')
  const objects = values.objects === undefined ? undefined : Number(values.objects)
  await call(backend, 'project.open', { path: resolve(values.project) })
  const job = await runJob(backend, io, {
    kind: 'import',
    dataset: dataset as DatasetKind,
    path: resolve(file!),
    ...(values.key ? { key: values.key } : {}),
    ...(values.name ? { name: values.name } : {}),
    ...(values.ids ? { ids: resolve(values.ids) } : {}),
    ...(objects !== undefined ? { objects } : {}),
    ...(values['objects-from'] !== undefined ? { objectsFrom: Number(values['objects-from']) } : {}),
    ...(values['one-based'] ? { oneBased: true } : values['zero-based'] ? { oneBased: false } : {}),
    ...headerOption(values),
    ...(values.measure ? { measure: values.measure as 'similarity' | 'dissimilarity' } : {}),
    ...(values.columns ? { columns: values.columns.split(',').map((c) => c.trim()) } : {}),
    ...(values['id-column'] !== undefined ? { idColumn: values['id-column'] } : {}),
    ...(values['average-repeats'] ? { averageRepeats: true } : {}),
    ...(values['choice-column'] ? { choiceColumn: values['choice-column'] } : {}),
    ...(values['subject-column'] ? { subjectColumn: values['subject-column'] } : {}),
    ...(values['rt-column'] ? { rtColumn: values['rt-column'] } : {}),
    ...(values['condition-column'] ? { conditionColumn: values['condition-column'] } : {}),
    ...(values['soft-labels'] ? { softLabels: resolve(values['soft-labels']) } : {}),
  })
  const result = job.result as Record<string, unknown>
  // In words as `project info` describes it: what it holds, where from, what was converted or skipped.
  const ids = (result.datasets ?? []) as number[]
  const made = io.json ? [] : (await call(backend, 'datasets.list', {})).filter((d) => ids.includes(d.id))
  printResult(io, result, () =>
    made.map((d) => `Imported ${d.kind} "${d.name}" as dataset ${d.id}${d.shape?.length ? ` (${d.shape.join(' × ')})` : ''}: ${datasetDetails(d).join(' · ')}`).join('\n'),
  )
  return EXIT_OK
}

const choice = <T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T => {
  if (value === undefined) return fallback
  if (!(allowed as readonly string[]).includes(value)) throw usageError(`--${flag} ${value} is not one of ${allowed.join(', ')}.`)
  return value as T
}

const count = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw usageError(`--${flag} ${value} is not a whole number.`)
  return n
}

/** A whole number of at least `least` (1: steps, sizes, samples, where 0 means nothing to do). */
const countFrom = (least: number, flag: string, value: string | undefined, fallback: number, why?: string): number => {
  const n = count(flag, value, fallback)
  if (n < least) throw usageError(value === undefined ? `--${flag} is required (a whole number, at least ${least}).` : `--${flag} ${value} must be at least ${least}${why ? `: ${why}` : ''}.`)
  return n
}

const need = (flag: string, value: string | undefined): string => {
  if (!value) throw usageError(`--${flag} is required.`)
  return resolve(value)
}

async function evalCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const [what, ...rest] = args
  const { values } = parseArgs({
    args: rest,
    options: {
      project: { type: 'string' },
      features: { type: 'string' },
      triplets: { type: 'string' },
      similarity: { type: 'string' },
      temperature: { type: 'string' },
      'one-based': { type: 'boolean' },
      a: { type: 'string' },
      b: { type: 'string' },
      'key-a': { type: 'string' },
      'key-b': { type: 'string' },
      rdm: { type: 'string' },
      method: { type: 'string' },
      bootstrap: { type: 'string' },
      permutations: { type: 'string' },
      seed: { type: 'string' },
      rdms: { type: 'string' },
      key: { type: 'string' },
      unbiased: { type: 'boolean' },
      'categories-from': { type: 'string' },
    },
    strict: true,
  })
  const methods = ['spearman', 'pearson', 'kendall'] as const
  const temperature = values.temperature === undefined || values.temperature === 'fit' ? values.temperature : Number(values.temperature)
  if (typeof temperature === 'number' && !(temperature > 0)) throw usageError(`--temperature ${values.temperature} must be a positive number, or fit.`)
  const ids = projectDatasets(values.project, evalInputs(values, what))
  if (values['categories-from'] !== undefined && !(ids && what === 'odd-one-out')) throw usageError('--categories-from names a concepts dataset of the project: it goes with eval odd-one-out of dataset ids (--project DIR).')
  if (ids) {
    return evalDatasets(backend, io, values.project!, {
      kind: 'evaluate',
      metric: what as 'odd-one-out' | 'rsa' | 'ceiling' | 'cka',
      a: ids[0]!,
      ...(ids[1] === undefined ? {} : { b: ids[1] }),
      ...(values['categories-from'] === undefined ? {} : { categoriesFrom: datasetId(values['categories-from'], 'eval odd-one-out', '--categories-from', 'the concepts whose categories group the accuracy') }),
      similarity: choice('similarity', values.similarity, ['dot', 'cosine', 'euclidean'] as const, 'dot'),
      temperature: temperature ?? 1,
      rdm: choice('rdm', values.rdm, ['correlation', 'cosine', 'euclidean'] as const, 'correlation'),
      method: choice('method', values.method, methods, 'spearman'),
      bootstrap: count('bootstrap', values.bootstrap, 0),
      permutations: count('permutations', values.permutations, 0),
      seed: count('seed', values.seed, 0),
      unbiased: values.unbiased ?? false,
    })
  }
  let result: Record<string, unknown>
  let human: () => string
  if (what === 'odd-one-out') {
    const r = await evalOddOneOut({
      features: need('features', values.features),
      triplets: need('triplets', values.triplets),
      similarity: choice('similarity', values.similarity, ['dot', 'cosine', 'euclidean'] as const, 'dot'),
      temperature,
      oneBased: values['one-based'],
      backend: forcedBackend(backend),
    })
    result = r
    human = () => oddOneOutText(r)
  } else if (what === 'rsa') {
    const r = await evalRsa({
      a: need('a', values.a),
      b: need('b', values.b),
      keyA: values['key-a'],
      keyB: values['key-b'],
      rdm: choice('rdm', values.rdm, ['correlation', 'cosine', 'euclidean'] as const, 'correlation'),
      method: choice('method', values.method, methods, 'spearman'),
      bootstrap: count('bootstrap', values.bootstrap, 0),
      permutations: count('permutations', values.permutations, 0),
      seed: count('seed', values.seed, 0),
    })
    result = r
    human = () => rsaText(r)
  } else if (what === 'ceiling' && values.triplets !== undefined) {
    const r = await evalTripletCeiling(values.triplets)
    result = { ...r }
    human = () => tripletCeilingText(r)
  } else if (what === 'ceiling') {
    const r = await evalCeiling(need('rdms', values.rdms), values.key, choice('method', values.method, methods, 'spearman'))
    result = { ...r }
    human = () => rdmCeilingText(r)
  } else if (what === 'cka') {
    const r = await evalCka(need('a', values.a), need('b', values.b), values.unbiased ?? false, forcedBackend(backend))
    result = r
    human = () => ckaText(r)
  } else {
    throw usageError(`eval needs one of odd-one-out, rsa, ceiling, cka${what ? ` (not ${what})` : ''}.`)
  }
  if (values.project) {
    await call(backend, 'project.open', { path: resolve(values.project) })
    const params = Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'project'))
    const run = await call(backend, 'runs.record', { kind: what, name: `${what} ${new Date().toISOString().slice(0, 19)}`, params, result })
    result = { ...result, run: run.id }
  }
  printResult(io, result, human)
  return EXIT_OK
}

/** The options of an evaluation that name what it reads: files, or the project's datasets. */
const EVAL_INPUTS: Record<string, readonly ('features' | 'triplets' | 'a' | 'b')[]> = { 'odd-one-out': ['features', 'triplets'], rsa: ['a', 'b'], cka: ['a', 'b'], probe: ['features', 'triplets'] }

/** The inputs of an evaluation or probe, by flag. */
function evalInputs(values: Partial<Record<'features' | 'triplets' | 'a' | 'b' | 'rdms', string>>, what: string | undefined): [string, string | undefined][] {
  if (what === 'ceiling') return values.triplets !== undefined ? [['triplets', values.triplets]] : [['rdms', values.rdms]]
  return (EVAL_INPUTS[what ?? ''] ?? []).map((flag) => [flag, values[flag]])
}

/**
 * With --project, inputs given as whole numbers that are not files are the project's dataset ids (what `project
 * info` lists): the command then runs as the project's job, as in the window. Null: files.
 */
function projectDatasets(project: string | undefined, inputs: [string, string | undefined][]): number[] | null {
  const given = inputs.filter((input): input is [string, string] => input[1] !== undefined)
  if (!project || !given.length) return null
  const isId = given.map(([, v]) => /^\d+$/.test(v) && !existsSync(resolve(v)))
  if (!isId.some(Boolean)) return null
  if (!isId.every(Boolean)) throw usageError(`${inputs.map(([flag]) => `--${flag}`).join(' and ')} are both dataset ids of the project or both files; ${given.find((_, k) => !isId[k])![1]} is a file.`)
  return given.map(([, v]) => Number(v))
}

/** An evaluation of the project's datasets, as its job (stored as a run), said as the evaluation of files is. */
async function evalDatasets(backend: Backend, io: CliIo, project: string, spec: Extract<JobSpec, { kind: 'evaluate' }>): Promise<number> {
  await call(backend, 'project.open', { path: resolve(project) })
  const job = await runJob(backend, io, spec)
  const r: Record<string, unknown> = { ...(job.result as Record<string, unknown>), seconds: jobSeconds(job), backend: job.backend ?? 'cpu' }
  // The job's result is the JSON its kind stores, of the shape the evaluation of files returns (hence `never`).
  const text = { 'odd-one-out': () => oddOneOutText(r as never), rsa: () => rsaText(r as never), cka: () => ckaText(r as never), ceiling: () => ('lower' in r ? rdmCeilingText(r as never) : tripletCeilingText(r as never)) }[spec.metric]
  printResult(io, r, () => `${text()}\n  run ${String(r.run)} of the project`)
  return EXIT_OK
}

type Interval = [number, number] | null
type Accuracy = { accuracy: number; correct: number; total: number; ci95: Interval }
/** A level's or category's accuracy: null where none of the triplets is of it. */
type GroupAccuracy = Omit<Accuracy, 'accuracy'> & { accuracy: number | null }

function oddOneOutText(r: Accuracy & { similarity: string; meanEntropy: number; temperature: number | null; temperatureFitted: boolean; seconds: number; backend: string; ceiling?: number | null; ceilingKind?: string | null; perLevel?: Record<string, GroupAccuracy> | null; perCategory?: Record<string, GroupAccuracy> | null }): string {
  const accuracy = (a: Accuracy) => `${a.accuracy.toFixed(4)}${a.ci95 ? ` (95% CI ${a.ci95[0].toFixed(4)}–${a.ci95[1].toFixed(4)})` : ''}, ${a.correct} of ${a.total} triplets`
  const groups = (title: string, g: Record<string, GroupAccuracy> | null | undefined) => {
    const found = Object.entries(g ?? {}).filter((entry): entry is [string, Accuracy] => entry[1].accuracy !== null)
    const none = Object.keys(g ?? {}).length - found.length
    return found.length ? [`  ${title}${none ? ` (${none} without a triplet)` : ''}:`, ...found.map(([name, a]) => `    ${name}: ${accuracy(a)}`)] : []
  }
  return [
    `odd-one-out accuracy ${accuracy(r)}, ${r.similarity} similarity, chance 0.3333; mean entropy ${r.meanEntropy.toFixed(4)} (${temperatureText(r)}); ${r.seconds.toFixed(2)} s on ${r.backend}`,
    ...(typeof r.ceiling === 'number' ? [`  noise ceiling ${r.ceiling.toFixed(4)} (${ceilingKindText(r.ceilingKind as Parameters<typeof ceilingKindText>[0])})`] : []),
    ...groups('per level', r.perLevel),
    ...groups('per category (triplets whose three objects are in it)', r.perCategory),
  ].join('\n')
}

function rsaText(r: { method: string; r: number; pairs: number; n: number; ci95: Interval; bootstrap: number; p: number | null; permutations: number; a: string; b: string; aMatrices?: number; bMatrices?: number; perMatrix?: PerMatrix; objectsMatchedByName?: boolean }): string {
  const mean = (count: number | undefined) => (count ? ` (the mean of its ${count} matrices)` : '')
  return (
    `${r.method} r = ${r.r.toFixed(4)} over ${r.pairs} pairs of ${r.n} objects` +
    (r.ci95 ? `; 95% CI [${r.ci95[0].toFixed(4)}, ${r.ci95[1].toFixed(4)}] (${r.bootstrap} bootstrap samples)` : '') +
    (r.p !== null ? `; p = ${r.p.toPrecision(3)} (${r.permutations} permutations)` : '') +
    `\n  a: ${r.a}${mean(r.aMatrices)}\n  b: ${r.b}${mean(r.bMatrices)}` +
    (r.objectsMatchedByName ? `\n  b's objects put in a's order by their names` : '') +
    (r.perMatrix ? `\n  ${perMatrixText(r.perMatrix)}` : '')
  )
}

type PerMatrix = { side: 'a' | 'b'; r: (number | null)[]; mean: number | null; sem: number | null; signedRank: { p: number; n: number } | null }

/** The mean over one side's matrices, what a noise ceiling of them bounds. */
function perMatrixText(p: PerMatrix): string {
  if (p.mean === null) return `against each of ${p.side}'s ${p.r.length} matrices: undefined (constant matrices)`
  const sem = p.sem === null ? '' : ` ± ${p.sem.toFixed(4)} (SEM)`
  const test = p.signedRank ? `; signed-rank p = ${pValueText(p.signedRank.p)} (one-sided, over ${p.signedRank.n})` : ''
  return `against each of ${p.side}'s ${p.r.length} matrices: mean r ${p.mean.toFixed(4)}${sem}, the figure a noise ceiling of them bounds${test}`
}

const tripletCeilingText = (r: { ceiling: number; responses: number; repeatedTriplets: number }) => `leave-one-out noise ceiling ${r.ceiling.toFixed(4)}: ${r.responses} responses to ${r.repeatedTriplets} triplets answered more than once`
const rdmCeilingText = (r: { method: string; subjects: number; lower: number; upper: number }) => `noise ceiling (${r.method}, ${r.subjects} subjects): lower ${r.lower.toFixed(4)}, upper ${r.upper.toFixed(4)}`
const ckaText = (r: { cka: number; unbiased: boolean; n: number }) => `linear CKA${r.unbiased ? ' (unbiased)' : ''} = ${r.cka.toFixed(4)} over ${r.n} objects`

function numbers(flag: string, value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback
  const list = value.split(',').map((v) => Number(v.trim()))
  if (!list.length || list.some((v) => !Number.isFinite(v) || v < 0)) throw usageError(`--${flag} ${value} must be non-negative numbers separated by commas.`)
  return list
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!(n > 0) || !Number.isFinite(n)) throw usageError(`--${flag} ${value} must be a positive number.`)
  return n
}

async function probeCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: 'string' },
      features: { type: 'string' },
      triplets: { type: 'string' },
      'soft-labels': { type: 'string' },
      'one-based': { type: 'boolean' },
      objective: { type: 'string' },
      folds: { type: 'string' },
      lambda: { type: 'string' },
      alpha: { type: 'string' },
      rank: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  })
  const objective = choice('objective', values.objective, ['hard', 'soft', 'glocal'] as const, 'hard')
  const folds = countFrom(2, 'folds', values.folds, 3, 'cross-validation needs at least 2 folds')
  const config = {
    ...PROBE_DEFAULTS,
    objective,
    rank: values.rank === undefined ? null : countFrom(1, 'rank', values.rank, 0),
    maxEpochs: countFrom(1, 'epochs', values.epochs, PROBE_DEFAULTS.maxEpochs),
    batchSize: countFrom(1, 'batch-size', values['batch-size'], PROBE_DEFAULTS.batchSize!),
    learningRate: positive('lr', values.lr, PROBE_DEFAULTS.learningRate),
    seed: count('seed', values.seed, PROBE_DEFAULTS.seed),
  }
  const lambdas = numbers('lambda', values.lambda, [PROBE_DEFAULTS.lambda])
  const alphas = numbers('alpha', values.alpha, [PROBE_DEFAULTS.alpha])
  const ids = projectDatasets(values.project, evalInputs(values, 'probe'))
  if (ids) {
    // The project's probe job (the window's): soft labels are the triplets dataset's own.
    if (values['soft-labels'] !== undefined || values['one-based']) throw usageError('--soft-labels and --one-based are for triplet files; a triplets dataset of the project has its soft labels and 0-based indices already.')
    // Named before the training, not after it.
    if (values.out !== undefined && !values.out.endsWith('.npz')) throw usageError(`--out ${values.out}: a transform is written as an .npz file (gLocal's transform.npz); end the name with .npz.`)
    await call(backend, 'project.open', { path: resolve(values.project!) })
    const spec = ProbeSpec.parse({ kind: 'probe', features: ids[0], triplets: ids[1], objective, lambdas, alphas, folds, rank: config.rank ?? undefined, maxEpochs: config.maxEpochs, batchSize: config.batchSize, learningRate: config.learningRate, seed: config.seed })
    const job = await runJob(backend, io, spec)
    const run = (job.result as { run: number }).run
    const out = values.out === undefined ? null : (await call(backend, 'runs.exportTransform', { id: run, path: resolve(values.out) })).path
    const r = { ...(job.result as Record<string, unknown>), out, seconds: jobSeconds(job), backend: job.backend ?? 'cpu' }
    printResult(io, r, () => `${probeText(r as never, folds)}\n  run ${run} of the project`)
    return EXIT_OK
  }
  const r = await probeFiles({
    features: need('features', values.features),
    triplets: need('triplets', values.triplets),
    softLabels: values['soft-labels'] === undefined ? undefined : resolve(values['soft-labels']),
    oneBased: values['one-based'],
    config,
    folds,
    lambdas,
    alphas,
    out: values.out === undefined ? undefined : resolve(values.out),
    backend: forcedBackend(backend),
    onFold: (f) => io.json || process.stderr.write(`λ=${f.lambda}${objective === 'glocal' ? ` α=${f.alpha}` : ''} fold ${f.fold}: held-out accuracy ${f.heldOutAccuracy.toFixed(4)} (zero-shot ${f.zeroShotAccuracy.toFixed(4)}, ${f.testTriplets} triplets)\n`),
  })
  let result: Record<string, unknown> = r
  if (values.project) {
    await call(backend, 'project.open', { path: resolve(values.project) })
    const params = Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'project'))
    const run = await call(backend, 'runs.record', { kind: 'probe', name: `probe (${objective}) ${new Date().toISOString().slice(0, 19)}`, params, result: r })
    result = { ...r, run: run.id }
  }
  printResult(io, result, () => probeText(r, folds))
  return EXIT_OK
}

function probeText(r: { objective: string; chosen: { lambda: number; alpha: number }; meanHeldOut: number; heldOut: number[]; meanZeroShot: number; finalEpochs: number; bestEpoch: number; p: number; q: number; seconds: number; backend: string; out: string | null }, folds: number): string {
  return [
    `probe (${r.objective}), λ = ${r.chosen.lambda}${r.objective === 'glocal' ? `, α = ${r.chosen.alpha}` : ''} chosen by ${folds}-fold cross-validation over objects`,
    `held-out odd-one-out accuracy ${r.meanHeldOut.toFixed(4)} (folds ${r.heldOut.map((a) => a.toFixed(4)).join(', ')}); zero-shot ${r.meanZeroShot.toFixed(4)}`,
    `final fit: ${r.finalEpochs} epochs (best ${r.bestEpoch}), ${r.p} → ${r.q} dimensions, ${r.seconds.toFixed(1)} s on ${r.backend}`,
    ...(r.out ? [`transform: ${r.out}`] : []),
  ].join('\n')
}

/** How long a finished job ran. */
const jobSeconds = (job: JobInfo): number => (job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : 0)

async function modelsCommand(io: CliIo, args: string[]): Promise<number> {
  if (args.length > 1) throw usageError('models takes at most one model name or folder.')
  if (!args.length) {
    const list = Object.entries(BUILTIN_MODELS).map(([id, m]) => ({ id, ...m }))
    printResult(io, { models: list }, () => list.map((m) => `${m.id.padEnd(14)} ${m.title}, ${m.inputSize} px — ${m.description}`).join('\n'))
    return EXIT_OK
  }
  const info = await describeModel(args[0]!)
  printResult(io, info, () =>
    [
      `${info.title}: ${info.format}, input ${info.inputSize.join(' × ')}, ${info.parameters.toLocaleString('en')} parameters (${info.trainableParameters.toLocaleString('en')} trainable); default layer ${info.defaultLayer}`,
      `preprocessing: ${info.preprocessing}`,
      ...info.layers.map((l) => `  ${l.name.padEnd(28)} ${l.className.padEnd(22)} [${l.outputShape.map((d) => d ?? '?').join(' × ')}]  ${l.parameters.toLocaleString('en')}`),
    ].join('\n'),
  )
  return EXIT_OK
}

async function extractCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: 'string' },
      images: { type: 'string' },
      layer: { type: 'string' },
      out: { type: 'string' },
      pool: { type: 'string' },
      batch: { type: 'string' },
      'skip-unreadable': { type: 'boolean' },
      'mean-per-folder': { type: 'boolean' },
    },
    strict: true,
  })
  const batch = values.batch === undefined ? null : countFrom(1, 'batch', values.batch, 0)
  const r = await extractFiles({
    model: values.model ?? 'mobilenet_v2',
    images: need('images', values.images),
    layers: values.layer === undefined ? null : values.layer.split(',').map((l) => l.trim()).filter(Boolean),
    out: need('out', values.out),
    pooling: values.pool === undefined ? undefined : choice('pool', values.pool, POOLINGS, 'average'),
    batchSize: batch,
    onBadImage: values['skip-unreadable'] ? 'skip' : 'abort',
    backend: forcedBackend(backend),
    meanPerFolder: values['mean-per-folder'] === true,
  })
  printResult(io, r, () =>
    [
      ...r.skipped.map((s) => `skipped ${s.image}: ${s.reason}`),
      `${r.images} images through ${r.model} in ${r.seconds.toFixed(1)} s (${r.imagesPerSecond.toFixed(1)} images/s, batch ${r.batchSize}, ${r.backend})`,
      ...(r.folders ? [`  the mean of each of ${r.folders.count} folders (${r.folders.minImages}–${r.folders.maxImages} images each${r.folders.outside ? `; ${countOf(r.folders.outside, 'image')} outside any folder left out` : ''})`] : []),
      ...r.files.map((f) => `  ${f.layer}: ${f.shape.join(' × ')}${f.pooling ? ` (${f.pooling} pooling)` : ''} → ${f.path}`),
      `  ${r.folders ? 'folder' : 'image'} order: ${r.fileNames}`,
    ].join('\n'),
  )
  return EXIT_OK
}

async function alignetCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const [what, ...rest] = args
  const { values } = parseArgs({
    args: rest,
    options: {
      features: { type: 'string' },
      transform: { type: 'string' },
      k: { type: 'string' },
      restarts: { type: 'string' },
      seed: { type: 'string' },
      mode: { type: 'string' },
      count: { type: 'string' },
      'file-names': { type: 'string' },
      out: { type: 'string' },
      model: { type: 'string' },
      layer: { type: 'string' },
      triplets: { type: 'string' },
      images: { type: 'string' },
      steps: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      warmup: { type: 'string' },
      lambda: { type: 'string' },
      divergence: { type: 'string' },
      head: { type: 'string' },
      augment: { type: 'string' },
      base: { type: 'string' },
      aligned: { type: 'string' },
      'one-based': { type: 'boolean' },
      rdms: { type: 'string' },
      key: { type: 'string' },
      labels: { type: 'string' },
      bootstrap: { type: 'string' },
      clusters: { type: 'string' },
      'mini-batch': { type: 'string' },
    },
    strict: true,
  })
  if (what === 'distill') {
    const r = await distillFromFiles({
      model: values.model ?? 'mobilenet_v2',
      ...(values.layer ? { layer: values.layer } : {}),
      triplets: resolve(need('triplets', values.triplets)),
      images: need('images', values.images),
      out: resolve(need('out', values.out)),
      backend: forcedBackend(backend),
      config: {
        steps: countFrom(1, 'steps', values.steps, DISTILL_DEFAULTS.steps),
        batchSize: countFrom(1, 'batch-size', values['batch-size'], DISTILL_DEFAULTS.batchSize),
        peakLearningRate: positive('lr', values.lr, DISTILL_DEFAULTS.peakLearningRate),
        warmupSteps: count('warmup', values.warmup, DISTILL_DEFAULTS.warmupSteps),
        lambda: numbers('lambda', values.lambda, [DISTILL_DEFAULTS.lambda])[0]!,
        divergence: choice('divergence', values.divergence, ['kl', 'js'] as const, DISTILL_DEFAULTS.divergence),
        headUnits: values.head === 'none' ? null : countFrom(1, 'head', values.head, DISTILL_DEFAULTS.headUnits!),
        augment: choice('augment', values.augment, AUGMENTATIONS, DISTILL_DEFAULTS.augment),
        seed: count('seed', values.seed, 0),
      },
      progress: (step) => {
        if (!io.json) process.stderr.write(`\r\x1b[Kstep ${step.step}  loss ${step.loss.toFixed(4)}  divergence ${step.divergence.toFixed(4)}`)
      },
    })
    if (!io.json) process.stderr.write('\n')
    printResult(io, r, () => `${r.model} cut at ${r.layer}: ${r.steps} steps on ${r.triplets} triplets of ${r.images} images; divergence ${r.divergenceFirst.toFixed(4)} (first steps) → ${r.divergenceLast.toFixed(4)} (last) → ${r.out}`)
    return EXIT_OK
  }
  if (what === 'sample') {
    const r = await alignetSample({
      clusters: resolve(need('clusters', values.clusters)),
      mode: choice('mode', values.mode, SAMPLING_MODES, 'between'),
      count: countFrom(1, 'count', values.count, 0),
      seed: count('seed', values.seed, 0),
      out: resolve(need('out', values.out)),
    })
    printResult(io, r, () => `${r.count} ${r.mode} triplets from ${r.k} clusters of ${r.images} images → ${r.out}`)
    return EXIT_OK
  }
  if (what === 'evaluate') {
    const r = await beforeAfter({
      base: resolve(need('base', values.base)),
      aligned: resolve(need('aligned', values.aligned)),
      ...(values.triplets ? { triplets: resolve(values.triplets) } : {}),
      ...(values['one-based'] === undefined ? {} : { oneBased: values['one-based'] }),
      ...(values.rdms ? { rdms: resolve(values.rdms) } : {}),
      ...(values.key ? { key: values.key } : {}),
      ...(values.labels ? { labels: resolve(values.labels) } : {}),
      bootstrap: count('bootstrap', values.bootstrap, 1000),
      seed: count('seed', values.seed, 0),
      backend: forcedBackend(backend),
    })
    printResult(io, r, () => formatBeforeAfter(r))
    return EXIT_OK
  }
  const teacher = {
    features: need('features', values.features),
    ...(values.transform ? { transform: resolve(values.transform) } : {}),
    backend: forcedBackend(backend),
    restarts: countFrom(1, 'restarts', values.restarts, 3),
    seed: count('seed', values.seed, 0),
    miniBatch: values['mini-batch'] === undefined ? null : countFrom(1, 'mini-batch', values['mini-batch'], 0),
  }
  if (what === 'cluster' || what === 'clusters') {
    const r = await alignetCluster({ ...teacher, ks: numbers('k', values.k, [2, 5, 10, 20, 50]).map(Math.round), ...(values.out ? { out: resolve(values.out) } : {}) })
    printResult(io, r, () =>
      [
        ...r.ks.map((k, i) => `k = ${String(k).padStart(4)}  inertia ${r.inertias[i]!.toPrecision(6)}`),
        ...(r.elbow === null ? [] : [`elbow: k = ${r.elbow}`]),
        ...(r.out ? [`clusters at k = ${r.k} (sizes ${r.sizes.join(', ')}) → ${r.out}`] : []),
      ].join('\n'),
    )
    return EXIT_OK
  }
  if (what === 'label') {
    const r = await alignetLabel({ ...teacher, triplets: resolve(need('triplets', values.triplets)), ...(values['file-names'] ? { fileNames: resolve(values['file-names']) } : {}), out: resolve(need('out', values.out)) })
    printResult(io, r, () => `${r.count} triplets of ${r.images} images labelled by the teacher → ${r.out}`)
    return EXIT_OK
  }
  if (what === 'triplets') {
    const r = await alignetTriplets({
      ...teacher,
      k: count('k', values.k, 0),
      count: countFrom(1, 'count', values.count, 0),
      mode: choice('mode', values.mode, SAMPLING_MODES, 'between'),
      ...(values['file-names'] ? { fileNames: resolve(values['file-names']) } : {}),
      out: need('out', values.out),
    })
    const agreement = r.oddOneFromOtherCluster === null ? '' : `; the teacher picks the image from the other cluster in ${(100 * r.oddOneFromOtherCluster).toFixed(1)}%`
    printResult(io, r, () => `${r.count} ${r.mode} triplets from ${r.k} clusters of ${r.n} images (inertia ${r.inertia.toPrecision(6)})${agreement} → ${r.out}`)
    return EXIT_OK
  }
  throw usageError(`alignet needs cluster, sample, label, triplets, distill or evaluate${what ? ` (not ${what})` : ''}.`)
}

async function gwCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      source: { type: 'string' },
      target: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      epsilon: { type: 'string' },
      eps: { type: 'string' },
      'epsilon-range': { type: 'string' },
      metric: { type: 'string' },
      distance: { type: 'string' },
      domain: { type: 'string' },
      'max-iterations': { type: 'string' },
      out: { type: 'string' },
      'plan-out': { type: 'string' },
      precision: { type: 'string' },
      trials: { type: 'string' },
      search: { type: 'string' },
      inits: { type: 'string' },
      'init-plans': { type: 'string' },
      'no-prune': { type: 'boolean' },
      'no-normalise': { type: 'boolean' },
      categories: { type: 'string' },
      'source-weights': { type: 'string' },
      'target-weights': { type: 'string' },
      seed: { type: 'string' },
      project: { type: 'string' },
      'categories-from': { type: 'string' },
    },
    strict: true,
  })
  // The issue's names (--source, --target, --metric, --eps LO,HI or E, --inits, --out) and the earlier ones.
  const eps = values.eps ?? values['epsilon-range'] ?? values.epsilon
  if (eps === undefined) throw usageError('Give --eps E, or --eps LO,HI to search: the entropic regularisation, on the scale of the dissimilarities (e.g. 0.01 for values in [0, 1]).')
  const range = eps.includes(',') ? numbers('eps', eps, []) : null
  if (range && (range.length !== 2 || !(range[0]! > 0) || range[1]! < range[0]!)) throw usageError(`--eps ${eps} must be two positive numbers, low,high.`)
  const planOut = values.out ?? values['plan-out']
  const search = {
    trials: countFrom(1, 'trials', values.trials, 10),
    sampler: choice('search', values.search, ['tpe', 'grid', 'random'] as const, 'tpe'),
    initPlans: countFrom(1, 'inits', values.inits ?? values['init-plans'], 3),
    seed: count('seed', values.seed, 0),
    prune: !values['no-prune'],
  }
  const metric = choice('metric', values.metric ?? values.distance, ['cosine', 'euclidean', 'correlation'] as const, 'cosine')
  const maxIterations = countFrom(1, 'max-iterations', values['max-iterations'], 1000)
  const weights = { ...(values['source-weights'] ? { a: resolve(values['source-weights']) } : {}), ...(values['target-weights'] ? { b: resolve(values['target-weights']) } : {}) }
  const ids = projectDatasets(values.project, [['source', values.source ?? values.a], ['target', values.target ?? values.b]])
  if (values['categories-from'] !== undefined && !ids) throw usageError('--categories-from names a concepts dataset of the project: it goes with gw of dataset ids (--project DIR); for files, --categories labels.txt.')
  if (ids) {
    const fileOnly = [values.categories && '--categories', values.domain && '--domain', values.precision && '--precision'].filter(Boolean)
    if (fileOnly.length) throw usageError(`${fileOnly.join(', ')}: for gw of files. Of the project's datasets, gw runs as the window's job, which takes categories from a concepts dataset (--categories-from ID) and chooses the Sinkhorn domain and precision itself.`)
    if (planOut && !planOut.endsWith('.npy')) throw usageError(`--out ${planOut}: a plan is written as a .npy file; end the name with .npy.`)
    await call(backend, 'project.open', { path: resolve(values.project!) })
    // A fixed ε is a search of one trial at it.
    const job = await runJob(backend, io, {
      kind: 'gw',
      a: ids[0]!,
      b: ids[1]!,
      metric,
      normalise: !values['no-normalise'],
      epsilonRange: range ? [range[0]!, range[1]!] : [positive('eps', eps, 1), positive('eps', eps, 1)],
      ...(range ? search : { ...search, trials: 1, sampler: 'grid' as const }),
      maxIterations,
      ...(values['categories-from'] === undefined ? {} : { categoriesFrom: datasetId(values['categories-from'], 'gw', '--categories-from', 'the concepts whose categories give category matching') }),
      ...(weights.a ? { weightsA: weights.a } : {}),
      ...(weights.b ? { weightsB: weights.b } : {}),
    })
    const result = job.result as { epsilon: number; loss: number; trials: { epsilon: number; loss: number; iterations: number; converged: boolean; logDomain: boolean }[]; run: number }
    const best = result.trials.find((t) => t.epsilon === result.epsilon && t.loss === result.loss) ?? { iterations: 0, converged: false, logDomain: false }
    const plan = planOut ? { plan: (await call(backend, 'runs.exportPlan', { id: result.run, path: resolve(planOut) })).path } : {}
    const r = { ...result, ...plan, iterations: best.iterations, converged: best.converged, logDomain: best.logDomain }
    printResult(io, r, () => `${gwText(r as never)}\n  run ${result.run} of the project`)
    return EXIT_OK
  }
  if (values.project) throw usageError('gw of files does not store a run; drop --project, or give the project\'s dataset ids (project info lists them).')
  const r = await gwFiles({
    a: need('source', values.source ?? values.a),
    b: need('target', values.target ?? values.b),
    epsilon: range
      ? { range: [range[0]!, range[1]!], ...search }
      : positive('eps', eps, 1),
    onTrial: (t, i) => {
      if (!io.json) process.stderr.write(`trial ${i + 1}: ε = ${t.epsilon.toPrecision(4)}  ${Number.isFinite(t.loss) ? `loss ${t.loss.toPrecision(6)}  top-1 ${(100 * t.top1).toFixed(1)}%` : t.pruned ? 'pruned' : 'no valid plan'}\n`)
    },
    distance: metric,
    domain: choice('domain', values.domain, ['auto', 'plain', 'log'] as const, 'auto'),
    maxIterations,
    ...(planOut ? { planOut: resolve(planOut) } : {}),
    ...(values.categories ? { categories: resolve(values.categories) } : {}),
    weights,
    backend: forcedBackend(backend),
    precision: choice('precision', values.precision, ['float32', 'float64'] as const, 'float32'),
    normalise: !values['no-normalise'],
  })
  printResult(io, r, () => gwText(r))
  return EXIT_OK
}

type TopK = { top1: number; top5: number; top10: number }
function gwText(r: { loss: number; epsilon: number; iterations: number; converged: boolean; logDomain: boolean; matching: TopK; categoryMatching: { rate: number } | null; knnMatching: TopK; n: number; seconds: number }): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`
  return `GW loss ${r.loss.toPrecision(6)} at ε = ${r.epsilon} (${r.iterations} iteration${r.iterations === 1 ? '' : 's'}${r.converged ? '' : ', not converged'}${r.logDomain ? ', log domain' : ''}); matching top-1 ${pct(r.matching.top1)}, top-5 ${pct(r.matching.top5)}, top-10 ${pct(r.matching.top10)}${r.categoryMatching ? `, category ${pct(r.categoryMatching.rate)}` : ''}; k-NN after Procrustes top-1 ${pct(r.knnMatching.top1)} over ${r.n} objects; ${r.seconds.toFixed(1)} s`
}

/** The backend the user asked for (--backend, the environment or the window's setting); null: the best one. */
function forcedBackend(backend: Backend): BackendName | null {
  const { setting } = backend.session.backendRequest()
  return setting === 'auto' ? null : setting
}

async function simulateCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { project: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string' }, temperature: { type: 'string' }, embedding: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  })
  if (positionals.join(' ') !== 'triplets') throw usageError('simulate knows one thing: simulate triplets.')
  if (!values.project) throw usageError('simulate triplets needs --project DIR.')
  if (values.embedding !== undefined && values.embedding !== 'spose66') throw usageError(`--embedding ${values.embedding}: the embedding bundled for simulation is spose66.`)
  const count = Number(values.n)
  if (!Number.isInteger(count) || count < 1) throw usageError(`--n ${values.n ?? ''} is not a positive whole number of triplets.`)
  const seed = values.seed === undefined ? 0 : Number(values.seed)
  const temperature = values.temperature === undefined ? undefined : Number(values.temperature)
  await call(backend, 'project.open', { path: resolve(values.project) })
  const job = await runJob(backend, io, { kind: 'simulateTriplets', embedding: 'spose66', count, seed, ...(temperature === undefined ? {} : { temperature }) })
  const r = job.result as { name: string; temperature: number; meanMaxProbability: number }
  printResult(io, r, () => `${r.name}: temperature ${r.temperature.toPrecision(4)}, mean probability of the most likely choice ${r.meanMaxProbability.toFixed(3)}`)
  return EXIT_OK
}

/** `dataset|run ACTION ID …`: the action (one of `actions`), the id, the rest, with the project open. */
async function editedItem<A extends string>(backend: Backend, what: 'dataset' | 'run', actions: readonly A[], args: string[]): Promise<{ action: A; id: number; rest: string[] }> {
  const { values, positionals } = parseArgs({ args, options: { project: { type: 'string' } }, allowPositionals: true, strict: true })
  const [action, idText, ...rest] = positionals
  if (!actions.includes(action as A)) throw usageError(`Unknown ${what} action ${JSON.stringify(action ?? '')}; use ${actions.join(' or ')}.`)
  if (!values.project) throw usageError(`${what} ${action} needs --project DIR.`)
  const id = Number(idText)
  if (!Number.isInteger(id) || id < 1) throw usageError(`${JSON.stringify(idText ?? '')} is not a ${what} id; \`humanalign project info DIR\` lists them.`)
  await call(backend, 'project.open', { path: resolve(values.project) })
  return { action: action as A, id, rest }
}

async function datasetCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { action, id, rest } = await editedItem(backend, 'dataset', ['rename', 'remove'] as const, args)
  if (action === 'rename' && rest.length !== 1) throw usageError('dataset rename takes the id and one new name (quote a name with spaces).')
  if (action === 'remove' && rest.length) throw usageError('dataset remove takes one id.')
  if (action === 'rename') {
    const renamed = await call(backend, 'datasets.rename', { id, name: rest[0]! })
    printResult(io, renamed, () => `Dataset ${id} is now "${renamed.name}".`)
  } else {
    const removed = await call(backend, 'datasets.remove', { id })
    printResult(io, removed, () => `Removed dataset ${id} ("${removed.dataset.name}") from the project. ${freedText(removed.freed)}`.trim())
  }
  return EXIT_OK
}

async function runCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { action, id, rest } = await editedItem(backend, 'run', ['remove', 'transform'] as const, args)
  if (action === 'transform') {
    if (rest.length !== 1) throw usageError('run transform takes a probe run\'s id and the .npz file to write: run transform ID transform.npz --project DIR.')
    const saved = await call(backend, 'runs.exportTransform', { id, path: resolve(rest[0]!) })
    printResult(io, saved, () => `The transform of run ${id} (${saved.p} → ${saved.q} dimensions) written to ${saved.path} (gLocal's layout: weights, bias, mean, std).`)
    return EXIT_OK
  }
  if (rest.length) throw usageError('run remove takes one id.')
  const removed = await call(backend, 'runs.remove', { id })
  printResult(io, removed, () => `Removed run ${id} (${removed.run.kind}: "${removed.run.name}") from the project's results. ${freedText(removed.freed)}`.trim())
  return EXIT_OK
}

/** A job spec from a JSON file, checked against the contract so a mistake names its field. */
function readSpec(file: string): JobSpec {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new AppError('user', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new AppError('user', `${file} is not JSON (${(err as Error).message}). \`humanalign job spec ID --project DIR\` writes a job's spec to start from.`)
  }
  const parsed = JobSpec.safeParse(json)
  if (!parsed.success) throw new AppError('user', `${file} is not a job spec: ${describeIssues(parsed.error)}.`)
  return parsed.data
}

const JOB_ACTIONS = ['run', 'resume', 'spec', 'script', 'discard'] as const

async function jobCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      project: { type: 'string' },
      job: { type: 'string' },
      time: { type: 'string' },
      cpus: { type: 'string' },
      mem: { type: 'string' },
      gpus: { type: 'string' },
      partition: { type: 'string' },
      account: { type: 'string' },
      command: { type: 'string' },
      out: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  })
  const [action, target, ...extra] = positionals
  if (!JOB_ACTIONS.includes(action as (typeof JOB_ACTIONS)[number])) throw usageError(`Unknown job action ${JSON.stringify(action ?? '')}; use ${JOB_ACTIONS.join(', ')}.`)
  const byId = action === 'spec' || action === 'discard' || action === 'resume'
  if (extra.length) throw usageError(`job ${action} takes one ${byId ? 'job id' : 'spec file'}.`)
  if (!values.project) throw usageError(`job ${action} needs --project DIR.`)
  const scriptOnly = ['time', 'cpus', 'mem', 'gpus', 'partition', 'account', 'command', 'out', 'job'] as const
  const misplaced = action === 'script' ? undefined : scriptOnly.find((flag) => values[flag] !== undefined)
  if (misplaced) throw usageError(`--${misplaced} applies to job script only.`)
  const jobId = (text: string | undefined, flag: string): number => {
    const id = Number(text)
    if (!Number.isInteger(id) || id < 1) throw usageError(`${flag}${JSON.stringify(text ?? '')} is not a job id; the Jobs page lists them.`)
    return id
  }
  // Read before the project opens: a bad spec changes nothing.
  if (action === 'script' && (target === undefined) === (values.job === undefined)) throw usageError('job script needs a spec file or --job ID (one of them).')
  if (action === 'run' && target === undefined) throw usageError('job run needs a spec file (JSON).')
  const spec = byId || target === undefined ? undefined : readSpec(resolve(target))
  await call(backend, 'project.open', { path: resolve(values.project) })
  if (action === 'spec') {
    const found = await call(backend, 'jobs.spec', { id: jobId(target, '') })
    process.stdout.write(`${JSON.stringify(found, null, 2)}\n`)
  } else if (action === 'discard') {
    const job = await call(backend, 'jobs.discard', { id: jobId(target, '') })
    printResult(io, job, () => `Discarded job ${job.id} (${job.kind}); its checkpoint is deleted.`)
  } else if (action === 'run' || action === 'resume') {
    const job = await runJob(backend, io, spec ?? { resume: jobId(target, '') })
    const result = (job.result ?? {}) as { run?: number; datasets?: number[] }
    const run = result.run === undefined ? undefined : (await call(backend, 'runs.list', {})).find((r) => r.id === result.run)
    const made = [run ? `run ${run.id}: ${runHeadline(run.kind, run.result)}` : '', result.datasets?.length ? `added ${countOf(result.datasets.length, 'dataset')} (${result.datasets.join(', ')})` : ''].filter(Boolean)
    printResult(io, { job: job.id, kind: job.kind, result: job.result }, () => `${job.id > 0 ? `Job ${job.id} (${job.kind})` : `The ${job.kind} job`} is done${made.length ? `; ${made.join('; ')}` : ''}.`)
  } else {
    const script = await call(backend, 'jobs.script', {
      ...(spec ? { spec } : { job: jobId(values.job, '--job ') }),
      ...(values.time !== undefined ? { time: values.time } : {}),
      ...(values.cpus !== undefined ? { cpus: count('cpus', values.cpus, 0) } : {}),
      ...(values.mem !== undefined ? { memory: values.mem } : {}),
      ...(values.gpus !== undefined ? { gpus: count('gpus', values.gpus, 0) } : {}),
      ...(values.partition !== undefined ? { partition: values.partition } : {}),
      ...(values.account !== undefined ? { account: values.account } : {}),
      ...(values.command !== undefined ? { command: values.command } : {}),
    } as OpInput<'jobs.script'>)
    if (values.out === undefined) process.stdout.write(io.json ? `${JSON.stringify(script)}\n` : script.text)
    else {
      const out = resolve(values.out)
      writeFileSync(out, script.text, { mode: 0o755 })
      printResult(io, { path: out, fileName: script.fileName, command: script.command }, () => `Wrote ${out}; submit it with: sbatch ${out}`)
    }
  }
  return EXIT_OK
}

/** The matrix `--matrix` names: by its name, else by its number from 1 (the job checks the range). */
/**
 * The matrices --matrix names, from 0: a name the file gives one, its number from 1, or several of either separated by
 * commas with ranges of numbers ("9-16", "1,3,5-7").
 */
function matrixIndices(dataset: DatasetInfo, given: string): number[] {
  const names = matrixNames(dataset)
  if (names.includes(given)) return [names.indexOf(given)]
  return given.split(',').flatMap((part) => {
    const token = part.trim()
    if (names.includes(token)) return [names.indexOf(token)]
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(token)
    if (range && Number(range[1]) >= 1 && Number(range[2]) >= Number(range[1])) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, k) => Number(range[1]) - 1 + k)
    const number = Number(token)
    if (token !== '' && Number.isInteger(number) && number >= 1) return [number - 1]
    throw usageError(`"${dataset.name}" has no matrix named ${token}; it holds ${matrixList(dataset)}.`)
  })
}

const matrixList = (dataset: DatasetInfo): string => matrixNames(dataset).map((m, i) => `${i + 1}: ${m}`).join(', ')

/** A dataset id the user gave as FLAG to COMMAND, checked before anything starts. */
function datasetId(value: string | undefined, command: string, flag: string, what: string): number {
  if (value === undefined) throw usageError(`${command} needs ${flag} DATASET_ID, ${what}; \`humanalign project info DIR\` lists the ids.`)
  const id = Number(value)
  if (!Number.isInteger(id) || id < 1) throw usageError(`${flag} ${value} is not a dataset id; \`humanalign project info DIR\` lists them.`)
  return id
}

async function deriveCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { project: { type: 'string' }, from: { type: 'string' }, by: { type: 'string' }, matrix: { type: 'string' }, name: { type: 'string' } }, allowPositionals: true, strict: true })
  const what = positionals.join(' ')
  if (what !== 'triplets' && what !== 'means' && what !== 'matrix') throw usageError('derive knows three things: derive triplets, derive means, derive matrix.')
  if (!values.project) throw usageError(`derive ${what} needs --project DIR.`)
  const name = values.name === undefined ? {} : { name: values.name }
  if (what === 'means') {
    const features = datasetId(values.from, 'derive means', '--from', 'the features to average')
    const categories = datasetId(values.by, 'derive means', '--by', 'the concepts whose categories group them')
    await call(backend, 'project.open', { path: resolve(values.project) })
    const job = await runJob(backend, io, { kind: 'categoryMeans', features, categories, ...name })
    const r = job.result as { name: string; n: number; p: number; rows: number; minRows: number; maxRows: number; uncategorised: number; shared: number; emptyCategories: string[] }
    const left = [r.uncategorised ? `${countOf(r.uncategorised, 'row')} in no category left out` : '', r.emptyCategories.length ? `${countOf(r.emptyCategories.length, 'category', 'categories')} without rows left out` : ''].filter(Boolean)
    const shared = r.shared ? `, ${countOf(r.shared, 'row')} in several counted in each` : ''
    printResult(io, r, () => `${r.name}: ${countOf(r.n, 'category', 'categories')} × ${r.p}, the means of ${countOf(r.rows, 'row')} (${r.minRows}–${r.maxRows} each${shared})${left.length ? `; ${left.join(', ')}` : ''}`)
    return EXIT_OK
  }
  if (what === 'matrix') {
    const dataset = datasetId(values.from, 'derive matrix', '--from', 'the similarity matrices to take one from')
    await call(backend, 'project.open', { path: resolve(values.project) })
    const found = (await call(backend, 'datasets.list', {})).find((d) => d.id === dataset)
    if (values.matrix === undefined) {
      const listed = found?.kind === 'similarity' ? `; "${found.name}" holds ${matrixList(found)}` : ''
      throw usageError(`derive matrix needs --matrix NAME|N[,…]: the name the file gives the matrix or its number from 1, or several (1-8 for the first eight)${listed}.`)
    }
    const chosen = found ? matrixIndices(found, values.matrix) : [0]
    const job = await runJob(backend, io, { kind: 'selectMatrix', dataset, matrix: chosen.length === 1 ? chosen[0]! : chosen, ...name })
    const r = job.result as { name: string; n: number; matrix: string; matrices: number; matrixOf: string }
    printResult(io, r, () => `${r.name}: ${r.matrices === 1 ? `"${r.matrix}"` : r.matrix} of "${r.matrixOf}", ${r.matrices === 1 ? '' : `${r.matrices} × `}${r.n} × ${r.n}`)
    return EXIT_OK
  }
  const dataset = datasetId(values.from, 'derive triplets', '--from', 'the similarity matrices to derive from')
  await call(backend, 'project.open', { path: resolve(values.project) })
  const job = await runJob(backend, io, { kind: 'deriveTriplets', dataset, ...name })
  const r = job.result as { name: string; count: number; objects: number; subjects: number; subjectsCeiling?: number }
  const ceiling = r.subjectsCeiling === undefined ? '' : `; noise ceiling ${r.subjectsCeiling.toFixed(4)} (${ceilingKindText('leave-one-subject-out')})`
  printResult(io, r, () => `${r.name}: ${r.count.toLocaleString('en')} triplets of ${r.objects} objects, ${r.subjects} ${r.subjects === 1 ? 'matrix' : 'matrices'} voting${ceiling}`)
  return EXIT_OK
}

function targetOf(value: string | undefined): TargetRequest {
  if (value === undefined || value === 'predicted') return { kind: 'predicted' }
  const cls = /^class:(\d+)$/.exec(value)
  if (cls) return { kind: 'class', index: Number(cls[1]) }
  const similar = /^similar:(.+?)(?:@(.+))?$/.exec(value)
  if (similar) return { kind: 'similar', image: resolve(similar[1]!), ...(similar[2] ? { layer: similar[2] } : {}) }
  throw usageError(`--target ${value}: use predicted, class:N, or similar:IMAGE[@LAYER].`)
}

async function attentionCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const [action, ...rest] = args
  if (action === 'maps') {
    const { values } = parseArgs({
      args: rest,
      options: { model: { type: 'string' }, images: { type: 'string' }, method: { type: 'string' }, target: { type: 'string' }, layer: { type: 'string' }, samples: { type: 'string' }, sigma: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' } },
      strict: true,
    })
    const r = await attentionMaps({
      model: values.model ?? 'mobilenet_v2',
      images: need('images', values.images),
      method: choice('method', values.method, SALIENCY_METHODS, 'smoothgrad'),
      target: targetOf(values.target),
      layer: values.layer,
      samples: countFrom(1, 'samples', values.samples, 30),
      sigma: positive('sigma', values.sigma, 0.1),
      seed: count('seed', values.seed, 0),
      out: resolve(need('out', values.out)),
      backend: forcedBackend(backend),
      ...(values.threads === undefined ? {} : { threads: countFrom(1, 'threads', values.threads, 1) }),
      onProgress: io.json ? undefined : (done, total) => process.stderr.write(`\r${done} of ${total} images`),
    })
    if (!io.json) process.stderr.write('\n')
    // The maps themselves are in the file, not in the printed result.
    printResult(io, { ...r, maps: undefined, names: undefined }, () =>
      [
        `${r.method}${r.layer ? ` at ${r.layer}` : ''} maps of ${r.images} images through ${r.model} in ${r.seconds.toFixed(1)} s (${r.imagesPerSecond.toFixed(2)} images/s, ${r.backend}${r.threads > 1 ? ` on ${r.threads} threads` : ''}${r.note ? `: ${r.note}` : ''})`,
        `  maps ${r.images} × ${r.size.join(' × ')} → ${r.files!.maps}; overlays in ${join(dirname(r.files!.maps), 'overlays')}`,
      ].join('\n'),
    )
    return EXIT_OK
  }
  if (action === 'compare') {
    const { values } = parseArgs({ args: rest, options: { maps: { type: 'string' }, human: { type: 'string' }, key: { type: 'string' } }, strict: true })
    const r = await compareFiles({ maps: resolve(need('maps', values.maps)), human: resolve(need('human', values.human)), key: values.key })
    const f = (v: number | null) => (v === null ? '—' : v.toFixed(4))
    const p = (v: number | null) => (v === null ? '—' : pValueText(v))
    const tests = r.aboveBaseline
    printResult(io, r, () =>
      [
        `${r.images} images: model maps against human maps, and against the other images' human maps (baseline)`,
        `  spearman ${f(r.mean.spearman)} (baseline ${f(r.baseline.spearman)})  pearson ${f(r.mean.pearson)} (${f(r.baseline.pearson)})  AUC ${f(r.mean.auc)} (${f(r.baseline.auc)})  NSS ${f(r.mean.nss)} (${f(r.baseline.nss)})`,
        `  above the baseline, signed-rank p over images (one-sided): spearman ${p(tests.spearman)}  pearson ${p(tests.pearson)}  AUC ${p(tests.auc)}  NSS ${p(tests.nss)}`,
      ].join('\n'),
    )
    return EXIT_OK
  }
  if (action === 'mask') {
    const { values } = parseArgs({
      args: rest,
      options: { model: { type: 'string' }, images: { type: 'string' }, maps: { type: 'string' }, keep: { type: 'string' }, fill: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    })
    const { array } = await readArray(resolve(need('maps', values.maps)))
    if (array.shape.length !== 3) throw usageError(`--maps ${values.maps} is [${array.shape.join(' × ')}]; give the N × H × W maps.npy that attention maps wrote.`)
    const keep = values.keep === undefined ? 0.5 : Number(values.keep)
    if (!(keep > 0 && keep < 1)) throw usageError(`--keep ${values.keep} is not a fraction between 0 and 1 (both ends excluded: the masks would keep nothing or everything).`)
    const r = await maskImages({
      model: values.model ?? 'mobilenet_v2',
      images: need('images', values.images),
      maps: Float32Array.from(array.data as ArrayLike<number>),
      mapShape: array.shape as [number, number, number],
      keep,
      fill: choice('fill', values.fill, MASK_FILLS, 'black'),
      seed: count('seed', values.seed, 0),
      out: values.out === undefined ? null : resolve(values.out),
      backend: forcedBackend(backend),
    })
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`
    printResult(io, r, () =>
      [
        `${r.images} images, the top ${pct(r.keep)} of pixels kept, the rest ${r.fill}:`,
        `  by the saliency maps: same class as the whole image ${pct(r.salient.agreement)}, embedding similarity ${r.salient.similarity.toFixed(4)}`,
        `  by random maps:       same class as the whole image ${pct(r.random.agreement)}, embedding similarity ${r.random.similarity.toFixed(4)}`,
        ...(r.out ? [`  masked images in ${r.out}/salient and ${r.out}/random`] : []),
      ].join('\n'),
    )
    return EXIT_OK
  }
  throw usageError(`attention ${action ?? ''}: use attention maps, attention compare or attention mask.`)
}

async function reportCommand(backend: Backend, io: CliIo, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { project: { type: 'string' }, out: { type: 'string' } }, strict: true })
  if (values.project === undefined) throw usageError('report needs --project DIR.')
  if (values.out === undefined) throw usageError('report needs --out report.html.')
  const out = resolve(values.out)
  await call(backend, 'project.open', { path: resolve(values.project) })
  const { html } = await call(backend, 'project.report', {})
  try {
    writeFileSync(out, html)
  } catch (err) {
    throw new AppError('user', `Could not write ${out}: ${(err as Error).message}. Choose a folder you can write to.`)
  }
  const info = await call(backend, 'project.current', {})
  printResult(io, { path: out, bytes: Buffer.byteLength(html), runs: info?.counts.runs ?? 0 }, () => `Wrote the report of "${info?.name}" (${info?.counts.runs ?? 0} runs) to ${out}`)
  return EXIT_OK
}

async function benchCommand(backend: Backend, io: CliIo, args: string[], paths: CliPaths): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { case: { type: 'string', multiple: true }, quick: { type: 'boolean', default: false }, size: { type: 'string' }, save: { type: 'boolean', default: false }, repeats: { type: 'string' } },
    strict: true,
  })
  const cases = values.case ?? (Object.keys(BENCH_CASES) as CaseName[])
  const unknown = cases.filter((c) => !isCaseName(c))
  if (unknown.length) throw usageError(`Unknown bench case ${unknown.join(', ')}; the cases are ${Object.keys(BENCH_CASES).join(', ')}.`)
  const repeats = values.repeats === undefined ? (values.quick ? 3 : 5) : Number(values.repeats)
  if (!Number.isInteger(repeats) || repeats < 1) throw usageError(`--repeats ${values.repeats} is not a positive whole number.`)
  const size = values.size === undefined ? undefined : Number(values.size)
  if (size !== undefined && (!Number.isInteger(size) || size < 1)) throw usageError(`--size ${values.size} is not a positive whole number.`)
  if (size !== undefined && values.quick) throw usageError('--size and --quick both choose the sizes; give one of them.')
  const report = await runBench({
    cases: cases as CaseName[],
    quick: values.quick,
    size,
    repeats,
    backend: forcedBackend(backend),
    caseEntry: join(paths.workerDir, 'benchCase.js'),
    referenceScript: join(paths.appRoot, 'bench', 'reference', 'cases.py'),
    onProgress: io.json ? undefined : (line) => process.stderr.write(`${line}\n`),
  })
  let saved: string | null = null
  if (values.save) {
    const dir = join(paths.appRoot, 'bench', 'results')
    mkdirSync(dir, { recursive: true })
    const backendName = report.cases[0]?.ours.backend ?? 'none'
    saved = join(dir, `${report.date.slice(0, 10)}-${report.machine.host}-${backendName}.json`)
    writeFileSync(saved, `${JSON.stringify(report, null, 2)}\n`)
  }
  printResult(io, { ...report, saved }, () => formatBench(report) + (saved ? `\nSaved ${saved}` : ''))
  return report.cases.every((c) => c.agree !== false) ? EXIT_OK : EXIT_INTERNAL
}

export async function runCli(argv: string[], paths: CliPaths): Promise<number> {
  let parsed: ReturnType<typeof globalOptions>
  try {
    parsed = globalOptions(argv)
  } catch (err) {
    return reportError({ json: false, debug: argv.includes('--debug') }, err)
  }
  const { io, backend: backendFlag } = parsed
  const [command, ...rest] = parsed.rest
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return command === undefined ? EXIT_USER : EXIT_OK
  }
  if (command === '--version' || command === '-v') {
    printResult(io, { version: paths.version }, () => paths.version)
    return EXIT_OK
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h')
  const backend = createBackend({
    app: { name: 'HumanAlign', version: paths.version, node: process.versions.node, electron: null, platform: process.platform, transport: command === 'serve' ? 'browser' : 'cli' },
    workerDir: paths.workerDir,
    examplesDir: join(paths.appRoot, 'resources', 'examples'),
    backendFlag,
  })
  // Stopped by Ctrl-C or a scheduler's time limit: close the project as the window would, so its running job stays
  // resumable and its lock is released (a lock left by another host cannot be recognised as stale).
  const stopped = (signal: NodeJS.Signals): void => {
    void (async () => {
      const project = backend.session.current()?.path
      const running = backend.session.listJobs().filter((j) => j.state === 'running' && j.id > 0)
      await backend.close()
      const resume = running.length && project ? `; resume with: humanalign job resume ${running[0]!.id} --project ${project}` : ''
      process.stderr.write(`${io.json ? '' : '\r\x1b[K'}humanalign: stopped by ${signal}${resume}\n`)
      process.exit(signal === 'SIGINT' ? 130 : 143)
    })()
  }
  if (command !== 'serve') {
    process.once('SIGINT', stopped)
    process.once('SIGTERM', stopped)
  }
  try {
    switch (command) {
      case 'project':
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await projectCommand(backend, io, rest)
      case 'bench': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await benchCommand(backend, io, rest, paths)
      }
      case 'import': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await importCommand(backend, io, rest)
      }
      case 'eval': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await evalCommand(backend, io, rest)
      }
      case 'models': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await modelsCommand(io, rest)
      }
      case 'extract': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await extractCommand(backend, io, rest)
      }
      case 'alignet': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await alignetCommand(backend, io, rest)
      }
      case 'gw': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await gwCommand(backend, io, rest)
      }
      case 'probe': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await probeCommand(backend, io, rest)
      }
      case 'attention': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await attentionCommand(backend, io, rest)
      }
      case 'report': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await reportCommand(backend, io, rest)
      }
      case 'simulate': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await simulateCommand(backend, io, rest)
      }
      case 'dataset': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await datasetCommand(backend, io, rest)
      }
      case 'run': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await runCommand(backend, io, rest)
      }
      case 'job': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await jobCommand(backend, io, rest)
      }
      case 'derive': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await deriveCommand(backend, io, rest)
      }
      case 'inspect': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        const { values, positionals } = parseArgs({ args: rest, options: HEADER_OPTIONS, allowPositionals: true, strict: true })
        if (positionals.length !== 1) throw usageError('inspect needs exactly one file.')
        const summary = await call(backend, 'files.inspect', { path: resolve(positionals[0]!), ...headerOption(values) })
        printResult(io, summary, () => formatInspect(summary))
        return EXIT_OK
      }
      case 'doctor': {
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        if (rest.length) throw usageError(`doctor takes no arguments (got ${rest.join(' ')}).`)
        const report = await call(backend, 'system.doctor', {})
        printResult(io, report, () => formatDoctor(report))
        return EXIT_OK
      }
      case 'serve': {
        if (wantsHelp) return (process.stdout.write(`${SERVE_USAGE}\n`), EXIT_OK)
        const server = await serve(backend, paths.staticDir, parseServeArgs(rest))
        printResult(io, { url: server.url, port: server.port, token: server.token }, () => `HumanAlign is running at ${server.url}`)
        return await new Promise<number>(() => {}) // serves until SIGINT/SIGTERM
      }
      default:
        throw usageError(`Unknown command ${JSON.stringify(command)}.`)
    }
  } catch (err) {
    return reportError(io, err)
  } finally {
    if (command !== 'serve') {
      process.off('SIGINT', stopped)
      process.off('SIGTERM', stopped)
      await backend.close()
    }
  }
}
