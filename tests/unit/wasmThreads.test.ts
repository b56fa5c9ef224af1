import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { wasmMemory } from '../../src-main/core/compute/kernels/wasmKernel'
import { registerModelGradients } from '../../src-main/core/compute/modelGradients'
import { setWasmThreads, wasmThreads } from '../../src-main/core/compute/wasmThreads'
import { decodeNpy } from '../../src-main/core/io/npy'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const IMAGES = join(__dirname, '../../resources/examples/langlois25')

describe('how many threads the wasm backend uses', () => {
  it('one per core up to 8 by default, HUMANALIGN_WASM_THREADS when given, nonsense refused', () => {
    expect(wasmThreads({}, 2)).toBe(2)
    expect(wasmThreads({}, 1)).toBe(1)
    expect(wasmThreads({}, 64)).toBe(8)
    expect(wasmThreads({ HUMANALIGN_WASM_THREADS: '3' }, 2)).toBe(3)
    expect(wasmThreads({ HUMANALIGN_WASM_THREADS: '20' }, 2)).toBe(8)
    expect(() => wasmThreads({ HUMANALIGN_WASM_THREADS: 'two' }, 2)).toThrow(/HUMANALIGN_WASM_THREADS must be a whole number.*"two"/)
    expect(() => wasmThreads({ HUMANALIGN_WASM_THREADS: '0' }, 2)).toThrow(/1 or more/)
    expect(() => setWasmThreads(9)).toThrow(/from 1 to 8/)
  })
})

describe('the threaded WebAssembly build in Node', () => {
  beforeAll(async () => {
    setWasmThreads(2)
    const choice = await chooseBackend({ force: 'wasm' })
    expect(choice.detail).toBe('2 threads')
  }, 60_000)

  it('runs XNNPACK on the threads it was given', () => {
    expect(tf.getBackend()).toBe('wasm')
    expect(getThreadsCount()).toBe(2)
  })

  it('computes a convolution and a product as the CPU backend does', async () => {
    const x = tf.randomUniform([4, 33, 33, 16], -1, 1, 'float32', 1) as tf.Tensor4D
    const w = tf.randomUniform([3, 3, 16, 24], -1, 1, 'float32', 2) as tf.Tensor4D
    const a = tf.randomUniform([300, 257], -1, 1, 'float32', 3) as tf.Tensor2D
    const b = tf.randomUniform([257, 129], -1, 1, 'float32', 4) as tf.Tensor2D
    const ours = [await tf.conv2d(x, w, 2, 'same').data(), await tf.matMul(a, b).data()]
    const values = await Promise.all([x, w, a, b].map((t) => t.data()))
    await tf.setBackend('cpu')
    const [xc, wc, ac, bc] = values.map((v, k) => tf.tensor(v, [x, w, a, b][k]!.shape))
    const reference = [await tf.conv2d(xc as tf.Tensor4D, wc as tf.Tensor4D, 2, 'same').data(), await tf.matMul(ac as tf.Tensor2D, bc as tf.Tensor2D).data()]
    await tf.setBackend('wasm')
    for (const [k, r] of reference.entries()) {
      expect(ours[k]!.length).toBe(r.length)
      const worst = Array.from(r).reduce((m: number, v: number, i: number) => Math.max(m, Math.abs(v - Number(ours[k]![i]))), 0)
      expect(worst).toBeLessThan(1e-4)
    }
  })

  it('runs our kernels in its shared memory: clip and ReLU gradients and per-channel sums as the CPU backend', async () => {
    registerModelGradients()
    expect(wasmMemory(tf.backend())?.buffer).toBeInstanceOf(SharedArrayBuffer)
    const x = tf.randomUniform([2, 5, 5, 6], -2, 8, 'float32', 5)
    const weights = tf.randomUniform([2, 5, 5, 6], -1, 1, 'float32', 6)
    const run = () =>
      tf.tidy(() => {
        const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(tf.relu(input), 0, 6), weights)))(x)
        return [g.dataSync(), tf.sum(x, [0, 1, 2]).dataSync()]
      })
    const ours = run()
    await tf.setBackend('cpu')
    const [xc, wc] = [x, weights].map((t) => tf.tensor(t.dataSync(), t.shape))
    const reference = tf.tidy(() => {
      const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(tf.relu(input), 0, 6), wc!)))(xc!)
      return [g.dataSync(), tf.sum(xc!, [0, 1, 2]).dataSync()]
    })
    await tf.setBackend('wasm')
    // The same values (TF.js's step and multiply leave −0 where dy < 0; ours +0).
    expect(Array.from(ours[0]!, (v) => v + 0)).toEqual(Array.from(reference[0]!, (v) => v + 0))
    ours[1]!.forEach((v, c) => expect(v).toBeCloseTo(reference[1]![c]!, 4))
  })
})

describe('MobileNetV2 features on one and on two threads (each in its own process, through the CLI)', () => {
  const extract = (threads: number) => {
    const dir = tmp()
    const out = join(dir, 'features.npy')
    const run = runCli(['extract', '--model', 'mobilenet_v2', '--images', IMAGES, '--out', out, '--batch', '5', '--backend', 'wasm'], { HUMANALIGN_WASM_THREADS: String(threads) }, 120_000)
    expect(run.stderr).not.toMatch(/Error/)
    expect(run.code).toBe(0)
    return decodeNpy(readFileSync(out))
  }

  it('are the same to the bit', () => {
    const one = extract(1)
    const two = extract(2)
    expect(one.shape).toEqual([readdirSync(IMAGES).filter((f) => /\.(jpe?g|png)$/i.test(f)).length, 1280])
    expect(Buffer.from(two.data.buffer).equals(Buffer.from(one.data.buffer))).toBe(true)
  }, 240_000)

  it('the doctor says how many threads the wasm backend runs on, and why a count is refused', () => {
    const wasmOf = (value: string) => {
      const run = runCli(['doctor', '--json'], { HUMANALIGN_WASM_THREADS: value }, 60_000)
      const report = JSON.parse(run.stdout) as { compute: { backends: { name: string; ok: boolean; reason: string | null; detail: string | null }[] } }
      return report.compute.backends.find((b) => b.name === 'wasm')
    }
    expect(wasmOf('1')).toMatchObject({ ok: true, detail: '1 thread' })
    expect(wasmOf('2')).toMatchObject({ ok: true, detail: '2 threads' })
    expect(wasmOf('lots')).toMatchObject({ ok: false, reason: 'HUMANALIGN_WASM_THREADS must be a whole number of threads, 1 or more (got "lots")' })
  }, 120_000)
})
