// The one contract: every request, response and push event of HumanAlign, with the schemas that check them at
// the boundary. Electron IPC, the WebSocket server and the CLI are transports over these definitions; the
// renderer imports this file for its types and nothing else of the main side.
import { z } from 'zod'
import { AUGMENTATIONS, DISTILL_DEFAULTS } from '../core/alignet/distillDefaults'
import { MASK_FILLS } from '../core/attention/maskFill'
import { BACKENDS } from '../core/compute/backendNames'

export const Caller = z.enum(['renderer', 'browser', 'cli', 'job'])
export type Caller = z.infer<typeof Caller>

/** Tables: the first row names the columns (true) or is data (false); unset, it is detected. */
const TableHeader = z.boolean().optional()

const AbsolutePath = z
  .string()
  .min(1, 'a folder path is required')
  .max(4096, 'the path is longer than 4096 characters')
  .refine((p) => !p.includes('\0'), 'the path contains a NUL character')
  // POSIX /…, Windows C:\… or \\server\share; no node:path here, the renderer imports this file.
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'give the full path of the folder, starting at the root (such as /home/you/HumanAlign/study)')

const ProjectName = z
  .string()
  .trim()
  .min(1, 'a project name is required')
  .max(120, 'a project name has at most 120 characters')

const DatasetName = z.string().trim().min(1, 'a dataset name is required').max(200, 'a dataset name has at most 200 characters')

export const TableCounts = z.object({
  datasets: z.number().int().nonnegative(),
  models: z.number().int().nonnegative(),
  featureSets: z.number().int().nonnegative(),
  runs: z.number().int().nonnegative(),
  artifacts: z.number().int().nonnegative(),
  jobs: z.number().int().nonnegative(),
})
export type TableCounts = z.infer<typeof TableCounts>

export const ProjectInfo = z.object({
  path: z.string(),
  name: z.string(),
  createdAt: z.string(),
  schemaVersion: z.number().int(),
  appVersion: z.string(),
  counts: TableCounts,
  artifactBytes: z.number().nonnegative(),
  /** Set when opening migrated an older project: where the untouched copy was kept. */
  backupPath: z.string().nullable(),
})
export type ProjectInfo = z.infer<typeof ProjectInfo>

export const RecentProject = z.object({
  path: z.string(),
  name: z.string(),
  openedAt: z.string(),
  exists: z.boolean(),
})
export type RecentProject = z.infer<typeof RecentProject>

export const BackendName = z.enum(BACKENDS)
export type BackendName = z.infer<typeof BackendName>
export const BackendSetting = z.union([z.literal('auto'), BackendName])
export type BackendSetting = z.infer<typeof BackendSetting>

export const JobState = z.enum(['queued', 'running', 'cancelled', 'failed', 'done'])
export type JobState = z.infer<typeof JobState>

export const JobKind = z.enum(['verifyArtifacts', 'similarity', 'import', 'simulateTriplets', 'evaluate', 'probe', 'applyTransform', 'extract', 'alignetClusters', 'alignetTriplets', 'alignetDistill', 'alignetEvaluate', 'gw', 'map', 'compare', 'deriveTriplets', 'categoryMeans', 'selectMatrix', 'attention', 'attentionMask'])
export const DatasetKind = z.enum(['features', 'triplets', 'similarity', 'concepts', 'images'])
export const ExampleName = z.enum(['things', 'rsa92', 'langlois25'])
export type ExampleName = z.infer<typeof ExampleName>
export type DatasetKind = z.infer<typeof DatasetKind>
export type JobKind = z.infer<typeof JobKind>

export const JobProgress = z.object({
  fraction: z.number().min(0).max(1),
  stage: z.string(),
  etaSeconds: z.number().nonnegative().nullable(),
})
export type JobProgress = z.infer<typeof JobProgress>

export const JobInfo = z.object({
  id: z.number().int(),
  kind: JobKind,
  state: JobState,
  /** The compute backend its worker chose; null for jobs that compute nothing, or before it started. */
  backend: BackendName.nullable(),
  /** When it last saved a checkpoint it can resume from. */
  checkpointAt: z.string().nullable(),
  resumable: z.boolean(),
  progress: JobProgress,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  result: z.unknown().nullable(),
})
export type JobInfo = z.infer<typeof JobInfo>

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected the SHA-256 of an artifact (64 hex characters)')

/** An affine probe (DESIGN §4): objective, grid over λ (and α), cross-validation over objects, training. */
export const ProbeSpec = z
  .object({
    kind: z.literal('probe'),
    features: z.number().int().positive(),
    triplets: z.number().int().positive(),
    objective: z.enum(['hard', 'soft', 'glocal']).default('hard'),
    lambdas: z.array(z.number().nonnegative().finite()).min(1).max(12).default([0.1]),
    alphas: z.array(z.number().min(0).max(1)).min(1).max(12).default([0.1]),
    folds: z.number().int().min(2).max(10).default(3),
    /** Output dimension; the feature count by default. */
    rank: z.number().int().positive().optional(),
    regularizer: z.enum(['identity', 'frobenius']).default('identity'),
    temperature: z.number().positive().default(1),
    learningRate: z.number().positive().max(1).default(1e-3),
    maxEpochs: z.number().int().positive().max(10_000).default(100),
    patience: z.number().int().positive().default(15),
    batchSize: z.number().int().positive().max(50_000_000).default(256),
    validationFraction: z.number().min(0.01).max(0.5).default(0.1),
    seed: z.number().int().nonnegative().default(42),
  })
  .strict()
export type ProbeSpec = z.infer<typeof ProbeSpec>

export const JobSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('verifyArtifacts') }).strict(),
  z
    .object({
      kind: z.literal('similarity'),
      /** An n×p float32 feature matrix stored in the project. */
      features: Sha256,
      metric: z.enum(['dot', 'cosine']).default('cosine'),
      /** Rows per block; by default about 64 MiB of output per block. */
      blockRows: z.number().int().positive().optional(),
      /** Seconds between checkpoints; 0 checkpoints after every block. */
      checkpointSeconds: z.number().nonnegative().default(2),
    })
    .strict(),
  z
    .object({
      kind: z.literal('import'),
      dataset: DatasetKind,
      path: AbsolutePath,
      /** Which array in a file that holds several: an .npz name, a MATLAB variable or struct.field, an HDF5 path. */
      key: z.string().min(1).max(500).optional(),
      name: ProjectName.optional(),
      /**
       * Features, similarity matrices and concepts: a file with one object id per line, a NumPy text array, or a
       * table's names column (items1854names.tsv); thingsvision's file_names.txt beside features is found by itself,
       * as are names saved in the file. Concepts take these names instead of their table's.
       */
      ids: AbsolutePath.optional(),
      /** Triplets: how many objects the indices refer to. */
      objects: z.number().int().positive().optional(),
      /**
       * The project dataset that lists the objects (features, images, concepts): triplets index it or name its ids,
       * features must match it.
       */
      objectsFrom: z.number().int().positive().optional(),
      /** Triplets: the file counts objects from 1 (true) or from 0 (false); unset refuses files that look 1-based. */
      oneBased: z.boolean().optional(),
      /**
       * Text tables: which columns to use, by header name. Features: the feature columns (default: every numeric
       * column but a pandas index). Triplets: exactly three, in the order object, object, odd-one-out.
       */
      columns: z.array(z.string().min(1)).min(1).optional(),
      header: TableHeader,
      /** Text tables: the column of object ids; "" for none (default: the text column, if there is one). */
      idColumn: z.string().optional(),
      /**
       * Features: rows that share an id (repeated measurements of one object: runs, trials, several images of a
       * concept named alike) are averaged to one row per object, in the order each first appears.
       */
      averageRepeats: z.boolean().optional(),
      /**
       * Triplet tables: the column of the person's choice, the odd one out (the chosen object as the triplet columns
       * write it, or its position among the three, 1–3 or 0–2); the triplet columns are then the objects as shown.
       */
      choiceColumn: z.string().min(1).optional(),
      /** Triplet tables: per-triplet columns kept beside the triplets. */
      subjectColumn: z.string().min(1).optional(),
      rtColumn: z.string().min(1).optional(),
      conditionColumn: z.string().min(1).optional(),
      /** Triplets: an N×3 file of choice probabilities in pair order [p(01), p(02), p(12)]. */
      softLabels: AbsolutePath.optional(),
      /** Similarity matrices: what the numbers mean. */
      measure: z.enum(['similarity', 'dissimilarity']).default('dissimilarity'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('simulateTriplets'),
      /** The bundled 66-d SPoSE embedding of the 1,854 THINGS objects. */
      embedding: z.literal('spose66').default('spose66'),
      count: z.number().int().positive().max(50_000_000),
      seed: z.number().int().nonnegative().default(0),
      /** Softmax temperature; by default calibrated to the THINGS noise ceiling. */
      temperature: z.number().positive().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('evaluate'),
      /**
       * odd-one-out: a = features, b = triplets. rsa: a and b = features or similarity datasets. ceiling: a =
       * similarity matrices of several subjects (no b). cka: a and b = features.
       */
      metric: z.enum(['odd-one-out', 'rsa', 'ceiling', 'cka']),
      a: z.number().int().positive(),
      b: z.number().int().positive().optional(),
      /** odd-one-out: a concepts dataset of the same objects, for accuracy per category. */
      categoriesFrom: z.number().int().positive().optional(),
      similarity: z.enum(['dot', 'cosine', 'euclidean']).default('dot'),
      /** odd-one-out: τ of the model's choice probabilities (its entropies), or 'fit': the τ most likely under the human choices. */
      temperature: z.union([z.number().positive(), z.literal('fit')]).default(1),
      rdm: z.enum(['correlation', 'cosine', 'euclidean']).default('correlation'),
      method: z.enum(['spearman', 'pearson', 'kendall']).default('spearman'),
      bootstrap: z.number().int().nonnegative().max(100_000).default(0),
      permutations: z.number().int().nonnegative().max(100_000).default(0),
      seed: z.number().int().nonnegative().default(0),
      /** cka: the unbiased HSIC estimator (Song et al. 2012) instead of the biased one. */
      unbiased: z.boolean().default(false),
    })
    .strict(),
  ProbeSpec,
  z
    .object({
      kind: z.literal('extract'),
      /** An image set of the project. */
      images: z.number().int().positive(),
      /** A built-in model id, or the folder of a model added to the project. */
      model: z.string().min(1).max(1000),
      layers: z.array(z.string().min(1).max(200)).min(1).max(16),
      pooling: z.enum(['average', 'flatten', 'cls', 'mean']).optional(),
      /** Images per forward pass; sized to the device's memory when absent. */
      batchSize: z.number().int().min(1).max(1024).optional(),
      /** An unreadable image stops the job, or is left out of the feature sets and reported. */
      onBadImage: z.enum(['abort', 'skip']).default('abort'),
      /** The rows done are checkpointed at most this often. */
      checkpointSeconds: z.number().nonnegative().max(3600).default(5),
    })
    .strict(),
  z
    .object({
      kind: z.literal('alignetClusters'),
      /** The teacher's features (a feature set of the project). */
      features: z.number().int().positive(),
      /** A probe run whose transform is applied to the features first. */
      transformRun: z.number().int().positive().optional(),
      /** The k of the sweep; the clustering kept is the elbow's (or the one k given). */
      ks: z.array(z.number().int().min(2).max(100_000)).min(1).max(30).default([5, 10, 20, 50]),
      restarts: z.number().int().min(1).max(20).default(3),
      /** Points per mini-batch (mini-batch k-means); full Lloyd iterations when absent. */
      miniBatch: z.number().int().positive().max(10_000_000).optional(),
      seed: z.number().int().nonnegative().default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('alignetTriplets'),
      /** An alignetClusters run: its clustering, teacher features and transform. */
      clustersRun: z.number().int().positive(),
      mode: z.enum(['between', 'within', 'border']).default('between'),
      count: z.number().int().positive().max(50_000_000),
      seed: z.number().int().nonnegative().default(0),
      name: z.string().min(1).max(200).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('alignetDistill'),
      /** Teacher-labelled triplets of the project (an alignetTriplets dataset, or an imported AligNet file). */
      triplets: z.number().int().positive(),
      /** The image set whose images the triplets' objects are (matched by id). */
      images: z.number().int().positive(),
      /** The student's backbone: a built-in id or a user layers model's folder. */
      model: z.string().min(1).max(1000).default('mobilenet_v2'),
      /** The layer the backbone is cut at; the model's default (its pre-logits) when absent. */
      layer: z.string().min(1).max(200).optional(),
      divergence: z.enum(['kl', 'js']).default(DISTILL_DEFAULTS.divergence),
      teacherTemperature: z.number().positive().default(DISTILL_DEFAULTS.teacherTemperature),
      studentTemperature: z.number().positive().default(DISTILL_DEFAULTS.studentTemperature),
      lambda: z.number().nonnegative().default(DISTILL_DEFAULTS.lambda),
      peakLearningRate: z.number().positive().max(1).default(DISTILL_DEFAULTS.peakLearningRate),
      warmupSteps: z.number().int().nonnegative().default(DISTILL_DEFAULTS.warmupSteps),
      steps: z.number().int().positive().max(10_000_000).default(DISTILL_DEFAULTS.steps),
      batchSize: z.number().int().positive().max(4096).default(DISTILL_DEFAULTS.batchSize),
      /** Units of the Dense triplet head; null for none. */
      headUnits: z.number().int().positive().max(65_536).nullable().default(DISTILL_DEFAULTS.headUnits),
      augment: z.enum(AUGMENTATIONS).default(DISTILL_DEFAULTS.augment),
      seed: z.number().int().nonnegative().default(DISTILL_DEFAULTS.seed),
      name: z.string().min(1).max(200).optional(),
      /** The student's weights and Adam's state are checkpointed at most this often. */
      checkpointSeconds: z.number().nonnegative().max(3600).default(30),
    })
    .strict(),
  z
    .object({
      kind: z.literal('alignetEvaluate'),
      /** Features of the same objects from the base model and from the aligned student. */
      base: z.number().int().positive(),
      aligned: z.number().int().positive(),
      /** Human data of those objects, any of: triplets, similarity matrices (one or per subject), categories. */
      triplets: z.number().int().positive().optional(),
      rdms: z.number().int().positive().optional(),
      labelsFrom: z.number().int().positive().optional(),
      bootstrap: z.number().int().min(0).max(100_000).default(1000),
      seed: z.number().int().nonnegative().default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('gw'),
      /** Two representations of the same objects: feature sets or similarity matrices of the project. */
      a: z.number().int().positive(),
      b: z.number().int().positive(),
      /** How features become dissimilarities (matrices are used as they are). */
      metric: z.enum(['cosine', 'euclidean', 'correlation']).default('cosine'),
      /** Each matrix divided by its largest entry, so that one ε range suits any pair. */
      normalise: z.boolean().default(true),
      epsilonRange: z.tuple([z.number().positive(), z.number().positive()]).default([0.001, 0.1]),
      trials: z.number().int().min(1).max(500).default(20),
      sampler: z.enum(['tpe', 'grid', 'random']).default('tpe'),
      /** Solves per trial: the product plan, then random initial plans; the lowest loss is kept. */
      initPlans: z.number().int().min(1).max(50).default(3),
      prune: z.boolean().default(true),
      maxIterations: z.number().int().min(1).max(100_000).default(1000),
      seed: z.number().int().nonnegative().default(0),
      /** A concepts dataset whose categories give category-level matching. */
      categoriesFrom: z.number().int().positive().optional(),
      /** Files of one positive weight per object of A and of B (any scale): the marginals; uniform without. */
      weightsA: AbsolutePath.optional(),
      weightsB: AbsolutePath.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('map'),
      /** A feature set or similarity matrices of the project. */
      dataset: z.number().int().positive(),
      method: z.enum(['pca', 'mds', 'tsne', 'umap']).default('pca'),
      perplexity: z.number().positive().max(1000).default(30),
      iterations: z.number().int().min(50).max(10_000).default(1000),
      neighbours: z.number().int().min(2).max(200).default(15),
      minDistance: z.number().min(0).max(10).default(0.1),
      seed: z.number().int().nonnegative().default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('compare'),
      /** Feature sets (and similarity matrices) of the same objects; every pair is compared. */
      datasets: z.array(z.number().int().positive()).min(2).max(40),
      rdm: z.enum(['correlation', 'cosine', 'euclidean']).default('correlation'),
      method: z.enum(['spearman', 'pearson', 'kendall']).default('spearman'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('deriveTriplets'),
      /** Similarity matrices (one per subject): every triplet of their objects, the subjects' votes as soft labels. */
      dataset: z.number().int().positive(),
      name: z.string().min(1).max(200).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('categoryMeans'),
      /** Features of images (or of any objects) averaged per category: one row per category. */
      features: z.number().int().positive(),
      /** Concepts whose categories group the objects, each object in one (an image folder's subfolders). */
      categories: z.number().int().positive(),
      name: z.string().min(1).max(200).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('selectMatrix'),
      /** Similarity matrices of several subjects or sources (monkey and human IT): some of them as a dataset of their own. */
      dataset: z.number().int().positive(),
      /** Which matrix, from 0; or which matrices, in this order (half of the subjects, to hold the others out). */
      matrix: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative()).min(1).max(100_000)]),
      name: z.string().min(1).max(200).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('attention'),
      /** The image set whose images are explained. */
      images: z.number().int().positive(),
      model: z.string().min(1).max(1000).default('mobilenet_v2'),
      method: z.enum(['gradient', 'gradientInput', 'smoothgrad', 'guided', 'gradcam']).default('smoothgrad'),
      /** The class whose logit is explained; each image's predicted class when absent. */
      targetClass: z.number().int().nonnegative().optional(),
      /** Or an image file: explain the cosine similarity of each image's embedding to this image's. */
      targetImage: AbsolutePath.optional(),
      /** The layer of that embedding; the model's feature layer when absent. */
      targetLayer: z.string().min(1).max(200).optional(),
      /** Grad-CAM's layer; the last convolutional layer when absent. */
      layer: z.string().min(1).max(200).optional(),
      samples: z.number().int().min(1).max(1000).default(30),
      sigma: z.number().positive().max(10).default(0.1),
      seed: z.number().int().nonnegative().default(0),
      /** An image set of human maps (grayscale), one per image in the same order, to score the maps against. */
      humanMaps: z.number().int().positive().optional(),
      /** Or a file of human maps: .npy, .npz, .mat or HDF5, N × H × W (or MATLAB's H × W × N), any resolution. */
      humanMapsFile: AbsolutePath.optional(),
      /** Which array of that file: an .npz name, a MATLAB variable, an HDF5 path. */
      humanMapsKey: z.string().min(1).max(500).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('attentionMask'),
      /** The attention run whose maps mask its images. */
      run: z.number().int().positive(),
      /** The fraction of pixels kept: those with the highest saliency (0.5 = the median split). */
      keep: z.number().gt(0).lt(1).default(0.5),
      fill: z.enum(MASK_FILLS).default('black'),
      /** Seeds the random control maps. */
      seed: z.number().int().nonnegative().default(0),
      /** Store the masked images (and the random controls) as two image sets of the project. */
      save: z.boolean().default(true),
    })
    .strict(),
  z
    .object({
      kind: z.literal('applyTransform'),
      /** The probe run whose transform is applied. */
      run: z.number().int().positive(),
      /** A feature set with the features the transform was trained on. */
      features: z.number().int().positive(),
      name: z.string().min(1).max(200).optional(),
    })
    .strict(),
])
export type JobSpec = z.infer<typeof JobSpec>

export const MetricSeries = z.object({
  name: z.string(),
  points: z.array(z.tuple([z.number().int(), z.number()])),
})
export type MetricSeries = z.infer<typeof MetricSeries>

export const BackendSource = z.enum(['flag', 'environment', 'settings', 'default'])
export type BackendSource = z.infer<typeof BackendSource>

export const DoctorReport = z.object({
  app: z.object({ version: z.string(), node: z.string(), electron: z.string().nullable(), platform: z.string(), arch: z.string() }),
  machine: z.object({
    cpus: z.number().int(),
    cpuModel: z.string(),
    totalMemoryBytes: z.number(),
    freeMemoryBytes: z.number(),
  }),
  paths: z.object({ projectsDir: z.string(), configDir: z.string(), openProject: z.string().nullable() }),
  compute: z.object({
    requested: BackendSetting,
    requestedFrom: BackendSource,
    chosen: BackendName.nullable(),
    backends: z.array(
      z.object({ name: BackendName, ok: z.boolean(), reason: z.string().nullable(), detail: z.string().nullable(), milliseconds: z.number() }),
    ),
    adapter: z
      .object({
        vendor: z.string(),
        architecture: z.string(),
        device: z.string(),
        description: z.string(),
        limits: z.record(z.string(), z.number()),
      })
      .nullable(),
    vulkanDriverFile: z.string().nullable(),
  }),
})
export type DoctorReport = z.infer<typeof DoctorReport>

export const Settings = z.object({ backend: BackendSetting }).strict()
export type Settings = z.infer<typeof Settings>

export const DatasetInfo = z.object({
  id: z.number().int(),
  kind: DatasetKind,
  name: z.string(),
  sourcePath: z.string().nullable(),
  artifact: z.string().nullable(),
  shape: z.array(z.number().int()),
  meta: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
})
export type DatasetInfo = z.infer<typeof DatasetInfo>

const Shape = z.array(z.number().int())
export const FileItem = z.discriminatedUnion('kind', [
  z.object({
    key: z.string(),
    kind: z.literal('array'),
    dtype: z.string(),
    shape: Shape,
    matlabClass: z.string().optional(),
    /** The first rows and columns, as text. */
    preview: z.array(z.array(z.string())).optional(),
  }),
  z.object({ key: z.string(), kind: z.literal('text'), shape: Shape, text: z.string() }),
  z.object({ key: z.string(), kind: z.literal('struct'), shape: Shape, fields: z.array(z.string()) }),
  z.object({
    key: z.string(),
    kind: z.enum(['cell', 'group', 'unsupported']),
    shape: Shape.nullable(),
    matlabClass: z.string().optional(),
    /** A NumPy dtype this reader does not hold (complex, objects). */
    dtype: z.string().optional(),
    /** The class of a pickled Python object that is not read ("pandas.core.frame.DataFrame"). */
    pythonClass: z.string().optional(),
  }),
  /** A folder of images: how many, the first few, and the subfolders that will be their categories (two or more). */
  z.object({ key: z.string(), kind: z.literal('images'), count: z.number().int(), files: z.array(z.string()), folders: z.number().int().optional() }),
  z.object({
    key: z.string(),
    kind: z.literal('table'),
    rows: z.number().int(),
    header: z.boolean(),
    /** Between the fields of a text table; null for a spreadsheet's sheet (the key names it). */
    delimiter: z.string().nullable(),
    columns: z.array(z.object({ name: z.string(), kind: z.string() })),
    preview: z.array(z.array(z.string())),
  }),
])
export const FileSummary = z.object({ path: z.string(), format: z.string(), bytes: z.number(), items: z.array(FileItem) })
export type FileSummary = z.infer<typeof FileSummary>

export const FolderListing = z.object({
  path: z.string(),
  /** Null at the root. */
  parent: z.string().nullable(),
  /** Subfolders first; `readable`: a folder, or a file whose name says HumanAlign reads it. */
  entries: z.array(
    z.object({ name: z.string(), path: z.string(), kind: z.enum(['folder', 'file']), bytes: z.number().nullable(), readable: z.boolean() }),
  ),
  /** Entries in the folder; more than listed when it holds more than the listing's limit. */
  total: z.number().int(),
})
export type FolderListing = z.infer<typeof FolderListing>

/**
 * What removing a dataset or run gave back: the files of arrays and images that nothing else in the project uses.
 * Null while jobs run; the space is freed when the last one ends.
 */
export const StorageFreed = z.object({ files: z.number().int().nonnegative(), bytes: z.number().nonnegative() }).nullable()
export type StorageFreed = z.infer<typeof StorageFreed>

export const RunInfo = z.object({
  id: z.number().int(),
  kind: z.string(),
  name: z.string(),
  params: z.unknown(),
  result: z.unknown().nullable(),
  createdAt: z.string(),
})
export type RunInfo = z.infer<typeof RunInfo>

export const MatrixView = z.object({
  /** Objects in the dataset, and rows/columns shown (block means when the matrix was larger than asked). */
  n: z.number().int(),
  size: z.number().int(),
  subjects: z.number().int(),
  /** Which subject is shown, or null for the mean over subjects. */
  subject: z.number().int().nullable(),
  values: z.array(z.number()),
  min: z.number(),
  max: z.number(),
  measure: z.string(),
  /** Object names and category groups from another dataset of the same objects, in display order. */
  labels: z
    .object({
      source: z.string(),
      names: z.array(z.string()),
      groups: z.array(z.object({ name: z.string(), start: z.number().int(), end: z.number().int() })),
    })
    .nullable(),
})
export type MatrixView = z.infer<typeof MatrixView>

export const ModelLayer = z.object({
  name: z.string(),
  className: z.string(),
  /** Without the batch axis; null for sizes that depend on the input. */
  outputShape: z.array(z.number().nullable()),
  parameters: z.number().int(),
  trainable: z.boolean(),
})
export type ModelLayer = z.infer<typeof ModelLayer>

export const ModelSummary = z.object({
  /** A built-in id (mobilenet_v2) or the folder of a user model. */
  id: z.string(),
  title: z.string(),
  source: z.enum(['builtin', 'folder']),
  description: z.string(),
})
export type ModelSummary = z.infer<typeof ModelSummary>

export const ModelInfo = ModelSummary.extend({
  format: z.enum(['layers-model', 'graph-model']),
  inputSize: z.tuple([z.number().int(), z.number().int()]),
  /** How an image becomes the model's input, in words. */
  preprocessing: z.string(),
  defaultLayer: z.string(),
  parameters: z.number().int(),
  trainableParameters: z.number().int(),
  layers: z.array(ModelLayer),
})
export type ModelInfo = z.infer<typeof ModelInfo>

export const Thumbnail = z.object({ id: z.string(), file: z.string(), dataUrl: z.string() })
export type Thumbnail = z.infer<typeof Thumbnail>

/** Names of n objects and the category (index into categories, −1 for none) each belongs to first. */
export const ObjectLabels = z.object({ source: z.string(), names: z.array(z.string()), categories: z.array(z.string()), category: z.array(z.number().int()) })
export type ObjectLabels = z.infer<typeof ObjectLabels>

export const TripletBrowseRequest = z
  .object({
    triplets: z.number().int().positive(),
    /** Feature sets of the same objects whose choices are shown. */
    models: z.array(z.number().int().positive()).max(6).default([]),
    similarity: z.enum(['dot', 'cosine', 'euclidean']).default('dot'),
    agreement: z.enum(['any', 'allAgree', 'someWrong', 'allWrong', 'modelsDisagree']).default('any'),
    /** A concepts dataset and one of its categories: triplets with an object of that category. */
    categoriesFrom: z.number().int().positive().nullable().default(null),
    category: z.number().int().nonnegative().nullable().default(null),
    level: z.number().int().nonnegative().nullable().default(null),
    entropy: z.tuple([z.number().min(0), z.number().min(0)]).nullable().default(null),
    object: z.number().int().nonnegative().nullable().default(null),
    sort: z.enum(['index', 'confidence', 'confidenceAsc', 'entropy', 'entropyAsc']).default('index'),
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict()
export type TripletBrowseRequest = z.infer<typeof TripletBrowseRequest>

export const TripletRow = z.object({
  index: z.number().int(),
  objects: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  /** The human choice probabilities in pair order [p(01), p(02), p(12)], when the triplets carry them. */
  soft: z.array(z.number()).nullable(),
  level: z.string().nullable(),
  /** Per model, its pair probabilities; its odd-one-out is 2 − argmax. */
  models: z.array(z.array(z.number())),
})
export type TripletRow = z.infer<typeof TripletRow>

export const TripletPage = z.object({
  /** Triplets passing the filter, and in the dataset. */
  total: z.number().int(),
  count: z.number().int(),
  objects: z.number().int(),
  offset: z.number().int(),
  rows: z.array(TripletRow),
  /** Each model's τ, fitted to the human choices (null: none beats chance, the probabilities are uniform). */
  models: z.array(z.object({ id: z.number().int(), name: z.string(), temperature: z.number().nullable() })),
  levels: z.array(z.string()),
  hasSoftLabels: z.boolean(),
  milliseconds: z.number(),
})
export type TripletPage = z.infer<typeof TripletPage>

export const AppInfo = z.object({
  name: z.literal('HumanAlign'),
  version: z.string(),
  node: z.string(),
  electron: z.string().nullable(),
  platform: z.string(),
  projectsDir: z.string(),
  transport: z.enum(['electron', 'browser', 'cli']),
})
export type AppInfo = z.infer<typeof AppInfo>

const Empty = z.object({}).strict()

function op<I extends z.ZodType, O extends z.ZodType>(
  input: I,
  output: O,
  options: { callers?: readonly Caller[]; summary: string },
) {
  return { input, output, callers: options.callers ?? Caller.options, summary: options.summary }
}

/** Every operation, by name. `callers` limits who may invoke it; the dispatcher enforces it. */
export const operations = {
  'app.info': op(Empty, AppInfo, { summary: 'versions, transport and the default projects folder' }),
  'project.create': op(
    z.object({ path: AbsolutePath, name: ProjectName.optional() }).strict(),
    ProjectInfo,
    { summary: 'create a project folder and open it' },
  ),
  'project.createExample': op(
    z.object({ path: AbsolutePath, example: ExampleName }).strict(),
    z.object({ project: ProjectInfo, jobs: z.array(JobInfo) }),
    { summary: 'create a project from a bundled example; its imports run as jobs' },
  ),
  'project.report': op(Empty, z.object({ html: z.string(), fileName: z.string() }), {
    summary: "a one-file HTML report of the open project's results: tables, figures, settings, versions (opens offline)",
  }),
  'project.open': op(z.object({ path: AbsolutePath }).strict(), ProjectInfo, { summary: 'open a project folder' }),
  'project.current': op(Empty, ProjectInfo.nullable(), { summary: 'the open project, or null' }),
  'project.info': op(z.object({ path: AbsolutePath }).strict(), ProjectInfo, {
    summary: 'describe a project without opening it for writing',
  }),
  'project.contents': op(z.object({ path: AbsolutePath }).strict(), z.object({ datasets: z.array(DatasetInfo), runs: z.array(RunInfo) }), {
    summary: "a project's datasets and runs, newest first, read without opening it for writing",
  }),
  'project.rename': op(z.object({ name: ProjectName }).strict(), ProjectInfo, { summary: 'rename the open project' }),
  'project.close': op(Empty, z.null(), { summary: 'close the open project' }),
  'project.recent': op(Empty, z.array(RecentProject), { summary: 'recently opened projects, newest first' }),
  'project.forget': op(z.object({ path: AbsolutePath }).strict(), z.array(RecentProject), {
    summary: 'remove a project from the recent list (the folder is kept)',
  }),
  'dialog.pickFolder': op(z.object({ title: z.string().max(200) }).strict(), z.string().nullable(), {
    callers: ['renderer'],
    summary: 'native folder picker (desktop window only)',
  }),
  'system.doctor': op(Empty, DoctorReport, { summary: 'versions, compute backends and why any is unavailable, GPU, memory, paths' }),
  'settings.get': op(Empty, Settings, { summary: "the user's settings" }),
  'settings.set': op(Settings, Settings, { callers: ['renderer', 'browser', 'cli'], summary: 'change settings' }),
  'files.inspect': op(z.object({ path: AbsolutePath, header: TableHeader }).strict(), FileSummary, { summary: 'what a file holds: arrays, shapes, dtypes, keys, columns' }),
  'files.list': op(z.object({ path: AbsolutePath.optional() }).strict(), FolderListing, {
    callers: ['renderer', 'browser'],
    summary: "a folder's subfolders and files (the home folder by default), those HumanAlign reads marked, to choose one to import",
  }),
  'runs.record': op(
    z.object({ kind: z.string().min(1).max(100), name: z.string().min(1).max(300), params: z.unknown(), result: z.unknown() }).strict(),
    RunInfo,
    { callers: ['cli'], summary: 'store the result of an evaluation run from the command line' },
  ),
  'runs.list': op(Empty, z.array(RunInfo), { summary: "the open project's runs, newest first" }),
  'runs.remove': op(z.object({ id: z.number().int().positive() }).strict(), z.object({ run: RunInfo, freed: StorageFreed }), {
    summary: "take a run off the open project's results, freeing the arrays only it used",
  }),
  'runs.exportTransform': op(
    z.object({ id: z.number().int().positive(), path: AbsolutePath }).strict(),
    z.object({ path: z.string(), p: z.number().int(), q: z.number().int() }),
    { summary: "write a probe run's transform as gLocal's transform.npz (weights, bias, mean, std), for Python tools" },
  ),
  'runs.exportPlan': op(
    z.object({ id: z.number().int().positive(), path: AbsolutePath }).strict(),
    z.object({ path: z.string(), n: z.number().int() }),
    { summary: "write a GW run's transport plan as a .npy file (rows A's objects, columns B's in B's own order)" },
  ),
  'runs.plan': op(
    z.object({ id: z.number().int().positive(), maxSize: z.number().int().min(2).max(400).default(200) }).strict(),
    MatrixView,
    { summary: "a GW run's transport plan as a matrix, ordered by category when the run had categories" },
  ),
  'datasets.matrix': op(
    z
      .object({
        id: z.number().int().positive(),
        subject: z.number().int().nonnegative().nullable().default(null),
        maxSize: z.number().int().min(2).max(400).default(200),
        /** A concepts, features or images dataset of the same objects: names, and order by category. */
        labelsFrom: z.number().int().positive().nullable().default(null),
      })
      .strict(),
    MatrixView,
    { summary: "a similarity dataset's matrix for display (one subject or the mean, ordered by category, block-averaged down to maxSize)" },
  ),
  'datasets.list': op(Empty, z.array(DatasetInfo), { summary: "the open project's datasets, newest first" }),
  'datasets.rename': op(z.object({ id: z.number().int().positive(), name: DatasetName }).strict(), DatasetInfo, {
    summary: 'rename a dataset of the open project (its runs keep the name they were made with)',
  }),
  'datasets.remove': op(z.object({ id: z.number().int().positive() }).strict(), z.object({ dataset: DatasetInfo, freed: StorageFreed }), {
    summary: "take a dataset off the open project's lists, freeing the arrays and images only it used",
  }),
  'datasets.exportAlignet': op(
    z.object({ id: z.number().int().positive(), path: AbsolutePath }).strict(),
    z.object({ path: z.string(), count: z.number().int() }),
    { summary: "write teacher-labelled triplets in AligNet's .npz layout (filenames, similarities, indices)" },
  ),
  'datasets.thumbnails': op(
    z
      .object({
        id: z.number().int().positive(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(200).default(60),
        size: z.number().int().min(16).max(256).default(96),
        /** These images (by position) instead of a page. */
        indices: z.array(z.number().int().nonnegative()).max(200).optional(),
        /** Positions are those of this dataset's objects, matched to the images by name. */
        orderOf: z.number().int().positive().optional(),
      })
      .strict(),
    z.object({ total: z.number().int(), thumbnails: z.array(Thumbnail) }),
    { summary: "small previews of an image set's images, as data URLs, a page at a time" },
  ),
  'datasets.objects': op(
    z
      .object({
        id: z.number().int().positive(),
        /** In this dataset's order of the same objects, matched by name. */
        orderOf: z.number().int().positive().optional(),
      })
      .strict(),
    ObjectLabels,
    { summary: 'the names of the objects of a concepts, features or images dataset, and their categories' },
  ),
  'datasets.lineUp': op(
    z.object({ dataset: z.number().int().positive(), to: z.number().int().positive() }).strict(),
    z.object({
      /** order[k]: the dataset's row of `to`'s k-th object; null when the rows need no reordering (or nothing names them). */
      order: z.array(z.number().int()).nullable(),
    }),
    { summary: "where another dataset's objects are among a dataset's rows, matched by their names" },
  ),
  'triplets.browse': op(
    TripletBrowseRequest,
    TripletPage,
    { summary: "a page of triplets with each model's choice and probabilities, filtered and sorted (probabilities computed once, in a worker)" },
  ),
  'runs.attention': op(
    z.object({ id: z.number().int().positive(), size: z.number().int().min(8).max(224).default(64) }).strict(),
    z.object({ names: z.array(z.string()), size: z.number().int(), images: z.number().int(), maps: z.array(z.array(z.number())), human: z.array(z.array(z.number())).nullable() }),
    { summary: "an attention run's maps (and the human maps it was scored against), resized for display" },
  ),
  'models.list': op(Empty, z.array(ModelSummary), { summary: 'the built-in models and the models added to the open project' }),
  'models.describe': op(z.object({ id: z.string().min(1).max(1000) }).strict(), ModelInfo, { summary: "a model's input size, parameters and layers (loaded in a worker)" }),
  'models.add': op(z.object({ path: AbsolutePath }).strict(), ModelInfo, { summary: 'add a TF.js model folder (model.json + weights) to the open project' }),
  'models.remove': op(z.object({ id: z.string().min(1).max(1000) }).strict(), z.object({ model: ModelSummary, freed: StorageFreed }), {
    summary: "take a model off the open project's list; a student trained in the project is deleted with its folder",
  }),
  'jobs.list': op(Empty, z.array(JobInfo), { summary: 'jobs of the open project, newest first' }),
  'jobs.metrics': op(z.object({ id: z.number().int() }).strict(), z.array(MetricSeries), {
    summary: "a job's metric streams",
  }),
  'jobs.start': op(JobSpec, JobInfo, { callers: ['renderer', 'browser', 'cli'], summary: 'queue a job' }),
  'jobs.resume': op(z.object({ id: z.number().int().positive() }).strict(), JobInfo, {
    callers: ['renderer', 'browser', 'cli'],
    summary: 'run a failed or interrupted job again, from its last checkpoint',
  }),
  'jobs.discard': op(z.object({ id: z.number().int() }).strict(), JobInfo, {
    callers: ['renderer', 'browser', 'cli'],
    summary: 'give up a failed job: delete its checkpoint; it can no longer be resumed',
  }),
  'jobs.spec': op(z.object({ id: z.number().int() }).strict(), JobSpec, { summary: 'what a job of the open project was asked to do' }),
  'jobs.script': op(
    z
      .object({
        /** One of the open project's jobs, to run again on a cluster… */
        job: z.number().int().optional(),
        /** …or a job spec of its own. */
        spec: JobSpec.optional(),
        time: z.string().max(20).default('04:00:00'),
        cpus: z.number().int().min(1).max(1024).default(8),
        memory: z.string().max(20).default('32G'),
        gpus: z.number().int().min(0).max(64).default(1),
        partition: z.string().max(100).optional(),
        account: z.string().max(100).optional(),
        /** How the node starts HumanAlign's command line; by default as this machine does. */
        command: z.string().min(1).max(1000).optional(),
      })
      .strict()
      .refine((input) => (input.job === undefined) !== (input.spec === undefined), 'give either a job id or a spec'),
    z.object({ fileName: z.string(), text: z.string(), command: z.string() }),
    { callers: ['renderer', 'browser', 'cli'], summary: "a Slurm batch script that runs a job headless on a cluster node, recording its result in the open project" },
  ),
  'jobs.cancel': op(z.object({ id: z.number().int() }).strict(), JobInfo, {
    callers: ['renderer', 'browser', 'cli'],
    summary: 'cancel a queued or running job',
  }),
} as const

export type Operations = typeof operations
export type OpName = keyof Operations
export type OpInput<N extends OpName> = z.input<Operations[N]['input']>
export type OpOutput<N extends OpName> = z.output<Operations[N]['output']>

export function isOpName(name: unknown): name is OpName {
  return typeof name === 'string' && Object.hasOwn(operations, name)
}

/** Push events: one union tagged by `type`. */
export const AppEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job.progress'), jobId: z.number().int(), progress: JobProgress }),
  z.object({ type: z.literal('job.state'), job: JobInfo }),
  z.object({
    type: z.literal('job.metric'),
    jobId: z.number().int(),
    name: z.string(),
    step: z.number().int(),
    value: z.number(),
  }),
  z.object({ type: z.literal('project.changed'), project: ProjectInfo.nullable() }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
])
export type AppEvent = z.infer<typeof AppEvent>

export const ErrorCode = z.enum(['bad_request', 'forbidden', 'not_found', 'conflict', 'user', 'internal'])
export type ErrorCode = z.infer<typeof ErrorCode>

export const ErrorPayload = z.object({ code: ErrorCode, message: z.string() })
export type ErrorPayload = z.infer<typeof ErrorPayload>

export type Result<N extends OpName> = { ok: true; output: OpOutput<N> } | { ok: false; error: ErrorPayload }

/**
 * What the renderer talks to: `window.humanalign` in the desktop window (the preload), a WebSocket client in a
 * browser. Both answer with a Result, never a thrown error, so the error code survives every transport.
 */
export interface HumanAlignBridge {
  invoke<N extends OpName>(op: N, input: OpInput<N>): Promise<Result<N>>
  on(listener: (event: AppEvent) => void): () => void
}

/** WebSocket frames. */
export const WsRequest = z.object({ id: z.number().int().nonnegative(), op: z.string(), input: z.unknown() }).strict()
export type WsRequest = z.infer<typeof WsRequest>
export type WsReply =
  | { kind: 'result'; id: number; ok: true; output: unknown }
  | { kind: 'result'; id: number; ok: false; error: ErrorPayload }
  | { kind: 'event'; event: AppEvent }

/** Largest WebSocket request the server accepts, in bytes. */
export const MAX_MESSAGE_BYTES = 1024 * 1024
