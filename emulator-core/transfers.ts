// Far control transfers: JMP, CALL, RET, IRET (SDM vol. 2, those instructions; vol. 3, 5.8
// privilege level checking when transferring program control, and 6.14 / 20.3 for IRET).

import { S_CPL, S_CR4, S_TR_BASE, S_TR_LIMIT, S_TR_ATTR, S_TR_SEL, ST_POPF_IRET } from "./layout";
import {
  getEip, setEip, reg32, setReg32, ESP, CS, SS, DS, ES, FS, GS, segSelector, segLimit, ss32, getEflags,
  setEflagsRaw, VM, NT, IF, IOPL, RF, TF, AC, ID, VIF, VIP, cr0, CR0_PE, flagsRaw,
} from "./state";
import { push16, push32, pop16, pop32, read16, read32, stackPointer, setStackPointer, readSystem32, readSystem16 } from "./memory";
import { raiseFault, VEC_GP, VEC_NP, VEC_SS, VEC_TS } from "./faults";
import {
  readDescriptor, descAddr, descLo, descHi, descDpl, descPresent, descIsCode, descConforming, descIsSegment, descType,
  descWritable, descLimit, markAccessed, setDescriptor,
  SYS_CALL_GATE16, SYS_CALL_GATE32, SYS_TASK_GATE, SYS_TSS16_AVAIL, SYS_TSS32_AVAIL,
} from "./descriptors";
import {
  loadSegmentReal, loadSegmentV86, setSegmentFromDescriptor, cpl, setCpl, loadStackSegment,
  nullInaccessibleDataSegments, protectedMode,
} from "./segments";
import { taskSwitch, TASK_JMP, TASK_CALL, TASK_IRET } from "./tasks";

// @ts-ignore: decorator
@inline function err(sel: u32): i32 { return <i32>(sel & 0xFFFC); }
// @ts-ignore: decorator
@inline function pushBySize(v: u32, size: u32): void { if (size == 32) push32(v); else push16(v); }
// @ts-ignore: decorator
@inline function popBySize(size: u32): u32 { return size == 32 ? pop32() : pop16(); }
/** Read the stack at SS:eSP + delta. */
function stackAt(delta: u32, size: u32): u32 {
  const off = ss32 ? reg32(ESP) + delta : (reg32(ESP) + delta) & 0xFFFF;
  return size == 32 ? read32(SS, off) : read16(SS, off);
}

/**
 * Checks for a code segment reached directly by JMP or CALL (SDM vol. 3, 5.8.1): conforming needs
 * DPL <= CPL, non-conforming RPL <= CPL and DPL = CPL. The descriptor is in descLo/descHi.
 */
function checkDirectCodeTarget(sel: u32): void {
  const dpl = descDpl(descHi), c = cpl();
  if (descConforming(descHi)) {
    if (dpl > c) raiseFault(VEC_GP, err(sel));
  } else if ((sel & 3) > c || dpl != c) {
    raiseFault(VEC_GP, err(sel));
  }
  if (!descPresent(descHi)) raiseFault(VEC_NP, err(sel));
}

/** Load CS from the descriptor in descLo/descHi at privilege `level`, and EIP (checked against the limit). */
function enterCode(sel: u32, offset: u32, level: u32): void {
  if (offset > descLimit(descLo, descHi)) raiseFault(VEC_GP, 0);
  markAccessed();
  setSegmentFromDescriptor(CS, (sel & 0xFFFC) | level);
  setEip(offset);
}

/** Read a gate's target code segment descriptor into descLo/descHi, with the common checks. */
function readGateTarget(target: u32): void {
  if ((target & 0xFFFC) == 0) raiseFault(VEC_GP, 0);
  if (!readDescriptor(target) || !descIsCode(descHi)) raiseFault(VEC_GP, err(target));
}

/**
 * Read the descriptor a far JMP/CALL names. True for a code segment (checked as a direct
 * target); false for a system descriptor (gate or TSS), left in descLo/descHi for the caller.
 */
function readFarTarget(sel: u32): bool {
  if ((sel & 0xFFFC) == 0) raiseFault(VEC_GP, 0);
  if (!readDescriptor(sel)) raiseFault(VEC_GP, err(sel));
  if (!descIsSegment(descHi)) return false;
  if (!descIsCode(descHi)) raiseFault(VEC_GP, err(sel));
  checkDirectCodeTarget(sel);
  return true;
}

export function farJump(sel: u32, offset: u32, size: u32): void {
  sel &= 0xFFFF;
  if (!protectedMode()) {
    loadSegmentReal(CS, sel);
    setEip(size == 16 ? offset & 0xFFFF : offset);
    return;
  }
  if (readFarTarget(sel)) {
    enterCode(sel, size == 16 ? offset & 0xFFFF : offset, cpl());
    return;
  }
  const type = descType(descHi), dpl = descDpl(descHi);
  if (dpl < cpl() || dpl < (sel & 3)) raiseFault(VEC_GP, err(sel));
  if (type == SYS_CALL_GATE16 || type == SYS_CALL_GATE32) {
    if (!descPresent(descHi)) raiseFault(VEC_NP, err(sel));
    const target = descLo >>> 16;
    const off = type == SYS_CALL_GATE32 ? (descLo & 0xFFFF) | (descHi & 0xFFFF0000) : descLo & 0xFFFF;
    readGateTarget(target);
    const tdpl = descDpl(descHi);
    // JMP through a call gate cannot change the privilege level.
    if (descConforming(descHi) ? tdpl > cpl() : tdpl != cpl()) raiseFault(VEC_GP, err(target));
    if (!descPresent(descHi)) raiseFault(VEC_NP, err(target));
    enterCode(target, off, cpl());
  } else if (type == SYS_TASK_GATE) {
    if (!descPresent(descHi)) raiseFault(VEC_NP, err(sel));
    taskSwitch(descLo >>> 16, TASK_JMP, getEip());
  } else if (type == SYS_TSS16_AVAIL || type == SYS_TSS32_AVAIL) {
    taskSwitch(sel, TASK_JMP, getEip());
  } else {
    raiseFault(VEC_GP, err(sel));
  }
}

export function farCall(sel: u32, offset: u32, size: u32): void {
  sel &= 0xFFFF;
  const returnEip = getEip();
  if (!protectedMode()) {
    pushBySize(segSelector(CS), size);
    pushBySize(returnEip, size);
    loadSegmentReal(CS, sel);
    setEip(size == 16 ? offset & 0xFFFF : offset);
    return;
  }
  if (readFarTarget(sel)) {
    const off = size == 16 ? offset & 0xFFFF : offset;
    if (off > descLimit(descLo, descHi)) raiseFault(VEC_GP, 0);
    pushBySize(segSelector(CS), size);
    pushBySize(returnEip, size);
    enterCode(sel, off, cpl());
    return;
  }
  const type = descType(descHi), gdpl = descDpl(descHi);
  if (gdpl < cpl() || gdpl < (sel & 3)) raiseFault(VEC_GP, err(sel));
  if (type == SYS_TASK_GATE) {
    if (!descPresent(descHi)) raiseFault(VEC_NP, err(sel));
    taskSwitch(descLo >>> 16, TASK_CALL, returnEip);
    return;
  }
  if (type == SYS_TSS16_AVAIL || type == SYS_TSS32_AVAIL) {
    taskSwitch(sel, TASK_CALL, returnEip);
    return;
  }
  if (type != SYS_CALL_GATE16 && type != SYS_CALL_GATE32) raiseFault(VEC_GP, err(sel));
  if (!descPresent(descHi)) raiseFault(VEC_NP, err(sel));
  callGate(type == SYS_CALL_GATE32 ? 32 : 16, returnEip);
}


/** CALL through a call gate in descLo/descHi (SDM vol. 3, 5.8.5 and 5.8.6). */
function callGate(gateSize: u32, returnEip: u32): void {
  const target = descLo >>> 16;
  const off = gateSize == 32 ? (descLo & 0xFFFF) | (descHi & 0xFFFF0000) : descLo & 0xFFFF;
  const params = descHi & 0x1F;
  readGateTarget(target);
  const tdpl = descDpl(descHi);
  if (tdpl > cpl()) raiseFault(VEC_GP, err(target));
  if (!descPresent(descHi)) raiseFault(VEC_NP, err(target));
  const codeLo = descLo, codeHi = descHi, codeAddr = descAddr;
  if (off > descLimit(codeLo, codeHi)) raiseFault(VEC_GP, 0);
  const oldCs = segSelector(CS);
  if (!descConforming(codeHi) && tdpl < cpl()) {
    // More privileged: switch to the inner stack from the TSS, copy the parameters.
    const oldSs = segSelector(SS), oldEsp = reg32(ESP);
    const oldSs32 = ss32;
    const newSs = tssStackSelector(tdpl), newEsp = tssStackPointer(tdpl);
    loadInnerStack(newSs, tdpl);
    setStackPointer(newEsp);
    pushBySize(oldSs, gateSize);
    pushBySize(oldEsp, gateSize);
    // Parameters, from the outer stack (addressed with its own size), deepest first.
    const step = gateSize >> 3;
    for (let i: u32 = params; i > 0; i--) {
      const at = oldEsp + (i - 1) * step;
      pushBySize(readOuter(oldSsBase, oldSs32 ? at : at & 0xFFFF, gateSize), gateSize);
    }
    pushBySize(oldCs, gateSize);
    pushBySize(returnEip, gateSize);
    setCpl(tdpl);
  } else {
    pushBySize(oldCs, gateSize);
    pushBySize(returnEip, gateSize);
  }
  setDescriptor(codeLo, codeHi, codeAddr);
  enterCode(target, off, cpl());
}

/** Base of the outer stack segment (kept while the inner SS is loaded, for parameter copies). */
let oldSsBase: u32 = 0;
import { segBase } from "./state";
import { readLin16, readLin32 } from "./memory";
function readOuter(base: u32, off: u32, size: u32): u32 {
  return size == 32 ? readLin32(base + off) : readLin16(base + off);
}

/** Validate and load the inner stack SS for privilege `dpl` (#TS rather than #GP, SDM vol. 3, 6.12.1). */
export function loadInnerStack(newSs: u32, dpl: u32): void {
  oldSsBase = segBase(SS);
  if ((newSs & 0xFFFC) == 0) raiseFault(VEC_TS, 0);
  if (!readDescriptor(newSs)) raiseFault(VEC_TS, err(newSs));
  if ((newSs & 3) != dpl || descDpl(descHi) != dpl || !descWritable(descHi)) raiseFault(VEC_TS, err(newSs));
  if (!descPresent(descHi)) raiseFault(VEC_SS, err(newSs));
  markAccessed();
  setSegmentFromDescriptor(SS, newSs);
}

/** SS:ESP for privilege level `dpl` from the current TSS (32- or 16-bit by its type). */
export function tssStackSelector(dpl: u32): u32 {
  const tss32 = (load<u32>(S_TR_ATTR) & 8) != 0;
  const off: u32 = tss32 ? 8 + dpl * 8 : 4 + dpl * 4;
  if (off + 1 > load<u32>(S_TR_LIMIT)) raiseFault(VEC_TS, err(load<u32>(S_TR_SEL)));
  return readSystem16(load<u32>(S_TR_BASE) + off);
}
export function tssStackPointer(dpl: u32): u32 {
  const tss32 = (load<u32>(S_TR_ATTR) & 8) != 0;
  const off: u32 = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
  const last: u32 = tss32 ? 3 : 1;
  if (off + last > load<u32>(S_TR_LIMIT)) raiseFault(VEC_TS, err(load<u32>(S_TR_SEL)));
  return tss32 ? readSystem32(load<u32>(S_TR_BASE) + off) : readSystem16(load<u32>(S_TR_BASE) + off);
}

/**
 * Checks for the CS popped by RET or IRET (SDM vol. 2, RET): a code segment with RPL >= CPL,
 * DPL <= RPL when conforming, DPL = RPL otherwise, present. Leaves it in descLo/descHi.
 */
function checkReturnCode(sel: u32): void {
  if ((sel & 0xFFFC) == 0) raiseFault(VEC_GP, 0);
  if (!readDescriptor(sel) || !descIsCode(descHi)) raiseFault(VEC_GP, err(sel));
  const rpl = sel & 3, dpl = descDpl(descHi);
  if (rpl < cpl()) raiseFault(VEC_GP, err(sel));
  if (descConforming(descHi) ? dpl > rpl : dpl != rpl) raiseFault(VEC_GP, err(sel));
  if (!descPresent(descHi)) raiseFault(VEC_NP, err(sel));
}

export function farReturn(imm: u32, size: u32): void {
  if (!protectedMode()) {
    const off = popBySize(size);
    const sel = popBySize(size) & 0xFFFF;
    loadSegmentReal(CS, sel);
    setEip(off);
    if (imm != 0) setStackPointer(ss32 ? stackPointer() + imm : (stackPointer() + imm) & 0xFFFF);
    return;
  }
  const step = size >> 3;
  const off = stackAt(0, size);
  const sel = stackAt(step, size) & 0xFFFF;
  checkReturnCode(sel);
  const rpl = sel & 3;
  const codeLo = descLo, codeHi = descHi, codeAddr = descAddr;
  if (rpl == cpl()) {
    if (off > descLimit(codeLo, codeHi)) raiseFault(VEC_GP, 0);
    setStackPointer(ss32 ? stackPointer() + 2 * step + imm : (stackPointer() + 2 * step + imm) & 0xFFFF);
    enterCode(sel, off, rpl);
    return;
  }
  // Return to an outer privilege level: the outer SS:ESP follow the parameters.
  const newEsp = stackAt(2 * step + imm, size);
  const newSs = stackAt(3 * step + imm, size) & 0xFFFF;
  if (off > descLimit(codeLo, codeHi)) raiseFault(VEC_GP, 0);
  loadStackSegment(newSs, rpl);
  setDescriptor(codeLo, codeHi, codeAddr);
  setCpl(rpl);
  enterCode(sel, off, rpl);
  setStackPointer(size == 16 ? (newEsp + imm) & 0xFFFF : newEsp + imm);
  nullInaccessibleDataSegments(rpl);
}

/**
 * IRET (SDM vol. 2, IRET). Real mode; virtual-8086 mode (IOPL 3, else #GP(0)); nested-task return;
 * same-level and outer-level protected-mode returns; the return to virtual-8086 mode from CPL 0.
 */
export function interruptReturn(size: u32): void {
  store<u32>(ST_POPF_IRET, load<u32>(ST_POPF_IRET) + 1);
  const pe = (cr0() & CR0_PE) != 0;
  const flags = flagsRaw();
  if ((flags & VM) != 0 && ((flags >> 12) & 3) < 3) {
    // Virtual-8086 mode, IOPL < 3: only the 16-bit form under CR4.VME, with IF going to VIF (SDM vol. 3, 20.4).
    if ((load<u32>(S_CR4) & 1) == 0 || size == 32) raiseFault(VEC_GP, 0);
    const f = stackAt(4, 16);
    if (((f & IF) != 0 && (flags & VIP) != 0) || (f & TF) != 0) raiseFault(VEC_GP, 0);
    const off = pop16();
    const sel = pop16();
    pop16();
    loadSegmentReal(CS, sel);
    setEip(off);
    const keep: u32 = IF | IOPL;
    let nf = (getEflags() & ~0xFFFF) | (getEflags() & keep) | (f & 0xFFFF & ~keep);
    nf = (f & IF) != 0 ? nf | VIF : nf & ~VIF;
    setEflagsRaw(nf);
    return;
  }
  if (!pe || (flags & VM) != 0) {
    const off = popBySize(size);
    const sel = popBySize(size) & 0xFFFF;
    const f = popBySize(size);
    if (off > segLimit(CS) && size == 16) raiseFault(VEC_GP, 0);
    loadSegmentReal(CS, sel);
    setEip(off);
    // Real mode: every flag may change. Virtual-8086 mode: IOPL and VM stay (SDM vol. 2, IRET).
    const keep: u32 = (flags & VM) != 0 ? IOPL | VM | VIF | VIP : VM | VIF | VIP;
    let mask: u32 = size == 32 ? 0x00257FD5 : 0x7FD5;
    mask &= ~keep;
    setEflagsRaw((getEflags() & ~mask) | (f & mask));
    return;
  }
  if ((flags & NT) != 0) {
    // Return from a nested task: the back link is the TSS's first word.
    const back = readSystem16(load<u32>(S_TR_BASE));
    taskSwitch(back, TASK_IRET, getEip());
    return;
  }
  const step = size >> 3;
  const off = stackAt(0, size);
  const sel = stackAt(step, size) & 0xFFFF;
  const f = stackAt(2 * step, size);
  if (size == 32 && (f & VM) != 0 && cpl() == 0) {
    returnToV86(off, sel, f);
    return;
  }
  checkReturnCode(sel);
  const rpl = sel & 3;
  const codeLo = descLo, codeHi = descHi, codeAddr = descAddr;
  const oldCpl = cpl();
  if (off > descLimit(codeLo, codeHi)) raiseFault(VEC_GP, 0);
  if (rpl == oldCpl) {
    setStackPointer(ss32 ? stackPointer() + 3 * step : (stackPointer() + 3 * step) & 0xFFFF);
    enterCode(sel, off, rpl);
  } else {
    const newEsp = stackAt(3 * step, size);
    const newSs = stackAt(4 * step, size) & 0xFFFF;
    loadStackSegment(newSs, rpl);
    setDescriptor(codeLo, codeHi, codeAddr);
    setCpl(rpl);
    enterCode(sel, off, rpl);
    setStackPointer(size == 16 ? newEsp & 0xFFFF : newEsp);
    nullInaccessibleDataSegments(rpl);
  }
  writeReturnedFlags(f, size, oldCpl);
}

/** EFLAGS from IRET: IOPL only at CPL 0, IF only when CPL <= IOPL, VIF/VIP only at CPL 0 (32-bit). */
function writeReturnedFlags(f: u32, size: u32, oldCpl: u32): void {
  const old = getEflags();
  let mask: u32 = 0x0001 | 0x0004 | 0x0010 | 0x0040 | 0x0080 | TF | 0x0400 | 0x0800 | NT;
  if (size == 32) mask |= RF | AC | ID;
  if (oldCpl <= ((old >> 12) & 3)) mask |= IF;
  if (oldCpl == 0) { mask |= IOPL; if (size == 32) mask |= VIF | VIP; }
  setEflagsRaw((old & ~mask) | (f & mask));
}

/** IRET from CPL 0 with VM set in the popped EFLAGS (SDM vol. 3, 20.3.3). */
function returnToV86(off: u32, sel: u32, f: u32): void {
  const esp = stackAt(12, 32), ss = stackAt(16, 32);
  const es = stackAt(20, 32), ds = stackAt(24, 32), fs = stackAt(28, 32), gs = stackAt(32, 32);
  setEflagsRaw(f);
  loadSegmentV86(CS, sel);
  loadSegmentV86(SS, ss);
  loadSegmentV86(ES, es);
  loadSegmentV86(DS, ds);
  loadSegmentV86(FS, fs);
  loadSegmentV86(GS, gs);
  setReg32(ESP, esp);
  setEip(off & 0xFFFF);
  setCpl(3);
}
