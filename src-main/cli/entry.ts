// The `humanalign` command (bin/humanalign.js loads this bundle).
import { join } from 'node:path'
import { APP_VERSION } from '../app/version'
import { runCli } from './main'

void runCli(process.argv.slice(2), {
  version: APP_VERSION,
  workerDir: __dirname,
  staticDir: join(__dirname, '..', 'renderer'),
  appRoot: join(__dirname, '..', '..'),
}).then((code) => {
  process.exitCode = code
})
