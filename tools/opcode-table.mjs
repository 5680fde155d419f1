// The one x86 opcode table of emu (i686 integer instruction set, one-byte and 0F maps).
//
// tools/gen-core.mjs turns it into
//   emulator-core/gen/dispatch.ts  the interpreter's switch (generated, do not edit)
//   src/cpu/gen/opcodes.ts         the disassembler's table (generated, do not edit)
//
// Entry fields:
//   op        opcode: 0x00..0xFF, or 0x0F00 | byte for the two-byte map
//   reg       for group opcodes, the ModRM.reg value this entry names (disassembly only)
//   name      mnemonic; "a/b" gives the 16-bit and 32-bit operand-size names (for jcxz/jecxz,
//             the address size chooses)
//   args      operands in the SDM's appendix A notation (see OPERAND_KINDS)
//   exec      AssemblyScript statement run for this opcode; {v} is replaced by 16 or 32
//             (the operand size), splitting the opcode into two switch cases
//   prefix    the byte is a prefix (handled by the decoder itself)
//   lock      LOCK is allowed with a memory destination: true, or the ModRM.reg values
//             of a group that allow it (SDM vol. 2, LOCK); any other LOCK is #UD
//
// An opcode without an exec raises #UD (vector 6), as on a real i686.

/** Operand kinds, for the disassembler (and documentation). */
export const OPERAND_KINDS = {
  Eb: "r/m8", Ew: "r/m16", Ed: "r/m32", Ev: "r/m16 or r/m32 by operand size",
  Gb: "reg8 from ModRM.reg", Gw: "reg16", Gd: "reg32", Gv: "reg16/32",
  Sw: "segment register from ModRM.reg", Cd: "control register", Dd: "debug register", Rd: "reg32 from ModRM.rm",
  Ib: "imm8", Iw: "imm16", Iz: "imm16/32", Ibs: "imm8 sign-extended to operand size",
  Jb: "rel8", Jz: "rel16/32", Ap: "ptr16:16/32", M: "memory", Mp: "far pointer in memory", Ma: "bound pair", Mq: "qword memory", Ms: "pseudo-descriptor",
  Ob: "moffs8", Ov: "moffs16/32", Xb: "DS:[eSI] byte", Xv: "DS:[eSI]", Yb: "ES:[eDI] byte", Yv: "ES:[eDI]",
  AL: "", CL: "", DX: "", eAX: "AX/EAX", "1": "constant 1",
};

const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
const SHIFT = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"];
const REG8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
const REGV = ["ax/eax", "cx/ecx", "dx/edx", "bx/ebx", "sp/esp", "bp/ebp", "si/esi", "di/edi"];
const SEGS = ["es", "cs", "ss", "ds", "fs", "gs"];

export const table = [];
const e = (op, name, args, exec, more = {}) => table.push({ op, name, args, exec, ...more });
const g = (op, reg, name, args) => table.push({ op, reg, name, args });

// ---- one-byte map ------------------------------------------------------------
for (let i = 0; i < 8; i++) {
  const b = i << 3, k = `ALU_${ALU[i].toUpperCase()}`;
  e(b + 0, ALU[i], "Eb,Gb", `aluEbGb(${k})`, i == 7 ? {} : { lock: true });
  e(b + 1, ALU[i], "Ev,Gv", `aluEvGv(${k}, {v})`, i == 7 ? {} : { lock: true });
  e(b + 2, ALU[i], "Gb,Eb", `aluGbEb(${k})`);
  e(b + 3, ALU[i], "Gv,Ev", `aluGvEv(${k}, {v})`);
  e(b + 4, ALU[i], "AL,Ib", `aluALIb(${k})`);
  e(b + 5, ALU[i], "eAX,Iz", `aluAXIz(${k}, {v})`);
}
for (const [op, s] of [[0x06, 0], [0x0e, 1], [0x16, 2], [0x1e, 3]]) e(op, "push", SEGS[s], `pushSeg(${s}, {v})`);
for (const [op, s] of [[0x07, 0], [0x17, 2], [0x1f, 3]]) e(op, "pop", SEGS[s], `popSeg(${s}, {v})`);
for (const [op, s] of [[0x26, 0], [0x2e, 1], [0x36, 2], [0x3e, 3], [0x64, 4], [0x65, 5]]) e(op, SEGS[s], "", null, { prefix: true });
e(0x27, "daa", "", "daa()");
e(0x2f, "das", "", "das()");
e(0x37, "aaa", "", "aaa()");
e(0x3f, "aas", "", "aas()");
for (let r = 0; r < 8; r++) {
  e(0x40 + r, "inc", REGV[r], `incReg(${r}, {v})`);
  e(0x48 + r, "dec", REGV[r], `decReg(${r}, {v})`);
  e(0x50 + r, "push", REGV[r], `pushReg(${r}, {v})`);
  e(0x58 + r, "pop", REGV[r], `popReg(${r}, {v})`);
}
e(0x60, "pusha/pushad", "", "pusha({v})");
e(0x61, "popa/popad", "", "popa({v})");
e(0x62, "bound", "Gv,Ma", "bound({v})");
e(0x63, "arpl", "Ew,Gw", "arpl()");
e(0x66, "o16/o32", "", null, { prefix: true });
e(0x67, "a16/a32", "", null, { prefix: true });
e(0x68, "push", "Iz", "pushImm({v})");
e(0x69, "imul", "Gv,Ev,Iz", "imulGvEvIz({v})");
e(0x6a, "push", "Ibs", "pushImm8({v})");
e(0x6b, "imul", "Gv,Ev,Ibs", "imulGvEvIb({v})");
e(0x6c, "insb", "Yb,DX", "ins(1)");
e(0x6d, "insw/insd", "Yv,DX", "ins({v} >> 3)");
e(0x6e, "outsb", "DX,Xb", "outs(1)");
e(0x6f, "outsw/outsd", "DX,Xv", "outs({v} >> 3)");
for (let c = 0; c < 16; c++) e(0x70 + c, "j" + CC[c], "Jb", `jccShort(${c})`);
for (let r = 0; r < 8; r++) {
  g(0x80, r, ALU[r], "Eb,Ib");
  g(0x81, r, ALU[r], "Ev,Iz");
  g(0x82, r, ALU[r], "Eb,Ib");
  g(0x83, r, ALU[r], "Ev,Ibs");
}
e(0x80, "grp1", "Eb,Ib", "grp1EbIb()", { lock: [0, 1, 2, 3, 4, 5, 6] });
e(0x81, "grp1", "Ev,Iz", "grp1EvIz({v})", { lock: [0, 1, 2, 3, 4, 5, 6] });
e(0x82, "grp1", "Eb,Ib", "grp1EbIb()", { lock: [0, 1, 2, 3, 4, 5, 6] });
e(0x83, "grp1", "Ev,Ibs", "grp1EvIb({v})", { lock: [0, 1, 2, 3, 4, 5, 6] });
e(0x84, "test", "Eb,Gb", "aluEbGb(ALU_TEST)");
e(0x85, "test", "Ev,Gv", "aluEvGv(ALU_TEST, {v})");
e(0x86, "xchg", "Eb,Gb", "xchgEbGb()", { lock: true });
e(0x87, "xchg", "Ev,Gv", "xchgEvGv({v})", { lock: true });
e(0x88, "mov", "Eb,Gb", "movEbGb()");
e(0x89, "mov", "Ev,Gv", "movEvGv({v})");
e(0x8a, "mov", "Gb,Eb", "movGbEb()");
e(0x8b, "mov", "Gv,Ev", "movGvEv({v})");
e(0x8c, "mov", "Ev,Sw", "movEwSw({v})");
e(0x8d, "lea", "Gv,M", "lea({v})");
e(0x8e, "mov", "Sw,Ew", "movSwEw()");
e(0x8f, "pop", "Ev", "popEv({v})");
g(0x8f, 0, "pop", "Ev");
e(0x90, "nop", "", "nop()");
for (let r = 1; r < 8; r++) e(0x90 + r, "xchg", `${REGV[r]},eAX`, `xchgAX(${r}, {v})`);
e(0x98, "cbw/cwde", "", "cbw({v})");
e(0x99, "cwd/cdq", "", "cwd({v})");
e(0x9a, "call", "Ap", "callFarImm({v})");
e(0x9b, "wait", "", "fwait()");
e(0x9c, "pushf/pushfd", "", "pushf({v})");
e(0x9d, "popf/popfd", "", "popf({v})");
e(0x9e, "sahf", "", "sahf()");
e(0x9f, "lahf", "", "lahf()");
e(0xa0, "mov", "AL,Ob", "movALOb()");
e(0xa1, "mov", "eAX,Ov", "movAXOv({v})");
e(0xa2, "mov", "Ob,AL", "movObAL()");
e(0xa3, "mov", "Ov,eAX", "movOvAX({v})");
e(0xa4, "movsb", "Yb,Xb", "movs(1)");
e(0xa5, "movsw/movsd", "Yv,Xv", "movs({v} >> 3)");
e(0xa6, "cmpsb", "Xb,Yb", "cmps(1)");
e(0xa7, "cmpsw/cmpsd", "Xv,Yv", "cmps({v} >> 3)");
e(0xa8, "test", "AL,Ib", "aluALIb(ALU_TEST)");
e(0xa9, "test", "eAX,Iz", "aluAXIz(ALU_TEST, {v})");
e(0xaa, "stosb", "Yb,AL", "stos(1)");
e(0xab, "stosw/stosd", "Yv,eAX", "stos({v} >> 3)");
e(0xac, "lodsb", "AL,Xb", "lods(1)");
e(0xad, "lodsw/lodsd", "eAX,Xv", "lods({v} >> 3)");
e(0xae, "scasb", "AL,Yb", "scas(1)");
e(0xaf, "scasw/scasd", "eAX,Yv", "scas({v} >> 3)");
for (let r = 0; r < 8; r++) {
  e(0xb0 + r, "mov", `${REG8[r]},Ib`, `movReg8Imm(${r})`);
  e(0xb8 + r, "mov", `${REGV[r]},Iz`, `movRegImm(${r}, {v})`);
}
for (let r = 0; r < 8; r++) {
  for (const [op, args] of [[0xc0, "Eb,Ib"], [0xc1, "Ev,Ib"], [0xd0, "Eb,1"], [0xd1, "Ev,1"], [0xd2, "Eb,CL"], [0xd3, "Ev,CL"]]) g(op, r, SHIFT[r], args);
}
e(0xc0, "grp2", "Eb,Ib", "grp2Eb(COUNT_IMM8)");
e(0xc1, "grp2", "Ev,Ib", "grp2Ev(COUNT_IMM8, {v})");
e(0xc2, "ret", "Iw", "retNear(fetch16(), {v})");
e(0xc3, "ret", "", "retNear(0, {v})");
e(0xc4, "les", "Gv,Mp", "loadFarPointer(0, {v})");
e(0xc5, "lds", "Gv,Mp", "loadFarPointer(3, {v})");
e(0xc6, "mov", "Eb,Ib", "movEbIb()");
e(0xc7, "mov", "Ev,Iz", "movEvIz({v})");
g(0xc6, 0, "mov", "Eb,Ib");
g(0xc7, 0, "mov", "Ev,Iz");
e(0xc8, "enter", "Iw,Ib", "enter({v})");
e(0xc9, "leave", "", "leave({v})");
e(0xca, "retf", "Iw", "retFar(fetch16(), {v})");
e(0xcb, "retf", "", "retFar(0, {v})");
e(0xcc, "int3", "", "int3()");
e(0xcd, "int", "Ib", "intImm()");
e(0xce, "into", "", "into()");
e(0xcf, "iret/iretd", "", "iret({v})");
e(0xd0, "grp2", "Eb,1", "grp2Eb(COUNT_ONE)");
e(0xd1, "grp2", "Ev,1", "grp2Ev(COUNT_ONE, {v})");
e(0xd2, "grp2", "Eb,CL", "grp2Eb(COUNT_CL)");
e(0xd3, "grp2", "Ev,CL", "grp2Ev(COUNT_CL, {v})");
e(0xd4, "aam", "Ib", "aam()");
e(0xd5, "aad", "Ib", "aad()");
e(0xd6, "salc", "", "salc()");
e(0xd7, "xlat", "", "xlat()");
// x87 escapes: emulator-core/ops/fpu.ts (escD8..escDF) decodes the ModRM forms itself.
for (let i = 0; i < 8; i++) e(0xd8 + i, "esc" + i, "M", `esc${(0xd8 + i).toString(16).toUpperCase()}()`);
e(0xe0, "loopne", "Jb", "loop(LOOP_NE)");
e(0xe1, "loope", "Jb", "loop(LOOP_E)");
e(0xe2, "loop", "Jb", "loop(LOOP_ALWAYS)");
e(0xe3, "jcxz/jecxz", "Jb", "jcxz()");
e(0xe4, "in", "AL,Ib", "inImm(1)");
e(0xe5, "in", "eAX,Ib", "inImm({v} >> 3)");
e(0xe6, "out", "Ib,AL", "outImm(1)");
e(0xe7, "out", "Ib,eAX", "outImm({v} >> 3)");
e(0xe8, "call", "Jz", "callNear({v})");
e(0xe9, "jmp", "Jz", "jmpNear({v})");
e(0xea, "jmp", "Ap", "jmpFarImm({v})");
e(0xeb, "jmp", "Jb", "jmpShort()");
e(0xec, "in", "AL,DX", "inDX(1)");
e(0xed, "in", "eAX,DX", "inDX({v} >> 3)");
e(0xee, "out", "DX,AL", "outDX(1)");
e(0xef, "out", "DX,eAX", "outDX({v} >> 3)");
e(0xf0, "lock", "", null, { prefix: true });
e(0xf1, "int1", "", "int1()");
e(0xf2, "repne", "", null, { prefix: true });
e(0xf3, "rep", "", null, { prefix: true });
e(0xf4, "hlt", "", "hlt()");
e(0xf5, "cmc", "", "cmc()");
for (const [r, n, a] of [[0, "test", "Eb,Ib"], [1, "test", "Eb,Ib"], [2, "not", "Eb"], [3, "neg", "Eb"], [4, "mul", "Eb"], [5, "imul", "Eb"], [6, "div", "Eb"], [7, "idiv", "Eb"]]) {
  g(0xf6, r, n, a);
  g(0xf7, r, n, r < 2 ? "Ev,Iz" : "Ev");
}
e(0xf6, "grp3", "Eb", "grp3Eb()", { lock: [2, 3] });
e(0xf7, "grp3", "Ev", "grp3Ev({v})", { lock: [2, 3] });
e(0xf8, "clc", "", "clc()");
e(0xf9, "stc", "", "stc()");
e(0xfa, "cli", "", "cli()");
e(0xfb, "sti", "", "sti()");
e(0xfc, "cld", "", "cld()");
e(0xfd, "std", "", "std()");
g(0xfe, 0, "inc", "Eb");
g(0xfe, 1, "dec", "Eb");
e(0xfe, "grp4", "Eb", "grp4Eb()", { lock: [0, 1] });
for (const [r, n, a] of [[0, "inc", "Ev"], [1, "dec", "Ev"], [2, "call", "Ev"], [3, "callf", "Mp"], [4, "jmp", "Ev"], [5, "jmpf", "Mp"], [6, "push", "Ev"]]) g(0xff, r, n, a);
e(0xff, "grp5", "Ev", "grp5Ev({v})", { lock: [0, 1] });

// ---- two-byte map (0F xx) ------------------------------------------------------
const T = 0x0f00;
for (const [r, n, a] of [[0, "sldt", "Ew"], [1, "str", "Ew"], [2, "lldt", "Ew"], [3, "ltr", "Ew"], [4, "verr", "Ew"], [5, "verw", "Ew"]]) g(T + 0x00, r, n, a);
e(T + 0x00, "grp6", "Ew", "grp6()");
for (const [r, n, a] of [[0, "sgdt", "Ms"], [1, "sidt", "Ms"], [2, "lgdt", "Ms"], [3, "lidt", "Ms"], [4, "smsw", "Ew"], [6, "lmsw", "Ew"], [7, "invlpg", "M"]]) g(T + 0x01, r, n, a);
e(T + 0x01, "grp7", "Ms", "grp7({v})");
e(T + 0x02, "lar", "Gv,Ew", "lar({v})");
e(T + 0x03, "lsl", "Gv,Ew", "lsl({v})");
e(T + 0x06, "clts", "", "clts()");
e(T + 0x08, "invd", "", "invd()");
e(T + 0x09, "wbinvd", "", "invd()");
e(T + 0x0b, "ud2", "", null);
// 0F 19-1F: NOP Ev (hint NOPs, reserved as NOPs on P6-family processors; SDM vol. 2, table A-3).
for (let b = 0x19; b <= 0x1f; b++) e(T + b, "nop", "Ev", "nopEv()");
e(T + 0x20, "mov", "Rd,Cd", "movRdCd()");
e(T + 0x21, "mov", "Rd,Dd", "movRdDd()");
e(T + 0x22, "mov", "Cd,Rd", "movCdRd()");
e(T + 0x23, "mov", "Dd,Rd", "movDdRd()");
e(T + 0x30, "wrmsr", "", "wrmsr()");
e(T + 0x31, "rdtsc", "", "rdtsc()");
e(T + 0x32, "rdmsr", "", "rdmsr()");
e(T + 0x33, "rdpmc", "", "rdpmc()");
e(T + 0x34, "sysenter", "", "sysenter()");
e(T + 0x35, "sysexit", "", "sysexit()");
for (let c = 0; c < 16; c++) {
  e(T + 0x40 + c, "cmov" + CC[c], "Gv,Ev", `cmov(${c}, {v})`);
  e(T + 0x80 + c, "j" + CC[c], "Jz", `jccNear(${c}, {v})`);
  e(T + 0x90 + c, "set" + CC[c], "Eb", `setcc(${c})`);
}
e(T + 0xa0, "push", "fs", "pushSeg(4, {v})");
e(T + 0xa1, "pop", "fs", "popSeg(4, {v})");
e(T + 0xa2, "cpuid", "", "cpuid()");
e(T + 0xa3, "bt", "Ev,Gv", "btEvGv(BIT_TEST, {v})");
e(T + 0xa4, "shld", "Ev,Gv,Ib", "shld(COUNT_IMM8, {v})");
e(T + 0xa5, "shld", "Ev,Gv,CL", "shld(COUNT_CL, {v})");
e(T + 0xa8, "push", "gs", "pushSeg(5, {v})");
e(T + 0xa9, "pop", "gs", "popSeg(5, {v})");
e(T + 0xab, "bts", "Ev,Gv", "btEvGv(BIT_SET, {v})", { lock: true });
e(T + 0xac, "shrd", "Ev,Gv,Ib", "shrd(COUNT_IMM8, {v})");
e(T + 0xad, "shrd", "Ev,Gv,CL", "shrd(COUNT_CL, {v})");
e(T + 0xaf, "imul", "Gv,Ev", "imulGvEv({v})");
e(T + 0xb0, "cmpxchg", "Eb,Gb", "cmpxchgEbGb()", { lock: true });
e(T + 0xb1, "cmpxchg", "Ev,Gv", "cmpxchgEvGv({v})", { lock: true });
e(T + 0xb2, "lss", "Gv,Mp", "loadFarPointer(2, {v})");
e(T + 0xb3, "btr", "Ev,Gv", "btEvGv(BIT_RESET, {v})", { lock: true });
e(T + 0xb4, "lfs", "Gv,Mp", "loadFarPointer(4, {v})");
e(T + 0xb5, "lgs", "Gv,Mp", "loadFarPointer(5, {v})");
e(T + 0xb6, "movzx", "Gv,Eb", "movzxGvEb({v})");
e(T + 0xb7, "movzx", "Gv,Ew", "movzxGvEw({v})");
for (const [r, n] of [[4, "bt"], [5, "bts"], [6, "btr"], [7, "btc"]]) g(T + 0xba, r, n, "Ev,Ib");
e(T + 0xba, "grp8", "Ev,Ib", "grp8({v})", { lock: [5, 6, 7] });
e(T + 0xbb, "btc", "Ev,Gv", "btEvGv(BIT_COMPLEMENT, {v})", { lock: true });
e(T + 0xbc, "bsf", "Gv,Ev", "bsf({v})");
e(T + 0xbd, "bsr", "Gv,Ev", "bsr({v})");
e(T + 0xbe, "movsx", "Gv,Eb", "movsxGvEb({v})");
e(T + 0xbf, "movsx", "Gv,Ew", "movsxGvEw({v})");
e(T + 0xc0, "xadd", "Eb,Gb", "xaddEbGb()", { lock: true });
e(T + 0xc1, "xadd", "Ev,Gv", "xaddEvGv({v})", { lock: true });
g(T + 0xc7, 1, "cmpxchg8b", "Mq");
e(T + 0xc7, "grp9", "Mq", "grp9()", { lock: [1] });
for (let r = 0; r < 8; r++) e(T + 0xc8 + r, "bswap", REGV[r].split("/")[1], `bswap(${r})`);

/** Opcodes whose instruction takes a ModRM byte (for the disassembler's length decoding). */
export function hasModrm(entry) {
  return /\b(E[bwdv]|G[bwdv]|M[apqs]?|Sw|Cd|Dd|Rd)\b/.test(entry.args) || entry.name.startsWith("esc") || /^grp/.test(entry.name);
}
