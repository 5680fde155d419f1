#!/usr/bin/env node
// Assemble the built-in BIOS: bios/bios.asm -> dist/bios.bin (64 KiB, bytes summing to 0 mod 256).
// Rebuilt only when the source is newer than the image. Usage: node bios/build.mjs [--force] [--out FILE]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const src = join(here, "bios.asm");
const args = process.argv.slice(2);
const force = args.includes("--force");
const outAt = args.indexOf("--out");
const out = outAt >= 0 ? args[outAt + 1] : join(root, "dist", "bios.bin");
const ROM_SIZE = 65536;

function fail(msg) {
  process.stderr.write(`build-bios: ${msg}\n`);
  process.exit(1);
}

if (!force && existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs && statSync(out).size === ROM_SIZE) {
  process.stdout.write("build-bios: dist/bios.bin is up to date\n");
  process.exit(0);
}
const probe = spawnSync("nasm", ["-v"], { encoding: "utf8" });
if (probe.error || probe.status !== 0) fail("nasm was not found on PATH (Debian/Ubuntu: apt-get install nasm)");
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.tmp`;
const r = spawnSync("nasm", ["-f", "bin", "-o", tmp, src], { encoding: "utf8" });
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  fail(`nasm failed (exit ${r.status})\n${(r.stderr || "") + (r.stdout || "")}`.trimEnd());
}
const rom = readFileSync(tmp);
if (rom.length !== ROM_SIZE) { rmSync(tmp, { force: true }); fail(`the ROM is ${rom.length} bytes, expected ${ROM_SIZE}`); }
let sum = 0;
for (let i = 0; i < ROM_SIZE - 1; i++) sum = (sum + rom[i]) & 0xff;
rom[ROM_SIZE - 1] = (256 - sum) & 0xff;
writeFileSync(tmp, rom);
renameSync(tmp, out);
process.stdout.write(`build-bios: built ${out}\n`);
