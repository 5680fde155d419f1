// Delivering interrupts and exceptions (SDM vol. 3, chapter 6; real mode: vol. 3, 20.1.4).

import {
  S_FAULT_PENDING, S_FAULT_VECTOR, S_FAULT_ERROR, S_FAULT_EIP, S_FAULT_ESP, S_FAULT_DEPTH, S_LAST_VECTOR,
  S_IDTR_BASE, S_IDTR_LIMIT, S_SHUTDOWN, ST_EXCEPTIONS, S_DR, S_TR_ATTR as S_TR_ATTR_ADDR, S_CPL,
} from "./layout";
import {
  getEflags, setEflagsRaw, getEip, setEip, reg32, setReg32, segSelector, instrEip, instrEsp, ESP, CS, SS, DS, ES, FS, GS,
  IF, TF, AC, RF, NT, VM, cr0, CR0_PE, flagsRaw,
} from "./state";
import { push16, push32, readLin16, setStackPointer, setUserMode } from "./memory";
import { loadSegmentReal, setSegmentUnusable, cpl, setCpl, setSelectorFault } from "./segments";
import { raiseFault, raiseGeneralProtection, VEC_DF, VEC_PF, VEC_DB, VEC_GP, VEC_NP, NO_ERROR_CODE } from "./faults";
import { syncCounters } from "./counters";
import {
  readDescriptor, descAddr, readDescriptorAt, descLo, descHi, descDpl, descPresent, descIsCode, descConforming, descLimit,
  markAccessed, setDescriptor, SYS_TASK_GATE, SYS_INT_GATE16, SYS_TRAP_GATE16, SYS_INT_GATE32, SYS_TRAP_GATE32,
} from "./descriptors";
import { setSegmentFromDescriptor } from "./segments";
import { loadInnerStack, tssStackSelector, tssStackPointer } from "./transfers";
import { taskSwitch, TASK_INT } from "./tasks";

/** What raised an interrupt: it decides the gate-DPL check and the EXT bit of error codes. */
export const INT_SOFTWARE: u32 = 0, INT_EXCEPTION: u32 = 1, INT_EXTERNAL: u32 = 2;

export const STOP_SHUTDOWN: u32 = 3;

/**
 * Transfer control to the handler of `vector`. `returnEip` is what the handler returns to: the
 * faulting instruction for faults, the next instruction for traps and INT n. `errorCode` is
 * pushed in protected mode when not NO_ERROR_CODE (real mode never pushes one).
 */
export function deliverInterrupt(vector: u32, errorCode: i32, returnEip: u32, kind: u32): void {
  store<u32>(S_LAST_VECTOR, vector);
  if ((cr0() & CR0_PE) == 0) {
    realModeInterrupt(vector, returnEip);
  } else {
    protectedModeInterrupt(vector, errorCode, returnEip, kind);
  }
}

function realModeInterrupt(vector: u32, returnEip: u32): void {
  const off = vector << 2;
  // The IVT entry must lie inside the IDTR limit (SDM vol. 3, 20.1.4).
  if (off + 3 > load<u32>(S_IDTR_LIMIT)) raiseGeneralProtection(vector * 8 + 2);
  const base = load<u32>(S_IDTR_BASE);
  const ip = readLin16(base + off);
  const cs = readLin16(base + off + 2);
  push16(getEflags());
  push16(segSelector(CS));
  push16(returnEip);
  setEflagsRaw(getEflags() & ~(IF | TF | AC | RF));
  loadSegmentReal(CS, cs);
  setEip(ip);
}

/**
 * Delivery through the IDT (SDM vol. 3, 6.12 and 6.12.1; 20.3.1.1 from virtual-8086 mode):
 * interrupt and trap gates (16/32-bit) with a stack switch to an inner level, and task gates.
 */
function protectedModeInterrupt(vector: u32, errorCode: i32, returnEip: u32, kind: u32): void {
  const ext: u32 = kind == INT_SOFTWARE ? 0 : 1;
  const idtError = <i32>(vector * 8 + 2 + ext);
  if (vector * 8 + 7 > load<u32>(S_IDTR_LIMIT)) raiseFault(VEC_GP, idtError);
  readDescriptorAt(load<u32>(S_IDTR_BASE) + vector * 8);
  const gateLo = descLo, gateHi = descHi;
  const type = (gateHi >> 8) & 0x1F; // S bit included: gates are system descriptors
  if (type != SYS_TASK_GATE && type != SYS_INT_GATE16 && type != SYS_TRAP_GATE16 && type != SYS_INT_GATE32 && type != SYS_TRAP_GATE32) {
    raiseFault(VEC_GP, idtError);
  }
  // INT n, INT3, INTO may only use gates with DPL >= CPL (SDM vol. 3, 6.12.1.1).
  if (kind == INT_SOFTWARE && descDpl(gateHi) < cpl()) raiseFault(VEC_GP, idtError);
  if (!descPresent(gateHi)) raiseFault(VEC_NP, idtError);
  if (type == SYS_TASK_GATE) {
    taskSwitch(gateLo >>> 16, TASK_INT, returnEip);
    if (errorCode >= 0) {
      if ((load<u32>(S_TR_ATTR_ADDR) & 8) != 0) push32(<u32>errorCode); else push16(<u32>errorCode);
    }
    return;
  }
  const gate32 = (type & 8) != 0;
  const target = gateLo >>> 16;
  const offset = gate32 ? (gateLo & 0xFFFF) | (gateHi & 0xFFFF0000) : gateLo & 0xFFFF;
  if ((target & 0xFFFC) == 0) raiseFault(VEC_GP, <i32>ext);
  if (!readDescriptor(target) || !descIsCode(descHi)) raiseFault(VEC_GP, <i32>((target & 0xFFFC) + ext));
  const dpl = descDpl(descHi);
  if (dpl > cpl()) raiseFault(VEC_GP, <i32>((target & 0xFFFC) + ext));
  if (!descPresent(descHi)) raiseFault(VEC_NP, <i32>((target & 0xFFFC) + ext));
  const codeLo = descLo, codeHi = descHi, codeAddr = descAddr;
  if (offset > descLimit(codeLo, codeHi)) raiseFault(VEC_GP, 0);
  const oldFlags = getEflags();
  const fromV86 = (oldFlags & VM) != 0;
  const oldCs = segSelector(CS);
  if (!descConforming(codeHi) && dpl < cpl()) {
    // Inner privilege level: the handler's stack comes from the TSS.
    if (fromV86 && dpl != 0) raiseFault(VEC_GP, <i32>((target & 0xFFFC) + ext));
    const oldSs = segSelector(SS), oldEsp = reg32(ESP);
    const newSs = tssStackSelector(dpl), newEsp = tssStackPointer(dpl);
    loadInnerStack(newSs, dpl);
    setStackPointer(newEsp);
    setCpl(dpl);
    if (fromV86) {
      pushGate(segSelector(GS), gate32); pushGate(segSelector(FS), gate32);
      pushGate(segSelector(DS), gate32); pushGate(segSelector(ES), gate32);
    }
    pushGate(oldSs, gate32);
    pushGate(oldEsp, gate32);
    if (fromV86) {
      setSegmentUnusable(GS, 0); setSegmentUnusable(FS, 0); setSegmentUnusable(DS, 0); setSegmentUnusable(ES, 0);
    }
  } else {
    if (fromV86) raiseFault(VEC_GP, <i32>((target & 0xFFFC) + ext));
  }
  pushGate(oldFlags, gate32);
  pushGate(oldCs, gate32);
  pushGate(returnEip, gate32);
  if (errorCode >= 0) pushGate(<u32>errorCode, gate32);
  setDescriptor(codeLo, codeHi, codeAddr);
  markAccessed();
  setSegmentFromDescriptor(CS, (target & 0xFFFC) | cpl());
  // A 16-bit gate leaves the high half of EIP zero (SDM vol. 3, 6.12.1).
  setEip(offset);
  let f = oldFlags & ~(TF | NT | RF | VM);
  if ((type & 1) == 0) f &= ~IF; // interrupt gates clear IF; trap gates leave it
  setEflagsRaw(f);
}

// @ts-ignore: decorator
@inline function pushGate(v: u32, gate32: bool): void { if (gate32) push32(v); else push16(v); }

// Exception classes for double faults (SDM vol. 3, table 6-5).
function isContributory(v: u32): bool { return v == 0 || (v >= 10 && v <= 13); }

/**
 * Called by the host after the core left through a trap with a fault pending: restore EIP and
 * ESP to the faulting instruction and deliver the exception; a fault during that delivery
 * becomes #DF, and a fault while delivering #DF shuts the CPU down (triple fault).
 * Returns STOP_SHUTDOWN on a triple fault, else 0.
 */
export function deliverFault(): u32 {
  syncCounters();
  let vector = load<u32>(S_FAULT_VECTOR);
  let errorCode = load<i32>(S_FAULT_ERROR);
  store<u32>(S_FAULT_PENDING, 0);
  store<u32>(ST_EXCEPTIONS + (vector << 2), load<u32>(ST_EXCEPTIONS + (vector << 2)) + 1);
  const depth = load<u32>(S_FAULT_DEPTH);
  if (depth != 0) {
    const first = load<u32>(S_LAST_VECTOR);
    if (first == VEC_DF) {
      store<u32>(S_FAULT_DEPTH, 0);
      store<u32>(S_SHUTDOWN, 1);
      return STOP_SHUTDOWN;
    }
    if ((isContributory(first) && isContributory(vector)) || (first == VEC_PF && (vector == VEC_PF || isContributory(vector)))) {
      vector = VEC_DF;
      errorCode = 0;
    }
  }
  setEip(instrEip);
  setReg32(ESP, instrEsp);
  setUserMode(load<u32>(S_CPL) == 3); // a fault inside a supervisor-mode system access
  setSelectorFault(VEC_GP); // a fault inside a task switch's segment loads

  store<u32>(S_FAULT_EIP, instrEip);
  store<u32>(S_FAULT_ESP, instrEsp);
  store<u32>(S_FAULT_DEPTH, 1);
  deliverInterrupt(vector, errorCode, instrEip, INT_EXCEPTION);
  store<u32>(S_FAULT_DEPTH, 0);
  if (load<u32>(S_SHUTDOWN) != 0) return STOP_SHUTDOWN;
  return 0;
}

