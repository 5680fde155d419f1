#!/usr/bin/env node
// Builds images/out/disk.img: a bootable MBR disk for `emu run disk.img` (the built-in BIOS or
// SeaBIOS). Partition 1 (FAT16, active) holds SYSLINUX, the tiny Linux's bzImage and initramfs;
// partition 2 (ext2) holds hello.txt. Made with Debian's syslinux, mtools, dosfstools, fdisk
// (sfdisk) and e2fsprogs on the image file itself: no loop mounts, no root needed except for
// apt-get. With --iso also linux.iso (ISOLINUX, El Torito no-emulation; xorriso), with --floppy
// also floppy.img (SYSLINUX on a 2.88 MB FAT12 diskette), both booting the same kernel.
//
//   node images/disk.mjs [--out DIR] [--kernel FILE] [--initrd FILE] [--append "CMDLINE"] [--iso] [--floppy]
//
// Inputs default to images/out/bzImage and images/out/initramfs.cpio.gz (node images/build.mjs).
// The bytes are reproducible: fixed volume IDs, labels, UUIDs and timestamps.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, utimesSync, existsSync, mkdtempSync, mkdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, openSync, writeSync, closeSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const SECTOR = 512;
const DISK_MIB = 48;
const FAT_START = 2048; // sectors
const FAT_SECTORS = 32 * 2048; // 32 MiB
const EXT2_START = FAT_START + FAT_SECTORS;
const EXT2_SECTORS = DISK_MIB * 2048 - EXT2_START;
const SYSLINUX_MBR = "/usr/lib/syslinux/mbr/mbr.bin";
const SOURCE_DATE = 1704067200; // 2024-01-01 00:00:00 UTC
const PACKAGES = { syslinux: "syslinux", mcopy: "mtools", "mkfs.fat": "dosfstools", sfdisk: "fdisk", mke2fs: "e2fsprogs", debugfs: "e2fsprogs" };
const ISOLINUX = "/usr/lib/ISOLINUX/isolinux.bin";
const LDLINUX_C32 = "/usr/lib/syslinux/modules/bios/ldlinux.c32";

const args = process.argv.slice(2);
const opt = { out: join(HERE, "out"), kernel: undefined, initrd: undefined, append: "console=ttyS0", iso: false, floppy: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--out") opt.out = resolve(args[++i]);
  else if (a === "--kernel") opt.kernel = resolve(args[++i]);
  else if (a === "--initrd") opt.initrd = resolve(args[++i]);
  else if (a === "--append") opt.append = args[++i];
  else if (a === "--iso") opt.iso = true;
  else if (a === "--floppy") opt.floppy = true;
  else if (a === "-h" || a === "--help") {
    console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 11).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
    process.exit(0);
  } else die(`unknown argument ${a} (try --help)`);
}
opt.kernel ??= join(opt.out, "bzImage");
opt.initrd ??= join(opt.out, "initramfs.cpio.gz");

function die(msg) {
  console.error(`images/disk: error: ${msg}`);
  process.exit(1);
}
function log(msg) { console.log(`images/disk: ${msg}`); }
const env = { ...process.env, SOURCE_DATE_EPOCH: String(SOURCE_DATE), E2FSPROGS_FAKE_TIME: String(SOURCE_DATE), MTOOLS_SKIP_CHECK: "1", TZ: "UTC" };
function run(cmd, argv, input) {
  const r = spawnSync(cmd, argv, { env, encoding: "utf8", input, maxBuffer: 16 << 20 });
  if (r.error) die(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) die(`${cmd} ${argv.join(" ")} failed (exit ${r.status})\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
function have(cmd) { return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0; }

// ---- Tools --------------------------------------------------------------------------------
if (opt.iso) PACKAGES.xorriso = "xorriso";
const missing = [...new Set(Object.entries(PACKAGES).filter(([cmd]) => !have(cmd)).map(([, pkg]) => pkg))];
const missingFiles = [[SYSLINUX_MBR, "syslinux-common"], ...(opt.iso ? [[ISOLINUX, "isolinux"], [LDLINUX_C32, "syslinux-common"]] : [])]
  .filter(([f]) => !existsSync(f)).map(([, pkg]) => pkg);
if (missing.length || missingFiles.length) {
  const pkgs = [...new Set([...missing, ...missingFiles])];
  if (process.getuid?.() !== 0) die(`needs the Debian packages ${pkgs.join(" ")} (apt-get install them, or run as root)`);
  log(`apt-get install ${pkgs.join(" ")}`);
  const aenv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], { env: aenv, stdio: "inherit" });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update", "-qq"], { env: aenv, stdio: "inherit" });
    r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], { env: aenv, stdio: "inherit" });
    if (r.status !== 0) die(`apt-get install ${pkgs.join(" ")} failed`);
  }
}
for (const f of [opt.kernel, opt.initrd]) if (!existsSync(f)) die(`${f} is missing: run node images/build.mjs first`);

// ---- The disk -----------------------------------------------------------------------------
mkdirSync(opt.out, { recursive: true });
const img = join(opt.out, "disk.img");
const tmp = `${img}.tmp`;
rmSync(tmp, { force: true });
const fd = openSync(tmp, "w");
ftruncateSync(fd, DISK_MIB << 20);
closeSync(fd);

// MBR: SYSLINUX's boot code, then the partition table (sfdisk keeps the boot code).
const mbr = readFileSync(SYSLINUX_MBR).subarray(0, 440);
{ const f = openSync(tmp, "r+"); writeSync(f, mbr, 0, mbr.length, 0); closeSync(f); }
run("sfdisk", ["--no-reread", "--no-tell-kernel", "-q", tmp],
  `label: dos\nlabel-id: 0x656d7500\nstart=${FAT_START}, size=${FAT_SECTORS}, type=6, bootable\nstart=${EXT2_START}, size=${EXT2_SECTORS}, type=83\n`);

// Partition 1: FAT16 with the kernel, the initramfs and SYSLINUX.
const work = mkdtempSync(join(tmpdir(), "emu-disk-"));
try {
  run("mkfs.fat", ["-F", "16", "-n", "EMUBOOT", "-i", "656d7501", "--offset", String(FAT_START), "-h", String(FAT_START), tmp, String(FAT_SECTORS / 2)]);
  const fat = `${tmp}@@${FAT_START * SECTOR}`;
  // Copies with a fixed mtime, which mcopy -m keeps.
  for (const [src, name] of [[opt.kernel, "bzImage"], [opt.initrd, "initramfs.cpio.gz"], [Buffer.from(syslinuxCfg("initramfs.cpio.gz")), "syslinux.cfg"]]) {
    run("mcopy", ["-i", fat, "-m", stamped(work, src, name), `::/${name}`]);
  }
  run("syslinux", ["--install", "--offset", String(FAT_START * SECTOR), tmp]);
  fixFatRootTimes(tmp, FAT_START * SECTOR);

  // Partition 2: ext2 with a file in it.
  const content = join(work, "ext2");
  mkdirSync(content);
  writeFileSync(join(content, "hello.txt"), "hello from the ext2 partition of disk.img\n");
  const ext2 = join(work, "ext2.img");
  run("mke2fs", ["-q", "-t", "ext2", "-b", "1024", "-L", "emudata", "-U", "656d7502-0000-4000-8000-000000000000",
    "-E", "root_owner=0:0,hash_seed=656d7503-0000-4000-8000-000000000000",
    "-d", content, "-F", ext2, String((EXT2_SECTORS * SECTOR) / 1024)]);
  // mke2fs -d copies the files' times (ctime cannot be set on the host): fix them in the image.
  const stamp = "20240101000000";
  const cmds = ["/", "/hello.txt", "/lost+found"].flatMap((f) => ["atime", "ctime", "mtime"].map((t) => `set_inode_field ${f} ${t} ${stamp}`));
  run("debugfs", ["-w", "-f", "-", ext2], cmds.join("\n") + "\n");
  const bytes = readFileSync(ext2);
  const f = openSync(tmp, "r+");
  writeSync(f, bytes, 0, bytes.length, EXT2_START * SECTOR);
  closeSync(f);
} finally {
  rmSync(work, { recursive: true, force: true });
}
renameSync(tmp, img);

/** The SYSLINUX/ISOLINUX configuration: straight to the kernel, its console on COM1. */
function syslinuxCfg(initrdName) {
  return ["SERIAL 0 115200", "DEFAULT linux", "PROMPT 0", "TIMEOUT 0", "LABEL linux", "  KERNEL /bzImage",
    `  INITRD /${initrdName}`, `  APPEND ${opt.append}`, ""].join("\n");
}

/** A copy of `src` in `dir` named `name`, with the fixed mtime (mcopy -m and xorriso keep it). */
function stamped(dir, src, name) {
  const copy = join(dir, name);
  mkdirSync(dirname(copy), { recursive: true });
  if (typeof src === "string") copyFileSync(src, copy); else writeFileSync(copy, src);
  utimesSync(copy, SOURCE_DATE, SOURCE_DATE);
  return copy;
}

/** linux.iso: ISOLINUX (El Torito, no emulation, boot info table) with the kernel and initramfs. */
function buildIso() {
  const iso = join(opt.out, "linux.iso");
  const work = mkdtempSync(join(tmpdir(), "emu-iso-"));
  try {
    const tree = join(work, "tree");
    stamped(tree, ISOLINUX, "isolinux/isolinux.bin");
    stamped(tree, LDLINUX_C32, "isolinux/ldlinux.c32");
    stamped(tree, Buffer.from(syslinuxCfg("initrd.gz")), "isolinux/isolinux.cfg");
    stamped(tree, opt.kernel, "bzImage");
    stamped(tree, opt.initrd, "initrd.gz");
    for (const d of ["isolinux", "."]) utimesSync(join(tree, d), SOURCE_DATE, SOURCE_DATE);
    rmSync(`${iso}.tmp`, { force: true });
    run("xorriso", ["-as", "mkisofs", "-quiet", "-o", `${iso}.tmp`, "-V", "EMU_LINUX", "--modification-date=2024010100000000",
      "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table", tree]);
    renameSync(`${iso}.tmp`, iso);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`built ${iso} (ISOLINUX, El Torito no emulation); sha256 ${createHash("sha256").update(readFileSync(iso)).digest("hex")}`);
}

/** floppy.img: a 2.88 MB FAT12 diskette with SYSLINUX, the kernel and the initramfs. */
function buildFloppy() {
  const img = join(opt.out, "floppy.img");
  const tmpImg = `${img}.tmp`;
  const work = mkdtempSync(join(tmpdir(), "emu-floppy-"));
  try {
    rmSync(tmpImg, { force: true });
    run("mkfs.fat", ["-C", "-i", "656d7504", "-n", "EMUFLOPPY", tmpImg, "2880"]);
    for (const [src, name] of [[opt.kernel, "bzImage"], [opt.initrd, "initrd.gz"], [Buffer.from(syslinuxCfg("initrd.gz")), "syslinux.cfg"]]) {
      run("mcopy", ["-i", tmpImg, "-m", stamped(work, src, name), `::/${name}`]);
    }
    run("syslinux", ["--install", tmpImg]);
    fixFatRootTimes(tmpImg, 0);
    renameSync(tmpImg, img);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`built ${img} (2.88 MB FAT12 with SYSLINUX); sha256 ${createHash("sha256").update(readFileSync(img)).digest("hex")}`);
}

/** mkfs.fat and mcopy stamp root directory entries with the time now: give them SOURCE_DATE. */
function fixFatRootTimes(path, offset) {
  const f = openSync(path, "r+");
  const bpb = Buffer.alloc(512);
  readSync(f, bpb, 0, 512, offset);
  const bytesPerSector = bpb.readUInt16LE(11), reserved = bpb.readUInt16LE(14), fats = bpb[16];
  const rootEntries = bpb.readUInt16LE(17), fatSectors = bpb.readUInt16LE(22);
  const rootAt = offset + (reserved + fats * fatSectors) * bytesPerSector;
  const root = Buffer.alloc(rootEntries * 32);
  readSync(f, root, 0, root.length, rootAt);
  const d = new Date(SOURCE_DATE * 1000);
  const date = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  for (let e = 0; e < rootEntries; e++) {
    const o = e * 32;
    if (root[o] === 0) break;
    if (root[o] === 0xe5 || root[o + 11] === 0x0f) continue; // deleted, long-name part
    root[o + 13] = 0; // creation time, 10 ms units
    root.writeUInt16LE(0, o + 14); // creation time
    root.writeUInt16LE(date, o + 16); // creation date
    root.writeUInt16LE(date, o + 18); // last access date
    root.writeUInt16LE(0, o + 22); // modification time (mcopy -m set the files' already;
    root.writeUInt16LE(date, o + 24); // this is for the volume label mkfs.fat made)
  }
  writeSync(f, root, 0, root.length, rootAt);
  closeSync(f);
}
const sha = createHash("sha256").update(readFileSync(img)).digest("hex");
log(`built ${img} (${DISK_MIB} MiB: FAT16 with SYSLINUX at sector ${FAT_START}, ext2 at sector ${EXT2_START}); sha256 ${sha}`);
if (opt.iso) buildIso();
if (opt.floppy) buildFloppy();
