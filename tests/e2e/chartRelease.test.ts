// A chart closed while zrender is still painting it in slices (a large heatmap on a slow machine) must not throw
// in the next frame: the uncaught "reading 'layerStack'" that CI saw when a page with a heatmap was left.
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { build, type Rollup } from 'vite'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchChromium } from '../helpers/chromium'

let browser: Browser
let bundle: string

beforeAll(async () => {
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    // As in the app's build: ECharts reads NODE_ENV for its development warnings.
    define: { 'process.env.NODE_ENV': '"production"' },
    build: { write: false, minify: false, lib: { entry: join(__dirname, 'chartReleaseEntry.ts'), formats: ['iife'], name: 'chartRelease' } },
  })) as Rollup.RollupOutput[]
  bundle = output[0]!.output[0].code
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
})

/**
 * In the page: five 300 × 300 heatmaps drawn as one progressive chunk (so painting it takes several 15 ms slices),
 * each closed a little later than the last, one frame or more into its paint; the errors thrown meanwhile.
 */
const closeWhilePainting = (release: 'dispose' | 'releaseChart') => `(async () => {
  const errors = []
  window.addEventListener('error', (e) => errors.push(e.message))
  const n = 300
  const data = []
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data.push([i, j, (i * 7 + j * 13) % 100])
  const axis = { type: 'category', data: Array.from({ length: n }, (_, i) => i) }
  for (let t = 0; t < 5; t++) {
    const chart = echarts.init(document.getElementById('chart'))
    chart.setOption({ animation: false, xAxis: axis, yAxis: axis, visualMap: { min: 0, max: 100, show: false },
      series: [{ type: 'heatmap', data, progressive: n * n, progressiveThreshold: 1000 }] })
    await new Promise((r) => requestAnimationFrame(r))
    await new Promise((r) => setTimeout(r, 5 * t))
    ${release === 'dispose' ? 'chart.dispose()' : 'releaseChart(chart)'}
    await new Promise((r) => setTimeout(r, 200))
  }
  return errors
})()`

async function errorsOnClose(release: 'dispose' | 'releaseChart'): Promise<string[]> {
  const page = await browser.newPage()
  try {
    await page.setContent('<div id="chart" style="width: 800px; height: 800px"></div>')
    await page.addScriptTag({ content: bundle })
    return (await page.evaluate(closeWhilePainting(release))) as string[]
  } finally {
    await page.close()
  }
}

it('reproduces the failure with a plain dispose, so the case below tests something', async () => {
  const errors = await errorsOnClose('dispose')
  expect(errors.length).toBeGreaterThan(0)
  expect(errors[0]).toContain("reading 'layerStack'")
}, 60_000)

it('releases a chart mid-paint without an error in the frames after', async () => {
  expect(await errorsOnClose('releaseChart')).toEqual([])
}, 60_000)
