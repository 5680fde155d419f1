// A multiboot v1 kernel, as a flat a.out-kludge binary and as an ELF file, boots under `emu run`,
// prints over COM1 and exits through port 0xF4.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "test", "kernels", "multiboot-hello.asm");
const dir = mkdtempSync(join(tmpdir(), "emu-mb-"));

function has(cmd) { return spawnSync(cmd, ["--version"]).status === 0; }

function boot(kernel) {
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-kernel", kernel, "-append", "quiet=1 x"], {
    input: "", encoding: "utf8", timeout: 30_000,
  });
  return r;
}

test("a multiboot kernel with the a.out kludge boots, gets EAX/EBX right, prints on COM1 and exits via 0xF4", { skip: !has("nasm") && "nasm missing" }, () => {
  const bin = join(dir, "mb.bin");
  execFileSync("nasm", ["-f", "bin", "-o", bin, src]);
  const r = boot(bin);
  assert.match(r.stdout, /hello from a multiboot kernel; cmdline: quiet=1 x/);
  assert.equal(r.status, 1, r.stderr);
});

test("a multiboot ELF kernel boots the same way", { skip: (!has("nasm") || !has("ld")) && "nasm or ld missing" }, () => {
  const obj = join(dir, "mb.o"), elf = join(dir, "mb.elf");
  execFileSync("nasm", ["-f", "elf32", "-DELF", "-o", obj, src]);
  execFileSync("ld", ["-m", "elf_i386", "-Ttext=0x100000", "-e", "start", "-o", elf, obj]);
  const r = boot(elf);
  assert.match(r.stdout, /hello from a multiboot kernel/);
  assert.equal(r.status, 1, r.stderr);
});
