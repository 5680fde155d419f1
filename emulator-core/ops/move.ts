// Data movement: MOV forms, XCHG, LEA, MOVZX/MOVSX, far-pointer loads, XLAT, BSWAP,
// the stack (PUSH/POP, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE) and the flag instructions.

import {
  reg8, reg16, reg32, setReg8, setReg16, setReg32, regBySize, setRegBySize, getFlag, setFlag, getEflags, setEflagsRaw,
  segSelector, EAX, EBX, ESP, EBP, CS, SS, DS, CF, PF, AF, ZF, SF, IF, DF, IOPL, VM, RF, VIP, VIF, a32, materializeFlags,
  flagsRaw, ATT_SHADOW, cr0, CR0_PE, TF,
} from "../state";
import { S_CPL, S_FLAGS, S_ATTENTION, S_CR4, ST_CLI_STI, ST_POPF_IRET, ST_MOV_SREG } from "../layout";
const CR4_VME: u32 = 1, CR4_PVI: u32 = 2;
import {
  fetchModrm, modrm, eaSeg, eaOff, getE8, getE16, getE32, setE8, setE16, setE32, getG8, setG8, getG16, getG32,
  setG16, setG32, fetchMoffs, rmwE8, rmwE16, rmwE32, rmwSetE8, rmwSetE16, rmwSetE32,
} from "../decode";
import {
  fetch8, fetch16, fetch32, read8, read16, read32, write8, write16, write32, push16, push32, pop16, pop32,
  stackPointer, setStackPointer, dataSegment, segLinearWrite, probeWrite, readStack16,
} from "../memory";
import { loadSegment } from "../segments";
import { raiseInvalidOpcode, raiseGeneralProtection } from "../faults";

// @ts-ignore: decorator
@inline function getE(size: u32): u32 { return size == 32 ? getE32() : getE16(); }
// @ts-ignore: decorator
@inline function setE(v: u32, size: u32): void { if (size == 32) setE32(v); else setE16(v); }
// @ts-ignore: decorator
@inline function getG(size: u32): u32 { return size == 32 ? getG32() : getG16(); }
// @ts-ignore: decorator
@inline function setG(v: u32, size: u32): void { if (size == 32) setG32(v); else setG16(v); }
// @ts-ignore: decorator
@inline export function push(v: u32, size: u32): void { if (size == 32) push32(v); else push16(v); }
// @ts-ignore: decorator
@inline export function pop(size: u32): u32 { return size == 32 ? pop32() : pop16(); }
function bump(counter: u32): void { store<u32>(counter, load<u32>(counter) + 1); }

// ---- MOV ----
// @ts-ignore: decorator
@inline export function movEbGb(): void { fetchModrm(); setE8(getG8()); }
// @ts-ignore: decorator
@inline export function movEvGv(size: u32): void { fetchModrm(); setE(getG(size), size); }
// @ts-ignore: decorator
@inline export function movGbEb(): void { fetchModrm(); setG8(getE8()); }
// @ts-ignore: decorator
@inline export function movGvEv(size: u32): void { fetchModrm(); setG(getE(size), size); }
export function movEbIb(): void {
  fetchModrm();
  if (((modrm >> 3) & 7) != 0) { raiseInvalidOpcode(); return; }
  setE8(fetch8());
}
export function movEvIz(size: u32): void {
  fetchModrm();
  if (((modrm >> 3) & 7) != 0) { raiseInvalidOpcode(); return; }
  setE(size == 32 ? fetch32() : fetch16(), size);
}
// @ts-ignore: decorator
@inline export function movReg8Imm(r: u32): void { setReg8(r, fetch8()); }
// @ts-ignore: decorator
@inline export function movRegImm(r: u32, size: u32): void {
  if (size == 32) setReg32(r, fetch32()); else setReg16(r, fetch16());
}
export function movALOb(): void { const off = fetchMoffs(); setReg8(EAX, read8(dataSegment(DS), off)); }
export function movAXOv(size: u32): void {
  const off = fetchMoffs();
  const seg = dataSegment(DS);
  setRegBySize(EAX, size == 32 ? read32(seg, off) : read16(seg, off), size);
}
export function movObAL(): void { const off = fetchMoffs(); write8(dataSegment(DS), off, reg8(EAX)); }
export function movOvAX(size: u32): void {
  const off = fetchMoffs();
  const seg = dataSegment(DS);
  if (size == 32) write32(seg, off, reg32(EAX)); else write16(seg, off, reg16(EAX));
}
/** 8C MOV Ev,Sw: a register destination with 32-bit operand size gets the zero-extended selector. */
export function movEwSw(size: u32): void {
  fetchModrm();
  const s = (modrm >> 3) & 7;
  if (s > 5) { raiseInvalidOpcode(); return; }
  if (modrm >= 0xC0) setRegBySize(modrm & 7, segSelector(s), size);
  else write16(eaSeg, eaOff, segSelector(s));
}
/** 8E MOV Sw,Ew: loading CS this way is invalid. */
export function movSwEw(): void {
  fetchModrm();
  const s = (modrm >> 3) & 7;
  if (s > 5 || s == CS) { raiseInvalidOpcode(); return; }
  loadSegment(s, getE16());
  bump(ST_MOV_SREG);
}
export function lea(size: u32): void {
  fetchModrm();
  if (modrm >= 0xC0) { raiseInvalidOpcode(); return; }
  setG(eaOff, size);
}
export function movzxGvEb(size: u32): void { fetchModrm(); setG(getE8(), size); }
export function movzxGvEw(size: u32): void { fetchModrm(); setG(getE16(), size); }
export function movsxGvEb(size: u32): void { fetchModrm(); setG(<u32><i32><i8>getE8(), size); }
export function movsxGvEw(size: u32): void { fetchModrm(); setG(<u32><i32><i16>getE16(), size); }

/** LES/LDS/LSS/LFS/LGS: offset then selector from memory (a register operand is invalid). */
export function loadFarPointer(s: u32, size: u32): void {
  fetchModrm();
  if (modrm >= 0xC0) { raiseInvalidOpcode(); return; }
  const off = size == 32 ? read32(eaSeg, eaOff) : read16(eaSeg, eaOff);
  const sel = read16(eaSeg, a32 ? eaOff + (size >> 3) : (eaOff + (size >> 3)) & 0xFFFF);
  loadSegment(s, sel);
  setG(off, size);
}

// ---- XCHG ----
export function xchgEbGb(): void {
  fetchModrm();
  const v = rmwE8();
  rmwSetE8(getG8());
  setG8(v);
}
export function xchgEvGv(size: u32): void {
  fetchModrm();
  if (size == 32) { const v = rmwE32(); rmwSetE32(getG32()); setG32(v); }
  else { const v = rmwE16(); rmwSetE16(getG16()); setG16(v); }
}
export function xchgAX(r: u32, size: u32): void {
  const v = regBySize(r, size);
  setRegBySize(r, regBySize(EAX, size), size);
  setRegBySize(EAX, v, size);
}
export function nop(): void {}
/** 0F 1F /0: multi-byte NOP; decodes its operand but touches no memory. */
export function nopEv(): void { fetchModrm(); }

export function xlat(): void {
  const off = a32 ? reg32(EBX) + reg8(EAX) : (reg16(EBX) + reg8(EAX)) & 0xFFFF;
  setReg8(EAX, read8(dataSegment(DS), off));
}
export function bswap(r: u32): void {
  const v = reg32(r);
  setReg32(r, (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24));
}

// ---- PUSH / POP ----
// @ts-ignore: decorator
@inline export function pushReg(r: u32, size: u32): void { push(regBySize(r, size), size); }
// @ts-ignore: decorator
@inline export function popReg(r: u32, size: u32): void { setRegBySize(r, pop(size), size); }
export function pushImm(size: u32): void { push(size == 32 ? fetch32() : fetch16(), size); }
export function pushImm8(size: u32): void { push(<u32><i32><i8>fetch8(), size); }
/** PUSH Sreg: a 32-bit push writes only the low word of the slot (SDM vol. 2, PUSH), ESP still moves by 4. */
export function pushSeg(s: u32, size: u32): void {
  const sel = segSelector(s);
  if (size == 16) { push16(sel); return; }
  const sp = (stackPointer() - 4);
  write16(SS, ssMask(sp), sel);
  setStackPointer(ssMask(sp));
}
import { ss32 } from "../state";
// @ts-ignore: decorator
@inline function ssMask(v: u32): u32 { return ss32 ? v : v & 0xFFFF; }
export function popSeg(s: u32, size: u32): void {
  const sel = (size == 32 ? readTop32() : readTop16()) & 0xFFFF;
  loadSegment(s, sel);
  setStackPointer(ssMask(stackPointer() + (size >> 3)));
  bump(ST_MOV_SREG);
}
function readTop16(): u32 { return read16(SS, stackPointer()); }
function readTop32(): u32 { return read32(SS, stackPointer()); }
/** 8F /0 POP Ev: the effective address is computed after ESP is incremented (SDM vol. 2, POP). */
export function popEv(size: u32): void {
  const v = size == 32 ? readTop32() : readTop16();
  const oldSp = reg32(ESP);
  setStackPointer(ssMask(stackPointer() + (size >> 3)));
  fetchModrm();
  if (((modrm >> 3) & 7) != 0) { setReg32(ESP, oldSp); raiseInvalidOpcode(); return; }
  setE(v, size);
}
export function pusha(size: u32): void {
  const sp = regBySize(ESP, size);
  // Check all eight slots first (each wraps like a single push) so a fault leaves memory untouched.
  const step = size >> 3;
  for (let i: u32 = 1; i <= 8; i++) {
    probeWrite(segLinearWrite(SS, ssMask(stackPointer() - i * step), step), step);
  }
  for (let r: u32 = 0; r < 8; r++) push(r == ESP ? sp : regBySize(r, size), size);
}
export function popa(size: u32): void {
  const step = size >> 3;
  const sp = stackPointer();
  for (let i: u32 = 0; i < 8; i++) {
    const r = 7 - i;
    if (r == ESP) continue;
    const off = ssMask(sp + i * step);
    setRegBySize(r, size == 32 ? read32(SS, off) : read16(SS, off), size);
  }
  setStackPointer(ssMask(sp + 8 * step));
}

// ---- flags ----
// @ts-ignore: decorator
@inline function iopl(): u32 { return (flagsRaw() >> 12) & 3; }
/** Virtual-8086 mode with IOPL < 3: the IOPL-sensitive instructions fault, or with CR4.VME use VIF. */
// @ts-ignore: decorator
@inline function v86Sensitive(): bool { return (flagsRaw() & VM) != 0 && iopl() < 3; }
// @ts-ignore: decorator
@inline function vmeOn(): bool { return (load<u32>(S_CR4) & CR4_VME) != 0; }

/** PUSHF (SDM vol. 2): VM and RF are never pushed; under VME (16-bit) IF shows VIF and IOPL 3. */
export function pushf(size: u32): void {
  if (v86Sensitive()) {
    if (!vmeOn() || size == 32) { raiseGeneralProtection(0); return; }
    const f = getEflags();
    push16((f & 0xFFFF & ~IF) | ((f & VIF) != 0 ? IF : 0) | IOPL);
    bump(ST_POPF_IRET);
    return;
  }
  const f = getEflags();
  if (size == 32) push32(f & 0x00FCFFFF); else push16(f & 0xFFFF);
  bump(ST_POPF_IRET);
}
/**
 * POPF (SDM vol. 2): IOPL changes only at CPL 0; IF only when CPL <= IOPL. VM, VIP, VIF keep their
 * values and RF is cleared by the 32-bit form; the 16-bit form changes the low word only. Under
 * VME in virtual-8086 mode with IOPL < 3 the popped IF goes to VIF (SDM vol. 3, 20.3.2).
 */
export function popf(size: u32): void {
  if (v86Sensitive()) {
    if (!vmeOn() || size == 32) { raiseGeneralProtection(0); return; }
    const v = readStack16(0);
    const f = getEflags();
    if (((v & IF) != 0 && (f & VIP) != 0) || (v & TF) != 0) { raiseGeneralProtection(0); return; }
    pop16();
    const keep: u32 = IF | IOPL;
    let nf = (f & ~0xFFFF) | (f & keep) | (v & 0xFFFF & ~keep);
    nf = (v & IF) != 0 ? nf | VIF : nf & ~VIF;
    setEflagsRaw(nf);
    bump(ST_POPF_IRET);
    return;
  }
  const v = size == 32 ? pop32() : pop16();
  writeFlagsFromPop(v, size);
  bump(ST_POPF_IRET);
}
export function writeFlagsFromPop(v: u32, size: u32): void {
  const old = getEflags();
  const cpl = load<u32>(S_CPL);
  let changeable: u32 = 0x00247FD5 & ~(VIP | VIF); // arithmetic, TF, IF, DF, OF, IOPL, NT, AC, ID
  if (cpl > 0 || (old & VM) != 0) changeable &= ~IOPL;
  if (cpl > ((old >> 12) & 3)) changeable &= ~IF;
  if (size == 16) changeable &= 0xFFFF;
  let nf = (old & ~changeable) | (v & changeable);
  if (size == 32) nf &= ~RF;
  setEflagsRaw(nf);
}
export function sahf(): void {
  materializeFlags();
  const ah = reg8(4);
  const mask = SF | ZF | AF | PF | CF;
  store<u32>(S_FLAGS, (flagsRaw() & ~mask) | (ah & mask));
}
export function lahf(): void { setReg8(4, getEflags() & 0xFF); }
export function clc(): void { setFlag(CF, false); }
export function stc(): void { setFlag(CF, true); }
export function cmc(): void { setFlag(CF, getFlag(CF) == 0); }
export function cld(): void { setFlag(DF, false); }
export function std(): void { setFlag(DF, true); }
/**
 * CLI/STI (SDM vol. 2, CLI): allowed when CPL <= IOPL (always in real mode); otherwise, in
 * virtual-8086 mode with CR4.VME or at CPL 3 with CR4.PVI, they clear/set VIF instead (STI with
 * VIP set faults); otherwise #GP(0).
 */
export function cli(): void {
  bump(ST_CLI_STI);
  if (interruptFlagAllowed()) { setFlag(IF, false); return; }
  if (virtualInterruptFlag()) { setEflagsRaw(getEflags() & ~VIF); return; }
  raiseGeneralProtection(0);
}
export function sti(): void {
  bump(ST_CLI_STI);
  if (interruptFlagAllowed()) {
    if ((flagsRaw() & IF) == 0) {
      // Interrupts stay inhibited until after the next instruction (SDM vol. 2, STI).
      store<u32>(S_ATTENTION, load<u32>(S_ATTENTION) | ATT_SHADOW);
    }
    setFlag(IF, true);
    return;
  }
  if (virtualInterruptFlag()) {
    if ((flagsRaw() & VIP) != 0) { raiseGeneralProtection(0); return; }
    setEflagsRaw(getEflags() | VIF);
    return;
  }
  raiseGeneralProtection(0);
}
function interruptFlagAllowed(): bool {
  if ((cr0() & CR0_PE) == 0) return true;
  if ((flagsRaw() & VM) != 0) return iopl() == 3;
  return load<u32>(S_CPL) <= iopl();
}
function virtualInterruptFlag(): bool {
  if ((flagsRaw() & VM) != 0) return vmeOn();
  return load<u32>(S_CPL) == 3 && (load<u32>(S_CR4) & CR4_PVI) != 0;
}

// ---- ENTER / LEAVE (SDM vol. 2, ENTER: the nesting level is taken modulo 32) ----
export function enter(size: u32): void {
  const allocSize = fetch16();
  const level = fetch8() & 31;
  const step = size >> 3;
  push(regBySize(EBP, size), size);
  const frameTemp = stackPointer();
  if (level > 0) {
    let bp = ss32 ? reg32(EBP) : reg16(EBP);
    for (let i: u32 = 1; i < level; i++) {
      bp = ssMask(bp - step);
      push(size == 32 ? read32(SS, bp) : read16(SS, bp), size);
    }
    push(frameTemp, size);
  }
  const newSp = ssMask(stackPointer() - allocSize);
  // The final stack pointer must be writable (ENTER faults before changing state).
  if (size == 32) setReg32(EBP, frameTemp); else setReg16(EBP, frameTemp);
  setStackPointer(newSp);
}
export function leave(size: u32): void {
  const bp = ss32 ? reg32(EBP) : reg16(EBP);
  const v = size == 32 ? read32(SS, bp) : read16(SS, bp);
  setStackPointer(ssMask(bp + (size >> 3)));
  setRegBySize(EBP, v, size);
}

