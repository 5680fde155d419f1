// The machine the page runs: a PC with a directly booted kernel (Linux bzImage or multiboot), an
// optional disk in memory, and snapshots that carry everything needed to go on (and to reboot).
// Used by the worker and, bundled for Node, by test/web.test.mjs.

import { PC } from "../src/machine/pc.ts";
import { loadLinux } from "../src/boot/linux.ts";
import { findMultibootHeader, loadMultiboot } from "../src/boot/multiboot.ts";
import { MemoryBlockDevice } from "../src/devices/block-device.ts";
import type { SerialSink } from "../src/machine/device.ts";
import { captureMachine, restoreMachine, encodeSnapshot, decodeSnapshot, type Snapshot } from "./snapshot.ts";

export { PC };

export interface BootMedia {
  /** A kernel to boot directly; without one the machine starts in the BIOS, which boots the disk. */
  kernel?: Uint8Array;
  kernelName?: string;
  /** The built-in BIOS image (dist/bios.bin), for a machine that boots from its disk. */
  bios?: Uint8Array;
  initrd?: Uint8Array;
  initrdName?: string;
  /** Disk image for hda, used in place: the guest's writes change these bytes (never the user's file). */
  disk?: Uint8Array;
  diskName?: string;
  cmdline: string;
  memoryMiB: number;
}

/** The command line the page uses when none is given. */
export function defaultCmdline(withDisk: boolean): string {
  // pata_legacy probes the legacy IDE ports only when told to; without a disk it has nothing to find.
  return withDisk ? "console=ttyS0 pata_legacy.probe_mask=3" : "console=ttyS0";
}

function isBzImage(k: Uint8Array): boolean {
  return k.length > 0x206 && k[0x1fe] === 0x55 && k[0x1ff] === 0xaa && k[0x202] === 0x48 && k[0x203] === 0x64 && k[0x204] === 0x72 && k[0x205] === 0x53;
}

export class Machine {
  private constructor(readonly pc: PC, readonly media: BootMedia, readonly disk: MemoryBlockDevice | undefined) {}

  /** A powered-on PC with the kernel loaded, ready to run (nothing has executed yet). */
  static async boot(module: WebAssembly.Module, media: BootMedia, serial: SerialSink): Promise<Machine> {
    const m = await Machine.create(module, media, serial);
    m.loadKernel();
    return m;
  }

  private static async create(module: WebAssembly.Module, media: BootMedia, serial: SerialSink): Promise<Machine> {
    const disk = media.disk ? new MemoryBlockDevice(media.disk) : undefined;
    const pc = await PC.create({ memoryMiB: media.memoryMiB, serial, wasmModule: module, disks: disk ? { hda: disk } : {}, bios: media.kernel ? undefined : media.bios });
    return new Machine(pc, media, disk);
  }

  /** Direct boot, as QEMU's -kernel: load the kernel (again after a reset) and enter it. */
  loadKernel(): string {
    const { kernel, initrd, cmdline } = this.media;
    if (!kernel) return "BIOS"; // the BIOS starts at the reset vector and boots the disk
    if (findMultibootHeader(kernel) >= 0 && !isBzImage(kernel)) {
      loadMultiboot(this.pc.cpu, kernel, cmdline, initrd ? [{ data: initrd, cmdline: this.media.initrdName ?? "initrd" }] : []);
      return "multiboot";
    }
    const info = loadLinux(this.pc.cpu, { kernel, initrd, cmdline });
    return `Linux boot protocol ${info.protocol}`;
  }

  /** A hardware reset, then the kernel is loaded again. */
  reset(): void {
    this.pc.reset();
    this.loadKernel();
  }

  /** Everything needed to continue this machine elsewhere, boot media included (for reboots). */
  capture(): Snapshot {
    const { kernel, initrd, bios, disk: _disk, ...rest } = this.media;
    const extra: Record<string, Uint8Array> = {};
    if (kernel) extra.kernel = kernel;
    if (bios) extra.bios = bios;
    if (initrd) extra.initrd = initrd;
    if (this.disk) extra.disk = this.disk.data;
    return captureMachine(this.pc, { media: rest }, extra);
  }

  async save(): Promise<Uint8Array> {
    return encodeSnapshot(this.capture());
  }

  /** A new machine that continues from a snapshot (file bytes or a decoded snapshot). */
  static async restore(module: WebAssembly.Module, file: Uint8Array | Snapshot, serial: SerialSink): Promise<Machine> {
    const snap = file instanceof Uint8Array ? await decodeSnapshot(file) : file;
    const m = (snap.header.meta.media ?? {}) as Partial<BootMedia>;
    const kernel = snap.sections.get("kernel");
    const bios = snap.sections.get("bios");
    if ((!kernel && !bios) || typeof m.memoryMiB !== "number" || typeof m.cmdline !== "string") throw new Error("emu snapshot: no boot media in the file");
    const media: BootMedia = {
      kernel: kernel?.slice(), kernelName: m.kernelName, bios: bios?.slice(),
      initrd: snap.sections.get("initrd")?.slice(), initrdName: m.initrdName,
      disk: snap.sections.get("disk")?.slice(), diskName: m.diskName,
      cmdline: m.cmdline, memoryMiB: m.memoryMiB,
    };
    const machine = await Machine.create(module, media, serial);
    restoreMachine(machine.pc, snap);
    return machine;
  }
}
