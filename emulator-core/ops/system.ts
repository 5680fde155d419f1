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
import { fetchModrm, fetchModrmRegisterForm, modrm, eaSeg, eaOff, getE16, setE16 } from "../decode";
import { read16, read32, write16, write32, tlbFlushAll, tlbFlushPage, segLinear } from "../memory";
import { raiseInvalidOpcode, raiseGeneralProtection, raiseDeviceNotAvailable } from "../faults";
import { instructionsRetired } from "../counters";

function bump(counter: u32): void { store<u32>(counter, load<u32>(counter) + 1); }
// @ts-ignore: decorator
@inline function protectedMode(): bool { return (cr0() & CR0_PE) != 0 && (flagsRaw() & VM) == 0; }
/** Privileged instructions need CPL 0 in protected mode and raise #GP(0) in virtual-8086 mode. */
function requireCpl0(): void {
  if ((cr0() & CR0_PE) == 0) return;
  if ((flagsRaw() & VM) != 0 || load<u32>(S_CPL) != 0) raiseGeneralProtection(0);
}

// ---- CPUID: an honest i686 (family 6), claiming only what the core implements ----
const FEATURE_TSC: u32 = 1 << 4, FEATURE_MSR: u32 = 1 << 5, FEATURE_CX8: u32 = 1 << 8, FEATURE_CMOV: u32 = 1 << 15;
export const CPUID_SIGNATURE: u32 = 0x0611; // family 6, model 1, stepping 1 (Pentium Pro class)

export function cpuid(): void {
  bump(ST_CPUID);
  const leaf = reg32(EAX);
  let a: u32 = 0, b: u32 = 0, c: u32 = 0, d: u32 = 0;
  if (leaf == 0) {
    a = 1;
    b = 0x756E6547; d = 0x49656E69; c = 0x6C65746E; // "GenuineIntel"
  } else if (leaf == 1) {
    a = CPUID_SIGNATURE;
    d = FEATURE_TSC | FEATURE_MSR | FEATURE_CX8 | FEATURE_CMOV;
  } else if (leaf == 0x80000000) {
    a = 0x80000004;
  } else if (leaf >= 0x80000002 && leaf <= 0x80000004) {
    // Brand string "emu i686 CPU" padded with NULs, 16 bytes per leaf.
    const i = leaf - 0x80000002;
    if (i == 0) { a = 0x20756D65; b = 0x36383669; c = 0x55504320; d = 0; }
  } else if (leaf > 1 && leaf < 0x80000000) {
    // Leaves above the maximum return the highest basic leaf's data (SDM vol. 2, CPUID).
    a = CPUID_SIGNATURE;
    d = FEATURE_TSC | FEATURE_MSR | FEATURE_CX8 | FEATURE_CMOV;
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

const MSR_TSC: u32 = 0x10, MSR_SYSENTER_CS: u32 = 0x174, MSR_SYSENTER_ESP: u32 = 0x175, MSR_SYSENTER_EIP: u32 = 0x176;
export function rdmsr(): void {
  requireCpl0();
  bump(ST_MSR);
  const msr = reg32(ECX);
  let v: u64 = 0;
  if (msr == MSR_TSC) v = readTsc();
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
    case 3: store<u32>(S_CR3, v & 0xFFFFF018); tlbFlushAll(); return;
    case 4:
      if ((v & ~CR4_VALID) != 0) { raiseGeneralProtection(0); return; }
      store<u32>(S_CR4, v);
      tlbFlushAll();
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
}
export function clts(): void {
  requireCpl0();
  bump(ST_CR_WRITE);
  store<u32>(S_CR0, load<u32>(S_CR0) & ~CR0_TS);
}
/** INVD/WBINVD: there are no caches to write back; privileged. */
export function invd(): void { requireCpl0(); }

// ---- x87 escape: the FPU itself arrives with issue #3 ----
/** WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set. */
export function fwait(): void {
  if ((cr0() & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) raiseDeviceNotAvailable();
}
/**
 * D8-DF: #NM when CR0.EM or CR0.TS is set (SDM vol. 3, 2.5). Otherwise the instruction is decoded
 * and, with no coprocessor attached, has no effect, as on a 386 without a 387 (CPUID does not
 * claim an FPU).
 */
export function fpuEscape(n: u32): void {
  if ((cr0() & (CR0_EM | CR0_TS)) != 0) { raiseDeviceNotAvailable(); return; }
  fetchModrm();
}

// ---- protected-mode-only instructions ----
/** 0F 00: SLDT STR LLDT LTR VERR VERW are not recognized in real or virtual-8086 mode. */
export function grp6(): void {
  fetchModrm();
  if (!protectedMode()) { raiseInvalidOpcode(); return; }
  const op = (modrm >> 3) & 7;
  if (op == 0) { storeSelector(load<u32>(S_LDTR_SEL)); return; }
  if (op == 1) { storeSelector(load<u32>(S_TR_SEL)); return; }
  raiseInvalidOpcode(); // LLDT LTR VERR VERW: protected-mode descriptor work (issue #3)
}
function storeSelector(sel: u32): void {
  if (modrm >= 0xC0) setRegBySize(modrm & 7, sel, 32); else setE16(sel);
}
export function lar(size: u32): void { fetchModrm(); raiseInvalidOpcode(); }
export function lsl(size: u32): void { fetchModrm(); raiseInvalidOpcode(); }
export function arpl(): void { raiseInvalidOpcode(); }
/** SYSENTER/SYSEXIT: #GP(0) in real mode (SDM vol. 2, SYSENTER). */
export function sysenter(): void { raiseGeneralProtection(0); }
export function sysexit(): void { raiseGeneralProtection(0); }

