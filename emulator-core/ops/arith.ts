// Arithmetic and logic instructions: ALU forms, group 1-4, INC/DEC, MUL/IMUL/DIV/IDIV, shifts,
// SHLD/SHRD, BCD, bit tests and scans, SETcc/CMOVcc, XADD, CMPXCHG, CMPXCHG8B.

import {
  reg8, reg16, reg32, setReg8, setReg16, setReg32, regBySize, setRegBySize, getFlag, setFlag, testCondition,
  EAX, ECX, EDX, CF, ZF, AF, OF, setLazyResult, flagsRaw, setLazy, ARITH_FLAGS, materializeFlags, a32,
} from "../state";
import { S_FLAGS } from "../layout";
import {
  fetchModrm, modrm, eaSeg, eaOff, getE8, getE16, getE32, setE8, rmwE8, rmwE16, rmwE32, rmwSetE8, rmwSetE16, rmwSetE32,
  getG8, setG8, getG16, getG32, setG16, setG32,
} from "../decode";
import { fetch8, fetch16, fetch32, read8, read16, read32, write8, write16, write32, rmwRead32, rmwWrite32, probeWrite, segLinear, segLinearWrite } from "../memory";
import { alu, inc, dec, neg, shift, shiftDouble, setMulFlags, daa as daaAdjust, das as dasAdjust, setBcdFlags, ALU_CMP, ALU_TEST } from "../alu";
import { raiseDivideError, raiseInvalidOpcode } from "../faults";

export { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP, ALU_TEST } from "../alu";

// ---- E operand by size ----
// @ts-ignore: decorator
@inline function getE(size: u32): u32 { return size == 32 ? getE32() : getE16(); }
// @ts-ignore: decorator
@inline function getG(size: u32): u32 { return size == 32 ? getG32() : getG16(); }
// @ts-ignore: decorator
@inline function setG(v: u32, size: u32): void { if (size == 32) setG32(v); else setG16(v); }
// @ts-ignore: decorator
@inline function rmwE(size: u32): u32 { return size == 32 ? rmwE32() : rmwE16(); }
// @ts-ignore: decorator
@inline function rmwSetE(v: u32, size: u32): void { if (size == 32) rmwSetE32(v); else rmwSetE16(v); }
// @ts-ignore: decorator
@inline function fetchImm(size: u32): u32 { return size == 32 ? fetch32() : fetch16(); }
// @ts-ignore: decorator
@inline function fetchImm8s(): u32 { return <u32><i32><i8>fetch8(); }

// ---- the ALU forms (opcodes 00-3F, 84-85, A8-A9) ----
/** op Eb,Gb */
// @ts-ignore: decorator
@inline export function aluEbGb(op: u32): void {
  fetchModrm();
  if (op >= ALU_CMP) { alu(op, getE8(), getG8(), 8); return; }
  rmwSetE8(alu(op, rmwE8(), getG8(), 8));
}
/** op Ev,Gv */
// @ts-ignore: decorator
@inline export function aluEvGv(op: u32, size: u32): void {
  fetchModrm();
  if (op >= ALU_CMP) { alu(op, getE(size), getG(size), size); return; }
  rmwSetE(alu(op, rmwE(size), getG(size), size), size);
}
/** op Gb,Eb */
// @ts-ignore: decorator
@inline export function aluGbEb(op: u32): void {
  fetchModrm();
  const r = alu(op, getG8(), getE8(), 8);
  if (op < ALU_CMP) setG8(r);
}
/** op Gv,Ev */
// @ts-ignore: decorator
@inline export function aluGvEv(op: u32, size: u32): void {
  fetchModrm();
  const r = alu(op, getG(size), getE(size), size);
  if (op < ALU_CMP) setG(r, size);
}
// @ts-ignore: decorator
@inline export function aluALIb(op: u32): void {
  const r = alu(op, reg8(EAX), fetch8(), 8);
  if (op < ALU_CMP) setReg8(EAX, r);
}
// @ts-ignore: decorator
@inline export function aluAXIz(op: u32, size: u32): void {
  const r = alu(op, regBySize(EAX, size), fetchImm(size), size);
  if (op < ALU_CMP) setRegBySize(EAX, r, size);
}

// ---- group 1: op E,imm (80-83) ----
export function grp1EbIb(): void {
  fetchModrm();
  const op = (modrm >> 3) & 7;
  if (op == ALU_CMP) { alu(op, getE8(), fetch8(), 8); return; }
  const dst = rmwE8();
  rmwSetE8(alu(op, dst, fetch8(), 8));
}
export function grp1EvIz(size: u32): void {
  fetchModrm();
  const op = (modrm >> 3) & 7;
  if (op == ALU_CMP) { const d = getE(size); alu(op, d, fetchImm(size), size); return; }
  const dst = rmwE(size);
  rmwSetE(alu(op, dst, fetchImm(size), size), size);
}
// @ts-ignore: decorator
@inline export function grp1EvIb(size: u32): void {
  fetchModrm();
  const op = (modrm >> 3) & 7;
  if (op == ALU_CMP) { const d = getE(size); alu(op, d, fetchImm8s(), size); return; }
  const dst = rmwE(size);
  rmwSetE(alu(op, dst, fetchImm8s(), size), size);
}

// ---- INC/DEC ----
// @ts-ignore: decorator
@inline export function incReg(r: u32, size: u32): void { setRegBySize(r, inc(regBySize(r, size), size), size); }
// @ts-ignore: decorator
@inline export function decReg(r: u32, size: u32): void { setRegBySize(r, dec(regBySize(r, size), size), size); }
/** FE: /0 INC Eb, /1 DEC Eb; the other encodings are invalid. */
export function grp4Eb(): void {
  fetchModrm();
  const op = (modrm >> 3) & 7;
  if (op > 1) { raiseInvalidOpcode(); return; }
  const v = rmwE8();
  rmwSetE8(op == 0 ? inc(v, 8) : dec(v, 8));
}
/** FF /0 and /1 (the rest of group 5 is in control.ts). */
export function incDecEv(op: u32, size: u32): void {
  const v = rmwE(size);
  rmwSetE(op == 0 ? inc(v, size) : dec(v, size), size);
}

// ---- group 3: TEST NOT NEG MUL IMUL DIV IDIV ----
export function grp3Eb(): void {
  fetchModrm();
  switch ((modrm >> 3) & 7) {
    case 0: case 1: { const d = getE8(); alu(ALU_TEST, d, fetch8(), 8); return; }
    case 2: rmwSetE8(~rmwE8()); return;
    case 3: rmwSetE8(neg(rmwE8(), 8)); return;
    case 4: {
      const r = reg8(EAX) * getE8();
      setReg16(EAX, r);
      setMulFlags(r, 8, (r >> 8) != 0);
      return;
    }
    case 5: {
      const r = <i32><i8>reg8(EAX) * <i32><i8>getE8();
      setReg16(EAX, <u32>r);
      setMulFlags(<u32>r, 8, r != <i32><i8>r);
      return;
    }
    case 6: {
      const divisor = getE8();
      const dividend = reg16(EAX);
      if (divisor == 0) { raiseDivideError(); return; }
      const q = dividend / divisor;
      if (q > 0xFF) { raiseDivideError(); return; }
      setReg8(EAX, q);
      setReg8(4, dividend % divisor); // AH
      return;
    }
    default: {
      const divisor = <i32><i8>getE8();
      const dividend = <i32><i16>reg16(EAX);
      if (divisor == 0) { raiseDivideError(); return; }
      const q = dividend / divisor;
      if (q != <i32><i8>q) { raiseDivideError(); return; }
      setReg8(EAX, <u32>q);
      setReg8(4, <u32>(dividend % divisor));
    }
  }
}

export function grp3Ev(size: u32): void {
  fetchModrm();
  switch ((modrm >> 3) & 7) {
    case 0: case 1: { const d = getE(size); alu(ALU_TEST, d, fetchImm(size), size); return; }
    case 2: rmwSetE(~rmwE(size), size); return;
    case 3: rmwSetE(neg(rmwE(size), size), size); return;
    case 4: {
      const src = getE(size);
      if (size == 16) {
        const r = reg16(EAX) * src;
        setReg16(EAX, r); setReg16(EDX, r >> 16);
        setMulFlags(r, 16, (r >> 16) != 0);
      } else {
        const r: u64 = <u64>reg32(EAX) * <u64>src;
        setReg32(EAX, <u32>r); setReg32(EDX, <u32>(r >> 32));
        setMulFlags(<u32>r, 32, (r >> 32) != 0);
      }
      return;
    }
    case 5: {
      const src = getE(size);
      if (size == 16) {
        const r = <i32><i16>reg16(EAX) * <i32><i16>src;
        setReg16(EAX, <u32>r); setReg16(EDX, <u32>r >> 16);
        setMulFlags(<u32>r, 16, r != <i32><i16>r);
      } else {
        const r: i64 = <i64><i32>reg32(EAX) * <i64><i32>src;
        setReg32(EAX, <u32>r); setReg32(EDX, <u32>(r >> 32));
        setMulFlags(<u32>r, 32, r != <i64><i32>r);
      }
      return;
    }
    case 6: {
      const divisor = getE(size);
      if (divisor == 0) { raiseDivideError(); return; }
      if (size == 16) {
        const dividend = (reg16(EDX) << 16) | reg16(EAX);
        const q = dividend / divisor;
        if (q > 0xFFFF) { raiseDivideError(); return; }
        setReg16(EAX, q); setReg16(EDX, dividend % divisor);
      } else {
        const dividend: u64 = (<u64>reg32(EDX) << 32) | <u64>reg32(EAX);
        const q: u64 = dividend / <u64>divisor;
        if (q > 0xFFFFFFFF) { raiseDivideError(); return; }
        setReg32(EAX, <u32>q); setReg32(EDX, <u32>(dividend % <u64>divisor));
      }
      return;
    }
    default: {
      if (size == 16) {
        const divisor = <i32><i16>getE16();
        if (divisor == 0) { raiseDivideError(); return; }
        const dividend = <i32>((reg16(EDX) << 16) | reg16(EAX));
        if (dividend == i32.MIN_VALUE && divisor == -1) { raiseDivideError(); return; }
        const q = dividend / divisor;
        if (q != <i32><i16>q) { raiseDivideError(); return; }
        setReg16(EAX, <u32>q); setReg16(EDX, <u32>(dividend % divisor));
      } else {
        const divisor = <i64><i32>getE32();
        if (divisor == 0) { raiseDivideError(); return; }
        const dividend = <i64>((<u64>reg32(EDX) << 32) | <u64>reg32(EAX));
        if (dividend == i64.MIN_VALUE && divisor == -1) { raiseDivideError(); return; }
        const q = dividend / divisor;
        if (q != <i64><i32>q) { raiseDivideError(); return; }
        setReg32(EAX, <u32>q); setReg32(EDX, <u32>(dividend % divisor));
      }
    }
  }
}

// ---- IMUL two- and three-operand forms ----
function imulTrunc(a: u32, b: u32, size: u32): u32 {
  if (size == 16) {
    const r = <i32><i16>a * <i32><i16>b;
    setMulFlags(<u32>r, 16, r != <i32><i16>r);
    return <u32>r;
  }
  const r: i64 = <i64><i32>a * <i64><i32>b;
  setMulFlags(<u32>r, 32, r != <i64><i32>r);
  return <u32>r;
}
export function imulGvEv(size: u32): void {
  fetchModrm();
  setG(imulTrunc(getG(size), getE(size), size), size);
}
export function imulGvEvIz(size: u32): void {
  fetchModrm();
  const src = getE(size);
  setG(imulTrunc(src, fetchImm(size), size), size);
}
export function imulGvEvIb(size: u32): void {
  fetchModrm();
  const src = getE(size);
  setG(imulTrunc(src, fetchImm8s(), size), size);
}

// ---- group 2: shifts and rotates ----
export const COUNT_ONE: u32 = 0, COUNT_CL: u32 = 1, COUNT_IMM8: u32 = 2;
// @ts-ignore: decorator
@inline function shiftCount(kind: u32): u32 {
  return kind == COUNT_ONE ? 1 : kind == COUNT_CL ? reg8(ECX) : fetch8();
}
export function grp2Eb(kind: u32): void {
  fetchModrm();
  const v = rmwE8();
  rmwSetE8(shift((modrm >> 3) & 7, v, shiftCount(kind), 8));
}
// @ts-ignore: decorator
@inline export function grp2Ev(kind: u32, size: u32): void {
  fetchModrm();
  const v = rmwE(size);
  rmwSetE(shift((modrm >> 3) & 7, v, shiftCount(kind), size), size);
}
export function shld(kind: u32, size: u32): void {
  fetchModrm();
  const v = rmwE(size);
  rmwSetE(shiftDouble(true, v, getG(size), shiftCount(kind), size), size);
}
export function shrd(kind: u32, size: u32): void {
  fetchModrm();
  const v = rmwE(size);
  rmwSetE(shiftDouble(false, v, getG(size), shiftCount(kind), size), size);
}

// ---- BCD ----
export function daa(): void { setReg8(EAX, daaAdjust(reg8(EAX))); }
export function das(): void { setReg8(EAX, dasAdjust(reg8(EAX))); }
/** AAA: AX += 106h when the low nibble overflowed (SDM vol. 2, AAA). */
export function aaa(): void {
  if ((reg8(EAX) & 0xF) > 9 || getFlag(AF) != 0) {
    setReg16(EAX, reg16(EAX) + 0x106);
    setReg8(EAX, reg8(EAX) & 0xF);
    setBcdFlags(reg8(EAX), 1, 1, 0);
  } else {
    setReg8(EAX, reg8(EAX) & 0xF);
    setBcdFlags(reg8(EAX), 0, 0, 0);
  }
}
export function aas(): void {
  if ((reg8(EAX) & 0xF) > 9 || getFlag(AF) != 0) {
    setReg16(EAX, reg16(EAX) - 6);
    setReg8(4, reg8(4) - 1);
    setReg8(EAX, reg8(EAX) & 0xF);
    setBcdFlags(reg8(EAX), 1, 1, 0);
  } else {
    setReg8(EAX, reg8(EAX) & 0xF);
    setBcdFlags(reg8(EAX), 0, 0, 0);
  }
}
/** AAM imm8: AH = AL / imm8, AL = AL % imm8; #DE when imm8 is 0. */
export function aam(): void {
  const base = fetch8();
  if (base == 0) { raiseDivideError(); return; }
  const al = reg8(EAX);
  setReg8(4, al / base);
  setReg8(EAX, al % base);
  setBcdFlags(reg8(EAX), 0, 0, 0);
}
/** AAD imm8: AL = AL + AH * imm8, AH = 0; flags as the 8-bit ADD that computes it. */
export function aad(): void {
  const base = fetch8();
  const dst = reg8(EAX);
  const src = (reg8(4) * base) & 0xFF;
  const res = (dst + src) & 0xFF;
  setReg16(EAX, res);
  setLazy(0 /* LAZY_ADD */, res, dst, src, 8, ARITH_FLAGS);
}
/** SALC (D6, undocumented until recently): AL = CF ? FF : 00. */
export function salc(): void { setReg8(EAX, getFlag(CF) != 0 ? 0xFF : 0); }

// ---- conversions ----
export function cbw(size: u32): void {
  if (size == 16) setReg16(EAX, <u32><i32><i8>reg8(EAX));
  else setReg32(EAX, <u32><i32><i16>reg16(EAX));
}
export function cwd(size: u32): void {
  if (size == 16) setReg16(EDX, (reg16(EAX) & 0x8000) != 0 ? 0xFFFF : 0);
  else setReg32(EDX, <u32>(<i32>reg32(EAX) >> 31));
}

// ---- bit test and scan ----
export const BIT_TEST: u32 = 0, BIT_SET: u32 = 1, BIT_RESET: u32 = 2, BIT_COMPLEMENT: u32 = 3;

function bitOpValue(v: u32, bit: u32, kind: u32): u32 {
  materializeFlags();
  setFlag(CF, ((v >> bit) & 1) != 0);
  if (kind == BIT_SET) return v | (<u32>1 << bit);
  if (kind == BIT_RESET) return v & ~(<u32>1 << bit);
  return v ^ (<u32>1 << bit);
}
/** BT/BTS/BTR/BTC Ev,Gv: with a memory operand the bit offset addresses a bit string (SDM vol. 2, BT). */
export function btEvGv(kind: u32, size: u32): void {
  fetchModrm();
  const offset = getG(size);
  if (modrm >= 0xC0) {
    const bit = offset & (size - 1);
    const v = regBySize(modrm & 7, size);
    if (kind == BIT_TEST) { bitOpValue(v, bit, kind); return; }
    setRegBySize(modrm & 7, bitOpValue(v, bit, kind), size);
    return;
  }
  const bytes = size >> 3;
  const signed = size == 16 ? <i32><i16>offset : <i32>offset;
  const disp = (signed >> (size == 16 ? 4 : 5)) * <i32>bytes;
  const addr = eaOff + <u32>disp;
  const off = a32 ? addr : addr & 0xFFFF;
  bitMem(kind, off, offset & (size - 1), size);
}
function bitMem(kind: u32, off: u32, bit: u32, size: u32): void {
  if (kind == BIT_TEST) {
    const v = size == 32 ? read32(eaSeg, off) : read16(eaSeg, off);
    bitOpValue(v, bit, kind);
    return;
  }
  if (size == 32) write32(eaSeg, off, bitOpValue(rmwRead32(eaSeg, off), bit, kind));
  else {
    probeWrite(segLinearWrite(eaSeg, off, 2), 2);
    write16(eaSeg, off, bitOpValue(read16(eaSeg, off), bit, kind));
  }
}
/** 0F BA: BT/BTS/BTR/BTC Ev,Ib (the immediate is taken modulo the operand size). */
export function grp8(size: u32): void {
  fetchModrm();
  const kind = ((modrm >> 3) & 7);
  if (kind < 4) { raiseInvalidOpcode(); return; }
  const bit = fetch8() & (size - 1);
  if (modrm >= 0xC0) {
    const v = regBySize(modrm & 7, size);
    const r = bitOpValue(v, bit, kind - 4);
    if (kind != 4) setRegBySize(modrm & 7, r, size);
    return;
  }
  bitMem(kind - 4, eaOff, bit, size);
}
/** BSF/BSR: ZF = source is zero, destination unchanged then (as P6 processors leave it). */
export function bsf(size: u32): void {
  fetchModrm();
  const v = getE(size);
  bitScanFlags(v, size);
  if (v != 0) setG(ctz(v), size);
}
export function bsr(size: u32): void {
  fetchModrm();
  const v = getE(size);
  bitScanFlags(v, size);
  if (v != 0) setG(31 - clz(v), size);
}
function bitScanFlags(v: u32, size: u32): void {
  // ZF from the source; CF OF SF AF PF are undefined: computed from the source like a logic op.
  setLazyResult(v, size);
  const f = flagsRaw() & ~(CF | OF | AF);
  store<u32>(S_FLAGS, f);
}

// ---- conditional set / move ----
export function setcc(cc: u32): void {
  fetchModrm();
  setE8(testCondition(cc) ? 1 : 0);
}
/** CMOVcc: the source is read even when the condition is false (a memory fault still happens). */
export function cmov(cc: u32, size: u32): void {
  fetchModrm();
  const v = getE(size);
  if (testCondition(cc)) setG(v, size);
}

// ---- exchange-and-operate ----
export function xaddEbGb(): void {
  fetchModrm();
  const dst = rmwE8();
  const src = getG8();
  const sum = alu(0, dst, src, 8);
  setG8(dst);
  rmwSetE8(sum);
}
export function xaddEvGv(size: u32): void {
  fetchModrm();
  const dst = rmwE(size);
  const src = getG(size);
  const sum = alu(0, dst, src, size);
  setG(dst, size);
  rmwSetE(sum, size);
}
/** CMPXCHG: compare the accumulator with the destination; the destination is always written. */
export function cmpxchgEbGb(): void {
  fetchModrm();
  const dst = rmwE8();
  const acc = reg8(EAX);
  alu(ALU_CMP, acc, dst, 8);
  if (acc == dst) rmwSetE8(getG8());
  else { rmwSetE8(dst); setReg8(EAX, dst); }
}
export function cmpxchgEvGv(size: u32): void {
  fetchModrm();
  const dst = rmwE(size);
  const acc = regBySize(EAX, size);
  alu(ALU_CMP, acc, dst, size);
  if (acc == dst) rmwSetE(getG(size), size);
  else { rmwSetE(dst, size); setRegBySize(EAX, dst, size); }
}
/** 0F C7 /1 CMPXCHG8B m64 (register form is #UD). */
export function grp9(): void {
  fetchModrm();
  if (modrm >= 0xC0 || ((modrm >> 3) & 7) != 1) { raiseInvalidOpcode(); return; }
  const lin = segLinearWrite(eaSeg, eaOff, 8);
  probeWrite(lin, 8);
  const lo = read32(eaSeg, eaOff), hi = read32(eaSeg, eaOff + 4);
  materializeFlags();
  if (lo == reg32(EAX) && hi == reg32(EDX)) {
    write32(eaSeg, eaOff, reg32(3)); write32(eaSeg, eaOff + 4, reg32(ECX));
    setFlag(ZF, true);
  } else {
    write32(eaSeg, eaOff, lo); write32(eaSeg, eaOff + 4, hi);
    setReg32(EAX, lo); setReg32(EDX, hi);
    setFlag(ZF, false);
  }
}
