import { resolve } from 'node:path'
import { readFileSync } from 'node:fs'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

const { version } = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string }

export default defineConfig({
  main: {
    define: { __APP_VERSION__: JSON.stringify(version) },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/entry.ts'),
          jobWorker: resolve(__dirname, 'src-main/jobs/worker.ts'),
          taskWorker: resolve(__dirname, 'src-main/jobs/taskWorker.ts'),
          bootstrapWorker: resolve(__dirname, 'src-main/jobs/bootstrapWorker.ts'),
          gwProductWorker: resolve(__dirname, 'src-main/jobs/gwProductWorker.ts'),
          sinkhornWorker: resolve(__dirname, 'src-main/jobs/sinkhornWorker.ts'),
          rowProductsWorker: resolve(__dirname, 'src-main/jobs/rowProductsWorker.ts'),
          attentionWorker: resolve(__dirname, 'src-main/jobs/attentionWorker.ts'),
          benchCase: resolve(__dirname, 'src-main/bench/caseEntry.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require dependencies: bundle zod in, emit CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue()],
    // The renderer sees the contract and shared formatting of the main side, nothing else.
    resolve: { alias: { '@api': resolve(__dirname, 'src-main/api') } },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
})
