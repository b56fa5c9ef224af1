import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import sharp from 'sharp'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeNpy } from '../../src-main/core/io/npy'
import { encodeNpy } from '../../src-main/core/io/npy'
import { decodeNpz } from '../../src-main/core/io/npz'
import { listRuns } from '../../src-main/store/runs'
import { readArtifact } from '../../src-main/store/artifacts'
import { getDataset, listDatasets } from '../../src-main/store/datasets'
import { rsaComparisons } from '../../src-main/api/rsaComparisons'
import { Project } from '../../src-main/store/project'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const examples = join(__dirname, '../../resources/examples')
const fixtures = join(__dirname, '../fixtures')

function setup() {
  const dir = tmp()
  const env = { HUMANALIGN_CONFIG_DIR: join(dir, 'config') }
  const project = join(dir, 'project')
  expect(runCli(['project', 'create', project], env).code).toBe(0)
  const cli = (args: string[]) => runCli([...args, '--project', project, '--json'], env)
  return { dir, project, env, cli }
}

/** Every file of the project folder with its SHA-256. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path)
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex')
    }
  }
  walk(dir)
  return out
}

/** The id of the project's dataset of that name. */
function datasetNamed(project: string, name: string): number {
  const p = Project.open(project)
  try {
    return listDatasets(p.db).find((d) => d.name === name)!.id
  } finally {
    p.close()
  }
}

/** Features of four stimuli named by thingsvision's file_names.txt (stimuli/cat.jpg, dog, cow, pig), imported. */
function fourNamedStimuli(dir: string, cli: (args: string[]) => { stdout: string }): { datasets: number[] } {
  const features = join(dir, 'features.npy')
  writeFileSync(features, encodeNpy({ dtype: '<f4', shape: [4, 1], data: Float32Array.of(1, 2, 3, 4) }))
  writeFileSync(join(dir, 'file_names.txt'), 'stimuli/cat.jpg\nstimuli/dog.jpg\nstimuli/cow.jpg\nstimuli/pig.jpg\n')
  return JSON.parse(cli(['import', 'features', features]).stdout)
}

describe('humanalign import', () => {
  it('imports the 92-image RDMs of 16 subjects from the MATLAB struct array, equal to SciPy’s', () => {
    const { project, cli, env } = setup()
    const r = cli(['import', 'similarity', join(examples, 'rsa92/92_behavRDMs.mat'), '--key', 'rdms_behav_92.RDM', '--name', 'human RDMs'])
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({ dataset: 'similarity', name: 'human RDMs', n: 92, subjects: 16, measure: 'dissimilarity' })
    const stored = decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${result.outputs.data}.npy`))))
    expect(stored.shape).toEqual([16, 92, 92])
    const scipy = decodeNpy(new Uint8Array(readFileSync(join(fixtures, 'mat/rdms92_scipy.npy'))))
    expect(Array.from(stored.data as Float64Array)).toEqual(Array.from(scipy.data as Float64Array))
    const info = JSON.parse(runCli(['project', 'info', project, '--json'], env).stdout)
    expect(info.counts).toMatchObject({ datasets: 1, artifacts: 1, jobs: 0 })
  })

  it('imports features with thingsvision’s file_names.txt, and the SPoSE CSV with its id column', () => {
    const { dir, cli } = setup()
    const features = join(dir, 'features.npy')
    writeFileSync(features, encodeNpy({ dtype: '<f8', shape: [3, 2], data: Float64Array.of(1, 2, 3, 4, 5, 6) }))
    writeFileSync(join(dir, 'file_names.txt'), 'cat.jpg\ndog.jpg\ncow.jpg\n')
    expect(JSON.parse(cli(['import', 'features', features]).stdout)).toMatchObject({ n: 3, p: 2, idsFrom: join(dir, 'file_names.txt') })
    const spose = JSON.parse(cli(['import', 'features', join(examples, 'things/spose_embedding66d_rescaled.csv'), '--name', 'SPoSE 66d']).stdout)
    expect(spose).toMatchObject({ name: 'SPoSE 66d', n: 1854, p: 66, idsFrom: 'id column' })
  })

  it('takes the object names saved beside the features (.npz text array, MATLAB cellstr), or a NumPy text array given as --ids', () => {
    const { dir, project, cli } = setup()
    const names = ['aardvark', 'abacus', 'café', 'zebra']
    const ids = () => {
      const p = Project.open(project)
      try {
        return listDatasets(p.db).map((d) => getDataset(p.db, d.id)!.meta.ids)
      } finally {
        p.close()
      }
    }
    for (const file of ['npy/features_named.npz', 'npy/features_named_deflated.npz', 'npy/features_object_names.npz', 'mat/features_names.mat']) {
      expect(JSON.parse(cli(['import', 'features', join(fixtures, file), '--key', 'features']).stdout)).toMatchObject({ n: 4, p: 3, idsFrom: "'names' in the file" })
    }
    const features = join(dir, 'plain.npy')
    writeFileSync(features, encodeNpy({ dtype: '<f4', shape: [4, 1], data: Float32Array.of(1, 2, 3, 4) }))
    expect(JSON.parse(cli(['import', 'features', features, '--ids', join(fixtures, 'npy/names.npy')]).stdout)).toMatchObject({ n: 4, idsFrom: join(fixtures, 'npy/names.npy') })
    expect(JSON.parse(cli(['import', 'features', features, '--ids', join(fixtures, 'npy/names_object.npy')]).stdout)).toMatchObject({ n: 4 })
    expect(ids()).toEqual([names, names, names, names, names, names])
    const matrix = join(dir, 'matrix_names.npy')
    copyFileSync(join(fixtures, 'alignet/filenames_numpy.npy'), matrix)
    const refused = cli(['import', 'features', features, '--ids', matrix])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('matrix_names.npy: ids are a 1-D text array, one per object; this one is 2 × 3.')
  })

  it('takes ids from a table’s names column (OSF’s items1854names.tsv), for features and for concepts', () => {
    const { dir, project, cli } = setup()
    // The first four THINGS concepts as items1854names.tsv lists them: Word, WordNet synset and ids, uniqueID.
    const items = readFileSync(join(examples, 'things/item_names.tsv'), 'utf8').split('\n').slice(0, 5).join('\n') + '\n'
    const table = join(dir, 'items.tsv')
    writeFileSync(table, items)
    const features = join(dir, 'plain.npy')
    writeFileSync(features, encodeNpy({ dtype: '<f4', shape: [4, 1], data: Float32Array.of(1, 2, 3, 4) }))
    expect(JSON.parse(cli(['import', 'features', features, '--ids', table]).stdout)).toMatchObject({ n: 4, idsFrom: table })
    // Concepts named by word take the ids instead; a list of the wrong length is refused, the project unchanged.
    const concepts = join(dir, 'concepts.tsv')
    writeFileSync(concepts, 'Word\tanimal\naardvark\t1\nabacus\t0\naccordion\t0\nacorn\t0\n')
    expect(JSON.parse(cli(['import', 'concepts', concepts, '--ids', table]).stdout)).toMatchObject({ n: 4, categories: 1 })
    const p = Project.open(project)
    try {
      const [named, plain] = listDatasets(p.db).map((d) => getDataset(p.db, d.id)!)
      expect(plain!.meta.ids).toEqual(['aardvark', 'abacus', 'accordion', 'acorn'])
      expect(named!.meta).toMatchObject({ names: ['aardvark', 'abacus', 'accordion', 'acorn'], namesFrom: table })
    } finally {
      p.close()
    }
    const before = snapshot(project)
    const three = join(dir, 'three.tsv')
    writeFileSync(three, items.split('\n').slice(0, 4).join('\n'))
    expect(cli(['import', 'concepts', concepts, '--ids', three]).stderr).toContain(`${three} names 3 objects, but the table has 4 concepts; give one id per concept, in the table's order.`)
    // A table of numbers names nothing.
    const numbers = join(dir, 'numbers.tsv')
    writeFileSync(numbers, 'a\tb\n1\t2\n3\t4\n5\t6\n7\t8\n')
    expect(cli(['import', 'features', features, '--ids', numbers]).stderr).toContain(`${numbers} is a table without a header naming a column of ids; give a file with one id per line, or a table with a column named uniqueID, name, word, concept, item or object.`)
    expect(snapshot(project)).toEqual(before)
  })

  it('detects 1-based triplets, and converts them on request', () => {
    const { dir, cli } = setup()
    const file = join(dir, 'trainset.txt')
    writeFileSync(file, '1 2 3\n4 1 2\n3 4 1\n')
    const refused = cli(['import', 'triplets', file, '--objects', '4'])
    expect(refused.code).toBe(1)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain(`${file}: the indices look 1-based (smallest 1, largest 4 for 4 objects).`)
    const converted = JSON.parse(cli(['import', 'triplets', file, '--objects', '4', '--one-based']).stdout)
    expect(converted).toMatchObject({ count: 3, objects: 4, convertedFromOneBased: true })
  })

  it('imports a folder of images, and refuses one with a damaged image without changing the project', () => {
    const { dir, project, cli } = setup()
    const langlois = join(examples, 'langlois25')
    const ok = JSON.parse(cli(['import', 'images', langlois, '--name', 'Langlois']).stdout)
    expect(ok).toMatchObject({ dataset: 'images', n: 25 })
    const p = Project.open(project)
    let folder: string
    try {
      const d = listDatasets(p.db)[0]!
      expect(d.meta).toMatchObject({ n: 25, ids: '25 ids' })
      folder = join(project, String(d.meta.folder))
    } finally {
      p.close()
    }
    expect(readdirSync(folder).sort()).toEqual(readdirSync(langlois).filter((f) => f.endsWith('.jpg')).sort())

    const bad = join(dir, 'bad')
    mkdirSync(bad)
    copyFileSync(join(langlois, 'image_r_10.jpg'), join(bad, 'a.jpg'))
    writeFileSync(join(bad, 'b.jpg'), readFileSync(join(langlois, 'image_r_10.jpg')).subarray(0, 300))
    const before = snapshot(project)
    const r = cli(['import', 'images', bad])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('b.jpg cannot be read as an image')
    expect(snapshot(project)).toEqual(before)
  })

  it('imports a folder of images in subfolders (a concept or class each, as THINGS and ImageNet keep them)', () => {
    const { dir, project, cli } = setup()
    const langlois = join(examples, 'langlois25')
    const root = join(dir, 'object_images')
    // aardvark/01.jpg and abacus/01.jpg share a file name: the ids are then the paths; a hidden folder is passed over.
    const layout: [string, string][] = [['aardvark/01.jpg', 'image_r_10.jpg'], ['aardvark/02.jpg', 'image_r_18.jpg'], ['abacus/01.jpg', 'image_r_24.jpg'], ['.thumbnails/x.jpg', 'image_r_32.jpg']]
    for (const [to, from] of layout) {
      mkdirSync(join(root, dirname(to)), { recursive: true })
      copyFileSync(join(langlois, from), join(root, to))
    }
    const ok = JSON.parse(cli(['import', 'images', root]).stdout)
    expect(ok).toMatchObject({ dataset: 'images', n: 3, categories: '2 from the subfolders, as "object_images: subfolders"' })
    const p = Project.open(project)
    try {
      const [images, concepts] = listDatasets(p.db).sort((a, b) => a.id - b.id).map((d) => getDataset(p.db, d.id)!)
      const meta = images!.meta
      expect(meta).toMatchObject({ files: ['aardvark/01.jpg', 'aardvark/02.jpg', 'abacus/01.jpg'], ids: ['aardvark/01', 'aardvark/02', 'abacus/01'] })
      // The files keep their folders in the project, byte for byte.
      for (const file of meta.files as string[]) expect(readFileSync(join(project, String(meta.folder), file))).toEqual(readFileSync(join(root, file)))
      // The subfolders are the images' categories, the concepts named as the images are.
      expect(concepts).toMatchObject({ kind: 'concepts', name: 'object_images: subfolders', meta: { n: 3, names: ['aardvark/01', 'aardvark/02', 'abacus/01'], categories: ['aardvark', 'abacus'], categorySource: 'the subfolders' } })
      expect(Array.from(readArtifact(p.db, project, concepts!.artifact!).data as Uint8Array)).toEqual([1, 0, 1, 0, 0, 1])
    } finally {
      p.close()
    }
    // Names that do not repeat are the ids as they are.
    const unique = join(dir, 'unique')
    mkdirSync(join(unique, 'cats'), { recursive: true })
    copyFileSync(join(langlois, 'image_r_10.jpg'), join(unique, 'cats', 'cat_01.jpg'))
    copyFileSync(join(langlois, 'image_r_18.jpg'), join(unique, 'dog_01.jpg'))
    // One subfolder and the top level: no categories to speak of.
    const two = JSON.parse(cli(['import', 'images', unique]).stdout)
    expect(two).toMatchObject({ n: 2 })
    expect(two).not.toHaveProperty('categories')
    const q = Project.open(project)
    try {
      expect(getDataset(q.db, listDatasets(q.db).find((d) => d.name === 'unique')!.id)!.meta).toMatchObject({ files: ['cats/cat_01.jpg', 'dog_01.jpg'], ids: ['cat_01', 'dog_01'] })
    } finally {
      q.close()
    }
    // Every unreadable image is named at once, not one per try.
    writeFileSync(join(root, 'aardvark', '03.jpg'), readFileSync(join(langlois, 'image_r_10.jpg')).subarray(0, 300))
    writeFileSync(join(root, 'abacus', '02.png'), 'not an image')
    const before = snapshot(project)
    const bad = cli(['import', 'images', root])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/2 of the 5 images cannot be read as images: aardvark\/03\.jpg \(.+\); abacus\/02\.png \(.+\)\. Replace or remove them\./)
    expect(snapshot(project)).toEqual(before)
  })

  it('averages features of images over their concept folders (THINGS’ layout) into features of the concepts', () => {
    const { dir, project, cli, env } = setup()
    const langlois = readdirSync(join(examples, 'langlois25')).filter((f) => f.endsWith('.jpg'))
    const perImage = join(fixtures, 'npy/per_image')
    // The images the features are of, in their folders; the features list them in another order.
    const files = readFileSync(join(perImage, 'file_names.txt'), 'utf8').trim().split('\n')
    files.forEach((file, i) => {
      mkdirSync(join(dir, dirname(file)), { recursive: true })
      copyFileSync(join(examples, 'langlois25', langlois[i]!), join(dir, file))
    })
    cli(['import', 'images', join(dir, 'object_images')])
    const features = JSON.parse(cli(['import', 'features', join(perImage, 'features.npy'), '--name', 'per image']).stdout).datasets[0]
    const concepts = datasetNamed(project, 'object_images: subfolders')
    const r = cli(['derive', 'means', '--from', String(features), '--by', String(concepts)])
    expect(r.stderr).toBe('')
    // Three concepts of 3, 2 and 1 images; loose.jpg is in no folder and left out.
    expect(JSON.parse(r.stdout)).toMatchObject({ dataset: 'features', name: 'per image · mean per category', n: 3, p: 5, rows: 6, minRows: 1, maxRows: 3, uncategorised: 1, emptyCategories: [] })
    const made = datasetNamed(project, 'per image · mean per category')
    const p = Project.open(project)
    try {
      const means = getDataset(p.db, made)!
      expect(means.meta).toMatchObject({ ids: ['aardvark', 'abacus', 'acorn'], meansOf: 'per image', categoriesFrom: 'object_images: subfolders' })
      // NumPy's means of the same rows (make.py beside the fixture).
      expect(readArtifact(p.db, project, means.artifact!).data).toEqual(decodeNpy(new Uint8Array(readFileSync(join(perImage, 'concept_means.npy')))).data)
    } finally {
      p.close()
    }
    expect(runCli(['project', 'info', project], env).stdout).toContain('the mean of "per image" per category of "object_images: subfolders" (6 rows, 1–3 a category)')
    expect(cli(['derive', 'means', '--from', String(features)]).stderr).toContain('derive means needs --by DATASET_ID, the concepts whose categories group them')
    expect(cli(['derive', 'means', '--from', String(features), '--by', String(features)]).stderr).toContain(`Dataset ${features} ("per image") is features, not concepts with categories.`)
    const names = JSON.parse(cli(['import', 'concepts', join(examples, 'things/item_names.tsv')]).stdout).datasets[0]
    expect(cli(['derive', 'means', '--from', String(features), '--by', String(names)]).stderr).toContain('"item_names" has names but no categories to average over; choose concepts with a category column, or an image folder\'s subfolders.')
    // THINGS' concepts find each image by the concept it is of (aardvark_01b.jpg: aardvark), but not loose.jpg.
    const things = JSON.parse(cli(['import', 'concepts', join(examples, 'things/things_concepts.tsv')]).stdout).datasets[0]
    expect(cli(['derive', 'means', '--from', String(features), '--by', String(things)]).stderr).toContain('"object_images/loose.jpg" of "per image" is not in "things_concepts"; give the categories of the images the features are of.')
  })

  it('imports the images a text file lists (thingsvision’s file_names.txt), in its order', () => {
    const { dir, project, cli } = setup()
    const langlois = join(examples, 'langlois25')
    mkdirSync(join(dir, 'stimuli'))
    mkdirSync(join(dir, 'other'))
    copyFileSync(join(langlois, 'image_r_10.jpg'), join(dir, 'stimuli', 'b.jpg'))
    copyFileSync(join(langlois, 'image_r_18.jpg'), join(dir, 'stimuli', 'a.jpg'))
    copyFileSync(join(langlois, 'image_r_24.jpg'), join(dir, 'other', 'c.jpg'))
    const list = join(dir, 'stimuli', 'file_names.txt')
    writeFileSync(list, 'b.jpg\na.jpg\n../other/c.jpg\n')
    expect(JSON.parse(cli(['import', 'images', list, '--name', 'listed']).stdout)).toMatchObject({ dataset: 'images', n: 3 })
    const p = Project.open(project)
    try {
      // In the list's order, kept under the folder that holds them all.
      expect(getDataset(p.db, listDatasets(p.db).find((d) => d.name === 'listed')!.id)!.meta).toMatchObject({ files: ['stimuli/b.jpg', 'stimuli/a.jpg', 'other/c.jpg'], ids: ['b', 'a', 'c'] })
    } finally {
      p.close()
    }
    writeFileSync(list, 'b.jpg\na.jpg\nb.jpg\n')
    expect(cli(['import', 'images', list]).stderr).toContain(`${list}: line 3 lists b.jpg again; each image once.`)
    writeFileSync(list, 'b.jpg\nnotes.csv\n')
    writeFileSync(join(dir, 'stimuli', 'notes.csv'), 'x\n')
    expect(cli(['import', 'images', list]).stderr).toContain(`${list}: line 2, notes.csv, is not a .jpg, .png, .webp, .tif, .gif or .avif image.`)
    writeFileSync(list, 'b.jpg\nmissing.jpg\n')
    expect(cli(['import', 'images', list]).stderr).toContain('file_names.txt, entry 2: missing.jpg does not exist.')
  })

  it('imports TIFF and GIF stimuli, and says how to convert a folder of bitmaps', () => {
    const { project, cli } = setup()
    const images = join(fixtures, 'images')
    const ok = JSON.parse(cli(['import', 'images', join(images, 'formats')]).stdout)
    expect(ok).toMatchObject({ dataset: 'images', n: 2 })
    const p = Project.open(project)
    try {
      expect(getDataset(p.db, listDatasets(p.db)[0]!.id)!.meta).toMatchObject({ ids: ['a_tiff', 'b_gif'], widths: [12, 12], heights: [8, 8] })
    } finally {
      p.close()
    }
    const bitmaps = cli(['import', 'images', join(images, 'bitmaps')])
    expect(bitmaps.code).toBe(1)
    expect(bitmaps.stderr).toContain('Its .bmp images are not read: convert them to .png (lossless).')
  })

  it('maps table columns: the id column, the feature columns, and which column is the odd-one-out', () => {
    const { dir, cli } = setup()
    const table = join(dir, 'table.csv')
    writeFileSync(table, 'name,code,a,b,odd\ncat,x1,0,1,2\ndog,x2,2,0,3\ncow,x3,3,2,1\npig,x4,1,3,0\n')
    expect(JSON.parse(cli(['import', 'features', table, '--columns', 'a,b', '--id-column', 'code']).stdout)).toMatchObject({ n: 4, p: 2, idsFrom: 'id column' })
    const project = join(dir, 'project')
    const triplets = JSON.parse(cli(['import', 'triplets', table, '--columns', 'b,odd,a', '--objects', '4']).stdout)
    expect(triplets).toMatchObject({ count: 4, objects: 4 })
    const stored = decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${triplets.outputs.data}.npy`))))
    expect(Array.from(stored.data as Int32Array).slice(0, 6)).toEqual([1, 2, 0, 0, 3, 2])
    expect(cli(['import', 'triplets', table, '--columns', 'a,b']).stderr).toContain('triplets take three columns (object, object, odd-one-out); 2 were given.')
    expect(cli(['import', 'features', table, '--columns', 'a,zz']).stderr).toContain('there is no column "zz" (columns: "name", "code", "a", "b", "odd").')
    expect(cli(['import', 'triplets', table, '--columns', 'name,a,b']).stderr).toContain('column "name" holds names ("cat"), not indices: choose the object list they name')
  })

  it('imports an experiment’s export: the objects shown by file name, the odd one out as the chosen object or the button pressed', () => {
    const { dir, project, cli } = setup()
    const list = fourNamedStimuli(dir, cli)
    // As a jsPsych export lays it out, semicolon-separated: stimuli as shown, the chosen image, the button (0-based).
    const table = join(dir, 'trials.csv')
    writeFileSync(table, 'subject;stim_left;stim_middle;stim_right;chosen;button;rt\nS1;cat.jpg;dog.jpg;cow.jpg;dog.jpg;1;812,5\nS1;pig.png;cat.png;dog.png;pig.png;0;640\nS2;cow;pig;cat;cat;2;1290\n')
    const stored = (result: { outputs: { data: string } }) =>
      Array.from(decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${result.outputs.data}.npy`)))).data as Int32Array)
    const base = ['import', 'triplets', table, '--columns', 'stim_left,stim_middle,stim_right', '--objects-from', String(list.datasets[0]), '--subject-column', 'subject', '--rt-column', 'rt']
    const byName = JSON.parse(cli([...base, '--choice-column', 'chosen']).stdout)
    expect(byName).toMatchObject({ count: 3, objects: 4, objectsNamed: true, oddOneOutFrom: 'chosen (object)', extras: ['subject', 'rt'] })
    // Rows: (cat, cow | dog), (cat, dog | pig), (cow, pig | cat): indices of stimuli/cat, dog, cow, pig = 0, 1, 2, 3.
    expect(stored(byName)).toEqual([0, 2, 1, 0, 1, 3, 2, 3, 0])
    // The list's names stay with the triplets: features of these objects in another order line up with them.
    const opened = Project.open(project)
    try {
      expect(getDataset(opened.db, byName.datasets[0])!.meta.ids).toEqual(['stimuli/cat.jpg', 'stimuli/dog.jpg', 'stimuli/cow.jpg', 'stimuli/pig.jpg'])
    } finally {
      opened.close()
    }
    const byButton = JSON.parse(cli([...base, '--choice-column', 'button']).stdout)
    expect(byButton).toMatchObject({ oddOneOutFrom: 'button (position 0–2)' })
    expect(stored(byButton)).toEqual(stored(byName))
    const unlisted = cli(['import', 'triplets', table, '--columns', 'stim_left,stim_middle,stim_right', '--choice-column', 'chosen'])
    expect(unlisted.code).toBe(1)
    expect(unlisted.stderr).toContain('column "stim_left" holds names ("cat.jpg"), not indices: choose the object list they name (--objects-from')
  })

  it('imports triplets from jsPsych’s JSON data and a JATOS JSON Lines result, skipping the rows between the trials', () => {
    const { dir, project, cli } = setup()
    const list = fourNamedStimuli(dir, cli)
    const args = ['--columns', 'left,middle,right', '--choice-column', 'chosen', '--objects-from', String(list.datasets[0])]
    const fromJson = JSON.parse(cli(['import', 'triplets', join(fixtures, 'json/jspsych.json'), ...args, '--rt-column', 'rt']).stdout)
    expect(fromJson).toMatchObject({ count: 4, objects: 4, objectsNamed: true, skippedRows: 2, extras: ['rt'] })
    const stored = (output: string) => Array.from(decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${output}.npy`)))).data as Int32Array | Float32Array)
    // (cat, cow | dog), (cat, dog | pig), (cow, pig | cat), (dog, pig | cow): stimuli/cat, dog, cow, pig = 0, 1, 2, 3.
    expect(stored(fromJson.outputs.data)).toEqual([0, 2, 1, 0, 1, 3, 2, 3, 0, 1, 3, 2])
    expect(stored(fromJson.outputs.rt)).toEqual([812.5, 640, 1290, 955.25])
    const fromLines = JSON.parse(cli(['import', 'triplets', join(fixtures, 'json/jatos.jsonl'), ...args]).stdout)
    expect(stored(fromLines.outputs.data)).toEqual(stored(fromJson.outputs.data))
  })

  it('imports the sheets of an Excel workbook: features with their names, then trials that name them', () => {
    const { dir, project, cli } = setup()
    const workbook = join(fixtures, 'xlsx/study.xlsx')
    const several = cli(['import', 'features', workbook])
    expect(several.code).toBe(1)
    expect(several.stderr).toContain('study.xlsx holds several sheets ("trials", "features"); choose one with its key (--key NAME).')
    const features = JSON.parse(cli(['import', 'features', workbook, '--key', 'features']).stdout)
    expect(features).toMatchObject({ n: 4, p: 3, idsFrom: 'id column' })
    const stored = (output: string) => Array.from(decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${output}.npy`)))).data as Float32Array | Int32Array)
    // The numbers openpyxl wrote (tests/fixtures/xlsx/make_fixtures.py), as float32.
    expect(stored(features.outputs.data)).toEqual([0.1, -2.5, 1e-7, 3.25, 0, -1, 1 / 3, 2 / 3, 1, 12345.678, -0.125, 7].map(Math.fround))
    const trials = JSON.parse(
      cli(['import', 'triplets', workbook, '--key', 'trials', '--columns', 'left,middle,right', '--choice-column', 'chosen', '--objects-from', String(features.datasets[0]), '--rt-column', 'rt']).stdout,
    )
    expect(trials).toMatchObject({ count: 3, objects: 4, oddOneOutFrom: 'chosen (object)', extras: ['rt'] })
    // cat, dog, cow, pig = 0, 1, 2, 3: (cat, cow | dog), (cat, dog | pig), (cow, pig | cat).
    expect(stored(trials.outputs.data)).toEqual([0, 2, 1, 0, 1, 3, 2, 3, 0])
    expect(stored(trials.outputs.rt)).toEqual([812.5, 640, 1290.25])
    const missing = cli(['import', 'features', workbook, '--key', 'notes'])
    expect(missing.stderr).toContain('has no sheet "notes" with data (sheets: "trials", "features").')
    const old = join(dir, 'old.xls')
    writeFileSync(old, 'not really')
    expect(cli(['import', 'features', old]).stderr).toContain('old.xls: Excel 97–2003 (.xls) and OpenDocument (.ods) workbooks are not read; save the sheet as .xlsx or .csv.')
  })

  it('keeps subjects, response times, conditions and soft labels with the triplets', () => {
    const { dir, project, cli, env } = setup()
    const table = join(dir, 'levels.tsv')
    writeFileSync(table, 'subject\ti\tj\todd\trt\tlevel\nS2\t0\t1\t2\t812.5\tcoarse\nS10\t2\t3\t0\t1290\tfine\nS2\t1\t3\t2\t640\tcoarse\n')
    const soft = join(dir, 'soft.npy')
    writeFileSync(soft, encodeNpy({ dtype: '<f8', shape: [3, 3], data: Float64Array.of(0.7, 0.2, 0.1, 0.5, 0.25, 0.25, 1, 0, 0) }))
    const r = cli(['import', 'triplets', table, '--objects', '4', '--subject-column', 'subject', '--rt-column', 'rt', '--condition-column', 'level', '--soft-labels', soft])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 3, extras: ['subject', 'rt', 'condition', 'soft'] })
    const p = Project.open(project)
    try {
      const d = listDatasets(p.db)[0]!
      expect(d.meta).toMatchObject({ subjectLevels: ['S2', 'S10'], conditionLevels: ['coarse', 'fine'] })
      const read = (sha: unknown) => decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${String(sha)}.npy`))))
      expect(Array.from(read(d.meta.subjectArtifact).data as Int32Array)).toEqual([0, 1, 0])
      expect(Array.from(read(d.meta.rtArtifact).data as Float32Array)).toEqual([812.5, 1290, 640])
      expect(Array.from(read(d.meta.conditionArtifact).data as Int32Array)).toEqual([0, 1, 0])
      expect(read(d.meta.softLabels).shape).toEqual([3, 3])
      expect(Array.from(read(d.artifact).data as Int32Array)).toEqual([0, 1, 2, 2, 3, 0, 1, 3, 2])
    } finally {
      p.close()
    }
    // Listed with its id and what it holds in words; the linked arrays' content hashes stay out of sight.
    const listed = runCli(['project', 'info', project], env).stdout
    expect(listed).toMatch(/^ {2}1 triplets {3}3 × 3 {12}levels\n {32}3 triplets of 4 objects · 2 subjects · 2 conditions · response times · soft labels$/m)
    expect(listed).not.toMatch(/[0-9a-f]{64}/)
    writeFileSync(soft, encodeNpy({ dtype: '<f8', shape: [3, 3], data: Float64Array.of(0.7, 0.2, 0.2, 0.5, 0.25, 0.25, 1, 0, 0) }))
    expect(cli(['import', 'triplets', table, '--objects', '4', '--subject-column', 'subject', '--rt-column', 'rt', '--condition-column', 'level', '--soft-labels', soft]).stderr).toContain(
      'soft labels of triplet 0 are not probabilities (they sum to 1.100).',
    )
  })

  it('takes one matrix of several, or some, as a dataset of its own, by the names the file gives them or by their numbers', () => {
    const { project, cli } = setup()
    const imported = JSON.parse(cli(['import', 'similarity', join(examples, 'rsa92/92_behavRDMs.mat'), '--key', 'rdms_behav_92.RDM']).stdout)
    const from = String(imported.datasets[0])
    // The struct's name field names the matrices, as SciPy reads it.
    const names = readFileSync(join(fixtures, 'mat/rdms92_names_scipy.txt'), 'utf8').trim().split('\n')
    expect(imported.subjectsFrom).toEqual(names)
    const byName = cli(['derive', 'matrix', '--from', from, '--matrix', names[2]!])
    expect(byName.stderr).toBe('')
    expect(JSON.parse(byName.stdout)).toMatchObject({ name: `92_behavRDMs · ${names[2]}`, n: 92, matrix: names[2], matrixOf: '92_behavRDMs' })
    const byNumber = JSON.parse(cli(['derive', 'matrix', '--from', from, '--matrix', '16', '--name', 'the last subject']).stdout)
    expect(byNumber).toMatchObject({ name: 'the last subject', matrix: names[15] })
    const scipy = decodeNpy(new Uint8Array(readFileSync(join(fixtures, 'mat/rdms92_scipy.npy')))).data as Float64Array
    const p = Project.open(project)
    try {
      for (const [name, s] of [[`92_behavRDMs · ${names[2]}`, 2], ['the last subject', 15]] as const) {
        const d = listDatasets(p.db).find((x) => x.name === name)!
        expect(d).toMatchObject({ kind: 'similarity', shape: [92, 92], meta: { subjects: 1, measure: 'dissimilarity', matrixOf: '92_behavRDMs' } })
        const stored = decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${String(d.artifact)}.npy`))))
        expect(Array.from(stored.data as Float64Array)).toEqual(Array.from(scipy.subarray(s * 92 * 92, (s + 1) * 92 * 92)))
      }
    } finally {
      p.close()
    }
    // RSA says which side is the mean of several matrices.
    const alone = String(datasetNamed(project, 'the last subject'))
    expect(JSON.parse(cli(['eval', 'rsa', '--a', from, '--b', alone]).stdout)).toMatchObject({ a: '92_behavRDMs', aMatrices: 16, b: 'the last subject' })
    expect(JSON.parse(cli(['eval', 'rsa', '--a', from, '--b', alone]).stdout).bMatrices).toBeUndefined()
    expect(runCli(['eval', 'rsa', '--a', from, '--b', alone, '--project', project], { HUMANALIGN_BACKEND: 'wasm' }).stdout).toContain("a: 92_behavRDMs (the mean of its 16 matrices)\n  b: the last subject\n")
    // Against several subjects' matrices, RSA also gives r with each and their mean ± SEM, what their ceiling bounds:
    // human IT against the 16 subjects' judgments, as SciPy computes them.
    const it = JSON.parse(cli(['import', 'similarity', join(examples, 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat'), '--key', 'RDMs_mIT_hIT_fig1.RDM']).stdout)
    const hit = JSON.parse(cli(['derive', 'matrix', '--from', String(it.datasets[0]), '--matrix', 'hITvisStim_316vx']).stdout)
    const rsa = JSON.parse(cli(['eval', 'rsa', '--a', String(datasetNamed(project, hit.name)), '--b', from]).stdout)
    const scipyEach = JSON.parse(readFileSync(join(fixtures, 'mat/hit_vs_judgments_scipy.json'), 'utf8')) as { r: number[]; mean: number; sem: number }
    expect(rsa.perMatrix.side).toBe('b')
    expect(rsa.perMatrix.names).toEqual(names)
    rsa.perMatrix.r.forEach((r: number, s: number) => expect(r).toBeCloseTo(scipyEach.r[s]!, 12))
    expect(rsa.perMatrix.mean).toBeCloseTo(scipyEach.mean, 12)
    expect(rsa.perMatrix.sem).toBeCloseTo(scipyEach.sem, 12)
    // Every subject's r is above zero: scipy.stats.wilcoxon(r, alternative='greater') gives 2^-16.
    expect(rsa.perMatrix.signedRank).toEqual({ statistic: 136, p: 2 ** -16, n: 16 })
    expect(runCli(['eval', 'rsa', '--a', String(datasetNamed(project, hit.name)), '--b', from, '--project', project], { HUMANALIGN_BACKEND: 'wasm' }).stdout).toContain(
      `against each of b's 16 matrices: mean r ${scipyEach.mean.toFixed(4)} ± ${scipyEach.sem.toFixed(4)} (SEM), the figure a noise ceiling of them bounds; signed-rank p = 1.53e-5 (one-sided, over 16)`,
    )
    // Matrices of similarities are turned around as the mean RDM is: the same judgments called similarities correlate
    // negatively, each of them and their mean alike.
    const asSimilar = JSON.parse(cli(['import', 'similarity', join(examples, 'rsa92/92_behavRDMs.mat'), '--key', 'rdms_behav_92.RDM', '--measure', 'similarity', '--name', 'read as similarities']).stdout)
    const flipped = JSON.parse(cli(['eval', 'rsa', '--a', String(datasetNamed(project, hit.name)), '--b', String(asSimilar.datasets[0])]).stdout)
    flipped.perMatrix.r.forEach((r: number, s: number) => expect(r).toBeCloseTo(-scipyEach.r[s]!, 12))
    expect(flipped.r).toBeCloseTo(-rsa.r, 12)
    expect(cli(['derive', 'matrix', '--from', from]).stderr).toContain(`derive matrix needs --matrix NAME|N[,…]: the name the file gives the matrix or its number from 1, or several (1-8 for the first eight); "92_behavRDMs" holds 1: ${names[0]}, 2: ${names[1]},`)
    // Half of the subjects as a dataset: their matrices, in order, under the names the file gives them; RSA against
    // them is against those eight (SciPy's r with subjects 9–16).
    const half = JSON.parse(cli(['derive', 'matrix', '--from', from, '--matrix', '9-16', '--name', 'subjects 9–16']).stdout)
    expect(half).toMatchObject({ name: 'subjects 9–16', matrix: 'matrices 9–16', matrices: 8, n: 92 })
    // Where they came from, for telling what a probe was fitted to from what is held out.
    const opened = Project.open(project)
    try {
      expect(listDatasets(opened.db).find((d) => d.name === 'subjects 9–16')!.meta).toMatchObject({ matrixOfDataset: Number(from), matrices: [8, 9, 10, 11, 12, 13, 14, 15], subjects: 8 })
    } finally {
      opened.close()
    }
    const halfRsa = JSON.parse(cli(['eval', 'rsa', '--a', String(datasetNamed(project, hit.name)), '--b', String(datasetNamed(project, 'subjects 9–16'))]).stdout)
    expect(halfRsa.perMatrix.names).toEqual(names.slice(8))
    halfRsa.perMatrix.r.forEach((r: number, s: number) => expect(r).toBeCloseTo(scipyEach.r[s + 8]!, 12))
    const some = JSON.parse(cli(['derive', 'matrix', '--from', from, '--matrix', `1,${names[2]},5-6`]).stdout)
    expect(some).toMatchObject({ name: '92_behavRDMs · matrices 1, 3, 5–6', matrices: 4 })
    expect(runCli(['derive', 'matrix', '--from', from, '--matrix', '1-2', '--project', project], { HUMANALIGN_BACKEND: 'wasm' }).stdout).toContain('92_behavRDMs · matrices 1–2: matrices 1–2 of "92_behavRDMs", 2 × 92 × 92')
    expect(cli(['derive', 'matrix', '--from', from, '--matrix', '3,1-4']).stderr).toContain(`Matrix 3 ("${names[2]}") is chosen twice; choose each matrix once.`)
    expect(cli(['derive', 'matrix', '--from', from, '--matrix', '15-18']).stderr).toContain('"92_behavRDMs" holds 16 matrices; choose from 1–16, not 17.')
    expect(cli(['derive', 'matrix', '--from', from, '--matrix', 'subject 1']).stderr).toContain(`"92_behavRDMs" has no matrix named subject 1; it holds 1: ${names[0]}, 2: ${names[1]},`)
    expect(cli(['derive', 'matrix', '--from', from, '--matrix', '17']).stderr).toContain('"92_behavRDMs" holds 16 matrices; choose one of 1–16, not 17.')
    expect(cli(['derive', 'matrix', '--from', alone, '--matrix', '1']).stderr).toContain('"the last subject" holds one matrix; it is already a dataset of its own.')
    const features = JSON.parse(cli(['import', 'features', join(examples, 'things/spose_embedding66d_rescaled_48val_reordered.csv')]).stdout)
    expect(cli(['derive', 'matrix', '--from', String(features.datasets[0]), '--matrix', '1']).stderr).toContain('is features; a matrix is taken from similarity matrices.')
    // 21 commands, each a Node start: 14 s alone here, twice that beside another test file.
  }, 90_000)

  it('derives every triplet of the 92 images from the 16 subjects’ judgments (their votes as soft labels), renames and removes datasets', () => {
    const { project, cli, env } = setup()
    const matrices = JSON.parse(cli(['import', 'similarity', join(examples, 'rsa92/92_behavRDMs.mat'), '--key', 'rdms_behav_92.RDM']).stdout)
    const r = cli(['derive', 'triplets', '--from', String(matrices.datasets[0]), '--name', 'every triplet'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'every triplet', count: 125_580, objects: 92, subjects: 16 })
    // Each subject's vote against the majority of the other 15, as NumPy computes it (mat/derived_ceiling.py).
    const ceiling = JSON.parse(readFileSync(join(fixtures, 'mat/derived_ceiling.json'), 'utf8')).ceiling as number
    expect(JSON.parse(r.stdout).subjectsCeiling).toBeCloseTo(ceiling, 12)
    // 6,895 triplets (5.5%) have a tied majority, broken at random — counted in NumPy from SciPy's reading of the file:
    // per subject a vote for the least dissimilar pair (split on ties), summed; tied where two pairs share the top sum.
    expect(JSON.parse(r.stdout).tiedMajorities).toBe(6895)
    const p = Project.open(project)
    try {
      const d = listDatasets(p.db).find((x) => x.name === 'every triplet')!
      const read = (sha: unknown) => decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${String(sha)}.npy`))))
      const indices = read(d.artifact).data as Int32Array
      const soft = read(d.meta.softLabels).data as Float32Array
      const row = (objects: number[]) => Array.from({ length: 125_580 }, (_, t) => t).find((t) => [0, 1, 2].every((c) => objects.includes(indices[3 * t + c]!)))!
      // The subjects' votes for the pairs (01, 02, 12) of triplets (0, 1, 2) and (10, 50, 91), from SciPy's reading of the
      // file: python3 -c "… a = [x.RDM for x in loadmat(…)['rdms_behav_92']]; per subject a vote for the least
      // dissimilar pair (split on ties), averaged": [0.0625, 0.9375, 0] and [0.1875, 0.5625, 0.25]. Written with the
      // majority pair first: (0, 2 | odd 1) and (10, 91 | odd 50), the votes in the written pairs' order.
      for (const [objects, written, votes] of [[[0, 1, 2], [0, 2, 1], [0.9375, 0.0625, 0]], [[10, 50, 91], [10, 91, 50], [0.5625, 0.1875, 0.25]]]) {
        const t = row(objects!)
        expect(Array.from(indices.subarray(3 * t, 3 * t + 3))).toEqual(written)
        expect(Array.from(soft.subarray(3 * t, 3 * t + 3))).toEqual(votes!.map(Math.fround))
      }
    } finally {
      p.close()
    }
    expect(cli(['derive', 'triplets', '--from', 'abc']).stderr).toContain('--from abc is not a dataset id; `humanalign project info DIR` lists them.')
    expect(cli(['derive', 'triplets']).stderr).toContain('derive triplets needs --from DATASET_ID, the similarity matrices to derive from')
    expect(cli(['derive', 'triplets', '--from', '99']).stderr).toContain('There is no dataset 99 in this project.')
    const features = JSON.parse(cli(['import', 'features', join(examples, 'things/spose_embedding66d_rescaled_48val_reordered.csv')]).stdout)
    expect(cli(['derive', 'triplets', '--from', String(features.datasets[0])]).stderr).toContain('is features; triplets are derived from similarity matrices.')

    // Renamed and removed by id; its array, which nothing else uses, is freed.
    const id = String(features.datasets[0])
    const renamed = JSON.parse(cli(['dataset', 'rename', id, 'SPoSE, 48 objects']).stdout)
    expect(renamed).toMatchObject({ name: 'SPoSE, 48 objects', kind: 'features' })
    const files = readdirSync(join(project, 'artifacts'))
    const bytes = statSync(join(project, 'artifacts', `${renamed.artifact}.npy`)).size
    expect(JSON.parse(cli(['dataset', 'remove', id]).stdout)).toEqual({ dataset: expect.objectContaining({ name: 'SPoSE, 48 objects' }), freed: { files: 1, bytes } })
    expect(readdirSync(join(project, 'artifacts'))).toEqual(files.filter((f) => f !== `${renamed.artifact}.npy`))
    expect(JSON.parse(runCli(['project', 'info', project, '--json'], env).stdout).datasets.map((d: { name: string }) => d.name)).toEqual(['every triplet', '92_behavRDMs'])
    expect(cli(['dataset', 'remove', id]).stderr).toContain(`There is no dataset ${id} in this project.`)
    expect(cli(['dataset', 'rename', '1', ' ']).stderr).toContain('a dataset name is required')
    expect(cli(['dataset', 'rename', '1']).stderr).toContain('dataset rename takes the id and one new name')
    expect(cli(['dataset', 'delete', '1']).stderr).toContain('Unknown dataset action "delete"; use rename or remove.')
  })

  it('imports features from a torch.save checkpoint by the tensor’s path', () => {
    const { project, cli } = setup()
    const r = cli(['import', 'features', join(fixtures, 'torch/checkpoint.pt'), '--key', 'model.weight', '--name', 'head weights'])
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({ dataset: 'features', n: 2, p: 3 })
    const stored = decodeNpy(new Uint8Array(readFileSync(join(project, 'artifacts', `${result.outputs.data}.npy`))))
    const numpy = decodeNpz(new Uint8Array(readFileSync(join(fixtures, 'torch/checkpoint.npz'))))['model.weight']!
    expect(Array.from(stored.data as Float32Array)).toEqual(Array.from(numpy.data as Float32Array))
    expect(cli(['import', 'features', join(fixtures, 'torch/checkpoint.pt'), '--key', 'weights']).stderr).toContain("has no tensor 'weights' (it has: features, rows, labels, half, bf16, flags, layers.0, layers.1, model.weight, model.bias)")
  })

  it('checks triplets and features against an object list already in the project', () => {
    const { dir, cli } = setup()
    const features = join(dir, 'four.npy')
    writeFileSync(features, encodeNpy({ dtype: '<f4', shape: [4, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) }))
    const id = JSON.parse(cli(['import', 'features', features]).stdout).datasets[0] as number
    const triplets = join(dir, 't.txt')
    writeFileSync(triplets, '0 1 2\n3 2 1\n')
    expect(JSON.parse(cli(['import', 'triplets', triplets, '--objects-from', String(id)]).stdout)).toMatchObject({ count: 2, objects: 4 })
    writeFileSync(triplets, '0 1 2\n3 2 4\n')
    expect(cli(['import', 'triplets', triplets, '--objects-from', String(id)]).stderr).toContain('triplet 1 refers to object 4, but the object list has 4 objects (0…3)')
    const five = join(dir, 'five.npy')
    writeFileSync(five, encodeNpy({ dtype: '<f4', shape: [5, 2], data: new Float32Array(10) }))
    expect(cli(['import', 'features', five, '--objects-from', String(id)]).stderr).toContain('the features have 5 rows, but the object list "four" has 4 objects.')
    expect(cli(['import', 'triplets', triplets, '--objects-from', '99']).stderr).toContain('There is no dataset 99 in this project.')
  })

  it.each([
    ['features', 'features with NaN', () => encodeNpy({ dtype: '<f4', shape: [2, 2], data: Float32Array.of(1, NaN, 3, 4) }), 'x.npy', [], 'features hold NaN at object 0, feature 1'],
    ['similarity', 'an asymmetric matrix', () => encodeNpy({ dtype: '<f8', shape: [2, 2], data: Float64Array.of(0, 1, 2, 0) }), 'x.npy', [], 'the matrix is not symmetric'],
    ['similarity', 'a non-square matrix', () => encodeNpy({ dtype: '<f8', shape: [2, 4], data: new Float64Array(8) }), 'x.npy', [], 'the matrix is not square (2 × 4)'],
    ['triplets', 'an index out of range', () => new TextEncoder().encode('0 1 2\n0 1 9\n'), 'x.txt', ['--objects', '5'], 'triplet 1 refers to object 9, but the object list has 5 objects'],
    ['features', 'a truncated file', () => encodeNpy({ dtype: '<f4', shape: [20, 20], data: new Float32Array(400) }).subarray(0, 900), 'x.npy', [], 'truncated .npy data'],
    ['similarity', 'an unknown key', () => readFileSync(join(examples, 'rsa92/92_behavRDMs.mat')), 'x.mat', ['--key', 'rdms'], "has no variable 'rdms' (it has: rdms_behav_92)"],
    ['features', 'a text cell in a numeric column', () => new TextEncoder().encode('id,x,y\na,1,2\nb,3,oops\n'), 'x.csv', [], 'column "y" holds text (line 3 holds "oops")'],
    ['features', 'a wrong dtype', () => encodeNpy({ dtype: '<i8', shape: [2, 2], data: new BigInt64Array(4) }), 'x.npy', [], '64-bit integers'],
  ])('refuses %s with %s and leaves the project byte-identical', (kind, _what, content, name, extra, message) => {
    const { dir, project, cli } = setup()
    copyFileSync(join(fixtures, 'npy/f32_3x4.npy'), join(dir, 'good.npy'))
    expect(cli(['import', 'features', join(dir, 'good.npy')]).code).toBe(0)
    const before = snapshot(project)
    const file = join(dir, name)
    writeFileSync(file, content())
    const r = cli(['import', kind, file, ...extra])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(snapshot(project)).toEqual(before)
  })
})

describe('example projects', () => {
  it('creates the THINGS and 92-image projects from the bundled data', async () => {
    const dir = tmp()
    const env = { HUMANALIGN_CONFIG_DIR: join(dir, 'config') }
    const things = runCli(['project', 'create', join(dir, 'things'), '--example', 'things', '--json'], env)
    expect(things.stderr).toBe('')
    expect(JSON.parse(things.stdout)).toMatchObject({ name: 'THINGS: 1,854 objects', counts: { datasets: 5, featureSets: 2, artifacts: 5 } })
    const thingsProject = Project.open(join(dir, 'things'))
    try {
      const byName = Object.fromEntries(listDatasets(thingsProject.db).map((d) => [d.name, d]))
      expect(byName['THINGSplus categories (53)']).toMatchObject({ kind: 'concepts', shape: [1854, 53], meta: { n: 1854, skippedRows: 1, categorySource: '53 one-hot columns' } })
      expect(byName['THINGS concepts (names, WordNet ids, bottom-up categories)']).toMatchObject({ shape: [1854, expect.any(Number)], meta: { nameColumn: 'uniqueID', wordnetIds: '1854 wordnetIds' } })
      const membership = decodeNpy(new Uint8Array(readFileSync(join(thingsProject.dir, 'artifacts', `${byName['THINGSplus categories (53)']!.artifact}.npy`))))
      // The aardvark's memberships, as the file marks them.
      const row = Array.from((membership.data as Uint8Array).subarray(0, 53))
      const tsv = readFileSync(join(examples, 'things/categories_final_20200131.tsv'), 'utf8').split('\n')[1]!.split('\t').slice(2)
      expect(row).toEqual(tsv.map((v) => (v.trim() === '1' ? 1 : 0)))
      // Every THINGS dataset names the concepts by uniqueID, in item_names.tsv's order: the SPoSE file's own
      // image_name column is in byte order (its rows 322–324 hold chicken wire, chicken meat and the animal, which
      // it calls chicken1, chicken2, chicken_wire), THINGSplus' words repeat ("chicken" twice).
      const uniqueIds = readFileSync(join(examples, 'things/item_names.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t')[5]!)
      expect(byName['SPoSE 66-d embedding (THINGS, 1,854 objects)']!.meta.ids).toBe('1854 ids')
      const spose = getDataset(thingsProject.db, byName['SPoSE 66-d embedding (THINGS, 1,854 objects)']!.id)!
      expect(spose.meta.ids).toEqual(uniqueIds)
      expect((spose.meta.ids as string[]).slice(322, 325)).toEqual(['chicken_wire', 'chicken1', 'chicken2'])
      expect(getDataset(thingsProject.db, byName['THINGSplus categories (53)']!.id)!.meta.names).toEqual(uniqueIds)
    } finally {
      thingsProject.close()
    }

    // Features averaged per THINGSplus category, which nest ("animal" holds "mammal"): pandas' means (make.py there).
    const means = runCli(['derive', 'means', '--from', '1', '--by', '5', '--project', join(dir, 'things'), '--json'], env)
    expect(means.stderr).toBe('')
    expect(JSON.parse(means.stdout)).toMatchObject({ n: 53, p: 66, rows: 1448, shared: 664, uncategorised: 406, emptyCategories: [] })
    const averaged = Project.open(join(dir, 'things'))
    try {
      const made = listDatasets(averaged.db).find((d) => d.name.endsWith('mean per category'))!
      expect(readArtifact(averaged.db, join(dir, 'things'), made.artifact!).data).toEqual(decodeNpy(new Uint8Array(readFileSync(join(fixtures, 'npy/thingsplus_means/means.npy')))).data)
    } finally {
      averaged.close()
    }

    // Every dataset listed by id (what --objects-from takes) with its metadata in words.
    const listed = runCli(['project', 'info', join(dir, 'things')], env).stdout
    expect(listed).toContain('1,854 names (from "item_names.tsv") · 53 categories from 53 one-hot columns · 1 row skipped')
    expect(listed).toContain('(1,448 rows, 15–295 a category; 664 rows in several, counted in each)')
    expect(listed).toContain('dissimilarities, one matrix · array RDM48_triplet')
    const { datasets } = JSON.parse(runCli(['project', 'info', join(dir, 'things'), '--json'], env).stdout) as { datasets: { id: number; kind: string; details: string[] }[] }
    expect(datasets.map((d) => d.id)).toEqual([6, 5, 4, 3, 2, 1])
    expect(datasets.map((d) => d.kind).sort()).toEqual(['concepts', 'concepts', 'features', 'features', 'features', 'similarity'])
    expect(datasets.find((d) => d.kind === 'similarity')!.details).toEqual(['dissimilarities, one matrix', 'array RDM48_triplet'])

    // The 92-object example also runs its analyses (wasm: the GPU adapter probe would print Dawn's warnings here).
    const rsa = runCli(['project', 'create', join(dir, 'rsa92'), '--example', 'rsa92', '--json'], { ...env, HUMANALIGN_BACKEND: 'wasm' }, 240_000)
    expect(rsa.stderr).toBe('')
    const info = JSON.parse(rsa.stdout)
    // 4 imported datasets, then the features, the derived triplets, monkey and human IT apart, and the probed
    // features; 10 runs.
    expect(info.counts).toMatchObject({ datasets: 9, featureSets: 2, runs: 10 })
    // The IT RDMs are stored as pdist vectors; expanded they equal scipy's squareform.
    const project = Project.open(join(dir, 'rsa92'))
    try {
      const it = listDatasets(project.db).find((d) => d.name.includes('IT RDMs'))!
      expect(it.shape).toEqual([2, 92, 92])
      const stored = decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', `${it.artifact}.npy`))))
      const scipy = decodeNpy(new Uint8Array(readFileSync(join(fixtures, 'mat/it_rdms_squareform_scipy.npy'))))
      expect(Array.from(stored.data as Float64Array)).toEqual(Array.from(scipy.data as Float64Array))
      // Named by the struct's name field; each taken alone, it is SciPy's matrix of that name.
      const it92 = JSON.parse(readFileSync(join(fixtures, 'mat/it_rdms_scipy.json'), 'utf8')) as { names: string[]; spearman: number }
      expect(it.meta.subjectsFrom).toEqual(it92.names)
      const alone = it92.names.map((name) => listDatasets(project.db).find((d) => d.meta.matrix === name)!)
      expect(alone.map((d) => [d.shape, d.meta.matrixOf])).toEqual([[[92, 92], it.name], [[92, 92], it.name]])
      const human = decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', `${alone[1]!.artifact}.npy`))))
      expect(Array.from(human.data as Float64Array)).toEqual(Array.from((scipy.data as Float64Array).subarray(92 * 92)))
      // The 92 stimuli, written as PNG files, hold exactly the pixels SciPy reads from the MAT-file.
      const images = listDatasets(project.db).find((d) => d.kind === 'images')!
      expect(images).toMatchObject({ name: 'The 92 stimulus images', meta: { n: 92, files: '92 files' } })
      // Categories from the stimuli struct array, in the order the file presents them, as SciPy reads them.
      const concepts = getDataset(project.db, listDatasets(project.db).find((d) => d.kind === 'concepts')!.id)!
      const labels = readFileSync(join(fixtures, 'mat/stimuli_categories_scipy.txt'), 'utf8').trim().split('\n')
      const categories = [...new Set(labels)]
      expect(categories).toEqual(['human bodypart', 'human face', 'nonhuman bodypart', 'nonhuman face', 'natural inanimate', 'artificial inanimate'])
      expect(concepts).toMatchObject({ shape: [92, 6], meta: { key: 'stimuli_92objs', nameColumn: null, categories, categorySource: 'column "category"' } })
      const membership = decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', `${concepts.artifact}.npy`)))).data as Uint8Array
      expect(Array.from(membership)).toEqual(labels.flatMap((label) => categories.map((c) => (c === label ? 1 : 0))))
      const folder = join(project.dir, String(images.meta.folder))
      const expected = readFileSync(join(fixtures, 'mat/stimuli_sha256_scipy.txt'), 'utf8').trim().split('\n')
      for (const [i, sha] of expected.entries()) {
        const { data, info } = await sharp(join(folder, `${String(i + 1).padStart(2, '0')}.png`)).raw().toBuffer({ resolveWithObject: true })
        expect([info.width, info.height, info.channels]).toEqual([175, 175, 3])
        expect(createHash('sha256').update(data).digest('hex')).toBe(sha)
      }
      const runs = listRuns(project.db)
      expect(runs.map((r) => r.kind).sort()).toEqual(['ceiling', 'compare', 'gw', 'map', 'map', 'map', 'odd-one-out', 'probe', 'rsa', 'rsa'])
      // Human IT against each subject's judgments, as SciPy computes it; MobileNetV2 compared with it across them.
      const hitRsa = runs.find((r) => r.kind === 'rsa' && (r.result as { a: string }).a.includes('human IT'))!.result as { perMatrix: { r: number[]; mean: number } }
      const scipyEach = JSON.parse(readFileSync(join(fixtures, 'mat/hit_vs_judgments_scipy.json'), 'utf8')) as { r: number[]; mean: number }
      hitRsa.perMatrix.r.forEach((r, s) => expect(r).toBeCloseTo(scipyEach.r[s]!, 12))
      const [compared] = rsaComparisons(runs)
      expect(compared).toMatchObject({ against: "92 images: 16 subjects' judgment RDMs", subjects: 16 })
      expect([compared!.first, compared!.second].sort()).toEqual(['92 images: human IT RDM (316 voxels)', 'MobileNetV2 flatten_1 · The 92 stimulus images'])
      // The ceiling of the 16 subjects is the published one (Nili et al. 2014, the 92-image data).
      const ceiling = runs.find((r) => r.kind === 'ceiling')!.result as { lower: number; upper: number }
      expect(ceiling.lower).toBeCloseTo(0.4770, 4)
      expect(ceiling.upper).toBeCloseTo(0.5767, 4)
      // The triplets are all C(92, 3) with the subjects' votes as soft labels.
      const triplets = listDatasets(project.db).find((d) => d.kind === 'triplets')!
      expect(triplets.meta).toMatchObject({ count: 125_580, objects: 92, subjects: 16 })
      const compare = runs.find((r) => r.kind === 'compare')!.result as { names: string[]; rsa: number[]; order: number[] }
      expect(compare.names).toHaveLength(5)
      expect(compare.rsa.filter((_, k) => k % 6 === 0)).toEqual([1, 1, 1, 1, 1])
      expect([...compare.order].sort()).toEqual([0, 1, 2, 3, 4])
      // Human IT against monkey IT: SciPy's Spearman r of the two RDMs (Kriegeskorte et al. 2008, figure 1).
      const [hit, mit] = ['human IT', 'monkey IT'].map((brain) => compare.names.findIndex((name) => name.includes(brain)))
      expect(compare.rsa[hit! * 5 + mit!]).toBeCloseTo(it92.spearman, 12)
    } finally {
      project.close()
    }
  }, 300_000)

  it('names an unknown example', () => {
    const r = runCli(['project', 'create', join(tmp(), 'x'), '--example', 'mnist'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--example mnist is not an example; the examples are things, rsa92, langlois25.')
  })
})

describe('humanalign simulate triplets', () => {
  it('stores THINGS triplets simulated from SPoSE, labelled so, with soft labels and the calibrated temperature', () => {
    const { project, cli } = setup()
    const r = cli(['simulate', 'triplets', '--n', '20000', '--seed', '3'])
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({ count: 20000, objects: 1854, label: 'simulated from SPoSE' })
    expect(result.name).toContain('simulated from SPoSE')
    expect(result.meanMaxProbability).toBeCloseTo(0.673, 3)
    const p = Project.open(project)
    try {
      const [dataset] = listDatasets(p.db)
      expect(dataset).toMatchObject({ kind: 'triplets', shape: [20000, 3], meta: { simulated: 'simulated from SPoSE', seed: 3, oddOneOut: 2 } })
      const soft = decodeNpy(new Uint8Array(readFileSync(join(p.dir, 'artifacts', `${dataset!.meta.softLabels}.npy`))))
      expect(soft.shape).toEqual([20000, 3])
      const s = soft.data as Float32Array
      expect(s[0]! + s[1]! + s[2]!).toBeCloseTo(1, 5)
    } finally {
      p.close()
    }
    // The same seed gives the same triplets.
    expect(JSON.parse(cli(['simulate', 'triplets', '--n', '20000', '--seed', '3']).stdout).outputs).toEqual(result.outputs)
  })
})
