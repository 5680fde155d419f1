// Delivering interrupts and exceptions (SDM vol. 3, chapter 6; real mode: vol. 3, 20.1.4).

import {
  S_FAULT_PENDING, S_FAULT_VECTOR, S_FAULT_ERROR, S_FAULT_EIP, S_FAULT_ESP, S_FAULT_DEPTH, S_LAST_VECTOR,
  S_IDTR_BASE, S_IDTR_LIMIT, S_SHUTDOWN, ST_EXCEPTIONS, S_DR,
} from "./layout";
import {
  getEflags, setEflagsRaw, getEip, setEip, reg32, setReg32, segSelector, instrEip, instrEsp, ESP, CS, IF, TF, AC, RF,
  cr0, CR0_PE,
} from "./state";
import { push16, readLin16 } from "./memory";
import { loadSegmentReal } from "./segments";
import { raiseGeneralProtection, VEC_DF, VEC_PF, VEC_DB, NO_ERROR_CODE } from "./faults";
import { syncCounters } from "./counters";

export const STOP_SHUTDOWN: u32 = 3;

/**
 * Transfer control to the handler of `vector`. `returnEip` is what the handler returns to: the
 * faulting instruction for faults, the next instruction for traps and INT n. `errorCode` is
 * pushed in protected mode when not NO_ERROR_CODE (real mode never pushes one).
 */
export function deliverInterrupt(vector: u32, errorCode: i32, returnEip: u32): void {
  store<u32>(S_LAST_VECTOR, vector);
  if ((cr0() & CR0_PE) == 0) {
    realModeInterrupt(vector, returnEip);
  } else {
    protectedModeInterrupt(vector, errorCode, returnEip);
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

// Protected-mode delivery through the IDT arrives with the protected-mode work (issue #3);
// until then a protected-mode exception cannot be delivered and shuts the CPU down.
function protectedModeInterrupt(vector: u32, errorCode: i32, returnEip: u32): void {
  store<u32>(S_SHUTDOWN, 1);
}

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
  store<u32>(S_FAULT_EIP, instrEip);
  store<u32>(S_FAULT_ESP, instrEsp);
  store<u32>(S_FAULT_DEPTH, 1);
  deliverInterrupt(vector, errorCode, instrEip);
  store<u32>(S_FAULT_DEPTH, 0);
  if (load<u32>(S_SHUTDOWN) != 0) return STOP_SHUTDOWN;
  return 0;
}

/** The single-step trap after an instruction executed with TF set (SDM vol. 3, 17.3.1.4). */
export function singleStepTrap(): void {
  store<u32>(S_DR + 24, load<u32>(S_DR + 24) | 0x4000); // DR6.BS
  store<u32>(ST_EXCEPTIONS + (VEC_DB << 2), load<u32>(ST_EXCEPTIONS + (VEC_DB << 2)) + 1);
  deliverInterrupt(VEC_DB, NO_ERROR_CODE, getEip());
}

