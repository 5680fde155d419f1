// x87 FPU register stack, control/status/tag words and the instruction and data pointers
// (SDM vol. 1, 8.1). The state lives in linear memory at FPU_BASE (layout.ts) so the host can
// save and inspect it; only ESC opcodes (D8-DF) and WAIT ever touch it.

import { ATT_STOP } from "../state";
import {
  FPU_REGS, FPU_CW, FPU_SW, FPU_TOP, FPU_TAGS, FPU_FIP, FPU_FCS, FPU_FOP, FPU_FDP, FPU_FDS, FPU_IRQ13_PENDING, S_ATTENTION,
} from "../layout";
import { cr0, CR0_NE, segSelector, CS, instrEip } from "../state";
import { raiseFault, VEC_MF, NO_ERROR_CODE } from "../faults";
import { E_IE, E_SF, INDEF_SE, INDEF_SIG } from "./softfloat";

// Status word (SDM vol. 1, figure 8-4)
export const SW_EXC: u32 = 0x3F, SW_SF: u32 = 0x40, SW_ES: u32 = 0x80;
export const SW_C0: u32 = 0x100, SW_C1: u32 = 0x200, SW_C2: u32 = 0x400, SW_C3: u32 = 0x4000, SW_B: u32 = 0x8000;
export const SW_CC: u32 = SW_C0 | SW_C1 | SW_C2 | SW_C3;
// Tag values (SDM vol. 1, figure 8-7)
export const TAG_VALID: u32 = 0, TAG_ZERO: u32 = 1, TAG_SPECIAL: u32 = 2, TAG_EMPTY: u32 = 3;

// @ts-ignore: decorator
@inline export function fpuCW(): u32 { return load<u32>(FPU_CW); }
// @ts-ignore: decorator
@inline export function fpuTop(): u32 { return load<u32>(FPU_TOP); }
// @ts-ignore: decorator
@inline function phys(i: u32): u32 { return (load<u32>(FPU_TOP) + i) & 7; }
// @ts-ignore: decorator
@inline export function physSE(p: u32): u32 { return load<u16>(FPU_REGS + (p << 4) + 8); }
// @ts-ignore: decorator
@inline export function physSig(p: u32): u64 { return load<u64>(FPU_REGS + (p << 4)); }
// @ts-ignore: decorator
@inline export function physEmpty(p: u32): bool { return (load<u32>(FPU_TAGS) & (<u32>1 << p)) == 0; }
export function setPhys(p: u32, se: u32, sig: u64): void {
  store<u64>(FPU_REGS + (p << 4), sig);
  store<u16>(FPU_REGS + (p << 4) + 8, <u16>se);
  store<u32>(FPU_TAGS, load<u32>(FPU_TAGS) | (<u32>1 << p));
}

/** Write a physical register without touching its tag (FRSTOR). */
export function setPhysRaw(p: u32, se: u32, sig: u64): void {
  store<u64>(FPU_REGS + (p << 4), sig);
  store<u16>(FPU_REGS + (p << 4) + 8, <u16>se);
}
/** ST(i). */
export function stSE(i: u32): u32 { return physSE(phys(i)); }
export function stSig(i: u32): u64 { return physSig(phys(i)); }
export function stEmpty(i: u32): bool { return physEmpty(phys(i)); }
export function setST(i: u32, se: u32, sig: u64): void { setPhys(phys(i), se, sig); }
/** Mark ST(i) empty (FFREE). */
export function freeST(i: u32): void { store<u32>(FPU_TAGS, load<u32>(FPU_TAGS) & ~(<u32>1 << phys(i))); }
/** Whether a push would overwrite a register in use (stack overflow). */
export function pushWouldOverflow(): bool { return physEmpty((load<u32>(FPU_TOP) - 1) & 7) == false; }
export function push(se: u32, sig: u64): void {
  const t = (load<u32>(FPU_TOP) - 1) & 7;
  store<u32>(FPU_TOP, t);
  setPhys(t, se, sig);
}
export function pop(): void {
  const t = load<u32>(FPU_TOP);
  store<u32>(FPU_TAGS, load<u32>(FPU_TAGS) & ~(<u32>1 << t));
  store<u32>(FPU_TOP, (t + 1) & 7);
}
export function setTop(t: u32): void { store<u32>(FPU_TOP, t & 7); }

/** The status word with TOP in bits 11-13. */
export function statusWord(): u32 { return (load<u32>(FPU_SW) & 0xC7FF) | (load<u32>(FPU_TOP) << 11); }
export function setStatusWord(v: u32): void {
  store<u32>(FPU_SW, v & 0xC7FF);
  store<u32>(FPU_TOP, (v >> 11) & 7);
}
/** Set the condition-code bits in `mask` to `bits`. */
export function setCC(mask: u32, bits: u32): void {
  store<u32>(FPU_SW, (load<u32>(FPU_SW) & ~mask) | (bits & mask));
}
// @ts-ignore: decorator
@inline export function setC1(on: bool): void { setCC(SW_C1, on ? SW_C1 : 0); }

/**
 * Record exceptions (E_* flags and E_SF) in the status word. An unmasked one sets ES and B:
 * it is reported at the next waiting x87 instruction (SDM vol. 1, 8.6).
 */
export function signalExceptions(e: u32): void {
  if (e == 0) return;
  let sw = load<u32>(FPU_SW) | (e & (SW_EXC | SW_SF));
  if ((e & ~load<u32>(FPU_CW) & SW_EXC) != 0) sw |= SW_ES | SW_B;
  store<u32>(FPU_SW, sw);
}
/** After the control word or status word changed wholesale (FLDCW, FLDENV, FRSTOR). */
export function recomputeSummary(): void {
  let sw = load<u32>(FPU_SW);
  if ((sw & ~load<u32>(FPU_CW) & SW_EXC) != 0) sw |= SW_ES | SW_B; else sw &= ~(SW_ES | SW_B);
  store<u32>(FPU_SW, sw);
  if ((sw & SW_ES) == 0) store<u32>(FPU_IRQ13_PENDING, 0);
}

/**
 * A waiting instruction first reports a pending unmasked exception (SDM vol. 1, 8.6 and 8.7):
 * #MF with CR0.NE = 1; with NE = 0, FERR# is asserted for the machine to raise IRQ13 (PC/AT
 * "MS-DOS compatibility" wiring, vol. 1, D.1) and the instruction runs.
 */
export function checkPendingExceptions(): void {
  if ((load<u32>(FPU_SW) & SW_ES) == 0) return;
  if ((cr0() & CR0_NE) != 0) raiseFault(VEC_MF, NO_ERROR_CODE);
  else {
    store<u32>(FPU_IRQ13_PENDING, 1);
    // Let the machine see FERR# now: the run loop returns and it raises IRQ13.
    store<u32>(S_ATTENTION, load<u32>(S_ATTENTION) | ATT_STOP);
  }
}

/** Expanded tag of physical register p for FSTENV/FSAVE (SDM vol. 1, 8.1.7). */
export function tagOf(p: u32): u32 {
  if (physEmpty(p)) return TAG_EMPTY;
  const e = physSE(p) & 0x7FFF;
  const sig = physSig(p);
  if (e == 0) return sig == 0 ? TAG_ZERO : TAG_SPECIAL;
  if (e == 0x7FFF || (sig >> 63) == 0) return TAG_SPECIAL;
  return TAG_VALID;
}
export function tagWord(): u32 {
  let t: u32 = 0;
  for (let p: u32 = 0; p < 8; p++) t |= tagOf(p) << (p << 1);
  return t;
}
/** Load a tag word: only "empty" (11) matters, the other classes follow from the contents. */
export function setTagWord(t: u32): void {
  let a: u32 = 0;
  for (let p: u32 = 0; p < 8; p++) if (((t >> (p << 1)) & 3) != TAG_EMPTY) a |= <u32>1 << p;
  store<u32>(FPU_TAGS, a);
}

/** The last non-control instruction's address and opcode (SDM vol. 1, 8.1.8, 8.1.9). */
export function setInstructionPointer(escByte: u32, modrmByte: u32): void {
  store<u32>(FPU_FIP, instrEip);
  store<u32>(FPU_FCS, segSelector(CS));
  store<u32>(FPU_FOP, ((escByte & 7) << 8) | modrmByte);
}
export function setDataPointer(seg: u32, off: u32): void {
  store<u32>(FPU_FDP, off);
  store<u32>(FPU_FDS, segSelector(seg));
}

/** FNINIT (SDM vol. 2, FINIT): the registers keep their contents but are all tagged empty. */
export function fpuInit(): void {
  store<u32>(FPU_CW, 0x037F);
  store<u32>(FPU_SW, 0);
  store<u32>(FPU_TOP, 0);
  store<u32>(FPU_TAGS, 0);
  store<u32>(FPU_FIP, 0);
  store<u32>(FPU_FCS, 0);
  store<u32>(FPU_FOP, 0);
  store<u32>(FPU_FDP, 0);
  store<u32>(FPU_FDS, 0);
  store<u32>(FPU_IRQ13_PENDING, 0);
}
/**
 * Power-on and RESET state (SDM vol. 3, table 10-1): control word 0040h, status 0, tag word
 * 5555h (every register +0.0), pointers 0. INIT leaves the x87 state alone.
 */
export function fpuReset(): void {
  fpuInit();
  store<u32>(FPU_CW, 0x0040);
  for (let p: u32 = 0; p < 8; p++) setPhys(p, 0, 0);
}

/** Stack underflow (an operand register is empty): #IS with C1 = 0 (SDM vol. 1, 8.5.1.1). */
export function stackUnderflowExc(): u32 { setC1(false); return E_IE | E_SF; }
/** Stack overflow (push onto a register in use): #IS with C1 = 1. */
export function stackOverflowExc(): u32 { setC1(true); return E_IE | E_SF; }
/** Whether invalid-operation is masked (the masked response is then delivered). */
// @ts-ignore: decorator
@inline export function invalidMasked(): bool { return (load<u32>(FPU_CW) & E_IE) != 0; }
export { INDEF_SE, INDEF_SIG };
