// The built-in BIOS (bios/bios.asm + src/bios/): `emu run disk.img` boots a disk whose boot
// sector (bios/test/bootsect.asm) checks INT 10h, 11h, 12h, 13h (CHS and EDD, reads and
// writes), 15h (E820, E801, 88h, C0h, 24h, 87h, 86h), 16h (keys through the 8042 and IRQ1) and
// 1Ah, and exits through port 0xF4. Bad images give one-line errors; -snapshot leaves the file
// alone while a normal run's writes land in it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const emu = join(root, "bin", "emu.js");
const dir = mkdtempSync(join(tmpdir(), "emu-bios-"));

const SECTORS = 2048;

/** The checking boot sector on a 1 MiB disk; sector N >= 16 holds the dword N throughout. */
function makeDisk(name) {
  const bin = join(dir, "bootsect.bin");
  execFileSync("nasm", ["-f", "bin", "-o", bin, join(root, "bios", "test", "bootsect.asm")]);
  const prog = readFileSync(bin);
  const disk = Buffer.alloc(SECTORS * 512);
  prog.copy(disk);
  for (let s = 16; s < SECTORS; s++) for (let i = 0; i < 128; i++) disk.writeUInt32LE(s, s * 512 + i * 4);
  const path = join(dir, name);
  writeFileSync(path, disk);
  return path;
}

function run(args) {
  return spawnSync(process.execPath, [emu, "run", ...args], { encoding: "latin1", timeout: 120_000, input: "" });
}

const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

test("the ROM is 64 KiB, sums to zero, and has its reset vector and directory", () => {
  const rom = readFileSync(join(root, "dist", "bios.bin"));
  assert.equal(rom.length, 65536);
  assert.equal(rom.reduce((a, b) => (a + b) & 0xff, 0), 0);
  assert.equal(rom[0xfff0], 0xea, "far JMP at F000:FFF0");
  assert.equal(rom.subarray(0xff00, 0xff07).toString("latin1"), "EMUBIOS");
  assert.equal(rom[0xfffe], 0xfc, "model byte");
});

test("emu run disk.img boots the boot sector, whose BIOS checks all pass; -snapshot keeps the file unchanged", () => {
  const disk = makeDisk("snap.img");
  const before = sha256(disk);
  const r = run(["-m", "16", "-snapshot", disk]);
  assert.match(r.stderr, /INT 13h EDD: ok/);
  assert.match(r.stderr, /INT 15h E820: ok/);
  assert.match(r.stderr, /INT 16h: ok/);
  assert.match(r.stderr, /PASS/, r.stderr);
  assert.equal(r.status, 1, `exit status ${r.status} (1 = port 0xF4 value 0): ${r.stderr}`);
  assert.equal(sha256(disk), before, "-snapshot must leave the image untouched");
});

test("without -snapshot the guest's INT 13h writes land in the image file", () => {
  const disk = makeDisk("rw.img");
  const r = run(["-m", "16", disk]);
  assert.equal(r.status, 1, r.stderr);
  const img = readFileSync(disk);
  for (const lba of [100, 101]) {
    assert.equal(img.toString("latin1", lba * 512, lba * 512 + 4), "TIRW", `sector ${lba} written`);
    assert.equal(img.readUInt32LE(lba * 512 + 508), 0x57524954);
  }
  assert.equal(img.readUInt32LE(102 * 512), 102, "the sector after is untouched");
});

test("bad disk images give a one-line error and a non-zero status", () => {
  const cases = [
    ["empty.img", Buffer.alloc(0), /empty \(0 bytes\)/],
    ["odd.img", Buffer.alloc(1000), /1000 bytes, not a whole number of 512-byte sectors/],
    ["nosig.img", Buffer.alloc(64 * 512), /not bootable: its first sector has no boot signature/],
  ];
  for (const [name, bytes, message] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const before = sha256(path);
    const r = run([path]);
    assert.equal(r.status, 2, `${name}: status ${r.status}; ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${name}: one line, got ${JSON.stringify(r.stderr)}`);
    assert.match(lines[0], /^emu: /);
    assert.match(lines[0], message);
    assert.equal(sha256(path), before, `${name}: nothing written`);
  }
});

/** The diskette boot sector on a 1.44 MB image; sector N >= 1 holds the dword N throughout. */
function makeFloppy(name) {
  const bin = join(dir, "floppy.bin");
  execFileSync("nasm", ["-f", "bin", "-o", bin, join(root, "bios", "test", "floppy.asm")]);
  const img = Buffer.alloc(2880 * 512);
  readFileSync(bin).copy(img);
  for (let s = 1; s < 2880; s++) for (let i = 0; i < 128; i++) img.writeUInt32LE(s, s * 512 + i * 4);
  const path = join(dir, name);
  writeFileSync(path, img);
  return path;
}

test("-fda boots a 1.44 MB diskette through INT 13h drive 00h; its write lands in the image", () => {
  const fda = makeFloppy("a.img");
  const r = run(["-m", "16", "-fda", fda]);
  assert.match(r.stderr, /FLOPPY PASS/, r.stderr);
  assert.equal(r.status, 1, `status ${r.status}: ${r.stderr}`);
  const img = readFileSync(fda);
  assert.deepEqual(img.subarray(100 * 512, 101 * 512), img.subarray(0, 512), "the boot sector copied to LBA 100");
});

test("boot order: a hard disk first by default, the diskette with -boot a; odd diskette sizes are refused", () => {
  const fda = makeFloppy("b.img");
  const hda = makeDisk("order.img");
  const hd = run(["-m", "16", "-snapshot", "-fda", fda, "-hda", hda]);
  assert.match(hd.stderr, /PASS/);
  assert.doesNotMatch(hd.stderr, /FLOPPY PASS/);
  const fd = run(["-m", "16", "-snapshot", "-boot", "a", "-fda", fda, "-hda", hda]);
  assert.match(fd.stderr, /FLOPPY PASS/, fd.stderr);
  const odd = join(dir, "odd-floppy.img");
  writeFileSync(odd, Buffer.alloc(1000 * 512));
  const r = run(["-fda", odd]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^emu: diskette image .* is 512000 bytes, not a standard diskette size/);
});

test("-boot accepts QEMU's forms and rejects others", () => {
  const disk = makeDisk("boot.img");
  assert.equal(run(["-m", "16", "-snapshot", "-boot", "order=c", disk]).status, 1);
  const r = run(["-boot", "x", disk]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /-boot x: expected drive letters/);
});
