// Hardware task switching (SDM vol. 3, 7.3): JMP/CALL/IRET/INT through TSS descriptors and task
// gates, 16- and 32-bit TSSs, busy bits, NT and the back link, CR3 and LDT reloads.

import {
  S_TR_SEL, S_TR_BASE, S_TR_LIMIT, S_TR_ATTR, S_CR0, S_CR3, S_LDTR_SEL, S_LDTR_BASE, S_LDTR_LIMIT, ST_DESC_TABLE,
  S_SCRATCH,
} from "./layout";
import {
  reg32, setReg32, reg16, setReg16, getEflags, setEflagsRaw, segSelector, setEip, NT, VM, CS, SS, DS, ES, FS, GS,
  CR0_TS, CR0_PG,
} from "./state";
import { readSystem32, readSystem16, writeSystem32, writeSystem16, tlbFlushNonGlobal } from "./memory";
import { raiseFault, VEC_GP, VEC_NP, VEC_TS } from "./faults";
import {
  readDescriptor, descLo, descHi, descAddr, descBase, descLimit, descAttr, descType, descPresent, descIsSegment,
  SYS_TSS16_AVAIL, SYS_TSS32_AVAIL, SYS_TSS16_BUSY, SYS_TSS32_BUSY, SYS_LDT,
} from "./descriptors";
import { loadSegmentV86, setCpl, loadSegment, setSegmentUnusable, setSegmentFromDescriptor, setSelectorFault } from "./segments";

export const TASK_JMP: u32 = 0, TASK_CALL: u32 = 1, TASK_IRET: u32 = 2, TASK_INT: u32 = 3;


// @ts-ignore: decorator
@inline function err(sel: u32): i32 { return <i32>(sel & 0xFFFC); }

/**
 * Switch to the task whose TSS selector is `sel`. `returnEip` is saved as the old task's EIP.
 * For TASK_INT, `errorCode` (or -1) is pushed on the new task's stack by the caller.
 */
export function taskSwitch(sel: u32, kind: u32, returnEip: u32): void {
  sel &= 0xFFFF;
  const faultVec = kind == TASK_IRET ? VEC_TS : VEC_GP;
  if ((sel & 4) != 0 || (sel & 0xFFFC) == 0) raiseFault(faultVec, err(sel));
  if (!readDescriptor(sel) || descIsSegment(descHi)) raiseFault(faultVec, err(sel));
  const type = descType(descHi);
  const busy = type == SYS_TSS16_BUSY || type == SYS_TSS32_BUSY;
  const avail = type == SYS_TSS16_AVAIL || type == SYS_TSS32_AVAIL;
  if (kind == TASK_IRET ? !busy : !avail) raiseFault(faultVec, err(sel));
  if (!descPresent(descHi)) raiseFault(VEC_NP, err(sel));
  const newLo = descLo, newHi = descHi, newAddr = descAddr;
  const new32 = (type & 8) != 0;
  const newBase = descBase(newLo, newHi), newLimit = descLimit(newLo, newHi);
  const minLimit: u32 = new32 ? 0x67 : 0x2B;
  if (newLimit < minLimit) raiseFault(VEC_TS, err(sel));

  // Save the outgoing task's state in its TSS.
  const oldSel = load<u32>(S_TR_SEL), oldBase = load<u32>(S_TR_BASE);
  const old32 = (load<u32>(S_TR_ATTR) & 8) != 0;
  let flags = getEflags();
  if (kind == TASK_IRET) flags &= ~NT;
  if (old32) {
    writeSystem32(oldBase + 0x20, returnEip);
    writeSystem32(oldBase + 0x24, flags);
    for (let r: u32 = 0; r < 8; r++) writeSystem32(oldBase + 0x28 + r * 4, reg32(r));
    for (let s: u32 = 0; s < 6; s++) writeSystem32(oldBase + 0x48 + s * 4, segSelector(s));
  } else {
    writeSystem16(oldBase + 0x0E, returnEip);
    writeSystem16(oldBase + 0x10, flags);
    for (let r: u32 = 0; r < 8; r++) writeSystem16(oldBase + 0x12 + r * 2, reg16(r));
    for (let s: u32 = 0; s < 4; s++) writeSystem16(oldBase + 0x22 + s * 2, segSelector(s));
  }
  // Busy bits: the old task stays busy when it is nested (CALL, INT).
  if (kind == TASK_JMP || kind == TASK_IRET) setBusy(oldSel, false);
  if (kind == TASK_CALL || kind == TASK_INT) writeSystem16(newBase, oldSel);
  if (kind != TASK_IRET) {
    writeSystem32(newAddr + 4, newHi | 0x200);
  }

  // Load TR and read the incoming state.
  store<u32>(S_TR_SEL, sel);
  store<u32>(S_TR_BASE, newBase);
  store<u32>(S_TR_LIMIT, newLimit);
  store<u32>(S_TR_ATTR, descAttr(newHi) | 0x2); // busy
  store<u32>(S_CR0, load<u32>(S_CR0) | CR0_TS);
  store<u32>(ST_DESC_TABLE, load<u32>(ST_DESC_TABLE) + 1);

  let eip: u32, nflags: u32, ldt: u32;
  if (new32) {
    if ((load<u32>(S_CR0) & CR0_PG) != 0) {
      store<u32>(S_CR3, readSystem32(newBase + 0x1C) & 0xFFFFF018);
      tlbFlushNonGlobal();
    }
    eip = readSystem32(newBase + 0x20);
    nflags = readSystem32(newBase + 0x24);
    for (let r: u32 = 0; r < 8; r++) setReg32(r, readSystem32(newBase + 0x28 + r * 4));
    for (let s: u32 = 0; s < 6; s++) selSet(s, readSystem16(newBase + 0x48 + s * 4));
    ldt = readSystem16(newBase + 0x60);
  } else {
    eip = readSystem16(newBase + 0x0E);
    nflags = readSystem16(newBase + 0x10) | (getEflags() & 0xFFFF0000 & ~VM);
    for (let r: u32 = 0; r < 8; r++) setReg16(r, readSystem16(newBase + 0x12 + r * 2));
    for (let s: u32 = 0; s < 4; s++) selSet(s, readSystem16(newBase + 0x22 + s * 2));
    selSet(4, 0); selSet(5, 0);
    ldt = readSystem16(newBase + 0x2A);
  }
  if (kind == TASK_CALL || kind == TASK_INT) nflags |= NT;
  setEflagsRaw(nflags);
  setEip(eip);

  // LDT, then the segment registers, with #TS for what the new task holds wrong (SDM vol. 3, 7.3 step 12).
  store<u32>(S_LDTR_SEL, ldt);
  if ((ldt & 0xFFFC) == 0) {
    store<u32>(S_LDTR_BASE, 0); store<u32>(S_LDTR_LIMIT, 0);
  } else {
    if ((ldt & 4) != 0 || !readDescriptor(ldt) || descIsSegment(descHi) || descType(descHi) != SYS_LDT) raiseFault(VEC_TS, err(ldt));
    if (!descPresent(descHi)) raiseFault(VEC_TS, err(ldt));
    store<u32>(S_LDTR_BASE, descBase(descLo, descHi));
    store<u32>(S_LDTR_LIMIT, descLimit(descLo, descHi));
  }
  if ((nflags & VM) != 0) {
    for (let s: u32 = 0; s < 6; s++) loadSegmentV86(s, selGet(s));
    setCpl(3);
    return;
  }
  const csSel = selGet(CS);
  if ((csSel & 0xFFFC) == 0 || !readDescriptor(csSel) || (descHi & 0x1800) != 0x1800) raiseFault(VEC_TS, err(csSel));
  if (!descPresent(descHi)) raiseFault(VEC_NP, err(csSel));
  setSegmentFromDescriptor(CS, csSel);
  setCpl(csSel & 3);
  setSelectorFault(VEC_TS);
  loadSegment(SS, selGet(SS));
  for (let s: u32 = 0; s < 6; s++) {
    if (s == CS || s == SS) continue;
    if ((selGet(s) & 0xFFFC) == 0) setSegmentUnusable(s, selGet(s));
    else loadSegment(s, selGet(s));
  }
  setSelectorFault(VEC_GP);
}

function setBusy(sel: u32, busy: bool): void {
  if (!readDescriptor(sel)) return;
  const hi = busy ? descHi | 0x200 : descHi & ~0x200;
  writeSystem32(descAddr + 4, hi);
}

// The incoming task's six selectors, kept in scratch words (the core does not allocate).
// @ts-ignore: decorator
@inline function selSet(s: u32, v: u32): void { store<u32>(S_SCRATCH + (s << 2), v); }
// @ts-ignore: decorator
@inline function selGet(s: u32): u32 { return load<u32>(S_SCRATCH + (s << 2)); }
