// The distillation settings and their defaults, apart from the training code so the contract (which the
// renderer imports) can share them without pulling in TF.js.

export const AUGMENTATIONS = ['none', 'flip', 'crop', 'crop+flip'] as const
export type Augmentation = (typeof AUGMENTATIONS)[number]

export interface DistillConfig {
  divergence: 'kl' | 'js'
  teacherTemperature: number
  studentTemperature: number
  /** Weight of ‖θ − θ_pretrained‖² over the pretrained (backbone) weights; the new head is not pulled back. */
  lambda: number
  peakLearningRate: number
  warmupSteps: number
  steps: number
  /** Triplets per step. */
  batchSize: number
  /** Units of the Dense triplet head on the cut layer's (flattened) output; null for none. */
  headUnits: number | null
  /**
   * Flip: each image mirrored left-right in half of the steps; crop: a random part of it (half to all of its area,
   * aspect 3:4 to 4:3) stretched to the input. Drawn by a hash of seed, step and image, so a resumed run sees the same.
   */
  augment: Augmentation
  seed: number
}

/** The released AligNet code's settings, at a step count a workstation finishes (the paper: 100k steps of 512). */
export const DISTILL_DEFAULTS: DistillConfig = {
  divergence: 'kl',
  teacherTemperature: 1,
  studentTemperature: 100,
  lambda: 1,
  peakLearningRate: 3e-5,
  warmupSteps: 500,
  steps: 5000,
  batchSize: 64,
  headUnits: 1024,
  augment: 'flip',
  seed: 0,
}
