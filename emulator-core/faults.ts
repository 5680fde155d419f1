// Raising exceptions, and the page walk (which is where #PF comes from).
//
// AssemblyScript has no exceptions. A fault is recorded in the state block and the core
// leaves through a wasm trap; the host sees S_FAULT_PENDING, calls deliverFault() (interrupts.ts),
// and runs on. Every instruction is written so that state is only changed after its last
// possible fault, except EIP and ESP, which deliverFault restores from the instruction start.

import {
  S_FAULT_PENDING, S_FAULT_VECTOR, S_FAULT_ERROR, S_CR2, S_CR3, S_CR4, S_CR0, TLB_NO_WRITE, TLB_NO_USER, TLB_GLOBAL,
} from "./layout";
import { setPageFlags } from "./memory";

export const VEC_DE: u32 = 0, VEC_DB: u32 = 1, VEC_NMI: u32 = 2, VEC_BP: u32 = 3, VEC_OF: u32 = 4, VEC_BR: u32 = 5;
export const VEC_UD: u32 = 6, VEC_NM: u32 = 7, VEC_DF: u32 = 8, VEC_TS: u32 = 10, VEC_NP: u32 = 11, VEC_SS: u32 = 12;
export const VEC_GP: u32 = 13, VEC_PF: u32 = 14, VEC_MF: u32 = 16, VEC_AC: u32 = 17;
export const NO_ERROR_CODE: i32 = -1;

export function raiseFault(vector: u32, errorCode: i32): void {
  store<u32>(S_FAULT_VECTOR, vector);
  store<i32>(S_FAULT_ERROR, errorCode);
  store<u32>(S_FAULT_PENDING, 1);
  unreachable();
}
export function raiseDivideError(): void { raiseFault(VEC_DE, NO_ERROR_CODE); }
export function raiseInvalidOpcode(): void { raiseFault(VEC_UD, NO_ERROR_CODE); }
export function raiseDeviceNotAvailable(): void { raiseFault(VEC_NM, NO_ERROR_CODE); }
export function raiseGeneralProtection(errorCode: u32): void { raiseFault(VEC_GP, <i32>errorCode); }
export function raiseStackFault(errorCode: u32): void { raiseFault(VEC_SS, <i32>errorCode); }
export function raiseBoundRange(): void { raiseFault(VEC_BR, NO_ERROR_CODE); }

// ---- paging (SDM vol. 3, 4.3: 32-bit paging) ----
const PTE_P: u32 = 1, PTE_RW: u32 = 2, PTE_US: u32 = 4, PTE_A: u32 = 0x20, PTE_D: u32 = 0x40, PTE_PS: u32 = 0x80;
const PTE_G: u32 = 0x100;
const CR4_PSE: u32 = 0x10, CR4_PGE: u32 = 0x80;

// Page-table entries are read and written at physical addresses through these (memory.ts).
import { physRead32, physWrite32 } from "./memory";

/**
 * Translate a linear address through the page tables, setting Accessed (and, for writes, Dirty)
 * bits, and report the TLB flags for the page in `pageFlags`. Raises #PF with the SDM's error
 * code (vol. 3, 4.7) and CR2; on a fault no A/D bit is set.
 */
export function translatePage(lin: u32, write: bool, user: bool): u32 {
  const supervisorWriteProtect = (load<u32>(S_CR0) & 0x10000) != 0;
  const pdeAddr = (load<u32>(S_CR3) & 0xFFFFF000) | ((lin >>> 20) & 0xFFC);
  const pde = physRead32(pdeAddr);
  if ((pde & PTE_P) == 0) pageFault(lin, write, user, false);
  if ((pde & PTE_PS) != 0 && (load<u32>(S_CR4) & CR4_PSE) != 0) {
    checkAccess(lin, pde, write, user, supervisorWriteProtect);
    const newPde = pde | PTE_A | (write ? PTE_D : 0);
    if (newPde != pde) physWrite32(pdeAddr, newPde);
    setPageFlags(tlbFlagsFor(newPde, supervisorWriteProtect));
    return (pde & 0xFFC00000) | (lin & 0x3FFFFF);
  }
  const pteAddr = (pde & 0xFFFFF000) | ((lin >>> 10) & 0xFFC);
  const pte = physRead32(pteAddr);
  if ((pte & PTE_P) == 0) pageFault(lin, write, user, false);
  const combined = (pte & ~(PTE_RW | PTE_US)) | (pte & pde & (PTE_RW | PTE_US));
  checkAccess(lin, combined, write, user, supervisorWriteProtect);
  if ((pde & PTE_A) == 0) physWrite32(pdeAddr, pde | PTE_A);
  const newPte = pte | PTE_A | (write ? PTE_D : 0);
  if (newPte != pte) physWrite32(pteAddr, newPte);
  setPageFlags(tlbFlagsFor(combined | (newPte & PTE_D), supervisorWriteProtect));
  return (pte & 0xFFFFF000) | (lin & 0xFFF);
}

function tlbFlagsFor(entry: u32, wp: bool): u32 {
  let f: u32 = 0;
  // Writes go out of line until the Dirty bit is set, and always for read-only pages
  // (the slow path re-checks permission for the accessing mode).
  if ((entry & PTE_D) == 0 || (entry & PTE_RW) == 0) f |= TLB_NO_WRITE;
  if ((entry & PTE_US) == 0) f |= TLB_NO_USER;
  if ((entry & PTE_G) != 0 && (load<u32>(S_CR4) & CR4_PGE) != 0) f |= TLB_GLOBAL;
  return f;
}

function checkAccess(lin: u32, entry: u32, write: bool, user: bool, wp: bool): void {
  if (user) {
    if ((entry & PTE_US) == 0 || (write && (entry & PTE_RW) == 0)) pageFault(lin, write, user, true);
  } else if (write && wp && (entry & PTE_RW) == 0) {
    pageFault(lin, write, user, true);
  }
}

function pageFault(lin: u32, write: bool, user: bool, present: bool): void {
  store<u32>(S_CR2, lin);
  raiseFault(VEC_PF, <i32>((present ? 1 : 0) | (write ? 2 : 0) | (user ? 4 : 0)));
}
