// The benchmark programs: which loops exist, how many iterations each runs, how many instructions
// that is (the count MIPS is computed from), and how to assemble them into the boot disk that the
// emulators run (guest/boot.asm) and the native Linux program (guest/native.asm).
// test/bench-programs.test.mjs checks the counts against emu's instruction counter.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const GUEST_DIR = join(BENCH_DIR, "guest");
const GUEST_SOURCES = ["boot.asm", "native.asm", "loops.inc"].map((f) => join(GUEST_DIR, f));

/** Instructions between the loop and the ']' OUT in boot.asm's END_MARK (push, push, mov, mov, out). */
export const END_MARK_INSTRUCTIONS = 5;
const TLB_PAGES = 4096;

/**
 * The loops of guest/loops.inc, in the order the program runs them. `iterations` is the full
 * run, chosen so each interval is at least about 0.3 s under QEMU's TCG on a 2-vCPU host (the
 * fastest emulator here but on REP MOVSD, where v86's block copy is 20x faster than QEMU's and
 * gets about 50 ms);
 * `instructions(n)` is the count of LOOP_* from the comments there; `bytes(n)` the bytes a
 * string loop copies.
 */
export const LOOPS = [
  { name: "alu", title: "ALU", define: "ALU", iterations: 90_000_000, instructions: (n) => 5 + 12 * n },
  { name: "mem", title: "load/store", define: "MEM", iterations: 36_000_000, instructions: (n) => 4 + 10 * n },
  { name: "call", title: "call/ret", define: "CALL", iterations: 14_000_000, instructions: (n) => 3 + 12 * n + 1 },
  { name: "movs", title: "REP MOVSD", define: "MOVS", iterations: 2_000, instructions: (n) => 1 + 9 * n, bytes: (n) => 65536 * n },
  { name: "tlb", title: "TLB (4096 pages)", define: "TLB", iterations: 1_000, instructions: (n) => 2 + n * (4 + 5 * TLB_PAGES) },
];
export const LOOP_NAMES = LOOPS.map((l) => l.name);

/**
 * Iteration counts for a run: `scale` multiplies the full counts (quick mode uses a fraction),
 * `counts` gives them by name instead; `only` limits the loops. Returns
 * [{ loop, n, instructions, bytes }] in program order.
 */
export function plan({ scale = 1, counts = undefined, only = counts ? Object.keys(counts) : LOOP_NAMES } = {}) {
  for (const name of only) if (!LOOP_NAMES.includes(name)) throw new Error(`unknown loop ${name} (loops: ${LOOP_NAMES.join(", ")})`);
  return LOOPS.filter((l) => only.includes(l.name)).map((loop) => {
    const n = counts?.[loop.name] ?? Math.max(1, Math.round(loop.iterations * scale));
    return { loop, n, instructions: loop.instructions(n) + END_MARK_INSTRUCTIONS, bytes: loop.bytes?.(n) };
  });
}

function defines(items) {
  const d = [];
  for (const { loop, n } of items) d.push(`-DWITH_${loop.define}`, `-D${loop.define}_N=${n}`);
  for (const loop of LOOPS) if (!items.some((i) => i.loop === loop)) d.push(`-D${loop.define}_N=1`);
  return d;
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error?.code === "ENOENT") throw new MissingTool(`${cmd} is not installed (${what})`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
}

/** A tool the benchmark needs is not on this machine. */
export class MissingTool extends Error {}

/** Whether `out` is older than any guest source (or missing). */
function stale(out) {
  if (!existsSync(out)) return true;
  const t = statSync(out).mtimeMs;
  return GUEST_SOURCES.some((s) => statSync(s).mtimeMs > t);
}

function key(items) {
  return items.map(({ loop, n }) => `${loop.name}${n}`).join("-");
}

/**
 * The boot disk for these loops (built on demand into `dir`): the program padded to 1 MiB, a size
 * every BIOS gives a geometry to. Needs nasm.
 */
export function buildDisk(items, dir = join(BENCH_DIR, "build")) {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `disk-${key(items)}.img`);
  if (!stale(out)) return out;
  const bin = `${out}.bin`;
  run("nasm", ["-f", "bin", "-I", `${GUEST_DIR}/`, ...defines(items), "-o", bin, join(GUEST_DIR, "boot.asm")], "apt-get install nasm");
  const program = readFileSync(bin);
  const disk = Buffer.alloc(1 << 20);
  program.copy(disk);
  writeFileSync(`${out}.tmp`, disk);
  renameSync(`${out}.tmp`, out);
  return out;
}

/** The native i386 Linux program for these loops (nasm -f elf32, ld -m elf_i386). */
export function buildNative(items, dir = join(BENCH_DIR, "build")) {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `native-${key(items)}`);
  if (!stale(out)) return out;
  const obj = `${out}.o`;
  run("nasm", ["-f", "elf32", "-I", `${GUEST_DIR}/`, ...defines(items), "-o", obj, join(GUEST_DIR, "native.asm")], "apt-get install nasm");
  run("ld", ["-m", "elf_i386", "-o", `${out}.tmp`, obj], "apt-get install binutils");
  renameSync(`${out}.tmp`, out);
  return out;
}

/**
 * Reads the program's COM1 protocol as bytes arrive: `EMUBENCH 1`, then per loop
 * `BENCH name [` ... `]` and the checksum as 8 hex digits, and `END`. `mark(name, "start"|"end")`
 * is called the moment a '[' or ']' arrives; anything before the banner (BIOS messages) is ignored.
 */
export class BenchOutput {
  constructor(mark = () => {}) {
    this.mark = mark;
    this.text = "";
    this.started = false;
    this.pos = 0;
    /** name -> checksum (8 hex digits) */
    this.checksums = {};
    this.order = [];
    this.done = false;
    this.current = undefined;
  }
  /** Feed bytes (a Buffer or array of byte values). */
  push(bytes) {
    for (const b of bytes) {
      const c = String.fromCharCode(b);
      this.text += c;
      if (!this.started) {
        const at = this.text.indexOf("EMUBENCH 1\n");
        if (at < 0) continue;
        this.started = true;
        this.pos = at + 11;
        continue;
      }
      if (c === "[" || c === "]") {
        const line = this.text.slice(this.pos);
        const m = /^BENCH (\w+) \[$/.exec(c === "[" ? line : "");
        if (c === "[" && m) { this.current = m[1]; this.mark(m[1], "start"); }
        else if (c === "]" && this.current && line === `BENCH ${this.current} []`) this.mark(this.current, "end");
        else throw new Error(`unexpected '${c}' in benchmark output: ${JSON.stringify(line)}`);
      } else if (c === "\n") {
        const line = this.text.slice(this.pos, -1);
        this.pos = this.text.length;
        const m = /^BENCH (\w+) \[\]([0-9a-f]{8})$/.exec(line);
        if (m && m[1] === this.current) { this.checksums[m[1]] = m[2]; this.order.push(m[1]); this.current = undefined; }
        else if (line === "END") this.done = true;
        else throw new Error(`unexpected line in benchmark output: ${JSON.stringify(line)}`);
      }
    }
  }
}
