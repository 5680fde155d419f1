// `emu run`: boot a PC with a Linux kernel (direct boot) and put COM1 on the terminal.

import { readFileSync, existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { PC, type MachineStop } from "./machine/pc.ts";
import { loadLinux } from "./boot/linux.ts";
import { findMultibootHeader, loadMultiboot } from "./boot/multiboot.ts";

/** A Linux bzImage has the boot sector signature and "HdrS" at 0x202. */
function isBzImage(k: Uint8Array): boolean {
  return k.length > 0x206 && k[0x1fe] === 0x55 && k[0x1ff] === 0xaa && k[0x202] === 0x48 && k[0x203] === 0x64 && k[0x204] === 0x72 && k[0x205] === 0x53;
}
import { UserError } from "./errors.ts";
import { formatStats } from "./stats.ts";
import { FileDisk } from "./devices/file-disk.ts";
import { loadBuiltinBios } from "./bios/rom.ts";
import { floppyFormat, FLOPPY_SIZES_TEXT } from "./devices/floppy-drive.ts";
import { checkFirmwareImage, findVgaBios } from "./bios/firmware.ts";
import { openDebugcon } from "./debugcon.ts";
import { Terminal, type DisplayMode } from "./terminal.ts";

export interface RunOptions {
  kernel?: string;
  initrd?: string;
  append?: string;
  hda?: string;
  hdb?: string;
  hdc?: string;
  hdd?: string;
  /** Diskette images for drives A: and B: (the floppy controller and the built-in BIOS). */
  fda?: string;
  fdb?: string;
  /** A CD-ROM image (the built-in BIOS boots it with El Torito; no ATAPI model yet). */
  cdrom?: string;
  /** The BIOS's boot order (QEMU's -boot letters: c hard disk, a floppy, d CD-ROM). */
  bootOrder?: string;
  /** A standard BIOS image (-bios) instead of the built-in BIOS, and where its VGA BIOS is (-L). */
  bios?: string;
  dataDir?: string;
  /** Where bytes to the debug console ports 0xE9 and 0x402 go (QEMU's -debugcon: stdio, file:PATH, null). */
  debugcon?: string;
  snapshot: boolean;
  /** What the terminal shows: COM1, the VGA text screen, or (auto) the one the guest's console is on. */
  display?: DisplayMode;
  /** Drives attached read-only whatever their files allow (-drive ...,readonly=on). */
  readOnly?: readonly string[];
  /** Exit on a guest reset or triple fault instead of rebooting (QEMU's -no-reboot). */
  noReboot: boolean;
  memoryMiB: number;
  stats: boolean;
  debugCore: boolean;
  realtime: boolean;
}

function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, "..");
}

function readInput(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new UserError(`emu: cannot open ${what} ${path}: no such file`);
  if (statSync(path).isDirectory()) throw new UserError(`emu: ${what} ${path} is a directory`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UserError(`emu: cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The built-in tiny Linux (built by `npm run images`). */
export function builtinImages(): { kernel: string; initrd: string } {
  const out = join(packageRoot(), "images", "out");
  return { kernel: join(out, "bzImage"), initrd: join(out, "initramfs.cpio.gz") };
}

/** A diskette image for the floppy controller and the BIOS: a standard size, or a one-line error. */
export function openDiskette(path: string, opts: { snapshot?: boolean; readOnly?: boolean } = {}): FileDisk {
  const disk = new FileDisk(path, opts);
  if (!floppyFormat(disk.sectorCount)) {
    disk.close();
    throw new UserError(`emu: diskette image ${path} is ${disk.sectorCount * 512} bytes, not a standard diskette size (${FLOPPY_SIZES_TEXT})`);
  }
  return disk;
}

export async function runCommand(opts: RunOptions): Promise<number> {
  let kernelPath = opts.kernel, initrdPath = opts.initrd;
  const debugcon = opts.debugcon ? openDebugcon(opts.debugcon) : undefined;
  if (opts.bios && (kernelPath || initrdPath || opts.append)) {
    throw new UserError("emu: -bios boots from the machine's disks; -kernel/-initrd/-append need the built-in direct boot (no -bios)");
  }
  if (opts.cdrom && opts.hdc) throw new UserError("emu: -cdrom and -hdc both want the secondary IDE channel's master");
  // Without -kernel, a machine with a disk boots it through the built-in BIOS (as QEMU does).
  const biosBoot = !kernelPath && !initrdPath && !opts.append && Boolean(opts.bios || opts.hda || opts.hdb || opts.hdc || opts.hdd || opts.fda || opts.fdb || opts.cdrom);
  if (!kernelPath && !biosBoot) {
    const b = builtinImages();
    if (!existsSync(b.kernel) || !existsSync(b.initrd)) {
      // Build it first (Debian's linux-source and busybox; about 8 minutes once, then cached).
      const script = join(packageRoot(), "images", "build.mjs");
      if (!existsSync(script)) throw new UserError("emu: the built-in tiny Linux is missing and this install has no images/build.mjs; give -kernel FILE");
      process.stderr.write("emu: building the built-in tiny Linux first (npm run images; about 8 minutes the first time)\n");
      const r = spawnSync(process.execPath, [script], { stdio: ["ignore", "inherit", "inherit"] });
      if (r.status !== 0 || !existsSync(b.kernel)) throw new UserError("emu: building the tiny Linux failed (see above); give -kernel FILE to boot your own");
    }
    kernelPath = b.kernel;
    initrdPath ??= b.initrd;
  }
  const kernel = kernelPath ? readInput(kernelPath, "kernel") : undefined;
  const initrd = initrdPath ? readInput(initrdPath, "initrd") : undefined;
  let firmware: { image: Uint8Array; vgaBios?: Uint8Array } | undefined;
  if (opts.bios) {
    // As QEMU: the name as a path first, then in the -L directory.
    const path = opts.dataDir && !existsSync(opts.bios) ? join(opts.dataDir, opts.bios) : opts.bios;
    const image = readInput(path, "BIOS image");
    checkFirmwareImage(path, image);
    const vga = findVgaBios(path, opts.dataDir);
    if (!vga.found) process.stderr.write(`emu: warning: no VGA BIOS (${vga.path} is missing; -L DIR says where it is): the screen stays blank\n`);
    firmware = { image, vgaBios: vga.found ? readInput(vga.path, "VGA BIOS") : undefined };
  }
  const bios = biosBoot && !firmware ? loadBuiltinBios() : undefined;
  const cmdline = opts.append ?? "console=ttyS0";

  /** Say so when a file the user cannot write is attached read-only (unless they asked for that). */
  const attach = (disk: FileDisk, slot: string): FileDisk => {
    if (disk.readOnly && !opts.readOnly?.includes(slot)) {
      process.stderr.write(`emu: ${disk.path} is not writable: the guest sees a write-protected disk\n`);
    }
    return disk;
  };
  const disks: { hda?: FileDisk; hdb?: FileDisk; hdc?: FileDisk; hdd?: FileDisk } = {};
  for (const name of ["hda", "hdb", "hdc", "hdd"] as const) {
    const path = opts[name];
    if (path) disks[name] = attach(new FileDisk(path, { snapshot: opts.snapshot, readOnly: opts.readOnly?.includes(name) }), name);
  }

  const floppies: { fda?: FileDisk; fdb?: FileDisk } = {};
  for (const name of ["fda", "fdb"] as const) {
    const path = opts[name];
    if (path) floppies[name] = attach(openDiskette(path, { snapshot: opts.snapshot, readOnly: opts.readOnly?.includes(name) }), name);
  }
  const cdrom = opts.cdrom ? new FileDisk(opts.cdrom, { readOnly: true }) : undefined;

  // The VGA screen first when firmware boots the machine, or when the kernel's console is not on COM1.
  const consoleOnVga = !kernel || (opts.append !== undefined && !/(^|\s)console=ttyS/.test(opts.append));
  const terminal = new Terminal({ display: opts.display ?? "auto", consoleOnVga });
  const flush = () => terminal.flush();
  const pc = await PC.create({
    memoryMiB: opts.memoryMiB,
    serial: { write: (b) => terminal.serialOut(b) },
    debugConsole: debugcon ?? { write: (b) => terminal.debugOut(b) },
    firmwareLog: debugcon,
    firmware,
    debugCore: opts.debugCore,
    realtime: opts.realtime,
    disks,
    bios,
    bootOrder: opts.bootOrder,
    floppies,
    cdrom,
  });
  // Direct kernel boot, as QEMU's -kernel does it: after a reset the loader runs again.
  const load = () => {
    if (!kernel) return; // the BIOS starts from the reset vector
    if (findMultibootHeader(kernel) >= 0 && !isBzImage(kernel)) {
      loadMultiboot(pc.cpu, kernel, cmdline, initrd ? [{ data: initrd, cmdline: initrdPath! }] : []);
    } else {
      loadLinux(pc.cpu, { kernel, initrd, cmdline });
    }
  };
  load();

  terminal.attach(pc);
  terminal.start();
  let stop: MachineStop;
  try {
    for (;;) {
      stop = await pc.run({
        yieldEveryMs: 10,
        until: () => { flush(); terminal.feed(); return terminal.quit; },
      });
      if ((stop.kind !== "reset" && stop.kind !== "triple-fault") || opts.noReboot) break;
      flush();
      process.stderr.write(stop.kind === "reset" ? "\nemu: the guest reset the machine; rebooting\n" : "\nemu: the guest triple-faulted (the CPU shut down); resetting the machine\n");
      pc.reset();
      load();
    }
  } finally {
    flush();
    terminal.end();
    for (const d of [...Object.values(disks), ...Object.values(floppies), cdrom]) d?.close();
    debugcon?.close();
  }
  const status = reportStop(stop);
  if (opts.stats) process.stderr.write(formatStats(pc) + "\n");
  return status;
}

function reportStop(stop: MachineStop): number {
  switch (stop.kind) {
    case "poweroff": return 0;
    case "exit-port": return ((stop.value << 1) | 1) & 0xff;
    case "stopped": process.stderr.write("\nemu: stopped (Ctrl-A X)\n"); return 0;
    case "reset": process.stderr.write("\nemu: the guest reset the machine (-no-reboot: stopping)\n"); return 0;
    case "triple-fault": process.stderr.write("\nemu: the guest triple-faulted (the CPU shut down; -no-reboot: stopping)\n"); return 3;
    case "boot-failed": process.stderr.write(`emu: ${stop.message}\n`); return 2;
  }
}
