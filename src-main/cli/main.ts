import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { OpInput, OpName, OpOutput } from '../api/contract'
import { AppError } from '../api/errors'
import { createBackend, type Backend } from '../app/backend'
import { parseServeArgs, serve, SERVE_USAGE } from '../server/serve'
import { formatProject } from './format'
import { EXIT_OK, EXIT_USER, printResult, reportError, type CliIo } from './output'

export const USAGE = `Usage: humanalign <command> [options]

Commands:
  project create DIR [--name NAME]   create a project folder (project.sqlite + artifacts/)
  project info DIR                   describe a project: name, schema, what it holds
  serve [--port N] [--host ADDR]     start browser mode (see humanalign serve --help)

Every command works on plain files or a project folder.
Global options:
  --json     print exactly one JSON object on stdout
  --debug    print stack traces of errors
  --help     show help;  --version  print the version
Exit codes: 0 ok, 1 a problem with the input (the message says what to fix), 2 internal error.`

export interface CliPaths {
  version: string
  workerPath: string
  staticDir: string
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
    options: { name: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  })
  if (positionals.length !== 1) throw usageError(`project ${action ?? ''} needs exactly one folder.`)
  const path = resolve(positionals[0]!)
  if (action === 'create') {
    const info = await call(backend, 'project.create', { path, name: values.name })
    printResult(io, info, () => `Created project "${info.name}" in ${info.path}`)
  } else if (action === 'info') {
    if (values.name !== undefined) throw usageError('--name applies to project create only.')
    const info = await call(backend, 'project.info', { path })
    printResult(io, info, () => formatProject(info))
  } else {
    throw usageError(`Unknown project action ${JSON.stringify(action ?? '')}; use create or info.`)
  }
  return EXIT_OK
}

export async function runCli(argv: string[], paths: CliPaths): Promise<number> {
  const io: CliIo = { json: argv.includes('--json'), debug: argv.includes('--debug') }
  const args = argv.filter((a) => a !== '--json' && a !== '--debug')
  const [command, ...rest] = args
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
    workerPath: paths.workerPath,
  })
  try {
    switch (command) {
      case 'project':
        if (wantsHelp) return (process.stdout.write(`${USAGE}\n`), EXIT_OK)
        return await projectCommand(backend, io, rest)
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
    if (command !== 'serve') await backend.close()
  }
}
