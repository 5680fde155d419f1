// String instructions with REP/REPE/REPNE (SDM vol. 2, REP): the index registers are SI/DI/CX or
// ESI/EDI/ECX by address size; DF picks the direction. Every iteration commits its registers, so
// a fault in the middle leaves a state the instruction can be restarted from. Long repeats are
// done in chunks: the instruction re-executes itself, which keeps interrupts and the instruction
// budget responsive (REP string instructions are interruptible, SDM vol. 2, REP).

import {
  reg16, reg32, setReg16, setReg32, setRegBySize, regBySize, a32, repPrefix, instrEip, getEip, setEip,
  ECX, ESI, EDI, EAX, EDX, ES, DS, DF, REP_NONE, REP_E, flagsRaw,
} from "../state";
import { read8, read16, read32, write8, write16, write32, dataSegment, segLinear, segLinearWrite, probeWrite } from "../memory";
import { alu, ALU_CMP } from "../alu";
import { portRead, portWrite, checkIoPermission } from "./io";

const CHUNK: u32 = 0x10000;

// @ts-ignore: decorator
@inline function index(r: u32): u32 { return a32 ? reg32(r) : reg16(r); }
// @ts-ignore: decorator
@inline function setIndex(r: u32, v: u32): void { if (a32) setReg32(r, v); else setReg16(r, v); }
/** Index arithmetic wraps at 64 KiB with 16-bit addressing. */
// @ts-ignore: decorator
@inline function addrMask(): u32 { return a32 ? 0xFFFFFFFF : 0xFFFF; }
// @ts-ignore: decorator
@inline function delta(bytes: u32): u32 { return (flagsRaw() & DF) != 0 ? 0 - bytes : bytes; }
// @ts-ignore: decorator
@inline function readN(seg: u32, off: u32, bytes: u32): u32 {
  return bytes == 1 ? read8(seg, off) : bytes == 2 ? read16(seg, off) : read32(seg, off);
}
// @ts-ignore: decorator
@inline function writeN(seg: u32, off: u32, v: u32, bytes: u32): void {
  if (bytes == 1) write8(seg, off, v); else if (bytes == 2) write16(seg, off, v); else write32(seg, off, v);
}
/** Iterations this execution may do: all of the count, or a chunk (then the instruction repeats). */
function iterations(): u32 {
  const count = index(ECX);
  if (count > CHUNK) { setEip(instrEip); return CHUNK; }
  return count;
}
/** After a chunk that did not finish the count, run the instruction again; otherwise fall through. */
// @ts-ignore: decorator
@inline function finishChunk(): void {
  if (index(ECX) == 0) setEip(savedNext);
}
let savedNext: u32 = 0;
function beginRepeat(): u32 {
  savedNext = getEip(); // the next instruction
  return iterations();
}

export function movs(bytes: u32): void {
  const src = dataSegment(DS);
  const d = delta(bytes);
  if (repPrefix == REP_NONE) {
    const si = index(ESI), di = index(EDI);
    writeN(ES, di, readN(src, si, bytes), bytes);
    setIndex(ESI, si + d); setIndex(EDI, di + d);
    return;
  }
  let n = beginRepeat();
  const m = addrMask();
  let si = index(ESI), di = index(EDI), cx = index(ECX);
  while (n != 0) {
    writeN(ES, di, readN(src, si, bytes), bytes);
    si = (si + d) & m; di = (di + d) & m; cx--; n--;
    setIndex(ESI, si); setIndex(EDI, di); setIndex(ECX, cx);
  }
  finishChunk();
}

export function stos(bytes: u32): void {
  const d = delta(bytes);
  const v = regBySize(EAX, bytes << 3);
  if (repPrefix == REP_NONE) {
    const di = index(EDI);
    writeN(ES, di, v, bytes);
    setIndex(EDI, di + d);
    return;
  }
  let n = beginRepeat();
  const m = addrMask();
  let di = index(EDI), cx = index(ECX);
  while (n != 0) {
    writeN(ES, di, v, bytes);
    di = (di + d) & m; cx--; n--;
    setIndex(EDI, di); setIndex(ECX, cx);
  }
  finishChunk();
}

export function lods(bytes: u32): void {
  const src = dataSegment(DS);
  const d = delta(bytes);
  if (repPrefix == REP_NONE) {
    const si = index(ESI);
    setRegBySize(EAX, readN(src, si, bytes), bytes << 3);
    setIndex(ESI, si + d);
    return;
  }
  let n = beginRepeat();
  const m = addrMask();
  let si = index(ESI), cx = index(ECX);
  while (n != 0) {
    setRegBySize(EAX, readN(src, si, bytes), bytes << 3);
    si = (si + d) & m; cx--; n--;
    setIndex(ESI, si); setIndex(ECX, cx);
  }
  finishChunk();
}

/** CMPS compares [eSI] with ES:[eDI]; REPE stops when ZF = 0, REPNE when ZF = 1. */
export function cmps(bytes: u32): void {
  const src = dataSegment(DS);
  const d = delta(bytes);
  const size = bytes << 3;
  if (repPrefix == REP_NONE) {
    const si = index(ESI), di = index(EDI);
    const a = readN(src, si, bytes);
    const b = readN(ES, di, bytes);
    alu(ALU_CMP, a, b, size);
    setIndex(ESI, si + d); setIndex(EDI, di + d);
    return;
  }
  let n = beginRepeat();
  const m = addrMask();
  let si = index(ESI), di = index(EDI), cx = index(ECX);
  const wantZero = repPrefix == REP_E;
  while (n != 0) {
    const a = readN(src, si, bytes);
    const b = readN(ES, di, bytes);
    alu(ALU_CMP, a, b, size);
    si = (si + d) & m; di = (di + d) & m; cx--; n--;
    setIndex(ESI, si); setIndex(EDI, di); setIndex(ECX, cx);
    if ((a == b) != wantZero) { setEip(savedNext); return; }
  }
  finishChunk();
}

export function scas(bytes: u32): void {
  const d = delta(bytes);
  const size = bytes << 3;
  const acc = regBySize(EAX, size);
  if (repPrefix == REP_NONE) {
    const di = index(EDI);
    alu(ALU_CMP, acc, readN(ES, di, bytes), size);
    setIndex(EDI, di + d);
    return;
  }
  let n = beginRepeat();
  const m = addrMask();
  let di = index(EDI), cx = index(ECX);
  const wantZero = repPrefix == REP_E;
  while (n != 0) {
    const b = readN(ES, di, bytes);
    alu(ALU_CMP, acc, b, size);
    di = (di + d) & m; cx--; n--;
    setIndex(EDI, di); setIndex(ECX, cx);
    if ((acc == b) != wantZero) { setEip(savedNext); return; }
  }
  finishChunk();
}

export function ins(bytes: u32): void {
  const port = reg16(EDX);
  checkIoPermission(port, bytes);
  const d = delta(bytes);
  if (repPrefix == REP_NONE) {
    const di = index(EDI);
    // The destination is checked before the port is read (a port read may have side effects).
    probeWrite(segLinearWrite(ES, di, bytes), bytes);
    writeN(ES, di, portRead(port, bytes), bytes);
    setIndex(EDI, di + d);
    return;
  }
  let n = beginRepeat();
  const m = addrMask();
  let di = index(EDI), cx = index(ECX);
  while (n != 0) {
    probeWrite(segLinearWrite(ES, di, bytes), bytes);
    writeN(ES, di, portRead(port, bytes), bytes);
    di = (di + d) & m; cx--; n--;
    setIndex(EDI, di); setIndex(ECX, cx);
  }
  finishChunk();
}

export function outs(bytes: u32): void {
  const port = reg16(EDX);
  checkIoPermission(port, bytes);
  const src = dataSegment(DS);
  const d = delta(bytes);
  if (repPrefix == REP_NONE) {
    const si = index(ESI);
    portWrite(port, bytes, readN(src, si, bytes));
    setIndex(ESI, si + d);
    return;
  }
  let n = beginRepeat();
  const m = addrMask();
  let si = index(ESI), cx = index(ECX);
  while (n != 0) {
    portWrite(port, bytes, readN(src, si, bytes));
    si = (si + d) & m; cx--; n--;
    setIndex(ESI, si); setIndex(ECX, cx);
  }
  finishChunk();
}
