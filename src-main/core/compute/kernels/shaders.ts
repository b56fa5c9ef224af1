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

// The probe's triplet term, pass 1: one workgroup per triplet t = (i, j, k) reduces the three row products of Z
// over q, then writes coef[3t..] = scale · (softmax(s/τ) − y) (y one-hot on pair 0, or the soft labels) and
// stats[2t..] = [−Σ y log p, 1 if s_ij is the strict maximum].
export const TRIPLET_TERM_WGSL = /* wgsl */ `
struct Params { m: u32, q: u32, soft: u32, groupsX: u32, invTemp: f32, scale: f32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> tri: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read_write> coef: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

var<workgroup> partial: array<vec3<f32>, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wid.y * params.groupsX + wid.x;
  if (t >= params.m) { return; }
  let q = params.q;
  let i = tri[3u * t] * q;
  let j = tri[3u * t + 1u] * q;
  let k = tri[3u * t + 2u] * q;
  var acc = vec3<f32>(0.0);
  for (var d = lid; d < q; d = d + 64u) {
    let zi = z[i + d];
    let zj = z[j + d];
    let zk = z[k + d];
    acc = acc + vec3<f32>(zi * zj, zi * zk, zj * zk);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var half = 32u; half > 0u; half = half >> 1u) {
    if (lid < half) { partial[lid] = partial[lid] + partial[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let raw = partial[0];
    let s = raw * params.invTemp;
    let top = max(s.x, max(s.y, s.z));
    let e = exp(s - vec3<f32>(top));
    let total = e.x + e.y + e.z;
    let logZ = top + log(total);
    var y = vec3<f32>(1.0, 0.0, 0.0);
    if (params.soft == 1u) { y = vec3<f32>(labels[3u * t], labels[3u * t + 1u], labels[3u * t + 2u]); }
    let g = (e / total - y) * params.scale;
    coef[3u * t] = g.x;
    coef[3u * t + 1u] = g.y;
    coef[3u * t + 2u] = g.z;
    stats[2u * t] = -dot(y, s - vec3<f32>(logZ));
    stats[2u * t + 1u] = select(0.0, 1.0, raw.x > raw.y && raw.x > raw.z);
  }
}
`

// The probe's triplet term, pass 2: dZ[o, d] = Σ over o's appearances (CSR: offsets, entries = 3t + role) of the
// coefficient-weighted rows of its two partners — the gradient with respect to Z without atomics.
export const TRIPLET_TERM_GRADIENT_WGSL = /* wgsl */ `
struct Params { rows: u32, q: u32, groupsY: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> tri: array<u32>;
@group(0) @binding(2) var<storage, read> coef: array<f32>;
@group(0) @binding(3) var<storage, read> offsets: array<u32>;
@group(0) @binding(4) var<storage, read> entries: array<u32>;
@group(0) @binding(5) var<storage, read_write> dz: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let d = gid.x;
  let o = wid.z * params.groupsY + wid.y;
  let q = params.q;
  if (d >= q || o >= params.rows) { return; }
  var acc = 0.0;
  for (var e = offsets[o]; e < offsets[o + 1u]; e = e + 1u) {
    let entry = entries[e];
    let t = entry / 3u;
    let role = entry % 3u;
    let zi = z[tri[3u * t] * q + d];
    let zj = z[tri[3u * t + 1u] * q + d];
    let zk = z[tri[3u * t + 2u] * q + d];
    let c = vec3<f32>(coef[3u * t], coef[3u * t + 1u], coef[3u * t + 2u]);
    if (role == 0u) { acc = acc + c.x * zj + c.y * zk; }
    else if (role == 1u) { acc = acc + c.x * zi + c.z * zk; }
    else { acc = acc + c.y * zi + c.z * zj; }
  }
  dz[o * q + d] = acc;
}
`
