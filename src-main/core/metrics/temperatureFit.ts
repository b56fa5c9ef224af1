// The softmax temperature that makes a model's triplet probabilities softmax([s_ij, s_ik, s_jk] / τ) fit the human
// choices best (maximum likelihood). Raw DNN features have dot products in the hundreds, so at τ = 1 every
// probability is 0 or 1 and every entropy 0; fitted, the probabilities say how sure the model is on the scale of the
// human choices, comparable across models, and the model's choices (the most similar pair) are unchanged.

export interface FittedTemperature {
  /** τ; null when no τ does better than chance (the similarities do not predict the human choices). */
  temperature: number | null
  /** Mean negative log-likelihood of the human choices at that τ (nats per triplet; ln 3 at chance). */
  meanNll: number
}

/** Newton steps on β = 1/τ (the negative log-likelihood is convex in β), each shortened until it improves. */
const MAX_STEPS = 200

/**
 * `pairs`: each triplet's [s_ij, s_ik, s_jk], the human's choice the first pair (k is the odd one out, as the
 * triplets are stored). The negative log-likelihood Σ_t logΣexp(β s_t) − β s_t,ij is convex in β, its derivative
 * Σ (E_p[s] − s_ij) and second derivative Σ Var_p[s]; sums in float64.
 */
export function fitTemperature(pairs: Float32Array | Float64Array): FittedTemperature {
  const count = pairs.length / 3
  if (!count) throw new RangeError('no triplets to fit a temperature to')
  const moments = (beta: number) => {
    let nll = 0
    let gradient = 0
    let curvature = 0
    for (let t = 0; t < 3 * count; t += 3) {
      const a = pairs[t]!
      const b = pairs[t + 1]!
      const c = pairs[t + 2]!
      const top = Math.max(a, b, c)
      const ea = Math.exp(beta * (a - top))
      const eb = Math.exp(beta * (b - top))
      const ec = Math.exp(beta * (c - top))
      const z = ea + eb + ec
      const mean = (ea * a + eb * b + ec * c) / z
      nll += Math.log(z) + beta * (top - a)
      gradient += mean - a
      curvature += (ea * (a - mean) ** 2 + eb * (b - mean) ** 2 + ec * (c - mean) ** 2) / z
    }
    return { nll, gradient, curvature }
  }
  // At β = 0 the probabilities are uniform; a non-negative slope there means no β > 0 does better.
  const atZero = moments(0)
  if (atZero.gradient >= 0) return { temperature: null, meanNll: atZero.nll / count }
  // Start where β times a triplet's range of similarities is about one nat.
  let range = 0
  for (let t = 0; t < 3 * count; t += 3) range += Math.max(pairs[t]!, pairs[t + 1]!, pairs[t + 2]!) - Math.min(pairs[t]!, pairs[t + 1]!, pairs[t + 2]!)
  let beta = range > 0 ? count / range : 1
  let current = moments(beta)
  for (let step = 0; step < MAX_STEPS && current.curvature > 0; step++) {
    let next = beta - current.gradient / current.curvature
    if (next <= 0) next = beta / 2
    let trial = moments(next)
    // Backtracking toward β where a full step neither lowers the negative log-likelihood nor flattens its slope (near
    // the optimum the likelihood changes below rounding, the slope still does).
    const worse = () => trial.nll > current.nll && Math.abs(trial.gradient) >= Math.abs(current.gradient)
    for (let halving = 0; halving < 40 && worse(); halving++) trial = moments((next = (beta + next) / 2))
    if (worse()) break
    // A model always right by a margin has no finite optimum: stop once the likelihood is 1 to double precision.
    const converged = Math.abs(next - beta) <= 1e-14 * beta || trial.nll <= 1e-15 * count
    ;[beta, current] = [next, trial]
    if (converged) break
  }
  return { temperature: 1 / beta, meanNll: current.nll / count }
}
