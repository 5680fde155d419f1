// The instruction counter. It is a wasm global (globals survive the trap a fault leaves by) and
// is copied to S_ICOUNT whenever the host may look.

import { S_ICOUNT, S_CPL, ST_INSN_RING } from "./layout";

export let icount: u64 = 0;
// @ts-ignore: decorator
@inline export function countInstruction(): void { icount++; }
export function instructionsRetired(): u64 { return icount; }
export function setInstructionsRetired(v: u64): void { icount = v; ringMark = v; syncCounters(); }
export function syncCounters(): void {
  store<u64>(S_ICOUNT, icount);
  creditRing(load<u32>(S_CPL));
}

/**
 * Instructions by privilege level: the instructions since the last ring change (or sync) are
 * credited to the ring they ran in, on every CPL change and whenever the host looks.
 */
let ringMark: u64 = 0;
export function creditRing(ring: u32): void {
  const slot = ST_INSN_RING + ((ring & 3) << 3);
  store<u64>(slot, load<u64>(slot) + (icount - ringMark));
  ringMark = icount;
}
