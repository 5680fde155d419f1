// A real disk through the built-in BIOS: images/disk.mjs builds an MBR disk with SYSLINUX, the
// tiny Linux and its initramfs on a FAT16 partition and an ext2 partition; `emu run disk.img`
// boots it (MBR -> SYSLINUX via INT 13h EDD -> the Linux real-mode setup's BIOS calls -> Linux),
// the guest mounts the ext2 partition, writes a file, syncs and powers off, and the host finds
// the file with e2fsprogs' debugfs. With -snapshot the image's sha256 does not change. SYSLINUX
// on a 2.88 MB diskette boots the same way through INT 13h drive 00h, and ISOLINUX from an ISO
// (xorriso) through El Torito and INT 13h drive E0h; bios/test/cdboot.asm checks the CD-ROM
// services one by one. Debian's SeaBIOS (-bios /usr/share/seabios/bios.bin, with
// vgabios-stdvga.bin as the VGA's option ROM) boots the same disk and, through the ATAPI CD-ROM
// on the secondary IDE channel, the same ISO.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "images", "out");
const tools = ["syslinux", "mcopy", "mkfs.fat", "sfdisk", "mke2fs", "debugfs"];
const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const skip = !existsSync(join(out, "bzImage")) || !existsSync(join(out, "initramfs.cpio.gz"))
  ? "the tiny Linux is not built (npm run images)"
  : tools.some((t) => !have(t)) || !existsSync("/usr/lib/syslinux/mbr/mbr.bin")
    ? `needs ${tools.join(", ")} (Debian: syslinux syslinux-common mtools dosfstools fdisk e2fsprogs)`
    : false;

const EXT2_START = 67584; // images/disk.mjs
const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

function buildDisk() {
  const dir = mkdtempSync(join(tmpdir(), "emu-disk-"));
  const r = spawnSync(process.execPath, [join(root, "images", "disk.mjs"), "--out", dir,
    "--kernel", join(out, "bzImage"), "--initrd", join(out, "initramfs.cpio.gz")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return { dir, disk: join(dir, "disk.img") };
}

function boot(disk, extra, script) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-m", "64", ...extra, disk], {
    input: script.join("\n") + "\n", encoding: "latin1", timeout: 600_000, maxBuffer: 64 << 20,
  });
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

/** A file from the ext2 partition, read on the host with debugfs. */
function ext2File(dir, disk, path) {
  const part = join(dir, "part2.img");
  writeFileSync(part, readFileSync(disk).subarray(EXT2_START * 512));
  const r = spawnSync("debugfs", ["-R", `cat ${path}`, part], { encoding: "utf8" });
  return r.stdout;
}

/**
 * Boot a fresh disk.img with `flags(dir)`, mount its ext2 partition in the guest, write `text` to
 * guest.txt, sync and power off; check the boot and, with debugfs, that the file is in the image.
 */
function bootAndWriteExt2(flags, text) {
  const { dir, disk } = buildDisk();
  const r = boot(disk, flags(dir), [
    "mkdir -p /mnt && mount -t ext2 /dev/sda2 /mnt && cat /mnt/hello.txt",
    `echo ${text} > /mnt/guest.txt && sync && umount /mnt && echo UNMOUNTED`,
    "poweroff -f",
  ]);
  assert.equal(r.error, undefined, String(r.error));
  assert.match(r.stdout, /SYSLINUX \d/);
  assert.match(r.stdout, /BIOS-e820: \[mem 0x0000000000100000-0x0000000003ffffff\] usable/);
  assert.match(r.stdout, /sda: sda1 sda2/);
  assert.match(r.stdout, /hello from the ext2 partition of disk\.img/);
  assert.match(r.stdout, /UNMOUNTED/);
  assert.equal(r.status, 0, `status ${r.status}; stderr: ${r.stderr}`);
  assert.equal(ext2File(dir, disk, "/guest.txt"), `${text}\n`);
  return { dir, r };
}

test("SYSLINUX boots the tiny Linux from disk.img through the built-in BIOS; the guest's ext2 write lands in the image", { skip }, () => {
  const { r } = bootAndWriteExt2(() => [], "written by the guest");
  console.log(`# boot from disk and script took ${r.seconds.toFixed(1)} s of host time`);
});

test("with -snapshot the same boot and write leave disk.img's sha256 unchanged", { skip }, () => {
  const { disk } = buildDisk();
  const before = sha256(disk);
  const r = boot(disk, ["-snapshot"], [
    "mkdir -p /mnt && mount -t ext2 /dev/sda2 /mnt && echo snapshot > /mnt/guest.txt && sync && umount /mnt && echo UNMOUNTED",
    "poweroff -f",
  ]);
  assert.match(r.stdout, /UNMOUNTED/);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sha256(disk), before);
});

test("SYSLINUX on a 2.88 MB diskette (-fda) boots the tiny Linux through INT 13h drive 00h", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-floppy-"));
  const img = join(dir, "floppy.img");
  const env = { ...process.env, MTOOLS_SKIP_CHECK: "1" };
  const sh = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: "utf8", env });
    assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  };
  sh("mkfs.fat", ["-C", "-i", "656d7504", img, "2880"]);
  const cfg = join(dir, "syslinux.cfg");
  writeFileSync(cfg, "SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nLABEL linux\n  KERNEL /bzImage\n  INITRD /initrd.gz\n  APPEND console=ttyS0\n");
  sh("mcopy", ["-i", img, join(out, "bzImage"), "::/bzImage"]);
  sh("mcopy", ["-i", img, join(out, "initramfs.cpio.gz"), "::/initrd.gz"]);
  sh("mcopy", ["-i", img, cfg, "::/syslinux.cfg"]);
  sh("syslinux", ["--install", img]);
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-m", "64", "-snapshot", "-fda", img], {
    input: "echo FLOPPY-LINUX-UP\npoweroff -f\n", encoding: "latin1", timeout: 600_000, maxBuffer: 64 << 20,
  });
  assert.match(r.stdout, /SYSLINUX \d/);
  assert.match(r.stdout, /Linux version 6\.1/);
  assert.match(r.stdout, /\nFLOPPY-LINUX-UP/);
  assert.equal(r.status, 0, r.stderr);
});

const SEABIOS = "/usr/share/seabios/bios.bin";
const seabiosSkip = skip || (!existsSync(SEABIOS) || !existsSync("/usr/share/seabios/vgabios-stdvga.bin")
  ? `needs ${SEABIOS} and vgabios-stdvga.bin beside it (Debian package seabios)` : false);

test("SeaBIOS (-bios) boots disk.img to the tiny Linux; the guest's ext2 write lands in the image", { skip: seabiosSkip }, () => {
  const { dir, r } = bootAndWriteExt2((dir) => ["-bios", SEABIOS, "-debugcon", `file:${join(dir, "seabios.log")}`], "written under SeaBIOS");
  const firmware = readFileSync(join(dir, "seabios.log"), "latin1");
  for (const line of [/SeaBIOS \(version /, /Running on QEMU \(i440fx\)/, /RamSize: 0x04000000 \[cmos\]/,
    /PCI: map device bdf=00:02\.0  bar 6, addr [0-9a-f]{8}, size 00010000 \[mem\]/, /Running option rom at c000:0003/,
    /Start SeaVGABIOS/, /ata0-0: EMU HARDDISK ATA-6 Hard-Disk \(48 MiBytes\)/, /Booting from Hard Disk\.\.\./]) {
    assert.match(firmware, line, firmware);
  }
  console.log(`# SeaBIOS boot from disk and script took ${r.seconds.toFixed(1)} s of host time`);
});

const isoSkip = skip || (!have("xorriso") || !existsSync("/usr/lib/ISOLINUX/isolinux.bin") ? "needs xorriso and isolinux (Debian packages)" : false);

/** An ISO of `files` (path -> host file or bytes); `bootImage` makes it El Torito bootable (no emulation). */
function makeIso(dir, files, bootImage, name, infoTable = false) {
  const tree = join(dir, "tree");
  mkdirSync(join(tree, "boot"), { recursive: true });
  for (const [path, src] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    if (typeof src === "string") copyFileSync(src, join(tree, path)); else writeFileSync(join(tree, path), src);
  }
  const iso = join(dir, name);
  const boot = bootImage ? ["-b", bootImage, "-c", "boot/boot.cat", "-no-emul-boot", "-boot-load-size", "4", ...(infoTable ? ["-boot-info-table"] : [])] : [];
  const r = spawnSync("xorriso", ["-as", "mkisofs", "-quiet", "-o", iso, ...boot, tree], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return iso;
}

test("-cdrom: an El Torito no-emulation image checks INT 13h drive E0h (41h, 48h, 42h, 4B01h, 43h)", { skip: isoSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-cd-"));
  const bin = join(dir, "cdboot.bin");
  spawnSync("nasm", ["-f", "bin", "-o", bin, join(root, "bios", "test", "cdboot.asm")]);
  const iso = makeIso(dir, { "boot/cdboot.bin": bin }, "boot/cdboot.bin", "check.iso");
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-m", "16", "-cdrom", iso], { encoding: "latin1", input: "" });
  assert.match(r.stderr, /CD PASS/, r.stderr);
  assert.equal(r.status, 1, `status ${r.status}`);
  const plain = makeIso(dir, { "readme.txt": Buffer.from("no boot record\n") }, undefined, "plain.iso");
  const p = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-cdrom", plain], { encoding: "latin1", input: "" });
  assert.equal(p.status, 2);
  assert.match(p.stderr, /^emu: cdrom \(.*plain\.iso\) is not bootable: it has no El Torito boot record \(sector 17\)\n$/);
});

/** Boot an ISO with ISOLINUX and the tiny Linux from -cdrom (plus `flags`); check it reaches the shell. */
function bootIsolinux(flags) {
  const dir = mkdtempSync(join(tmpdir(), "emu-cd-"));
  const iso = makeIso(dir, {
    "isolinux/isolinux.bin": "/usr/lib/ISOLINUX/isolinux.bin",
    "isolinux/ldlinux.c32": "/usr/lib/syslinux/modules/bios/ldlinux.c32",
    "isolinux/isolinux.cfg": Buffer.from("SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nLABEL linux\n  KERNEL /bzImage\n  INITRD /initrd.gz\n  APPEND console=ttyS0\n"),
    "bzImage": join(out, "bzImage"),
    "initrd.gz": join(out, "initramfs.cpio.gz"),
  }, "isolinux/isolinux.bin", "linux.iso", true);
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-m", "64", ...flags(dir), "-cdrom", iso], {
    input: "echo CD-LINUX-UP\npoweroff -f\n", encoding: "latin1", timeout: 600_000, maxBuffer: 64 << 20,
  });
  assert.match(r.stdout, /ISOLINUX \d/);
  assert.match(r.stdout, /Linux version 6\.1/);
  assert.match(r.stdout, /\nCD-LINUX-UP/);
  assert.equal(r.status, 0, r.stderr);
  return { dir, r };
}

test("ISOLINUX on an ISO (-cdrom) boots the tiny Linux through El Torito", { skip: isoSkip }, () => {
  bootIsolinux(() => []);
});

test("SeaBIOS boots the ISOLINUX ISO from the ATAPI CD-ROM (El Torito over PACKET commands); Linux finds the drive", { skip: isoSkip || seabiosSkip }, () => {
  const { dir, r } = bootIsolinux((dir) => ["-bios", SEABIOS, "-debugcon", `file:${join(dir, "seabios.log")}`]);
  const firmware = readFileSync(join(dir, "seabios.log"), "latin1");
  assert.match(firmware, /DVD\/CD \[ata1-0: EMU DVD-ROM ATAPI-6 DVD\/CD\]/, firmware);
  assert.match(firmware, /Booting from DVD\/CD\.\.\./, firmware);
  assert.match(r.stdout, /ata2\.00: ATAPI: EMU DVD-ROM, 1\.0, max PIO4/);
  assert.match(r.stdout, /scsi 1:0:0:0: CD-ROM +EMU +EMU DVD-ROM +1\.0/);
});
