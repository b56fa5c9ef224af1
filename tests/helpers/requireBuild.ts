import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** The worker, CLI and e2e tests run the built app: refuse to start with a clear reason if it is missing. */
export default function requireBuild(): void {
  const root = join(__dirname, '..', '..')
  for (const file of ['out/main/cli.js', 'out/main/jobWorker.js', 'out/main/bootstrapWorker.js', 'out/main/attentionWorker.js', 'out/main/rowProductsWorker.js', 'out/renderer/index.html', 'out/preload/index.cjs']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` before vitest (npm test does).`)
  }
}
