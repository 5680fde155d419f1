// The x87 FPU instructions: escape opcodes D8-DF and WAIT (SDM vol. 2, "F..." instructions;
// vol. 1, chapter 8; opcode map: vol. 2, appendix A.4, tables ).
//
// Every handler starts with the #NM check (CR0.EM or CR0.TS, SDM vol. 3, 2.5 and table 2-2),
// then decodes ModRM. "Waiting" instructions next report a pending unmasked exception (#MF or
// FERR#); the no-wait control instructions (FNINIT FNCLEX FNSTSW FNSTCW FNSTENV FNSAVE) do not.
// Memory operands are read, and stores probed, before any FPU state changes, so a fault
// leaves the FPU as it was. Integer code never reaches this file.

import { cr0, CR0_EM, CR0_TS, CR0_MP, setReg16, EAX, flagsRaw, VM, CR0_PE, setFlag, ZF, PF, CF, OF, SF, AF, testCondition, o32 } from "../state";
import { fetchModrm, modrm, eaSeg, eaOff } from "../decode";
import { read16, read32, write16, write32, segLinear, probeWrite, read8, write8 } from "../memory";
import { raiseDeviceNotAvailable, raiseInvalidOpcode } from "../faults";
import { FPU_CW, FPU_SW, FPU_FIP, FPU_FCS, FPU_FOP, FPU_FDP, FPU_FDS, FPU_IRQ13_PENDING } from "../layout";
import {
  E_IE, E_DE, E_ZE, E_SF, E_PE, E_UE, INDEF_SE, INDEF_SIG, BIAS,
  exc, c1, masks, resSE, resSig, resBits, intMag, remQ, remDone, nExp, nSig,
  beginArith, precisionOf, aborted, classify, isNaNClass, isDenormal, unpack, screen1, screen2,
  K_ZERO, K_FINITE, K_INF, K_QNAN, K_SNAN, K_UNSUPPORTED, CMP_GT, CMP_LT, CMP_EQ, CMP_UN,
  add, mul, div, sqrt, compare, fromSmall, toSmall, fromInt, roundToIntMag, roundToIntegral, remainder, scale,
  propagateNaN1, propagateNaN2, invalid, setResult, addExc, clearExcBits, setC1Flag, roundConstant,
} from "../fpu/softfloat";
import {
  stSE, stSig, stEmpty, setST, freeST, push, pop, pushWouldOverflow, fpuTop, setTop, statusWord, setStatusWord,
  setCC, setC1, signalExceptions, recomputeSummary, checkPendingExceptions, tagWord, setTagWord, physSE, physSig,
  setPhys, setPhysRaw, setInstructionPointer, setDataPointer, fpuInit, SW_C0, SW_C1, SW_C2, SW_C3, SW_CC, SW_ES, SW_B, fpuCW,
} from "../fpu/regs";
import { f2xm1, fyl2x, fyl2xp1, fpatan, sincos, trigSinSE, trigSinSig, trigCosSE, trigCosSig, TRIG_SIN, TRIG_COS, TRIG_BOTH } from "../fpu/trans";

// ---- entry: #NM, ModRM, pending exceptions ----
/** #NM for any ESC instruction when CR0.EM or CR0.TS is set. */
// @ts-ignore: decorator
@inline function escBegin(): void {
  if ((cr0() & (CR0_EM | CR0_TS)) != 0) raiseDeviceNotAvailable();
  fetchModrm();
}
/** A waiting, non-control instruction: report pending exceptions, then record FIP/FOP. */
function waitingOp(esc: u32): void {
  checkPendingExceptions();
  setInstructionPointer(esc, modrm);
  beginArith(fpuCW());
}
function memOperandPointer(): void { setDataPointer(eaSeg, eaOff); }
/** End of an instruction: record its exceptions. */
function finish(): void { signalExceptions(exc); }

/** WAIT/FWAIT (9B): #NM only when CR0.MP and CR0.TS are both set; reports pending exceptions. */
export function fwait(): void {
  if ((cr0() & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) raiseDeviceNotAvailable();
  checkPendingExceptions();
}

// ---- memory operands ----
function readM64(): u64 { return <u64>read32(eaSeg, eaOff) | (<u64>read32(eaSeg, eaOff + 4) << 32); }
function probeStore(size: u32): void { probeWrite(segLinear(eaSeg, eaOff, size), size); }
function writeM64(v: u64): void { write32(eaSeg, eaOff, <u32>v); write32(eaSeg, eaOff + 4, <u32>(v >> 32)); }
function writeM80(se: u32, sig: u64): void { writeM64(sig); write16(eaSeg, eaOff + 8, se); }

// ---- operand helpers ----
function negate(se: u32, sig: u64): u32 {
  return isNaNClass(classify(se, sig)) ? se : se ^ 0x8000;
}
const OP_ADD: u32 = 0, OP_MUL: u32 = 1, OP_COM: u32 = 2, OP_COMP: u32 = 3, OP_SUB: u32 = 4, OP_SUBR: u32 = 5, OP_DIV: u32 = 6, OP_DIVR: u32 = 7;
/** dst op src, for the eight arithmetic operations of the D8/DC/DA/DE rows (not the compares). */
function arith(op: u32, dSE: u32, dSig: u64, sSE: u32, sSig: u64): void {
  const prec = precisionOf(fpuCW());
  switch (op) {
    case OP_ADD: add(dSE, dSig, sSE, sSig, prec); break;
    case OP_MUL: mul(dSE, dSig, sSE, sSig, prec); break;
    case OP_SUB: add(dSE, dSig, negate(sSE, sSig), sSig, prec); break;
    case OP_SUBR: add(sSE, sSig, negate(dSE, dSig), dSig, prec); break;
    case OP_DIV: div(dSE, dSig, sSE, sSig, prec); break;
    default: div(sSE, sSig, dSE, dSig, prec); break;
  }
}
// A NaN operand keeps its sign when negated for subtraction, so NaN selection sees the original.

/** Condition codes of a compare: C3 C2 C0 (SDM vol. 2, FCOM table). */
function setCompareCC(r: u32): void {
  let cc: u32 = 0;
  if (r == CMP_LT) cc = SW_C0;
  else if (r == CMP_EQ) cc = SW_C3;
  else if (r == CMP_UN) cc = SW_C0 | SW_C2 | SW_C3;
  setCC(SW_CC, cc);
}
/** EFLAGS of FCOMI/FUCOMI: ZF PF CF as C3 C2 C0; OF SF AF cleared. */
function setCompareEflags(r: u32): void {
  setFlag(ZF, r == CMP_EQ || r == CMP_UN);
  setFlag(PF, r == CMP_UN);
  setFlag(CF, r == CMP_LT || r == CMP_UN);
  setFlag(OF, false);
  setFlag(SF, false);
  setFlag(AF, false);
}

/** Stack underflow on an operand: records #IS; true when masked (deliver the indefinite). */
function underflow(): bool {
  setC1(false);
  addExc(E_IE | E_SF);
  return (masks & E_IE) != 0;
}
function overflow(): bool {
  setC1(true);
  addExc(E_IE | E_SF);
  return (masks & E_IE) != 0;
}

/** ST(0) op= memory operand (already converted to resSE/resSig by the caller). */
function arithST0(op: u32, sSE: u32, sSig: u64): void {
  if (aborted()) { finish(); return; } // unmasked #IA/#D from the conversion
  if (stEmpty(0)) {
    if (underflow()) {
      if (op == OP_COM || op == OP_COMP) { setCompareCC(CMP_UN); if (op == OP_COMP) pop(); }
      else setST(0, INDEF_SE, INDEF_SIG);
    }
    finish();
    return;
  }
  if (op == OP_COM || op == OP_COMP) {
    const r = compare(stSE(0), stSig(0), sSE, sSig, false);
    if (!aborted()) { setCompareCC(r); setC1(false); if (op == OP_COMP) pop(); }
    finish();
    return;
  }
  arith(op, stSE(0), stSig(0), sSE, sSig);
  if (!aborted()) { setST(0, resSE, resSig); setC1(c1); }
  finish();
}

/** Register form: ST(d) = ST(d) op ST(s); pops afterwards when `popAfter`. */
function arithRegs(op: u32, d: u32, s: u32, popAfter: bool): void {
  if (stEmpty(d) || stEmpty(s)) {
    if (underflow()) { setST(d, INDEF_SE, INDEF_SIG); if (popAfter) pop(); }
    finish();
    return;
  }
  arith(op, stSE(d), stSig(d), stSE(s), stSig(s));
  if (!aborted()) { setST(d, resSE, resSig); setC1(c1); if (popAfter) pop(); }
  finish();
}

/** FCOM/FUCOM family on ST(0) and ST(i): pops 0, 1 or 2 times; `eflags` for FCOMI. */
function compareRegs(i: u32, quiet: bool, pops: u32, eflags: bool): void {
  // FCOMI and friends clear OF SF AF even when an unmasked #IA leaves ZF PF CF alone
  if (eflags) { setFlag(OF, false); setFlag(SF, false); setFlag(AF, false); }
  if (stEmpty(0) || stEmpty(i)) {
    if (underflow()) {
      if (eflags) setCompareEflags(CMP_UN); else setCompareCC(CMP_UN);
      for (let n: u32 = 0; n < pops; n++) pop();
    }
    finish();
    return;
  }
  const r = compare(stSE(0), stSig(0), stSE(i), stSig(i), quiet);
  if (!aborted()) {
    if (eflags) setCompareEflags(r); else setCompareCC(r);
    setC1(false);
    for (let n: u32 = 0; n < pops; n++) pop();
  }
  finish();
}

// ---- D8: arithmetic with m32real / ST(i) ----
export function escD8(): void {
  escBegin();
  waitingOp(0xD8);
  const op = (modrm >> 3) & 7;
  if (modrm < 0xC0) {
    const bits = <u64>read32(eaSeg, eaOff);
    memOperandPointer();
    fromSmall(bits, false);
    arithST0(op, resSE, resSig);
    return;
  }
  const i = modrm & 7;
  if (op == OP_COM) { compareRegs(i, false, 0, false); return; }
  if (op == OP_COMP) { compareRegs(i, false, 1, false); return; }
  arithRegs(op, 0, i, false);
}

// ---- DC: arithmetic with m64real / ST(i) as destination ----
export function escDC(): void {
  escBegin();
  waitingOp(0xDC);
  const op = (modrm >> 3) & 7;
  if (modrm < 0xC0) {
    const bits = readM64();
    memOperandPointer();
    fromSmall(bits, true);
    arithST0(op, resSE, resSig);
    return;
  }
  const i = modrm & 7;
  if (op == OP_COM) { compareRegs(i, false, 0, false); return; } // DC D0+i: FCOM2 alias
  if (op == OP_COMP) { compareRegs(i, false, 1, false); return; } // DC D8+i: FCOMP3 alias
  arithRegs(op >= 4 ? op ^ 1 : op, i, 0, false);
}

// ---- DA: integer m32 arithmetic; FCMOVcc; FUCOMPP ----
export function escDA(): void {
  escBegin();
  const op = (modrm >> 3) & 7;
  if (modrm < 0xC0) {
    waitingOp(0xDA);
    const v = <i32>read32(eaSeg, eaOff);
    memOperandPointer();
    fromInt(<i64>v);
    arithST0(op, resSE, resSig);
    return;
  }
  if (op < 4) { waitingOp(0xDA); fcmov(op, false); return; }
  if (modrm == 0xE9) { waitingOp(0xDA); compareRegs(1, true, 2, false); return; }
  raiseInvalidOpcode();
}

// ---- DE: integer m16 arithmetic; FxxxP ST(i),ST(0); FCOMPP ----
export function escDE(): void {
  escBegin();
  const op = (modrm >> 3) & 7;
  if (modrm < 0xC0) {
    waitingOp(0xDE);
    const v = <i16>read16(eaSeg, eaOff);
    memOperandPointer();
    fromInt(<i64>v);
    arithST0(op, resSE, resSig);
    return;
  }
  const i = modrm & 7;
  if (op == OP_COM) { waitingOp(0xDE); compareRegs(i, false, 1, false); return; } // DE D0+i: FCOMP5 alias
  if (op == OP_COMP) {
    if (modrm != 0xD9) { raiseInvalidOpcode(); return; }
    waitingOp(0xDE);
    compareRegs(1, false, 2, false);
    return;
  }
  waitingOp(0xDE);
  arithRegs(op >= 4 ? op ^ 1 : op, i, 0, true);
}

/** FCMOVcc (DA/DB C0-DF): condition B E BE U, negated in the DB row. */
function fcmov(op: u32, negated: bool): void {
  const i = modrm & 7;
  if (stEmpty(0) || stEmpty(i)) {
    if (underflow()) setST(0, INDEF_SE, INDEF_SIG);
    finish();
    return;
  }
  // B = cc 2, E = 4, BE = 6, P (unordered) = 10; odd codes are the negations
  const cc: u32 = op == 3 ? 10 : (op + 1) << 1;
  setC1(false);
  if (testCondition(negated ? cc | 1 : cc)) setST(0, stSE(i), stSig(i));
  finish();
}

// ---- D9: loads/stores of m32real, environment and control word, constants, functions ----
export function escD9(): void {
  escBegin();
  const op = (modrm >> 3) & 7;
  if (modrm < 0xC0) {
    switch (op) {
      case 0: { // FLD m32real
        waitingOp(0xD9);
        const bits = <u64>read32(eaSeg, eaOff);
        memOperandPointer();
        fromSmall(bits, false);
        loadPush(resSE, resSig);
        return;
      }
      case 2: case 3: { // FST/FSTP m32real
        waitingOp(0xD9);
        probeStore(4);
        memOperandPointer();
        storeReal(false, op == 3);
        return;
      }
      case 4: checkPendingExceptions(); fldenv(); return;
      case 5: { // FLDCW
        checkPendingExceptions();
        const v = read16(eaSeg, eaOff);
        store<u32>(FPU_CW, (v & 0x1F3F) | 0x40);
        recomputeSummary();
        return;
      }
      case 6: fnstenv(); return;
      case 7: write16(eaSeg, eaOff, fpuCW()); return; // FNSTCW
      default: raiseInvalidOpcode(); return;
    }
  }
  const i = modrm & 7;
  switch (op) {
    case 0: { // FLD ST(i)
      waitingOp(0xD9);
      if (pushWouldOverflow()) { if (overflow()) push(INDEF_SE, INDEF_SIG); finish(); return; }
      if (stEmpty(i)) { if (underflow()) push(INDEF_SE, INDEF_SIG); finish(); return; }
      const se = stSE(i), sig = stSig(i);
      push(se, sig);
      setC1(false);
      return;
    }
    case 1: waitingOp(0xD9); fxch(i); return;
    case 2: // D0: FNOP; D1-D7 undefined
      if (i != 0) { raiseInvalidOpcode(); return; }
      waitingOp(0xD9);
      return;
    case 3: waitingOp(0xD9); fstReg(i, true); return; // D9 D8+i: FSTP1 alias
    case 4: {
      if (i == 2 || i == 3 || i == 6 || i == 7) { raiseInvalidOpcode(); return; }
      waitingOp(0xD9);
      if (i == 5) { fxam(); return; }
      if (stEmpty(0)) {
        if (underflow()) { if (i == 4) setCompareCC(CMP_UN); else setST(0, INDEF_SE, INDEF_SIG); }
        finish();
        return;
      }
      if (i == 0) { setST(0, stSE(0) ^ 0x8000, stSig(0)); setC1(false); return; } // FCHS
      if (i == 1) { setST(0, stSE(0) & 0x7FFF, stSig(0)); setC1(false); return; } // FABS
      // FTST: compare with +0.0
      const r = compare(stSE(0), stSig(0), 0, 0, false);
      if (!aborted()) { setCompareCC(r); setC1(false); }
      finish();
      return;
    }
    case 5: { // constants
      if (i == 7) { raiseInvalidOpcode(); return; }
      waitingOp(0xD9);
      if (pushWouldOverflow()) { if (overflow()) push(INDEF_SE, INDEF_SIG); finish(); return; }
      roundConstant(i);
      push(resSE, resSig);
      setC1(false);
      return;
    }
    case 6: waitingOp(0xD9); functionsE0(i); return;
    default: waitingOp(0xD9); functionsF8(i); return;
  }
}

/** Push a converted value (FLD m32/m64, FILD): stack overflow first, then the conversion's exceptions. */
function loadPush(se: u32, sig: u64): void {
  if (pushWouldOverflow()) {
    if (overflow()) push(INDEF_SE, INDEF_SIG);
    finish();
    return;
  }
  if (aborted()) { finish(); return; }
  push(se, sig);
  setC1(false);
  finish();
}

/** FST/FSTP m32real/m64real. */
function storeReal(double: bool, popAfter: bool): void {
  if (stEmpty(0)) {
    if (underflow()) {
      if (double) writeM64(0xFFF8000000000000); else write32(eaSeg, eaOff, 0xFFC00000);
      if (popAfter) pop();
    }
    finish();
    return;
  }
  const ok = toSmall(stSE(0), stSig(0), double);
  if (ok) {
    if (double) writeM64(resBits); else write32(eaSeg, eaOff, <u32>resBits);
    setC1(c1);
    if (popAfter) pop();
  }
  finish();
}

/** FST/FSTP ST(i): a raw copy. */
function fstReg(i: u32, popAfter: bool): void {
  if (stEmpty(0)) {
    if (underflow()) { setST(i, INDEF_SE, INDEF_SIG); if (popAfter) pop(); }
    finish();
    return;
  }
  setST(i, stSE(0), stSig(0));
  setC1(false);
  if (popAfter) pop();
}

function fxch(i: u32): void {
  const e0 = stEmpty(0), ei = stEmpty(i);
  if (e0 || ei) {
    if (!underflow()) { finish(); return; }
    if (e0) setST(0, INDEF_SE, INDEF_SIG);
    if (ei) setST(i, INDEF_SE, INDEF_SIG);
    finish();
  } else {
    setC1(false);
  }
  const se = stSE(0), sig = stSig(0);
  setST(0, stSE(i), stSig(i));
  setST(i, se, sig);
}

/** FXAM: class in C3 C2 C0, sign in C1 (SDM vol. 2, FXAM). */
function fxam(): void {
  const se = stSE(0), sig = stSig(0);
  let cc: u32 = (se & 0x8000) != 0 ? SW_C1 : 0;
  if (stEmpty(0)) cc |= SW_C3 | SW_C0;
  else {
    const k = classify(se, sig);
    if (k == K_UNSUPPORTED) cc |= 0;
    else if (isNaNClass(k)) cc |= SW_C0;
    else if (k == K_INF) cc |= SW_C2 | SW_C0;
    else if (k == K_ZERO) cc |= SW_C3;
    else if (isDenormal(se, sig)) cc |= SW_C3 | SW_C2;
    else cc |= SW_C2;
  }
  setCC(SW_CC, cc);
}

// ---- D9 E0-F7 and F8-FF: the functions ----
function functionsE0(i: u32): void {
  switch (i) {
    case 0: unaryST0(0); return; // F2XM1
    case 1: fyl2xOp(false); return; // FYL2X
    case 2: trigOp(TRIG_SIN | 0x10); return; // FPTAN
    case 3: fpatanOp(); return; // FPATAN
    case 4: fxtract(); return; // FXTRACT
    case 5: fpremOp(true); return; // FPREM1
    case 6: setTop(fpuTop() - 1); setC1(false); return; // FDECSTP
    default: setTop(fpuTop() + 1); setC1(false); return; // FINCSTP
  }
}
function functionsF8(i: u32): void {
  switch (i) {
    case 0: fpremOp(false); return; // FPREM
    case 1: fyl2xOp(true); return; // FYL2XP1
    case 2: unaryST0(2); return; // FSQRT
    case 3: trigOp(TRIG_BOTH); return; // FSINCOS
    case 4: unaryST0(4); return; // FRNDINT
    case 5: fscale(); return; // FSCALE
    case 6: trigOp(TRIG_SIN); return; // FSIN
    default: trigOp(TRIG_COS); return; // FCOS
  }
}

/** One-operand functions on ST(0): 0 F2XM1, 2 FSQRT, 4 FRNDINT. */
function unaryST0(kind: u32): void {
  if (stEmpty(0)) { if (underflow()) setST(0, INDEF_SE, INDEF_SIG); finish(); return; }
  const se = stSE(0), sig = stSig(0);
  if (kind == 2) sqrt(se, sig, precisionOf(fpuCW()));
  else if (!screen1(se, sig)) {
    const k = classify(se, sig);
    if (k == K_ZERO) setResult(se, sig);
    else if (k == K_INF) {
      if (kind == 0 && (se & 0x8000) != 0) setResult(0xBFFF, 0x8000000000000000); // 2^-inf - 1 = -1
      else setResult(se, sig);
    } else if (kind == 4) roundToIntegral(se, sig);
    else f2xm1(se, sig);
  }
  if (!aborted()) { setST(0, resSE, resSig); setC1(c1); }
  finish();
}

/** FYL2X / FYL2XP1: ST(1) = ST(1) * log2(ST(0) [+ 1]), pop. */
function fyl2xOp(plus1: bool): void {
  if (stEmpty(0) || stEmpty(1)) {
    if (underflow()) { setST(1, INDEF_SE, INDEF_SIG); pop(); }
    finish();
    return;
  }
  const xse = stSE(0), xsig = stSig(0), yse = stSE(1), ysig = stSig(1);
  if (!screen2(xse, xsig, yse, ysig)) {
    if (plus1) fyl2xp1(xse, xsig, yse, ysig); else fyl2x(xse, xsig, yse, ysig);
  }
  if (!aborted()) { setST(1, resSE, resSig); setC1(c1); pop(); }
  finish();
}

/** FPATAN: ST(1) = arctan(ST(1) / ST(0)), pop. */
function fpatanOp(): void {
  if (stEmpty(0) || stEmpty(1)) {
    if (underflow()) { setST(1, INDEF_SE, INDEF_SIG); pop(); }
    finish();
    return;
  }
  const xse = stSE(0), xsig = stSig(0), yse = stSE(1), ysig = stSig(1);
  if (!screen2(yse, ysig, xse, xsig)) fpatan(yse, ysig, xse, xsig);
  if (!aborted()) { setST(1, resSE, resSig); setC1(c1); pop(); }
  finish();
}

/**
 * FSIN FCOS FSINCOS FPTAN (`which` | 0x10 for FPTAN). |x| >= 2^63 sets C2 and leaves the
 * stack alone (SDM vol. 2, FSIN); otherwise C2 is cleared.
 */
function trigOp(which: u32): void {
  const pushes = which == TRIG_BOTH || (which & 0x10) != 0;
  if (stEmpty(0)) {
    if (underflow()) {
      setST(0, INDEF_SE, INDEF_SIG);
      if (pushes && !pushWouldOverflow()) push(INDEF_SE, INDEF_SIG);
    }
    finish();
    return;
  }
  const se = stSE(0), sig = stSig(0);
  const k = classify(se, sig);
  if (k == K_FINITE && <i32>(se & 0x7FFF) >= BIAS + 63) { setCC(SW_C2, SW_C2); return; }
  if (pushes && pushWouldOverflow()) {
    if (overflow()) { setST(0, INDEF_SE, INDEF_SIG); push(INDEF_SE, INDEF_SIG); }
    finish();
    return;
  }
  setCC(SW_C2, 0);
  let s1SE: u32 = 0, s1Sig: u64 = 0; // the value left in ST(0) (or ST(1) after a push)
  let s0SE: u32 = 0, s0Sig: u64 = 0; // the pushed value
  if (screen1(se, sig)) {
    s1SE = resSE; s1Sig = resSig; s0SE = resSE; s0Sig = resSig;
  } else if (k == K_INF) {
    invalid();
    s1SE = resSE; s1Sig = resSig; s0SE = resSE; s0Sig = resSig;
  } else if (k == K_ZERO) {
    // sin(+-0) = +-0, cos(0) = 1, tan(+-0) = +-0 then 1.0 pushed
    if ((which & 0x10) != 0) { s1SE = se; s1Sig = 0; s0SE = 0x3FFF; s0Sig = 0x8000000000000000; }
    else if (which == TRIG_COS) { s1SE = 0x3FFF; s1Sig = 0x8000000000000000; }
    else if (which == TRIG_BOTH) { s1SE = se; s1Sig = 0; s0SE = 0x3FFF; s0Sig = 0x8000000000000000; }
    else { s1SE = se; s1Sig = 0; }
  } else {
    sincos(se, sig, which);
    if ((which & 0x10) != 0) { s1SE = resSE; s1Sig = resSig; s0SE = 0x3FFF; s0Sig = 0x8000000000000000; }
    else if (which == TRIG_BOTH) { s1SE = trigSinSE; s1Sig = trigSinSig; s0SE = trigCosSE; s0Sig = trigCosSig; }
    else { s1SE = resSE; s1Sig = resSig; }
  }
  if (aborted()) { finish(); return; }
  setST(0, s1SE, s1Sig);
  if (pushes) push(s0SE, s0Sig);
  setC1(c1);
  finish();
}

/** FXTRACT: ST(0) = exponent, then push the significand (SDM vol. 2, FXTRACT). */
function fxtract(): void {
  if (stEmpty(0)) {
    if (underflow()) { setST(0, INDEF_SE, INDEF_SIG); if (!pushWouldOverflow()) push(INDEF_SE, INDEF_SIG); }
    finish();
    return;
  }
  if (pushWouldOverflow()) {
    if (overflow()) { setST(0, INDEF_SE, INDEF_SIG); push(INDEF_SE, INDEF_SIG); }
    finish();
    return;
  }
  const se = stSE(0), sig = stSig(0);
  const k = classify(se, sig);
  let eSE: u32, eSig: u64, mSE: u32, mSig: u64;
  if (screen1(se, sig)) { eSE = resSE; eSig = resSig; mSE = resSE; mSig = resSig; }
  else if (k == K_ZERO) {
    // exponent -inf with #Z, significand the zero itself
    addExc(E_ZE);
    eSE = 0xFFFF; eSig = 0x8000000000000000; mSE = se; mSig = 0;
  } else if (k == K_INF) {
    eSE = 0x7FFF; eSig = 0x8000000000000000; mSE = se; mSig = sig;
  } else {
    unpack(se, sig);
    fromInt(<i64>(nExp - BIAS));
    eSE = resSE; eSig = resSig;
    mSE = (se & 0x8000) | <u32>BIAS; mSig = nSig;
  }
  if (aborted()) { finish(); return; }
  setST(0, eSE, eSig);
  push(mSE, mSig);
  setC1(false);
  finish();
}

/** FSCALE: ST(0) = ST(0) * 2^trunc(ST(1)). */
function fscale(): void {
  if (stEmpty(0) || stEmpty(1)) { if (underflow()) setST(0, INDEF_SE, INDEF_SIG); finish(); return; }
  const aSE = stSE(0), aSig = stSig(0), bSE = stSE(1), bSig = stSig(1);
  if (!screen2(aSE, aSig, bSE, bSig)) {
    const ka = classify(aSE, aSig), kb = classify(bSE, bSig);
    const bNeg = (bSE & 0x8000) != 0;
    if (kb == K_INF) {
      if (ka == K_ZERO && !bNeg) invalid(); // 0 * 2^+inf
      else if (ka == K_INF && bNeg) invalid(); // inf * 2^-inf
      else if (ka == K_ZERO || ka == K_INF) setResult(aSE, aSig);
      else if (bNeg) setResult(aSE & 0x8000, 0);
      else setResult((aSE & 0x8000) | 0x7FFF, 0x8000000000000000);
    } else if (ka == K_ZERO || ka == K_INF) {
      setResult(aSE, aSig);
    } else {
      // trunc(ST(1)), clamped far beyond any exponent that still changes the outcome
      let n: i32 = 0;
      if (kb != K_ZERO) {
        unpack(bSE, bSig);
        const e = nExp - BIAS;
        if (e >= 20) n = 0x100000;
        else if (e >= 0) n = <i32>(nSig >> <u64>(63 - e));
        if (bNeg) n = -n;
      }
      scale(aSE, aSig, n);
    }
  }
  if (!aborted()) { setST(0, resSE, resSig); setC1(c1); }
  finish();
}

/** FPREM / FPREM1: ST(0) = partial remainder of ST(0) / ST(1); C0 C3 C1 = Q2 Q1 Q0, C2 = incomplete. */
function fpremOp(ieee: bool): void {
  if (stEmpty(0) || stEmpty(1)) { if (underflow()) setST(0, INDEF_SE, INDEF_SIG); finish(); return; }
  const aSE = stSE(0), aSig = stSig(0), bSE = stSE(1), bSig = stSig(1);
  let cc: u32 = 0;
  if (!screen2(aSE, aSig, bSE, bSig)) {
    const ka = classify(aSE, aSig), kb = classify(bSE, bSig);
    if (ka == K_INF || kb == K_ZERO) invalid();
    else if (ka == K_ZERO || kb == K_INF) setResult(aSE, aSig);
    else {
      remainder(aSE, aSig, bSE, bSig, ieee);
      if (remDone) {
        if ((remQ & 4) != 0) cc |= SW_C0; // Q2
        if ((remQ & 2) != 0) cc |= SW_C3; // Q1
        if ((remQ & 1) != 0) cc |= SW_C1; // Q0
      } else {
        cc = SW_C2;
      }
    }
  }
  if (!aborted()) { setST(0, resSE, resSig); setCC(SW_CC, cc); }
  finish();
}

// ---- DB: m32int loads/stores, m80real, FCMOVNcc, FNCLEX, FNINIT, FUCOMI, FCOMI ----
export function escDB(): void {
  escBegin();
  const op = (modrm >> 3) & 7;
  if (modrm < 0xC0) {
    switch (op) {
      case 0: { // FILD m32int
        waitingOp(0xDB);
        const v = <i32>read32(eaSeg, eaOff);
        memOperandPointer();
        fromInt(<i64>v);
        loadPush(resSE, resSig);
        return;
      }
      case 2: case 3: waitingOp(0xDB); probeStore(4); memOperandPointer(); storeInt(32, op == 3); return;
      case 5: { // FLD m80real: loaded as is, no exceptions but stack overflow
        waitingOp(0xDB);
        const sig = readM64();
        const se = read16(eaSeg, eaOff + 8);
        memOperandPointer();
        loadPush(se, sig);
        return;
      }
      case 7: { // FSTP m80real
        waitingOp(0xDB);
        probeStore(10);
        memOperandPointer();
        if (stEmpty(0)) {
          if (underflow()) { writeM80(INDEF_SE, INDEF_SIG); pop(); }
          finish();
          return;
        }
        writeM80(stSE(0), stSig(0));
        setC1(false);
        pop();
        return;
      }
      default: raiseInvalidOpcode(); return; // /1 FISTTP is SSE3; /4 /6 reserved
    }
  }
  if (op < 4) { waitingOp(0xDB); fcmov(op, true); return; }
  if (op == 4) {
    switch (modrm) {
      case 0xE0: case 0xE1: case 0xE4: return; // FNENI FNDISI FNSETPM: no-ops since the 287
      case 0xE2: { // FNCLEX
        store<u32>(FPU_SW, load<u32>(FPU_SW) & ~(0xFF | SW_B));
        store<u32>(FPU_IRQ13_PENDING, 0);
        return;
      }
      case 0xE3: fpuInit(); return; // FNINIT
      default: raiseInvalidOpcode(); return;
    }
  }
  if (op == 5) { waitingOp(0xDB); compareRegs(modrm & 7, true, 0, true); return; } // FUCOMI
  if (op == 6) { waitingOp(0xDB); compareRegs(modrm & 7, false, 0, true); return; } // FCOMI
  raiseInvalidOpcode();
}

/** FIST/FISTP m16/m32/m64int: out of range or not a number -> #IA, the integer indefinite. */
function storeInt(bits: u32, popAfter: bool): void {
  const indefinite: u64 = <u64>1 << <u64>(bits - 1);
  let v: u64 = 0;
  let ok = true;
  if (stEmpty(0)) {
    if (!underflow()) { finish(); return; }
    v = indefinite;
  } else {
    const se = stSE(0), sig = stSig(0);
    const k = classify(se, sig);
    if (k == K_ZERO) v = 0;
    else if (k != K_FINITE) ok = false;
    else {
      const neg = (se & 0x8000) != 0;
      if (!roundToIntMag(se, sig)) ok = false;
      else {
        const limit: u64 = neg ? indefinite : indefinite - 1;
        if (intMag > limit) ok = false;
        else v = neg ? 0 - intMag : intMag;
      }
    }
    if (!ok) {
      // invalid: no #P, C1 = 0
      addExc(E_IE);
      clearExcBits(E_PE);
      setC1Flag(false);
      if ((masks & E_IE) == 0) { finish(); return; }
      v = indefinite;
    }
    setC1(c1);
  }
  if (bits == 16) write16(eaSeg, eaOff, <u32>v);
  else if (bits == 32) write32(eaSeg, eaOff, <u32>v);
  else writeM64(v);
  if (popAfter) pop();
  finish();
}

// ---- DD: m64real, FRSTOR, FNSAVE, FNSTSW m16; FFREE, FST(P) ST(i), FUCOM(P) ----
export function escDD(): void {
  escBegin();
  const op = (modrm >> 3) & 7;
  if (modrm < 0xC0) {
    switch (op) {
      case 0: { // FLD m64real
        waitingOp(0xDD);
        const bits = readM64();
        memOperandPointer();
        fromSmall(bits, true);
        loadPush(resSE, resSig);
        return;
      }
      case 2: case 3: waitingOp(0xDD); probeStore(8); memOperandPointer(); storeReal(true, op == 3); return;
      case 4: checkPendingExceptions(); frstor(); return;
      case 6: fnsave(); return;
      case 7: write16(eaSeg, eaOff, statusWord()); return; // FNSTSW m16
      default: raiseInvalidOpcode(); return; // /1 FISTTP (SSE3), /5 reserved
    }
  }
  const i = modrm & 7;
  switch (op) {
    case 0: waitingOp(0xDD); freeST(i); return; // FFREE
    case 1: waitingOp(0xDD); fxch(i); return; // DD C8+i: FXCH4 alias
    case 2: waitingOp(0xDD); fstReg(i, false); return;
    case 3: waitingOp(0xDD); fstReg(i, true); return;
    case 4: waitingOp(0xDD); compareRegs(i, true, 0, false); return; // FUCOM
    case 5: waitingOp(0xDD); compareRegs(i, true, 1, false); return; // FUCOMP
    default: raiseInvalidOpcode(); return;
  }
}

// ---- DF: m16int, m64int, BCD; FFREEP, FNSTSW AX, FUCOMIP, FCOMIP ----
export function escDF(): void {
  escBegin();
  const op = (modrm >> 3) & 7;
  if (modrm < 0xC0) {
    switch (op) {
      case 0: { // FILD m16int
        waitingOp(0xDF);
        const v = <i16>read16(eaSeg, eaOff);
        memOperandPointer();
        fromInt(<i64>v);
        loadPush(resSE, resSig);
        return;
      }
      case 2: case 3: waitingOp(0xDF); probeStore(2); memOperandPointer(); storeInt(16, op == 3); return;
      case 4: { // FBLD m80bcd
        waitingOp(0xDF);
        let v: i64 = 0;
        for (let b: i32 = 8; b >= 0; b--) {
          const d = read8(eaSeg, eaOff + <u32>b);
          v = v * 100 + <i64>((d >> 4) * 10 + (d & 15));
        }
        const neg = (read8(eaSeg, eaOff + 9) & 0x80) != 0;
        memOperandPointer();
        fromInt(neg ? -v : v);
        loadPush(neg && v == 0 ? 0x8000 : resSE, resSig);
        return;
      }
      case 5: { // FILD m64int
        waitingOp(0xDF);
        const v = <i64>readM64();
        memOperandPointer();
        fromInt(v);
        loadPush(resSE, resSig);
        return;
      }
      case 6: waitingOp(0xDF); probeStore(10); memOperandPointer(); fbstp(); return;
      case 7: waitingOp(0xDF); probeStore(8); memOperandPointer(); storeInt(64, true); return;
      default: raiseInvalidOpcode(); return; // /1 FISTTP (SSE3)
    }
  }
  const i = modrm & 7;
  switch (op) {
    case 0: waitingOp(0xDF); freeST(i); pop(); return; // FFREEP (undocumented on the P6, accepted)
    case 1: waitingOp(0xDF); fxch(i); return; // DF C8+i: FXCH7 alias
    case 2: case 3: waitingOp(0xDF); fstReg(i, true); return; // DF D0/D8+i: FSTP8/FSTP9 aliases
    case 4:
      if (modrm != 0xE0) { raiseInvalidOpcode(); return; }
      setReg16(EAX, statusWord()); // FNSTSW AX
      return;
    case 5: waitingOp(0xDF); compareRegs(i, true, 1, true); return; // FUCOMIP
    case 6: waitingOp(0xDF); compareRegs(i, false, 1, true); return; // FCOMIP
    default: raiseInvalidOpcode(); return;
  }
}

/** FBSTP m80bcd: 18 digits and a sign byte; out of range -> #IA, the BCD indefinite. */
function fbstp(): void {
  let ok = true;
  let mag: u64 = 0;
  let neg = false;
  if (stEmpty(0)) {
    if (!underflow()) { finish(); return; }
    ok = false;
  } else {
    const se = stSE(0), sig = stSig(0);
    const k = classify(se, sig);
    neg = (se & 0x8000) != 0;
    if (k == K_ZERO) mag = 0;
    else if (k != K_FINITE || !roundToIntMag(se, sig) || intMag > 999999999999999999) {
      addExc(E_IE);
      clearExcBits(E_PE);
      setC1Flag(false);
      if ((masks & E_IE) == 0) { finish(); return; }
      ok = false;
    } else mag = intMag;
    if (ok) setC1(c1);
  }
  if (!ok) {
    // BCD indefinite: FFFF C000000000000000 (SDM vol. 1, table 4-4)
    writeM64(0xC000000000000000);
    write16(eaSeg, eaOff + 8, 0xFFFF);
  } else {
    for (let b: u32 = 0; b < 9; b++) {
      const two = <u32>(mag % 100);
      mag /= 100;
      write8(eaSeg, eaOff + b, ((two / 10) << 4) | (two % 10));
    }
    write8(eaSeg, eaOff + 9, neg ? 0x80 : 0);
  }
  pop();
  finish();
}

// ---- environment and state save/restore (SDM vol. 1, 8.1.10, figures 8-9 to 8-12) ----
// @ts-ignore: decorator
@inline function protectedFormat(): bool { return (cr0() & CR0_PE) != 0 && (flagsRaw() & VM) == 0; }
// @ts-ignore: decorator
@inline function envSize(): u32 { return o32 ? 28 : 14; }

/** Store the environment at eaSeg:eaOff + 0 (the caller probed the whole area). */
function storeEnv(): void {
  const cw = fpuCW(), sw = statusWord(), tw = tagWord();
  const fip = load<u32>(FPU_FIP), fcs = load<u32>(FPU_FCS), fop = load<u32>(FPU_FOP);
  const fdp = load<u32>(FPU_FDP), fds = load<u32>(FPU_FDS);
  if (protectedFormat()) {
    if (o32) {
      // reserved halves are stored as ones, as Intel processors do
      write32(eaSeg, eaOff, 0xFFFF0000 | cw);
      write32(eaSeg, eaOff + 4, 0xFFFF0000 | sw);
      write32(eaSeg, eaOff + 8, 0xFFFF0000 | tw);
      write32(eaSeg, eaOff + 12, fip);
      write32(eaSeg, eaOff + 16, (fop << 16) | (fcs & 0xFFFF));
      write32(eaSeg, eaOff + 20, fdp);
      write32(eaSeg, eaOff + 24, 0xFFFF0000 | (fds & 0xFFFF));
    } else {
      write16(eaSeg, eaOff, cw);
      write16(eaSeg, eaOff + 2, sw);
      write16(eaSeg, eaOff + 4, tw);
      write16(eaSeg, eaOff + 6, fip);
      write16(eaSeg, eaOff + 8, fcs);
      write16(eaSeg, eaOff + 10, fdp);
      write16(eaSeg, eaOff + 12, fds);
    }
    return;
  }
  // real and virtual-8086 mode: 20-bit (32-bit) linear pointers and the opcode
  const ip = fip + (fcs << 4);
  const dp = fdp + (fds << 4);
  if (o32) {
    write32(eaSeg, eaOff, 0xFFFF0000 | cw);
    write32(eaSeg, eaOff + 4, 0xFFFF0000 | sw);
    write32(eaSeg, eaOff + 8, 0xFFFF0000 | tw);
    write32(eaSeg, eaOff + 12, 0xFFFF0000 | (ip & 0xFFFF));
    write32(eaSeg, eaOff + 16, ((ip >> 16) << 12) | fop);
    write32(eaSeg, eaOff + 20, 0xFFFF0000 | (dp & 0xFFFF));
    write32(eaSeg, eaOff + 24, (dp >> 16) << 12);
  } else {
    write16(eaSeg, eaOff, cw);
    write16(eaSeg, eaOff + 2, sw);
    write16(eaSeg, eaOff + 4, tw);
    write16(eaSeg, eaOff + 6, ip);
    write16(eaSeg, eaOff + 8, ((ip >> 16) << 12) | fop);
    write16(eaSeg, eaOff + 10, dp);
    write16(eaSeg, eaOff + 12, (dp >> 16) << 12);
  }
}

/** Load the environment (all reads happen before the state changes). */
function loadEnv(): void {
  let cw: u32, sw: u32, tw: u32, fip: u32, fcs: u32, fop: u32, fdp: u32, fds: u32;
  if (o32) {
    cw = read16(eaSeg, eaOff); sw = read16(eaSeg, eaOff + 4); tw = read16(eaSeg, eaOff + 8);
    const w3 = read32(eaSeg, eaOff + 12), w4 = read32(eaSeg, eaOff + 16), w5 = read32(eaSeg, eaOff + 20), w6 = read32(eaSeg, eaOff + 24);
    if (protectedFormat()) { fip = w3; fcs = w4 & 0xFFFF; fop = (w4 >> 16) & 0x7FF; fdp = w5; fds = w6 & 0xFFFF; }
    else { fip = (w3 & 0xFFFF) | ((w4 >> 12) << 16); fcs = 0; fop = w4 & 0x7FF; fdp = (w5 & 0xFFFF) | ((w6 >> 12) << 16); fds = 0; }
  } else {
    cw = read16(eaSeg, eaOff); sw = read16(eaSeg, eaOff + 2); tw = read16(eaSeg, eaOff + 4);
    const w3 = read16(eaSeg, eaOff + 6), w4 = read16(eaSeg, eaOff + 8), w5 = read16(eaSeg, eaOff + 10), w6 = read16(eaSeg, eaOff + 12);
    if (protectedFormat()) { fip = w3; fcs = w4; fop = load<u32>(FPU_FOP); fdp = w5; fds = w6; }
    else { fip = w3 | ((w4 >> 12) << 16); fcs = 0; fop = w4 & 0x7FF; fdp = w5 | ((w6 >> 12) << 16); fds = 0; }
  }
  store<u32>(FPU_CW, (cw & 0x1F3F) | 0x40);
  setStatusWord(sw);
  setTagWord(tw);
  store<u32>(FPU_FIP, fip); store<u32>(FPU_FCS, fcs); store<u32>(FPU_FOP, fop);
  store<u32>(FPU_FDP, fdp); store<u32>(FPU_FDS, fds);
  recomputeSummary();
}

function fnstenv(): void {
  probeStore(envSize());
  storeEnv();
  store<u32>(FPU_CW, fpuCW() | 0x3F); // FNSTENV masks every exception afterwards
}
function fldenv(): void { loadEnv(); }

function fnsave(): void {
  const size = envSize();
  probeStore(size + 80);
  storeEnv();
  for (let i: u32 = 0; i < 8; i++) {
    const p = (fpuTop() + i) & 7;
    const off = eaOff + size + i * 10;
    write32(eaSeg, off, <u32>physSig(p));
    write32(eaSeg, off + 4, <u32>(physSig(p) >> 32));
    write16(eaSeg, off + 8, physSE(p));
  }
  fpuInit();
}
function frstor(): void {
  const size = envSize();
  // read the registers first: a fault part-way must not change anything
  segLinear(eaSeg, eaOff, size + 80);
  for (let i: u32 = 0; i < 8; i++) {
    const off = eaOff + size + i * 10;
    read32(eaSeg, off); read32(eaSeg, off + 4); read16(eaSeg, off + 8);
  }
  loadEnv();
  for (let i: u32 = 0; i < 8; i++) {
    const off = eaOff + size + i * 10;
    const sig = <u64>read32(eaSeg, off) | (<u64>read32(eaSeg, off + 4) << 32);
    const se = read16(eaSeg, off + 8);
    const p = (fpuTop() + i) & 7;
    setPhysRaw(p, se, sig); // the tags came with the environment
  }
}
