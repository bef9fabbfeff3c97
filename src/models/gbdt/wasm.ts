/**
 * The histogram, partition and settle loops of training (kernels.ts) as a WebAssembly SIMD module, written
 * out byte by byte by the small assembler below (no wabt or other toolchain at build time). V8 runs the
 * JavaScript histogram loop at about 2.4 ns per row × feature update on this machine; this module at about
 * 1.2 ns: no bounds checks, and the gradient and hessian of a row added to a bin in one f64x2 operation.
 * Each function computes the same numbers in the same order as its JavaScript twin, so the results are
 * identical to the last bit.
 *
 * Exports, over the memory imported as env.memory (all pointers in bytes):
 * - rows1(hist, idx, start, end, gh, bins, p, feats, qa, qb, offsets) and rows2(… the same …):
 *   for rows r = idx[start … end) (rows2: two at a time, end − start even) and features f = feats[qa … qb),
 *   bin b = bins[r·p + f] (u8), slot k = hist + 24·(offsets[f] + b): k[0] += gh[2r], k[1] += gh[2r + 1],
 *   k[2] += 1 — the [gradient, hessian, count] layout of TrainArrays.hist;
 * - partitionNumeric / partitionCategorical(idx, right, s0, s1, col, t, dr, mask) → the end of the left
 *   rows: partitionChunk's loop over rows idx[s0 … s1) with bin codes col[row];
 * - settleNumeric / settleCategorical(idx, s0, s1, col, t, dr, mask, margin, fp): settleChunk's loop.
 */

const I32 = 0x7f;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(v: number): number[] {
  const out: number[] = [];
  let x = v >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
function sleb(v: number): number[] {
  const out: number[] = [];
  let x = v | 0;
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: readonly number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

// The instructions the kernel needs (memory arguments: alignment exponent, then offset).
const get = (l: number): number[] => [0x20, ...uleb(l)];
const set = (l: number): number[] => [0x21, ...uleb(l)];
const tee = (l: number): number[] => [0x22, ...uleb(l)];
const i32 = (v: number): number[] => [0x41, ...sleb(v)];
const ADD = [0x6a];
const MUL = [0x6c];
const GT_S = [0x4a];
const GE_S = [0x4e];
const load32 = (offset = 0): number[] => [0x28, 2, ...uleb(offset)];
const load8u = [0x2d, 0, 0];
const loadF64 = (offset: number): number[] => [0x2b, 3, ...uleb(offset)];
const storeF64 = (offset: number): number[] => [0x39, 3, ...uleb(offset)];
const F64_ONE = [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
const F64_ADD = [0xa0];
const V128_LOAD = [0xfd, 0x00, 3, 0];
const V128_STORE = [0xfd, 0x0b, 3, 0];
const F64X2_ADD = [0xfd, ...uleb(240)];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const br = (depth: number): number[] => [0x0c, depth];
const brIf = (depth: number): number[] => [0x0d, depth];

// Parameters of rows1/rows2, then the locals.
const [HIST, IDX, START, STOP, GH, BINS, P, FEATS, QA, QB, OFFSETS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const [I, Q, F, K, O] = [11, 12, 13, 14, 15];
const SUB = [0x6b];
const AND = [0x71];
const XOR = [0x73];
const SHR_U = [0x76];
const store32 = [0x36, 2, 0];

/**
 * The body of a function adding `unroll` rows per step; per feature it adds them in row order, so a bin
 * hit by both gets them in the same order as one at a time.
 */
function rowsFunction(unroll: number): number[] {
  const rb = (u: number): number => 16 + u; // the row's first bin code, after its index
  const gv = (u: number): number => 16 + unroll + u; // the row's [gradient, hessian]
  const perRow: number[] = [];
  for (let u = 0; u < unroll; u++) {
    perRow.push(
      ...[...get(IDX), ...get(I), ...i32(4), ...MUL, ...ADD, ...load32(4 * u), ...set(rb(u))],
      ...[...get(GH), ...get(rb(u)), ...i32(16), ...MUL, ...ADD, ...V128_LOAD, ...set(gv(u))],
      ...[...get(BINS), ...get(rb(u)), ...get(P), ...MUL, ...ADD, ...set(rb(u))],
    );
  }
  const perFeature: number[] = [];
  for (let u = 0; u < unroll; u++) {
    perFeature.push(
      ...[...get(O), ...get(rb(u)), ...get(F), ...ADD, ...load8u, ...i32(24), ...MUL, ...ADD, ...tee(K)],
      ...[...get(K), ...V128_LOAD, ...get(gv(u)), ...F64X2_ADD, ...V128_STORE],
      ...[...get(K), ...get(K), ...loadF64(16), ...F64_ONE, ...F64_ADD, ...storeF64(16)],
    );
  }
  const body = [
    ...[...get(START), ...set(I)],
    ...BLOCK,
    ...LOOP,
    ...[...get(I), ...i32(unroll), ...ADD, ...get(STOP), ...GT_S, ...brIf(1)],
    ...perRow,
    ...[...get(QA), ...set(Q)],
    ...BLOCK,
    ...LOOP,
    ...[...get(Q), ...get(QB), ...GE_S, ...brIf(1)],
    ...[...get(FEATS), ...get(Q), ...i32(4), ...MUL, ...ADD, ...load32(), ...set(F)],
    ...[...get(HIST), ...get(OFFSETS), ...get(F), ...i32(4), ...MUL, ...ADD, ...load32(), ...i32(24), ...MUL],
    ...[...ADD, ...set(O)],
    ...perFeature,
    ...[...get(Q), ...i32(1), ...ADD, ...set(Q), ...br(0)],
    ...END,
    ...END,
    ...[...get(I), ...i32(unroll), ...ADD, ...set(I), ...br(0)],
    ...END,
    ...END,
  ];
  const locals = vec([
    [...uleb(5 + unroll), I32],
    [...uleb(unroll), V128],
  ]);
  const code = [...locals, ...body, ...END];
  return [...uleb(code.length), ...code];
}

/**
 * Whether the row at hand goes left, onto the stack, from its bin code in local `b`: a numeric split sends
 * codes 1 … t left and the missing code 0 right when dr = 1 (partitionChunk's branch-free formula); a
 * categorical one looks the code up in mask.
 */
function goesLeft(categorical: boolean, b: number, t: number, dr: number, mask: number): number[] {
  if (categorical) return [...get(mask), ...get(b), ...ADD, ...load8u];
  return [
    ...[...get(t), ...get(b), ...SUB, ...i32(31), ...SHR_U, ...i32(1), ...XOR],
    ...[...i32(1), ...get(b), ...i32(1), ...SUB, ...i32(31), ...SHR_U, ...get(dr), ...AND, ...XOR],
    ...AND,
  ];
}

/** A loop over rows idx[s0 … s1) whose bin code col[row] is in local `b`, running `step` for each. */
function rowLoop(
  idx: number,
  s0: number,
  s1: number,
  col: number,
  i: number,
  row: number,
  b: number,
  step: number[],
): number[] {
  return [
    ...[...get(s0), ...set(i)],
    ...BLOCK,
    ...LOOP,
    ...[...get(i), ...get(s1), ...GE_S, ...brIf(1)],
    ...[...get(idx), ...get(i), ...i32(4), ...MUL, ...ADD, ...load32(), ...set(row)],
    ...[...get(col), ...get(row), ...ADD, ...load8u, ...set(b)],
    ...step,
    ...[...get(i), ...i32(1), ...ADD, ...set(i), ...br(0)],
    ...END,
    ...END,
  ];
}

/** partitionNumeric / partitionCategorical: params idx, right, s0, s1, col, t, dr, mask; returns l. */
function partitionFunction(categorical: boolean): number[] {
  const [idx, right, s0, s1, col, t, dr, mask] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i, row, b, left, l, r] = [8, 9, 10, 11, 12, 13];
  const step = [
    ...[...goesLeft(categorical, b, t, dr, mask), ...set(left)],
    ...[...get(idx), ...get(l), ...i32(4), ...MUL, ...ADD, ...get(row), ...store32],
    ...[...get(right), ...get(r), ...i32(4), ...MUL, ...ADD, ...get(row), ...store32],
    ...[...get(l), ...get(left), ...ADD, ...set(l)],
    ...[...get(r), ...get(left), ...i32(1), ...XOR, ...ADD, ...set(r)],
  ];
  const body = [
    ...[...get(s0), ...set(l), ...get(s0), ...set(r)],
    ...rowLoop(idx, s0, s1, col, i, row, b, step),
    ...get(l),
  ];
  const code = [...vec([[6, I32]]), ...body, ...END];
  return [...uleb(code.length), ...code];
}

/** settleNumeric / settleCategorical: params idx, s0, s1, col, t, dr, mask, margin, fp. */
function settleFunction(categorical: boolean): number[] {
  const [idx, s0, s1, col, t, dr, mask, margin, fp] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, row, b, at] = [9, 10, 11, 12];
  const step = [
    ...[...get(margin), ...get(row), ...i32(8), ...MUL, ...ADD, ...tee(at)],
    ...[...get(at), ...loadF64(0)],
    ...[...get(fp), ...goesLeft(categorical, b, t, dr, mask), ...i32(8), ...MUL, ...ADD, ...loadF64(0)],
    ...[...F64_ADD, ...storeF64(0)],
  ];
  const code = [...vec([[4, I32]]), ...rowLoop(idx, s0, s1, col, i, row, b, step), ...END];
  return [...uleb(code.length), ...code];
}

/** The module's bytes: its three function types, the imported memory and the six functions. */
export function trainingWasmBytes(shared: boolean): Uint8Array {
  // A shared memory must declare a maximum; the import's limits are a minimum the caller's memory meets.
  const memoryLimits = shared ? [0x03, 1, ...uleb(65_536)] : [0x00, 1];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(
      1,
      vec([
        [0x60, ...vec(Array.from({ length: 11 }, () => [I32])), 0], // rows1, rows2
        [0x60, ...vec(Array.from({ length: 8 }, () => [I32])), 1, I32], // partition…
        [0x60, ...vec(Array.from({ length: 9 }, () => [I32])), 0], // settle…
      ]),
    ),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...memoryLimits]])),
    ...section(3, vec([[0], [0], [1], [1], [2], [2]])),
    ...section(
      7,
      vec(
        [
          'rows1',
          'rows2',
          'partitionNumeric',
          'partitionCategorical',
          'settleNumeric',
          'settleCategorical',
        ].map((fn, k) => [...name(fn), 0x00, k]),
      ),
    ),
    ...section(
      10,
      vec([
        rowsFunction(1),
        rowsFunction(2),
        partitionFunction(false),
        partitionFunction(true),
        settleFunction(false),
        settleFunction(true),
      ]),
    ),
  ]);
}

const modules = new Map<boolean, WebAssembly.Module | null>();

/**
 * The compiled module for a shared or an unshared memory, or null where WebAssembly SIMD is not available
 * (the JavaScript loop then runs, with the same result).
 */
export function trainingModule(shared: boolean): WebAssembly.Module | null {
  if (!modules.has(shared)) {
    const bytes = trainingWasmBytes(shared);
    const ok = typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
    modules.set(shared, ok ? new WebAssembly.Module(bytes) : null);
  }
  return modules.get(shared) ?? null;
}
