import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll's default of 1 s is too tight beside a CPU-heavy test file on two cores (a toast once came later).
    expect: { poll: { timeout: 10_000 } },
    // The integration and e2e suites spawn servers and a browser; two cores are all CI has.
    maxWorkers: 2,
    globalSetup: ['tests/helpers/requireBuild.ts'],
    reporters: ['default', './tests/helpers/summaryReporter.ts'],
  },
})
