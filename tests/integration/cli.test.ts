import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../src-main/store/migrations'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }

function env(): NodeJS.ProcessEnv {
  const dir = tmp()
  return { HUMANALIGN_CONFIG_DIR: join(dir, 'config'), HUMANALIGN_PROJECTS_DIR: join(dir, 'projects') }
}

describe('humanalign CLI', () => {
  it('prints help and its version', () => {
    const help = runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('project create DIR [--name NAME]')
    expect(runCli([]).code).toBe(1)
    const printed = runCli(['--version', '--json'])
    expect(JSON.parse(printed.stdout)).toEqual({ version })
  })

  it('creates a project and describes it, one JSON object each with --json', () => {
    const e = env()
    const dir = join(tmp(), 'my-study')
    const created = runCli(['project', 'create', dir, '--name', 'My study', '--json'], e)
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    expect(created.stdout.trim().split('\n')).toHaveLength(1)
    expect(JSON.parse(created.stdout)).toMatchObject({ path: dir, name: 'My study', schemaVersion: SCHEMA_VERSION })
    expect(existsSync(join(dir, 'project.sqlite'))).toBe(true)
    // The CLI released its lock when it finished.
    expect(existsSync(join(dir, 'project.lock'))).toBe(false)

    const info = runCli(['project', 'info', dir, '--json'], e)
    expect(info.code).toBe(0)
    const parsed = JSON.parse(info.stdout)
    expect(parsed.counts).toEqual({ datasets: 0, models: 0, featureSets: 0, runs: 0, artifacts: 0, jobs: 0 })
    const human = runCli(['project', 'info', dir], e)
    expect(human.stdout).toContain('Project    My study')
    expect(human.stdout).toContain(`Schema     v${SCHEMA_VERSION}`)
  })

  it('reports user errors as one line on stderr with exit code 1 and nothing on stdout', () => {
    const e = env()
    const dir = tmp()
    const cases: [string[], RegExp][] = [
      [['project', 'info', dir, '--json'], /is not a HumanAlign project \(it has no project.sqlite\)/],
      [['project', 'info', join(dir, 'nope')], /does not exist/],
      [['project', 'frobnicate', dir], /Unknown project action "frobnicate"/],
      [['project', 'info'], /needs exactly one folder/],
      [['project', 'create', dir, '--colour', 'red'], /Unknown option '--colour'/],
      [['launch'], /Unknown command "launch"/],
      [['serve', '--host', '10.1.2.3'], /Refusing to listen on 10.1.2.3/],
      // A count that cannot be 0, missing or 0; a file the command reads that is not there.
      [['alignet', 'sample', '--clusters', join(dir, 'c.npz'), '--out', join(dir, 't.npy')], /^humanalign: --count is required \(a whole number, at least 1\)\./],
      [['alignet', 'sample', '--clusters', join(dir, 'c.npz'), '--count', '0', '--out', join(dir, 't.npy')], /^humanalign: --count 0 must be at least 1\./],
      [['alignet', 'sample', '--clusters', join(dir, 'c.npz'), '--count', '2', '--out', join(dir, 't.npy')], new RegExp(`^humanalign: ${join(dir, 'c.npz')}: no such file or folder\\. Check the path\\.`)],
    ]
    for (const [args, message] of cases) {
      const r = runCli(args, e)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })

  it('prints the stack only with --debug', () => {
    const r = runCli(['project', 'info', tmp(), '--debug'], env())
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/\n\s+at /)
  })

  it('reports a corrupted project.sqlite clearly', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'project.sqlite'), 'this is not sqlite at all, just text long enough to be a header........')
    const r = runCli(['project', 'info', dir], env())
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/project.sqlite is damaged \(file is not a database\)/)
  })

  it('refuses to create a project in a non-empty folder', () => {
    const dir = tmp()
    mkdirSync(join(dir, 'data'))
    const r = runCli(['project', 'create', dir], env())
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('is not empty. Choose a new folder name')
  })
})
