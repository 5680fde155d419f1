// The instruction counter. It is a wasm global (globals survive the trap a fault leaves by) and
// is copied to S_ICOUNT whenever the host may look.

import { S_ICOUNT } from "./layout";

export let icount: u64 = 0;
// @ts-ignore: decorator
@inline export function countInstruction(): void { icount++; }
export function instructionsRetired(): u64 { return icount; }
export function setInstructionsRetired(v: u64): void { icount = v; syncCounters(); }
export function syncCounters(): void { store<u64>(S_ICOUNT, icount); }
