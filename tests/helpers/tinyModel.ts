import * as tf from '@tensorflow/tfjs'
import { saveStudent } from '../../src-main/models/student'

/** A 16-px "pretrained" layers model saved in `folder`: conv → global average pool (the penultimate layer) → 2 logits. */
export async function saveTinyModel(folder: string): Promise<void> {
  const input = tf.input({ shape: [16, 16, 3] })
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input)
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(conv)
  const logits = tf.layers.dense({ units: 2, name: 'logits', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(pooled) as tf.SymbolicTensor
  await saveStudent(tf.model({ inputs: input, outputs: logits }), folder, 'test')
}
