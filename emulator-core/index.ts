// The CPU core's entry points for the host (src/cpu/cpu.ts) and the run loop.

import {
  S_REGS, S_EIP, S_CR0, S_CR4, S_DR, S_GDTR_LIMIT, S_IDTR_LIMIT, S_A20_MASK, S_HALTED, S_ATTENTION, S_RAM_SIZE,
  S_FAULT_DEPTH, S_LAST_VECTOR, S_SHUTDOWN, STATE_BASE, STATE_SIZE, STATS_BASE, STATS_SIZE, S_TSC, S_CPL,
  ST_INTERRUPTS, S_LDTR_LIMIT, S_TR_LIMIT, S_TR_ATTR, S_LDTR_SEL, S_CR3, S_GDTR_BASE, S_IDTR_BASE,
} from "./layout";
import {
  beginInstruction, getEflags as eflagsNow, setEflagsRaw, getEip, flagsRaw, IF, ATT_IRQ, ATT_STOP, ATT_SHADOW, ATT_TRAP,
  CS, setCsDefault32, setSs32, reg32, EDX,
} from "./state";
import { tlbFlushAll as flushTlb, addRegion as addPhysRegion, clearRegions as clearPhysRegions, setUserMode, physRead8 as readPhysical8 } from "./memory";
import { firstOpcodeKey } from "./decode";
import { dispatch } from "./gen/dispatch";
import { deliverInterrupt, deliverFault as deliver, STOP_SHUTDOWN, INT_EXTERNAL, INT_EXCEPTION } from "./interrupts";
import { ATT_DEBUG, afterInstruction, instructionBreakpointHits, updateBreakpoints, takeHits } from "./debug";
import { ATT_DEBUG_HIT } from "./state";
import { VEC_DB } from "./faults";
import { setSegmentCache, loadSegmentReal as loadReal, setCpl } from "./segments";
import { writeCr0 } from "./ops/system";
import { icount, syncCounters, setInstructionsRetired } from "./counters";
import { ATT_HALT } from "./ops/control";
import { CPUID_SIGNATURE } from "./ops/system";
import { fpuReset } from "./fpu/regs";

export * from "./layout";

@external("env", "acknowledgeInterrupt") declare function acknowledgeInterrupt(): i32;

export const STOP_LIMIT: u32 = 0, STOP_HALTED: u32 = 1, STOP_REQUESTED: u32 = 2;

export function init(ramBytes: u32): void {
  memory.fill(STATE_BASE, 0, STATE_SIZE);
  memory.fill(STATS_BASE, 0, STATS_SIZE);
  store<u32>(S_RAM_SIZE, ramBytes);
  clearPhysRegions();
  reset();
}

/** Power-on state (SDM vol. 3, 10.1.1, table 10-1). */
export function reset(): void {
  memory.fill(S_REGS, 0, 32);
  store<u32>(S_REGS + (EDX << 2), CPUID_SIGNATURE);
  setEflagsRaw(2);
  store<u32>(S_EIP, 0xFFF0);
  store<u32>(S_CR0, 0x60000010);
  store<u32>(S_CR4, 0);
  for (let i: u32 = 0; i < 8; i++) store<u32>(S_DR + (i << 2), 0);
  store<u32>(S_DR + 24, 0xFFFF0FF0);
  store<u32>(S_DR + 28, 0x400);
  store<u32>(S_GDTR_LIMIT, 0xFFFF);
  store<u32>(S_IDTR_LIMIT, 0xFFFF);
  store<u32>(S_LDTR_LIMIT, 0xFFFF);
  store<u32>(S_TR_LIMIT, 0xFFFF);
  store<u32>(S_A20_MASK, 0xFFFFFFFF);
  store<u32>(S_HALTED, 0);
  store<u32>(S_ATTENTION, 0);
  store<u32>(S_FAULT_DEPTH, 0);
  store<i32>(S_LAST_VECTOR, -1);
  store<u32>(S_SHUTDOWN, 0);
  store<u64>(S_TSC, 0);
  store<u32>(S_CPL, 0);
  setUserMode(false);
  // CS = F000 with base FFFF0000: the first fetch is at FFFFFFF0 (SDM vol. 3, 10.1.4).
  // Every segment starts present, read/write, accessed (SDM vol. 3, table 10-1).
  setSegmentCache(CS, 0xF000, 0xFFFF0000, 0xFFFF, 0x93);
  for (let s: u32 = 0; s < 6; s++) if (s != CS) setSegmentCache(s, 0, 0, 0xFFFF, 0x93);
  store<u32>(S_TR_ATTR, 0x8B);
  store<u32>(S_LDTR_SEL, 0);
  setCsDefault32(false);
  setSs32(false);
  setInstructionsRetired(0);
  updateBreakpoints();
  fpuReset();
  flushTlb();
}

/**
 * Execute up to `limit` instructions. Returns STOP_LIMIT, STOP_HALTED (HLT; the host decides
 * whether an interrupt can wake the CPU), STOP_REQUESTED or STOP_SHUTDOWN.
 */
export function run(limit: u32): u32 {
  const end = icount + <u64>limit;
  if (load<u32>(S_HALTED) != 0) {
    if (!takeInterrupt()) { syncCounters(); return STOP_HALTED; }
  }
  while (icount < end) {
    const att = load<u32>(S_ATTENTION);
    if (att != 0) {
      const r = attention(att);
      if (r >= 0) { syncCounters(); return <u32>r; }
    }
    beginInstruction();
    dispatch(firstOpcodeKey());
    icount++;
    if ((att & (ATT_TRAP | ATT_DEBUG)) != 0) {
      // Debug traps after the instruction: single-step, data and I/O breakpoints (SDM vol. 3, 17.3.1.2).
      if (afterInstruction(att) != 0) deliverInterrupt(VEC_DB, -1, getEip(), INT_EXCEPTION);
    }
  }
  syncCounters();
  return STOP_LIMIT;
}

/** Between instructions: host stop requests, HLT, the interrupt shadow, external interrupts. */
function attention(att: u32): i32 {
  if ((att & ATT_STOP) != 0) { store<u32>(S_ATTENTION, att & ~ATT_STOP); return STOP_REQUESTED; }
  if ((att & ATT_HALT) != 0) { store<u32>(S_ATTENTION, att & ~ATT_HALT); return STOP_HALTED; }
  if ((att & ATT_DEBUG_HIT) != 0 && takeHits() != 0) {
    // A data or I/O breakpoint hit by the previous instruction: a trap, EIP after it.
    beginInstruction();
    deliverInterrupt(VEC_DB, -1, getEip(), INT_EXCEPTION);
    return -1;
  }
  if ((att & ATT_DEBUG) != 0 && instructionBreakpointHits() != 0) {
    // An instruction breakpoint is a fault: #DB with EIP at the instruction, which has not run.
    beginInstruction();
    deliverInterrupt(VEC_DB, -1, getEip(), INT_EXCEPTION);
    return -1;
  }
  if ((att & ATT_SHADOW) != 0) { store<u32>(S_ATTENTION, att & ~ATT_SHADOW); return -1; }
  if ((att & ATT_IRQ) != 0) takeInterrupt();
  if (load<u32>(S_SHUTDOWN) != 0) return STOP_SHUTDOWN;
  return -1;
}

/** Take a pending external interrupt if EFLAGS.IF allows it; true when one was delivered. */
function takeInterrupt(): bool {
  if ((load<u32>(S_ATTENTION) & ATT_IRQ) == 0 || (flagsRaw() & IF) == 0) return false;
  const vector = acknowledgeInterrupt();
  if (vector < 0) return false;
  store<u32>(S_HALTED, 0);
  beginInstruction(); // a fault while delivering restarts here
  const irq = <u32>vector & 0xF;
  store<u32>(ST_INTERRUPTS + (irq << 2), load<u32>(ST_INTERRUPTS + (irq << 2)) + 1);
  deliverInterrupt(<u32>vector, -1, getEip(), INT_EXTERNAL);
  return true;
}

export function deliverFault(): u32 {
  const r = deliver();
  return r == STOP_SHUTDOWN ? STOP_SHUTDOWN : 0;
}
export function getEflags(): u32 { return eflagsNow(); }
export function setEflags(v: u32): void { setEflagsRaw(v); }
export function loadSegmentReal(seg: u32, selector: u32): void { loadReal(seg, selector); }
export function addRegion(start: u32, end: u32, kind: u32, host: u32): i32 { return addPhysRegion(start, end, kind, host); }
export function clearRegions(): void { clearPhysRegions(); }
export function setA20(on: u32): void {
  store<u32>(S_A20_MASK, on != 0 ? 0xFFFFFFFF : 0xFFEFFFFF);
  flushTlb();
}
export function tlbFlushAll(): void { flushTlb(); }
/** Instructions retired, as a float (exact up to 2^53). */
export function instructionCount(): f64 { return <f64>icount; }
/** A byte at a physical address through the memory map (host inspection, traces). */
export function physRead8(addr: u32): u32 { return readPhysical8(addr); }

// ---- host setters for boot loaders (Linux and multiboot enter in protected mode) ----
/** Set a segment register's selector and hidden cache directly. */
export function setSegment(seg: u32, selector: u32, base: u32, limit: u32, attr: u32): void {
  setSegmentCache(seg, selector, base, limit, attr);
}
/** Write CR0, CR3 or CR4 with the side effects of MOV CRn (TLB flushes, mode changes). */
export function setControlRegister(n: u32, v: u32): void {
  if (n == 0) writeCr0(v);
  else if (n == 3) { store<u32>(S_CR3, v & 0xFFFFF018); flushTlb(); }
  else if (n == 4) { store<u32>(S_CR4, v); flushTlb(); updateBreakpoints(); }
}
/** GDTR (0) or IDTR (1). */
export function setTableRegister(which: u32, base: u32, limit: u32): void {
  store<u32>(which == 0 ? S_GDTR_BASE : S_IDTR_BASE, base);
  store<u32>(which == 0 ? S_GDTR_LIMIT : S_IDTR_LIMIT, limit);
}
export function setPrivilegeLevel(c: u32): void { setCpl(c); }
