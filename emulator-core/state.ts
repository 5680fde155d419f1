// CPU state: general registers, EFLAGS with lazy evaluation, per-instruction decode state.
// Architectural state lives in linear memory (layout.ts); decode temporaries are wasm globals.

import {
  S_REGS, S_EIP, S_FLAGS, S_LAZY_DIRTY, S_LAZY_OP, S_LAZY_RES, S_LAZY_DST, S_LAZY_SRC,
  S_ATTENTION, S_SEG_BASE, S_SEG_LIMIT, S_SEG_SEL, S_SEG_ATTR, S_CR0,
} from "./layout";

// ---- register encodings (SDM vol. 2, 2.1.5) ----
export const EAX: u32 = 0, ECX: u32 = 1, EDX: u32 = 2, EBX: u32 = 3, ESP: u32 = 4, EBP: u32 = 5, ESI: u32 = 6, EDI: u32 = 7;
export const ES: u32 = 0, CS: u32 = 1, SS: u32 = 2, DS: u32 = 3, FS: u32 = 4, GS: u32 = 5;

// ---- EFLAGS bits (SDM vol. 1, 3.4.3) ----
export const CF: u32 = 0x0001, PF: u32 = 0x0004, AF: u32 = 0x0010, ZF: u32 = 0x0040, SF: u32 = 0x0080;
export const TF: u32 = 0x0100, IF: u32 = 0x0200, DF: u32 = 0x0400, OF: u32 = 0x0800;
export const IOPL: u32 = 0x3000, NT: u32 = 0x4000, RF: u32 = 0x10000, VM: u32 = 0x20000, AC: u32 = 0x40000;
export const VIF: u32 = 0x80000, VIP: u32 = 0x100000, ID: u32 = 0x200000;
export const ARITH_FLAGS: u32 = CF | PF | AF | ZF | SF | OF;
/** Bits software can change at all; bit 1 always reads 1; 3, 5, 15 always 0. */
export const EFLAGS_WRITABLE: u32 = ARITH_FLAGS | TF | IF | DF | IOPL | NT | RF | VM | AC | VIF | VIP | ID;

// Attention bits (layout.ts S_ATTENTION)
export const ATT_IRQ: u32 = 1, ATT_STOP: u32 = 2, ATT_SHADOW: u32 = 4, ATT_TRAP: u32 = 8, ATT_DEBUG: u32 = 32;
/** A data or I/O breakpoint was hit: report it at the next instruction boundary. */
export const ATT_DEBUG_HIT: u32 = 64;

// ---- general registers ----
// @ts-ignore: decorator
@inline export function reg32(r: u32): u32 { return load<u32>(S_REGS + (r << 2)); }
// @ts-ignore: decorator
@inline export function setReg32(r: u32, v: u32): void { store<u32>(S_REGS + (r << 2), v); }
// @ts-ignore: decorator
@inline export function reg16(r: u32): u32 { return load<u16>(S_REGS + (r << 2)); }
// @ts-ignore: decorator
@inline export function setReg16(r: u32, v: u32): void { store<u16>(S_REGS + (r << 2), <u16>v); }
/** 8-bit registers AL CL DL BL AH CH DH BH: AH..BH are byte 1 of EAX..EBX. */
// @ts-ignore: decorator
@inline export function reg8(r: u32): u32 { return load<u8>(S_REGS + ((r & 3) << 2) + (r >> 2)); }
// @ts-ignore: decorator
@inline export function setReg8(r: u32, v: u32): void { store<u8>(S_REGS + ((r & 3) << 2) + (r >> 2), <u8>v); }
/** Register by operand size in bits (8, 16 or 32). */
// @ts-ignore: decorator
@inline export function regBySize(r: u32, size: u32): u32 {
  return size == 32 ? reg32(r) : size == 16 ? reg16(r) : reg8(r);
}
// @ts-ignore: decorator
@inline export function setRegBySize(r: u32, v: u32, size: u32): void {
  if (size == 32) setReg32(r, v); else if (size == 16) setReg16(r, v); else setReg8(r, v);
}

// @ts-ignore: decorator
@inline export function getEip(): u32 { return load<u32>(S_EIP); }
// @ts-ignore: decorator
@inline export function setEip(v: u32): void { store<u32>(S_EIP, v); }

// ---- segment register caches ----
// @ts-ignore: decorator
@inline export function segBase(s: u32): u32 { return load<u32>(S_SEG_BASE + (s << 2)); }
// @ts-ignore: decorator
@inline export function segLimit(s: u32): u32 { return load<u32>(S_SEG_LIMIT + (s << 2)); }
// @ts-ignore: decorator
@inline export function segSelector(s: u32): u32 { return load<u32>(S_SEG_SEL + (s << 2)); }
// @ts-ignore: decorator
@inline export function segAttr(s: u32): u32 { return load<u32>(S_SEG_ATTR + (s << 2)); }
/** Descriptor attribute bit D/B (bit 14 of the descriptor's second dword, stored as bit 0x400 here). */
export const ATTR_DB: u32 = 0x400;
export const ATTR_G: u32 = 0x800;
// @ts-ignore: decorator
@inline export function cr0(): u32 { return load<u32>(S_CR0); }
export const CR0_PE: u32 = 1, CR0_MP: u32 = 2, CR0_EM: u32 = 4, CR0_TS: u32 = 8, CR0_ET: u32 = 0x10, CR0_NE: u32 = 0x20;
export const CR0_WP: u32 = 0x10000, CR0_AM: u32 = 0x40000, CR0_NW: u32 = 0x20000000, CR0_CD: u32 = 0x40000000, CR0_PG: u32 = 0x80000000;

// ---- per-instruction decode state ----
/** Operand size of the current instruction is 32 bits. */
export let o32: bool = false;
/** Address size of the current instruction is 32 bits. */
export let a32: bool = false;
/** Segment override prefix, or -1. */
export let segOverride: i32 = -1;
export const REP_NONE: u32 = 0, REP_NE: u32 = 1, REP_E: u32 = 2;
export let repPrefix: u32 = REP_NONE;
export let lockPrefix: bool = false;
/** The code segment's default size (CS.D): the operand/address size without prefixes. */
export let csDefault32: bool = false;
/** The stack segment's B bit: 32-bit stack pointer. */
export let ss32: bool = false;
/** Where the current instruction started, and ESP then: restored when it faults. */
export let instrEip: u32 = 0;
export let instrEsp: u32 = 0;

/** CS.D changed (a CS load): the default operand and address sizes follow it. */
export function setCsDefault32(v: bool): void { csDefault32 = v; o32 = v; a32 = v; }
export function setSs32(v: bool): void { ss32 = v; }

/** A prefix changed the decode state: it is put back before the next instruction. */
let prefixesUsed: bool = false;

// @ts-ignore: decorator
@inline export function beginInstruction(): void {
  instrEip = getEip();
  instrEsp = reg32(ESP);
  if (prefixesUsed) resetPrefixes();
}
function resetPrefixes(): void {
  o32 = csDefault32;
  a32 = csDefault32;
  segOverride = -1;
  repPrefix = REP_NONE;
  lockPrefix = false;
  prefixesUsed = false;
}
export function prefixSegment(s: u32): void { segOverride = <i32>s; prefixesUsed = true; }
export function prefixOperandSize(): void { o32 = !csDefault32; prefixesUsed = true; }
export function prefixAddressSize(): void { a32 = !csDefault32; prefixesUsed = true; }
export function prefixLock(): void { lockPrefix = true; prefixesUsed = true; }
export function prefixRepeat(kind: u32): void { repPrefix = kind; prefixesUsed = true; }

// ---- lazy flags ----
// The last flag-setting operation is kept as (op, result, destination, source, size);
// S_LAZY_DIRTY says which arithmetic flags are still to be computed from it.
export const LAZY_ADD: u32 = 0; // also INC (source 1)
export const LAZY_ADC: u32 = 1; // ADD with carry-in 1
export const LAZY_SUB: u32 = 2; // also CMP, NEG (destination 0), DEC (source 1)
export const LAZY_SBB: u32 = 3; // SUB with borrow-in 1
export const LAZY_LOGIC: u32 = 4; // AND OR XOR TEST and shifts: CF = OF = 0, AF = 0

// @ts-ignore: decorator
@inline function sizeMask(size: u32): u32 { return size == 32 ? 0xFFFFFFFF : (<u32>1 << size) - 1; }

// @ts-ignore: decorator
@inline export function setLazy(op: u32, res: u32, dst: u32, src: u32, size: u32, dirty: u32): void {
  store<u32>(S_LAZY_OP, op | (size << 8));
  store<u32>(S_LAZY_RES, res);
  store<u32>(S_LAZY_DST, dst);
  store<u32>(S_LAZY_SRC, src);
  store<u32>(S_LAZY_DIRTY, dirty);
}
/** Flags of a logical result: CF = OF = 0, SF ZF PF from the result, AF cleared. */
// @ts-ignore: decorator
@inline export function setLazyLogic(res: u32, size: u32): void {
  store<u32>(S_FLAGS, load<u32>(S_FLAGS) & ~(CF | OF | AF));
  store<u32>(S_LAZY_OP, LAZY_LOGIC | (size << 8));
  store<u32>(S_LAZY_RES, res);
  store<u32>(S_LAZY_DIRTY, SF | ZF | PF);
}
/** SF ZF PF from a result; the caller sets CF OF AF itself (shifts, multiplies, BCD). */
// @ts-ignore: decorator
@inline export function setLazyResult(res: u32, size: u32): void {
  store<u32>(S_LAZY_OP, LAZY_LOGIC | (size << 8));
  store<u32>(S_LAZY_RES, res);
  store<u32>(S_LAZY_DIRTY, SF | ZF | PF);
}

function computeFlag(flag: u32): u32 {
  const opSize = load<u32>(S_LAZY_OP);
  const op = opSize & 0xFF;
  const size = opSize >> 8;
  const mask = sizeMask(size);
  const res = load<u32>(S_LAZY_RES) & mask;
  const dst = load<u32>(S_LAZY_DST) & mask;
  const src = load<u32>(S_LAZY_SRC) & mask;
  const sign = size - 1;
  switch (flag) {
    case CF:
      if (op == LAZY_ADD) return <u32>(res < dst);
      if (op == LAZY_ADC) return <u32>(res <= dst);
      if (op == LAZY_SUB) return <u32>(dst < src);
      if (op == LAZY_SBB) return <u32>(dst <= src);
      return 0;
    case PF: {
      const t = (res ^ (res >> 4)) & 0xF;
      return (0x9669 >> t) & 1;
    }
    case AF:
      if (op == LAZY_LOGIC) return 0;
      return ((dst ^ src ^ res) >> 4) & 1;
    case ZF: return <u32>(res == 0);
    case SF: return (res >> sign) & 1;
    case OF:
      if (op <= LAZY_ADC) return (((dst ^ res) & (src ^ res)) >> sign) & 1;
      if (op <= LAZY_SBB) return (((dst ^ src) & (dst ^ res)) >> sign) & 1;
      return 0;
  }
  return 0;
}

/** Read one arithmetic flag (CF PF AF ZF SF OF) as 0 or 1. */
// @ts-ignore: decorator
@inline export function getFlag(flag: u32): u32 {
  if ((load<u32>(S_LAZY_DIRTY) & flag) == 0) return <u32>((load<u32>(S_FLAGS) & flag) != 0);
  return computeFlag(flag);
}

/** Set or clear one flag, taking it out of the lazy state. */
export function setFlag(flag: u32, on: bool): void {
  const f = load<u32>(S_FLAGS);
  store<u32>(S_FLAGS, on ? f | flag : f & ~flag);
  store<u32>(S_LAZY_DIRTY, load<u32>(S_LAZY_DIRTY) & ~flag);
}

/** Compute every pending flag into S_FLAGS. */
export function materializeFlags(): void {
  const dirty = load<u32>(S_LAZY_DIRTY);
  if (dirty == 0) return;
  let f = load<u32>(S_FLAGS) & ~dirty;
  if (dirty & CF) f |= computeFlag(CF);
  if (dirty & PF) f |= computeFlag(PF) << 2;
  if (dirty & AF) f |= computeFlag(AF) << 4;
  if (dirty & ZF) f |= computeFlag(ZF) << 6;
  if (dirty & SF) f |= computeFlag(SF) << 7;
  if (dirty & OF) f |= computeFlag(OF) << 11;
  store<u32>(S_FLAGS, f);
  store<u32>(S_LAZY_DIRTY, 0);
}

export function getEflags(): u32 {
  materializeFlags();
  return load<u32>(S_FLAGS) | 2;
}

/** Write EFLAGS (bits outside EFLAGS_WRITABLE read as fixed values). */
export function setEflagsRaw(v: u32): void {
  store<u32>(S_FLAGS, (v & EFLAGS_WRITABLE) | 2);
  store<u32>(S_LAZY_DIRTY, 0);
  let att = load<u32>(S_ATTENTION);
  att = (v & TF) != 0 ? att | ATT_TRAP : att & ~ATT_TRAP;
  if ((v & RF) != 0) att |= ATT_DEBUG; // cleared again by the debug unit after the next instruction
  store<u32>(S_ATTENTION, att);
}

// @ts-ignore: decorator
@inline export function flagsRaw(): u32 { return load<u32>(S_FLAGS); }

/** Jcc/SETcc/CMOVcc condition codes 0..15 (SDM vol. 1, appendix B). */
export function testCondition(cc: u32): bool {
  let r: bool;
  // Fast path: after CMP/SUB with all flags pending, compare the operands directly.
  if (load<u32>(S_LAZY_DIRTY) == ARITH_FLAGS && (load<u32>(S_LAZY_OP) & 0xFF) == LAZY_SUB) {
    const size = load<u32>(S_LAZY_OP) >> 8;
    const shift = 32 - size;
    const dst = load<u32>(S_LAZY_DST) << shift;
    const src = load<u32>(S_LAZY_SRC) << shift;
    switch (cc >> 1) {
      case 1: r = dst < src; break; // B
      case 2: r = dst == src; break; // E
      case 3: r = dst <= src; break; // BE
      case 6: r = <i32>dst < <i32>src; break; // L
      case 7: r = <i32>dst <= <i32>src; break; // LE
      default: r = slowCondition(cc >> 1);
    }
  } else if ((cc >> 1) == 2 && (load<u32>(S_LAZY_DIRTY) & ZF) != 0) {
    // JE/JNE after INC, DEC, logic ops, shifts: ZF straight from the pending result.
    const size = load<u32>(S_LAZY_OP) >> 8;
    r = (load<u32>(S_LAZY_RES) << (32 - size)) == 0;
  } else {
    r = slowCondition(cc >> 1);
  }
  return (cc & 1) != 0 ? !r : r;
}

function slowCondition(c: u32): bool {
  switch (c) {
    case 0: return getFlag(OF) != 0;
    case 1: return getFlag(CF) != 0;
    case 2: return getFlag(ZF) != 0;
    case 3: return (getFlag(CF) | getFlag(ZF)) != 0;
    case 4: return getFlag(SF) != 0;
    case 5: return getFlag(PF) != 0;
    case 6: return getFlag(SF) != getFlag(OF);
    default: return getFlag(ZF) != 0 || getFlag(SF) != getFlag(OF);
  }
}
