// `npm run bench`: guest MIPS of the release core on the loops of benchmarks/loops.asm.
// Numbers are noisy on a shared machine: this reports medians of several runs, never asserts.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const build = join(root, "benchmarks", "build");
const results = join(root, "benchmarks", "results");
mkdirSync(build, { recursive: true });
mkdirSync(results, { recursive: true });

if (!existsSync(join(root, "dist", "index.js"))) {
  console.error("bench: run `npm run build` first");
  process.exit(2);
}
const { runRom, loadRomImage, PC, loadLinux } = await import(join(root, "dist", "index.js"));

const src = join(root, "benchmarks", "loops.asm");
const rom = join(build, "loops.bin");
if (!existsSync(rom) || statSync(rom).mtimeMs < statSync(src).mtimeMs) {
  try {
    execFileSync("nasm", ["-f", "bin", "-o", rom, src], { stdio: "inherit" });
  } catch {
    console.error("bench: nasm is needed to assemble benchmarks/loops.asm (apt-get install nasm)");
    process.exit(2);
  }
}
const image = loadRomImage(rom);
const LOOPS = { 0x10: "ALU loop", 0x20: "load/store loop", 0x30: "call/ret loop", 0x40: "REP MOVSW 4 KiB" };
/** Bytes the REP MOVSW loop copies (OUTER * 16 copies of 4 KiB in loops.asm): reported as MB/s. */
const COPY_BYTES = 200 * 16 * 4096;
const REPS = Number(process.env.BENCH_REPS ?? 5);

const samples = {};
let checksum;
for (let rep = 0; rep < REPS; rep++) {
  const marks = {};
  let out = "";
  const r = await runRom(image, {
    onOutput: (b) => { out += Buffer.from(b).toString("latin1"); },
    onPost: (code, _port, instructions) => {
      const cpu = process.cpuUsage();
      marks[code] = { instructions, wall: performance.now(), cpu: (cpu.user + cpu.system) / 1000 };
    },
  });
  if (r.exitStatus !== 1) throw new Error(`bench ROM did not finish cleanly: ${r.message}`);
  checksum = out.trim();
  for (const start of Object.keys(LOOPS).map(Number)) {
    const a = marks[start], b = marks[start + 1];
    const n = b.instructions - a.instructions;
    const work = start === 0x40 ? COPY_BYTES : n; // bytes for the copy loop, instructions otherwise
    (samples[start] ??= []).push({ instructions: n, wallMips: work / (b.wall - a.wall) / 1000, cpuMips: work / (b.cpu - a.cpu) / 1000 });
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const rows = Object.entries(LOOPS).map(([code, name]) => {
  const s = samples[code];
  return { loop: name, instructions: s[0].instructions, wallMips: median(s.map((x) => x.wallMips)), cpuMips: median(s.map((x) => x.cpuMips)) };
});
console.log(`emu release core, real mode, ${REPS} runs (medians); checksum ${checksum}`);
console.log("loop                 instructions    MIPS (wall)  MIPS (CPU time)");
for (const r of rows) {
  const unit = r.loop.startsWith("REP") ? " MB/s" : "";
  console.log(`${r.loop.padEnd(20)} ${String(r.instructions).padStart(12)} ${(r.wallMips.toFixed(1) + unit).padStart(12)} ${(r.cpuMips.toFixed(1) + unit).padStart(16)}`);
}
// ---- boot to the shell prompt of the tiny Linux (npm run images) ----
const kernel = join(root, "images", "out", "bzImage"), initrd = join(root, "images", "out", "initramfs.cpio.gz");
const boot = [];
if (existsSync(kernel) && existsSync(initrd)) {
  const { readFileSync } = await import("node:fs");
  const k = readFileSync(kernel), i = readFileSync(initrd);
  for (let rep = 0; rep < Math.min(REPS, 3); rep++) {
    let out = "";
    const t0 = performance.now(), c0 = process.cpuUsage();
    const pc = await PC.create({ memoryMiB: 64, serial: { write: (b) => { out += String.fromCharCode(b); } } });
    loadLinux(pc.cpu, { kernel: k, initrd: i, cmdline: "console=ttyS0" });
    await pc.run({ until: () => out.includes("~ # ") });
    const c = process.cpuUsage(c0);
    boot.push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, instructions: pc.cpu.instructionCount, guest: pc.now() / 1e9 });
  }
  const m = (k) => median(boot.map((b) => b[k]));
  console.log(`boot to shell prompt: ${m("wall").toFixed(2)} s wall, ${m("cpu").toFixed(2)} s CPU, ${(m("instructions") / 1e6).toFixed(1)} M instructions, ${m("guest").toFixed(2)} s guest time (median of ${boot.length})`);
} else {
  console.log("boot to shell prompt: skipped (run `npm run images` to build the tiny Linux)");
}

const file = join(results, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, reps: REPS, checksum, rows, boot }, null, 1) + "\n");
console.log(`saved ${file}`);
