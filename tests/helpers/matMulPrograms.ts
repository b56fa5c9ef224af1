// Which of tfjs-webgpu's matMul programs a computation runs, and whether each is the vec4 variant (tfjs picks it
// only when the inner and output-column dimensions are multiples of 4).
import * as tf from '@tensorflow/tfjs-core'

interface Program {
  shaderKey: string
  isVec4?: boolean
}

/** Runs `work` on the active webgpu backend and lists its matMul programs as "matMulPacked vec4 true" and alike. */
export async function matMulPrograms<T>(work: () => Promise<T>): Promise<{ result: T; programs: string[] }> {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (program: Program, ...rest: unknown[]) => unknown }
  const { runWebGPUProgram } = backend
  const programs: string[] = []
  backend.runWebGPUProgram = function (this: unknown, program, ...rest) {
    if (program.shaderKey.startsWith('matMul')) programs.push(`${program.shaderKey.split('_')[0]} vec4 ${program.isVec4 === true}`)
    return runWebGPUProgram.apply(this, [program, ...rest])
  }
  try {
    return { result: await work(), programs }
  } finally {
    backend.runWebGPUProgram = runWebGPUProgram
  }
}
