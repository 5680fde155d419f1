// Segment and gate descriptors (SDM vol. 3, 3.4.5 and 5.8): reading them from the GDT/LDT/IDT and
// decoding their fields. A descriptor is kept as its two dwords, `lo` and `hi`, as in memory.

import { S_GDTR_BASE, S_GDTR_LIMIT, S_LDTR_SEL, S_LDTR_BASE, S_LDTR_LIMIT } from "./layout";
import { readSystem32, writeSystem32 } from "./memory";

/** The descriptor last read by readDescriptor. */
export let descLo: u32 = 0;
export let descHi: u32 = 0;
/** Its linear address (for setting the accessed or busy bit). */
export let descAddr: u32 = 0;

/** Read the GDT or LDT descriptor of `selector`; false when the selector lies beyond the table's limit. */
export function readDescriptor(selector: u32): bool {
  let base: u32, limit: u32;
  if ((selector & 4) != 0) {
    if ((load<u32>(S_LDTR_SEL) & 0xFFFC) == 0) return false; // no LDT loaded
    base = load<u32>(S_LDTR_BASE);
    limit = load<u32>(S_LDTR_LIMIT);
  } else {
    base = load<u32>(S_GDTR_BASE);
    limit = load<u32>(S_GDTR_LIMIT);
  }
  const off = selector & 0xFFF8;
  if (off + 7 > limit) return false;
  descAddr = base + off;
  descLo = readSystem32(descAddr);
  descHi = readSystem32(descAddr + 4);
  return true;
}

/**
 * Make a saved descriptor current again after another read replaced it (its address too, so
 * that markAccessed() sets the bit in the right table entry).
 */
export function setDescriptor(lo: u32, hi: u32, addr: u32): void { descLo = lo; descHi = hi; descAddr = addr; }

/** Read an arbitrary 8-byte entry (IDT gates). */
export function readDescriptorAt(lin: u32): void {
  descAddr = lin;
  descLo = readSystem32(lin);
  descHi = readSystem32(lin + 4);
}

// @ts-ignore: decorator
@inline export function descBase(lo: u32, hi: u32): u32 { return (lo >>> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000); }
/** The limit in bytes (scaled by 4 KiB when G is set). */
// @ts-ignore: decorator
@inline export function descLimit(lo: u32, hi: u32): u32 {
  const raw = (lo & 0xFFFF) | (hi & 0xF0000);
  return (hi & 0x800000) != 0 ? (raw << 12) | 0xFFF : raw;
}
/** Attribute bits as kept in the segment caches: access byte | (flags nibble << 8). */
// @ts-ignore: decorator
@inline export function descAttr(hi: u32): u32 { return ((hi >> 8) & 0xFF) | ((hi >> 12) & 0xF00); }
// @ts-ignore: decorator
@inline export function descDpl(hi: u32): u32 { return (hi >> 13) & 3; }
// @ts-ignore: decorator
@inline export function descPresent(hi: u32): bool { return (hi & 0x8000) != 0; }
/** S bit: a code or data segment (not a system descriptor). */
// @ts-ignore: decorator
@inline export function descIsSegment(hi: u32): bool { return (hi & 0x1000) != 0; }
/** Type field (4 bits; for system descriptors the full type). */
// @ts-ignore: decorator
@inline export function descType(hi: u32): u32 { return (hi >> 8) & 0xF; }
// @ts-ignore: decorator
@inline export function descIsCode(hi: u32): bool { return (hi & 0x1800) == 0x1800; }
// @ts-ignore: decorator
@inline export function descIsData(hi: u32): bool { return (hi & 0x1800) == 0x1000; }
// @ts-ignore: decorator
@inline export function descConforming(hi: u32): bool { return (hi & 0x1C00) == 0x1C00; }
/** Readable code or any data segment. */
// @ts-ignore: decorator
@inline export function descReadable(hi: u32): bool { return descIsData(hi) || (hi & 0x0200) != 0; }
/** Writable data segment. */
// @ts-ignore: decorator
@inline export function descWritable(hi: u32): bool { return (hi & 0x1A00) == 0x1200; }

/** Set the accessed bit of the descriptor last read, if it is clear (SDM vol. 3, 3.4.5.1). */
export function markAccessed(): void {
  if ((descHi & 0x100) == 0) {
    descHi |= 0x100;
    writeSystem32(descAddr + 4, descHi);
  }
}

// System descriptor types (SDM vol. 3, table 3-2).
export const SYS_TSS16_AVAIL: u32 = 1, SYS_LDT: u32 = 2, SYS_TSS16_BUSY: u32 = 3, SYS_CALL_GATE16: u32 = 4;
export const SYS_TASK_GATE: u32 = 5, SYS_INT_GATE16: u32 = 6, SYS_TRAP_GATE16: u32 = 7;
export const SYS_TSS32_AVAIL: u32 = 9, SYS_TSS32_BUSY: u32 = 11, SYS_CALL_GATE32: u32 = 12;
export const SYS_INT_GATE32: u32 = 14, SYS_TRAP_GATE32: u32 = 15;
