// Arithmetic and logic semantics, by operand size in bits (8, 16, 32). Flags follow the SDM;
// where it leaves flags undefined, the values are those an i686 produces where known.

import {
  setLazy, setLazyLogic, setLazyResult, getFlag, setFlag, flagsRaw, materializeFlags,
  LAZY_ADD, LAZY_ADC, LAZY_SUB, LAZY_SBB, CF, OF, AF, ZF, SF, PF, ARITH_FLAGS,
} from "./state";
import { S_FLAGS, S_LAZY_DIRTY } from "./layout";

export const ALU_ADD: u32 = 0, ALU_OR: u32 = 1, ALU_ADC: u32 = 2, ALU_SBB: u32 = 3;
export const ALU_AND: u32 = 4, ALU_SUB: u32 = 5, ALU_XOR: u32 = 6, ALU_CMP: u32 = 7, ALU_TEST: u32 = 8;

// @ts-ignore: decorator
@inline export function sizeMask(size: u32): u32 { return size == 32 ? 0xFFFFFFFF : (<u32>1 << size) - 1; }

/** The eight ALU operations ovf opcodes 00-3F and group 1, plus TEST. Returns the result (CMP/TEST: unused). */
// @ts-ignore: decorator
@inline export function alu(op: u32, dst: u32, src: u32, size: u32): u32 {
  let res: u32;
  switch (op) {
    case ALU_ADD: res = dst + src; setLazy(LAZY_ADD, res, dst, src, size, ARITH_FLAGS); return res;
    case ALU_OR: res = dst | src; setLazyLogic(res, size); return res;
    case ALU_ADC: {
      const c = getFlag(CF);
      res = dst + src + c;
      setLazy(c != 0 ? LAZY_ADC : LAZY_ADD, res, dst, src, size, ARITH_FLAGS);
      return res;
    }
    case ALU_SBB: {
      const c = getFlag(CF);
      res = dst - src - c;
      setLazy(c != 0 ? LAZY_SBB : LAZY_SUB, res, dst, src, size, ARITH_FLAGS);
      return res;
    }
    case ALU_AND: case ALU_TEST: res = dst & src; setLazyLogic(res, size); return res;
    case ALU_SUB: case ALU_CMP: res = dst - src; setLazy(LAZY_SUB, res, dst, src, size, ARITH_FLAGS); return res;
    default: res = dst ^ src; setLazyLogic(res, size); return res;
  }
}

/** INC and DEC leave CF unchanged. */
export function inc(dst: u32, size: u32): u32 {
  keepCF();
  const res = dst + 1;
  setLazy(LAZY_ADD, res, dst, 1, size, ARITH_FLAGS & ~CF);
  return res;
}
export function dec(dst: u32, size: u32): u32 {
  keepCF();
  const res = dst - 1;
  setLazy(LAZY_SUB, res, dst, 1, size, ARITH_FLAGS & ~CF);
  return res;
}
/** Make CF concrete before an operation that leaves it alone replaces the lazy state. */
// @ts-ignore: decorator
@inline function keepCF(): void {
  if ((load<u32>(S_LAZY_DIRTY) & CF) != 0) {
    const c = getFlag(CF);
    store<u32>(S_FLAGS, (flagsRaw() & ~CF) | c);
  }
}
export function neg(dst: u32, size: u32): u32 {
  const res = 0 - dst;
  setLazy(LAZY_SUB, res, 0, dst, size, ARITH_FLAGS);
  return res;
}

/** Set CF, OF (and clear AF) explicitly; SF ZF PF come from `res`. */
function setShiftFlags(res: u32, size: u32, cf: u32, ovf: u32): void {
  const f = flagsRaw() & ~(CF | OF | AF);
  store<u32>(S_FLAGS, f | cf | (ovf << 11));
  setLazyResult(res, size);
}
/** Rotates change only CF and OF; the other flags stay as they are (pending or not). */
function setRotateFlags(cf: u32, ovf: u32): void {
  store<u32>(S_FLAGS, (flagsRaw() & ~(CF | OF)) | cf | (ovf << 11));
  store<u32>(S_LAZY_DIRTY, load<u32>(S_LAZY_DIRTY) & ~(CF | OF));
}

export const SH_ROL: u32 = 0, SH_ROR: u32 = 1, SH_RCL: u32 = 2, SH_RCR: u32 = 3, SH_SHL: u32 = 4, SH_SHR: u32 = 5, SH_SAL: u32 = 6, SH_SAR: u32 = 7;

/**
 * Group 2 shifts and rotates (SDM vol. 2, SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR). The count is
 * masked to 5 bits; a masked count ovf 0 changes nothing. OF is defined for counts ovf 1; for other
 * counts it is computed by the same formula, as P6-family processors do.
 */
export function shift(op: u32, dst: u32, count: u32, size: u32): u32 {
  count &= 31;
  if (count == 0) return dst;
  const mask = sizeMask(size);
  const sign = size - 1;
  dst &= mask;
  let res: u32;
  switch (op) {
    case SH_ROL: {
      const n = count & sign;
      res = n == 0 ? dst : ((dst << n) | (dst >> (size - n))) & mask;
      const cf = res & 1;
      setRotateFlags(cf, ((res >> sign) & 1) ^ cf);
      return res;
    }
    case SH_ROR: {
      const n = count & sign;
      res = n == 0 ? dst : ((dst >> n) | (dst << (size - n))) & mask;
      setRotateFlags((res >> sign) & 1, ((res >> sign) ^ (res >> (sign - 1))) & 1);
      return res;
    }
    case SH_RCL: {
      // A count that is a multiple of size+1 rotates back to the start; OF is still
      // computed from the result, as the reference 286 data shows.
      const n = size == 32 ? count : count % (size + 1);
      const wide: u64 = (<u64>getFlag(CF) << size) | <u64>dst; // size+1 bit value
      const rot: u64 = ((wide << n) | (wide >> (size + 1 - n))) & ((<u64>1 << (size + 1)) - 1);
      res = <u32>rot & mask;
      const cf = <u32>(rot >> size) & 1;
      setRotateFlags(cf, ((res >> sign) & 1) ^ cf);
      return res;
    }
    case SH_RCR: {
      const n = size == 32 ? count : count % (size + 1);
      const cin = getFlag(CF);
      const wide: u64 = (<u64>cin << size) | <u64>dst;
      const rot: u64 = ((wide >> n) | (wide << (size + 1 - n))) & ((<u64>1 << (size + 1)) - 1);
      res = <u32>rot & mask;
      const cf = <u32>(rot >> size) & 1;
      setRotateFlags(cf, ((res >> sign) ^ (res >> (sign - 1))) & 1);
      return res;
    }
    case SH_SHL: case SH_SAL: {
      const wide: u64 = <u64>dst << count;
      res = <u32>wide & mask;
      const cf = <u32>(wide >> size) & 1;
      setShiftFlags(res, size, cf, ((res >> sign) & 1) ^ cf);
      return res;
    }
    case SH_SHR: {
      res = count >= size ? 0 : dst >> count;
      const cf = count > size ? 0 : (dst >> (count - 1)) & 1;
      setShiftFlags(res, size, cf, count == 1 ? (dst >> sign) & 1 : (res >> sign) & 1);
      return res;
    }
    default: { // SAR
      const s: i64 = <i64>(<i32>(dst << (32 - size))) >> (32 - size);
      res = <u32>(s >> count) & mask;
      const cf = <u32>(s >> (count - 1)) & 1;
      setShiftFlags(res, size, cf, 0);
      return res;
    }
  }
}

/** SHLD/SHRD (SDM vol. 2): count masked to 5 bits; for 16-bit operands a count above 16 is undefined. */
export function shiftDouble(left: bool, dst: u32, src: u32, count: u32, size: u32): u32 {
  count &= 31;
  if (count == 0) return dst;
  const mask = sizeMask(size);
  const sign = size - 1;
  let res: u32, cf: u32;
  if (size == 32) {
    if (left) {
      res = (dst << count) | (src >> (32 - count));
      cf = (dst >> (32 - count)) & 1;
    } else {
      res = (dst >> count) | (src << (32 - count));
      cf = (dst >> (count - 1)) & 1;
    }
  } else {
    // 16-bit operands: shift the 48-bit pattern dst:src:dst (left) or dst:src:dst read from the
    // right, so counts above 16 keep feeding bits as P6-family processors do (SDM: undefined).
    const pattern: u64 = (<u64>dst << 32) | (<u64>src << 16) | <u64>dst;
    if (left) {
      res = <u32>(pattern >> (32 - count)) & mask;
      cf = <u32>(pattern >> (48 - count)) & 1;
    } else {
      res = <u32>(pattern >> count) & mask;
      cf = <u32>(pattern >> (count - 1)) & 1;
    }
  }
  setShiftFlags(res, size, cf, ((res ^ dst) >> sign) & 1);
  return res;
}

// ---- multiply and divide ----

/** MUL/IMUL flags: CF = OF = the upper half is significant; SF ZF PF from the low half. */
export function setMulFlags(low: u32, size: u32, overflow: bool): void {
  const f = flagsRaw() & ~(CF | OF | AF);
  store<u32>(S_FLAGS, f | (overflow ? CF | OF : 0));
  setLazyResult(low, size);
}

// ---- BCD adjust (SDM vol. 2, DAA/DAS/AAA/AAS/AAM/AAD) ----
export function daa(al: u32): u32 {
  const oldAl = al, oldCf = getFlag(CF);
  let cf: u32 = 0, af: u32 = 0;
  // SDM vol. 2, DAA: CF also takes the carry out of AL + 6.
  if ((al & 0xF) > 9 || getFlag(AF) != 0) { cf = oldCf | <u32>(al + 6 > 0xFF); al += 6; af = 1; }
  if (oldAl > 0x99 || oldCf != 0) { al += 0x60; cf = 1; }
  al &= 0xFF;
  setBcdFlags(al, cf, af, 0);
  return al;
}
export function das(al: u32): u32 {
  const oldAl = al, oldCf = getFlag(CF);
  let cf: u32 = 0, af: u32 = 0;
  // SDM vol. 2, DAS: CF also takes the borrow out of AL - 6.
  if ((al & 0xF) > 9 || getFlag(AF) != 0) { cf = oldCf | <u32>(al < 6); al -= 6; af = 1; }
  if (oldAl > 0x99 || oldCf != 0) { al -= 0x60; cf = 1; }
  al &= 0xFF;
  setBcdFlags(al, cf, af, 0);
  return al;
}
/** Set CF/AF/OF explicitly and SF ZF PF from an 8-bit result. */
export function setBcdFlags(res: u32, cf: u32, af: u32, ovf: u32): void {
  const f = flagsRaw() & ~(CF | OF | AF);
  store<u32>(S_FLAGS, f | cf | (af << 4) | (ovf << 11));
  setLazyResult(res, 8);
}
export { setFlag, ZF, SF, PF, AF, CF, OF };
