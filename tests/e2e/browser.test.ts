// End to end in Debian's Chromium against browser mode: the same renderer and contract as the desktop window.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeNpy, encodeNpy } from '../../src-main/core/io/npy'
import { decodeNpz } from '../../src-main/core/io/npz'
import { checkpointDir, writeCheckpoint } from '../../src-main/jobs/checkpoint'
import { Project } from '../../src-main/store/project'
import { runCli, type ServerProcess } from '../helpers/cli'
import { seedArtifacts, seedSparseArtifact } from '../helpers/seed'
import { useSwiftShader } from '../helpers/swiftshader'
import { saveTinyModel } from '../helpers/tinyModel'
import { openWorkbench, type Workbench } from '../helpers/workbench'

const SHOTS = join(__dirname, 'screenshots')

let root: string
let workbench: Workbench
let server: ServerProcess
let browser: Browser
let page: Page
let seeded: string
let large: string
/** The checkpoint folder of the interrupted job in `large`. */
let interrupted: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'humanalign-e2e-'))
  mkdirSync(SHOTS, { recursive: true })
  seeded = join(root, 'seeded')
  const project = Project.create(seeded, 'Seeded', '0')
  seedArtifacts(project, 4, 8)
  project.close()
  // Verifying 4 GiB takes long enough to watch the progress bar and cancel.
  large = join(root, 'large')
  const big = Project.create(large, 'Large', '0')
  seedSparseArtifact(big, 4)
  // A job a crash interrupted, with its checkpoint: resumable, or discarded.
  const { lastInsertRowid } = big.db
    .prepare("INSERT INTO jobs (kind, spec, state, stage, error, checkpoint_at, created_at) VALUES ('similarity', ?, 'failed', 'Stopped', 'Interrupted: HumanAlign stopped while this job ran.', 'then', 'then')")
    .run(JSON.stringify({ kind: 'similarity', features: 'f'.repeat(64), metric: 'cosine', checkpointSeconds: 2 }))
  interrupted = checkpointDir(large, Number(lastInsertRowid))
  writeCheckpoint(interrupted, { state: { nextRow: 1 }, arrays: { rows: { dtype: '<f4', shape: [2], data: Float32Array.of(1, 2) } } })
  big.close()
  workbench = await openWorkbench({ ...useSwiftShader(), HUMANALIGN_BACKEND: '', HUMANALIGN_CONFIG_DIR: join(root, 'config'), HUMANALIGN_PROJECTS_DIR: join(root, 'projects') })
  ;({ server, browser, page } = workbench)
}, 120_000)

afterAll(async () => {
  await workbench?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

const toast = (p: Page) => p.locator('.toast')
/** Opens a project made outside the window (by the CLI), the page loaded afresh. */
async function openFreshly(dir: string): Promise<void> {
  await page.goto(server.url)
  await page.locator('#open-path, [data-testid=project-name]').first().waitFor()
  const close = page.getByRole('button', { name: 'Close project' })
  if (await close.count()) await close.click()
  await page.fill('#open-path', dir)
  await page.getByRole('button', { name: 'Open', exact: true }).click()
}

/** The Alignment page (Alt+4) at one of its tabs. */
async function openAlignment(p: Page, tab: string): Promise<void> {
  await p.keyboard.press('Alt+4')
  await p.getByRole('tab', { name: tab, exact: true }).click()
}

describe('the workbench in a browser', () => {
  it('refuses to work without the token and says where to get it', async () => {
    const other = await browser.newPage()
    await other.goto(`http://127.0.0.1:${server.port}/`)
    await expect.poll(() => other.textContent('main')).toContain('This page needs the session token')
    await other.close()
  })

  it('shows a clear error for a folder that is not a project', async () => {
    await page.goto(server.url)
    await page.getByRole('heading', { name: 'Welcome to HumanAlign' }).waitFor()
    expect(new URL(page.url()).searchParams.get('token')).toBeNull()
    await page.fill('#open-path', root)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await toast(page).first().waitFor()
    expect(await toast(page).first().textContent()).toContain(`${root} is not a HumanAlign project (it has no project.sqlite)`)
    await page.keyboard.press('Escape')
    await expect.poll(() => toast(page).count()).toBe(0)
  })

  it('creates a project and still has it after a reload', async () => {
    await page.fill('#new-name', 'E2E study')
    expect(await page.inputValue('#new-folder')).toBe(join(root, 'projects', 'e2e-study'))
    await page.getByRole('button', { name: 'Create project' }).click()
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('E2E study')
    expect(existsSync(join(root, 'projects', 'e2e-study', 'project.sqlite'))).toBe(true)

    await page.reload()
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('E2E study')
    await expect.poll(() => page.textContent('[data-testid=recent-projects]')).toContain('E2E study')
    await page.screenshot({ path: join(SHOTS, 'workbench.png') })

    await page.getByRole('button', { name: 'Close project' }).click()
    await page.getByRole('heading', { name: 'Welcome to HumanAlign' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to HumanAlign' }).waitFor()
    expect(await page.textContent('[data-testid=recent-projects]')).toContain(join(root, 'projects', 'e2e-study'))
    await page.screenshot({ path: join(SHOTS, 'welcome.png') })
  })

  it('runs a job with a live progress bar, cancels it, and runs one to the end', async () => {
    await page.fill('#open-path', large)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('Large')
    await page.getByRole('button', { name: 'Verify artifacts' }).click()
    await page.keyboard.press('Alt+6')
    await page.getByRole('heading', { name: 'Jobs' }).waitFor()
    const row = page.locator('[data-testid=jobs-table] tbody tr').first()
    await expect.poll(() => row.locator('.state').textContent()).toBe('running')
    await expect
      .poll(async () => Number(await row.getByRole('progressbar').getAttribute('aria-valuenow')), { timeout: 10_000 })
      .toBeGreaterThan(0)
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/Artifact 1 of 1\s+· about \d+ s left/)
    // The sidebar shows it on every page, with its own Cancel.
    expect(await page.locator('[data-testid=active-jobs]').textContent()).toContain('Verify artifacts')
    await page.screenshot({ path: join(SHOTS, 'jobs-running.png') })
    await row.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => row.locator('.state').textContent()).toBe('cancelled')
    expect(await row.getByRole('button', { name: 'Cancel' }).count()).toBe(0)
    expect(await page.locator('[data-testid=active-jobs]').count()).toBe(0)

    // The interrupted job can be resumed, or given up with its checkpoint.
    const stopped = page.locator('[data-testid=jobs-table] tbody tr', { hasText: 'Similarity matrix' })
    expect(await stopped.locator('.state').textContent()).toBe('failed')
    expect(await stopped.getByRole('button', { name: 'Resume' }).count()).toBe(1)
    expect(existsSync(interrupted)).toBe(true)
    await stopped.getByRole('button', { name: /^Discard job / }).click()
    await expect.poll(() => stopped.locator('.state').textContent()).toBe('cancelled')
    expect(await stopped.getByRole('button', { name: 'Resume' }).count()).toBe(0)
    expect(existsSync(interrupted)).toBe(false)
    await expect.poll(async () => (await toast(page).allTextContents()).join('\n')).toMatch(/Discarded job \d+; its checkpoint is deleted\./)

    await page.keyboard.press('Alt+1')
    await page.getByRole('button', { name: 'Close project' }).click()
    await page.fill('#open-path', seeded)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('Seeded')
    await page.getByRole('button', { name: 'Verify artifacts' }).click()
    await page.keyboard.press('Alt+6')
    const latest = page.locator('[data-testid=jobs-table] tbody tr').first()
    await expect.poll(() => latest.locator('.state').textContent(), { timeout: 60_000 }).toBe('done')
    expect(await latest.textContent()).toContain('4 checked, all intact')
    await latest.getByRole('button', { name: 'Verify artifacts' }).click()
    await page.locator('.chart canvas').waitFor()
    await page.screenshot({ path: join(SHOTS, 'jobs-done.png') })

    // The same job as a Slurm batch script for a cluster node, rewritten as the resources change.
    const id = (await latest.locator('td').first().textContent())!.trim()
    await latest.getByRole('button', { name: `Cluster script for job ${id}` }).click()
    const script = page.locator('[data-testid=script-text]')
    await expect.poll(() => script.textContent()).toContain('#SBATCH --gres=gpu:1')
    expect(await script.textContent()).toContain(`job run "$spec" --project ${seeded}\n`)
    expect(await script.textContent()).toContain('"kind": "verifyArtifacts"')
    await page.fill('#script-gpus', '0')
    await page.fill('#script-partition', 'short')
    await expect.poll(() => script.textContent()).toContain('#SBATCH --partition=short')
    expect(await script.textContent()).not.toContain('--gres')
    await page.fill('#script-time', '4h')
    await expect.poll(() => page.locator('[data-testid=cluster-script] [role=alert]').textContent()).toBe('The time limit "4h" is not valid for Slurm: write minutes, HH:MM:SS or D-HH:MM:SS.')
    await page.fill('#script-time', '1-00:00:00')
    await expect.poll(() => script.textContent()).toContain('#SBATCH --time=1-00:00:00')
    await page.getByRole('button', { name: 'Save humanalign-job-' }).waitFor()
    await page.locator('[data-testid=cluster-script]').screenshot({ path: join(SHOTS, 'cluster-script.png') })
    await page.locator('[data-testid=cluster-script]').getByRole('button', { name: 'Close' }).click()
    expect(await page.locator('[data-testid=cluster-script]').count()).toBe(0)
  }, 120_000)

  it('switches to the dark theme and remembers it', async () => {
    await page.getByRole('button', { name: 'Dark theme' }).click()
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark')
    await page.reload()
    await expect.poll(() => page.getAttribute('html', 'data-theme')).toBe('dark')
    await page.keyboard.press('Alt+1')
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('Seeded')
    // The summary followed the finished job.
    expect(await page.locator('.stat', { hasText: 'Jobs' }).locator('dd').textContent()).toBe('1')
    await page.screenshot({ path: join(SHOTS, 'project-dark.png') })
    await page.keyboard.press('Alt+2')
    await page.getByRole('heading', { name: 'Data', exact: true }).waitFor()
    expect(await page.textContent('main')).toContain('This project has no datasets yet.')
  })

  it('shows the compute backends and lets the user choose one', async () => {
    await page.getByRole('link', { name: 'System and compute backend' }).click()
    await page.getByRole('heading', { name: 'System' }).waitFor()
    await expect.poll(() => page.textContent('[data-testid=chosen-backend]'), { timeout: 30_000 }).toContain('Jobs run on webgpu')
    const rows = page.locator('[data-testid=backends] tr')
    expect(await rows.filter({ hasText: 'tensorflow' }).textContent()).toContain('neither native TensorFlow package loads')
    expect(await rows.filter({ hasText: 'webgpu' }).textContent()).toContain('available')
    expect(await rows.filter({ hasText: 'wasm' }).textContent()).toMatch(/available\d+ threads?; started in \d+ ms/)
    expect(await page.textContent('main')).toContain('swiftshader')
    await page.screenshot({ path: join(SHOTS, 'system.png') })
    await page.selectOption('#backend', 'wasm')
    await expect.poll(() => page.textContent('[data-testid=chosen-backend]'), { timeout: 30_000 }).toContain('Jobs run on wasm (asked for wasm by this setting)')
  })

  it('imports a MATLAB file from the Data page', async () => {
    await page.keyboard.press('Alt+2')
    await page.getByRole('heading', { name: 'Data', exact: true }).waitFor()
    // Browsing to a file instead of typing its path; a table then shows its first rows before anything is imported.
    await page.getByRole('button', { name: 'Browse for a file, or a folder of images' }).click()
    const picker = page.locator('[data-testid=file-picker]')
    await picker.waitFor()
    await page.fill('#picker-path', join(__dirname, '../../resources/examples'))
    await picker.getByRole('button', { name: 'Go', exact: true }).click()
    // Files HumanAlign does not read are shown dimmed.
    await expect.poll(() => picker.locator('.picker-entries').textContent()).toContain('PROVENANCE.md')
    expect(await picker.getByRole('button', { name: /^PROVENANCE\.md/ }).getAttribute('class')).toContain('unreadable')
    await picker.getByRole('button', { name: 'things/' }).click()
    await expect.poll(() => picker.locator('.picker-entries').textContent()).toContain('spose_embedding66d_rescaled.csv')
    await page.screenshot({ path: join(SHOTS, 'file-picker.png') })
    await picker.getByRole('button', { name: /^spose_embedding66d_rescaled\.csv/ }).click()
    await expect.poll(() => picker.count()).toBe(0)
    expect(await page.inputValue('#import-path')).toBe(join(__dirname, '../../resources/examples/things/spose_embedding66d_rescaled.csv'))
    await expect.poll(() => page.textContent('[data-testid=import-rows]'), { timeout: 20_000 }).toContain('aardvark_01b.jpg')
    await page.screenshot({ path: join(SHOTS, 'data-preview.png') })
    await page.fill('#import-path', join(__dirname, '../../resources/examples/rsa92/92_behavRDMs.mat'))
    await page.getByRole('button', { name: 'Look inside' }).click()
    await expect.poll(() => page.textContent('[data-testid=import-preview]'), { timeout: 20_000 }).toContain('rdms_behav_92 struct [1 × 16] fields RDM, name, color')
    await page.selectOption('#import-kind', 'similarity')
    await page.selectOption('#import-key', 'rdms_behav_92.RDM')
    await page.fill('#import-name', '92 human RDMs')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    const row = page.locator('[data-testid=datasets-table] tbody tr', { hasText: '92 human RDMs' })
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1)
    expect(await row.textContent()).toContain('16 × 92 × 92')
    expect(await row.textContent()).toContain("dissimilarities, 16 subjects' matrices · array rdms_behav_92.RDM")
    await page.screenshot({ path: join(SHOTS, 'data.png') })

    // Every triplet of the 92 images, the 16 subjects voting.
    await page.selectOption('#derive-from', { label: '92 human RDMs (16 × 92 × 92)' })
    await expect.poll(() => page.textContent('[aria-labelledby=derive-title]')).toContain('125,580 triplets.')
    await page.fill('#derive-name', '92 derived')
    await page.getByRole('button', { name: 'Derive triplets' }).click()
    const derived = page.locator('[data-testid=datasets-table] tbody tr', { hasText: '92 derived' })
    await expect.poll(() => derived.count(), { timeout: 30_000 }).toBe(1)
    expect(await derived.textContent()).toContain('125,580 triplets of 92 objects · every triplet of "92 human RDMs", 16 matrices voting · 6,895 tied majorities broken at random · noise ceiling 0.627 (each subject\'s choice against the others\' majority) · soft labels')
    // Renamed in place, then removed after a second click.
    await page.getByRole('button', { name: 'Rename 92 derived' }).click()
    await page.getByRole('textbox', { name: 'New name of 92 derived' }).fill('92 triplets, derived')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    const renamed = page.locator('[data-testid=datasets-table] tbody tr', { hasText: '92 triplets, derived' })
    await expect.poll(() => renamed.count()).toBe(1)
    const rows = await page.locator('[data-testid=datasets-table] tbody tr').count()
    await page.getByRole('button', { name: 'Remove 92 triplets, derived' }).click()
    await renamed.getByRole('button', { name: 'Remove', exact: true }).click()
    await expect.poll(() => page.locator('[data-testid=datasets-table] tbody tr').count()).toBe(rows - 1)
    expect(await renamed.count()).toBe(0)
    // Its triplets and votes (125,580 × 3 four-byte numbers each, with their .npy headers) were its own, and nothing
    // refers to the four 8 MiB arrays the project was seeded with: all six are freed (2.9 + 32.0 MiB).
    await expect.poll(async () => (await toast(page).allTextContents()).join('\n')).toContain('Removed "92 triplets, derived" from the project. Freed 34.9 MiB (6 files).')

    /** A Meadows download imported as similarity from the Data page: `rdmutv_*` is picked; its row in the list. */
    const importMeadows = async (file: string, shows: string, row: string) => {
      await page.fill('#import-path', join(__dirname, '../fixtures/rdms', file))
      await page.getByRole('button', { name: 'Look inside' }).click()
      await expect.poll(() => page.textContent('[data-testid=import-preview]'), { timeout: 20_000 }).toContain(shows)
      await page.selectOption('#import-kind', 'similarity')
      await expect.poll(() => page.inputValue('#import-key')).toBe('rdmutv_*')
      await page.getByRole('button', { name: 'Import', exact: true }).click()
      const found = page.locator('[data-testid=datasets-table] tbody tr', { hasText: row })
      await expect.poll(() => found.count(), { timeout: 30_000 }).toBe(1)
      return (await found.textContent())!
    }
    // Several Meadows participants in one file: their arrays are stacked as subjects by default, and the stimuli
    // lists name the objects.
    const participants = await importMeadows('Meadows_study_v_v1_arrangement_tree.mat', 'rdmutv_green_lion', 'arrangement_tree')
    expect(participants).toContain('2 × 5 × 5')
    expect(participants).toContain("dissimilarities, 2 matrices (rdmutv_wise_dolphin, rdmutv_green_lion) · object ids (from 'stimuli_wise_dolphin' in the file) · array rdmutv_*")
    // Meadows' JSON download: its tasks' matrices, stacked the same way.
    const tasks = await importMeadows('Meadows_study_v_v1_wise-dolphin_tree.json', 'rdmutv_ma2', 'wise-dolphin_tree')
    expect(tasks).toContain('2 × 5 × 5')
    expect(tasks).toContain('object ids')

    // A bad file: the message names the file and the problem; nothing is added.
    await page.fill('#import-path', join(__dirname, '../../README.md'))
    await page.getByRole('button', { name: 'Look inside' }).click()
    await expect.poll(() => page.locator('.toast').last().textContent()).toContain('README.md: unknown file type')
  }, 60_000)

  it('creates the THINGS example project in one click', async () => {
    await page.keyboard.press('Alt+1')
    await page.getByRole('button', { name: 'Close project' }).click()
    await page.getByRole('button', { name: /THINGS: 1,854 objects/ }).click()
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('THINGS: 1,854 objects')
    await expect.poll(() => page.locator('.stat', { hasText: 'Datasets' }).locator('dd').textContent(), { timeout: 30_000 }).toBe('5')
    await page.keyboard.press('Alt+2')
    await expect.poll(() => page.locator('[data-testid=datasets-table] tbody tr').count()).toBe(5)
    expect(await page.textContent('[data-testid=datasets-table]')).toContain('1854 × 66')

    // RSA of the human RDM48 against the SPoSE embedding of the same 48 objects, from the Alignment page.
    await openAlignment(page, 'Evaluate')
    await page.selectOption('#eval-metric', 'rsa')
    await page.selectOption('#eval-a', { label: 'RDM48: human triplet dissimilarities (48 × 48)' })
    await page.selectOption('#eval-b', { label: 'SPoSE 66-d, the 48 RDM objects (48 × 66)' })
    await page.selectOption('#eval-rdm', 'cosine')
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=latest-evaluation]'), { timeout: 30_000 }).toContain('spearman r = 0.8645')

    // Simulated THINGS triplets, then the SPoSE embedding's odd-one-out accuracy on them, per category.
    await page.keyboard.press('Alt+2')
    await page.fill('#simulate-count', '20000')
    await page.getByRole('button', { name: 'Simulate', exact: true }).click()
    await expect.poll(() => page.locator('[data-testid=datasets-table] tbody tr').count(), { timeout: 30_000 }).toBe(6)
    const listed = await page.textContent('[data-testid=datasets-table]')
    expect(listed).toMatch(/20,000 triplets of 1,854 objects · simulated from SPoSE, T = [\d,]+ \(calibrated to a mean top probability of 0\.673\), seed 0 · soft labels/)
    expect(listed).not.toMatch(/[0-9a-f]{64}/)
    await openAlignment(page, 'Evaluate')
    await page.selectOption('#eval-metric', 'odd-one-out')
    await page.selectOption('#eval-a', { label: 'SPoSE 66-d embedding (THINGS, 1,854 objects) (1854 × 66)' })
    await page.selectOption('#eval-similarity', 'dot')
    await page.selectOption('#eval-categories', { label: 'THINGSplus categories (53)' })
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=latest-evaluation]'), { timeout: 30_000 }).toContain('Per category')
    // The embedding the choices were sampled from agrees with about the mean max probability, 0.673.
    const accuracy = Number(/accuracy (\d\.\d+)/.exec((await page.textContent('[data-testid=latest-evaluation]'))!)![1])
    expect(accuracy).toBeGreaterThan(0.64)
    expect(accuracy).toBeLessThan(0.71)
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(SHOTS, 'alignment.png'), fullPage: true })

    // Triplets with response times, checked against the SPoSE object list: the entropy–RT scatter appears.
    const withRt = join(root, 'with-rt.tsv')
    const lines = ['i\tj\todd\trt\tlevel', ...Array.from({ length: 300 }, (_, t) => `${t}\t${t + 1}\t${t + 500}\t${600 + ((t * 37) % 900)}\t${t % 3 ? 'fine' : 'coarse'}`)]
    writeFileSync(withRt, `${lines.join('\n')}\n`)
    await page.keyboard.press('Alt+2')
    await page.fill('#import-path', withRt)
    await page.getByRole('button', { name: 'Look inside' }).click()
    await page.locator('[data-testid=import-rows]').waitFor()
    await page.selectOption('#import-kind', 'triplets')
    await page.selectOption('#import-objects-from', { label: 'SPoSE 66-d embedding (THINGS, 1,854 objects) (1854 objects)' })
    await page.selectOption('#import-rtColumn', 'rt')
    await page.selectOption('#import-conditionColumn', 'level')
    await page.fill('#import-name', 'triplets with RT')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await expect.poll(() => page.locator('[data-testid=datasets-table] tbody tr', { hasText: 'triplets with RT' }).count(), { timeout: 30_000 }).toBe(1)

    // An experiment's export: the images as shown, by file name, and the button pressed (1–3).
    const shown = join(root, 'shown.csv')
    writeFileSync(shown, 'left,middle,right,button\naardvark_01b.jpg,abacus_01b.jpg,zebra_01b.jpg,3\nstimuli/zebra_01b.png,aardvark_01b,yak_01b.jpg,1\n')
    await page.fill('#import-path', shown)
    await page.getByRole('button', { name: 'Look inside' }).click()
    await page.locator('[data-testid=import-rows]').waitFor()
    await page.selectOption('#import-kind', 'triplets')
    await page.selectOption('#import-choiceColumn', 'button')
    expect(await page.textContent('label[for=import-triplet-2]')).toBe('Object shown third')
    await page.selectOption('#import-triplet-0', 'left')
    await page.selectOption('#import-triplet-1', 'middle')
    await page.selectOption('#import-triplet-2', 'right')
    await page.selectOption('#import-objects-from', { label: 'SPoSE 66-d embedding (THINGS, 1,854 objects) (1854 objects)' })
    await page.fill('#import-name', 'shown by name')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await expect.poll(() => page.locator('[data-testid=datasets-table] tbody tr', { hasText: 'shown by name' }).count(), { timeout: 30_000 }).toBe(1)

    // A sheet of an Excel workbook.
    await page.fill('#import-path', join(__dirname, '../fixtures/xlsx/study.xlsx'))
    await page.getByRole('button', { name: 'Look inside' }).click()
    await page.locator('[data-testid=import-rows]').waitFor()
    expect(await page.textContent('[data-testid=import-preview]')).toContain('sheet "features": 4 rows × 4 columns (1 text)')
    await page.selectOption('#import-kind', 'features')
    await page.selectOption('#import-key', 'features')
    expect(await page.inputValue('#import-id-column')).toBe('image')
    await page.selectOption('#import-objects-from', '')
    await page.fill('#import-name', 'features from Excel')
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await expect.poll(() => page.locator('[data-testid=datasets-table] tbody tr', { hasText: 'features from Excel' }).count(), { timeout: 30_000 }).toBe(1)

    // A table of names has its header found; the user can read the first row as data instead.
    await page.fill('#import-path', join(__dirname, '../../resources/examples/things/item_names.tsv'))
    await page.getByRole('button', { name: 'Look inside' }).click()
    await expect.poll(() => page.textContent('[data-testid=import-preview]'), { timeout: 20_000 }).toContain('table: 1854 rows × 6 columns (6 text), with header')
    expect(await page.isChecked('[data-testid=header-row]')).toBe(true)
    await page.uncheck('[data-testid=header-row]')
    await expect.poll(() => page.textContent('[data-testid=import-preview]'), { timeout: 20_000 }).toContain('table: 1855 rows × 6 columns (6 text), no header')
    expect(await page.isChecked('[data-testid=header-row]')).toBe(false)
    await openAlignment(page, 'Evaluate')
    await page.selectOption('#eval-metric', 'odd-one-out')
    await page.selectOption('#eval-a', { label: 'SPoSE 66-d embedding (THINGS, 1,854 objects) (1854 × 66)' })
    await page.selectOption('#eval-b', { label: 'triplets with RT (300 × 3)' })
    await page.selectOption('#eval-categories', '')
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=latest-evaluation]'), { timeout: 30_000 }).toContain('of 300 triplets')
    // The entropies at the τ under which these choices are most likely (the form's default).
    expect(await page.textContent('[data-testid=entropy-rt]')).toMatch(/response times: -?\d\.\d{4}\s+\(τ = [\d,.]+, fitted to the human choices\)/)
    await expect.poll(() => page.locator('[data-testid=latest-evaluation] .chart canvas').count()).toBeGreaterThan(0)
    await page.waitForTimeout(300)
    await page.locator('[data-testid=latest-evaluation]').screenshot({ path: join(SHOTS, 'entropy-rt.png') })

    // Both evaluations in one table, best first, with the ceilings as reference rows.
    await page.keyboard.press('Alt+5')
    const table = page.locator('[data-testid=accuracy-table] tbody tr')
    await expect.poll(() => table.count(), { timeout: 20_000 }).toBe(4)
    expect(await table.nth(0).textContent()).toContain('THINGS triplets simulated from SPoSE')
    expect(await table.nth(0).textContent()).toMatch(/0\.6[4-9]\d\d/)
    expect(await table.nth(1).textContent()).toContain('triplets with RT')
    expect(await table.nth(2).textContent()).toContain('noise ceiling (mean max choice probability)')
    expect(await table.nth(3).textContent()).toContain('THINGS noise ceiling (Hebart et al. 2020)')
    // A column per level of the triplets that have levels.
    const headers = await page.locator('[data-testid=accuracy-table] thead th').allTextContents()
    expect(headers.slice(-2)).toEqual(['coarse', 'fine'])
    expect(await table.nth(1).locator('td').nth(5).textContent()).toMatch(/^0\.\d{4}$/)
    await page.locator('[data-testid=accuracy-table] th', { hasText: 'Accuracy' }).getByRole('button').click()
    expect(await table.nth(0).textContent()).toContain('triplets with RT')
    await page.screenshot({ path: join(SHOTS, 'results-accuracy.png'), fullPage: true })
  }, 60_000)

  it('trains an affine probe with live curves, shows held-out vs zero-shot accuracy, and applies the transform', async () => {
    const errorsBefore = await page.locator('.toast.error').allTextContents()
    await openAlignment(page, 'Affine probe')
    await page.selectOption('#probe-features', { label: 'SPoSE 66-d embedding (THINGS, 1,854 objects) (1854 × 66)' })
    await page.selectOption('#probe-triplets', { label: 'THINGS triplets simulated from SPoSE (20,000, seed 0) (20000 × 3)' })
    await page.selectOption('#probe-objective', 'soft')
    await page.fill('#probe-lambdas', '0.01')
    await page.fill('#probe-epochs', '4')
    // A learning rate of 0 is named beside the disabled button, not sent.
    await page.fill('#probe-lr', '0')
    expect(await page.getByRole('button', { name: 'Train probe' }).isDisabled()).toBe(true)
    expect(await page.textContent('[data-testid=probe]')).toContain('Learning rate: a positive number (at most 1).')
    await page.fill('#probe-lr', '0.001')
    await page.getByRole('button', { name: 'Train probe' }).click()
    await expect.poll(() => page.locator('[data-testid=probe-loss] canvas').count(), { timeout: 30_000 }).toBe(1)
    const card = page.locator('[data-testid=probe-result]')
    await card.waitFor({ timeout: 60_000 })
    const [heldOut, zeroShot, ceiling] = (await card.locator('.big').allTextContents()).map(Number)
    // The embedding the choices were simulated from, probed: near the ceiling those choices allow.
    expect(heldOut).toBeGreaterThan(0.6)
    expect(zeroShot).toBeGreaterThan(0.6)
    expect(ceiling).toBeCloseTo(0.673, 2)
    expect(await page.textContent('[data-testid=probe-runs]')).toContain('soft')
    const before = await page.locator('#probe-apply option').count()
    await page.selectOption('#probe-apply', { label: 'SPoSE 66-d embedding (THINGS, 1,854 objects)' })
    await page.getByRole('button', { name: 'Apply transform' }).click()
    await expect.poll(() => page.locator('#probe-apply option').count(), { timeout: 30_000 }).toBe(before + 1)
    expect((await page.locator('#probe-apply option').allTextContents()).join('\n')).toMatch(/^SPoSE 66-d embedding \(THINGS, 1,854 objects\) → probe #\d+$/m)
    // Saved as gLocal's transform.npz, where the user says (the project folder by default).
    const saveAs = await page.inputValue('#probe-save')
    expect(saveAs).toMatch(/\/transform-run-\d+\.npz$/)
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => toast(page).allTextContents()).toContainEqual(expect.stringContaining(`The transform (66 → 66) written to ${saveAs}.`))
    expect(Object.keys(decodeNpz(new Uint8Array(readFileSync(saveAs)))).sort()).toEqual(['bias', 'mean', 'std', 'weights'])
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
    await page.waitForTimeout(300)
    await page.locator('[data-testid=probe-latest]').screenshot({ path: join(SHOTS, 'probe.png') })
  }, 90_000)

  it('clusters the probed teacher with an elbow plot and samples AligNet triplets into the project', async () => {
    const errorsBefore = await page.locator('.toast.error').allTextContents()
    await openAlignment(page, 'AligNet')
    await page.selectOption('#alignet-features', { label: 'SPoSE 66-d embedding (THINGS, 1,854 objects) (1854 × 66)' })
    const transforms = await page.locator('#alignet-transform option').allTextContents()
    await page.selectOption('#alignet-transform', { label: transforms.find((t) => t.startsWith('probe run'))! })
    await page.fill('#alignet-ks', '4, 8, 16, 32')
    await page.fill('#alignet-restarts', '1')
    await page.getByRole('button', { name: 'Cluster', exact: true }).click()
    const kept = page.locator('[data-testid=alignet-kept]')
    await kept.waitFor({ timeout: 60_000 })
    const k = Number((await kept.locator('strong').textContent())!)
    expect([8, 16]).toContain(k)
    expect(await kept.textContent()).toContain('(the elbow)')
    expect(await page.locator('[data-testid=alignet-elbow] canvas').count()).toBe(1)
    // One row per cluster; the sizes add up to the 1,854 objects.
    const sizes = (await page.locator('[data-testid=alignet-clusters] tbody tr td:nth-child(2)').allTextContents()).map(Number)
    expect(sizes).toHaveLength(k)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1854)
    const tab = (name: string) => page.getByRole('tab', { name, exact: true }).click()
    await tab('Affine probe')
    const tripletSets = await page.locator('#probe-triplets option').count()
    await tab('AligNet')
    await page.fill('#alignet-count', '2000')
    await page.getByRole('button', { name: 'Sample triplets' }).click()
    await page.locator('[data-testid=alignet-triplets-done]').waitFor({ timeout: 30_000 })
    // The first six, each three objects and the teacher's odd one out with its probability.
    const examples = page.locator('[data-testid=triplet-examples] .triplet-example')
    await expect.poll(() => examples.count(), { timeout: 10_000 }).toBe(6)
    expect(await examples.first().locator('figure').count()).toBe(3)
    expect(await examples.first().locator('figure.odd').count()).toBe(1)
    expect(await examples.first().locator('.chip').textContent()).toMatch(/odd one out: \S+, \d+%/)
    await tab('Affine probe')
    await expect.poll(() => page.locator('#probe-triplets option').count(), { timeout: 10_000 }).toBe(tripletSets + 1)
    expect((await page.locator('#probe-triplets option').allTextContents()).join('\n')).toContain(`AligNet between triplets (SPoSE 66-d embedding (THINGS, 1,854 objects), k = ${k}) (2000 × 3)`)
    // A new dataset reloads the list; the choices made in the forms stay, across tabs too.
    await tab('AligNet')
    expect(await page.locator('[data-testid=alignet-kept] strong').textContent()).toBe(String(k))
    expect(await page.locator('#alignet-features').evaluate((el) => (el as unknown as { selectedOptions: { textContent: string | null }[] }).selectedOptions[0]?.textContent)).toBe('SPoSE 66-d embedding (THINGS, 1,854 objects) (1854 × 66)')
    // Saved in AligNet's layout, where the user says.
    const exported = join(root, 'alignet_triplets.npz')
    await page.fill('#alignet-export', exported)
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(async () => (await toast(page).allTextContents()).join('\n')).toContain(`2,000 triplets written to ${exported}.`)
    expect(existsSync(exported)).toBe(true)
    // Step 3 offers the new teacher-labelled triplets for distillation, with the built-in backbones.
    await expect.poll(() => page.locator('#alignet-labelled option').allTextContents()).toContain(`AligNet between triplets (SPoSE 66-d embedding (THINGS, 1,854 objects), k = ${k}) (2,000)`)
    expect(await page.locator('#alignet-backbone option').allTextContents()).toEqual(expect.arrayContaining(['MobileNetV2', 'InceptionV3']))
    // Steps 4–5: the raw embedding against the probe's transform of it, on the simulated triplets.
    await page.selectOption('#alignet-base', { label: 'SPoSE 66-d embedding (THINGS, 1,854 objects) (1854 × 66)' })
    const transformed = (await page.locator('#alignet-aligned option').allTextContents()).find((t) => t.includes('→ probe #'))!
    await page.selectOption('#alignet-aligned', { label: transformed })
    await page.selectOption('#alignet-human-triplets', { label: 'THINGS triplets simulated from SPoSE (20,000, seed 0)' })
    // The probe was fitted to these triplets: the page says the comparison is not on held-out data.
    await expect.poll(() => page.textContent('[data-testid=alignet-fitted-note]')).toMatch(/^"THINGS triplets simulated from SPoSE \(20,000, seed 0\)" are the triplets probe run #\d+ was fitted to\./)
    await page.getByRole('button', { name: 'Compare', exact: true }).click()
    const compared = page.locator('[data-testid=alignet-compare]')
    await compared.waitFor({ timeout: 60_000 })
    expect(await compared.locator('tbody tr').first().textContent()).toContain('odd-one-out accuracy (20000 human triplets)')
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
    // The notices would cover the form in the picture.
    while ((await toast(page).count()) > 0) await page.keyboard.press('Escape')
    await page.locator('[data-testid=alignet]').screenshot({ path: join(SHOTS, 'alignet.png') })
    // The Results page keeps every evaluation's table, this one included.
    await page.keyboard.press('Alt+5')
    await expect.poll(() => page.textContent('[data-testid=alignet-runs]')).toContain('odd-one-out accuracy (20000 human triplets)')
  }, 120_000)

  it('shows runs and two similarity matrices side by side on the Results page', async () => {
    const rsa = join(root, 'rsa92')
    const env = { HUMANALIGN_CONFIG_DIR: join(root, 'cli-config'), HUMANALIGN_BACKEND: 'wasm' }
    expect(runCli(['project', 'create', rsa, '--example', 'rsa92'], env, 180_000).code).toBe(0)
    const examples = join(__dirname, '../../resources/examples')
    expect(runCli(['eval', 'ceiling', '--rdms', join(examples, 'rsa92/92_behavRDMs.mat'), '--key', 'rdms_behav_92.RDM', '--project', rsa], env).code).toBe(0)
    // Five objects named by a Meadows download, and features of five whose names differ at one (for the matrix view).
    const fiveIds = join(root, 'five-ids.txt')
    writeFileSync(fiveIds, ['cat', 'dog', 'car', 'tree', 'zebra'].join('\n'))
    const fiveFeatures = join(root, 'five.csv')
    writeFileSync(fiveFeatures, ['1,2', '3,4', '5,6', '7,8', '9,1'].join('\n'))
    expect(runCli(['import', 'features', fiveFeatures, '--ids', fiveIds, '--name', 'five, one misnamed', '--project', rsa], env).code).toBe(0)
    expect(runCli(['import', 'similarity', join(__dirname, '../fixtures/rdms/Meadows_study_v_v1_wise-dolphin_1_tree.mat'), '--name', 'five by Meadows', '--project', rsa], env).code).toBe(0)
    await page.keyboard.press('Escape')
    await page.keyboard.press('Alt+1')
    await page.getByRole('button', { name: 'Close project' }).click()
    await page.fill('#open-path', rsa)
    await page.getByRole('button', { name: 'Open', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('92 objects (Kriegeskorte et al. 2008)')
    // The same ceiling as a job from the Alignment page.
    await openAlignment(page, 'Evaluate')
    await page.selectOption('#eval-metric', 'ceiling')
    // Similarity matrices, and triplets (answered several times) — the example's derived triplets are answered once each.
    await expect
      .poll(async () => (await page.locator('#eval-a option').allTextContents()).sort(), { timeout: 10_000 })
      .toEqual(["92 images: 16 subjects' judgment RDMs (16 × 92 × 92)", "92 images: every triplet, the 16 subjects' votes (125580 × 3)", '92 images: monkey and human IT RDMs (2 × 92 × 92)'])
    await page.selectOption('#eval-a', { label: "92 images: 16 subjects' judgment RDMs (16 × 92 × 92)" })
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=latest-evaluation]'), { timeout: 20_000 }).toContain('noise ceiling (spearman, 16 subjects): lower 0.4770, upper 0.5767')
    await page.keyboard.press('Alt+5')
    await expect.poll(() => page.textContent('[data-testid=runs-table]')).toContain('lower 0.4770, upper 0.5767')
    // The example's two models against the same subjects (MobileNetV2, human IT), compared pairwise across them.
    const compared = await page.locator('[data-testid=rsa-comparisons] tbody tr').allTextContents()
    expect(compared).toHaveLength(1)
    expect(compared[0]).toContain("92 images: 16 subjects' judgment RDMs")
    expect(compared[0]).toContain('92 images: human IT RDM (316 voxels)')
    expect(compared[0]).toContain('MobileNetV2 flatten_1 · The 92 stimulus images')
    await page.selectOption('#left-matrix', { label: "92 images: 16 subjects' judgment RDMs" })
    await page.selectOption('#right-matrix', { label: '92 images: human IT RDM (316 voxels)' })
    await expect.poll(() => page.locator('[data-testid=heatmaps] .heatmap canvas').first().count(), { timeout: 20_000 }).toBe(1)
    expect(await page.locator('[data-testid=heatmaps] .heatmap').count()).toBe(2)
    // Ordered by the stimuli's categories, and hovering names the two objects with their categories.
    expect(await page.locator('#matrix-labels option:checked').textContent()).toContain('92 images: categories')
    await page.locator('[data-testid=heatmaps]').scrollIntoViewIfNeeded()
    const box = (await page.locator('[data-testid=heatmaps] .heatmap canvas').first().boundingBox())!
    await page.waitForTimeout(300)
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.3)
    await expect.poll(() => page.locator('[data-testid=heatmaps] .heatmap').first().textContent()).toMatch(/\d+ \((non)?human (bodypart|face)\) × \d+ \(((natural|artificial) inanimate|(non)?human (bodypart|face))\)/)
    // Coloured by percentile, as RSA figures show RDMs; the value is still in the tooltip.
    expect(await page.locator('[data-testid=heatmaps] .heatmap').first().textContent()).toMatch(/dissimilarity \d\.\d{3,} \(percentile \d+\.\d\)/)
    await page.screenshot({ path: join(SHOTS, 'results.png') })
    await page.selectOption('#matrix-colours', 'shared')
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.35)
    await expect.poll(() => page.locator('[data-testid=heatmaps] .heatmap').first().textContent()).toMatch(/dissimilarity [\d.]+$/)
    // A dataset of several matrices is shown as their mean, or one of them by the name the file gives it.
    const leftTitle = () => page.locator('[data-testid=heatmaps] .heatmap').first().getAttribute('aria-label')
    await page.selectOption('#left-matrix', { label: '92 images: monkey and human IT RDMs' })
    await expect.poll(() => page.locator('#left-which option').allTextContents()).toEqual(['mean of 2', 'mIT_674neurons', 'hITvisStim_316vx'])
    await expect.poll(leftTitle).toBe('Heatmap: 92 images: monkey and human IT RDMs (mean of 2)')
    await page.selectOption('#left-which', { label: 'hITvisStim_316vx' })
    await expect.poll(leftTitle).toBe('Heatmap: 92 images: monkey and human IT RDMs · hITvisStim_316vx')
    // Names that do not fit a matrix's objects (one of five differs): the matrix in its own order, and why.
    await page.selectOption('#left-matrix', { label: 'five by Meadows' })
    await expect.poll(() => page.inputValue('#matrix-labels')).not.toBe('')
    await expect.poll(() => page.textContent('[data-testid=unlabelled]')).toContain('Shown in its own order, without names:')
    expect(await page.textContent('[data-testid=unlabelled]')).toContain('zebra')
    expect(await page.locator('[data-testid=heatmaps] .heatmap').first().getAttribute('aria-label')).toBe('Heatmap: five by Meadows')
    await page.selectOption('#matrix-labels', '')
    await expect.poll(() => page.locator('[data-testid=unlabelled]').count()).toBe(0)
    await page.selectOption('#left-matrix', { label: "92 images: 16 subjects' judgment RDMs" })
    // The ceiling is there three times (the example's, the command line's, the window's): the oldest is removed.
    const ceilings = page.locator('[data-testid=runs-table] tbody tr', { hasText: 'lower 0.4770, upper 0.5767' })
    expect(await ceilings.count()).toBe(3)
    const oldest = (await ceilings.last().locator('td').first().textContent())!.trim()
    await page.getByRole('button', { name: `Remove run ${oldest}`, exact: true }).click()
    await page.getByRole('button', { name: `Remove run ${oldest} for good` }).click()
    await expect.poll(() => ceilings.count()).toBe(2)
    expect(await ceilings.locator('td:first-child').allTextContents()).not.toContain(oldest)
    expect(await page.locator('.toast.error').count()).toBe(0)
  }, 240_000)

  it('lists the bundled models with their layers, extracts MobileNetV2 features of the 92 images, and compares them with the human RDMs', async () => {
    const errorsBefore = await page.locator('.toast.error').allTextContents()
    await page.keyboard.press('Alt+3')
    await expect.poll(() => page.textContent('[data-testid=model-list]')).toContain('MobileNetV2')
    await expect.poll(() => page.locator('[data-testid=layers] tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(150)
    expect(await page.locator('[data-testid=layers] tbody tr', { hasText: 'flatten_1' }).textContent()).toContain('1280')
    expect(await page.locator('input[aria-label="Extract flatten_1"]').isChecked()).toBe(true)
    await expect.poll(() => page.locator('[data-testid=thumbnails] img').count(), { timeout: 20_000 }).toBe(60)
    await page.getByRole('button', { name: /Show more \(32\)/ }).click()
    await expect.poll(() => page.locator('[data-testid=thumbnails] img').count()).toBe(92)
    await page.getByRole('button', { name: 'Extract features' }).click()
    await expect.poll(() => page.textContent('[data-testid=extract-done]').catch(() => ''), { timeout: 90_000 }).toMatch(/flatten_1 \(1280 features\) from 92 images at \d+\.\d images\/s/)
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(SHOTS, 'models.png'), fullPage: true })

    // A model of one's own is added from its folder and removed again; the folder outside the project stays.
    const tiny = join(root, 'tiny-model')
    await saveTinyModel(tiny)
    await page.fill('#model-folder', tiny)
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=model-list]')).toContain(tiny)
    const own = page.locator('[data-testid=model-list] li', { hasText: tiny })
    await own.getByRole('button', { name: /^Remove model / }).click()
    await own.getByRole('button', { name: 'Remove', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=model-list]')).not.toContain(tiny)
    await expect.poll(async () => (await toast(page).allTextContents()).join('\n')).toMatch(/Removed ".+" from the project's models; features extracted with it stay\./)
    expect(existsSync(join(tiny, 'model.json'))).toBe(true)

    // The new feature set against the 16 subjects' judgments, from the Alignment page.
    await openAlignment(page, 'Evaluate')
    await page.selectOption('#eval-metric', 'rsa')
    await page.selectOption('#eval-a', { label: 'MobileNetV2 flatten_1 · The 92 stimulus images (92 × 1280)' })
    await page.selectOption('#eval-b', { label: "92 images: 16 subjects' judgment RDMs (16 × 92 × 92)" })
    await page.selectOption('#eval-rdm', 'correlation')
    await page.fill('#eval-bootstrap', '200')
    await page.getByRole('button', { name: 'Evaluate', exact: true }).click()
    await expect.poll(() => page.textContent('[data-testid=latest-evaluation]'), { timeout: 30_000 }).toMatch(/spearman r = 0\.\d{4}, 95% CI/)
    expect(await page.textContent('[data-testid=latest-evaluation]')).toMatch(/with each of the 16 matrices, mean r = 0\.\d{4} ± 0\.\d{4} \(SEM\)/)
    // On the Results page, beside the earlier comparison, against the ceiling of the same judgments.
    await page.keyboard.press('Alt+5')
    await expect.poll(() => page.locator('[data-testid=rsa-chart] canvas').count(), { timeout: 20_000 }).toBe(1)
    expect(await page.textContent('[data-testid=rsa-chart]')).toContain('Band: the noise ceiling of the human data')
    await page.waitForTimeout(300)
    await page.locator('[data-testid=rsa-chart]').screenshot({ path: join(SHOTS, 'rsa-92.png') })
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
  }, 150_000)
  it('clusters image features on the AligNet page with each cluster’s example images', async () => {
    const errorsBefore = await page.locator('.toast.error').allTextContents()
    await openAlignment(page, 'AligNet')
    await page.selectOption('#alignet-features', { label: 'MobileNetV2 flatten_1 · The 92 stimulus images (92 × 1280)' })
    await page.selectOption('#alignet-transform', '')
    await page.fill('#alignet-ks', '4')
    await page.getByRole('button', { name: 'Cluster', exact: true }).click()
    const kept = page.locator('[data-testid=alignet-kept]')
    await expect.poll(() => kept.textContent(), { timeout: 60_000 }).toContain('92 objects of MobileNetV2 flatten_1')
    // Up to six examples per cluster, each as its image from the set the features were extracted from.
    const sizes = (await page.locator('[data-testid=alignet-clusters] tbody tr td:nth-child(2)').allTextContents()).map(Number)
    const shown = sizes.reduce((sum, size) => sum + Math.min(6, size), 0)
    await expect.poll(() => page.locator('[data-testid=alignet-clusters] tbody img').count(), { timeout: 10_000 }).toBe(shown)
    expect(await page.locator('[data-testid=alignet-clusters] tbody img').first().getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    await page.locator('[data-testid=alignet-clusters]').screenshot({ path: join(SHOTS, 'alignet-clusters.png') })
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
  }, 120_000)
  it('aligns the model with the human judgments by Gromov-Wasserstein, with the trials, the plan and the worst matches', async () => {
    const errorsBefore = await page.locator('.toast.error').allTextContents()
    await openAlignment(page, 'Gromov-Wasserstein')
    await page.selectOption('#gw-a', { label: 'MobileNetV2 flatten_1 · The 92 stimulus images (92 × 1280)' })
    await page.selectOption('#gw-b', { label: "92 images: 16 subjects' judgment RDMs (16 × 92 × 92)" })
    await page.selectOption('#gw-metric', 'correlation')
    // An emptied count stops at the form (the browser names the field), not at the contract's message.
    await page.fill('#gw-trials', '')
    await page.getByRole('button', { name: 'Align', exact: true }).click()
    expect(await page.$eval('#gw-trials', (e) => (e as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true)
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
    await page.fill('#gw-trials', '12')
    await page.fill('#gw-inits', '2')
    await page.selectOption('#gw-categories', { label: '92 images: categories (human/nonhuman body and face, natural, artificial)' })
    // The project already holds the example's GW run: its result gives way to this job's progress, then returns.
    const table = page.locator('[data-testid=gw-result]')
    await page.getByRole('button', { name: 'Align', exact: true }).click()
    await table.waitFor({ state: 'detached', timeout: 10_000 })
    await table.waitFor({ timeout: 120_000 })
    const cells = await table.locator('tbody td').allTextContents()
    // Chosen ε within the range; rates as percentages, top-1 ≤ top-5 ≤ top-10; category matching present.
    expect(Number(cells[0])).toBeGreaterThanOrEqual(0.001)
    expect(Number(cells[0])).toBeLessThanOrEqual(0.1)
    const rates = cells.slice(2, 6).map((c) => Number(c.replace('%', '')))
    expect(rates[0]!).toBeLessThanOrEqual(rates[1]!)
    expect(rates[1]!).toBeLessThanOrEqual(rates[2]!)
    expect(rates[3]!).toBeGreaterThan(0)
    expect(await page.locator('[data-testid=gw-trials] canvas').count()).toBe(1)
    await expect.poll(() => page.locator('[data-testid=gw] .heatmap canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    expect(await page.locator('[data-testid=gw-worst] tbody tr').count()).toBe(10)
    // Each worst-matched object and its partner with its image, from the set the features were extracted from.
    await expect.poll(() => page.locator('[data-testid=gw-worst] tbody img').count(), { timeout: 10_000 }).toBe(20)
    expect(await page.locator('[data-testid=gw-worst] tbody img').first().getAttribute('src')).toMatch(/^data:image\/png;base64,/)
    // The whole plan saved for NumPy, where the user says (the project folder by default).
    const planFile = await page.inputValue('#gw-save')
    expect(planFile).toMatch(/\/gw-plan-run-\d+\.npy$/)
    await page.locator('#gw-save ~ button', { hasText: 'Save' }).click()
    await expect.poll(() => toast(page).allTextContents()).toContainEqual(expect.stringContaining(`The 92 × 92 plan written to ${planFile}.`))
    const saved = decodeNpy(new Uint8Array(readFileSync(planFile)))
    expect(saved.shape).toEqual([92, 92])
    // A transport plan: its mass is the marginals' (1 in all).
    expect(Array.from(saved.data as Float32Array).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4)
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
    while ((await toast(page).count()) > 0) await page.keyboard.press('Escape')
    await page.waitForTimeout(300)
    await page.locator('[data-testid=gw]').screenshot({ path: join(SHOTS, 'gw.png') })
    // The user's marginal for A: a file of 92 weights (one per line).
    const weights = join(root, 'weights.txt')
    writeFileSync(weights, Array.from({ length: 92 }, (_, i) => String(1 + (i % 3))).join('\n'))
    await page.fill('#gw-weights-a', weights)
    await page.getByRole('button', { name: 'Align', exact: true }).click()
    await table.waitFor({ state: 'detached', timeout: 10_000 })
    await table.waitFor({ timeout: 120_000 })
    expect(await page.textContent('[data-testid=gw]')).toContain('Marginals: weights.txt and uniform.')
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
  }, 150_000)
  it('creates the 92-object example from the welcome screen with every view populated, and visits each', async () => {
    const errorsBefore = await page.locator('.toast.error').allTextContents()
    await page.keyboard.press('Alt+1')
    await page.getByRole('button', { name: 'Close project' }).click()
    const started = Date.now()
    await page.getByRole('button', { name: /92 objects: every view populated/ }).click()
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('92 objects (Kriegeskorte et al. 2008)')
    await expect.poll(() => page.locator('.stat', { hasText: 'Runs' }).locator('dd').textContent(), { timeout: 240_000, interval: 1000 }).toBe('10')
    console.log(`[e2e] the 92-object example was complete ${((Date.now() - started) / 1000).toFixed(1)} s after the click`)

    await page.keyboard.press('Alt+2')
    await expect.poll(() => page.locator('[data-testid=datasets-table] tbody tr').count()).toBe(9)
    expect(await page.textContent('[data-testid=datasets-table]')).toContain("92 images: every triplet, the 16 subjects' votes")
    expect(await page.textContent('[data-testid=datasets-table]')).toContain('"hITvisStim_316vx" of "92 images: monkey and human IT RDMs"')
    // One matrix of several as a dataset: the matrices by the names the file gives them.
    await page.selectOption('#take-from', { label: '92 images: monkey and human IT RDMs (2 × 92 × 92)' })
    await expect.poll(() => page.locator('#take-matrix option').allTextContents()).toEqual(['1: mIT_674neurons', '2: hITvisStim_316vx'])
    await page.selectOption('#take-from', { label: "92 images: 16 subjects' judgment RDMs (16 × 92 × 92)" })
    await expect.poll(() => page.locator('#take-matrix option').count()).toBe(16)
    await page.selectOption('#take-matrix', { label: '3: simJudge | subject3' })
    await page.getByRole('button', { name: 'Make a dataset' }).click()
    const third = page.locator('[data-testid=datasets-table] tbody tr', { hasText: "92 images: 16 subjects' judgment RDMs · simJudge | subject3" })
    await expect.poll(() => third.count(), { timeout: 30_000 }).toBe(1)
    expect(await third.textContent()).toContain('92 × 92')
    // Half of the subjects at once, to hold the others out.
    await page.getByRole('button', { name: 'Second half' }).click()
    expect(await page.textContent('#take-hint')).toContain('8 matrices chosen')
    await page.getByRole('button', { name: 'Make a dataset' }).click()
    const secondHalf = page.locator('[data-testid=datasets-table] tbody tr', { hasText: "92 images: 16 subjects' judgment RDMs · matrices 9–16" })
    await expect.poll(() => secondHalf.count(), { timeout: 30_000 }).toBe(1)
    expect(await secondHalf.textContent()).toContain('8 × 92 × 92')
    // RSA with the 16 together says it takes their mean, and how to take one alone.
    await openAlignment(page, 'Evaluate')
    await page.selectOption('#eval-metric', 'rsa')
    await page.selectOption('#eval-a', { label: "92 images: 16 subjects' judgment RDMs (16 × 92 × 92)" })
    await page.selectOption('#eval-b', { label: "92 images: 16 subjects' judgment RDMs · simJudge | subject3 (92 × 92)" })
    await expect.poll(() => page.textContent('[data-testid=mean-note]')).toBe(
      `"92 images: 16 subjects' judgment RDMs" (16 matrices): the mean of its matrices is used. To use one alone, or some, make them a dataset of their own (Data page: Matrices as a dataset).`,
    )
    await openAlignment(page, 'Affine probe')
    const probe = page.locator('[data-testid=probe-result]')
    await probe.waitFor({ timeout: 20_000 })
    const [heldOut, zeroShot] = (await probe.locator('.big').allTextContents()).map(Number)
    expect(heldOut).toBeGreaterThan(1 / 3)
    expect(zeroShot).toBeGreaterThan(1 / 3)
    await page.getByRole('tab', { name: 'Gromov-Wasserstein' }).click()
    await page.locator('[data-testid=gw-result]').waitFor({ timeout: 20_000 })
    await page.keyboard.press('Alt+5')
    await expect.poll(() => page.locator('[data-testid=runs-table] tbody tr').count()).toBe(10)
    // ECharts may add a layer canvas (the ceiling band); the first is the chart.
    const rsaCanvas = page.locator('[data-testid=rsa-chart] canvas').first()
    await expect.poll(() => rsaCanvas.count(), { timeout: 20_000 }).toBe(1)
    expect((await rsaCanvas.boundingBox())!.width).toBeGreaterThan(100)
    expect(await page.textContent('[data-testid=accuracy-table]')).toContain('MobileNetV2 flatten_1')
    // The THINGS ceiling is no reference for triplets of the 92 images.
    expect(await page.textContent('[data-testid=accuracy-table]')).not.toContain('THINGS noise ceiling')
    // The accuracy run counted its triplets by the images' six categories: a row each, the run's column.
    const categoryRows = await page.locator('[data-testid=category-accuracy] tbody tr').allTextContents()
    expect(categoryRows.map((row) => row.replace(/\s*0\.\d{4} \(\d+ of \d+\)$/, '').trim()).sort()).toEqual(['artificial inanimate', 'human bodypart', 'human face', 'natural inanimate', 'nonhuman bodypart', 'nonhuman face'])
    // Each run with its name and its headline figure.
    const runs = await page.textContent('[data-testid=runs-table]')
    expect(runs).toMatch(/probe \(soft\): MobileNetV2 flatten_1 · The 92 stimulus images × .*held-out accuracy 0\.\d{4} \(zero-shot 0\.\d{4}\), λ = /)
    expect(runs).toMatch(/GW: .*ε = \d\.\d+, loss \d\.\d+, top-1 matching \d+\.\d%/)
    await page.keyboard.press('Alt+6')
    await expect.poll(() => page.locator('[data-testid=jobs-table] tbody tr .state', { hasText: 'done' }).count()).toBeGreaterThanOrEqual(16)
    // A finished job says what it came to: the run's headline, or the dataset it added.
    const jobRows = page.locator('[data-testid=jobs-table] tbody tr')
    expect(await jobRows.filter({ hasText: 'Triplets from similarity matrices' }).first().textContent()).toContain(`added "92 images: every triplet, the 16 subjects' votes" (Data page)`)
    await expect.poll(() => jobRows.filter({ hasText: 'Gromov-Wasserstein alignment' }).first().textContent()).toMatch(/run \d+: ε = /)
    expect(await page.textContent('[data-testid=jobs-table]')).not.toContain('0 checked')

    // Explore: the triplet browser, with images, both models' choices and the human votes.
    await page.keyboard.press('Alt+7')
    await page.getByRole('heading', { name: 'Triplet browser' }).waitFor()
    await expect.poll(() => page.textContent('[data-testid=triplet-count]'), { timeout: 60_000 }).toContain('125,580 of 125,580 triplets')
    await expect.poll(() => page.locator('[data-testid=triplet-list] .triplet-row img').count(), { timeout: 20_000 }).toBeGreaterThan(9)
    const firstRow = page.locator('[data-testid=triplet-list] .triplet-row').first()
    expect(await firstRow.locator('.chip.human').count()).toBe(1)
    expect(await firstRow.locator('.chip.chosen').count()).toBe(2)
    expect(await firstRow.textContent()).toMatch(/\d+% of votes/)
    // Keyboard: down twice selects the third row.
    await page.locator('[data-testid=triplet-list]').focus()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    expect(await page.locator('#triplet-row-2').getAttribute('aria-selected')).toBe('true')
    // The two models disagree on some triplets, and every object is in C(91, 2) = 4,095 of them.
    await page.selectOption('#tb-agreement', 'modelsDisagree')
    await expect.poll(async () => Number((await page.textContent('[data-testid=triplet-count]'))!.split(' of ')[0]!.replace(/,/g, ''))).toBeLessThan(125_580)
    await page.selectOption('#tb-agreement', 'any')
    await page.selectOption('#tb-sort', 'entropy')
    await page.locator('[data-testid=triplet-list] .object-button').first().click()
    await expect.poll(() => page.textContent('[data-testid=triplet-count]')).toContain('4,095 of 125,580 triplets')
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(SHOTS, 'explore-triplets.png') })

    // Maps: before and after the probe, side by side, coloured by category.
    await page.getByRole('tab', { name: 'Maps' }).click()
    // Each chart draws on one canvas, or more where ECharts adds a layer.
    await expect.poll(() => page.locator('[data-testid=maps] .map-chart canvas').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2)
    expect(await page.locator('[data-testid=maps] .map-chart').count()).toBe(2)
    for (const chart of await page.locator('[data-testid=maps] .map-chart').all()) expect((await chart.locator('canvas').first().boundingBox())!.width).toBeGreaterThan(200)
    expect(await page.textContent('[data-testid=maps]')).toContain('t-SNE')
    const left = (await page.locator('[data-testid=maps] .map-chart canvas').first().boundingBox())!
    await page.mouse.move(left.x + left.width / 2, left.y + left.height / 2)
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(SHOTS, 'explore-maps.png') })

    // Compare: the five representations in clustering order; the matrix saved as CSV, SVG and PNG.
    await page.getByRole('tab', { name: 'Compare' }).click()
    const compareCanvas = page.locator('[data-testid=compare-matrix] canvas').first()
    await expect.poll(() => compareCanvas.count(), { timeout: 20_000 }).toBe(1)
    expect((await compareCanvas.boundingBox())!.height).toBeGreaterThan(200)
    const downloaded = async (name: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name, exact: true }).click()])
      return { name: download.suggestedFilename(), data: readFileSync((await download.path())!) }
    }
    const csv = await downloaded('CSV')
    expect(csv.name).toBe('rsa-matrix.csv')
    expect(csv.data.toString('utf8').split('\n')[0]).toContain('MobileNetV2 features, probed')
    const svg = await downloaded('Save comparison as SVG')
    expect(svg.data.toString('utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    const png = await downloaded('Save comparison as PNG')
    expect(png.data.subarray(1, 4).toString('ascii')).toBe('PNG')
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(SHOTS, 'explore-compare.png') })

    // The HTML report opens without a network and shows the tables and figures.
    await page.keyboard.press('Alt+5')
    const report = await downloaded('Save HTML report')
    expect(report.name).toBe('92-objects-kriegeskorte-et-al-2008-report.html')
    const file = join(root, report.name)
    writeFileSync(file, report.data)
    const offline = await browser.newContext({ offline: true })
    const reader = await offline.newPage()
    const requests: string[] = []
    reader.on('request', (r) => void (r.url().startsWith('file:') || requests.push(r.url())))
    await reader.goto(`file://${file}`)
    expect(await reader.locator('h1').textContent()).toBe('92 objects (Kriegeskorte et al. 2008)')
    expect(await reader.locator('table').count()).toBeGreaterThan(6)
    expect(await reader.locator('svg').count()).toBeGreaterThanOrEqual(6)
    expect(await reader.textContent('body')).toContain('Held-out accuracy')
    expect(requests).toEqual([])
    await reader.screenshot({ path: join(SHOTS, 'report.png') })
    await offline.close()

    // At 4K and at 1280 × 800 every page and tab fits the width (nothing scrolls sideways), long dataset names too.
    const overflow = 'document.documentElement.scrollWidth - document.documentElement.clientWidth'
    const tabs: Record<string, string[]> = { '4': ['Evaluate', 'Affine probe', 'AligNet', 'Gromov-Wasserstein', 'Attention'], '7': ['Triplets', 'Maps', 'Compare'] }
    for (const size of [{ width: 3840, height: 2160 }, { width: 1280, height: 800 }]) {
      await page.setViewportSize(size)
      for (const key of ['1', '2', '3', '4', '5', '6', '7']) {
        await page.keyboard.press(`Alt+${key}`)
        for (const tab of tabs[key] ?? ['']) {
          if (tab) await page.getByRole('tab', { name: tab, exact: true }).click()
          await page.waitForTimeout(400)
          expect(await page.evaluate<number>(overflow), `page ${key} ${tab} at ${size.width} px`).toBeLessThanOrEqual(0)
          if (size.width > 2000 && tab === 'Maps') await page.screenshot({ path: join(SHOTS, 'explore-maps-4k.png') })
        }
      }
    }

    // Demo mode: larger type, no paths.
    await page.keyboard.press('Alt+1')
    const path = page.locator('.path').first()
    expect(await path.isVisible()).toBe(true)
    const rootFontSize = 'getComputedStyle(document.documentElement).fontSize'
    const normal = await page.evaluate<string>(rootFontSize)
    await page.getByRole('button', { name: 'Demo mode' }).click()
    expect(await page.evaluate<boolean>("document.documentElement.classList.contains('demo')")).toBe(true)
    expect(await path.isVisible()).toBe(false)
    expect(parseFloat(await page.evaluate<string>(rootFontSize))).toBeGreaterThan(parseFloat(normal))
    await page.keyboard.press('Alt+7')
    await page.getByRole('tab', { name: 'Maps' }).click()
    await expect.poll(() => page.locator('[data-testid=maps] .map-chart canvas').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2)
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(SHOTS, 'demo-mode.png') })
    await page.getByRole('button', { name: 'Leave demo mode' }).click()
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
  }, 420_000)

  it('creates the 25-image example and shows Grad-CAM maps over the images on the Alignment page', async () => {
    const errorsBefore = await page.locator('.toast.error').allTextContents()
    await page.keyboard.press('Alt+1')
    await page.getByRole('button', { name: 'Close project' }).click()
    await page.getByRole('button', { name: /25 natural images: attention/ }).click()
    await expect.poll(() => page.textContent('[data-testid=project-name]')).toBe('25 natural images (Langlois et al. 2021)')
    await expect.poll(() => page.locator('.stat', { hasText: 'Runs' }).locator('dd').textContent(), { timeout: 120_000, interval: 1000 }).toBe('1')
    await openAlignment(page, 'Attention')
    const grid = page.locator('[data-testid=attention-grid]')
    await expect.poll(() => grid.locator('figure').count(), { timeout: 30_000 }).toBe(25)
    expect(await page.textContent('[data-testid=attention]')).toMatch(/Grad-CAM at out_relu of MobileNetV2, 25 images in \d+\.\d s/)
    // The first map drawn over its image: the canvas is not blank.
    await expect
      .poll(() => grid.locator('canvas').first().evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL().length), { timeout: 20_000 })
      .toBeGreaterThan(5000)
    // Grad-CAM at another layer of the same model, from the form.
    await expect.poll(() => page.locator('#att-layer option').count(), { timeout: 30_000 }).toBeGreaterThan(10)
    // SmoothGrad with no number of samples cannot start.
    await page.selectOption('#att-method', 'smoothgrad')
    await page.fill('#att-samples', '')
    expect(await page.getByRole('button', { name: 'Make maps' }).isDisabled()).toBe(true)
    await page.selectOption('#att-method', 'gradcam')
    await page.selectOption('#att-layer', 'Conv_1')
    await page.getByRole('button', { name: 'Make maps' }).click()
    await expect.poll(() => page.locator('#att-run option').count(), { timeout: 60_000 }).toBe(2)
    await expect.poll(() => page.textContent('[data-testid=attention]'), { timeout: 20_000 }).toMatch(/Grad-CAM at Conv_1 of MobileNetV2, 25 images/)
    // Human maps from a file (25 maps of 40 × 40, a disc at one of nine places): scored, and shown beside the maps.
    const humanFile = join(root, 'human_maps.npy')
    const disc = (k: number) => {
      const i = Math.floor(k / 1600)
      return Math.hypot((k % 40) - 8 - 12 * (i % 3), Math.floor((k % 1600) / 40) - 8 - 12 * (Math.floor(i / 3) % 3)) < 8 ? 1 : 0
    }
    writeFileSync(humanFile, encodeNpy({ dtype: '<f4', shape: [25, 40, 40], data: Float32Array.from({ length: 25 * 1600 }, (_, k) => disc(k)) }))
    await page.selectOption('#att-human', 'file')
    await page.fill('#att-human-file', humanFile)
    await page.getByRole('button', { name: 'Make maps' }).click()
    await expect.poll(() => page.locator('#att-run option').count(), { timeout: 60_000 }).toBe(3)
    // The mean, the baseline, the test against it, and the 25 images.
    await expect.poll(() => page.locator('[data-testid=attention-scores] tbody tr').count(), { timeout: 20_000 }).toBe(28)
    const above = await page.locator('[data-testid=above-baseline] td').allTextContents()
    expect(above[0]).toBe('p, above it')
    for (const p of above.slice(1)) expect(p === '—' || (Number(p) > 0 && Number(p) <= 1), p).toBe(true)
    expect(await page.textContent('[data-testid=attention-scores] caption')).toContain('human_maps.npy')
    // The baseline scores each model map against the other images' human maps: with the discs in different places,
    // not the images' own scores.
    const [mean, baseline] = await Promise.all([0, 1].map((r) => page.locator('[data-testid=attention-scores] tbody tr').nth(r).locator('td').allTextContents()))
    expect(mean!.slice(1).map(Number).every(Number.isFinite)).toBe(true)
    expect(baseline!.slice(1).map(Number).every(Number.isFinite)).toBe(true)
    expect(baseline!.slice(1)).not.toEqual(mean!.slice(1))
    await expect.poll(() => page.locator('[data-testid=attention-grid] canvas[aria-label^="Human map"]').count(), { timeout: 20_000 }).toBe(25)
    // The masking experiment of these maps: both sides scored, the masked images stored as two image sets.
    await page.fill('#mask-keep', '40')
    await page.selectOption('#mask-fill', 'blur')
    await page.getByRole('button', { name: 'Mask the images' }).click()
    const masks = page.locator('[data-testid=mask-scores] tbody tr')
    await expect.poll(() => masks.count(), { timeout: 120_000, interval: 1000 }).toBe(2)
    expect(await masks.first().textContent()).toMatch(/40%\s*blur\s*by the maps\s*\d+%\s*0\.\d{3}/)
    expect(await masks.nth(1).textContent()).toMatch(/random\s*\d+%\s*0\.\d{3}/)
    expect(await page.textContent('[data-testid=attention]')).toMatch(/Masked images saved as image sets: Langlois et al\. 2021: 25 natural images masked by run \d+ \(top 40% kept, blur\); Langlois et al\. 2021: 25 natural images masked at random/)
    await page.fill('#att-opacity', '0.3')
    await page.locator('[data-testid=attention]').scrollIntoViewIfNeeded()
    await page.waitForTimeout(500)
    await page.locator('[data-testid=attention]').screenshot({ path: join(SHOTS, 'attention.png') })
    // Another target: the similarity of each image's embedding to one photograph's.
    await page.selectOption('#att-target', 'image')
    await page.fill('#att-target-image', join(__dirname, '../../resources/examples/langlois25/image_r_18.jpg'))
    await page.getByRole('button', { name: 'Make maps' }).click()
    await expect.poll(() => page.locator('#att-run option').count(), { timeout: 60_000 }).toBe(4)
    await expect.poll(() => page.textContent('[data-testid=attention]'), { timeout: 20_000 }).toMatch(/Grad-CAM at Conv_1 of MobileNetV2, explaining the similarity to image_r_18\.jpg, 25 images/)
    expect(await grid.locator('figcaption', { hasText: 'class' }).count()).toBe(0)
    expect(await page.locator('.toast.error').allTextContents()).toEqual(errorsBefore)
  }, 300_000)

  it('names and shows the objects of triplets that list them in another order than the images, by name', async () => {
    const dir = join(root, 'named-order')
    const env = { HUMANALIGN_CONFIG_DIR: join(root, 'cli-config'), HUMANALIGN_BACKEND: 'wasm' }
    const cli = (args: string[]) => {
      const r = runCli([...args, '--project', dir, '--json'], env, 60_000)
      expect(r.stderr).toBe('')
      return JSON.parse(r.stdout) as { datasets: number[] }
    }
    expect(runCli(['project', 'create', dir], env).code).toBe(0)
    // Four images (a folder: in file-name order), and features that list them backwards, their names beside.
    const images = join(root, 'four-images')
    mkdirSync(images)
    const files = ['image_r_10.jpg', 'image_r_18.jpg', 'image_r_24.jpg', 'image_r_32.jpg']
    files.forEach((f) => copyFileSync(join(__dirname, '../../resources/examples/langlois25', f), join(images, f)))
    cli(['import', 'images', images])
    const features = join(root, 'four-features')
    mkdirSync(features)
    writeFileSync(join(features, 'features.npy'), encodeNpy({ dtype: '<f4', shape: [4, 2], data: Float32Array.of(1, 0, 0, 1, 1, 1, 2, 0) }))
    writeFileSync(join(features, 'file_names.txt'), `${[...files].reverse().join('\n')}\n`)
    const list = cli(['import', 'features', join(features, 'features.npy')]).datasets[0]!
    // Triplets by name against that list: their indices are its rows (3, 2, 1 for the first).
    writeFileSync(join(features, 'trials.csv'), 'a,b,odd\nimage_r_10,image_r_18,image_r_24\n')
    cli(['import', 'triplets', join(features, 'trials.csv'), '--columns', 'a,b,odd', '--objects-from', String(list)])
    await openFreshly(dir)
    await page.keyboard.press('Alt+7')
    await page.getByRole('tab', { name: 'Triplets' }).click()
    const row = page.locator('[data-testid=triplet-list] .triplet-row').first()
    // The image set names the objects: each found by name, not by the triplets' row numbers.
    await expect.poll(() => row.locator('.object-name').allTextContents(), { timeout: 30_000 }).toEqual(['image_r_10', 'image_r_18', 'image_r_24'])
    await expect.poll(() => row.locator('img').count(), { timeout: 20_000 }).toBe(3)
    expect(await row.locator('img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')))).toEqual(['image_r_10', 'image_r_18', 'image_r_24'])
    // Each thumbnail is its own image's: the picture the Models page shows under that name.
    const shown = await row.locator('img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src')))
    await page.keyboard.press('Alt+3')
    const set = page.locator('[data-testid=thumbnails] figure')
    await expect.poll(() => set.count(), { timeout: 20_000 }).toBe(4)
    const own = await Promise.all(['image_r_10', 'image_r_18', 'image_r_24'].map((name) => set.filter({ hasText: name }).locator('img').getAttribute('src')))
    expect(shown).toEqual(own)
  }, 120_000)

  it('averages features of images over their concept folders on the Data page', async () => {
    const dir = join(root, 'concept-means')
    const env = { HUMANALIGN_CONFIG_DIR: join(root, 'cli-config'), HUMANALIGN_BACKEND: 'wasm' }
    expect(runCli(['project', 'create', dir], env).code).toBe(0)
    // THINGS' layout: the images in a folder per concept, and their features as thingsvision writes them.
    const perImage = join(__dirname, '../fixtures/npy/per_image')
    const files = readFileSync(join(perImage, 'file_names.txt'), 'utf8').trim().split('\n')
    const langlois = join(__dirname, '../../resources/examples/langlois25')
    const pictures = readdirSync(langlois).filter((f) => f.endsWith('.jpg'))
    files.forEach((file, i) => {
      mkdirSync(join(root, 'things', dirname(file)), { recursive: true })
      copyFileSync(join(langlois, pictures[i]!), join(root, 'things', file))
    })
    for (const args of [['import', 'images', join(root, 'things/object_images')], ['import', 'features', join(perImage, 'features.npy'), '--name', 'per image']]) {
      expect(runCli([...args, '--project', dir], env, 60_000).code).toBe(0)
    }
    await openFreshly(dir)
    await page.keyboard.press('Alt+2')
    const card = page.locator('[aria-labelledby=means-title]')
    // The image folder's subfolders are the categories chosen.
    await expect.poll(() => card.locator('#means-by option:checked').textContent()).toBe('object_images: subfolders (3 categories)')
    await card.getByRole('button', { name: 'Average' }).click()
    const row = page.locator('[data-testid=datasets-table] tbody tr', { hasText: 'per image · mean per category' })
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1)
    expect(await row.textContent()).toContain('3 × 5')
    expect(await row.textContent()).toContain('the mean of "per image" per category of "object_images: subfolders" (6 rows, 1–3 a category)')
  }, 60_000)
})
