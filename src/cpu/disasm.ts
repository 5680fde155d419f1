// x86 disassembler (Intel syntax, lower case), driven by the table generated from
// tools/opcode-table.mjs (src/cpu/gen/opcodes.ts), so that the interpreter and the
// disassembler agree on which opcodes exist and what operands they take.
//
// Instruction format (SDM vol. 2, chapter 2): prefixes, opcode (1 or 2 bytes), ModRM,
// SIB, displacement, immediates; at most 15 bytes. Operand kinds are the SDM appendix A
// notation listed in OPERAND_KINDS of the table.
//
// Output conventions:
//   - operands are separated by ", "; immediates and addresses are hex ("0x1f");
//   - a memory operand gets a size keyword (byte/word/dword/fword/qword) unless a register
//     operand of the same size implies it: "add byte [bx], 0x1", "mov [bx], al";
//   - a segment override is written on the memory operand: "mov ax, es:[bx+si+0x4]";
//   - relative branches show the absolute target when `eip` is given ("jmp 0x1234"),
//     otherwise the distance from the start of the instruction ("jmp $+0x5");
//   - prefixes whose effect is not visible in the operands are written as words before the
//     mnemonic, as NASM accepts them: "lock", "rep"/"repe"/"repne", "es".."gs", "o16"/"o32",
//     "a16"/"a32" ("o32 push es", "a32 rep movsb", "cs movsb");
//   - string instructions are written without operands ("rep movsb", "repne scasw");
//   - x87 escapes: "esc1 /5, [bx]" (ModRM.reg and the memory operand) or "esc0 0xc1" (the
//     ModRM byte of a register form), until the x87 core names them;
//   - undefined encodings are "(bad)" with the length of the bytes they consume.

import { ONE_BYTE, TWO_BYTE, GROUPS, type OpcodeInfo } from "./gen/opcodes.ts";

export interface Decoded { length: number; text: string; }
export interface DisasmOptions {
  /** The code segment's default operand and address size is 32 bits (CS.D). */
  default32: boolean;
  /** Offset of the instruction in its code segment, to show branch targets as addresses. */
  eip?: number;
}

/** The architectural limit on the length of one instruction (SDM vol. 2, 2.3.11). */
const MAX_LENGTH = 15;

const REG8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
const REG16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const REG32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SEGS = ["es", "cs", "ss", "ds", "fs", "gs"];
/** 16-bit ModRM.rm base/index pairs (SDM vol. 2, table 2-1). */
const EA16 = ["bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"];
const SIZE_NAMES: Record<number, string> = { 8: "byte", 16: "word", 32: "dword", 48: "fword", 64: "qword" };
const FIXED8 = new Set(REG8);
const FIXED16 = new Set([...REG16, ...SEGS]);
const FIXED32 = new Set(REG32);

const hex = (v: number): string => "0x" + (v >>> 0).toString(16);
const signedHex = (v: number): string => (v < 0 ? "-" : "+") + "0x" + Math.abs(v).toString(16);

/** Thrown by the byte reader when an instruction would exceed 15 bytes. */
const TOO_LONG = Symbol("too long");

interface Prefixes {
  segment: number;       // 0..5, or -1
  operandOverride: boolean;
  addressOverride: boolean;
  lock: boolean;
  repeat: number;        // 0, 0xf2 or 0xf3 (the last one given)
}

class Decoder {
  pos = 0;
  constructor(private readonly readByte: (i: number) => number) {}

  u8(): number {
    if (this.pos >= MAX_LENGTH) throw TOO_LONG;
    return this.readByte(this.pos++) & 0xff;
  }
  s8(): number { return (this.u8() << 24) >> 24; }
  u16(): number { const lo = this.u8(); return lo | (this.u8() << 8); }
  s16(): number { return (this.u16() << 16) >> 16; }
  u32(): number { const lo = this.u16(); return (lo | (this.u16() << 16)) >>> 0; }
  s32(): number { return this.u32() | 0; }
}

/** A decoded ModRM operand. */
interface ModRM {
  mod: number;
  reg: number;
  rm: number;
  byte: number;
  /** Memory address text without segment or size, e.g. "bx+si+0x4" (null for register forms). */
  address: string | null;
  /** The address names a register (so its address size is visible). */
  addressHasRegister: boolean;
}

function decodeModrm(d: Decoder, a32: boolean, registerOnly: boolean): ModRM {
  const byte = d.u8();
  const mod = byte >> 6, reg = (byte >> 3) & 7, rm = byte & 7;
  const m: ModRM = { mod, reg, rm, byte, address: null, addressHasRegister: false };
  // MOV to/from control and debug registers ignore the mod field: always a register form.
  if (mod === 3 || registerOnly) return m;
  if (!a32) {
    if (mod === 0 && rm === 6) { m.address = hex(d.u16()); return m; }
    const disp = mod === 1 ? d.s8() : mod === 2 ? d.s16() : null;
    m.address = EA16[rm] + (disp === null ? "" : signedHex(disp));
    m.addressHasRegister = true;
    return m;
  }
  let base: string | null = null, index: string | null = null, disp: number | null = null;
  if (rm === 4) {
    const sib = d.u8();
    const scale = 1 << (sib >> 6), idx = (sib >> 3) & 7, b = sib & 7;
    if (idx !== 4) index = REG32[idx] + (scale > 1 ? "*" + scale : "");
    if (b === 5 && mod === 0) disp = d.s32();
    else base = REG32[b];
  } else if (rm === 5 && mod === 0) {
    disp = d.s32();
  } else {
    base = REG32[rm];
  }
  if (mod === 1) disp = d.s8();
  else if (mod === 2) disp = d.s32();
  const regs = [base, index].filter((x): x is string => x !== null).join("+");
  if (regs === "") m.address = hex(disp ?? 0);
  else { m.address = regs + (disp === null ? "" : signedHex(disp)); m.addressHasRegister = true; }
  return m;
}

const isE = (k: string) => /^E[bwdv]$/.test(k);
const isG = (k: string) => /^G[bwdv]$/.test(k);
const isMemOnly = (k: string) => /^M[apqs]?$/.test(k);
const isString = (k: string) => /^[XY][bv]$/.test(k);
const needsModrm = (k: string) => isE(k) || isG(k) || isMemOnly(k) || k === "Sw" || k === "Cd" || k === "Dd" || k === "Rd";

function decode(read: (i: number) => number, default32: boolean, eip: number | undefined): Decoded {
  const d = new Decoder(read);
  const p: Prefixes = { segment: -1, operandOverride: false, addressOverride: false, lock: false, repeat: 0 };

  // ---- prefixes and opcode ----
  let opcode: number;
  let entry: OpcodeInfo;
  for (;;) {
    opcode = d.u8();
    entry = ONE_BYTE[opcode];
    if (!entry || entry[3] !== 1) break;
    const name = entry[0];
    const seg = SEGS.indexOf(name);
    if (seg >= 0) p.segment = seg;
    else if (name === "o16/o32") p.operandOverride = true;
    else if (name === "a16/a32") p.addressOverride = true;
    else if (name === "lock") p.lock = true;
    else p.repeat = opcode; // rep / repne: the last one given decides
  }
  let groupKey = opcode.toString(16).padStart(2, "0");
  if (opcode === 0x0f && !entry) {
    opcode = d.u8();
    entry = TWO_BYTE[opcode];
    groupKey = "0f" + opcode.toString(16).padStart(2, "0");
  }
  if (!entry) return { length: d.pos, text: "(bad)" };

  const o32 = default32 !== p.operandOverride;
  const a32 = default32 !== p.addressOverride;
  let opUsed = false, adUsed = false, segUsed = false;
  let bad = false;

  let [name, args] = [entry[0], entry[1]];
  const group = GROUPS[groupKey];
  const isEsc = /^esc\d$/.test(name);
  let kinds = args === "" ? [] : args.split(",");
  const registerOnly = kinds.some((k) => k === "Cd" || k === "Dd" || k === "Rd");
  const modrm = group || isEsc || kinds.some(needsModrm) ? decodeModrm(d, a32, registerOnly) : null;
  if (group && modrm) {
    const member = group[modrm.reg];
    // An undefined member of a group consumes the bytes of the group's operand form.
    if (member) [name, args] = [member[0], member[1]];
    else bad = true;
    kinds = args === "" ? [] : args.split(",");
  }

  // Operand size of each kind (0: no size).
  const sizeOf = (k: string): number => {
    if (/^[EG]b$|^AL$|^CL$/.test(k) || FIXED8.has(k)) return 8;
    if (/^[EG]w$|^Sw$|^DX$|^Iw$/.test(k) || FIXED16.has(k)) return 16;
    if (/^[EG]d$|^Rd$|^Cd$|^Dd$/.test(k) || FIXED32.has(k)) return 32;
    if (/^[EG]v$|^eAX$|\//.test(k)) return o32 ? 32 : 16;
    return 0;
  };
  // Sizes of the register operands, which make a size keyword on the memory operand redundant.
  const registerSizes = new Set(kinds.filter((k) => isG(k) || k === "Sw" || k === "eAX" || k === "AL" || k === "DX" || /^[a-z]/.test(k)).map(sizeOf));
  const stringOp = kinds.some(isString);

  // MOVZX/MOVSX/LAR/LSL name a source size other than the destination's: always shown.
  const eKind = kinds.find(isE);
  const mixedSizes = eKind !== undefined && kinds.some((k) => isG(k) && k[1] !== eKind[1]);
  const memory = (size: number, keyword: boolean): string => {
    if (!modrm || modrm.address === null) { bad = true; return "?"; }
    if (modrm.addressHasRegister) adUsed = true;
    const seg = p.segment >= 0 ? SEGS[p.segment] + ":" : "";
    if (p.segment >= 0) segUsed = true;
    const kw = keyword && size && (mixedSizes || !registerSizes.has(size)) ? SIZE_NAMES[size] + " " : "";
    return `${kw}${seg}[${modrm.address}]`;
  };
  const register = (size: number, r: number): string => (size === 8 ? REG8 : size === 16 ? REG16 : REG32)[r];

  const operands: string[] = [];
  let branch: { rel: number; keyword: string } | null = null;
  for (const k of kinds) {
    const vSized = /v$|^eAX$|^Iz$|^Ibs$|\//.test(k);
    if (vSized) opUsed = true;
    if (isE(k)) {
      let size = sizeOf(k);
      if (modrm!.mod === 3) { operands.push(register(size, modrm!.rm)); continue; }
      if (kinds.includes("Sw")) { size = 16; opUsed = false; } // MOV Ew,Sw stores 16 bits whatever the operand size
      operands.push(memory(size, true));
    } else if (isG(k)) {
      operands.push(register(sizeOf(k), modrm!.reg));
    } else if (isMemOnly(k)) {
      if (modrm!.mod === 3) { bad = true; continue; }
      // M (LEA, INVLPG) and Ms/Ma name an address, not a sized value; a far pointer is
      // offset + selector: dword or fword by operand size, unless a register shows it.
      if (k === "Mq") operands.push(memory(64, true));
      else if (k === "Mp") { opUsed = true; operands.push(registerSizes.size ? memory(0, false) : memory(o32 ? 48 : 32, true)); }
      else operands.push(memory(0, false));
    } else if (k === "Sw") {
      if (modrm!.reg > 5) bad = true;
      operands.push(SEGS[modrm!.reg] ?? "?");
    } else if (k === "Cd") operands.push("cr" + modrm!.reg);
    else if (k === "Dd") operands.push("dr" + modrm!.reg);
    else if (k === "Rd") operands.push(REG32[modrm!.rm]);
    else if (k === "Ib") operands.push(hex(d.u8()));
    else if (k === "Iw") operands.push(hex(d.u16()));
    else if (k === "Iz" || k === "Ibs") {
      const v = k === "Iz" ? (o32 ? d.u32() : d.u16()) : d.s8();
      const keyword = name === "push" ? (o32 ? "dword " : "word ") : "";
      operands.push(keyword + hex(o32 ? v >>> 0 : v & 0xffff));
    } else if (k === "Jb" || k === "Jz") {
      const rel = k === "Jb" ? d.s8() : o32 ? d.s32() : d.s16();
      branch = { rel, keyword: p.operandOverride ? (o32 ? "dword " : "word ") : "" };
      opUsed = true;
      operands.push(""); // filled in once the length is known
    } else if (k === "Ap") {
      const off = o32 ? d.u32() : d.u16();
      const sel = d.u16();
      opUsed = true;
      operands.push(`${p.operandOverride ? (o32 ? "dword " : "word ") : ""}${hex(sel)}:${hex(off)}`);
    } else if (k === "Ob" || k === "Ov") {
      const off = a32 ? d.u32() : d.u16();
      const seg = p.segment >= 0 ? SEGS[p.segment] + ":" : "";
      if (p.segment >= 0) segUsed = true;
      operands.push(`${seg}[${hex(off)}]`);
    } else if (isString(k)) {
      // written by the mnemonic alone
    } else if (k === "AL" || k === "CL" || k === "DX") operands.push(k.toLowerCase());
    else if (k === "eAX") operands.push(o32 ? "eax" : "ax");
    else if (k === "1") operands.push("1");
    else if (k.includes("/")) operands.push(k.split("/")[o32 ? 1 : 0]);
    else operands.push(k); // a fixed register name
  }

  if (isEsc && modrm) {
    operands.length = 0;
    bad = false;
    operands.push(modrm.mod === 3 ? hex(modrm.byte) : `/${modrm.reg}, ${memory(0, false)}`);
  }
  if (bad) return { length: d.pos, text: "(bad)" };

  if (name.includes("/")) {
    // "a/b": the 16-bit and 32-bit names; JCXZ/JECXZ is chosen by the address size.
    const byAddress = name.startsWith("jcxz");
    name = name.split("/")[(byAddress ? a32 : o32) ? 1 : 0];
    if (byAddress) adUsed = true; else opUsed = true;
  }
  if (branch) {
    const end = d.pos;
    const i = operands.indexOf("");
    if (eip === undefined) operands[i] = branch.keyword + "$" + signedHex(branch.rel + end);
    else {
      const target = (eip + end + branch.rel) >>> 0;
      operands[i] = branch.keyword + hex(o32 ? target : target & 0xffff);
    }
  }

  const words: string[] = [];
  if (p.lock) words.push("lock");
  if (p.repeat) {
    const compares = /^(cmps|scas)/.test(name) && stringOp;
    words.push(p.repeat === 0xf2 ? "repne" : compares ? "repe" : "rep");
  }
  if (p.segment >= 0 && !segUsed) words.push(SEGS[p.segment]);
  if (p.operandOverride && !opUsed) words.push(o32 ? "o32" : "o16");
  if (p.addressOverride && !adUsed) words.push(a32 ? "a32" : "a16");
  words.push(name);
  const ops = stringOp ? "" : operands.join(", ");
  return { length: d.pos, text: words.join(" ") + (ops ? " " + ops : "") };
}

/** Disassemble one instruction. `read(i)` returns the byte at offset i from the instruction start (0..15). */
export function disassemble(read: (i: number) => number, opts: DisasmOptions): Decoded {
  try {
    return decode(read, opts.default32, opts.eip);
  } catch (e) {
    if (e === TOO_LONG) return { length: MAX_LENGTH, text: "(bad)" };
    throw e;
  }
}

/** Disassemble the instruction at the start of `bytes`; "(bad)" if it is cut short. */
export function disassembleBytes(bytes: Uint8Array, opts: DisasmOptions): Decoded {
  let short = false;
  const d = disassemble((i) => {
    if (i < bytes.length) return bytes[i];
    short = true;
    return 0;
  }, opts);
  if (short) return { length: bytes.length, text: "(bad)" };
  return d;
}
