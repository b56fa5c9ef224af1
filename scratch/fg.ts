import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { registerWasmFilterGradients } from '../src-main/core/compute/kernels/wasmFilterGradients'
async function grads(backend: string) {
  await tf.setBackend(backend)
  const out: number[][] = []
  for (const [stride, pad, k, mult] of [[1, 'same', 1, 1], [2, 'same', 3, 2], [2, 'valid', 3, 1], [1, 'valid', 2, 3]] as const) {
    const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => Math.sin(i * 0.37)), [2, 7, 6, 3])
    const w = tf.tensor4d(Array.from({ length: k * k * 3 * 4 }, (_, i) => Math.cos(i * 0.71)), [k, k, 3, 4])
    const dwf = tf.tensor4d(Array.from({ length: k * k * 3 * mult }, (_, i) => Math.cos(i * 0.71)), [k, k, 3, mult])
    const g1 = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, stride, pad))))(w)
    const g2 = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(x, f as tf.Tensor4D, stride, pad))))(dwf)
    out.push(Array.from(await g1.data()), Array.from(await g2.data()))
  }
  return out
}
async function main() {
  await tf.ready()
  const cpu = await grads('cpu')
  registerWasmFilterGradients()
  const wasm = await grads('wasm')
  let worst = 0
  cpu.forEach((a, i) => a.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - wasm[i]![j]!) / Math.max(1, Math.abs(v))))))
  console.log('worst rel', worst); cpu.forEach((a, i) => { let w = 0; a.forEach((v, j) => (w = Math.max(w, Math.abs(v - wasm[i]![j]!) / Math.max(1, Math.abs(v))))); console.log(i, w, a.slice(0, 4), wasm[i]!.slice(0, 4)) })
}
void main()
