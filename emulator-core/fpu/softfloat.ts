// 80-bit extended-precision arithmetic in software, as the x87 of a P6 computes it
// (SDM vol. 1, chapter 4 "Data Types" and chapter 8 "Programming with the x87 FPU";
// IEEE 754-1985). Values are (sign/exponent u16, significand u64 with an explicit integer
// bit). Nothing here touches the FPU registers: operations take operands as arguments and
// leave their result in `resSE`/`resSig` and the exceptions they raised in `exc` (plus `c1`,
// the x87's "rounded up" bit). The rounding and precision controls and the exception masks
// are copied into globals by `beginArith` from the control word.
//
// The structure follows Berkeley SoftFloat 3 (extF80): unpack, compute an exact or jammed
// significand, then one round-and-pack step. Tininess is detected after rounding, and masked
// underflow is flagged only when the tiny result is also inexact (SDM vol. 1, 4.9.1.5).
// Unmasked overflow/underflow deliver the result with the exponent biased by -/+24576
// (SDM vol. 1, 8.5.4 and 8.5.5) for register destinations.

export const E_IE: u32 = 0x01, E_DE: u32 = 0x02, E_ZE: u32 = 0x04, E_OE: u32 = 0x08, E_UE: u32 = 0x10, E_PE: u32 = 0x20;
export const E_SF: u32 = 0x40;
export const RC_NEAREST: u32 = 0, RC_DOWN: u32 = 1, RC_UP: u32 = 2, RC_CHOP: u32 = 3;
export const BIAS: i32 = 0x3FFF;
export const INDEF_SE: u32 = 0xFFFF;
export const INDEF_SIG: u64 = 0xC000000000000000;
const TOP_BIT: u64 = 0x8000000000000000;
const QUIET_BIT: u64 = 0x4000000000000000;

/** Exceptions raised by the current operation (E_*). */
export let exc: u32 = 0;
/** C1 after a rounded result: the significand was rounded up (away from zero). */
export let c1: bool = false;
/** Rounding control (RC_*), precision in bits (24, 53 or 64), exception masks (CW bits 0-5). */
export let rc: u32 = RC_NEAREST;
export let masks: u32 = 0x3F;
/** The result of the last operation. */
export let resSE: u32 = 0;
export let resSig: u64 = 0;

/** Start an operation under control word `cw`. */
export function beginArith(cw: u32): void {
  exc = 0;
  c1 = false;
  rc = (cw >> 10) & 3;
  masks = cw & 0x3F;
}
/** Precision of FADD/FSUB/FMUL/FDIV/FSQRT from the control word's PC field (SDM vol. 1, 8.1.5.2). */
export function precisionOf(cw: u32): u32 {
  const p = (cw >> 8) & 3;
  return p == 0 ? 24 : p == 2 ? 53 : 64; // PC = 1 is reserved and behaves as 64 bits
}
/** Whether an exception that stops the instruction (invalid, denormal, zero divide) is unmasked. */
// @ts-ignore: decorator
@inline export function aborted(): bool { return (exc & ~masks & (E_IE | E_DE | E_ZE)) != 0; }

// @ts-ignore: decorator
@inline export function setResult(se: u32, sig: u64): void { resSE = se; resSig = sig; }
export function setIndefinite(): void { resSE = INDEF_SE; resSig = INDEF_SIG; }
/** Invalid operation: flag it and deliver the default QNaN (the "real indefinite"). */
export function invalid(): void { exc |= E_IE; setIndefinite(); }

// ---- classes (SDM vol. 1, 8.2.2 and table 8-3; unsupported formats: 8.2.2 "Unsupported") ----
export const K_ZERO: u32 = 0, K_FINITE: u32 = 1, K_INF: u32 = 2, K_QNAN: u32 = 3, K_SNAN: u32 = 4, K_UNSUPPORTED: u32 = 5;
export function classify(se: u32, sig: u64): u32 {
  const e = se & 0x7FFF;
  if (e == 0x7FFF) {
    if ((sig & TOP_BIT) == 0) return K_UNSUPPORTED; // pseudo-infinity, pseudo-NaN
    if ((sig << 1) == 0) return K_INF;
    return (sig & QUIET_BIT) != 0 ? K_QNAN : K_SNAN;
  }
  if (e == 0) return sig == 0 ? K_ZERO : K_FINITE; // denormal or pseudo-denormal
  return (sig & TOP_BIT) == 0 ? K_UNSUPPORTED : K_FINITE; // unnormal
}
// @ts-ignore: decorator
@inline export function isNaNClass(k: u32): bool { return k == K_QNAN || k == K_SNAN; }
/** Denormals and pseudo-denormals raise the denormal-operand exception (#D). */
// @ts-ignore: decorator
@inline export function isDenormal(se: u32, sig: u64): bool { return (se & 0x7FFF) == 0 && sig != 0; }

/** A finite nonzero value as (exponent, significand with the top bit set), unbounded exponent. */
export let nExp: i32 = 0;
export let nSig: u64 = 0;
export function unpack(se: u32, sig: u64): void {
  let e = <i32>(se & 0x7FFF);
  if (e == 0) {
    // Denormal: the exponent of the smallest normal, then normalize. A pseudo-denormal
    // (integer bit set) is read with exponent 1, as the P6 does.
    e = 1;
    const s = <i32>clz(sig);
    sig <<= <u64>s;
    e -= s;
  }
  nExp = e;
  nSig = sig;
}

/** Deliver a quiet NaN from one NaN operand (an SNaN raises #IA and is quieted). */
export function propagateNaN1(se: u32, sig: u64): void {
  if ((sig & QUIET_BIT) == 0) exc |= E_IE;
  resSE = se;
  resSig = sig | QUIET_BIT;
}
/**
 * Two operands, at least one a NaN (SDM vol. 1, table 4-7): an SNaN raises #IA; a QNaN wins
 * over an SNaN; two of the same kind deliver the one with the larger significand.
 */
export function propagateNaN2(aSE: u32, aSig: u64, bSE: u32, bSig: u64): void {
  const ka = classify(aSE, aSig), kb = classify(bSE, bSig);
  const aNaN = isNaNClass(ka), bNaN = isNaNClass(kb);
  if (ka == K_SNAN || kb == K_SNAN) exc |= E_IE;
  let pickA: bool;
  if (aNaN && bNaN) {
    if (ka != kb) pickA = ka == K_QNAN;
    else {
      const ma = aSig | QUIET_BIT, mb = bSig | QUIET_BIT;
      pickA = ma > mb || (ma == mb && aSE < bSE);
    }
  } else {
    pickA = aNaN;
  }
  if (pickA) { resSE = aSE; resSig = aSig | QUIET_BIT; } else { resSE = bSE; resSig = bSig | QUIET_BIT; }
}

/**
 * Common operand screening of two-operand arithmetic: unsupported formats and NaNs produce
 * the result here (true returned); denormals set #D. The caller continues when false.
 */
export function screen2(aSE: u32, aSig: u64, bSE: u32, bSig: u64): bool {
  const ka = classify(aSE, aSig), kb = classify(bSE, bSig);
  if (ka == K_UNSUPPORTED || kb == K_UNSUPPORTED) { invalid(); return true; }
  if (isNaNClass(ka) || isNaNClass(kb)) { propagateNaN2(aSE, aSig, bSE, bSig); return true; }
  if (isDenormal(aSE, aSig) || isDenormal(bSE, bSig)) {
    exc |= E_DE;
    if ((masks & E_DE) == 0) return true; // unmasked #D: the operation is not performed
  }
  return false;
}
export function screen1(se: u32, sig: u64): bool {
  const k = classify(se, sig);
  if (k == K_UNSUPPORTED) { invalid(); return true; }
  if (isNaNClass(k)) { propagateNaN1(se, sig); return true; }
  if (isDenormal(se, sig)) {
    exc |= E_DE;
    if ((masks & E_DE) == 0) return true;
  }
  return false;
}

// ---- 64 x 64 -> 128 multiply and 128-bit shifts ----
export let hi64: u64 = 0;
/** Low 64 bits of a * b; the high 64 bits go to `hi64`. */
export function mul64(a: u64, b: u64): u64 {
  const a0 = a & 0xFFFFFFFF, a1 = a >> 32, b0 = b & 0xFFFFFFFF, b1 = b >> 32;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >> 32) + (p01 & 0xFFFFFFFF) + (p10 & 0xFFFFFFFF);
  hi64 = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return (mid << 32) | (p00 & 0xFFFFFFFF);
}
/** (sig:extra) >> n with every shifted-out 1 folded into the lowest bit of `jExtra`. */
export let jSig: u64 = 0;
export let jExtra: u64 = 0;
export function shiftRightJam128(sig: u64, extra: u64, n: i32): void {
  if (n <= 0) { jSig = sig; jExtra = extra; return; }
  if (n < 64) {
    const un = <u64>n;
    jExtra = (sig << (64 - un)) | (extra >> un) | (<u64>((extra << (64 - un)) != 0));
    jSig = sig >> un;
  } else if (n == 64) {
    jExtra = sig | <u64>(extra != 0);
    jSig = 0;
  } else if (n < 128) {
    const un = <u64>(n - 64);
    jExtra = (sig >> un) | <u64>(((sig << (64 - un)) | extra) != 0);
    jSig = 0;
  } else {
    jExtra = <u64>((sig | extra) != 0);
    jSig = 0;
  }
}

// ---- rounding ----
let rsCarry: bool = false, rsInexact: bool = false, rsUp: bool = false;
/** Round sig:extra to `prec` significant bits of the 64-bit field (carry out: rsCarry). */
function roundSig(sign: u32, sig: u64, extra: u64, prec: u32): u64 {
  let inc: bool;
  let inexact: bool;
  let res: u64;
  if (prec == 64) {
    inexact = extra != 0;
    if (rc == RC_NEAREST) inc = extra > TOP_BIT || (extra == TOP_BIT && (sig & 1) != 0);
    else if (rc == RC_DOWN) inc = inexact && sign != 0;
    else if (rc == RC_UP) inc = inexact && sign == 0;
    else inc = false;
    res = inc ? sig + 1 : sig;
  } else {
    const drop = <u64>(64 - prec);
    const mask: u64 = (<u64>1 << drop) - 1;
    const half: u64 = <u64>1 << (drop - 1);
    const rb = sig & mask;
    const sticky = extra != 0;
    inexact = rb != 0 || sticky;
    if (rc == RC_NEAREST) inc = rb > half || (rb == half && (sticky || ((sig >> drop) & 1) != 0));
    else if (rc == RC_DOWN) inc = inexact && sign != 0;
    else if (rc == RC_UP) inc = inexact && sign == 0;
    else inc = false;
    res = sig & ~mask;
    if (inc) res += mask + 1;
  }
  rsCarry = inc && res == 0;
  rsInexact = inexact;
  rsUp = inc;
  return res;
}

/**
 * Round a nonzero value sig:extra * 2^(exp - BIAS - 63) (sig normalized, exp unbounded) to
 * `prec` bits and the extended exponent range: the x87 register result.
 */
export function roundPack(sign: u32, exp: i32, sig: u64, extra: u64, prec: u32): void {
  const s = sign << 15;
  if (exp <= 0) {
    let r = roundSig(sign, sig, extra, prec);
    const tiny = exp < 0 || !rsCarry;
    if (tiny) {
      if ((masks & E_UE) == 0) {
        let e = exp;
        if (rsCarry) { e++; r = TOP_BIT; }
        exc |= E_UE;
        if (rsInexact) exc |= E_PE;
        c1 = rsUp;
        resSE = s | <u32>((e + 24576) & 0x7FFF);
        resSig = r;
        return;
      }
      shiftRightJam128(sig, extra, 1 - exp);
      r = roundSig(sign, jSig, jExtra, prec);
      if (rsInexact) exc |= E_UE | E_PE;
      c1 = rsUp;
      resSE = s | ((r & TOP_BIT) != 0 ? 1 : 0);
      resSig = r;
      return;
    }
    // Rounds up to the smallest normal number: not tiny after rounding.
    exc |= E_PE;
    c1 = true;
    resSE = s | 1;
    resSig = TOP_BIT;
    return;
  }
  let r = roundSig(sign, sig, extra, prec);
  let e = exp;
  if (rsCarry) { e++; r = TOP_BIT; }
  if (e >= 0x7FFF) {
    if ((masks & E_OE) == 0) {
      exc |= E_OE;
      if (rsInexact) exc |= E_PE;
      c1 = rsUp;
      resSE = s | <u32>((e - 24576) & 0x7FFF);
      resSig = r;
      return;
    }
    overflowResult(sign, prec);
    return;
  }
  if (rsInexact) exc |= E_PE;
  c1 = rsUp;
  resSE = s | <u32>e;
  resSig = r;
}
/** Masked overflow: infinity, or the largest finite number when rounding toward zero's side. */
function overflowResult(sign: u32, prec: u32): void {
  exc |= E_OE | E_PE;
  if (rc == RC_NEAREST || (rc == RC_DOWN && sign != 0) || (rc == RC_UP && sign == 0)) {
    resSE = (sign << 15) | 0x7FFF;
    resSig = TOP_BIT;
    c1 = true;
  } else {
    resSE = (sign << 15) | 0x7FFE;
    resSig = prec == 64 ? 0xFFFFFFFFFFFFFFFF : ~((<u64>1 << <u64>(64 - prec)) - 1);
    c1 = false;
  }
}
/** Normalize a nonzero significand pair and round it (exact results such as FPREM's). */
export function normRoundPack(sign: u32, exp: i32, sig: u64, extra: u64, prec: u32): void {
  if (sig == 0) { sig = extra; extra = 0; exp -= 64; }
  const n = <i32>clz(sig);
  if (n != 0) {
    sig = (sig << <u64>n) | (extra >> <u64>(64 - n));
    extra <<= <u64>n;
    exp -= n;
  }
  roundPack(sign, exp, sig, extra, prec);
}

// ---- conversions to smaller formats (FST m32/m64): the packed bits go to `resBits` ----
export let resBits: u64 = 0;
/**
 * Round the 80-bit register value to single (64 - 40 = 24 bits) or double (53 bits).
 * Returns false when an unmasked exception forbids the store (#IA, #O, #U: SDM vol. 1, 8.5).
 */
export function toSmall(se: u32, sig: u64, double: bool): bool {
  const sign = se >> 15;
  const k = classify(se, sig);
  const expBits: u32 = double ? 11 : 8;
  const fracBits: u64 = double ? 52 : 23;
  const emax: i32 = double ? 0x7FF : 0xFF;
  const bias: i32 = double ? 1023 : 127;
  const signBit: u64 = <u64>sign << (double ? 63 : 31);
  const expShift: u64 = fracBits;
  if (k == K_ZERO) { resBits = signBit; return true; }
  if (k == K_UNSUPPORTED) { exc |= E_IE; resBits = double ? 0xFFF8000000000000 : 0xFFC00000; return (masks & E_IE) != 0; }
  if (k == K_INF) { resBits = signBit | (<u64>emax << expShift); return true; }
  if (isNaNClass(k)) {
    if (k == K_SNAN) exc |= E_IE;
    const frac = (sig << 1) >> (64 - fracBits);
    resBits = signBit | (<u64>emax << expShift) | frac | (<u64>1 << (fracBits - 1));
    return k == K_QNAN || (masks & E_IE) != 0;
  }
  if (isDenormal(se, sig)) {
    exc |= E_DE;
    if ((masks & E_DE) == 0) return false;
  }
  unpack(se, sig);
  const prec: u32 = double ? 53 : 24;
  let e = nExp - BIAS + bias;
  let r: u64;
  if (e <= 0) {
    r = roundSig(sign, nSig, 0, prec);
    const tiny = e < 0 || !rsCarry;
    if (tiny) {
      if ((masks & E_UE) == 0) { exc |= E_UE; if (rsInexact) exc |= E_PE; return false; }
      shiftRightJam128(nSig, 0, 1 - e);
      r = roundSig(sign, jSig, jExtra, prec);
      if (rsInexact) exc |= E_UE | E_PE;
      c1 = rsUp;
      // A denormal: the integer bit, if rounding set it, carries into the exponent field.
      resBits = signBit + (r >> (63 - fracBits));
      return true;
    }
    exc |= E_PE;
    c1 = true;
    resBits = signBit | (<u64>1 << expShift);
    return true;
  }
  r = roundSig(sign, nSig, 0, prec);
  if (rsCarry) { e++; r = TOP_BIT; }
  if (e >= emax) {
    if ((masks & E_OE) == 0) { exc |= E_OE; if (rsInexact) exc |= E_PE; return false; }
    exc |= E_OE | E_PE;
    if (rc == RC_NEAREST || (rc == RC_DOWN && sign != 0) || (rc == RC_UP && sign == 0)) {
      resBits = signBit | (<u64>emax << expShift);
      c1 = true;
    } else {
      resBits = signBit | ((<u64>(emax - 1) << expShift) | ((<u64>1 << fracBits) - 1));
      c1 = false;
    }
    return true;
  }
  if (rsInexact) exc |= E_PE;
  c1 = rsUp;
  resBits = signBit | (<u64>(e - 1) << expShift) + (r >> (63 - fracBits));
  return true;
}

/** Single or double to extended (exact). An SNaN raises #IA and is quieted; denormals #D. */
export function fromSmall(bits: u64, double: bool): void {
  const fracBits: u64 = double ? 52 : 23;
  const emax: u32 = double ? 0x7FF : 0xFF;
  const bias: i32 = double ? 1023 : 127;
  const sign = <u32>(bits >> (double ? 63 : 31)) & 1;
  const e = <u32>(bits >> fracBits) & emax;
  const frac = bits & ((<u64>1 << fracBits) - 1);
  const s = sign << 15;
  if (e == emax) {
    if (frac == 0) { resSE = s | 0x7FFF; resSig = TOP_BIT; return; }
    resSE = s | 0x7FFF;
    resSig = TOP_BIT | (frac << (63 - fracBits));
    if ((resSig & QUIET_BIT) == 0) { exc |= E_IE; resSig |= QUIET_BIT; }
    return;
  }
  if (e == 0) {
    if (frac == 0) { resSE = s; resSig = 0; return; }
    exc |= E_DE;
    const n = <i32>clz(frac);
    resSig = frac << <u64>n;
    resSE = s | <u32>(BIAS - bias + 1 + (63 - <i32>fracBits) - n);
    return;
  }
  resSE = s | <u32>(<i32>e - bias + BIAS);
  resSig = TOP_BIT | (frac << (63 - fracBits));
}

/** A signed 64-bit integer to extended (exact). */
export function fromInt(v: i64): void {
  if (v == 0) { resSE = 0; resSig = 0; return; }
  const sign: u32 = v < 0 ? 1 : 0;
  const m: u64 = v < 0 ? <u64>(-v) : <u64>v;
  const n = <i32>clz(m);
  resSig = m << <u64>n;
  resSE = (sign << 15) | <u32>(BIAS + 63 - n);
}

/**
 * Round to an integer under RC: the magnitude goes to `intMag`; false when it does not fit in
 * 64 bits. Sets PE and c1.
 */
export let intMag: u64 = 0;
export function roundToIntMag(se: u32, sig: u64): bool {
  const sign = se >> 15;
  unpack(se, sig);
  const e = nExp - BIAS; // value = nSig * 2^(e - 63)
  if (e >= 64) return false;
  if (e >= 63) { intMag = nSig; return true; }
  let ip: u64, frac: u64;
  if (e < 0) {
    ip = 0;
    // the value is a fraction below 1: scaled by 2^64, with the lost bits jammed
    shiftRightJam128(nSig, 0, -e - 1);
    frac = jSig | <u64>(jExtra != 0);
  } else {
    const sh = <u64>(63 - e);
    ip = nSig >> sh;
    frac = sh == 0 ? 0 : nSig << (64 - sh);
  }
  let inc: bool = false;
  if (frac != 0) {
    exc |= E_PE;
    if (rc == RC_NEAREST) inc = frac > TOP_BIT || (frac == TOP_BIT && (ip & 1) != 0);
    else if (rc == RC_DOWN) inc = sign != 0;
    else if (rc == RC_UP) inc = sign == 0;
    if (inc) { ip++; if (ip == 0) return false; }
  }
  c1 = inc;
  intMag = ip;
  return true;
}

/** FRNDINT: round a finite value to an integral extended value under RC. */
export function roundToIntegral(se: u32, sig: u64): void {
  const sign = se >> 15;
  unpack(se, sig);
  if (nExp - BIAS >= 63) { resSE = se; resSig = sig; return; }
  roundToIntMag(se, sig);
  if (intMag == 0) { resSE = sign << 15; resSig = 0; return; }
  const n = <i32>clz(intMag);
  resSig = intMag << <u64>n;
  resSE = (sign << 15) | <u32>(BIAS + 63 - n);
}

// ---- arithmetic ----
/** a + b (negate b's sign for subtraction), rounded to `prec` bits. */
export function add(aSE: u32, aSig: u64, bSE: u32, bSig: u64, prec: u32): void {
  if (screen2(aSE, aSig, bSE, bSig)) return;
  const ka = classify(aSE, aSig), kb = classify(bSE, bSig);
  const aSign = aSE >> 15, bSign = bSE >> 15;
  if (ka == K_INF || kb == K_INF) {
    if (ka == K_INF && kb == K_INF && aSign != bSign) { invalid(); return; }
    if (ka == K_INF) { resSE = aSE; resSig = TOP_BIT; } else { resSE = bSE; resSig = TOP_BIT; }
    return;
  }
  if (ka == K_ZERO && kb == K_ZERO) {
    // +0 + -0 is +0, except when rounding down (SDM vol. 1, table 4-... IEEE 754 6.3)
    const sgn: u32 = aSign == bSign ? aSign : (rc == RC_DOWN ? 1 : 0);
    resSE = sgn << 15; resSig = 0;
    return;
  }
  if (kb == K_ZERO) { addZero(aSE, aSig, prec); return; }
  if (ka == K_ZERO) { addZero(bSE, bSig, prec); return; }
  unpack(aSE, aSig);
  let eA = nExp, sA = nSig;
  unpack(bSE, bSig);
  let eB = nExp, sB = nSig;
  let signZ = aSign;
  // order by magnitude: |A| >= |B|
  if (eA < eB || (eA == eB && sA < sB)) {
    const te = eA; eA = eB; eB = te;
    const ts = sA; sA = sB; sB = ts;
    signZ = bSign;
  }
  shiftRightJam128(sB, 0, eA - eB);
  const bs = jSig, bx = jExtra;
  if (aSign == bSign) {
    const sum = sA + bs;
    if (sum < sA) {
      // carry out: shift right one, keeping the lost bit sticky
      const extra = (bx >> 1) | (sum << 63) | (bx & 1);
      roundPack(signZ, eA + 1, (sum >> 1) | TOP_BIT, extra, prec);
    } else {
      roundPack(signZ, eA, sum, bx, prec);
    }
    return;
  }
  // subtract magnitudes: (sA:0) - (bs:bx)
  let lo: u64 = 0 - bx;
  let hi: u64 = sA - bs - <u64>(bx != 0);
  if (hi == 0 && lo == 0) {
    resSE = (rc == RC_DOWN ? 1 : 0) << 15; resSig = 0;
    return;
  }
  normRoundPack(signZ, eA, hi, lo, prec);
}
/** x + 0 where x is finite nonzero: x rounded to the precision (its exact value otherwise). */
function addZero(se: u32, sig: u64, prec: u32): void {
  unpack(se, sig);
  roundPack(se >> 15, nExp, nSig, 0, prec);
}

export function mul(aSE: u32, aSig: u64, bSE: u32, bSig: u64, prec: u32): void {
  if (screen2(aSE, aSig, bSE, bSig)) return;
  const ka = classify(aSE, aSig), kb = classify(bSE, bSig);
  const sign = (aSE ^ bSE) >> 15;
  if (ka == K_INF || kb == K_INF) {
    if (ka == K_ZERO || kb == K_ZERO) { invalid(); return; }
    resSE = (sign << 15) | 0x7FFF; resSig = TOP_BIT;
    return;
  }
  if (ka == K_ZERO || kb == K_ZERO) { resSE = sign << 15; resSig = 0; return; }
  unpack(aSE, aSig);
  const eA = nExp, sA = nSig;
  unpack(bSE, bSig);
  const lo = mul64(sA, nSig);
  let hi = hi64;
  let e = eA + nExp - BIAS + 1;
  let extra = lo;
  if ((hi & TOP_BIT) == 0) {
    hi = (hi << 1) | (lo >> 63);
    extra = lo << 1;
    e--;
  }
  roundPack(sign, e, hi, extra, prec);
}

/** Quotient of two normalized significands: 64 bits in qSig, round/sticky in qExtra; qAdj = -1 when sA < sB. */
export let qSig: u64 = 0, qExtra: u64 = 0;
export let qAdj: i32 = 0;
export function divSig(sA: u64, sB: u64): void {
  let top: u64 = 0;
  let r = sA;
  qAdj = 0;
  if (sA < sB) { top = r >> 63; r <<= 1; qAdj = -1; }
  let q: u64 = 0;
  for (let i = 0; i < 64; i++) {
    const bit = top != 0 || r >= sB;
    if (bit) r -= sB;
    q = (q << 1) | <u64>bit;
    top = r >> 63;
    r <<= 1;
  }
  const rb = top != 0 || r >= sB;
  if (rb) r -= sB;
  qSig = q;
  qExtra = (rb ? TOP_BIT : 0) | <u64>(r != 0 || (top != 0 && !rb));
}

export function div(aSE: u32, aSig: u64, bSE: u32, bSig: u64, prec: u32): void {
  if (screen2(aSE, aSig, bSE, bSig)) return;
  const ka = classify(aSE, aSig), kb = classify(bSE, bSig);
  const sign = (aSE ^ bSE) >> 15;
  if (ka == K_INF) {
    if (kb == K_INF) { invalid(); return; }
    resSE = (sign << 15) | 0x7FFF; resSig = TOP_BIT;
    return;
  }
  if (kb == K_INF) { resSE = sign << 15; resSig = 0; return; }
  if (kb == K_ZERO) {
    if (ka == K_ZERO) { invalid(); return; }
    exc |= E_ZE;
    resSE = (sign << 15) | 0x7FFF; resSig = TOP_BIT;
    return;
  }
  if (ka == K_ZERO) { resSE = sign << 15; resSig = 0; return; }
  unpack(aSE, aSig);
  const eA = nExp, sA = nSig;
  unpack(bSE, bSig);
  divSig(sA, nSig);
  roundPack(sign, eA - nExp + BIAS + qAdj, qSig, qExtra, prec);
}

/** Integer square root of the 128-bit hi:lo: root in `sqRoot`, remainder hi:lo in sqRemHi:sqRemLo. */
let sqRoot: u64 = 0, sqRemHi: u64 = 0, sqRemLo: u64 = 0;
function isqrt128(hi: u64, lo: u64): void {
  // digit-by-digit: two bits of the radicand per step; rem and trial fit in 66 bits (rh:rl)
  let rh: u64 = 0, rl: u64 = 0, root: u64 = 0;
  for (let i = 0; i < 64; i++) {
    // bring down the next two bits
    const two = hi >> 62;
    hi = (hi << 2) | (lo >> 62);
    lo <<= 2;
    rh = (rh << 2) | (rl >> 62);
    rl = (rl << 2) | two;
    // trial = root * 4 + 1 (66 bits: th:tl)
    const th = root >> 62;
    const tl = (root << 2) | 1;
    if (rh > th || (rh == th && rl >= tl)) {
      const borrow = <u64>(rl < tl);
      rl -= tl;
      rh = rh - th - borrow;
      root = (root << 1) | 1;
    } else {
      root <<= 1;
    }
  }
  sqRoot = root; sqRemHi = rh; sqRemLo = rl;
}

export function sqrt(se: u32, sig: u64, prec: u32): void {
  if (screen1(se, sig)) return;
  const k = classify(se, sig);
  const sign = se >> 15;
  if (k == K_ZERO) { resSE = se; resSig = 0; return; }
  if (sign != 0) { invalid(); return; }
  if (k == K_INF) { resSE = se; resSig = TOP_BIT; return; }
  unpack(se, sig);
  const E = nExp - BIAS;
  // radicand: sig * 2^63 (E even) or sig * 2^64 (E odd) -> root in [2^63, 2^64)
  if ((E & 1) == 0) isqrt128(nSig >> 1, nSig << 63); else isqrt128(nSig, 0);
  const root = sqRoot;
  // remainder > root  <=>  the value lies above root + 1/2
  const above = sqRemHi != 0 || sqRemLo > root;
  const extra: u64 = above ? 0x8000000000000001 : <u64>(sqRemLo != 0 || sqRemHi != 0);
  roundPack(0, BIAS + (E >> 1), root, extra, prec);
}

/**
 * Compare (SDM vol. 1, 8.1.3.3): returns 0 (a > b), 1 (a < b), 2 (equal), 3 (unordered).
 * `quiet` (FUCOM) raises #IA only for SNaNs; ordered compares (FCOM) for any NaN.
 */
export const CMP_GT: u32 = 0, CMP_LT: u32 = 1, CMP_EQ: u32 = 2, CMP_UN: u32 = 3;
export function compare(aSE: u32, aSig: u64, bSE: u32, bSig: u64, quiet: bool): u32 {
  const ka = classify(aSE, aSig), kb = classify(bSE, bSig);
  if (ka == K_UNSUPPORTED || kb == K_UNSUPPORTED) { exc |= E_IE; return CMP_UN; }
  if (isNaNClass(ka) || isNaNClass(kb)) {
    if (!quiet || ka == K_SNAN || kb == K_SNAN) exc |= E_IE;
    return CMP_UN;
  }
  if (isDenormal(aSE, aSig) || isDenormal(bSE, bSig)) exc |= E_DE;
  if (ka == K_ZERO && kb == K_ZERO) return CMP_EQ;
  const sa = aSE >> 15, sb = bSE >> 15;
  if (sa != sb) return ka == K_ZERO && kb == K_ZERO ? CMP_EQ : sa != 0 ? CMP_LT : CMP_GT;
  // same sign: compare magnitudes
  let ea: i32 = 0, ma: u64 = 0, eb: i32 = 0, mb: u64 = 0;
  if (ka == K_ZERO) { ea = -100000; } else if (ka == K_INF) { ea = 100000; } else { unpack(aSE, aSig); ea = nExp; ma = nSig; }
  if (kb == K_ZERO) { eb = -100000; } else if (kb == K_INF) { eb = 100000; } else { unpack(bSE, bSig); eb = nExp; mb = nSig; }
  if (ea == eb && ma == mb) return CMP_EQ;
  const aBigger = ea > eb || (ea == eb && ma > mb);
  return (aBigger != (sa != 0)) ? CMP_GT : CMP_LT;
}

/**
 * Partial remainder (FPREM, FPREM1; SDM vol. 2). Returns the quotient's low bits in `remQ`
 * and whether the reduction is complete in `remDone`. Operands are finite, b nonzero, a nonzero.
 */
export let remQ: u64 = 0;
export let remDone: bool = true;
export function remainder(aSE: u32, aSig: u64, bSE: u32, bSig: u64, ieee: bool): void {
  const signA = aSE >> 15;
  unpack(aSE, aSig);
  const eA = nExp, sA = nSig;
  unpack(bSE, bSig);
  const eB = nExp, sB = nSig;
  const d = eA - eB;
  remQ = 0;
  remDone = true;
  if (d < 0) {
    if (ieee && d == -1 && sA > sB) {
      // |a| > |b|/2: the nearest integer quotient is 1
      remQ = 1;
      normRoundPack(signA ^ 1, eB - 1, (sB << 1) - sA, 0, 64); // 2|b| - |a| < |b| fits

      return;
    }
    resSE = aSE; resSig = aSig;
    if (isDenormal(aSE, aSig)) normRoundPack(signA, eA, sA, 0, 64);
    return;
  }
  let shift = d;
  if (d >= 64) {
    // Partial reduction: bring the exponent difference down by 32..63 (as the P6 does)
    remDone = false;
    shift = 32 + (d & 31);
  }
  // r = sA * 2^shift mod sB, q = floor(sA * 2^shift / sB) (low 64 bits)
  let r = sA;
  let q: u64 = 0;
  let top: u64 = 0;
  if (r >= sB) { r -= sB; q = 1; }
  for (let i = 0; i < shift; i++) {
    top = r >> 63;
    r <<= 1;
    q <<= 1;
    if (top != 0 || r >= sB) { r -= sB; q |= 1; }
  }
  let sign = signA;
  if (remDone && ieee) {
    // round the quotient to nearest, ties to even
    const twice = r << 1;
    const gt = (r >> 63) != 0 || twice > sB;
    const eq = (r >> 63) == 0 && twice == sB;
    if (gt || (eq && (q & 1) != 0)) { r = sB - r; q++; sign ^= 1; }
  }
  remQ = q;
  const eR = remDone ? eB : eA - shift;
  if (r == 0) { resSE = signA << 15; resSig = 0; return; }
  normRoundPack(sign, eR, r, 0, 64);
}
/** FSCALE's core: x * 2^n for finite nonzero x. */
export function scale(se: u32, sig: u64, n: i32): void {
  unpack(se, sig);
  roundPack(se >> 15, nExp + n, nSig, 0, 64);
}

// ---- small helpers for the instruction layer ----
export function addExc(e: u32): void { exc |= e; }
export function clearExcBits(e: u32): void { exc &= ~e; }
export function setC1Flag(on: bool): void { c1 = on; }

/**
 * FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (index = ModRM.rm of D9 E8-EE). The P6 holds the
 * constants to more than 64 bits and rounds them under RC without raising #P (SDM vol. 1,
 * 8.3.7 "Load Constant Instructions").
 */
export function roundConstant(i: u32): void {
  let se: u32 = 0x3FFF, sig: u64 = TOP_BIT, extra: u64 = 0;
  switch (i) {
    case 0: break;
    case 1: se = 0x4000; sig = 0xD49A784BCD1B8AFE; extra = 0x492BF6FF4DAFDB4C; break; // log2(10)
    case 2: se = 0x3FFF; sig = 0xB8AA3B295C17F0BB; extra = 0xBE87FED0691D3E88; break; // log2(e)
    case 3: se = 0x4000; sig = 0xC90FDAA22168C234; extra = 0xC4C6628B80DC1CD1; break; // pi
    case 4: se = 0x3FFD; sig = 0x9A209A84FBCFF798; extra = 0x8F8959AC0B7C9178; break; // log10(2)
    case 5: se = 0x3FFE; sig = 0xB17217F7D1CF79AB; extra = 0xC9E3B39803F2F6AF; break; // ln(2)
    default: resSE = 0; resSig = 0; return;
  }
  const r = roundSig(0, sig, extra, 64);
  resSE = se;
  resSig = r; // no constant rounds up to a carry
}
