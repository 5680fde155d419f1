// ModRM and SIB decoding (SDM vol. 2, 2.1.5, tables 2-1 to 2-3) and operand access by form.

import {
  reg8, reg16, reg32, setReg8, setReg16, setReg32, a32, segOverride, o32, csDefault32,
  EBX, EBP, ESI, EDI, DS, SS, getEip, setEip, instrEip,
} from "./state";
import { raiseGeneralProtection } from "./faults";
import {
  fetch8, fetch16, fetch32, read8, read16, read32, write8, write16, write32,
  rmwRead8, rmwRead16, rmwRead32, rmwWrite8, rmwWrite16, rmwWrite32,
} from "./memory";

/** The current instruction's ModRM byte. */
export let modrm: u32 = 0;
/** Effective address of a memory operand: segment and offset. */
export let eaSeg: u32 = 0;
export let eaOff: u32 = 0;

// @ts-ignore: decorator
@inline export function isRegForm(): bool { return modrm >= 0xC0; }
// @ts-ignore: decorator
@inline export function modrmReg(): u32 { return (modrm >> 3) & 7; }
// @ts-ignore: decorator
@inline export function modrmRm(): u32 { return modrm & 7; }

/** Fetch the ModRM byte and, for a memory operand, decode its effective address. */
// @ts-ignore: decorator
@inline export function fetchModrm(): u32 {
  const m = fetch8();
  modrm = m;
  if (m < 0xC0) {
    if (a32) decodeEA32(m); else decodeEA16(m);
  }
  return m;
}

/** Fetch a ModRM byte whose r/m always names a register, whatever its mod bits (MOV CRn/DRn). */
export function fetchModrmRegisterForm(): u32 {
  const m = fetch8();
  modrm = m | 0xC0;
  return modrm;
}

function decodeEA16(m: u32): void {
  const mod = m >> 6;
  let off: u32;
  let seg = DS;
  switch (m & 7) {
    case 0: off = reg16(EBX) + reg16(ESI); break;
    case 1: off = reg16(EBX) + reg16(EDI); break;
    case 2: off = reg16(EBP) + reg16(ESI); seg = SS; break;
    case 3: off = reg16(EBP) + reg16(EDI); seg = SS; break;
    case 4: off = reg16(ESI); break;
    case 5: off = reg16(EDI); break;
    case 6:
      if (mod == 0) { eaOff = fetch16(); eaSeg = segOverride >= 0 ? <u32>segOverride : DS; return; }
      off = reg16(EBP); seg = SS; break;
    default: off = reg16(EBX);
  }
  if (mod == 1) off += <u32><i32><i8>fetch8();
  else if (mod == 2) off += fetch16();
  eaOff = off & 0xFFFF;
  eaSeg = segOverride >= 0 ? <u32>segOverride : seg;
}

function decodeEA32(m: u32): void {
  const mod = m >> 6;
  const rm = m & 7;
  let off: u32;
  let seg = DS;
  if (rm == 4) {
    const sib = fetch8();
    const index = (sib >> 3) & 7;
    const base = sib & 7;
    off = index == 4 ? 0 : reg32(index) << (sib >> 6);
    if (base == 5 && mod == 0) {
      off += fetch32();
    } else {
      off += reg32(base);
      if (base == 4 || base == 5) seg = SS;
    }
  } else if (rm == 5 && mod == 0) {
    off = fetch32();
  } else {
    off = reg32(rm);
    if (rm == 5) seg = SS;
  }
  if (mod == 1) off += <u32><i32><i8>fetch8();
  else if (mod == 2) off += fetch32();
  eaOff = off;
  eaSeg = segOverride >= 0 ? <u32>segOverride : seg;
}

/** Fetch a memory-offset operand (moffs, A0-A3) in the address size. */
export function fetchMoffs(): u32 { return a32 ? fetch32() : fetch16(); }

// ---- E operands (register or memory by ModRM) ----
// @ts-ignore: decorator
@inline export function getE8(): u32 { return modrm >= 0xC0 ? reg8(modrm & 7) : read8(eaSeg, eaOff); }
// @ts-ignore: decorator
@inline export function getE16(): u32 { return modrm >= 0xC0 ? reg16(modrm & 7) : read16(eaSeg, eaOff); }
// @ts-ignore: decorator
@inline export function getE32(): u32 { return modrm >= 0xC0 ? reg32(modrm & 7) : read32(eaSeg, eaOff); }
// @ts-ignore: decorator
@inline export function setE8(v: u32): void { if (modrm >= 0xC0) setReg8(modrm & 7, v); else write8(eaSeg, eaOff, v); }
// @ts-ignore: decorator
@inline export function setE16(v: u32): void { if (modrm >= 0xC0) setReg16(modrm & 7, v); else write16(eaSeg, eaOff, v); }
// @ts-ignore: decorator
@inline export function setE32(v: u32): void { if (modrm >= 0xC0) setReg32(modrm & 7, v); else write32(eaSeg, eaOff, v); }
// Read-modify-write forms: the memory write is checked before the read.
// @ts-ignore: decorator
@inline export function rmwE8(): u32 { return modrm >= 0xC0 ? reg8(modrm & 7) : rmwRead8(eaSeg, eaOff); }
// @ts-ignore: decorator
@inline export function rmwE16(): u32 { return modrm >= 0xC0 ? reg16(modrm & 7) : rmwRead16(eaSeg, eaOff); }
// @ts-ignore: decorator
@inline export function rmwE32(): u32 { return modrm >= 0xC0 ? reg32(modrm & 7) : rmwRead32(eaSeg, eaOff); }
// @ts-ignore: decorator
@inline export function rmwSetE8(v: u32): void { if (modrm >= 0xC0) setReg8(modrm & 7, v); else rmwWrite8(v); }
// @ts-ignore: decorator
@inline export function rmwSetE16(v: u32): void { if (modrm >= 0xC0) setReg16(modrm & 7, v); else rmwWrite16(v); }
// @ts-ignore: decorator
@inline export function rmwSetE32(v: u32): void { if (modrm >= 0xC0) setReg32(modrm & 7, v); else rmwWrite32(v); }

// ---- G operands (register by ModRM.reg) ----
// @ts-ignore: decorator
@inline export function getG8(): u32 { return reg8((modrm >> 3) & 7); }
// @ts-ignore: decorator
@inline export function getG16(): u32 { return reg16((modrm >> 3) & 7); }
// @ts-ignore: decorator
@inline export function getG32(): u32 { return reg32((modrm >> 3) & 7); }
// @ts-ignore: decorator
@inline export function setG8(v: u32): void { setReg8((modrm >> 3) & 7, v); }
// @ts-ignore: decorator
@inline export function setG16(v: u32): void { setReg16((modrm >> 3) & 7, v); }
// @ts-ignore: decorator
@inline export function setG32(v: u32): void { setReg32((modrm >> 3) & 7, v); }

/**
 * The key of the next opcode byte after a prefix: bit 9 is the (possibly overridden) operand size.
 * An instruction may be at most 15 bytes (SDM vol. 2, 2.3.11): a 16th byte of prefixes and opcode
 * raises #GP(0). (Only prefixes can make an instruction that long, short of operand bytes after
 * 14 prefixes, which this check does not count.)
 */
export function nextOpcodeKey(): u32 {
  if (getEip() - instrEip >= 15) raiseGeneralProtection(0);
  return fetch8() | (o32 ? 0x200 : 0);
}
/** The key of the first opcode byte of an instruction. */
// @ts-ignore: decorator
@inline export function firstOpcodeKey(): u32 { return fetch8() | (csDefault32 ? 0x200 : 0); }
/** The ModRM byte seen by the last peekLockedOpcode(). */
export let peekedModrm: u32 = 0;
/**
 * After a LOCK prefix: the opcode that follows the remaining prefixes (0F map: 0x100 | byte),
 * with its ModRM byte in `peekedModrm`; nothing is consumed.
 */
export function peekLockedOpcode(): u32 {
  const start = getEip();
  let b = fetch8();
  for (let n = 0; n < 14; n++) {
    if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3) b = fetch8();
    else break;
  }
  if (b == 0x0F) b = 0x100 | fetch8();
  peekedModrm = fetch8();
  setEip(start);
  return b;
}
