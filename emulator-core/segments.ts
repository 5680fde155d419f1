// Loading segment registers (SDM vol. 3, 3.4 and 5.4-5.6; vol. 2, MOV and POP). Real mode and
// virtual-8086 mode set base = selector * 16 and keep the cached limit and attributes, as the 386
// and later do; protected mode loads the descriptor with every check.

import {
  S_SEG_SEL, S_SEG_BASE, S_SEG_LIMIT, S_SEG_ATTR, S_SEG_CHECK, S_SEG_WCHECK, S_ATTENTION, S_CPL,
  SEGCHK_UNUSABLE, SEGCHK_EXPAND_DOWN, SEGCHK_DENY,
} from "./layout";
import { CS, SS, DS, ES, FS, GS, setCsDefault32, setSs32, ATTR_DB, ATT_SHADOW, cr0, CR0_PE, flagsRaw, VM } from "./state";
import { invalidateFetch, setUserMode } from "./memory";
import { creditRing } from "./counters";
import { raiseFault, VEC_GP, VEC_NP, VEC_SS } from "./faults";
import {
  readDescriptor, descLo, descHi, descBase, descLimit, descAttr, descDpl, descPresent, descIsCode, descIsData,
  descConforming, descReadable, descWritable, markAccessed,
} from "./descriptors";

export function loadSegmentReal(s: u32, selector: u32): void {
  selector &= 0xFFFF;
  store<u32>(S_SEG_SEL + (s << 2), selector);
  store<u32>(S_SEG_BASE + (s << 2), selector << 4);
  if (s == CS) invalidateFetch();
}

/** Real-mode style load that also resets limit and attributes (entering virtual-8086 mode). */
export function loadSegmentV86(s: u32, selector: u32): void {
  // In virtual-8086 mode every segment is a 64 KiB, writable, DPL-3 segment (SDM vol. 3, 20.2.1).
  setSegmentCache(s, selector & 0xFFFF, (selector & 0xFFFF) << 4, 0xFFFF, 0xF3);
}

/** Set every field of a segment cache; the check flags follow from the attributes. */
export function setSegmentCache(s: u32, selector: u32, base: u32, limit: u32, attr: u32): void {
  store<u32>(S_SEG_SEL + (s << 2), selector & 0xFFFF);
  store<u32>(S_SEG_BASE + (s << 2), base);
  store<u32>(S_SEG_LIMIT + (s << 2), limit);
  store<u32>(S_SEG_ATTR + (s << 2), attr);
  let rcheck: u32 = 0, wcheck: u32 = 0;
  if ((attr & 0x10) != 0) { // code or data
    if ((attr & 0x08) != 0) { // code: never writable; execute-only unless readable
      wcheck = SEGCHK_DENY;
      if ((attr & 0x02) == 0) rcheck = SEGCHK_DENY;
    } else {
      if ((attr & 0x04) != 0) { rcheck = SEGCHK_EXPAND_DOWN; wcheck = SEGCHK_EXPAND_DOWN; }
      if ((attr & 0x02) == 0) wcheck |= SEGCHK_DENY;
    }
  }
  // CS keeps working for fetches; its data-access checks apply to CS-override accesses.
  store<u32>(S_SEG_CHECK + (s << 2), rcheck);
  store<u32>(S_SEG_WCHECK + (s << 2), wcheck);
  if (s == CS) { setCsDefault32((attr & ATTR_DB) != 0); invalidateFetch(); }
  if (s == SS) setSs32((attr & ATTR_DB) != 0);
}

/** A null selector in DS/ES/FS/GS: loading is fine, any later access is #GP(0). */
export function setSegmentUnusable(s: u32, selector: u32): void {
  store<u32>(S_SEG_SEL + (s << 2), selector & 0xFFFF);
  store<u32>(S_SEG_BASE + (s << 2), 0);
  store<u32>(S_SEG_LIMIT + (s << 2), 0);
  store<u32>(S_SEG_ATTR + (s << 2), 0);
  store<u32>(S_SEG_CHECK + (s << 2), SEGCHK_UNUSABLE);
  store<u32>(S_SEG_WCHECK + (s << 2), SEGCHK_UNUSABLE);
}

/** Load the cache from the descriptor last read (descLo/descHi). */
export function setSegmentFromDescriptor(s: u32, selector: u32): void {
  setSegmentCache(s, selector, descBase(descLo, descHi), descLimit(descLo, descHi), descAttr(descHi));
}

// @ts-ignore: decorator
@inline export function cpl(): u32 { return load<u32>(S_CPL); }
export function setCpl(c: u32): void {
  if (c != load<u32>(S_CPL)) creditRing(load<u32>(S_CPL));
  store<u32>(S_CPL, c);
  setUserMode(c == 3);
}

// @ts-ignore: decorator
@inline export function protectedMode(): bool { return (cr0() & CR0_PE) != 0 && (flagsRaw() & VM) == 0; }

// @ts-ignore: decorator
@inline function selectorError(sel: u32): i32 { return <i32>(sel & 0xFFFC); }

/** Load a data or stack segment register from an instruction (MOV Sreg, POP Sreg, LDS...). */
export function loadSegment(s: u32, selector: u32): void {
  selector &= 0xFFFF;
  if (!protectedMode()) {
    loadSegmentReal(s, selector);
  } else if (s == SS) {
    loadStackSegment(selector, cpl());
  } else {
    loadDataSegment(s, selector);
  }
  // MOV SS and POP SS inhibit interrupts until after the next instruction (SDM vol. 3, 6.8.3).
  if (s == SS) store<u32>(S_ATTENTION, load<u32>(S_ATTENTION) | ATT_SHADOW);
}

/**
 * The vector for an invalid selector: #GP for instructions, #TS while a task switch loads the
 * new task's segment registers (SDM vol. 3, 7.3, step 12). Reset by every fault delivery.
 */
let selectorFault: u32 = VEC_GP;
export function setSelectorFault(v: u32): void { selectorFault = v; }

/** DS ES FS GS in protected mode (SDM vol. 2, MOV: protected-mode checks). */
function loadDataSegment(s: u32, selector: u32): void {
  if ((selector & 0xFFFC) == 0) { setSegmentUnusable(s, selector); return; }
  if (!readDescriptor(selector)) raiseFault(selectorFault, selectorError(selector));
  const hi = descHi;
  if (!descReadable(hi) || (descHi & 0x1000) == 0) raiseFault(selectorFault, selectorError(selector));
  if (descIsData(hi) || !descConforming(hi)) {
    const dpl = descDpl(hi);
    if ((selector & 3) > dpl || cpl() > dpl) raiseFault(selectorFault, selectorError(selector));
  }
  if (!descPresent(hi)) raiseFault(VEC_NP, selectorError(selector));
  markAccessed();
  setSegmentFromDescriptor(s, selector);
}

/**
 * SS for privilege level `rpl` (the CPL, or the new CPL of a stack switch): a writable data
 * segment with RPL = DPL = that level; #GP(sel) otherwise, #SS(sel) when not present.
 */
export function loadStackSegment(selector: u32, level: u32): void {
  if ((selector & 0xFFFC) == 0) raiseFault(selectorFault, 0);
  if (!readDescriptor(selector)) raiseFault(selectorFault, selectorError(selector));
  if ((selector & 3) != level || descDpl(descHi) != level || !descWritable(descHi)) raiseFault(selectorFault, selectorError(selector));
  if (!descPresent(descHi)) raiseFault(VEC_SS, selectorError(selector));
  markAccessed();
  setSegmentFromDescriptor(SS, selector);
}

/**
 * After a return to an outer privilege level: a data segment register whose descriptor the new
 * CPL may not use is loaded with the null selector (SDM vol. 2, RET and IRET).
 */
export function nullInaccessibleDataSegments(newCpl: u32): void {
  for (let s: u32 = 0; s < 6; s++) {
    if (s != ES && s != DS && s != FS && s != GS) continue;
    const attr = load<u32>(S_SEG_ATTR + (s << 2));
    if ((load<u32>(S_SEG_CHECK + (s << 2)) & SEGCHK_UNUSABLE) != 0) continue;
    const dpl = (attr >> 5) & 3;
    const isData = (attr & 0x18) == 0x10;
    const conformingCode = (attr & 0x1C) == 0x1C;
    if ((isData || !conformingCode) && dpl < newCpl) setSegmentUnusable(s, 0);
  }
}
