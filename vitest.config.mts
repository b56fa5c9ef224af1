import { defineConfig } from 'vitest/config'

// Frame times are wall time: the scrolling test runs alone, after the rest, so that another test file keeping both
// cores busy cannot read as a slow list.
const ALONE = ['tests/e2e/scrolling.test.ts']

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll's default of 1 s is too tight beside a CPU-heavy test file on two cores (a toast once came later).
    expect: { poll: { timeout: 10_000 } },
    // The integration and e2e suites spawn servers and a browser; two cores are all CI has.
    maxWorkers: 2,
    // Two test files at once on CI's two cores: TF.js's WebAssembly threads (one per core by default) would then
    // contend with the other file's (its idle threads spin), which made the suite 1.5× slower. One thread a file;
    // tests/unit/wasmThreads.test.ts sets its own counts.
    env: { HUMANALIGN_WASM_THREADS: '1' },
    globalSetup: ['tests/helpers/requireBuild.ts'],
    reporters: ['default', './tests/helpers/summaryReporter.ts'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['tests/**/*.test.ts'], exclude: ALONE } },
      { extends: true, test: { name: 'alone', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
})
