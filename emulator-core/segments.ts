// Loading segment registers (SDM vol. 3, 3.4). Real mode and virtual-8086 mode set
// base = selector * 16 and keep the cached limit and attributes, as the 386 and later do.

import { S_SEG_SEL, S_SEG_BASE, S_SEG_LIMIT, S_SEG_ATTR, S_SEG_CHECK, S_ATTENTION } from "./layout";
import { CS, SS, setCsDefault32, setSs32, ATTR_DB, ATT_SHADOW } from "./state";
import { invalidateFetch } from "./memory";

export function loadSegmentReal(s: u32, selector: u32): void {
  selector &= 0xFFFF;
  store<u32>(S_SEG_SEL + (s << 2), selector);
  store<u32>(S_SEG_BASE + (s << 2), selector << 4);
  if (s == CS) invalidateFetch();
}

/** Set every field of a segment cache (reset, mode switches, the host). */
export function setSegmentCache(s: u32, selector: u32, base: u32, limit: u32, attr: u32, check: u32): void {
  store<u32>(S_SEG_SEL + (s << 2), selector & 0xFFFF);
  store<u32>(S_SEG_BASE + (s << 2), base);
  store<u32>(S_SEG_LIMIT + (s << 2), limit);
  store<u32>(S_SEG_ATTR + (s << 2), attr);
  store<u32>(S_SEG_CHECK + (s << 2), check);
  if (s == CS) { setCsDefault32((attr & ATTR_DB) != 0); invalidateFetch(); }
  if (s == SS) setSs32((attr & ATTR_DB) != 0);
}

/** Load a segment register from an instruction (MOV Sreg, POP Sreg, LDS...). */
export function loadSegment(s: u32, selector: u32): void {
  loadSegmentReal(s, selector);
  // MOV SS and POP SS inhibit interrupts until after the next instruction (SDM vol. 3, 6.8.3).
  if (s == SS) store<u32>(S_ATTENTION, load<u32>(S_ATTENTION) | ATT_SHADOW);
}
