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
