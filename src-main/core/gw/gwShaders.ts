// WGSL kernels of entropic GW on the GPU (see gpuGw.ts): the cost of an outer step with the loss of its plan, the
// absorbed Sinkhorn iterations (column sums in row chunks, row sums by workgroup reduction, the scalings updated in
// the same passes and flagged when they leave [1e-3, 1e3]), absorption into the potentials when flagged, and sums
// reduced to single numbers. All n × m arrays are
// row-major float32; 1-D dispatches over more than 65,535 workgroups use a 2-D grid of width `gx`.

const PARAMS = /* wgsl */ `
struct Params { n: u32, m: u32, gx: u32, update: u32, eps: f32, rows: u32, count: u32, slot: u32, omega: f32 }
`

/**
 * A scaling's update with momentum ω (sinkhorn.ts): previous^(1−ω) x^ω, or x itself at ω = 1 or where x is not a
 * positive finite number (it is then flagged and absorbed, as without momentum).
 */
const RELAXED = /* wgsl */ `
fn relaxed(previous: f32, x: f32, omega: f32) -> f32 {
  if (omega == 1.0 || !(x > 0.0 && x < 3.4e38)) { return x; }
  return pow(previous, 1.0 - omega) * pow(x, omega);
}
`

/** A 256-wide tree sum in workgroup memory; thread 0 gets the total. */
const WORKGROUP_SUM = /* wgsl */ `
var<workgroup> sums: array<f32, 256>;
fn workgroupSum(lid: u32, value: f32) -> f32 {
  sums[lid] = value;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride = stride >> 1u) {
    if (lid < stride) { sums[lid] = sums[lid] + sums[lid + stride]; }
    workgroupBarrier();
  }
  return sums[0];
}
`

/** tens = left_i + right_j − 2 X_ij; C = 2 tens (the Sinkhorn cost); per workgroup Σ tens ∘ T (the plan's loss). */
export const GW_COST_WGSL = /* wgsl */ `${PARAMS}${WORKGROUP_SUM}
@group(0) @binding(0) var<storage, read> product: array<f32>;
@group(0) @binding(1) var<storage, read> plan: array<f32>;
@group(0) @binding(2) var<storage, read> left: array<f32>;
@group(0) @binding(3) var<storage, read> right: array<f32>;
@group(0) @binding(4) var<storage, read_write> cost: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let group = wid.x + wid.y * params.gx;
  let k = group * 256u + lid.x;
  var term = 0.0;
  if (k < params.n * params.m) {
    let tens = left[k / params.m] + right[k % params.m] - 2.0 * product[k];
    cost[k] = 2.0 * tens;
    term = tens * plan[k];
  }
  let total = workgroupSum(lid.x, term);
  if (lid.x == 0u) { partials[group] = total; }
}
`

/** Σ_k (new_k − old_k)² and Σ_k new_k², per workgroup. */
export const GW_CHANGE_WGSL = /* wgsl */ `${PARAMS}${WORKGROUP_SUM}
@group(0) @binding(0) var<storage, read> next: array<f32>;
@group(0) @binding(1) var<storage, read> previous: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let group = wid.x + wid.y * params.gx;
  let k = group * 256u + lid.x;
  var change = 0.0;
  var size = 0.0;
  if (k < params.n * params.m) {
    change = (next[k] - previous[k]) * (next[k] - previous[k]);
    size = next[k] * next[k];
  }
  let changes = workgroupSum(lid.x, change);
  workgroupBarrier();
  let sizes = workgroupSum(lid.x, size);
  if (lid.x == 0u) {
    partials[2u * group] = changes;
    partials[2u * group + 1u] = sizes;
  }
}
`

/** scalars[slot] = Σ of `count` values spaced `rows` apart from offset `n` (one workgroup). */
export const GW_REDUCE_WGSL = /* wgsl */ `${PARAMS}${WORKGROUP_SUM}
@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> scalars: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  var s = 0.0;
  for (var k = lid.x; k < params.count; k = k + 256u) { s = s + values[params.n + k * params.rows]; }
  let total = workgroupSum(lid.x, s);
  if (lid.x == 0u) { scalars[params.slot] = total; }
}
`

/** The c-transform start: f_i = min_j C_ij (one workgroup per row). */
export const GW_ROW_MIN_WGSL = /* wgsl */ `${PARAMS}
@group(0) @binding(0) var<storage, read> cost: array<f32>;
@group(0) @binding(1) var<storage, read_write> f: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
var<workgroup> lowest: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = wid.x + wid.y * params.gx;
  if (i >= params.n) { return; }
  var low = 3.4e38;
  for (var j = lid.x; j < params.m; j = j + 256u) { low = min(low, cost[i * params.m + j]); }
  lowest[lid.x] = low;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride = stride >> 1u) {
    if (lid.x < stride) { lowest[lid.x] = min(lowest[lid.x], lowest[lid.x + stride]); }
    workgroupBarrier();
  }
  if (lid.x == 0u) { f[i] = lowest[0]; }
}
`

/** Then g_j = min_i (C_ij − f_i) (one thread per column). */
export const GW_COLUMN_MIN_WGSL = /* wgsl */ `${PARAMS}
@group(0) @binding(0) var<storage, read> cost: array<f32>;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read_write> g: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = id.x;
  if (j >= params.m) { return; }
  var low = 3.4e38;
  for (var i = 0u; i < params.n; i = i + 1u) { low = min(low, cost[i * params.m + j] - f[i]); }
  g[j] = low;
}
`

/** K_ij = exp((f_i + g_j − C_ij) / ε): always (`update` = 1) or after an absorption (the flag set). */
export const GW_FILL_WGSL = /* wgsl */ `${PARAMS}
@group(0) @binding(0) var<storage, read> cost: array<f32>;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> kernel: array<f32>;
@group(0) @binding(4) var<storage, read_write> flag: array<atomic<u32>>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (params.update == 0u && atomicLoad(&flag[0]) == 0u) { return; }
  let k = (wid.x + wid.y * params.gx) * 256u + lid.x;
  if (k >= params.n * params.m) { return; }
  kernel[k] = exp((f[k / params.m] + g[k % params.m] - cost[k]) / params.eps);
}
`

/** Σ_i K_ij u_i over chunks of `rows` rows: thread (j, chunk) — neighbouring threads read neighbouring entries. */
export const GW_COLUMN_PARTIAL_WGSL = /* wgsl */ `${PARAMS}
@group(0) @binding(0) var<storage, read> kernel: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = id.x;
  let chunk = id.y;
  if (j >= params.m) { return; }
  let start = chunk * params.rows;
  let end = min(start + params.rows, params.n);
  var s = 0.0;
  for (var i = start; i < end; i = i + 1u) { s = s + kernel[i * params.m + j] * u[i]; }
  partials[chunk * params.m + j] = s;
}
`

/**
 * (Kᵀu)_j from the chunks; the column error (v_j (Kᵀu)_j − b_j)²; with `update`, v_j = b_j / (Kᵀu)_j (with momentum
 * ω), flagging a scaling outside [1e-3, 1e3] for absorption.
 */
export const GW_COLUMN_UPDATE_WGSL = /* wgsl */ `${PARAMS}${RELAXED}
@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> errors: array<f32>;
@group(0) @binding(4) var<storage, read_write> flag: array<atomic<u32>>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = id.x;
  if (j >= params.m) { return; }
  var s = 0.0;
  for (var chunk = 0u; chunk < params.count; chunk = chunk + 1u) { s = s + partials[chunk * params.m + j]; }
  let miss = v[j] * s - b[j];
  errors[j] = miss * miss;
  if (params.update == 1u) {
    let x = relaxed(v[j], b[j] / s, params.omega);
    v[j] = x;
    if (!(x > 1e-3 && x < 1e3)) { atomicStore(&flag[0], 1u); }
  }
}
`

/**
 * (K v)_i by a workgroup per row; the row error (u_i (K v)_i − a_i)²; with `update`, u_i = a_i / (K v)_i (with
 * momentum ω), flagged likewise.
 */
export const GW_ROW_UPDATE_WGSL = /* wgsl */ `${PARAMS}${WORKGROUP_SUM}${RELAXED}
@group(0) @binding(0) var<storage, read> kernel: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read_write> u: array<f32>;
@group(0) @binding(4) var<storage, read_write> errors: array<f32>;
@group(0) @binding(5) var<storage, read_write> flag: array<atomic<u32>>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = wid.x + wid.y * params.gx;
  var s = 0.0;
  if (i < params.n) {
    for (var j = lid.x; j < params.m; j = j + 256u) { s = s + kernel[i * params.m + j] * v[j]; }
  }
  let total = workgroupSum(lid.x, s);
  if (lid.x == 0u && i < params.n) {
    let miss = u[i] * total - a[i];
    errors[i] = miss * miss;
    if (params.update == 1u) {
      let x = relaxed(u[i], a[i] / total, params.omega);
      u[i] = x;
      if (!(x > 1e-3 && x < 1e3)) { atomicStore(&flag[0], 1u); }
    }
  }
}
`

/**
 * The scalings into the potentials: f += ε log u, g += ε log v; u = v = 1 — always (`update` = 1, at the end of a
 * solve) or when a scaling was flagged (K is then filled again).
 */
export const GW_ABSORB_WGSL = /* wgsl */ `${PARAMS}
@group(0) @binding(0) var<storage, read_write> u: array<f32>;
@group(0) @binding(1) var<storage, read_write> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> f: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> flag: array<atomic<u32>>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (params.update == 0u && atomicLoad(&flag[0]) == 0u) { return; }
  let k = id.x;
  if (k < params.n) {
    f[k] = f[k] + params.eps * log(u[k]);
    u[k] = 1.0;
  }
  if (k < params.m) {
    g[k] = g[k] + params.eps * log(v[k]);
    v[k] = 1.0;
  }
}
`

/** The plan u_i K_ij v_j, in K's buffer. */
export const GW_SCALE_WGSL = /* wgsl */ `${PARAMS}
@group(0) @binding(0) var<storage, read> u: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> kernel: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let k = (wid.x + wid.y * params.gx) * 256u + lid.x;
  if (k >= params.n * params.m) { return; }
  kernel[k] = u[k / params.m] * kernel[k] * v[k % params.m];
}
`

/** Clears the absorption flag once the passes that read it are done. */
export const GW_CLEAR_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> flag: array<atomic<u32>>;

@compute @workgroup_size(1)
fn main() {
  atomicStore(&flag[0], 0u);
}
`

/** Online log-sum-exp: folds x into (top, sum) so that sum · exp(top) = Σ exp(x) so far. */
const LOG_SUM_EXP = /* wgsl */ `
fn fold(state: vec2<f32>, x: f32) -> vec2<f32> {
  if (x <= state.x) { return vec2<f32>(state.x, state.y + exp(x - state.x)); }
  return vec2<f32>(x, state.y * exp(state.x - x) + 1.0);
}
fn merge(p: vec2<f32>, q: vec2<f32>) -> vec2<f32> {
  if (p.y == 0.0) { return q; }
  if (q.y == 0.0) { return p; }
  let top = max(p.x, q.x);
  return vec2<f32>(top, p.y * exp(p.x - top) + q.y * exp(q.x - top));
}
`

/** A log-domain Sinkhorn half-step on the rows, f_i = ε log a_i − ε LSE_j((g_j − C_ij)/ε), a workgroup per row. */
export const GW_ROW_SOFTMIN_WGSL = /* wgsl */ `${PARAMS}${LOG_SUM_EXP}
@group(0) @binding(0) var<storage, read> cost: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read_write> f: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
var<workgroup> states: array<vec2<f32>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = wid.x + wid.y * params.gx;
  var state = vec2<f32>(-3.4e38, 0.0);
  if (i < params.n) {
    for (var j = lid.x; j < params.m; j = j + 256u) { state = fold(state, (g[j] - cost[i * params.m + j]) / params.eps); }
  }
  states[lid.x] = state;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride = stride >> 1u) {
    if (lid.x < stride) { states[lid.x] = merge(states[lid.x], states[lid.x + stride]); }
    workgroupBarrier();
  }
  if (lid.x == 0u && i < params.n) { f[i] = params.eps * (log(a[i]) - states[0].x - log(states[0].y)); }
}
`

/** The same on the columns, g_j = ε log b_j − ε LSE_i((f_i − C_ij)/ε), a thread per column. */
export const GW_COLUMN_SOFTMIN_WGSL = /* wgsl */ `${PARAMS}${LOG_SUM_EXP}
@group(0) @binding(0) var<storage, read> cost: array<f32>;
@group(0) @binding(1) var<storage, read> f: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let j = id.x;
  if (j >= params.m) { return; }
  var state = vec2<f32>(-3.4e38, 0.0);
  for (var i = 0u; i < params.n; i = i + 1u) { state = fold(state, (f[i] - cost[i * params.m + j]) / params.eps); }
  g[j] = params.eps * (log(b[j]) - state.x - log(state.y));
}
`
