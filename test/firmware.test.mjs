// `emu run -bios FILE`: a standard BIOS image instead of the built-in one. bios/test/shadow.asm
// is such an image: it checks the i440FX PAM shadowing of 0xC0000-0xFFFFF, the image's aliases
// (top of 4 GiB, last 128 KiB below 1 MiB) and the VGA's expansion ROM BAR, under emu and under
// qemu-system-i386 alike. Bad images get one-line errors; -debugcon sends the debug console
// ports where it is told.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const emu = join(root, "bin", "emu.js");
const dir = mkdtempSync(join(tmpdir(), "emu-firmware-"));
const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const noNasm = have("nasm") ? false : "needs nasm";

function run(args) {
  return spawnSync(process.execPath, [emu, "run", ...args], { encoding: "latin1", timeout: 120_000, input: "" });
}

/** bios/test/shadow.asm assembled, with a 3000-byte stand-in VGA BIOS (55h AAh) beside it. */
function shadowImage() {
  const out = join(dir, "shadow", "shadow.bin");
  mkdirSync(dirname(out), { recursive: true });
  execFileSync("nasm", ["-f", "bin", "-I", join(root, "bios", "test") + "/", "-o", out, join(root, "bios", "test", "shadow.asm")]);
  const vga = Buffer.alloc(3000);
  vga[0] = 0x55; vga[1] = 0xaa; vga[2] = 6;
  writeFileSync(join(dirname(out), "vgabios-stdvga.bin"), vga);
  return out;
}

test("-bios: shadow.asm finds its aliases, the PAM modes and the VGA's expansion ROM BAR as the i440FX decodes them", { skip: noNasm }, () => {
  const image = shadowImage();
  const log = join(dir, "shadow.log");
  const r = run(["-bios", image, "-debugcon", `file:${log}`]);
  const text = readFileSync(log, "latin1");
  assert.match(text, /shadow: PASS/, text);
  for (const n of ["1", "2-5", "6", "7"]) assert.match(text, new RegExp(`\\nok ${n} `));
  assert.equal(r.status, 1, `exit status ${r.status} (port 0xF4 value 0 gives 1); stderr: ${r.stderr}`);
});

test("-bios: the same image passes under qemu-system-i386", { skip: noNasm || (have("qemu-system-i386") ? false : "needs qemu-system-i386") }, () => {
  const image = shadowImage();
  const r = spawnSync("qemu-system-i386", ["-bios", image, "-display", "none", "-monitor", "none", "-serial", "none",
    "-chardev", "stdio,id=dc", "-device", "isa-debugcon,iobase=0x402,chardev=dc", "-device", "isa-debug-exit,iobase=0xf4,iosize=1"],
  { encoding: "latin1", timeout: 60_000 });
  assert.match(r.stdout, /shadow: PASS/, r.stdout + r.stderr);
  assert.equal(r.status, 1);
});

test("-bios without a VGA BIOS beside it warns and still runs the image", { skip: noNasm }, () => {
  const image = shadowImage();
  const alone = join(dir, "alone.bin");
  writeFileSync(alone, readFileSync(image));
  const r = run(["-bios", alone, "-debugcon", "stdio"]);
  assert.match(r.stderr, /^emu: warning: no VGA BIOS \(.*vgabios-stdvga\.bin is missing; -L DIR says where it is\): the screen stays blank\n/);
  assert.match(r.stderr, /shadow: FAIL 07/, "no ROM BAR without a VGA BIOS");
});

test("-L DIR: the VGA BIOS and a bare -bios name are looked up there", { skip: noNasm }, () => {
  const image = shadowImage();
  const r = spawnSync(process.execPath, [emu, "run", "-L", dirname(image), "-bios", "shadow.bin", "-debugcon", "stdio"], { encoding: "latin1", cwd: dir, input: "" });
  assert.match(r.stderr, /shadow: PASS/, r.stderr);
  assert.equal(r.status, 1);
});

test("-bios: a missing, empty, odd-sized or oversized image is a one-line error", () => {
  const cases = [
    ["missing.bin", undefined, /^emu: cannot open BIOS image .*missing\.bin: no such file\n$/],
    ["empty.bin", 0, /^emu: BIOS image .*empty\.bin is empty \(0 bytes\)\n$/],
    ["odd.bin", 65536 + 512, /^emu: BIOS image .*odd\.bin is 66048 bytes, not a multiple of 64 KiB\n$/],
    ["huge.bin", 17 << 20, /^emu: BIOS image .*huge\.bin is 17825792 bytes, more than the 16 MiB mapped below 4 GiB\n$/],
  ];
  for (const [name, size, message] of cases) {
    const path = join(dir, name);
    if (size !== undefined) writeFileSync(path, Buffer.alloc(size));
    const r = run(["-bios", path]);
    assert.equal(r.status, 2, `${name}: status ${r.status}`);
    assert.match(r.stderr, message);
  }
  const k = run(["-bios", join(dir, "huge.bin"), "-kernel", join(dir, "huge.bin")]);
  assert.match(k.stderr, /^emu: -bios boots from the machine's disks; -kernel\/-initrd\/-append need the built-in direct boot \(no -bios\)\n$/);
  const zero = join(dir, "zero.bin");
  writeFileSync(zero, Buffer.alloc(65536));
  const d = run(["-debugcon", "tcp:1234", "-bios", zero]);
  assert.match(d.stderr, /^emu: -debugcon tcp:1234: expected stdio, file:PATH or null\n$/);
});
