// Guest memory: the TLB fast path (one load, one compare, one access), the physical
// memory map (RAM, ROM, MMIO regions), segment limit checks, instruction fetch and the stack.
//
// A TLB entry, one per 4 KiB linear page, is (host page XOR linear page) | flags, so a hit is
// `load((entry & ~0xFFF) ^ linear)`. Misses, page-crossing accesses, ROM writes and MMIO go out of
// line. Host addresses only ever point into guest RAM or the ROM area: a guest access cannot
// reach the core's own state.

import {
  TLB_BASE, TLB_VALID, TLB_NO_WRITE, TLB_NO_USER, TLB_SLOW, TLB_GLOBAL, TLB_VALID_LIST, TLB_VALID_LIST_MAX,
  GUEST_RAM_BASE, S_RAM_SIZE, S_A20_MASK, REGION_TABLE, REGION_ENTRY_SIZE, REGION_MAX, S_REGION_COUNT,
  REGION_ROM, REGION_MMIO, REGION_RAM, S_SEG_CHECK, S_SEG_WCHECK, ST_TLB_MISS, ST_TLB_FLUSH, S_CR0,
  SEGCHK_UNUSABLE, SEGCHK_EXPAND_DOWN, SEGCHK_DENY,
} from "./layout";
import {
  segBase, segLimit, segAttr, getEip, setEip, reg32, setReg32, setReg16, ESP, SS, CS, ss32, a32, segOverride, DS,
  ATTR_DB,
} from "./state";
import { raiseGeneralProtection, raiseStackFault, translatePage } from "./faults";
import { dataBreakpoints, pageHasDataBreakpoint, checkDataAccess } from "./debug";

@external("env", "mmioRead") declare function mmioRead(addr: u32, size: u32): u32;
@external("env", "mmioWrite") declare function mmioWrite(addr: u32, size: u32, value: u32): void;

// Masks a TLB entry is compared against: the entry must have exactly TLB_VALID of these bits.
let tlbReadMask: u32 = TLB_VALID | TLB_SLOW;
let tlbWriteMask: u32 = TLB_VALID | TLB_SLOW | TLB_NO_WRITE;
let tlbValidCount: u32 = 0;

/** Called when CPL changes between 3 and 0-2: user accesses must not hit supervisor pages. */
export function setTlbUserMode(user: bool): void {
  tlbReadMask = TLB_VALID | TLB_SLOW | (user ? TLB_NO_USER : 0);
  tlbWriteMask = TLB_VALID | TLB_SLOW | TLB_NO_WRITE | (user ? TLB_NO_USER : 0);
}
export let userMode: bool = false;
export function setUserMode(user: bool): void { userMode = user; setTlbUserMode(user); }

// @ts-ignore: decorator
@inline function tlbSlot(lin: u32): u32 { return TLB_BASE + ((lin >>> 12) << 2); }

// ---- physical memory map ----

/** Kind of the physical page at `phys`, with its host page address in `regionHost`. */
let regionHost: u32 = 0;
function classifyPhysical(phys: u32): u32 {
  const n = load<u32>(S_REGION_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const e = REGION_TABLE + i * REGION_ENTRY_SIZE;
    const start = load<u32>(e), end = load<u32>(e + 4);
    if (phys >= start && (phys < end || end == 0)) {
      regionHost = load<u32>(e + 12) + ((phys & ~0xFFF) - start);
      return load<u32>(e + 8);
    }
  }
  if (phys < load<u32>(S_RAM_SIZE)) {
    regionHost = GUEST_RAM_BASE + (phys & ~0xFFF);
    return REGION_RAM;
  }
  return 3; // REGION_NONE
}

export function addRegion(start: u32, end: u32, kind: u32, host: u32): i32 {
  const n = load<u32>(S_REGION_COUNT);
  if (n >= REGION_MAX) return -1;
  const e = REGION_TABLE + n * REGION_ENTRY_SIZE;
  store<u32>(e, start & ~0xFFF);
  store<u32>(e + 4, end);
  store<u32>(e + 8, kind);
  store<u32>(e + 12, host);
  store<u32>(S_REGION_COUNT, n + 1);
  tlbFlushAll();
  return <i32>n;
}
export function clearRegions(): void { store<u32>(S_REGION_COUNT, 0); tlbFlushAll(); }

/** Physical byte read for the slow path (MMIO, unmapped, or a host helper). */
export function physRead8(phys: u32): u32 {
  phys &= load<u32>(S_A20_MASK);
  const kind = classifyPhysical(phys);
  if (kind == REGION_RAM || kind == REGION_ROM) return load<u8>(regionHost + (phys & 0xFFF));
  if (kind == REGION_MMIO) return mmioRead(phys, 1) & 0xFF;
  return 0xFF;
}
export function physWrite8(phys: u32, v: u32): void {
  phys &= load<u32>(S_A20_MASK);
  const kind = classifyPhysical(phys);
  if (kind == REGION_RAM) store<u8>(regionHost + (phys & 0xFFF), <u8>v);
  else if (kind == REGION_MMIO) mmioWrite(phys, 1, v & 0xFF);
}
export function physRead32(phys: u32): u32 {
  if ((phys & 0xFFF) <= 0xFFC) {
    phys &= load<u32>(S_A20_MASK);
    const kind = classifyPhysical(phys);
    if (kind == REGION_RAM || kind == REGION_ROM) return load<u32>(regionHost + (phys & 0xFFF));
  }
  return physRead8(phys) | (physRead8(phys + 1) << 8) | (physRead8(phys + 2) << 16) | (physRead8(phys + 3) << 24);
}
export function physWrite32(phys: u32, v: u32): void {
  physWrite8(phys, v); physWrite8(phys + 1, v >> 8); physWrite8(phys + 2, v >> 16); physWrite8(phys + 3, v >> 24);
}

// ---- TLB ----

export function tlbFlushAll(): void {
  if (tlbValidCount >= TLB_VALID_LIST_MAX) {
    memory.fill(TLB_BASE, 0, 0x400000);
  } else {
    for (let i: u32 = 0; i < tlbValidCount; i++) store<u32>(tlbSlot(load<u32>(TLB_VALID_LIST + (i << 2))), 0);
  }
  tlbValidCount = 0;
  invalidateFetch();
  store<u32>(ST_TLB_FLUSH, load<u32>(ST_TLB_FLUSH) + 1);
}
/** A CR3 reload: flush every entry except global pages (SDM vol. 3, 4.10.2.4). */
export function tlbFlushNonGlobal(): void {
  if (tlbValidCount >= TLB_VALID_LIST_MAX) { tlbFlushAll(); return; }
  let kept: u32 = 0;
  for (let i: u32 = 0; i < tlbValidCount; i++) {
    const lin = load<u32>(TLB_VALID_LIST + (i << 2));
    const slot = tlbSlot(lin);
    const e = load<u32>(slot);
    if ((e & (TLB_VALID | TLB_GLOBAL)) == (TLB_VALID | TLB_GLOBAL)) {
      store<u32>(TLB_VALID_LIST + (kept << 2), lin);
      kept++;
    } else {
      store<u32>(slot, 0);
    }
  }
  tlbValidCount = kept;
  invalidateFetch();
  store<u32>(ST_TLB_FLUSH, load<u32>(ST_TLB_FLUSH) + 1);
}
export function tlbFlushPage(lin: u32): void {
  store<u32>(tlbSlot(lin), 0);
  invalidateFetch();
}

/**
 * Fill the TLB entry for `lin` (translating through the page tables when paging is on;
 * that may raise #PF) and return it.
 */
function tlbFill(lin: u32, write: bool): u32 {
  store<u32>(ST_TLB_MISS, load<u32>(ST_TLB_MISS) + 1);
  let phys: u32;
  let flags: u32 = TLB_VALID;
  if ((load<u32>(S_CR0) & 0x80000000) != 0) {
    phys = translatePage(lin, write, userMode);
    flags |= pageFlags;
  } else {
    phys = lin;
  }
  phys &= load<u32>(S_A20_MASK);
  const kind = classifyPhysical(phys);
  if (kind == REGION_ROM) flags |= TLB_NO_WRITE;
  else if (kind != REGION_RAM) flags |= TLB_SLOW;
  if (pageHasDataBreakpoint(lin)) flags |= TLB_SLOW;
  const entry = ((regionHost ^ (lin & ~0xFFF)) & ~0xFFF) | flags;
  store<u32>(tlbSlot(lin), entry);
  if (tlbValidCount < TLB_VALID_LIST_MAX) store<u32>(TLB_VALID_LIST + (tlbValidCount << 2), lin);
  tlbValidCount++;
  return entry;
}
/** Extra TLB flags from the page walk (TLB_NO_WRITE for read-only or clean pages, TLB_NO_USER). */
export let pageFlags: u32 = 0;
export function setPageFlags(f: u32): void { pageFlags = f; }

/** Translate for a read; returns the TLB entry (which may be TLB_SLOW). */
function entryForRead(lin: u32): u32 {
  let e = load<u32>(tlbSlot(lin));
  if ((e & TLB_VALID) == 0 || (userMode && (e & TLB_NO_USER) != 0)) e = tlbFill(lin, false);
  return e;
}
/** Translate for a write; returns the TLB entry. */
function entryForWrite(lin: u32): u32 {
  let e = load<u32>(tlbSlot(lin));
  if ((e & (TLB_VALID | TLB_NO_WRITE)) != TLB_VALID || (userMode && (e & TLB_NO_USER) != 0)) {
    e = tlbFill(lin, true);
  }
  return e;
}
/** Physical address of `lin` for an out-of-line access (MMIO, ROM, read-only page), re-walking if paged. */
function slowPhys(lin: u32, write: bool): u32 {
  if ((load<u32>(S_CR0) & 0x80000000) == 0) return lin & load<u32>(S_A20_MASK);
  return translatePage(lin, write, userMode) & load<u32>(S_A20_MASK);
}

function readByteSlow(lin: u32): u32 {
  const e = entryForRead(lin);
  if (dataBreakpoints != 0) checkDataAccess(lin, false);
  if ((e & TLB_SLOW) == 0) return load<u8>((e & ~0xFFF) ^ lin);
  return physRead8(slowPhys(lin, false));
}
function writeByteSlow(lin: u32, v: u32): void {
  const e = entryForWrite(lin); // raises #PF if the write is not allowed
  if (dataBreakpoints != 0) checkDataAccess(lin, true);
  if ((e & (TLB_SLOW | TLB_NO_WRITE)) == 0) { store<u8>((e & ~0xFFF) ^ lin, <u8>v); return; }
  // MMIO, ROM (the write is ignored, as on a real board), or a read-only page that a
  // supervisor may write with CR0.WP=0: resolve through the physical map.
  physWrite8(slowPhys(lin, true), v);
}

// ---- linear-address access ----

// @ts-ignore: decorator
@inline export function readLin8(lin: u32): u32 {
  const e = load<u32>(tlbSlot(lin));
  if ((e & tlbReadMask) == TLB_VALID) return load<u8>((e & ~0xFFF) ^ lin);
  return readByteSlow(lin);
}
// @ts-ignore: decorator
@inline export function readLin16(lin: u32): u32 {
  const e = load<u32>(tlbSlot(lin));
  if ((e & tlbReadMask) == TLB_VALID && (lin & 0xFFF) != 0xFFF) return load<u16>((e & ~0xFFF) ^ lin);
  return readLin16Slow(lin);
}
// @ts-ignore: decorator
@inline export function readLin32(lin: u32): u32 {
  const e = load<u32>(tlbSlot(lin));
  if ((e & tlbReadMask) == TLB_VALID && (lin & 0xFFF) <= 0xFFC) return load<u32>((e & ~0xFFF) ^ lin);
  return readLin32Slow(lin);
}
function readLin16Slow(lin: u32): u32 {
  const e = entryForRead(lin);
  if ((lin & 0xFFF) != 0xFFF && (e & TLB_SLOW) != 0) {
    const phys = slowPhys(lin, false);
    if (classifyPhysical(phys) == REGION_MMIO) return mmioRead(phys, 2) & 0xFFFF;
  }
  if ((lin & 0xFFF) == 0xFFF) entryForRead(nextPage(lin)); // both pages are checked before any byte is used
  return readByteSlow(lin) | (readByteSlow(lin + 1) << 8);
}
function readLin32Slow(lin: u32): u32 {
  const e = entryForRead(lin);
  if ((lin & 0xFFF) <= 0xFFC && (e & TLB_SLOW) != 0) {
    const phys = slowPhys(lin, false);
    if (classifyPhysical(phys) == REGION_MMIO) return mmioRead(phys, 4);
  }
  if ((lin & 0xFFF) > 0xFFC) entryForRead(nextPage(lin));
  return readByteSlow(lin) | (readByteSlow(lin + 1) << 8) | (readByteSlow(lin + 2) << 16) | (readByteSlow(lin + 3) << 24);
}

// @ts-ignore: decorator
@inline export function writeLin8(lin: u32, v: u32): void {
  const e = load<u32>(tlbSlot(lin));
  if ((e & tlbWriteMask) == TLB_VALID) { store<u8>((e & ~0xFFF) ^ lin, <u8>v); return; }
  writeByteSlow(lin, v);
}
// @ts-ignore: decorator
@inline export function writeLin16(lin: u32, v: u32): void {
  const e = load<u32>(tlbSlot(lin));
  if ((e & tlbWriteMask) == TLB_VALID && (lin & 0xFFF) != 0xFFF) { store<u16>((e & ~0xFFF) ^ lin, <u16>v); return; }
  writeLin16Slow(lin, v);
}
// @ts-ignore: decorator
@inline export function writeLin32(lin: u32, v: u32): void {
  const e = load<u32>(tlbSlot(lin));
  if ((e & tlbWriteMask) == TLB_VALID && (lin & 0xFFF) <= 0xFFC) { store<u32>((e & ~0xFFF) ^ lin, v); return; }
  writeLin32Slow(lin, v);
}
function writeLin16Slow(lin: u32, v: u32): void {
  const e = entryForWrite(lin);
  if ((lin & 0xFFF) != 0xFFF) {
    if ((e & TLB_SLOW) != 0) {
      const phys = slowPhys(lin, true);
      if (classifyPhysical(phys) == REGION_MMIO) { mmioWrite(phys, 2, v & 0xFFFF); return; }
      // RAM on a slow page (a data breakpoint) or unmapped: byte by byte below.
    }
  } else {
    entryForWrite(nextPage(lin)); // fault on the second page before writing the first byte
  }
  writeByteSlow(lin, v); writeByteSlow(lin + 1, v >> 8);
}
function writeLin32Slow(lin: u32, v: u32): void {
  const e = entryForWrite(lin);
  if ((lin & 0xFFF) <= 0xFFC) {
    if ((e & TLB_SLOW) != 0) {
      const phys = slowPhys(lin, true);
      if (classifyPhysical(phys) == REGION_MMIO) { mmioWrite(phys, 4, v); return; }
      // RAM on a slow page (a data breakpoint) or unmapped: byte by byte below.
    }
  } else {
    entryForWrite(nextPage(lin));
  }
  writeByteSlow(lin, v); writeByteSlow(lin + 1, v >> 8); writeByteSlow(lin + 2, v >> 16); writeByteSlow(lin + 3, v >> 24);
}

/** Check that a write of `size` bytes at `lin` will succeed (raising its fault now). */
export function probeWrite(lin: u32, size: u32): void {
  entryForWrite(lin);
  if (((lin & 0xFFF) + size - 1) > 0xFFF) entryForWrite(nextPage(lin));
}
export function probeRead(lin: u32, size: u32): void {
  entryForRead(lin);
  if (((lin & 0xFFF) + size - 1) > 0xFFF) entryForRead(nextPage(lin));
}
/**
 * The first byte of the page after `lin`: where a page-crossing access touches the second page,
 * so a #PF there reports that address in CR2 (SDM vol. 3, 4.7).
 */
// @ts-ignore: decorator
@inline function nextPage(lin: u32): u32 { return (lin | 0xFFF) + 1; }

/**
 * Accesses the processor makes itself (descriptor tables, the TSS, the IDT) are supervisor
 * accesses whatever the CPL (SDM vol. 3, 4.6). A fault inside leaves userMode false; the fault
 * delivery re-derives it from the CPL.
 */
export function readSystem32(lin: u32): u32 {
  const u = userMode;
  if (u) setTlbUserMode(false);
  userMode = false;
  const v = readLin32(lin);
  userMode = u;
  if (u) setTlbUserMode(true);
  return v;
}
export function readSystem16(lin: u32): u32 {
  const u = userMode;
  if (u) setTlbUserMode(false);
  userMode = false;
  const v = readLin16(lin);
  userMode = u;
  if (u) setTlbUserMode(true);
  return v;
}
export function writeSystem32(lin: u32, v: u32): void {
  const u = userMode;
  if (u) setTlbUserMode(false);
  userMode = false;
  writeLin32(lin, v);
  userMode = u;
  if (u) setTlbUserMode(true);
}
export function writeSystem16(lin: u32, v: u32): void {
  const u = userMode;
  if (u) setTlbUserMode(false);
  userMode = false;
  writeLin16(lin, v);
  userMode = u;
  if (u) setTlbUserMode(true);
}

// ---- segmented access ----

/**
 * Linear address of `size` bytes at seg:off for a read, after the limit and type checks
 * (SDM vol. 3, 5.3 and 5.4). The common case is one compare against the limit and one flag test.
 */
// @ts-ignore: decorator
@inline export function segLinear(seg: u32, off: u32, size: u32): u32 {
  const last = off + size - 1;
  if (last > segLimit(seg) || last < off || load<u32>(S_SEG_CHECK + (seg << 2)) != 0) return segLinearSlow(seg, off, size, false);
  return segBase(seg) + off;
}
/** The same for a write: read-only segments are refused here. */
// @ts-ignore: decorator
@inline export function segLinearWrite(seg: u32, off: u32, size: u32): u32 {
  const last = off + size - 1;
  if (last > segLimit(seg) || last < off || load<u32>(S_SEG_WCHECK + (seg << 2)) != 0) return segLinearSlow(seg, off, size, true);
  return segBase(seg) + off;
}
function segLinearSlow(seg: u32, off: u32, size: u32, write: bool): u32 {
  const last = off + size - 1;
  const check = load<u32>((write ? S_SEG_WCHECK : S_SEG_CHECK) + (seg << 2));
  if ((check & (SEGCHK_UNUSABLE | SEGCHK_DENY)) == 0 && last >= off) {
    if ((check & SEGCHK_EXPAND_DOWN) != 0) {
      // Expand-down: valid offsets are limit+1 .. 0xFFFF, or .. 0xFFFFFFFF with B=1.
      const upper: u32 = (segAttr(seg) & ATTR_DB) != 0 ? 0xFFFFFFFF : 0xFFFF;
      if (off > segLimit(seg) && last <= upper) return segBase(seg) + off;
    } else if (last <= segLimit(seg)) {
      return segBase(seg) + off;
    }
  }
  // A limit or type violation: #SS for the stack segment, else #GP; error code 0 (SDM vol. 3, 6.15).
  if (seg == SS) raiseStackFault(0);
  raiseGeneralProtection(0);
  return 0;
}

// @ts-ignore: decorator
@inline export function read8(seg: u32, off: u32): u32 { return readLin8(segLinear(seg, off, 1)); }
// @ts-ignore: decorator
@inline export function read16(seg: u32, off: u32): u32 { return readLin16(segLinear(seg, off, 2)); }
// @ts-ignore: decorator
@inline export function read32(seg: u32, off: u32): u32 { return readLin32(segLinear(seg, off, 4)); }
// @ts-ignore: decorator
@inline export function write8(seg: u32, off: u32, v: u32): void { writeLin8(segLinearWrite(seg, off, 1), v); }
// @ts-ignore: decorator
@inline export function write16(seg: u32, off: u32, v: u32): void { writeLin16(segLinearWrite(seg, off, 2), v); }
// @ts-ignore: decorator
@inline export function write32(seg: u32, off: u32, v: u32): void { writeLin32(segLinearWrite(seg, off, 4), v); }

// Read-modify-write: the write permission is checked before the read, so the instruction
// either completes or faults with nothing changed.
let rmwHost: u32 = 0;
let rmwLin: u32 = 0;
// @ts-ignore: decorator
@inline function rmwBegin(seg: u32, off: u32, size: u32): void {
  const lin = segLinearWrite(seg, off, size);
  const e = load<u32>(tlbSlot(lin));
  if ((e & tlbWriteMask) == TLB_VALID && (lin & 0xFFF) <= 0x1000 - size) {
    rmwHost = (e & ~0xFFF) ^ lin;
  } else {
    rmwHost = 0;
    rmwLin = lin;
    probeWrite(lin, size);
  }
}
export function rmwRead8(seg: u32, off: u32): u32 {
  rmwBegin(seg, off, 1);
  return rmwHost != 0 ? load<u8>(rmwHost) : readLin8(rmwLin);
}
export function rmwRead16(seg: u32, off: u32): u32 {
  rmwBegin(seg, off, 2);
  return rmwHost != 0 ? load<u16>(rmwHost) : readLin16(rmwLin);
}
export function rmwRead32(seg: u32, off: u32): u32 {
  rmwBegin(seg, off, 4);
  return rmwHost != 0 ? load<u32>(rmwHost) : readLin32(rmwLin);
}
// @ts-ignore: decorator
@inline export function rmwWrite8(v: u32): void { if (rmwHost != 0) store<u8>(rmwHost, <u8>v); else writeLin8(rmwLin, v); }
// @ts-ignore: decorator
@inline export function rmwWrite16(v: u32): void { if (rmwHost != 0) store<u16>(rmwHost, <u16>v); else writeLin16(rmwLin, v); }
// @ts-ignore: decorator
@inline export function rmwWrite32(v: u32): void { if (rmwHost != 0) store<u32>(rmwHost, v); else writeLin32(rmwLin, v); }

// ---- instruction fetch ----
// A window of EIP values [fetchLo, fetchLo + fetchSpan) known to be inside the CS limit and
// inside one mapped page; host address = EIP + fetchDelta.
let fetchLo: u32 = 0;
let fetchSpan: u32 = 0;
let fetchDelta: u32 = 0;

export function invalidateFetch(): void { fetchSpan = 0; }

// @ts-ignore: decorator
@inline export function fetch8(): u32 {
  const ip = getEip();
  if (ip - fetchLo < fetchSpan) {
    setEip(ip + 1);
    return load<u8>(ip + fetchDelta);
  }
  return fetch8Slow();
}
function fetch8Slow(): u32 {
  const ip = getEip();
  if (ip > segLimit(CS)) raiseGeneralProtection(0);
  const lin = segBase(CS) + ip;
  const e = entryForRead(lin);
  setEip(ip + 1);
  if ((e & TLB_SLOW) != 0) {
    fetchSpan = 0; // (an instruction fetch is not a data access: no data breakpoint check)
    return physRead8(slowPhys(lin, false));
  }
  const toPageEnd: u32 = <u32>0x1000 - (lin & 0xFFF);
  const toLimit = segLimit(CS) - ip; // bytes after this one inside the limit
  fetchLo = ip;
  fetchSpan = toLimit < toPageEnd - 1 ? toLimit + 1 : toPageEnd;
  fetchDelta = ((e & ~0xFFF) ^ lin) - ip;
  return load<u8>((e & ~0xFFF) ^ lin);
}
// @ts-ignore: decorator
@inline export function fetch16(): u32 {
  const ip = getEip();
  const d = ip - fetchLo;
  if (d < fetchSpan && fetchSpan - d >= 2) {
    setEip(ip + 2);
    return load<u16>(ip + fetchDelta);
  }
  const lo = fetch8Slow();
  return lo | (fetch8() << 8);
}
// @ts-ignore: decorator
@inline export function fetch32(): u32 {
  const ip = getEip();
  const d = ip - fetchLo;
  if (d < fetchSpan && fetchSpan - d >= 4) {
    setEip(ip + 4);
    return load<u32>(ip + fetchDelta);
  }
  const lo = fetch16();
  return lo | (fetch16() << 16);
}

// ---- the stack (SS:eSP, 16- or 32-bit by SS.B) ----

export function push16(v: u32): void {
  if (ss32) {
    const sp = reg32(ESP) - 2;
    write16(SS, sp, v);
    setReg32(ESP, sp);
  } else {
    const sp = (reg32(ESP) - 2) & 0xFFFF;
    write16(SS, sp, v);
    setReg16(ESP, sp);
  }
}
export function push32(v: u32): void {
  if (ss32) {
    const sp = reg32(ESP) - 4;
    write32(SS, sp, v);
    setReg32(ESP, sp);
  } else {
    const sp = (reg32(ESP) - 4) & 0xFFFF;
    write32(SS, sp, v);
    setReg16(ESP, sp);
  }
}
export function pop16(): u32 {
  const esp = reg32(ESP);
  const sp = ss32 ? esp : esp & 0xFFFF;
  const v = read16(SS, sp);
  if (ss32) setReg32(ESP, esp + 2); else setReg16(ESP, sp + 2);
  return v;
}
export function pop32(): u32 {
  const esp = reg32(ESP);
  const sp = ss32 ? esp : esp & 0xFFFF;
  const v = read32(SS, sp);
  if (ss32) setReg32(ESP, esp + 4); else setReg16(ESP, sp + 4);
  return v;
}
/** The stack pointer as an offset (SP or ESP). */
// @ts-ignore: decorator
@inline export function stackPointer(): u32 { return ss32 ? reg32(ESP) : reg32(ESP) & 0xFFFF; }
export function setStackPointer(v: u32): void { if (ss32) setReg32(ESP, v); else setReg16(ESP, v); }
/** Read at SS:(eSP + delta) without popping. */
export function readStack16(delta: u32): u32 { return read16(SS, ss32 ? reg32(ESP) + delta : (reg32(ESP) + delta) & 0xFFFF); }
export function readStack32(delta: u32): u32 { return read32(SS, ss32 ? reg32(ESP) + delta : (reg32(ESP) + delta) & 0xFFFF); }

/** The segment a memory operand uses: the override prefix, else `dflt`. */
// @ts-ignore: decorator
@inline export function dataSegment(dflt: u32): u32 { return segOverride >= 0 ? <u32>segOverride : dflt; }
export { DS, a32 };
