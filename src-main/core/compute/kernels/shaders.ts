// rows[r, c] = Σ_k y[r0 + r, k] · y[c, k] for r < rows, c < n: a 16×16 tiled product of a row block with Yᵀ.
export const SIMILARITY_ROWS_WGSL = /* wgsl */ `
struct Params { n: u32, p: u32, r0: u32, rows: u32 }
@group(0) @binding(0) var<storage, read> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> result: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const TILE: u32 = 16u;
var<workgroup> a: array<array<f32, 16>, 16>;
var<workgroup> b: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.y * TILE + lid.y;
  let col = wid.x * TILE + lid.x;
  let bcol = wid.x * TILE + lid.y;
  var acc = 0.0;
  let tiles = (params.p + TILE - 1u) / TILE;
  for (var t = 0u; t < tiles; t = t + 1u) {
    let k = t * TILE + lid.x;
    var va = 0.0;
    if (row < params.rows && k < params.p) { va = y[(params.r0 + row) * params.p + k]; }
    a[lid.y][lid.x] = va;
    var vb = 0.0;
    if (bcol < params.n && k < params.p) { vb = y[bcol * params.p + k]; }
    b[lid.y][lid.x] = vb;
    workgroupBarrier();
    for (var q = 0u; q < TILE; q = q + 1u) {
      acc = acc + a[lid.y][q] * b[lid.x][q];
    }
    workgroupBarrier();
  }
  if (row < params.rows && col < params.n) {
    result[row * params.n + col] = acc;
  }
}
`

// out[3t + 0..2] = [s_ij, s_ik, s_jk] for triplet t = (i, j, k).
export const TRIPLET_GATHER_WGSL = /* wgsl */ `
struct Params { n: u32, count: u32 }
@group(0) @binding(0) var<storage, read> s: array<f32>;
@group(0) @binding(1) var<storage, read> idx: array<u32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.y * groups.x * 256u + gid.x;
  if (t >= params.count) { return; }
  let i = idx[3u * t];
  let j = idx[3u * t + 1u];
  let k = idx[3u * t + 2u];
  result[3u * t] = s[i * params.n + j];
  result[3u * t + 1u] = s[i * params.n + k];
  result[3u * t + 2u] = s[j * params.n + k];
}
`

// The probe's triplet term, pass 1 (a tfjs program, kernels/tfjsProgram.ts): one workgroup per triplet
// t = (i, j, k) reduces the three row products of Z over q, then writes result[5t..] = [scale · (softmax(s/τ) − y)
// (three), −Σ y log p, 1 if s_ij is the strict maximum] (y one-hot on pair 0, or the soft labels). The batch's
// triplets (and labels) start at triplet `start` of their tensors, which hold an epoch's batches.
export const TRIPLET_TERM_WGSL = /* wgsl */ `
var<workgroup> partial: array<vec3<f32>, 64>;

fn main(index: i32) {
  let t = groupIndex();
  let live = t < u32(uniforms.outShape[0]);
  let q = u32(uniforms.q);
  var acc = vec3<f32>(0.0);
  let at = 3u * (u32(uniforms.start) + t);
  if (live) {
    let i = u32(tri[at]) * q;
    let j = u32(tri[at + 1u]) * q;
    let k = u32(tri[at + 2u]) * q;
    for (var d = localIndex; d < q; d = d + 64u) {
      let zi = z[i + d];
      let zj = z[j + d];
      let zk = z[k + d];
      acc = acc + vec3<f32>(zi * zj, zi * zk, zj * zk);
    }
  }
  partial[localIndex] = acc;
  workgroupBarrier();
  for (var half = 32u; half > 0u; half = half >> 1u) {
    if (localIndex < half) { partial[localIndex] = partial[localIndex] + partial[localIndex + half]; }
    workgroupBarrier();
  }
  if (live && localIndex == 0u) {
    let raw = partial[0];
    let s = raw * uniforms.invTemp;
    let top = max(s.x, max(s.y, s.z));
    let e = exp(s - vec3<f32>(top));
    let total = e.x + e.y + e.z;
    let logZ = top + log(total);
    var y = vec3<f32>(1.0, 0.0, 0.0);
    if (uniforms.soft == 1) { y = vec3<f32>(labels[at], labels[at + 1u], labels[at + 2u]); }
    let g = (e / total - y) * uniforms.scale;
    result[5u * t] = g.x;
    result[5u * t + 1u] = g.y;
    result[5u * t + 2u] = g.z;
    result[5u * t + 3u] = -dot(y, s - vec3<f32>(logZ));
    result[5u * t + 4u] = select(0.0, 1.0, raw.x > raw.y && raw.x > raw.z);
  }
}
`

// The probe's triplet term, pass 2: dZ[o, d] = Σ over o's appearances (CSR: offsets, entries = 3t + role) of the
// coefficient-weighted rows of its two partners — the gradient with respect to Z without atomics. A workgroup
// covers 64 columns of one row. The batch's lists are the n + 1 offsets from `offsetBase`.
export const TRIPLET_TERM_GRADIENT_WGSL = /* wgsl */ `
fn main(index: i32) {
  let group = groupIndex();
  let q = u32(uniforms.q);
  let o = group / u32(uniforms.columnGroups);
  let d = (group % u32(uniforms.columnGroups)) * 64u + localIndex;
  if (o >= u32(uniforms.outShape[0]) || d >= q) { return; }
  var acc = 0.0;
  let list = u32(uniforms.offsetBase) + o;
  for (var e = u32(offsets[list]); e < u32(offsets[list + 1u]); e = e + 1u) {
    let entry = u32(entries[e]);
    let t = entry / 3u;
    let role = entry % 3u;
    let at = 3u * (u32(uniforms.start) + t);
    let zi = z[u32(tri[at]) * q + d];
    let zj = z[u32(tri[at + 1u]) * q + d];
    let zk = z[u32(tri[at + 2u]) * q + d];
    let c = vec3<f32>(term[5u * t], term[5u * t + 1u], term[5u * t + 2u]);
    if (role == 0u) { acc = acc + c.x * zj + c.y * zk; }
    else if (role == 1u) { acc = acc + c.x * zi + c.z * zk; }
    else { acc = acc + c.y * zi + c.z * zj; }
  }
  result[o * q + d] = acc;
}
`

// The probe's update, shared part: the parameters are one buffer, θ = [W; bᵀ] (uniforms.rows × q, zero-padded to
// multiples of 4 for tfjs's vec4 products) followed by Adam's moments; residual(i) is W − c I at element i (c = tr W
// / p, the identity regulariser) or W (Frobenius), 0 for b and the padding rows (padding columns are 0 and stay 0).
const PROBE_UPDATE_COMMON = /* wgsl */ `
var<workgroup> sums: array<vec2<f32>, 256>;

fn workgroupSum(value: vec2<f32>) -> vec2<f32> {
  workgroupBarrier();
  sums[localIndex] = value;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half = half >> 1u) {
    if (localIndex < half) { sums[localIndex] = sums[localIndex] + sums[localIndex + half]; }
    workgroupBarrier();
  }
  return sums[0];
}

fn residual(i: u32, value: f32, c: f32) -> f32 {
  let q = u32(uniforms.q);
  if (i >= u32(uniforms.p) * q) { return 0.0; }
  if (uniforms.identity == 1 && i / q == i % q) { return value - c; }
  return value;
}
`

// The probe's update, pass 1: per workgroup of 256 parameters, Σ g² and Σ residual² with g = dL/dθ + 2λ residual
// (the regulariser's gradient added to the triplet term's); the first workgroup also writes c after the
// partial sums. Every workgroup sums the diagonal itself (p reads), which saves a pass.
export const PROBE_GRADIENT_NORMS_WGSL = PROBE_UPDATE_COMMON + /* wgsl */ `
fn main(index: i32) {
  let p = u32(uniforms.p);
  let q = u32(uniforms.q);
  let groups = u32(uniforms.outShape[0]) - 1u;
  let group = groupIndex();
  var diagonal = 0.0;
  if (uniforms.identity == 1) {
    for (var k = localIndex; k < p; k = k + 256u) { diagonal = diagonal + w[k * q + k]; }
  }
  let c = workgroupSum(vec2<f32>(diagonal, 0.0)).x / f32(p);
  let i = group * 256u + localIndex;
  var squares = vec2<f32>(0.0);
  if (i < u32(uniforms.rows) * q) {
    let d = residual(i, w[i], c);
    let gradient = g[i] + 2.0 * uniforms.lambda * d;
    squares = vec2<f32>(gradient * gradient, d * d);
  }
  let total = workgroupSum(squares);
  if (localIndex == 0u && group < groups) {
    result[2u * group] = total.x;
    result[2u * group + 1u] = total.y;
    if (group == 0u) {
      result[2u * groups] = c;
      result[2u * groups + 1u] = 0.0;
    }
  }
}
`

// The probe's update, pass 2, in place on [θ | m | v | epoch sums]: every workgroup reduces pass 1's partial sums
// to ‖g‖ (clipping factor min(1, clip / ‖g‖)) and Σ residual², then Adam (PyTorch's and tfjs's form, bias
// corrections inv1 = 1 / (1 − β1ᵗ), inv2 = 1 / (1 − β2ᵗ)) on its 256 parameters. The first workgroup adds the
// step's loss × batch and number correct to the epoch sums.
export const PROBE_ADAM_WGSL = PROBE_UPDATE_COMMON + /* wgsl */ `
fn main(index: i32) {
  let size = u32(uniforms.rows) * u32(uniforms.q);
  let groups = u32(uniforms.groups);
  let group = groupIndex();
  var partial = vec2<f32>(0.0);
  for (var k = localIndex; k < groups; k = k + 256u) {
    partial = partial + vec2<f32>(partials[2u * k], partials[2u * k + 1u]);
  }
  let totals = workgroupSum(partial);
  let factor = min(1.0, uniforms.clipNorm / (sqrt(totals.x) + 1e-12));
  let c = partials[2u * groups];
  let i = group * 256u + localIndex;
  if (i < size) {
    let value = result[i];
    let gradient = (g[i] + 2.0 * uniforms.lambda * residual(i, value, c)) * factor;
    let first = uniforms.beta1 * result[size + i] + (1.0 - uniforms.beta1) * gradient;
    let second = uniforms.beta2 * result[2u * size + i] + (1.0 - uniforms.beta2) * gradient * gradient;
    result[size + i] = first;
    result[2u * size + i] = second;
    result[i] = value - uniforms.learningRate * (first * uniforms.inv1) / (sqrt(second * uniforms.inv2) + uniforms.epsilon);
  }
  var counted = vec2<f32>(0.0);
  if (group == 0u) {
    for (var t = localIndex; t < u32(uniforms.batch); t = t + 256u) {
      counted = counted + vec2<f32>(term[5u * t + 3u], term[5u * t + 4u]);
    }
  }
  let step = workgroupSum(counted);
  if (group == 0u && localIndex == 0u) {
    let loss = uniforms.lossScale * step.x + uniforms.lossConstant + uniforms.lambda * totals.y;
    result[3u * size] = result[3u * size] + loss * f32(uniforms.batch);
    result[3u * size + 1u] = result[3u * size + 1u] + step.y;
  }
}
`
