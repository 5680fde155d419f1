// Control transfer: Jcc, JMP, CALL, RET, LOOP, JCXZ, INT n/INT3/INTO/INT1, IRET, BOUND, HLT,
// group 5 (FF) indirect forms.

import {
  reg16, reg32, setReg16, setReg32, regBySize, getEip, setEip, testCondition, getFlag, segSelector, segLimit,
  a32, o32, instrEip, ECX, ESP, CS, OF, ZF, cr0, CR0_PE,
} from "../state";
import { S_CPL, S_HALTED, S_ATTENTION, ST_SOFT_INT, ST_HLT } from "../layout";
import { fetchModrm, modrm, eaSeg, eaOff, getE16, getE32, getG16, getG32 } from "../decode";
import { fetch8, fetch16, fetch32, read16, read32, push16, push32, pop16, pop32, stackPointer, setStackPointer } from "../memory";
import { raiseGeneralProtection, raiseInvalidOpcode, raiseBoundRange, VEC_BP, VEC_OF, VEC_DB, NO_ERROR_CODE } from "../faults";
import { deliverInterrupt, INT_SOFTWARE, INT_EXCEPTION } from "../interrupts";
import { incDecEv } from "./arith";
import { push } from "./move";
import { ss32, flagsRaw, VM, getEflags, setEflagsRaw, IF, VIF, TF, IOPL } from "../state";
import { S_CR4, S_TR_BASE, S_TR_LIMIT } from "../layout";
import { readSystem16, readLin16, readLin8 } from "../memory";
import { loadSegmentReal } from "../segments";
/** One byte of the TSS (a supervisor access). */
function readSystem8(lin: u32): u32 { return readSystem16(lin) & 0xFF; }
import { farJump, farCall, farReturn, interruptReturn } from "../transfers";

export const ATT_HALT: u32 = 16;

/** Set EIP to a branch target, which must lie inside the CS limit (#GP(0) otherwise). */
// @ts-ignore: decorator
@inline function branchTo(target: u32, size: u32): void {
  if (size == 16) target &= 0xFFFF;
  if (target > segLimit(CS)) raiseGeneralProtection(0);
  setEip(target);
}

// @ts-ignore: decorator
@inline export function jccShort(cc: u32): void {
  const rel = <u32><i32><i8>fetch8();
  if (testCondition(cc)) branchTo(getEip() + rel, o32 ? 32 : 16);
}
export function jccNear(cc: u32, size: u32): void {
  const rel = size == 32 ? fetch32() : <u32><i32><i16>fetch16();
  if (testCondition(cc)) branchTo(getEip() + rel, size);
}
// @ts-ignore: decorator
@inline export function jmpShort(): void {
  const rel = <u32><i32><i8>fetch8();
  branchTo(getEip() + rel, o32 ? 32 : 16);
}
export function jmpNear(size: u32): void {
  const rel = size == 32 ? fetch32() : <u32><i32><i16>fetch16();
  branchTo(getEip() + rel, size);
}
export function callNear(size: u32): void {
  const rel = size == 32 ? fetch32() : <u32><i32><i16>fetch16();
  const next = getEip();
  const target = size == 32 ? next + rel : (next + rel) & 0xFFFF;
  if (target > segLimit(CS)) raiseGeneralProtection(0);
  push(next, size);
  setEip(target);
}
export function retNear(imm: u32, size: u32): void {
  const target = size == 32 ? pop32() : pop16();
  if (target > segLimit(CS)) raiseGeneralProtection(0);
  setEip(target);
  if (imm != 0) releaseStack(imm);
}
function releaseStack(bytes: u32): void {
  setStackPointer(ss32 ? stackPointer() + bytes : (stackPointer() + bytes) & 0xFFFF);
}

// ---- far transfers (transfers.ts does the protected-mode work) ----
export function jmpFarImm(size: u32): void {
  const off = size == 32 ? fetch32() : fetch16();
  const sel = fetch16();
  farJump(sel, off, size);
}
export function callFarImm(size: u32): void {
  const off = size == 32 ? fetch32() : fetch16();
  const sel = fetch16();
  farCall(sel, off, size);
}
export function retFar(imm: u32, size: u32): void { farReturn(imm, size); }

/** FF: INC, DEC, CALL Ev, CALL Mp, JMP Ev, JMP Mp, PUSH Ev. */
export function grp5Ev(size: u32): void {
  fetchModrm();
  const op = (modrm >> 3) & 7;
  switch (op) {
    case 0: case 1: incDecEv(op, size); return;
    case 2: {
      const target = size == 32 ? getE32() : getE16();
      if (target > segLimit(CS)) raiseGeneralProtection(0);
      push(getEip(), size);
      setEip(target);
      return;
    }
    case 4: {
      const target = size == 32 ? getE32() : getE16();
      branchTo(target, size);
      return;
    }
    case 3: case 5: {
      if (modrm >= 0xC0) { raiseInvalidOpcode(); return; }
      const off = size == 32 ? read32(eaSeg, eaOff) : read16(eaSeg, eaOff);
      const sel = read16(eaSeg, a32 ? eaOff + (size >> 3) : (eaOff + (size >> 3)) & 0xFFFF);
      if (op == 3) farCall(sel, off, size); else farJump(sel, off, size);
      return;
    }
    case 6: push(size == 32 ? getE32() : getE16(), size); return;
    default: raiseInvalidOpcode();
  }
}

// ---- loops ----
export const LOOP_NE: u32 = 0, LOOP_E: u32 = 1, LOOP_ALWAYS: u32 = 2;
/** LOOP/LOOPE/LOOPNE: the counter is CX or ECX by address size. */
export function loop(kind: u32): void {
  const rel = <u32><i32><i8>fetch8();
  let count: u32;
  if (a32) { count = reg32(ECX) - 1; setReg32(ECX, count); }
  else { count = (reg16(ECX) - 1) & 0xFFFF; setReg16(ECX, count); }
  let taken = count != 0;
  if (taken && kind != LOOP_ALWAYS) taken = (getFlag(ZF) != 0) == (kind == LOOP_E);
  if (taken) branchTo(getEip() + rel, o32 ? 32 : 16);
}
export function jcxz(): void {
  const rel = <u32><i32><i8>fetch8();
  const count = a32 ? reg32(ECX) : reg16(ECX);
  if (count == 0) branchTo(getEip() + rel, o32 ? 32 : 16);
}

// ---- software interrupts ----
function softwareInterrupt(vector: u32): void {
  store<u32>(ST_SOFT_INT, load<u32>(ST_SOFT_INT) + 1);
  deliverInterrupt(vector, NO_ERROR_CODE, getEip(), INT_SOFTWARE);
}
/**
 * INT n: IOPL-sensitive in virtual-8086 mode (SDM vol. 3, 20.2.7); INT3 and INTO are not. With
 * CR4.VME, a clear bit in the TSS's interrupt redirection bitmap sends INT n to the virtual-8086
 * program's own IVT instead (SDM vol. 3, 20.3.3, methods 3 and 5).
 */
export function intImm(): void {
  const vector = fetch8();
  const f = flagsRaw();
  if ((f & VM) != 0) {
    const iopl = (f >> 12) & 3;
    if ((load<u32>(S_CR4) & 1) != 0) {
      const tss = load<u32>(S_TR_BASE);
      const redirect = tss + readSystem16(tss + 0x66) - 32 + (vector >> 3);
      if (redirect + 1 > tss + load<u32>(S_TR_LIMIT) + 1) { raiseGeneralProtection(0); return; }
      if (((readSystem8(redirect) >> (vector & 7)) & 1) == 0) { v86RedirectedInterrupt(vector, iopl); return; }
    }
    if (iopl < 3) { raiseGeneralProtection(0); return; }
  }
  softwareInterrupt(vector);
}
/** An INT n handled by the virtual-8086 program's IVT at linear 0, as real mode would. */
function v86RedirectedInterrupt(vector: u32, iopl: u32): void {
  store<u32>(ST_SOFT_INT, load<u32>(ST_SOFT_INT) + 1);
  const ip = readLin16(vector << 2), cs = readLin16((vector << 2) + 2);
  let flags = getEflags() & 0xFFFF;
  if (iopl < 3) flags = (flags & ~IF) | ((getEflags() & VIF) != 0 ? IF : 0) | IOPL;
  push16(flags);
  push16(segSelector(CS));
  push16(getEip());
  setEflagsRaw(getEflags() & ~(TF | (iopl < 3 ? VIF : IF)));
  loadSegmentReal(CS, cs);
  setEip(ip);
}
export function int3(): void { softwareInterrupt(VEC_BP); }
export function into(): void { if (getFlag(OF) != 0) softwareInterrupt(VEC_OF); }
/** F1 (INT1/ICEBP): a #DB trap, delivered like an exception (no gate DPL check). */
export function int1(): void { deliverInterrupt(VEC_DB, NO_ERROR_CODE, getEip(), INT_EXCEPTION); }

export function iret(size: u32): void { interruptReturn(size); }

/** BOUND: #BR when the signed index lies outside [lower, upper] (a register operand is #UD). */
export function bound(size: u32): void {
  fetchModrm();
  if (modrm >= 0xC0) { raiseInvalidOpcode(); return; }
  if (size == 16) {
    const index = <i32><i16>getG16();
    const lower = <i32><i16>read16(eaSeg, eaOff);
    const upper = <i32><i16>read16(eaSeg, a32 ? eaOff + 2 : (eaOff + 2) & 0xFFFF);
    if (index < lower || index > upper) raiseBoundRange();
  } else {
    const index = <i32>getG32();
    const lower = <i32>read32(eaSeg, eaOff);
    const upper = <i32>read32(eaSeg, a32 ? eaOff + 4 : (eaOff + 4) & 0xFFFF);
    if (index < lower || index > upper) raiseBoundRange();
  }
}

/** HLT: privileged in protected mode; the run loop returns to the host, which waits for an IRQ. */
export function hlt(): void {
  if ((cr0() & CR0_PE) != 0 && load<u32>(S_CPL) != 0) { raiseGeneralProtection(0); return; }
  store<u32>(ST_HLT, load<u32>(ST_HLT) + 1);
  store<u32>(S_HALTED, 1);
  store<u32>(S_ATTENTION, load<u32>(S_ATTENTION) | ATT_HALT);
}

