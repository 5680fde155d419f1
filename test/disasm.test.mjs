// Tests of the disassembler (src/cpu/disasm.ts):
//   1. hand-checked instructions covering every operand kind and the prefixes;
//   2. instruction lengths against GNU objdump on random encodings of every implemented
//      opcode (skipped when objdump is not on PATH);
//   3. 16-bit lengths against the SingleStepTests 80286 data in ../shared/ssts-80286
//      (skipped when the folder is missing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// The opcode table is build output (git-ignored): generate it when it is missing.
if (!existsSync(join(root, "src/cpu/gen/opcodes.ts"))) {
  const r = spawnSync(process.execPath, [join(root, "tools/gen-core.mjs")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tools/gen-core.mjs failed:\n${r.stderr}`);
}

// Bundle the TypeScript module (and the table, for generating test encodings) to a temporary file.
const tmp = mkdtempSync(join(tmpdir(), "emu-disasm-test-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const bundled = await build({
  stdin: {
    contents: 'export * from "./src/cpu/disasm.ts"; export { ONE_BYTE, TWO_BYTE, GROUPS } from "./src/cpu/gen/opcodes.ts";',
    resolveDir: root,
    sourcefile: "disasm-test-entry.ts",
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "node",
  write: false,
  logLevel: "silent",
});
const modulePath = join(tmp, "disasm.mjs");
writeFileSync(modulePath, bundled.outputFiles[0].text);
const { disassemble, disassembleBytes, ONE_BYTE, TWO_BYTE, GROUPS } = await import(pathToFileURL(modulePath).href);

const fromHex = (h) => Uint8Array.from(h.replace(/\s+/g, "").match(/../g) ?? [], (x) => parseInt(x, 16));

// ---- 1. hand-checked cases ------------------------------------------------------
// [bits, hex bytes (all of them are the instruction), expected text, eip (optional)]
const CASES = [
  // ALU forms, 16-bit ModRM
  [16, "00 47 0e", "add [bx+0xe], al"],
  [16, "01 18", "add [bx+si], bx"],
  [16, "02 06 34 12", "add al, [0x1234]"],
  [16, "03 46 10", "add ax, [bp+0x10]"],
  [16, "2b 42 f0", "sub ax, [bp+si-0x10]"],
  [16, "33 8b 00 80", "xor cx, [bp+di-0x8000]"],
  [16, "04 80", "add al, 0x80"],
  [16, "05 34 12", "add ax, 0x1234"],
  [16, "66 05 78 56 34 12", "add eax, 0x12345678"],
  [16, "38 c4", "cmp ah, al"],
  // fixed registers, one-byte opcodes
  [16, "06", "push es"],
  [16, "66 06", "o32 push es"],
  [16, "1f", "pop ds"],
  [16, "27", "daa"],
  [16, "40", "inc ax"],
  [16, "66 40", "inc eax"],
  [16, "5c", "pop sp"],
  [16, "60", "pusha"],
  [16, "66 60", "pushad"],
  [16, "62 0f", "bound cx, [bx]"],
  [16, "63 34", "arpl [si], si"],
  [16, "68 34 12", "push word 0x1234"],
  [16, "66 6a 05", "push dword 0x5"],
  [16, "69 c3 34 12", "imul ax, bx, 0x1234"],
  [16, "6b c3 ff", "imul ax, bx, 0xffff"],
  [16, "66 6b c3 80", "imul eax, ebx, 0xffffff80"],
  // string instructions and repeat prefixes
  [16, "6c", "insb"],
  [16, "f3 6d", "rep insw"],
  [16, "66 f3 6f", "rep outsd"],
  [16, "a5", "movsw"],
  [16, "66 a5", "movsd"],
  [16, "f3 ab", "rep stosw"],
  [16, "f3 a6", "repe cmpsb"],
  [16, "f2 a7", "repne cmpsw"],
  [16, "f2 ae", "repne scasb"],
  [16, "f3 af", "repe scasw"],
  [16, "26 ac", "es lodsb"],
  [16, "67 f3 a4", "rep a32 movsb"],
  [16, "f3 66 67 26 a5", "rep es a32 movsd"],
  [16, "d7", "xlat"],
  [16, "67 d7", "a32 xlat"],
  // relative branches
  [16, "74 05", "je 0x107", 0x100],
  [16, "74 fe", "je $+0x0"],
  [16, "7f 80", "jg $-0x7e"],
  [16, "eb fe", "jmp 0x7c00", 0x7c00],
  [16, "e8 00 00", "call 0x103", 0x100],
  [16, "e9 20 00", "jmp 0x13", 0xfff0], // 16-bit operand size: the target wraps at 64K
  [16, "66 e9 20 00 00 00", "jmp dword 0x10016", 0xfff0],
  [16, "e2 fe", "loop 0x100", 0x100],
  [16, "e0 10", "loopne 0x112", 0x100],
  [16, "67 e1 10", "a32 loope 0x113", 0x100],
  [16, "e3 10", "jcxz 0x112", 0x100],
  [16, "67 e3 10", "jecxz 0x113", 0x100],
  [16, "0f 84 00 00", "je 0x104", 0x100],
  [32, "0f 85 00 00 00 00", "jne 0x1006", 0x1000],
  [32, "e9 00 00 00 00", "jmp 0x0", 0xfffffffb],
  [32, "66 e9 fb ff", "jmp word 0xff", 0x100],
  // groups 1-5
  [16, "80 07 01", "add byte [bx], 0x1"],
  [16, "81 3f 34 12", "cmp word [bx], 0x1234"],
  [16, "82 70 ff 05", "xor byte [bx+si-0x1], 0x5"],
  [16, "83 e8 ff", "sub ax, 0xffff"],
  [16, "66 83 07 01", "add dword [bx], 0x1"],
  [16, "c0 e0 03", "shl al, 0x3"],
  [16, "c1 2f 05", "shr word [bx], 0x5"],
  [16, "d0 f8", "sar al, 1"],
  [16, "d1 26 34 12", "shl word [0x1234], 1"],
  [16, "d3 c8", "ror ax, cl"],
  [16, "d2 0f", "ror byte [bx], cl"],
  [16, "f6 c3 12", "test bl, 0x12"],
  [16, "f7 c8 34 12", "test ax, 0x1234"],
  [16, "f7 d8", "neg ax"],
  [16, "f7 36 34 12", "div word [0x1234]"],
  [16, "f6 2f", "imul byte [bx]"],
  [16, "fe 04", "inc byte [si]"],
  [16, "ff 04", "inc word [si]"],
  [16, "ff d0", "call ax"],
  [16, "ff 1f", "callf dword [bx]"],
  [16, "66 ff 1f", "callf fword [bx]"],
  [16, "ff e3", "jmp bx"],
  [16, "ff 2e 34 12", "jmpf dword [0x1234]"],
  [16, "ff 36 34 12", "push word [0x1234]"],
  [16, "8f 06 34 12", "pop word [0x1234]"],
  // MOV forms, segment registers, moffs
  [16, "88 e0", "mov al, ah"],
  [16, "8b 40 10", "mov ax, [bx+si+0x10]"],
  [16, "26 8b 40 10", "mov ax, es:[bx+si+0x10]"],
  [16, "26 2e 8b 07", "mov ax, cs:[bx]"],
  [16, "8c d8", "mov ax, ds"],
  [16, "66 8c d8", "mov eax, ds"],
  [16, "8c 07", "mov [bx], es"],
  [16, "8e 1e 34 12", "mov ds, [0x1234]"],
  [16, "8e c0", "mov es, ax"],
  [16, "8d 42 02", "lea ax, [bp+si+0x2]"],
  [16, "a0 34 12", "mov al, [0x1234]"],
  [16, "a1 34 12", "mov ax, [0x1234]"],
  [16, "2e a2 34 12", "mov cs:[0x1234], al"],
  [16, "67 a1 78 56 34 12", "a32 mov ax, [0x12345678]"],
  [16, "b0 12", "mov al, 0x12"],
  [16, "bc 34 12", "mov sp, 0x1234"],
  [16, "66 b8 78 56 34 12", "mov eax, 0x12345678"],
  [16, "c6 07 12", "mov byte [bx], 0x12"],
  [16, "c7 06 34 12 78 56", "mov word [0x1234], 0x5678"],
  [16, "c4 1e 34 12", "les bx, [0x1234]"],
  [16, "c5 37", "lds si, [bx]"],
  // exchange, conversions, misc one-byte
  [16, "86 e0", "xchg al, ah"],
  [16, "90", "nop"],
  [16, "91", "xchg cx, ax"],
  [16, "66 97", "xchg edi, eax"],
  [16, "98", "cbw"],
  [16, "66 98", "cwde"],
  [16, "99", "cwd"],
  [16, "66 99", "cdq"],
  [16, "9c", "pushf"],
  [16, "66 9d", "popfd"],
  [16, "9a 78 56 34 12", "call 0x1234:0x5678"],
  [16, "ea 5b e0 00 f0", "jmp 0xf000:0xe05b"],
  [16, "66 ea 78 56 34 12 08 00", "jmp dword 0x8:0x12345678"],
  [16, "c2 04 00", "ret 0x4"],
  [16, "c3", "ret"],
  [16, "66 c3", "o32 ret"],
  [16, "ca 08 00", "retf 0x8"],
  [16, "cb", "retf"],
  [16, "c8 10 00 01", "enter 0x10, 0x1"],
  [16, "c9", "leave"],
  [16, "cc", "int3"],
  [16, "cd 21", "int 0x21"],
  [16, "ce", "into"],
  [16, "cf", "iret"],
  [16, "66 cf", "iretd"],
  [16, "d4 0a", "aam 0xa"],
  [16, "d5 0a", "aad 0xa"],
  [16, "d6", "salc"],
  [16, "e4 60", "in al, 0x60"],
  [16, "e5 60", "in ax, 0x60"],
  [16, "e6 80", "out 0x80, al"],
  [16, "66 e7 80", "out 0x80, eax"],
  [16, "ec", "in al, dx"],
  [16, "ef", "out dx, ax"],
  [16, "f0 01 07", "lock add [bx], ax"],
  [16, "f1", "int1"],
  [16, "f4", "hlt"],
  [16, "f5", "cmc"],
  [16, "fa", "cli"],
  [16, "fd", "std"],
  [16, "9b", "wait"],
  // x87 escapes
  [16, "d8 00", "esc0 /0, [bx+si]"],
  [16, "d9 3e 34 12", "esc1 /7, [0x1234]"],
  [16, "26 dd 47 08", "esc5 /0, es:[bx+0x8]"],
  [16, "d8 c1", "esc0 0xc1"],
  [16, "db e3", "esc3 0xe3"],
  [32, "df 2c 24", "esc7 /5, [esp]"],
  // two-byte map
  [16, "0f 00 c0", "sldt ax"],
  [16, "0f 00 1f", "ltr word [bx]"],
  [16, "0f 01 16 34 12", "lgdt [0x1234]"],
  [32, "66 0f 01 10", "o16 lgdt [eax]"],
  [16, "0f 01 e0", "smsw ax"],
  [16, "0f 01 38", "invlpg [bx+si]"],
  [16, "0f 02 c1", "lar ax, cx"],
  [16, "0f 03 07", "lsl ax, word [bx]"],
  [16, "0f 06", "clts"],
  [16, "0f 0b", "ud2"],
  [16, "0f 1f 00", "nop word [bx+si]"],
  [16, "0f 31", "rdtsc"],
  [16, "0f a2", "cpuid"],
  [16, "0f 20 c0", "mov eax, cr0"],
  [16, "0f 20 00", "mov eax, cr0"], // MOV CRn ignores ModRM.mod: no displacement
  [32, "0f 20 44", "mov esp, cr0"],
  [16, "0f 22 d8", "mov cr3, eax"],
  [16, "0f 21 f8", "mov eax, dr7"],
  [16, "0f 23 c1", "mov dr0, ecx"],
  [16, "0f 44 c1", "cmove ax, cx"],
  [16, "0f 94 c0", "sete al"],
  [16, "0f 9f 07", "setg byte [bx]"],
  [16, "0f a0", "push fs"],
  [16, "0f a9", "pop gs"],
  [16, "0f a3 c8", "bt ax, cx"],
  [16, "0f a4 c8 04", "shld ax, cx, 0x4"],
  [16, "0f ad c8", "shrd ax, cx, cl"],
  [16, "0f af c1", "imul ax, cx"],
  [16, "0f b0 0f", "cmpxchg [bx], cl"],
  [16, "f0 0f c1 0f", "lock xadd [bx], cx"],
  [16, "0f b2 07", "lss ax, [bx]"],
  [16, "0f b6 c1", "movzx ax, cl"],
  [16, "66 0f b6 07", "movzx eax, byte [bx]"],
  [16, "0f bf 07", "movsx ax, word [bx]"],
  [16, "0f ba e0 05", "bt ax, 0x5"],
  [16, "0f ba 2f 05", "bts word [bx], 0x5"],
  [16, "0f bc c1", "bsf ax, cx"],
  [16, "0f c8", "bswap eax"],
  [16, "0f cf", "bswap edi"],
  [16, "0f c7 0f", "cmpxchg8b qword [bx]"],
  // 32-bit addressing: SIB, disp-only, ebp/esp bases, overrides
  [32, "8b 44 88 10", "mov eax, [eax+ecx*4+0x10]"],
  [32, "8b 04 88", "mov eax, [eax+ecx*4]"],
  [32, "8b 04 0b", "mov eax, [ebx+ecx]"],
  [32, "8b 04 25 78 56 34 12", "mov eax, [0x12345678]"],
  [32, "8b 05 78 56 34 12", "mov eax, [0x12345678]"],
  [32, "8b 4c 24 fc", "mov ecx, [esp-0x4]"],
  [32, "8b 44 1d 00", "mov eax, [ebp+ebx+0x0]"],
  [32, "8b 04 4d 00 10 00 00", "mov eax, [ecx*2+0x1000]"],
  [32, "8b 84 88 00 01 00 00", "mov eax, [eax+ecx*4+0x100]"],
  [32, "8b 45 f8", "mov eax, [ebp-0x8]"],
  [32, "66 8b 00", "mov ax, [eax]"],
  [32, "67 8b 07", "mov eax, [bx]"],
  [32, "64 8b 03", "mov eax, fs:[ebx]"],
  [32, "a1 78 56 34 12", "mov eax, [0x12345678]"],
  [32, "6a 05", "push dword 0x5"],
  [32, "66 6a 05", "push word 0x5"],
  [32, "c7 00 78 56 34 12", "mov dword [eax], 0x12345678"],
  [32, "83 c4 f0", "add esp, 0xfffffff0"],
  [32, "ff 1f", "callf fword [edi]"],
  // undefined encodings
  [16, "0f 0f", "(bad)"],
  [16, "0f ff", "(bad)"],
  [16, "ff ff", "(bad)"],
  [16, "fe 10", "(bad)"],
  [16, "c6 08 05", "(bad)"],
  [16, "8d c0", "(bad)"],
  [16, "c4 c0", "(bad)"],
  [16, "8e f8", "(bad)"],
  [16, "0f 01 f8", "(bad)"],
];

test("hand-checked instructions", () => {
  const failures = [];
  for (const [bits, hex, text, eip] of CASES) {
    const bytes = fromHex(hex);
    const d = disassembleBytes(bytes, { default32: bits === 32, eip });
    if (d.text !== text || d.length !== bytes.length) {
      failures.push(`${bits}-bit ${hex}: got "${d.text}" (${d.length}), want "${text}" (${bytes.length})`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(CASES.length >= 60);
});

test("prefix limits, repeats and short input", () => {
  // 14 prefixes + an opcode is the longest legal instruction; one more byte is too long.
  const es14 = new Uint8Array(15).fill(0x26);
  es14[14] = 0x90;
  assert.deepEqual(disassembleBytes(es14, { default32: false }), { length: 15, text: "es nop" });
  const lock15 = new Uint8Array(16).fill(0xf0);
  lock15[15] = 0x90;
  assert.deepEqual(disassembleBytes(lock15, { default32: false }), { length: 15, text: "(bad)" });
  // 66 twice is still one override; the last repeat / segment prefix decides.
  assert.equal(disassembleBytes(fromHex("66 66 40"), { default32: false }).text, "inc eax");
  assert.equal(disassembleBytes(fromHex("f2 f3 a4"), { default32: false }).text, "rep movsb");
  assert.equal(disassembleBytes(fromHex("f3 f2 a6"), { default32: false }).text, "repne cmpsb");
  assert.equal(disassembleBytes(fromHex("3e 36 8b 07"), { default32: false }).text, "mov ax, ss:[bx]");
  // An instruction cut short by the end of the bytes.
  assert.deepEqual(disassembleBytes(fromHex("8b"), { default32: false }), { length: 1, text: "(bad)" });
  assert.deepEqual(disassembleBytes(fromHex("b8 34"), { default32: false }), { length: 2, text: "(bad)" });
  // The reader form reads no further than the instruction.
  let furthest = -1;
  const code = fromHex("8b 44 88 10 cc cc cc cc");
  const d = disassemble((i) => { furthest = Math.max(furthest, i); return code[i]; }, { default32: true, eip: 0 });
  assert.deepEqual(d, { length: 4, text: "mov eax, [eax+ecx*4+0x10]" });
  assert.equal(furthest, 3);
});

// ---- 2. differential test against GNU objdump -------------------------------------
function which(cmd) {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() !== "";
}
const haveObjdump = which("objdump");

/** Deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3];
/** Operand kinds that name memory only: their register forms (mod = 3) are #UD, and objdump
 * reads C4/C5/62 with mod = 3 as VEX/EVEX prefixes. */
const MEMORY_ONLY = /(^|,)M[apqs]?(,|$)/;

/** Every implemented opcode, with the ModRM.reg values that name a defined group member. */
function implementedOpcodes() {
  const list = [];
  const add = (map, bytes, key) => {
    map.forEach((entry, op) => {
      if (!entry || entry[3] === 1 || entry[2] !== 1) return;
      const groupKey = key + op.toString(16).padStart(2, "0");
      const group = GROUPS[groupKey];
      const regs = group ? group.flatMap((m, r) => (m ? [r] : [])) : null;
      list.push({ opcode: [...bytes, op], entry, group, regs });
    });
  };
  add(ONE_BYTE, [], "");
  add(TWO_BYTE, [0x0f], "0f");
  return list;
}

/** Random encodings of implemented opcodes: prefixes, opcode, then random ModRM/SIB/disp/imm bytes. */
function randomInstructions(count, seed) {
  const rand = rng(seed);
  const byte = () => Math.floor(rand() * 256);
  const ops = implementedOpcodes();
  const out = [];
  for (let n = 0; n < count; n++) {
    const op = ops[n % ops.length]; // every opcode, round-robin
    const prefixes = [];
    const np = rand() < 0.5 ? 0 : Math.floor(rand() * 3) + 1;
    for (let i = 0; i < np; i++) prefixes.push(PREFIXES[Math.floor(rand() * PREFIXES.length)]);
    const bytes = [...prefixes, ...op.opcode];
    while (bytes.length < 16) bytes.push(byte());
    const at = prefixes.length + op.opcode.length; // the ModRM byte, if any
    let modrm = bytes[at];
    let args = op.entry[1];
    if (op.group) {
      const reg = op.regs[Math.floor(rand() * op.regs.length)];
      modrm = (modrm & 0xc7) | (reg << 3);
      args = op.group[reg][1];
    }
    if (MEMORY_ONLY.test(args) && modrm >= 0xc0) modrm &= 0xbf;
    if (/(^|,)Sw(,|$)/.test(args) && ((modrm >> 3) & 7) > 5) modrm &= 0xef; // Sw 6/7 are undefined
    bytes[at] = modrm;
    if (op.opcode.length === 1 && op.opcode[0] === 0x9b) bytes[at] = 0x90; // keep objdump from fusing FWAIT with an x87 op
    out.push({ bytes: Uint8Array.from(bytes), prefixes: prefixes.length, op });
  }
  return out;
}

/** Run objdump over instructions laid out in 32-byte slots (16 bytes of instruction, 16 NOPs
 * so that its decoding of the leftover random bytes ends before the next slot). */
function objdumpSlots(instrs, machine) {
  const SLOT = 32;
  const image = new Uint8Array(instrs.length * SLOT).fill(0x90);
  instrs.forEach((ins, i) => image.set(ins.bytes, i * SLOT));
  const file = join(tmp, `${machine}.bin`);
  writeFileSync(file, image);
  const text = execFileSync("objdump", ["-D", "-b", "binary", "-m", machine, "-M", "intel", "--insn-width=16", file], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const at = new Map();
  for (const line of text.split("\n")) {
    const m = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$/.exec(line);
    if (m) at.set(parseInt(m[1], 16), { length: m[2].trim().split(" ").length, text: m[3].trim() });
  }
  return instrs.map((_, i) => at.get(i * SLOT) ?? null);
}

/** objdump's mnemonic, without the prefix words it writes before it. */
function objdumpMnemonic(text) {
  const words = text.split(/\s+/);
  const prefixWords = new Set(["lock", "rep", "repz", "repnz", "repe", "repne", "data16", "data32", "addr16", "addr32", "es", "cs", "ss", "ds", "fs", "gs", "bnd", "notrack"]);
  while (words.length > 1 && prefixWords.has(words[0])) words.shift();
  return words[0];
}

/** Our mnemonics whose spelling objdump does not share (style, not length): checked by length only. */
const SPELLED_DIFFERENTLY = new Set([
  "callf", "jmpf", "int1", "salc", "xlat", "wait", "esc0", "esc1", "esc2", "esc3", "esc4", "esc5", "esc6", "esc7",
  "pusha", "popa", "pushad", "popad", "pushf", "popf", "pushfd", "popfd", "iret", "iretd", "jcxz", "jecxz",
  "insb", "insw", "insd", "outsb", "outsw", "outsd", "movsb", "movsw", "movsd", "cmpsb", "cmpsw", "cmpsd",
  "stosb", "stosw", "stosd", "lodsb", "lodsw", "lodsd", "scasb", "scasw", "scasd",
  "sgdt", "sidt", "lgdt", "lidt", "sal", "nop", "retf", "call", "jmp",
]);

test("instruction lengths agree with GNU objdump", { skip: haveObjdump ? false : "objdump is not on PATH (Debian package binutils): differential test skipped" }, () => {
  const failures = [];
  let compared = 0, mnemonicsCompared = 0, objdumpBad = 0;
  for (const [bits, machine, seed] of [[16, "i8086", 1], [32, "i386", 2]]) {
    const instrs = randomInstructions(2500, seed);
    const theirs = objdumpSlots(instrs, machine);
    instrs.forEach((ins, i) => {
      const ours = disassembleBytes(ins.bytes, { default32: bits === 32 });
      const hex = Array.from(ins.bytes.subarray(0, Math.max(ours.length, theirs[i]?.length ?? 0)), (b) => b.toString(16).padStart(2, "0")).join(" ");
      if (!theirs[i]) { failures.push(`${bits}-bit ${hex}: objdump lost the slot`); return; }
      if (ours.text === "(bad)") { failures.push(`${bits}-bit ${hex}: ours (bad), objdump "${theirs[i].text}"`); return; }
      if (theirs[i].text.includes("(bad)")) { objdumpBad++; return; } // e.g. undefined x87 register forms
      compared++;
      if (ours.length !== theirs[i].length) {
        failures.push(`${bits}-bit ${hex}: length ${ours.length} "${ours.text}" vs objdump ${theirs[i].length} "${theirs[i].text}"`);
        return;
      }
      const mnemonic = ours.text.split(" ")[0];
      if (ins.prefixes === 0 && !SPELLED_DIFFERENTLY.has(mnemonic)) {
        mnemonicsCompared++;
        const their = objdumpMnemonic(theirs[i].text);
        if (their !== mnemonic) failures.push(`${bits}-bit ${hex}: mnemonic "${ours.text}" vs objdump "${theirs[i].text}"`);
      }
    });
  }
  assert.deepEqual(failures.slice(0, 30), [], `${failures.length} disagreements`);
  assert.ok(compared > 4000, `only ${compared} lengths compared`);
  assert.ok(mnemonicsCompared > 1000, `only ${mnemonicsCompared} mnemonics compared`);
  assert.ok(objdumpBad < 100, `objdump said (bad) ${objdumpBad} times`);
});

// ---- 3. SingleStepTests 80286 ---------------------------------------------------
const SSTS = join(root, "..", "shared", "ssts-80286");

test("16-bit lengths agree with the SingleStepTests 80286 data", { skip: existsSync(SSTS) ? false : `${SSTS} is missing: SingleStepTests check skipped` }, () => {
  const failures = [];
  let checked = 0, undefinedSkipped = 0;
  for (const file of readdirSync(SSTS).filter((f) => f.endsWith(".json.gz")).sort()) {
    const tests = JSON.parse(gunzipSync(readFileSync(join(SSTS, file))).toString("utf8"));
    for (const t of tests.slice(0, 20)) {
      const d = disassembleBytes(Uint8Array.from(t.bytes), { default32: false });
      // Undefined encodings (the suite names them "(bad)") have no defined length: the bytes
      // are the generator's filler. They must be undefined for us too.
      if (t.name === "(bad)" && d.text === "(bad)") { undefinedSkipped++; continue; }
      checked++;
      if (d.length !== t.bytes.length - 1) {
        failures.push(`${file} "${t.name}" [${t.bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ")}]: ours ${d.length} "${d.text}"`);
      }
    }
  }
  assert.deepEqual(failures.slice(0, 30), [], `${failures.length} of ${checked} disagree`);
  assert.ok(checked > 6000, `only ${checked} checked`);
  assert.ok(undefinedSkipped < 50, `${undefinedSkipped} undefined encodings skipped`);
});
