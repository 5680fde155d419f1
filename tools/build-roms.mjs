#!/usr/bin/env node
// Assemble the conformance test ROMs: test-roms/NAME.asm -> test-roms/build/NAME.bin
//
// Each ROM is a flat 64 KiB image (nasm -f bin).  A ROM is rebuilt only when
// its source or any file in test-roms/lib/ is newer than the built image.
// Usage: node tools/build-roms.mjs [--force] [NAME ...]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, renameSync, rmSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { fileURLToPath } from "node:url";

const ROM_SIZE = 65536;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "test-roms");
const libDir = join(srcDir, "lib");
const outDir = join(srcDir, "build");

const args = process.argv.slice(2);
const force = args.includes("--force");
const only = args.filter((a) => !a.startsWith("--")).map((a) => basename(a).replace(/\.(asm|bin)$/, ""));

function fail(msg) {
  process.stderr.write(`build-roms: ${msg}\n`);
  process.exit(1);
}

const probe = spawnSync("nasm", ["-v"], { encoding: "utf8" });
if (probe.error || probe.status !== 0) {
  fail(
    "nasm was not found on PATH; it is needed to assemble test-roms/*.asm.\n" +
      "  Install it (Debian/Ubuntu: apt-get install nasm, macOS: brew install nasm) and re-run `npm run build:roms`.",
  );
}

const mtime = (p) => statSync(p).mtimeMs;
const libFiles = existsSync(libDir) ? readdirSync(libDir).map((f) => join(libDir, f)) : [];
const libTime = Math.max(0, ...libFiles.map(mtime));

let sources = readdirSync(srcDir)
  .filter((f) => f.endsWith(".asm"))
  .sort();
if (only.length) {
  const missing = only.filter((n) => !sources.includes(`${n}.asm`));
  if (missing.length) fail(`no such ROM source: ${missing.map((n) => `test-roms/${n}.asm`).join(", ")}`);
  sources = sources.filter((f) => only.includes(f.slice(0, -4)));
}
if (sources.length === 0) fail("no test-roms/*.asm sources found");

mkdirSync(outDir, { recursive: true });

let built = 0;
let upToDate = 0;
const errors = [];
for (const file of sources) {
  const name = file.slice(0, -4);
  const src = join(srcDir, file);
  const out = join(outDir, `${name}.bin`);
  const rel = `test-roms/build/${name}.bin`;

  if (!force && existsSync(out)) {
    const outTime = mtime(out);
    if (outTime >= mtime(src) && outTime >= libTime && statSync(out).size === ROM_SIZE) {
      upToDate++;
      continue;
    }
  }

  const tmp = `${out}.tmp`;
  const r = spawnSync("nasm", ["-f", "bin", "-I", `${libDir}/`, "-o", tmp, src], { encoding: "utf8" });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    errors.push(`${file}: nasm failed (exit ${r.status})\n${(r.stderr || "") + (r.stdout || "")}`.trimEnd());
    continue;
  }
  const size = statSync(tmp).size;
  if (size !== ROM_SIZE) {
    rmSync(tmp, { force: true });
    errors.push(`${file}: ROM is ${size} bytes, expected exactly ${ROM_SIZE}`);
    continue;
  }
  renameSync(tmp, out);
  process.stdout.write(`  built ${rel}\n`);
  built++;
}

if (errors.length) {
  for (const e of errors) process.stderr.write(`build-roms: ${e}\n`);
  fail(`${errors.length} ROM(s) failed to build`);
}
process.stdout.write(`build-roms: ${built} built, ${upToDate} up to date (${outDir})\n`);
