// Read-only disk images: a drive attached read-only (QEMU's -drive ...,readonly=on, or a file the
// user cannot write) is write-protected for the guest, and nothing reaches the file.
// bios/test/readonly.asm checks INT 13h (AH=03h/43h on drive 80h, AH=03h on diskette 00h: status
// 03h) and an ATA WRITE SECTORS (ERR, error ABRT|WP); the tiny Linux's write to /dev/sda fails
// with an I/O error and the guest goes on. The floppy controller's side (WRITE DATA: Not
// Writable; SENSE DRIVE STATUS: WP) is in test-roms/machine/fdc.asm (test/devices-fdc.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const emu = join(root, "bin", "emu.js");
const dir = mkdtempSync(join(tmpdir(), "emu-readonly-"));
const haveNasm = spawnSync("nasm", ["-v"], { stdio: "ignore" }).status === 0;
const sha = (p) => createHash("sha256").update(readFileSync(p)).digest("hex");

/** The checking boot sector on a 1 MiB disk (sector N >= 1 holds the dword N), and a 1.44 MB diskette. */
function images(tag) {
  const bin = join(dir, "readonly.bin");
  const r = spawnSync("nasm", ["-f", "bin", "-o", bin, join(root, "bios", "test", "readonly.asm")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const disk = Buffer.alloc(1 << 20);
  for (let s = 1; s < 2048; s++) for (let i = 0; i < 128; i++) disk.writeUInt32LE(s, s * 512 + i * 4);
  readFileSync(bin).copy(disk);
  const floppy = Buffer.alloc(1440 * 1024, 0x46);
  const hda = join(dir, `${tag}-disk.img`), fda = join(dir, `${tag}-floppy.img`);
  writeFileSync(hda, disk);
  writeFileSync(fda, floppy);
  return { hda, fda };
}

function run(args, input = "") {
  return spawnSync(process.execPath, [emu, "run", ...args], { encoding: "latin1", input, timeout: 300_000, maxBuffer: 64 << 20 });
}

test("-drive ...,readonly=on: INT 13h reports write protection (03h), ATA WRITE SECTORS aborts with WP, the files stay as they were", { skip: haveNasm ? false : "needs nasm" }, () => {
  const { hda, fda } = images("flag");
  const before = [sha(hda), sha(fda)];
  const r = run(["-m", "16", "-drive", `file=${hda},format=raw,readonly=on`, "-drive", `if=floppy,file=${fda},readonly=on`]);
  assert.match(r.stderr, /READONLY PASS/, r.stderr);
  assert.equal(r.status, 1, `status ${r.status} (2N+1 = check N failed): ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /not writable/, "asked for: no warning");
  assert.deepEqual([sha(hda), sha(fda)], before);
});

test("readonly=on stays write-protected with -snapshot (as in QEMU)", { skip: haveNasm ? false : "needs nasm" }, () => {
  const { hda, fda } = images("snap");
  const r = run(["-m", "16", "-snapshot", "-drive", `file=${hda},format=raw,readonly=on`, "-drive", `if=floppy,file=${fda},readonly=on`]);
  assert.match(r.stderr, /READONLY PASS/, r.stderr);
  assert.equal(r.status, 1);
});

const isRoot = process.getuid?.() === 0;

test("a file the user cannot write is attached read-only, with a one-line note; the guest sees write-protected drives", {
  skip: !haveNasm ? "needs nasm" : isRoot ? "running as root, where file modes do not stop writes (the readonly=on test covers the guest's side)" : false,
}, () => {
  const { hda, fda } = images("mode");
  chmodSync(hda, 0o444);
  chmodSync(fda, 0o444);
  const before = [sha(hda), sha(fda)];
  const r = run(["-m", "16", "-fda", fda, hda]);
  assert.match(r.stderr, /READONLY PASS/, r.stderr);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`^emu: ${hda.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not writable: the guest sees a write-protected disk$`, "m"));
  assert.match(r.stderr, /floppy\.img is not writable/);
  assert.deepEqual([sha(hda), sha(fda)], before);
});

test("-drive: unknown options, other formats and drive indexes out of range get one-line errors", () => {
  for (const [spec, message] of [
    ["file=x.img,format=qcow2", /^emu: -drive format=qcow2: only raw images are supported\n$/],
    ["file=x.img,cache=none", /^emu: -drive file=x\.img,cache=none: unknown option 'cache'/],
    ["file=x.img,if=floppy,index=2", /^emu: -drive if=floppy,index=2: there are 2 floppy drives \(index 0-1\)\n$/],
    ["if=ide", /^emu: -drive if=ide: no file= given\n$/],
    ["file=x.img,readonly=maybe", /^emu: -drive readonly=maybe: expected on or off\n$/],
  ]) {
    const r = run(["-drive", spec]);
    assert.equal(r.status, 2, spec);
    assert.match(r.stderr, message, spec);
  }
  const twice = run(["-hda", "a.img", "-drive", "file=b.img,index=0"]);
  assert.match(twice.stderr, /drive hda is given twice/);
});

const out = join(root, "images", "out");
const linuxSkip = existsSync(join(out, "bzImage")) && existsSync(join(out, "initramfs.cpio.gz")) ? false : "the tiny Linux is not built (npm run images)";

test("the tiny Linux's write to a read-only disk fails with an I/O error, the guest goes on, and the file is unchanged", { skip: linuxSkip }, () => {
  const disk = join(dir, "linux-ro.img");
  writeFileSync(disk, Buffer.alloc(4 << 20, 0x5a));
  const before = sha(disk);
  const r = run(["-m", "64", "-kernel", join(out, "bzImage"), "-initrd", join(out, "initramfs.cpio.gz"), "-drive", `file=${disk},format=raw,readonly=on`],
    "head -c 4 /dev/sda; echo; dd if=/dev/zero of=/dev/sda bs=512 count=1 conv=fsync; echo dd-status=$?\npoweroff -f\n");
  assert.match(r.stdout, /\nZZZZ\r?\n/, "reads work");
  assert.match(r.stdout, /dd-status=1/);
  assert.match(r.stdout, /I\/O error/);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sha(disk), before);
});
