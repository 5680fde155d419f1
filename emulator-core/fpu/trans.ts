// The x87 transcendental instructions: F2XM1 FYL2X FYL2XP1 FPATAN FSIN FCOS FSINCOS FPTAN
// (SDM vol. 2 and vol. 1, 8.3.10). Each is computed in a 128-bit working format ("W": a
// normalized 128-bit significand, an i32 exponent and a sign, kept in FPU_SCRATCH slots) with
// series after argument reduction, then rounded once to the 64-bit significand under RC.
// Working errors stay near 2^-120 relative, so results are the correctly rounded 80-bit values
// except in cases within that distance of a rounding boundary (always within 1 ulp).
// The trigonometric argument is reduced exactly (a 320-bit pi/2), unlike the P6's 66-bit pi.

import { FPU_SCRATCH } from "../layout";
import {
  BIAS, unpack, nExp, nSig, roundPack, resSE, resSig, setResult, invalid, addExc, E_ZE, classify, K_ZERO, K_INF,
  mul64, hi64,
} from "./softfloat";

// ---- W slots ----
const SLOT: u32 = 32;
// @ts-ignore: decorator
@inline function S(n: u32): u32 { return FPU_SCRATCH + n * SLOT; }
// @ts-ignore: decorator
@inline function wHi(a: u32): u64 { return load<u64>(a); }
// @ts-ignore: decorator
@inline function wLo(a: u32): u64 { return load<u64>(a, 8); }
// @ts-ignore: decorator
@inline function wExp(a: u32): i32 { return load<i32>(a, 16); }
// @ts-ignore: decorator
@inline function wSign(a: u32): u32 { return load<u32>(a, 20); }
// @ts-ignore: decorator
@inline function wZero(a: u32): bool { return load<u64>(a) == 0; }
function wSet(d: u32, hi: u64, lo: u64, exp: i32, sign: u32): void {
  store<u64>(d, hi); store<u64>(d, lo, 8); store<i32>(d, exp, 16); store<u32>(d, sign, 20);
}
function wCopy(d: u32, a: u32): void { wSet(d, wHi(a), wLo(a), wExp(a), wSign(a)); }
function wNeg(d: u32): void { store<u32>(d, wSign(d) ^ 1, 20); }
/** Normalize hi:lo so that the top bit is set (zero stays zero). */
function wNorm(d: u32, hi: u64, lo: u64, exp: i32, sign: u32): void {
  if (hi == 0) {
    if (lo == 0) { wSet(d, 0, 0, 0, sign); return; }
    hi = lo; lo = 0; exp -= 64;
  }
  const n = clz(hi);
  if (n != 0) { hi = (hi << n) | (lo >> (64 - n)); lo <<= n; exp -= <i32>n; }
  wSet(d, hi, lo, exp, sign);
}
/** From an 80-bit finite nonzero value. */
function wFromExt(d: u32, se: u32, sig: u64): void {
  unpack(se, sig);
  wSet(d, nSig, 0, nExp - BIAS, se >> 15);
}
function wFromInt(d: u32, v: i64): void {
  const sign: u32 = v < 0 ? 1 : 0;
  wNorm(d, 0, v < 0 ? <u64>(-v) : <u64>v, 127, sign);
}
/** Round to the 80-bit register format (64-bit significand) under RC. */
function wToExt(a: u32): void {
  if (wZero(a)) { setResult(wSign(a) << 15, 0); return; }
  roundPack(wSign(a), wExp(a) + BIAS, wHi(a), wLo(a), 64);
}

/** Compare magnitudes: -1, 0, 1. */
function wCmpMag(a: u32, b: u32): i32 {
  if (wZero(a)) return wZero(b) ? 0 : -1;
  if (wZero(b)) return 1;
  if (wExp(a) != wExp(b)) return wExp(a) > wExp(b) ? 1 : -1;
  if (wHi(a) != wHi(b)) return wHi(a) > wHi(b) ? 1 : -1;
  if (wLo(a) != wLo(b)) return wLo(a) > wLo(b) ? 1 : -1;
  return 0;
}

/** d = a + b (d may alias either). */
function wAdd(d: u32, a: u32, b: u32): void {
  if (wZero(b)) { wCopy(d, a); return; }
  if (wZero(a)) { wCopy(d, b); return; }
  let x = a, y = b;
  if (wCmpMag(a, b) < 0) { x = b; y = a; }
  const xh = wHi(x), xl = wLo(x), xe = wExp(x), xs = wSign(x);
  let yh = wHi(y), yl = wLo(y);
  const sh = xe - wExp(y);
  // align y (bits shifted out are dropped, with a sticky bit kept in the lowest position)
  if (sh >= 128) { yh = 0; yl = 1; }
  else if (sh >= 64) { const s = <u64>(sh - 64); yl = (s == 0 ? yh : (yh >> s) | <u64>((yh << (64 - s)) != 0 || yl != 0)); yh = 0; }
  else if (sh > 0) { const s = <u64>sh; yl = (yl >> s) | (yh << (64 - s)) | <u64>((yl << (64 - s)) != 0); yh >>= s; }
  if (xs == wSign(y)) {
    let lo = xl + yl;
    let hi = xh + yh + <u64>(lo < xl);
    const carry = hi < xh || (hi == xh && lo < xl);
    if (carry) { lo = (lo >> 1) | (hi << 63); hi = (hi >> 1) | 0x8000000000000000; wSet(d, hi, lo, xe + 1, xs); }
    else wSet(d, hi, lo, xe, xs);
  } else {
    const lo = xl - yl;
    const hi = xh - yh - <u64>(xl < yl);
    wNorm(d, hi, lo, xe, xs);
  }
}
function wSub(d: u32, a: u32, b: u32): void {
  const t = S(31);
  wCopy(t, b); wNeg(t);
  wAdd(d, a, t);
}

/** d = a * b. */
function wMul(d: u32, a: u32, b: u32): void {
  if (wZero(a) || wZero(b)) { wSet(d, 0, 0, 0, wSign(a) ^ wSign(b)); return; }
  const ah = wHi(a), al = wLo(a), bh = wHi(b), bl = wLo(b);
  // 256-bit product r3:r2:r1:(r0 dropped)
  const hhLo = mul64(ah, bh); const hhHi = hi64;
  const hlLo = mul64(ah, bl); const hlHi = hi64;
  const lhLo = mul64(al, bh); const lhHi = hi64;
  mul64(al, bl); const llHi = hi64;
  // r1 = hlLo + lhLo + llHi ; r2 = hhLo + hlHi + lhHi + carries ; r3 = hhHi + carries
  let r1 = hlLo + lhLo;
  let c1: u64 = <u64>(r1 < hlLo);
  const r1b = r1 + llHi;
  c1 += <u64>(r1b < r1);
  r1 = r1b;
  let r2 = hhLo + hlHi;
  let c2: u64 = <u64>(r2 < hhLo);
  let t = r2 + lhHi; c2 += <u64>(t < r2); r2 = t;
  t = r2 + c1; c2 += <u64>(t < r2); r2 = t;
  const r3 = hhHi + c2;
  const exp = wExp(a) + wExp(b);
  const sign = wSign(a) ^ wSign(b);
  if ((r3 >> 63) != 0) wSet(d, r3, r2, exp + 1, sign);
  else wSet(d, (r3 << 1) | (r2 >> 63), (r2 << 1) | (r1 >> 63), exp, sign);
}

/** d = a / b (b nonzero), by restoring division, 128 quotient bits. */
function wDiv(d: u32, a: u32, b: u32): void {
  if (wZero(a)) { wSet(d, 0, 0, 0, wSign(a) ^ wSign(b)); return; }
  const bh = wHi(b), bl = wLo(b);
  let rh = wHi(a), rl = wLo(a);
  let exp = wExp(a) - wExp(b);
  let top: u64 = 0;
  if (rh < bh || (rh == bh && rl < bl)) { top = rh >> 63; rh = (rh << 1) | (rl >> 63); rl <<= 1; exp--; }
  let qh: u64 = 0, ql: u64 = 0;
  for (let i = 0; i < 128; i++) {
    const ge = top != 0 || rh > bh || (rh == bh && rl >= bl);
    if (ge) { const br = <u64>(rl < bl); rl -= bl; rh = rh - bh - br; }
    qh = (qh << 1) | (ql >> 63);
    ql = (ql << 1) | <u64>ge;
    top = rh >> 63;
    rh = (rh << 1) | (rl >> 63);
    rl <<= 1;
  }
  wSet(d, qh, ql, exp, wSign(a) ^ wSign(b));
}

/** d = a / n for a small positive integer n. */
function wDivSmall(d: u32, a: u32, n: u32): void {
  if (wZero(a)) { wCopy(d, a); return; }
  const h = wHi(a), l = wLo(a);
  const nn = <u64>n;
  let r: u64 = 0;
  let cur = h >> 32; const q3 = cur / nn; r = cur % nn;
  cur = (r << 32) | (h & 0xFFFFFFFF); const q2 = cur / nn; r = cur % nn;
  cur = (r << 32) | (l >> 32); const q1 = cur / nn; r = cur % nn;
  cur = (r << 32) | (l & 0xFFFFFFFF); const q0 = cur / nn; r = cur % nn;
  cur = r << 32; const qx = cur / nn; r = cur % nn;
  cur = r << 32; const qy = cur / nn;
  // quotient limbs q3 q2 q1 q0 qx qy (each < 2^32), value = that / 2^64 relative to a's scale
  let hi = (q3 << 32) | q2, lo = (q1 << 32) | q0;
  const ex = (qx << 32) | qy;
  const s = clz(hi == 0 ? 0 : hi);
  let exp = wExp(a);
  if (hi == 0) {
    // n > 2^32 cannot happen; q3:q2 is zero only for a tiny significand
    wNorm(d, lo, ex, exp - 64, wSign(a));
    return;
  }
  if (s != 0) { hi = (hi << s) | (lo >> (64 - s)); lo = (lo << s) | (ex >> (64 - s)); exp -= <i32>s; }
  wSet(d, hi, lo, exp, wSign(a));
}

// ---- constants (128-bit significands; tools/fpu-constants.py) ----
function wLn2(d: u32): void { wSet(d, 0xB17217F7D1CF79AB, 0xC9E3B39803F2F6AF, -1, 0); }
function wLog2e(d: u32): void { wSet(d, 0xB8AA3B295C17F0BB, 0xBE87FED0691D3E88, 0, 0); }
function wPi(d: u32, exp: i32): void { wSet(d, 0xC90FDAA22168C234, 0xC4C6628B80DC1CD1, exp, 0); } // pi * 2^(exp-1)
function wPi6(d: u32): void { wSet(d, 0x860A91C16B9B2C23, 0x2DD99707AB3D688B, -1, 0); }
function wSqrt3(d: u32): void { wSet(d, 0xDDB3D742C265539D, 0x92BA16B83C5C1DC4, 0, 0); }
function wTwoOverPi(d: u32): void { wSet(d, 0xA2F9836E4E441529, 0xFC2757D1F534DDC0, -1, 0); }
function wOne(d: u32): void { wSet(d, 0x8000000000000000, 0, 0, 0); }

/** Series terms below 2^-136 of the sum no longer matter. */
function negligible(term: u32, sum: u32): bool { return wZero(term) || wExp(term) < wExp(sum) - 136; }

// ---- exp: expm1(t) for |t| < 1 by its Taylor series ----
function wExpm1(d: u32, t: u32): void {
  const term = S(20), sum = S(21);
  wCopy(term, t); wCopy(sum, t);
  for (let k: u32 = 2; k < 80; k++) {
    wMul(term, term, t);
    wDivSmall(term, term, k);
    wAdd(sum, sum, term);
    if (negligible(term, sum)) break;
  }
  wCopy(d, sum);
}

/** F2XM1: 2^x - 1 for finite nonzero x (defined for -1 <= x <= 1; others computed alike). */
export function f2xm1(se: u32, sig: u64): void {
  const x = S(0), t = S(1), r = S(2);
  wFromExt(x, se, sig);
  if (wExp(x) >= 0) {
    // |x| >= 1: 2^x = 2^n * 2^f with n = trunc(x)
    unpack(se, sig);
    const e = nExp - BIAS;
    if (e >= 16) {
      // far outside the architectural range: 2^x - 1 overflows or is -1
      if ((se & 0x8000) == 0) { roundPack(0, 0x7FFF + 1, 0x8000000000000000, 0, 64); return; }
      setResult(0xBFFF, 0x8000000000000000);
      addExc(0x20);
      return;
    }
    let n = <i64>(nSig >> <u64>(63 - e));
    if ((se & 0x8000) != 0) n = -n;
    wFromInt(t, n);
    wSub(x, x, t); // exact fraction
    wLn2(t);
    wMul(t, x, t);
    wExpm1(r, t);
    wOne(t);
    wAdd(r, r, t); // 2^f
    store<i32>(r, wExp(r) + <i32>n, 16);
    wSub(r, r, t);
    wToExt(r);
    return;
  }
  wLn2(t);
  wMul(t, x, t);
  wExpm1(r, t);
  wToExt(r);
}

// ---- logarithms ----
/** 2 atanh(s) = ln((1 + s) / (1 - s)), |s| <= 0.18. */
function wTwoAtanh(d: u32, s: u32): void {
  const s2 = S(22), term = S(23), sum = S(24), q = S(25);
  wMul(s2, s, s);
  wCopy(term, s); wCopy(sum, s);
  for (let k: u32 = 3; k < 200; k += 2) {
    wMul(term, term, s2);
    wDivSmall(q, term, k);
    wAdd(sum, sum, q);
    if (negligible(q, sum)) break;
  }
  store<i32>(sum, wExp(sum) + 1, 16);
  wCopy(d, sum);
}
/** log2(x) for a positive W value x. */
function wLog2(d: u32, x: u32): void {
  const m = S(10), num = S(11), den = S(12), one = S(13), l = S(14);
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2))
  let e = wExp(x);
  wSet(m, wHi(x), wLo(x), 0, 0);
  if (wHi(m) > 0xB504F333F9DE6484) { store<i32>(m, -1, 16); e++; }
  wOne(one);
  wSub(num, m, one);
  wAdd(den, m, one);
  wDiv(num, num, den);
  wTwoAtanh(l, num);
  wLog2e(den);
  wMul(l, l, den);
  wFromInt(num, <i64>e);
  wAdd(d, num, l);
}

/** FYL2X: y * log2(x); operands screened (no NaN or unsupported format). */
export function fyl2x(xse: u32, xsig: u64, yse: u32, ysig: u64): void {
  const kx = classify(xse, xsig), ky = classify(yse, ysig);
  const xNeg = (xse & 0x8000) != 0, ySign = yse >> 15;
  if (xNeg && kx != K_ZERO) { invalid(); return; }
  if (kx == K_ZERO) {
    if (ky == K_ZERO) { invalid(); return; }
    if (ky != K_INF) addExc(E_ZE);
    setResult(((ySign ^ 1) << 15) | 0x7FFF, 0x8000000000000000); // log2(0) = -inf
    return;
  }
  if (kx == K_INF) {
    if (ky == K_ZERO) { invalid(); return; }
    setResult((ySign << 15) | 0x7FFF, 0x8000000000000000);
    return;
  }
  const x = S(3), l = S(4), y = S(5);
  wFromExt(x, xse, xsig);
  logTimesY(x, ky, yse, ysig);
}
/** y * log2(x) for finite positive x (W), handling y = 0 or infinite. */
function logTimesY(x: u32, ky: u32, yse: u32, ysig: u64): void {
  const l = S(4), y = S(5);
  const ySign = yse >> 15;
  const isOne = wExp(x) == 0 && wHi(x) == 0x8000000000000000 && wLo(x) == 0;
  if (isOne) {
    if (ky == K_INF) { invalid(); return; }
    setResult(ySign << 15, 0); // y * +0
    return;
  }
  const below1 = wExp(x) < 0;
  if (ky == K_INF) { setResult(((ySign ^ (below1 ? 1 : 0)) << 15) | 0x7FFF, 0x8000000000000000); return; }
  if (ky == K_ZERO) { setResult((ySign ^ (below1 ? 1 : 0)) << 15, 0); return; }
  wLog2(l, x);
  wFromExt(y, yse, ysig);
  wMul(l, l, y);
  wToExt(l);
}

/** FYL2XP1: y * log2(x + 1). */
export function fyl2xp1(xse: u32, xsig: u64, yse: u32, ysig: u64): void {
  const kx = classify(xse, xsig), ky = classify(yse, ysig);
  const ySign = yse >> 15, xSign = xse >> 15;
  if (kx == K_ZERO) {
    if (ky == K_INF) { invalid(); return; }
    setResult((ySign ^ xSign) << 15, 0);
    return;
  }
  if (kx == K_INF) {
    if (xSign != 0 || ky == K_ZERO) { invalid(); return; }
    setResult((ySign << 15) | 0x7FFF, 0x8000000000000000);
    return;
  }
  const x = S(3), t = S(6), l = S(4), y = S(5);
  wFromExt(x, xse, xsig);
  if (wExp(x) < -1) {
    // |x| < 1/2: ln(1 + x) = 2 atanh(x / (2 + x)), accurate for tiny x
    if (ky == K_INF) { setResult(((ySign ^ xSign) << 15) | 0x7FFF, 0x8000000000000000); return; }
    if (ky == K_ZERO) { setResult((ySign ^ xSign) << 15, 0); return; }
    wSet(t, 0x8000000000000000, 0, 1, 0);
    wAdd(t, t, x);
    wDiv(t, x, t);
    wTwoAtanh(l, t);
    wLog2e(t);
    wMul(l, l, t);
    wFromExt(y, yse, ysig);
    wMul(l, l, y);
    wToExt(l);
    return;
  }
  // outside the documented range: log2 of 1 + x formed in 128 bits
  wOne(t);
  wAdd(t, t, x);
  if (wZero(t)) {
    if (ky == K_ZERO) { invalid(); return; }
    if (ky != K_INF) addExc(E_ZE);
    setResult(((ySign ^ 1) << 15) | 0x7FFF, 0x8000000000000000);
    return;
  }
  if (wSign(t) != 0) { invalid(); return; }
  wCopy(x, t);
  logTimesY(x, ky, yse, ysig);
}

// ---- arctangent ----
/** atan(z) for 0 <= z <= 1. */
function wAtan(d: u32, z: u32): void {
  const a = S(15), u = S(16), v = S(17), s2 = S(18), term = S(19), sum = S(26), q = S(27);
  wCopy(a, z);
  let addPi6 = false;
  // tan(pi/12) = 2 - sqrt(3) = 0.26794919...
  if (!wZero(a) && (wExp(a) > -2 || (wExp(a) == -2 && wHi(a) > 0x8930A2F4F66AB18A))) {
    // atan(z) = pi/6 + atan((sqrt(3) z - 1) / (sqrt(3) + z))
    wSqrt3(u);
    wMul(v, u, a);
    wOne(q);
    wSub(v, v, q);
    wAdd(u, u, a);
    wDiv(a, v, u);
    addPi6 = true;
  }
  wMul(s2, a, a);
  wCopy(term, a); wCopy(sum, a);
  for (let k: u32 = 3; k < 300; k += 2) {
    wMul(term, term, s2);
    wNeg(term);
    wDivSmall(q, term, k);
    wAdd(sum, sum, q);
    if (negligible(q, sum)) break;
  }
  if (addPi6) { wPi6(q); wAdd(sum, sum, q); }
  wCopy(d, sum);
}

/** FPATAN: atan2(y, x), operands screened (no NaN or unsupported format). */
export function fpatan(yse: u32, ysig: u64, xse: u32, xsig: u64): void {
  const kx = classify(xse, xsig), ky = classify(yse, ysig);
  const ySign = yse >> 15, xNeg = (xse & 0x8000) != 0;
  const r = S(7), t = S(8), u = S(9);
  if (ky == K_ZERO || kx == K_INF || ky == K_INF || kx == K_ZERO) {
    // SDM vol. 2, FPATAN table: the results are 0, pi/4, pi/2, 3pi/4 or pi with the sign of y
    let octs: u32; // result in units of pi/4
    if (ky == K_ZERO) octs = xNeg ? 4 : 0;
    else if (ky == K_INF) octs = kx == K_INF ? (xNeg ? 3 : 1) : 2;
    else if (kx == K_ZERO) octs = 2;
    else octs = xNeg ? 4 : 0; // finite y, infinite x
    if (octs == 0) { setResult(ySign << 15, 0); return; }
    if (octs == 3) { wPi(r, -1); wPi(t, 0); wAdd(r, r, t); }
    else wPi(r, octs == 1 ? -1 : octs == 2 ? 0 : 1);
    store<u32>(r, ySign, 20);
    wToExt(r);
    return;
  }
  wFromExt(t, yse, ysig); store<u32>(t, 0, 20);
  wFromExt(u, xse, xsig); store<u32>(u, 0, 20);
  if (wCmpMag(t, u) <= 0) {
    wDiv(t, t, u);
    wAtan(r, t);
  } else {
    wDiv(t, u, t);
    wAtan(t, t);
    wPi(r, 0);
    wSub(r, r, t);
  }
  if (xNeg) { wPi(t, 1); wSub(r, t, r); }
  store<u32>(r, ySign, 20);
  wToExt(r);
}

// ---- sine and cosine ----
export const TRIG_SIN: u32 = 1, TRIG_COS: u32 = 2, TRIG_BOTH: u32 = 3;
export let trigSinSE: u32 = 0, trigCosSE: u32 = 0;
export let trigSinSig: u64 = 0, trigCosSig: u64 = 0;

/** sin and cos of |t| <= pi/4 by their series, into S(28) and S(29). */
function wSinCosSmall(t: u32): void {
  const s2 = S(18), term = S(19), q = S(27), sn = S(28), cs = S(29);
  wMul(s2, t, t);
  wCopy(term, t); wCopy(sn, t);
  for (let k: u32 = 2; k < 120; k += 2) {
    wMul(term, term, s2);
    wNeg(term);
    wDivSmall(term, term, k * (k + 1));
    wAdd(sn, sn, term);
    if (negligible(term, sn)) break;
  }
  wOne(term); wOne(cs);
  for (let k: u32 = 1; k < 120; k += 2) {
    wMul(term, term, s2);
    wNeg(term);
    wDivSmall(term, term, k * (k + 1));
    wAdd(cs, cs, term);
    if (negligible(term, cs)) break;
  }
}

// Reduction limbs: 32-bit words, least significant first, at FPU_SCRATCH + 0x800.
const LIMBS: u32 = FPU_SCRATCH + 0x800; // X: 13 words
const LIMBS_P: u32 = FPU_SCRATCH + 0x840; // k * P: 13 words
const NL: u32 = 13;
// pi/2 * 2^320, 11 words
const PIO2_0: u32 = 0x1c6809bb, PIO2_1: u32 = 0xa29410f3, PIO2_2: u32 = 0x76273644, PIO2_3: u32 = 0x04177d4c;
const PIO2_4: u32 = 0x14cf98e8, PIO2_5: u32 = 0x52049c11, PIO2_6: u32 = 0x01b839a2, PIO2_7: u32 = 0x898cc517;
const PIO2_8: u32 = 0x42d18469, PIO2_9: u32 = 0x921fb544, PIO2_10: u32 = 0x1;
function pio2Limb(i: u32): u32 {
  switch (i) {
    case 0: return PIO2_0; case 1: return PIO2_1; case 2: return PIO2_2; case 3: return PIO2_3;
    case 4: return PIO2_4; case 5: return PIO2_5; case 6: return PIO2_6; case 7: return PIO2_7;
    case 8: return PIO2_8; case 9: return PIO2_9; case 10: return PIO2_10;
  }
  return 0;
}
// @ts-ignore: decorator
@inline function limb(base: u32, i: u32): u32 { return load<u32>(base + (i << 2)); }
// @ts-ignore: decorator
@inline function setLimb(base: u32, i: u32, v: u32): void { store<u32>(base + (i << 2), v); }
/** LIMBS_P = k * P. */
function mulP(k: u64): void {
  for (let i: u32 = 0; i < NL; i++) setLimb(LIMBS_P, i, 0);
  const k0 = k & 0xFFFFFFFF, k1 = k >> 32;
  for (let i: u32 = 0; i < 11; i++) {
    const p = <u64>pio2Limb(i);
    // add p * k0 at i, p * k1 at i + 1
    let carry: u64 = p * k0;
    for (let j = i; j < NL && carry != 0; j++) {
      const s = <u64>limb(LIMBS_P, j) + (carry & 0xFFFFFFFF);
      setLimb(LIMBS_P, j, <u32>s);
      carry = (carry >> 32) + (s >> 32);
    }
    carry = p * k1;
    for (let j = i + 1; j < NL && carry != 0; j++) {
      const s = <u64>limb(LIMBS_P, j) + (carry & 0xFFFFFFFF);
      setLimb(LIMBS_P, j, <u32>s);
      carry = (carry >> 32) + (s >> 32);
    }
  }
}
/** LIMBS -= LIMBS_P; returns true on borrow (negative result). */
function subLimbs(): bool {
  let borrow: i64 = 0;
  for (let i: u32 = 0; i < NL; i++) {
    const s = <i64>limb(LIMBS, i) - <i64>limb(LIMBS_P, i) - borrow;
    setLimb(LIMBS, i, <u32>s);
    borrow = s < 0 ? 1 : 0;
  }
  return borrow != 0;
}
function addLimbs(): void {
  let carry: u64 = 0;
  for (let i: u32 = 0; i < NL; i++) {
    const s = <u64>limb(LIMBS, i) + <u64>limb(LIMBS_P, i) + carry;
    setLimb(LIMBS, i, <u32>s);
    carry = s >> 32;
  }
}
/** LIMBS >= P? */
function geP(): bool {
  for (let i: i32 = <i32>NL - 1; i >= 0; i--) {
    const a = limb(LIMBS, <u32>i), b = pio2Limb(<u32>i);
    if (a != b) return a > b;
  }
  return true;
}
/** LIMBS_P = P. */
function setP(): void { for (let i: u32 = 0; i < NL; i++) setLimb(LIMBS_P, i, pio2Limb(i)); }
/** The fixed-point value LIMBS * 2^-320 as a W value. */
function limbsToW(d: u32): void {
  let top: i32 = -1;
  for (let i: i32 = <i32>NL - 1; i >= 0; i--) if (limb(LIMBS, <u32>i) != 0) { top = i; break; }
  if (top < 0) { wSet(d, 0, 0, 0, 0); return; }
  // take four words from `top` down, then normalize
  let hi: u64 = (<u64>limb(LIMBS, <u32>top) << 32) | (top >= 1 ? <u64>limb(LIMBS, <u32>top - 1) : 0);
  let lo: u64 = (top >= 2 ? <u64>limb(LIMBS, <u32>top - 2) << 32 : 0) | (top >= 3 ? <u64>limb(LIMBS, <u32>top - 3) : 0);
  const nx: u64 = top >= 4 ? <u64>limb(LIMBS, <u32>top - 4) : 0;
  // value = hi:lo * 2^(32*(top-3)) * 2^-320 ; as W: (hi:lo)/2^127 * 2^(32*top - 320 + 31)
  const n = clz(hi);
  if (n != 0) { hi = (hi << n) | (lo >> (64 - n)); lo = (lo << n) | (nx >> (32 - n)); }
  wSet(d, hi, lo, 32 * top - 320 + 31 - <i32>n, 0);
}

/**
 * sin/cos/tan of a finite nonzero |x| < 2^63 (`which`: TRIG_SIN, TRIG_COS, TRIG_BOTH, or
 * TRIG_SIN | 0x10 for the tangent). Results: resSE/resSig (sin, cos or tan) and, for
 * TRIG_BOTH, trigSin* / trigCos*.
 */
export function sincos(se: u32, sig: u64, which: u32): void {
  const t = S(0), u = S(1);
  const neg = (se & 0x8000) != 0;
  wFromExt(t, se & 0x7FFF, sig);
  let quadrant: u32 = 0;
  let swap = false;
  wPi(u, -1); // pi/4
  if (wCmpMag(t, u) > 0) {
    // exact reduction: X = |x| * 2^320 in limbs, k = floor(X / P), r = X - k * P
    unpack(se & 0x7FFF, sig);
    const e = nExp - BIAS; // 0 <= e <= 62 here (|x| >= pi/4 means e >= -1)
    for (let i: u32 = 0; i < NL; i++) setLimb(LIMBS, i, 0);
    const shift = <u32>(e - 63 + 320); // X = nSig << shift
    const w = shift >> 5, b = <u64>(shift & 31);
    const lo = nSig << b;
    const hi = b == 0 ? 0 : nSig >> (64 - b);
    setLimb(LIMBS, w, <u32>lo);
    setLimb(LIMBS, w + 1, <u32>(lo >> 32));
    setLimb(LIMBS, w + 2, <u32>hi);
    // k estimate from |x| * 2/pi in 128 bits, then corrected
    wTwoOverPi(u);
    wMul(u, t, u);
    let k: u64 = 0;
    if (wExp(u) >= 0) k = wHi(u) >> <u64>(63 - wExp(u));
    mulP(k);
    if (subLimbs()) { setP(); while (true) { addLimbs(); k--; if (!((limb(LIMBS, NL - 1) >> 31) != 0)) break; } }
    while (geP()) { setP(); subLimbs(); k++; }
    quadrant = <u32>(k & 3);
    // r in [0, pi/2): past pi/4 use pi/2 - r and exchange sine and cosine
    // compare 2r with P
    let twice = false;
    {
      // 2 * LIMBS >= P  <=>  LIMBS >= P/2
      let c: i32 = 0;
      for (let i: i32 = <i32>NL - 1; i >= 0; i--) {
        const a = (<u64>limb(LIMBS, <u32>i) << 1) | (i > 0 ? <u64>(limb(LIMBS, <u32>i - 1) >> 31) : 0);
        const bb = <u64>pio2Limb(<u32>i);
        const a32 = a & 0xFFFFFFFF;
        const hiBit = a >> 32;
        if (i == <i32>NL - 1 && hiBit != 0) { c = 1; break; }
        if (a32 != bb) { c = a32 > bb ? 1 : -1; break; }
      }
      twice = c > 0;
    }
    if (twice) {
      // LIMBS = P - LIMBS
      let borrow: i64 = 0;
      for (let i: u32 = 0; i < NL; i++) {
        const r = <i64>pio2Limb(i) - <i64>limb(LIMBS, i) - borrow;
        setLimb(LIMBS, i, <u32>r);
        borrow = r < 0 ? 1 : 0;
      }
      swap = true;
    }
    limbsToW(t);
  }
  wSinCosSmall(t);
  const sn = S(28), cs = S(29);
  if (swap) { wCopy(u, sn); wCopy(sn, cs); wCopy(cs, u); }
  // x = k pi/2 + r: rotate by the quadrant
  if (quadrant == 1) { wCopy(u, sn); wCopy(sn, cs); wCopy(cs, u); wNeg(cs); }
  else if (quadrant == 2) { wNeg(sn); wNeg(cs); }
  else if (quadrant == 3) { wCopy(u, sn); wCopy(sn, cs); wCopy(cs, u); wNeg(sn); }
  if (neg) wNeg(sn);
  if ((which & 0x10) != 0) { wDiv(u, sn, cs); wToExt(u); return; }
  if (which == TRIG_COS) { wToExt(cs); return; }
  wToExt(sn);
  if (which == TRIG_BOTH) {
    trigSinSE = resSE; trigSinSig = resSig;
    wToExt(cs);
    trigCosSE = resSE; trigCosSig = resSig;
  }
}
