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
 * - settleNumeric / settleCategorical(idx, s0, s1, col, t, dr, mask, margin, fp): settleChunk's loop;
 * - gradients(margin, y, w, bag, gh, k0, k1, useBag, useW): gradientChunk's loop, two rows at a time, with
 *   fdlibm's exp (the algorithm of V8's Math.exp, see gradientFunction) so that every value is the same to
 *   the last bit as the JavaScript loop's; rows whose exponent argument is outside its main range call the
 *   imported env.exp (Math.exp);
 * - subtract(to, from, count): the histogram subtraction, to[i] −= from[i] over count doubles;
 * - copy(to, from, bytes): memory.copy (memmove), for putting a partition's pieces together;
 * - zero(to, bytes): memory.fill with zeros, for clearing a histogram. On a shared memory both are several
 *   times faster than a typed array's copyWithin, set and fill, which go element by element there.
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
/** The little-endian bytes of a double, and f64.const of it. */
const f64Bytes = (v: number): number[] => Array.from(new Uint8Array(new Float64Array([v]).buffer));
const f64c = (v: number): number[] => [0x44, ...f64Bytes(v)];
const F64_ONE = f64c(1);
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

// Further instructions of the gradient loop.
const F64 = 0x7c;
const call = (fn: number): number[] => [0x10, ...uleb(fn)];
const IF = [0x04, 0x40];
/** An if whose two arms leave an i32. */
const IF_I32 = [0x04, I32];
const ELSE = [0x05];
const LT_S = [0x48];
const F64_SUB = [0xa1];
const F64_MUL = [0xa2];
const F64_DIV = [0xa3];
const F64_MAX = [0xa5];
const F64_NEG = [0x9a];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const V_SPLAT = simd(0x14);
const vReplace = (lane: number): number[] => simd(0x22, lane);
const [V_EQ, V_LT, V_GE] = [simd(0x47), simd(0x49), simd(0x4c)];
const [V_NOT, V_AND, V_OR, V_ANY] = [simd(0x4d), simd(0x4e), simd(0x50), simd(0x53)];
const [V_ABS, V_NEG, V_ADD, V_SUB] = [simd(0xec), simd(0xed), simd(0xf0), simd(0xf1)];
const [V_MUL, V_DIV, V_MAX] = [simd(0xf2), simd(0xf3), simd(0xf5)];
const V_TRUNC = simd(0xfc); // i32x4.trunc_sat_f64x2_s_zero
const V_CONVERT = simd(0xfe); // f64x2.convert_low_i32x4_s
const V_EXTEND = simd(0xc7); // i64x2.extend_low_i32x4_s
const V_I64_SHL = simd(0xcb);
const V_I64_ADD = simd(0xce);
/** i8x16.shuffle picking the first (lo) or second (hi) double of each of two vectors: [a.d, b.d]. */
const pairOf = (lane: number): number[] => {
  const d = Array.from({ length: 8 }, (_, i) => 8 * lane + i);
  return simd(0x0d, ...d, ...d.map((i) => i + 16));
};
const v128c = (v: number): number[] => simd(0x0c, ...f64Bytes(v), ...f64Bytes(v));
/** The double whose bit pattern is hi · 2^32 + lo. */
const fromWords = (hi: number, lo: number): number => {
  const u = new Uint32Array([lo, hi]);
  return new Float64Array(u.buffer)[0] as number;
};

/**
 * fdlibm's e_exp.c constants (V8's base/ieee754.cc exp), written as the shortest decimals of the same
 * doubles: ln 2 split in a high part with trailing zeros and a low part, 1/ln 2 (Math.LOG2E is that
 * double), and the minimax polynomial of the reduced argument.
 */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = Math.LOG2E;
const EXP_P = [
  0.16666666666666602, -0.0027777777777015593, 0.00006613756321437934, -0.0000016533902205465252,
  4.1381367970572385e-8,
];
/** |x| from which fdlibm reduces the argument (high word above 0x3fd62e42), below which k = 0. */
const EXP_REDUCE = fromWords(0x3fd62e43, 0);
/** |x| below 2^−28 fdlibm answers 1 + x; from 512 on, k may leave the range 2^k is built for here. */
const EXP_TINY = fromWords(0x3e300000, 0);
const EXP_LARGE = 512;

/**
 * gradients(margin, y, w, bag, gh, k0, k1, useBag, useW): for k in [k0, k1) and row r = bag[k] (useBag = 1)
 * or k, pr = 1 / (1 + exp(−margin[r])), gh[2r] = (pr − y[r])·w[r], gh[2r + 1] = max(pr(1 − pr), 1e−16)·w[r]
 * (no weight unless useW = 1): gradientChunk's loop, two rows per step in f64x2 lanes (an odd last row is
 * computed twice). exp is fdlibm's algorithm as V8's Math.exp runs it, operation for operation: reduce
 * x = k·ln2 + r (k = trunc(x/ln2 ± ½), zero for |x| ≤ ½ln2), a degree-5 polynomial in r², scale by 2^k; for
 * k = 0 fdlibm's other closing formula gives the same double as this one with lo = 0. A step whose two
 * arguments are not all inside (2^−28, 512) or equal 1 (which V8 answers with the constant e) runs
 * scalarGradient instead, which calls the imported Math.exp.
 */
function gradientFunction(scalarGradient: number): number[] {
  const [margin, y, w, bag, gh, k0, k1, useBag, useW] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [k, r0, r1] = [9, 10, 11];
  const [x, t, hi, lo, xr, tt, c, pr, g, h, wv] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  // The pair's doubles at byte base + 8·row, as one vector.
  const pair = (base: number): number[] => [
    ...[...get(base), ...get(r0), ...i32(8), ...MUL, ...ADD, ...loadF64(0), ...V_SPLAT],
    ...[...get(base), ...get(r1), ...i32(8), ...MUL, ...ADD, ...loadF64(0), ...vReplace(1)],
  ];
  const rowAt = (at: number[]): number[] => [
    ...[
      ...get(useBag),
      ...IF_I32,
      ...get(bag),
      ...at,
      ...i32(4),
      ...MUL,
      ...ADD,
      ...load32(),
      ...ELSE,
      ...at,
    ],
    ...END,
  ];
  // The polynomial P1 + tt(P2 + tt(P3 + tt(P4 + tt·P5))), nested as fdlibm writes it.
  let poly = v128c(EXP_P[4] as number);
  for (let i = 3; i >= 0; i--) poly = [...v128c(EXP_P[i] as number), ...get(tt), ...poly, ...V_MUL, ...V_ADD];
  // i64x2 lanes of 1023, the exponent bias.
  const bias = simd(0x0c, ...[0xff, 0x03, 0, 0, 0, 0, 0, 0, 0xff, 0x03, 0, 0, 0, 0, 0, 0]);
  const vector = [
    // t = k as a double: trunc(x/ln2 ± ½) where |x| > ½ln2, else +0.
    ...[...v128c(INV_LN2), ...get(x), ...V_MUL, ...get(x), ...v128c(-0), ...V_AND, ...v128c(0.5), ...V_OR],
    ...[...V_ADD, ...V_TRUNC, ...V_CONVERT, ...get(x), ...V_ABS, ...v128c(EXP_REDUCE), ...V_GE, ...V_AND],
    ...set(t),
    ...[...get(x), ...get(t), ...v128c(LN2_HI), ...V_MUL, ...V_SUB, ...set(hi)],
    ...[...get(t), ...v128c(LN2_LO), ...V_MUL, ...set(lo)],
    ...[...get(hi), ...get(lo), ...V_SUB, ...tee(xr), ...get(xr), ...V_MUL, ...set(tt)],
    ...[...get(xr), ...get(tt), ...poly, ...V_MUL, ...V_SUB, ...set(c)],
    // e = (1 − ((lo − xr·c / (2 − c)) − hi)) · 2^k, 2^k built from its exponent bits.
    ...[...v128c(1), ...get(lo), ...get(xr), ...get(c), ...V_MUL, ...v128c(2), ...get(c), ...V_SUB, ...V_DIV],
    ...[...V_SUB, ...get(hi), ...V_SUB, ...V_SUB],
    ...[...get(t), ...V_TRUNC, ...V_EXTEND, ...bias, ...V_I64_ADD, ...i32(52), ...V_I64_SHL, ...V_MUL],
    // pr = 1 / (1 + e); g = pr − y; h = max(pr(1 − pr), 1e−16); times the weights.
    ...[...set(pr), ...v128c(1), ...v128c(1), ...get(pr), ...V_ADD, ...V_DIV, ...set(pr)],
    ...[...get(pr), ...pair(y), ...V_SUB, ...set(g)],
    ...[...get(pr), ...v128c(1), ...get(pr), ...V_SUB, ...V_MUL, ...v128c(1e-16), ...V_MAX, ...set(h)],
    ...[...get(useW), ...IF, ...pair(w), ...set(wv)],
    ...[...get(g), ...get(wv), ...V_MUL, ...set(g), ...get(h), ...get(wv), ...V_MUL, ...set(h), ...END],
    // Row r0's [g, h] from the first lanes, row r1's from the second.
    ...[0, 1].flatMap((lane) => [
      ...[...get(gh), ...get(lane === 0 ? r0 : r1), ...i32(16), ...MUL, ...ADD],
      ...[...get(g), ...get(h), ...pairOf(lane), ...V128_STORE],
    ]),
  ];
  const scalar = (r: number): number[] => [
    ...[...get(margin), ...get(y), ...get(w), ...get(gh), ...get(r), ...get(useW), ...call(scalarGradient)],
  ];
  const body = [
    ...[...get(k0), ...set(k)],
    ...BLOCK,
    ...LOOP,
    ...[...get(k), ...get(k1), ...GE_S, ...brIf(1)],
    ...rowAt(get(k)),
    ...set(r0),
    ...[...get(k), ...i32(1), ...ADD, ...get(k1), ...LT_S, ...IF],
    ...[...rowAt([...get(k), ...i32(1), ...ADD]), ...set(r1), ...ELSE, ...get(r0), ...set(r1), ...END],
    ...[...pair(margin), ...V_NEG, ...tee(x), ...V_ABS, ...v128c(EXP_LARGE), ...V_LT, ...V_NOT],
    ...[...get(x), ...V_ABS, ...v128c(EXP_TINY), ...V_LT, ...V_OR, ...get(x), ...v128c(1), ...V_EQ, ...V_OR],
    ...[...V_ANY, ...IF, ...scalar(r0), ...scalar(r1), ...ELSE, ...vector, ...END],
    ...[...get(k), ...i32(2), ...ADD, ...set(k), ...br(0)],
    ...END,
    ...END,
  ];
  const code = [
    ...vec([
      [3, I32],
      [11, V128],
    ]),
    ...body,
    ...END,
  ];
  return [...uleb(code.length), ...code];
}

/** scalarGradient(margin, y, w, gh, r, useW): gradientFunction's step for row r alone, with env.exp. */
function scalarGradientFunction(exp: number): number[] {
  const [margin, y, w, gh, r, useW] = [0, 1, 2, 3, 4, 5];
  const [pr, g, h, at] = [6, 7, 8, 9];
  const at8 = (base: number): number[] => [...get(base), ...get(r), ...i32(8), ...MUL, ...ADD];
  const body = [
    ...[
      ...F64_ONE,
      ...F64_ONE,
      ...at8(margin),
      ...loadF64(0),
      ...F64_NEG,
      ...call(exp),
      ...F64_ADD,
      ...F64_DIV,
    ],
    ...set(pr),
    ...[...get(pr), ...at8(y), ...loadF64(0), ...F64_SUB, ...set(g)],
    ...[...get(pr), ...F64_ONE, ...get(pr), ...F64_SUB, ...F64_MUL, ...f64c(1e-16), ...F64_MAX, ...set(h)],
    ...[...get(useW), ...IF, ...at8(w), ...loadF64(0), ...tee(at), ...get(g), ...F64_MUL, ...set(g)],
    ...[...get(at), ...get(h), ...F64_MUL, ...set(h), ...END],
    ...[...get(gh), ...get(r), ...i32(16), ...MUL, ...ADD, ...tee(r), ...get(g), ...storeF64(0)],
    ...[...get(r), ...get(h), ...storeF64(8)],
  ];
  const code = [...vec([[4, F64]]), ...body, ...END];
  return [...uleb(code.length), ...code];
}

/**
 * subtract(to, from, count): to[i] −= from[i] for the count doubles at the two pointers, two at a time
 * (the histogram subtraction of histogramChunk; each difference is the one the JavaScript loop gives).
 */
function subtractFunction(): number[] {
  const [to, from, count] = [0, 1, 2];
  const [end, at] = [3, 4];
  const body = [
    ...[...get(to), ...get(count), ...i32(8), ...MUL, ...ADD, ...set(end)],
    ...BLOCK,
    ...LOOP,
    ...[...get(to), ...i32(16), ...ADD, ...get(end), ...GT_S, ...brIf(1)],
    ...[...get(to), ...get(to), ...V128_LOAD, ...get(from), ...V128_LOAD, ...V_SUB, ...V128_STORE],
    ...[...get(to), ...i32(16), ...ADD, ...set(to), ...get(from), ...i32(16), ...ADD, ...set(from), ...br(0)],
    ...END,
    ...END,
    // An odd last double.
    ...[...get(to), ...get(end), ...LT_S, ...IF],
    ...[
      ...get(to),
      ...tee(at),
      ...get(at),
      ...loadF64(0),
      ...get(from),
      ...loadF64(0),
      ...F64_SUB,
      ...storeF64(0),
    ],
    ...END,
  ];
  const code = [...vec([[2, I32]]), ...body, ...END];
  return [...uleb(code.length), ...code];
}

/** copy(to, from, bytes): memory.copy, a memmove within the memory (partitions put together). */
function copyFunction(): number[] {
  const code = [...vec([]), ...get(0), ...get(1), ...get(2), 0xfc, ...uleb(10), 0, 0, ...END];
  return [...uleb(code.length), ...code];
}

/** zero(to, bytes): memory.fill with zero bytes (a histogram cleared before its rows are added). */
function zeroFunction(): number[] {
  const code = [...vec([]), ...get(0), ...i32(0), ...get(1), 0xfc, ...uleb(11), 0, ...END];
  return [...uleb(code.length), ...code];
}

/** The module's bytes: its function types, the imported memory and exp, and the eight functions. */
export function trainingWasmBytes(shared: boolean): Uint8Array {
  // A shared memory must declare a maximum; the import's limits are a minimum the caller's memory meets.
  const memoryLimits = shared ? [0x03, 1, ...uleb(65_536)] : [0x00, 1];
  const params = (n: number, type = I32): number[] => vec(Array.from({ length: n }, () => [type]));
  // Function indices: the imported exp is 0, the module's own functions follow from 1.
  const exports = [
    'rows1',
    'rows2',
    'partitionNumeric',
    'partitionCategorical',
    'settleNumeric',
    'settleCategorical',
    'gradients',
    'subtract',
    'copy',
    'zero',
  ];
  // scalarGradient, not exported, comes after the exported ones.
  const SCALAR_GRADIENT = exports.length + 1;
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(
      1,
      vec([
        [0x60, ...params(11), 0], // rows1, rows2
        [0x60, ...params(8), 1, I32], // partition…
        [0x60, ...params(9), 0], // settle…, gradients
        [0x60, ...params(6), 0], // scalarGradient
        [0x60, ...params(1, F64), 1, F64], // exp
        [0x60, ...params(3), 0], // subtract, copy
        [0x60, ...params(2), 0], // zero
      ]),
    ),
    ...section(
      2,
      vec([
        [...name('env'), ...name('memory'), 0x02, ...memoryLimits],
        [...name('env'), ...name('exp'), 0x00, 4],
      ]),
    ),
    ...section(3, vec([[0], [0], [1], [1], [2], [2], [2], [5], [5], [6], [3]])),
    ...section(7, vec(exports.map((fn, k) => [...name(fn), 0x00, k + 1]))),
    ...section(
      10,
      vec([
        rowsFunction(1),
        rowsFunction(2),
        partitionFunction(false),
        partitionFunction(true),
        settleFunction(false),
        settleFunction(true),
        gradientFunction(SCALAR_GRADIENT),
        subtractFunction(),
        copyFunction(),
        zeroFunction(),
        scalarGradientFunction(0),
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
