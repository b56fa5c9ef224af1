import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DoctorReport } from '../../src-main/api/contract'
import { runCli, startServe } from '../helpers/cli'
import { SWIFTSHADER_ICD, useSwiftShader } from '../helpers/swiftshader'
import { useTmp } from '../helpers/tmp'
import { TestClient } from '../helpers/wsClient'

const tmp = useTmp()

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = tmp()
  return { HUMANALIGN_CONFIG_DIR: join(dir, 'config'), HUMANALIGN_PROJECTS_DIR: join(dir, 'projects'), HUMANALIGN_BACKEND: '', ...extra }
}

function doctor(args: string[], extra: NodeJS.ProcessEnv): DoctorReport {
  const r = runCli(['doctor', '--json', ...args], extra)
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as DoctorReport
}

const status = (report: DoctorReport) => Object.fromEntries(report.compute.backends.map((b) => [b.name, b.ok]))

describe('humanalign doctor', () => {
  it('finds the SwiftShader WebGPU adapter on a CPU-only machine and chooses webgpu', () => {
    const report = doctor([], env(useSwiftShader()))
    expect(status(report)).toEqual({ tensorflow: false, webgpu: true, wasm: true, cpu: true })
    expect(report.compute).toMatchObject({ requested: 'auto', requestedFrom: 'default', chosen: 'webgpu', vulkanDriverFile: SWIFTSHADER_ICD })
    expect(report.compute.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader' })
    expect(report.compute.adapter!.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024)
    expect(report.compute.backends[0]!.reason).toMatch(/neither native TensorFlow package loads/)
    expect(report.machine.totalMemoryBytes).toBeGreaterThan(0)
    expect(report.paths.projectsDir).toMatch(/projects$/)
  })

  it('says why WebGPU is unavailable and falls through to wasm, also when webgpu was asked for', () => {
    const noGpu = env({ VK_ICD_FILENAMES: join(tmp(), 'no-such-driver.json') })
    const report = doctor(['--backend', 'webgpu'], noGpu)
    expect(status(report).webgpu).toBe(false)
    expect(report.compute.backends[1]!.reason).toMatch(/^no WebGPU adapter/)
    expect(report.compute).toMatchObject({ requested: 'webgpu', requestedFrom: 'flag', chosen: 'wasm', adapter: null })
  })

  it('takes the backend from --backend, then HUMANALIGN_BACKEND, then the settings', async () => {
    const shared = env(useSwiftShader())
    expect(doctor(['--backend', 'cpu'], { ...shared, HUMANALIGN_BACKEND: 'wasm' }).compute).toMatchObject({ requested: 'cpu', requestedFrom: 'flag', chosen: 'cpu' })
    expect(doctor([], { ...shared, HUMANALIGN_BACKEND: 'wasm' }).compute).toMatchObject({ requested: 'wasm', requestedFrom: 'environment', chosen: 'wasm' })

    const server = await startServe(shared)
    const client = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
    try {
      expect(await client.call('settings.get', {})).toMatchObject({ ok: true, output: { backend: 'auto' } })
      expect(await client.call('settings.set', { backend: 'gpu' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
      expect(await client.call('settings.set', { backend: 'cpu' })).toMatchObject({ ok: true, output: { backend: 'cpu' } })
      expect(await client.call('system.doctor', {})).toMatchObject({ ok: true, output: { compute: { requested: 'cpu', requestedFrom: 'settings', chosen: 'cpu' } } })
    } finally {
      client.close()
      await server.stop()
    }
    // The CLI reads the same settings file.
    expect(doctor([], shared).compute).toMatchObject({ requested: 'cpu', requestedFrom: 'settings' })
  })

  it('refuses an unknown backend name', () => {
    const r = runCli(['doctor', '--backend', 'gpu'], env())
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--backend gpu is not a backend; use auto, tensorflow, webgpu, wasm or cpu.')
    const e = runCli(['doctor'], env({ HUMANALIGN_BACKEND: 'cuda' }))
    expect(e.code).toBe(1)
    expect(e.stderr).toContain('HUMANALIGN_BACKEND=cuda is not a backend')
  })

  it('prints a readable report', () => {
    const r = runCli(['doctor'], env(useSwiftShader()))
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Compute {4}requested auto \(default\); jobs run on webgpu/)
    expect(r.stdout).toMatch(/✓ webgpu +available/)
    expect(r.stdout).toMatch(/GPU {8}google · swiftshader/)
  })
})
