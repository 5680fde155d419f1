// System instructions: CPUID, RDTSC, RDMSR/WRMSR, RDPMC, descriptor-table registers (group 7),
// control and debug registers, CLTS, INVD/WBINVD, FWAIT and the x87 escape, and the
// protected-mode-only instructions (group 6, LAR, LSL, ARPL, SYSENTER/SYSEXIT) that are
// #UD or #GP in real mode.

import {
  reg32, setReg32, setReg16, regBySize, setRegBySize, cr0, CR0_PE, CR0_EM, CR0_TS, CR0_MP, CR0_PG, CR0_WP,
  EAX, ECX, EDX, EBX, flagsRaw, VM,
} from "../state";
import {
  S_CPL, S_CR0, S_CR2, S_CR3, S_CR4, S_DR, S_GDTR_BASE, S_GDTR_LIMIT, S_IDTR_BASE, S_IDTR_LIMIT, S_TSC,
  S_SYSENTER_CS, S_SYSENTER_ESP, S_SYSENTER_EIP, ST_CPUID, ST_RDTSC, ST_CR_WRITE, ST_CR_READ, ST_DR_ACCESS, ST_MSR,
  ST_INVLPG, ST_DESC_TABLE, S_LDTR_SEL, S_TR_SEL,
} from "../layout";
import { fetchModrm, fetchModrmRegisterForm, modrm, eaSeg, eaOff, getE16, setE16, rmwE16, rmwSetE16, getG16 } from "../decode";
import {
  readDescriptor, descLo, descHi, descAddr, descBase, descLimit, descAttr, descType, descPresent, descIsSegment,
  descDpl, descConforming, descReadable, descWritable, SYS_LDT, SYS_TSS16_AVAIL, SYS_TSS32_AVAIL,
} from "../descriptors";
import { cpl, setCpl, setSegmentCache, protectedMode as inProtectedMode } from "../segments";
import { writeSystem32 } from "../memory";
import { raiseFault, VEC_GP, VEC_NP } from "../faults";
import { materializeFlags, setFlag, ZF, getEflags, setEflagsRaw, IF, RF, setEip, CS, SS, ESP } from "../state";
import { S_TR_ATTR, S_LDTR_BASE, S_LDTR_LIMIT, S_TR_BASE as TR_BASE, S_TR_LIMIT as TR_LIMIT } from "../layout";
import { read16, read32, write16, write32, tlbFlushAll, tlbFlushNonGlobal, tlbFlushPage, segLinear } from "../memory";
import { raiseInvalidOpcode, raiseGeneralProtection, raiseDeviceNotAvailable } from "../faults";
import { instructionsRetired } from "../counters";
import { updateBreakpoints } from "../debug";

function bump(counter: u32): void { store<u32>(counter, load<u32>(counter) + 1); }
// @ts-ignore: decorator
@inline function protectedMode(): bool { return inProtectedMode(); }
/** Privileged instructions need CPL 0 in protected mode and raise #GP(0) in virtual-8086 mode. */
function requireCpl0(): void {
  if ((cr0() & CR0_PE) == 0) return;
  if ((flagsRaw() & VM) != 0 || load<u32>(S_CPL) != 0) raiseGeneralProtection(0);
}

// ---- CPUID: an honest i686 (family 6), claiming only what the core implements ----
const FEATURE_FPU: u32 = 1 << 0, FEATURE_VME: u32 = 1 << 1, FEATURE_DE: u32 = 1 << 2, FEATURE_PSE: u32 = 1 << 3, FEATURE_TSC: u32 = 1 << 4, FEATURE_MSR: u32 = 1 << 5;
const FEATURE_CX8: u32 = 1 << 8, FEATURE_SEP: u32 = 1 << 11, FEATURE_PGE: u32 = 1 << 13, FEATURE_CMOV: u32 = 1 << 15;
const FEATURES: u32 = FEATURE_FPU | FEATURE_VME | FEATURE_DE | FEATURE_PSE | FEATURE_TSC | FEATURE_MSR | FEATURE_CX8 | FEATURE_SEP | FEATURE_PGE | FEATURE_CMOV;
/**
 * Family 6, model 3, stepping 3: a P6 whose SEP bit operating systems trust (Linux ignores SEP on
 * family 6 models below 3 with stepping below 3, where SYSENTER was broken).
 */
export const CPUID_SIGNATURE: u32 = 0x0633;

export function cpuid(): void {
  bump(ST_CPUID);
  const leaf = reg32(EAX);
  let a: u32 = 0, b: u32 = 0, c: u32 = 0, d: u32 = 0;
  if (leaf == 0) {
    a = 1;
    b = 0x756E6547; d = 0x49656E69; c = 0x6C65746E; // "GenuineIntel"
  } else if (leaf == 1) {
    a = CPUID_SIGNATURE;
    d = FEATURES;
  } else if (leaf == 0x80000000) {
    a = 0x80000004;
  } else if (leaf >= 0x80000002 && leaf <= 0x80000004) {
    // Brand string "emu i686 CPU" padded with NULs, 16 bytes per leaf.
    const i = leaf - 0x80000002;
    if (i == 0) { a = 0x20756D65; b = 0x36383669; c = 0x55504320; d = 0; }
  } else if (leaf > 1 && leaf < 0x80000000) {
    // Leaves above the maximum return the highest basic leaf's data (SDM vol. 2, CPUID).
    a = CPUID_SIGNATURE;
    d = FEATURES;
  }
  setReg32(EAX, a); setReg32(EBX, b); setReg32(ECX, c); setReg32(EDX, d);
}

/** The time-stamp counter: one tick per retired instruction, plus the offset WRMSR set. */
function readTsc(): u64 { return load<u64>(S_TSC) + instructionsRetired(); }

export function rdtsc(): void {
  bump(ST_RDTSC);
  if ((load<u32>(S_CR4) & 4) != 0 && protectedMode() && load<u32>(S_CPL) != 0) { raiseGeneralProtection(0); return; }
  const t = readTsc();
  setReg32(EAX, <u32>t); setReg32(EDX, <u32>(t >> 32));
}

// P6 MSRs (SDM vol. 4, table 2-48): IA32_PLATFORM_ID reads 0 (no platform bits); IA32_BIOS_SIGN_ID
// holds the microcode update signature, 0 here: writes are accepted (Linux writes 0 before CPUID
// and reads it back) and no update is ever loaded.
const MSR_PLATFORM_ID: u32 = 0x17, MSR_BIOS_SIGN_ID: u32 = 0x8B;
const MSR_TSC: u32 = 0x10, MSR_SYSENTER_CS: u32 = 0x174, MSR_SYSENTER_ESP: u32 = 0x175, MSR_SYSENTER_EIP: u32 = 0x176;
export function rdmsr(): void {
  requireCpl0();
  bump(ST_MSR);
  const msr = reg32(ECX);
  let v: u64 = 0;
  if (msr == MSR_TSC) v = readTsc();
  else if (msr == MSR_PLATFORM_ID || msr == MSR_BIOS_SIGN_ID) v = 0;
  else if (msr == MSR_SYSENTER_CS) v = load<u32>(S_SYSENTER_CS);
  else if (msr == MSR_SYSENTER_ESP) v = load<u32>(S_SYSENTER_ESP);
  else if (msr == MSR_SYSENTER_EIP) v = load<u32>(S_SYSENTER_EIP);
  else { raiseGeneralProtection(0); return; }
  setReg32(EAX, <u32>v); setReg32(EDX, <u32>(v >> 32));
}
export function wrmsr(): void {
  requireCpl0();
  bump(ST_MSR);
  const msr = reg32(ECX);
  const v: u64 = (<u64>reg32(EDX) << 32) | <u64>reg32(EAX);
  if (msr == MSR_TSC) store<u64>(S_TSC, v - instructionsRetired());
  else if (msr == MSR_BIOS_SIGN_ID) { /* accepted: the signature stays 0 */ }
  else if (msr == MSR_SYSENTER_CS) store<u32>(S_SYSENTER_CS, <u32>v);
  else if (msr == MSR_SYSENTER_ESP) store<u32>(S_SYSENTER_ESP, <u32>v);
  else if (msr == MSR_SYSENTER_EIP) store<u32>(S_SYSENTER_EIP, <u32>v);
  else raiseGeneralProtection(0);
}
/** RDPMC: no performance counters are modelled, so every counter index is invalid: #GP(0). */
export function rdpmc(): void { raiseGeneralProtection(0); }

// ---- group 7: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG ----
export function grp7(size: u32): void {
  fetchModrm();
  const op = (modrm >> 3) & 7;
  if (modrm >= 0xC0 && op != 4 && op != 6) { raiseInvalidOpcode(); return; }
  switch (op) {
    case 0: case 1: {
      // 16-bit operand size stores a 24-bit base and a zero byte (SDM vol. 2, SGDT).
      const limitAddr = op == 0 ? S_GDTR_LIMIT : S_IDTR_LIMIT;
      const baseAddr = op == 0 ? S_GDTR_BASE : S_IDTR_BASE;
      const base = load<u32>(baseAddr);
      write16(eaSeg, eaOff, load<u32>(limitAddr));
      write32(eaSeg, eaOff + 2, size == 16 ? base & 0xFFFFFF : base);
      return;
    }
    case 2: case 3: {
      requireCpl0();
      bump(ST_DESC_TABLE);
      const limit = read16(eaSeg, eaOff);
      const base = read32(eaSeg, eaOff + 2);
      store<u32>(op == 2 ? S_GDTR_LIMIT : S_IDTR_LIMIT, limit);
      store<u32>(op == 2 ? S_GDTR_BASE : S_IDTR_BASE, size == 16 ? base & 0xFFFFFF : base);
      return;
    }
    case 4: {
      bump(ST_CR_READ);
      // A register destination receives CR0 in the operand size; memory gets 16 bits.
      if (modrm >= 0xC0) setRegBySize(modrm & 7, load<u32>(S_CR0), size);
      else setE16(load<u32>(S_CR0));
      return;
    }
    case 6: {
      requireCpl0();
      bump(ST_CR_WRITE);
      // LMSW changes PE (set only), MP, EM, TS.
      const v = getE16();
      const old = load<u32>(S_CR0);
      writeCr0((old & ~0xE) | (v & 0xF) | (old & CR0_PE));
      return;
    }
    case 7: {
      requireCpl0();
      bump(ST_INVLPG);
      tlbFlushPage(segLinear(eaSeg, eaOff, 1));
      return;
    }
    default: raiseInvalidOpcode();
  }
}

// ---- control and debug registers (SDM vol. 3, 2.5; vol. 2, MOV—Move to/from Control Registers) ----
const CR0_FIXED_ONE: u32 = 0x10; // ET is hardwired to 1 on P6 processors
const CR0_VALID: u32 = 0xE005003F;
export function writeCr0(v: u32): void {
  v = (v & CR0_VALID) | CR0_FIXED_ONE;
  if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0) { raiseGeneralProtection(0); return; }
  const old = load<u32>(S_CR0);
  store<u32>(S_CR0, v);
  if (((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) != 0) tlbFlushAll();
  // Back in real mode, CPL is 0 and segment types are no longer checked (SDM vol. 3, 20.1).
  if ((old & CR0_PE) != 0 && (v & CR0_PE) == 0) { setCpl(0); clearSegmentTypeChecks(); }
}

import { S_SEG_CHECK, S_SEG_WCHECK, SEGCHK_EXPAND_DOWN } from "../layout";
function clearSegmentTypeChecks(): void {
  for (let i: u32 = 0; i < 6; i++) {
    store<u32>(S_SEG_CHECK + (i << 2), load<u32>(S_SEG_CHECK + (i << 2)) & SEGCHK_EXPAND_DOWN);
    store<u32>(S_SEG_WCHECK + (i << 2), load<u32>(S_SEG_WCHECK + (i << 2)) & SEGCHK_EXPAND_DOWN);
  }
}

export function movRdCd(): void {
  fetchModrmRegisterForm(); // the mod bits are ignored (SDM vol. 2, MOV—Move to/from Control Registers)
  requireCpl0();
  bump(ST_CR_READ);
  const cr = (modrm >> 3) & 7;
  let v: u32;
  switch (cr) {
    case 0: v = load<u32>(S_CR0); break;
    case 2: v = load<u32>(S_CR2); break;
    case 3: v = load<u32>(S_CR3); break;
    case 4: v = load<u32>(S_CR4); break;
    default: raiseInvalidOpcode(); return;
  }
  setReg32(modrm & 7, v);
}
const CR4_VALID: u32 = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x80 | 0x100; // VME PVI TSD DE PSE PGE PCE
export function movCdRd(): void {
  fetchModrmRegisterForm(); // the mod bits are ignored (SDM vol. 2, MOV—Move to/from Control Registers)
  requireCpl0();
  bump(ST_CR_WRITE);
  const v = reg32(modrm & 7);
  switch ((modrm >> 3) & 7) {
    case 0: writeCr0(v); return;
    case 2: store<u32>(S_CR2, v); return;
    case 3: store<u32>(S_CR3, v & 0xFFFFF018); tlbFlushNonGlobal(); return;
    case 4:
      if ((v & ~CR4_VALID) != 0) { raiseGeneralProtection(0); return; }
      store<u32>(S_CR4, v);
      tlbFlushAll();
      updateBreakpoints(); // CR4.DE enables I/O breakpoints
      return;
    default: raiseInvalidOpcode();
  }
}
/** DR4/DR5 alias DR6/DR7 unless CR4.DE is set, when they are #UD. */
function debugRegIndex(dr: u32): u32 {
  if (dr == 4 || dr == 5) {
    if ((load<u32>(S_CR4) & 8) != 0) { raiseInvalidOpcode(); return 0; }
    return dr + 2;
  }
  return dr;
}
export function movRdDd(): void {
  fetchModrmRegisterForm(); // the mod bits are ignored (SDM vol. 2, MOV—Move to/from Control Registers)
  requireCpl0();
  bump(ST_DR_ACCESS);
  const dr = debugRegIndex((modrm >> 3) & 7);
  setReg32(modrm & 7, load<u32>(S_DR + (dr << 2)));
}
export function movDdRd(): void {
  fetchModrmRegisterForm(); // the mod bits are ignored (SDM vol. 2, MOV—Move to/from Control Registers)
  requireCpl0();
  bump(ST_DR_ACCESS);
  const dr = debugRegIndex((modrm >> 3) & 7);
  let v = reg32(modrm & 7);
  if (dr == 6) v = (v & 0xE00F) | 0xFFFF0FF0;
  else if (dr == 7) v = (v & 0xFFFF23FF) | 0x400;
  store<u32>(S_DR + (dr << 2), v);
  if (dr != 6) updateBreakpoints();
}
export function clts(): void {
  requireCpl0();
  bump(ST_CR_WRITE);
  store<u32>(S_CR0, load<u32>(S_CR0) & ~CR0_TS);
}
/** INVD/WBINVD: there are no caches to write back; privileged. */
export function invd(): void { requireCpl0(); }

// WAIT/FWAIT and the x87 escapes D8-DF: ops/fpu.ts.

// ---- protected-mode-only instructions ----
/** 0F 00: SLDT STR LLDT LTR VERR VERW; not recognized in real or virtual-8086 mode (#UD). */
export function grp6(): void {
  fetchModrm();
  if (!protectedMode()) { raiseInvalidOpcode(); return; }
  switch ((modrm >> 3) & 7) {
    case 0: storeSelector(load<u32>(S_LDTR_SEL)); return;
    case 1: storeSelector(load<u32>(S_TR_SEL)); return;
    case 2: requireCpl0(); lldt(getE16()); return;
    case 3: requireCpl0(); ltr(getE16()); return;
    case 4: verify(getE16(), false); return;
    case 5: verify(getE16(), true); return;
    default: raiseInvalidOpcode();
  }
}
/** SLDT/STR: a register destination gets the zero-extended selector; memory gets 16 bits. */
function storeSelector(sel: u32): void {
  if (modrm >= 0xC0) setReg32(modrm & 7, sel); else setE16(sel);
}
// @ts-ignore: decorator
@inline function selErr(sel: u32): i32 { return <i32>(sel & 0xFFFC); }

/** LLDT (SDM vol. 2): a null selector leaves the LDT unusable; otherwise an LDT descriptor in the GDT. */
function lldt(sel: u32): void {
  bump(ST_DESC_TABLE);
  if ((sel & 0xFFFC) == 0) {
    store<u32>(S_LDTR_SEL, sel); store<u32>(S_LDTR_BASE, 0); store<u32>(S_LDTR_LIMIT, 0);
    return;
  }
  if ((sel & 4) != 0) raiseFault(VEC_GP, selErr(sel));
  if (!readDescriptor(sel) || descIsSegment(descHi) || descType(descHi) != SYS_LDT) raiseFault(VEC_GP, selErr(sel));
  if (!descPresent(descHi)) raiseFault(VEC_NP, selErr(sel));
  store<u32>(S_LDTR_SEL, sel);
  store<u32>(S_LDTR_BASE, descBase(descLo, descHi));
  store<u32>(S_LDTR_LIMIT, descLimit(descLo, descHi));
}
/** LTR (SDM vol. 2): an available TSS in the GDT, which becomes busy. */
function ltr(sel: u32): void {
  bump(ST_DESC_TABLE);
  if ((sel & 0xFFFC) == 0 || (sel & 4) != 0) raiseFault(VEC_GP, selErr(sel));
  if (!readDescriptor(sel) || descIsSegment(descHi)) raiseFault(VEC_GP, selErr(sel));
  const type = descType(descHi);
  if (type != SYS_TSS16_AVAIL && type != SYS_TSS32_AVAIL) raiseFault(VEC_GP, selErr(sel));
  if (!descPresent(descHi)) raiseFault(VEC_NP, selErr(sel));
  writeSystem32(descAddr + 4, descHi | 0x200);
  store<u32>(S_TR_SEL, sel);
  store<u32>(TR_BASE, descBase(descLo, descHi));
  store<u32>(TR_LIMIT, descLimit(descLo, descHi));
  store<u32>(S_TR_ATTR, descAttr(descHi) | 0x2);
}

/**
 * Whether the descriptor of `sel` is visible at the current CPL and the selector's RPL: a
 * conforming code segment always is; other descriptors need DPL >= CPL and DPL >= RPL.
 */
function visible(sel: u32): bool {
  if ((sel & 0xFFFC) == 0 || !readDescriptor(sel)) return false;
  if (descIsSegment(descHi) && descConforming(descHi)) return true;
  const dpl = descDpl(descHi);
  return dpl >= cpl() && dpl >= (sel & 3);
}
function setZF(on: bool): void { materializeFlags(); setFlag(ZF, on); }

/** VERR/VERW: ZF = 1 when the segment is readable (writable) from here. */
function verify(sel: u32, write: bool): void {
  let ok = visible(sel) && descIsSegment(descHi);
  if (ok) ok = write ? descWritable(descHi) : descReadable(descHi);
  setZF(ok);
}
/** LAR: the access rights (dword 2 & 0x00F0FF00) of a visible segment or a valid system descriptor. */
export function lar(size: u32): void { descriptorQuery(size, false); }
/** LSL: the segment limit in bytes (scaled by G) of a visible segment, TSS or LDT. */
export function lsl(size: u32): void { descriptorQuery(size, true); }
function descriptorQuery(size: u32, limit: bool): void {
  fetchModrm();
  if (!protectedMode()) { raiseInvalidOpcode(); return; }
  let ok = visible(getE16());
  if (ok && !descIsSegment(descHi)) {
    // System types LAR accepts; LSL takes only those with a limit (TSSs and LDTs).
    const t = descType(descHi);
    ok = t == 1 || t == 2 || t == 3 || t == 9 || t == 11 || (!limit && (t == 4 || t == 5 || t == 12));
  }
  setZF(ok);
  if (ok) setRegBySize((modrm >> 3) & 7, limit ? descLimit(descLo, descHi) : descHi & 0x00F0FF00, size);
}
/** ARPL Ew,Gw: raise the destination selector's RPL to the source's (ZF = 1 when it changed). */
export function arpl(): void {
  fetchModrm();
  if (!protectedMode()) { raiseInvalidOpcode(); return; }
  const dst = rmwE16();
  const src = getG16();
  if ((dst & 3) < (src & 3)) { rmwSetE16((dst & ~3) | (src & 3)); setZF(true); }
  else { rmwSetE16(dst); setZF(false); }
}

/** SYSENTER (SDM vol. 2): flat ring-0 CS and SS from SYSENTER_CS_MSR, ESP and EIP from the MSRs. */
export function sysenter(): void {
  const csSel = load<u32>(S_SYSENTER_CS) & 0xFFFC;
  if ((cr0() & CR0_PE) == 0 || csSel == 0) { raiseGeneralProtection(0); return; }
  setEflagsRaw(getEflags() & ~(VM | IF | RF));
  setSegmentCache(CS, csSel, 0, 0xFFFFFFFF, 0xC9B);
  setSegmentCache(SS, csSel + 8, 0, 0xFFFFFFFF, 0xC93);
  setCpl(0);
  setReg32(ESP, load<u32>(S_SYSENTER_ESP));
  setEip(load<u32>(S_SYSENTER_EIP));
}
/** SYSEXIT: flat ring-3 CS = SYSENTER_CS + 16, SS = + 24; ESP = ECX, EIP = EDX. */
export function sysexit(): void {
  const csSel = load<u32>(S_SYSENTER_CS) & 0xFFFC;
  if ((cr0() & CR0_PE) == 0 || csSel == 0 || !protectedMode() || cpl() != 0) { raiseGeneralProtection(0); return; }
  setSegmentCache(CS, (csSel + 16) | 3, 0, 0xFFFFFFFF, 0xCFB);
  setSegmentCache(SS, (csSel + 24) | 3, 0, 0xFFFFFFFF, 0xCF3);
  setCpl(3);
  setReg32(ESP, reg32(ECX));
  setEip(reg32(EDX));
}
