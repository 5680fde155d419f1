// Debug registers (SDM vol. 3, 17.2-17.3): instruction, data and I/O breakpoints, single-step,
// and the resume flag. Nothing here runs in the common case: enabled breakpoints or RF set the
// ATT_DEBUG attention bit, and data breakpoints route their pages through the TLB's slow path.

import { S_DR, S_CR4, S_ATTENTION, ST_EXCEPTIONS } from "./layout";
import { getEip, segBase, CS, flagsRaw, RF, setEflagsRaw, getEflags, ATT_TRAP, ATT_DEBUG, ATT_DEBUG_HIT } from "./state";
import { tlbFlushAll } from "./memory";

export { ATT_DEBUG };
const DR6: u32 = S_DR + 24, DR7: u32 = S_DR + 28;
const CR4_DE: u32 = 8;

/** Breakpoints by kind, as 4-bit masks of DR0-DR3. */
export let execBreakpoints: u32 = 0;
export let dataBreakpoints: u32 = 0;
export let ioBreakpoints: u32 = 0;
/** Data and I/O breakpoints hit by the current instruction (reported after it, as a trap). */
export let pendingHits: u32 = 0;
/** RF was set when the current instruction started: its instruction breakpoints are ignored. */
let resumeFlagAtStart: bool = false;

// @ts-ignore: decorator
@inline function dr(i: u32): u32 { return load<u32>(S_DR + (i << 2)); }
/** Length in bytes of breakpoint i (DR7 LENn: 1, 2, 8 (P6: undefined, treated as 8), 4). */
function bpLength(i: u32): u32 {
  const len = (load<u32>(DR7) >> (18 + i * 4)) & 3;
  return len == 0 ? 1 : len == 1 ? 2 : len == 3 ? 4 : 8;
}

/** Recompute the breakpoint masks after DR0-DR7 or CR4.DE changed. */
export function updateBreakpoints(): void {
  const dr7 = load<u32>(DR7);
  execBreakpoints = 0; dataBreakpoints = 0; ioBreakpoints = 0;
  for (let i: u32 = 0; i < 4; i++) {
    if (((dr7 >> (i * 2)) & 3) == 0) continue; // Ln and Gn both clear
    const rw = (dr7 >> (16 + i * 4)) & 3;
    if (rw == 0) execBreakpoints |= 1 << i;
    else if (rw == 2) { if ((load<u32>(S_CR4) & CR4_DE) != 0) ioBreakpoints |= 1 << i; }
    else dataBreakpoints |= 1 << i;
  }
  tlbFlushAll(); // pages holding data breakpoints are filled as slow
  refreshAttention();
}

export function refreshAttention(): void {
  const att = load<u32>(S_ATTENTION);
  const on = execBreakpoints != 0 || (flagsRaw() & RF) != 0;
  store<u32>(S_ATTENTION, on ? att | ATT_DEBUG : att & ~ATT_DEBUG);
}

/** Whether the 4 KiB page of `lin` holds a data breakpoint (its TLB entry must stay slow). */
export function pageHasDataBreakpoint(lin: u32): bool {
  if (dataBreakpoints == 0) return false;
  for (let i: u32 = 0; i < 4; i++) {
    if ((dataBreakpoints & (1 << i)) == 0) continue;
    const start = dr(i) & ~(bpLength(i) - 1);
    if (((start ^ lin) & ~0xFFF) == 0 || (((start + bpLength(i) - 1) ^ lin) & ~0xFFF) == 0) return true;
  }
  return false;
}

/** A data access of one byte at `lin` (from the slow path). */
export function checkDataAccess(lin: u32, write: bool): void {
  for (let i: u32 = 0; i < 4; i++) {
    if ((dataBreakpoints & (1 << i)) == 0) continue;
    const rw = (load<u32>(DR7) >> (16 + i * 4)) & 3;
    if (rw == 1 && !write) continue; // write-only breakpoint
    const start = dr(i) & ~(bpLength(i) - 1);
    if (lin - start < bpLength(i)) hit(i);
  }
}
function hit(i: u32): void {
  pendingHits |= 1 << i;
  store<u32>(S_ATTENTION, load<u32>(S_ATTENTION) | ATT_DEBUG_HIT);
}

/** An I/O access of `bytes` at `port` (CR4.DE breakpoints). */
export function checkIoAccess(port: u32, bytes: u32): void {
  for (let i: u32 = 0; i < 4; i++) {
    if ((ioBreakpoints & (1 << i)) == 0) continue;
    const start = dr(i) & 0xFFFF & ~(bpLength(i) - 1);
    if (port + bytes > start && port < start + bpLength(i)) hit(i);
  }
}

/**
 * At the start of an instruction: an instruction breakpoint at CS:EIP is a fault (#DB before the
 * instruction runs) unless RF is set. Returns the DR6 B-bits hit, 0 for none.
 */
export function instructionBreakpointHits(): u32 {
  pendingHits = 0;
  resumeFlagAtStart = (flagsRaw() & RF) != 0;
  if (resumeFlagAtStart || execBreakpoints == 0) return 0;
  const lin = segBase(CS) + getEip();
  let hits: u32 = 0;
  for (let i: u32 = 0; i < 4; i++) {
    if ((execBreakpoints & (1 << i)) != 0 && dr(i) == lin) hits |= 1 << i;
  }
  if (hits != 0) store<u32>(DR6, (load<u32>(DR6) & ~0xF) | hits);
  return hits;
}

/** The data/I/O breakpoint hits pending, cleared (the B-bits of DR6). */
export function takeHits(): u32 {
  const h = pendingHits;
  pendingHits = 0;
  store<u32>(S_ATTENTION, load<u32>(S_ATTENTION) & ~ATT_DEBUG_HIT);
  if (h != 0) {
    store<u32>(DR6, (load<u32>(DR6) & ~0xF) | h);
    store<u32>(ST_EXCEPTIONS + 4, load<u32>(ST_EXCEPTIONS + 4) + 1);
  }
  return h;
}

/**
 * After an instruction: RF is cleared once an instruction completes (SDM vol. 3, 17.3.1.1);
 * returns the DR6 bits of a debug trap to deliver now (data/I/O hits, single-step), 0 for none.
 */
export function afterInstruction(att: u32): u32 {
  if (resumeFlagAtStart) {
    resumeFlagAtStart = false;
    setEflagsRaw(getEflags() & ~RF);
    refreshAttention();
  }
  let dr6: u32 = takeHits();
  if ((att & ATT_TRAP) != 0) dr6 |= 0x4000; // BS
  if (dr6 != 0) {
    store<u32>(DR6, (load<u32>(DR6) & ~0xF) | dr6);
    store<u32>(ST_EXCEPTIONS + 4, load<u32>(ST_EXCEPTIONS + 4) + 1);
  }
  return dr6;
}
