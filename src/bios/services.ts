// The BIOS services: the TypeScript half of emu's built-in BIOS. The ROM (bios/bios.asm) saves
// the caller's registers on its stack and writes to the hypercall port; this device reads that
// frame, performs the call and writes the results back (see bios/README.md).
//
// Here: the dispatcher, POST's data (BDA, EBDA, fixed disk parameter tables, the tick count),
// INT 11h, 12h, 14h, 15h, 17h, 18h, 19h and 1Ah. Video (INT 10h), disks (INT 13h) and the
// keyboard (INT 16h, IRQ1) have their own files.
//
// Facts used: Ralf Brown's Interrupt List (INT 11h-1Ah; INT 15h E820h, E801h, 88h, 87h, 86h,
// 24h, C0h, C1h), the IBM AT Technical Reference (BIOS data area, fixed disk parameter table),
// the ACPI specification's address range types for E820.

import { Reg, Seg, type Cpu, type PortIO } from "../cpu/cpu.ts";
import type { Device, DeviceState, PortBus } from "../machine/device.ts";
import type { BlockDevice } from "../devices/block-device.ts";
import type { Vga } from "../devices/vga.ts";
import { BDA, Frame, GuestMemory } from "./memory.ts";
import { VideoBios } from "./video.ts";
import { CDROM_DRIVE, DiskBios } from "./disk.ts";
import { KeyboardBios } from "./keyboard.ts";
import { readRomDirectory, type RomDirectory } from "./rom.ts";

// Function bytes (the INT vector for software interrupts) and statuses: bios/bios.asm.
export const FN_POST = 0x01;
export const FN_KBD_IRQ = 0x09;
export const ST_DONE = 0;
export const ST_WAIT = 1;
export const ST_BOOT = 2;
export const ST_HALT = 3;

export const EBDA_SEGMENT = 0x9fc0;
export const EBDA_BASE = EBDA_SEGMENT << 4;
const FDPT_OFFSET = 0x3d; // the fixed disk parameter tables in the EBDA (two of 16 bytes)
const COM_PORTS = [0x3f8, 0x2f8, 0x3e8, 0x2e8];
const SMAP = 0x534d4150;
const PIT_HZ = 1193182;

export interface BiosDisk {
  device: BlockDevice;
  /** For messages, e.g. "hda (disk.img)". */
  name: string;
}

export interface BiosOptions {
  cpu: Cpu;
  /** Port I/O as the ROM's own IN/OUT would do it (the machine's bus). */
  io: PortIO;
  vga: Vga;
  /** The ROM image (bios/bios.asm), mapped at 0xF0000 and 0xFFFF0000 by the machine. */
  rom: Uint8Array;
  /** Hard disks in BIOS order: drive 80h, 81h, ... */
  hardDisks: BiosDisk[];
  /** Diskette images (standard sizes, see FLOPPY_FORMATS): drive 00h, 01h. */
  floppies?: BiosDisk[];
  /** CD-ROM images (ISO 9660, El Torito boot): drive E0h. */
  cdroms?: BiosDisk[];
  /** Boot order as QEMU's -boot: c = hard disk, a = floppy, d = CD-ROM (default "cad"). */
  bootOrder?: string;
  /** Guest time in ns. */
  now(): number;
  /** Nothing could be booted; `message` says why in one line. */
  onBootFailure?(message: string): void;
}

export type E820Entry = { base: number; length: number; type: 1 | 2 };

export class BiosServices implements Device {
  readonly name = "BIOS services";
  readonly directory: RomDirectory;
  readonly mem: GuestMemory;
  readonly video: VideoBios;
  readonly disk: DiskBios;
  readonly keyboard: KeyboardBios;
  /** Calls by function, e.g. "INT 13h AH=42h" (for tests and statistics). */
  readonly calls = new Map<string, number>();
  /** Why the last boot attempt failed (also passed to onBootFailure). */
  bootFailure: string | undefined;
  private readonly cpu: Cpu;
  private readonly io: PortIO;
  private readonly bootOrder: string;
  /** INT 15h AH=86h deadlines by frame address (the call is repeated after each interrupt). */
  private readonly waits = new Map<number, number>();

  constructor(private readonly opts: BiosOptions) {
    this.cpu = opts.cpu;
    this.io = opts.io;
    this.directory = readRomDirectory(opts.rom);
    this.mem = new GuestMemory(opts.cpu, opts.vga, opts.rom);
    this.video = new VideoBios(this.mem, opts.io, this.directory);
    this.disk = new DiskBios(this.mem, opts.hardDisks.map((d) => d.device), (opts.floppies ?? []).map((d) => d.device),
      (opts.cdroms ?? []).map((d) => d.device));
    this.disk.disketteParams = this.directory.disketteParams;
    this.keyboard = new KeyboardBios(this.mem);
    this.keyboard.onCtrlAltDel = () => this.io.out(0x64, 1, 0xfe); // pulse the CPU reset line
    this.bootOrder = (opts.bootOrder ?? "cad").toLowerCase();
  }

  attach(bus: PortBus): void {
    bus.register(this, this.directory.hypercallPort, 1, () => 0xff, () => this.hypercall());
  }
  reset(): void { this.waits.clear(); this.bootFailure = undefined; }
  saveState(): DeviceState { return {}; }
  loadState(_s: DeviceState): void {}

  /** The hypercall: honoured only from the ROM (CS = F000) in real mode. */
  private hypercall(): void {
    const cpu = this.cpu;
    if (cpu.cr0 & 1 || cpu.segment(Seg.CS).selector !== 0xf000) return;
    const base = (cpu.segment(Seg.SS).base + (cpu.getReg(Reg.ESP) & 0xffff)) >>> 0;
    const f = new Frame(this.mem, base);
    f.status = this.dispatch(f);
  }

  private count(what: string): void { this.calls.set(what, (this.calls.get(what) ?? 0) + 1); }

  private dispatch(f: Frame): number {
    const fn = f.fn;
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");
    if (fn === FN_POST) { this.count("POST"); this.post(); return ST_DONE; }
    if (fn === FN_KBD_IRQ) { this.count("IRQ1"); this.keyboard.scanCode(f.al); return ST_DONE; }
    const ah = f.ah;
    if (f.status !== ST_WAIT) this.count(`INT ${hex(fn)}h` + (fn === 0x11 || fn === 0x12 || fn === 0x18 || fn === 0x19 ? "" : ` AH=${hex(ah)}h`));
    switch (fn) {
      case 0x10: this.video.int10(f); return ST_DONE;
      case 0x11: f.ax = this.mem.read16(BDA.EQUIPMENT); return ST_DONE;
      case 0x12: f.ax = this.mem.read16(BDA.MEMORY_KB); return ST_DONE;
      case 0x13: this.disk.int13(f); return ST_DONE;
      case 0x14: this.serial(f); return ST_DONE;
      case 0x15: return this.system(f);
      case 0x16: return this.keyboard.int16(f) === "wait" ? ST_WAIT : ST_DONE;
      case 0x17: f.ah = 0x01; return ST_DONE; // no printer: time-out
      case 0x18: return this.failBoot("no bootable device (INT 18h)");
      case 0x19: return this.boot(f);
      case 0x1a: this.time(f); return ST_DONE;
      default: return ST_DONE;
    }
  }

  // ---- POST --------------------------------------------------------------------------------

  private post(): void {
    const m = this.mem;
    for (let i = 0; i < 4; i++) m.write16(BDA.COM_PORTS + 2 * i, COM_PORTS[i]);
    for (let i = 0; i < 3; i++) m.write16(BDA.LPT_PORTS + 2 * i, 0);
    m.write16(BDA.EBDA_SEGMENT, EBDA_SEGMENT);
    // Equipment: FPU, PS/2 mouse, 80x25 colour, four serial ports, the diskette drives, no printers.
    const floppies = this.disk.floppies.length;
    m.write16(BDA.EQUIPMENT, 0x0002 | 0x0004 | 0x0020 | (COM_PORTS.length << 9) | (floppies ? 0x0001 | ((floppies - 1) << 6) : 0));
    m.write16(BDA.MEMORY_KB, EBDA_BASE >> 10);
    this.keyboard.init();
    m.write8(BDA.DISK_COUNT, this.disk.hardDisks.length);
    m.write8(BDA.DISK_STATUS, 0);
    m.write32(BDA.TICKS, this.ticksFromRtc());
    m.write8(BDA.TICKS_ROLLOVER, 0);

    // EBDA: 1 KiB, its size in the first byte; the fixed disk parameter tables of drives 80h/81h.
    for (let i = 0; i < 0x400; i++) m.write8(EBDA_BASE + i, 0);
    m.write8(EBDA_BASE, 1);
    for (let i = 0; i < 2; i++) {
      const vec = i === 0 ? 0x41 : 0x46;
      const g = this.disk.geometryOf(0x80 + i);
      const t = EBDA_BASE + FDPT_OFFSET + 16 * i;
      if (!g) { m.write32(vec * 4, 0); continue; }
      m.write16(t, g.cylinders);
      m.write8(t + 2, g.heads);
      m.write16(t + 5, 0xffff); // no write precompensation
      m.write8(t + 8, g.heads > 8 ? 0x08 : 0x00);
      m.write16(t + 12, g.cylinders);
      m.write8(t + 14, g.sectors);
      m.write16(vec * 4, FDPT_OFFSET + 16 * i);
      m.write16(vec * 4 + 2, EBDA_SEGMENT);
    }
  }

  // ---- CMOS clock --------------------------------------------------------------------------

  private rtcRead(i: number): number { this.io.out(0x70, 1, i); return this.io.in(0x71, 1) & 0xff; }
  private rtcWrite(i: number, v: number): void { this.io.out(0x70, 1, i); this.io.out(0x71, 1, v & 0xff); }
  private get rtcBinary(): boolean { return (this.rtcRead(0x0b) & 0x04) !== 0; }
  /** An RTC register as BCD, whatever mode the clock is in. */
  private rtcBcd(i: number): number {
    const v = this.rtcRead(i);
    if (!this.rtcBinary) return v;
    const pm = i === 0x04 ? v & 0x80 : 0;
    const b = v & 0x7f;
    return pm | ((Math.floor(b / 10) << 4) | (b % 10));
  }
  private rtcSetBcd(i: number, bcd: number): void {
    this.rtcWrite(i, this.rtcBinary ? (bcd >> 4) * 10 + (bcd & 0x0f) : bcd);
  }

  private ticksFromRtc(): number {
    const bcd = (v: number) => (v >> 4) * 10 + (v & 0x0f);
    let h = bcd(this.rtcBcd(0x04) & 0x7f);
    if (!(this.rtcRead(0x0b) & 0x02) && this.rtcRead(0x04) & 0x80) h = (h % 12) + 12; // 12-hour clock, PM
    const seconds = h * 3600 + bcd(this.rtcBcd(0x02)) * 60 + bcd(this.rtcBcd(0x00));
    return Math.floor((seconds * PIT_HZ) / 65536);
  }

  /** INT 1Ah: the tick count, and the RTC's time, date and alarm. */
  private time(f: Frame): void {
    const m = this.mem;
    switch (f.ah) {
      case 0x00: {
        const t = m.read32(BDA.TICKS);
        f.cx = t >>> 16; f.dx = t & 0xffff;
        f.al = m.read8(BDA.TICKS_ROLLOVER);
        m.write8(BDA.TICKS_ROLLOVER, 0);
        f.carry = false;
        return;
      }
      case 0x01:
        m.write32(BDA.TICKS, ((f.cx << 16) | f.dx) >>> 0);
        m.write8(BDA.TICKS_ROLLOVER, 0);
        f.ah = 0; f.carry = false;
        return;
      case 0x02:
        f.ch = this.rtcBcd(0x04); f.cl = this.rtcBcd(0x02); f.dh = this.rtcBcd(0x00);
        f.dl = this.rtcRead(0x0b) & 0x01;
        f.carry = false;
        return;
      case 0x03: {
        const b = this.rtcRead(0x0b);
        this.rtcWrite(0x0b, b | 0x80); // SET: hold the update cycle
        this.rtcSetBcd(0x04, f.ch); this.rtcSetBcd(0x02, f.cl); this.rtcSetBcd(0x00, f.dh);
        this.rtcWrite(0x0b, (b & 0x7e) | 0x02 | (f.dl & 0x01));
        f.ah = 0; f.carry = false;
        return;
      }
      case 0x04:
        f.ch = this.rtcRead(0x32); f.cl = this.rtcBcd(0x09); f.dh = this.rtcBcd(0x08); f.dl = this.rtcBcd(0x07);
        f.carry = false;
        return;
      case 0x05: {
        const b = this.rtcRead(0x0b);
        this.rtcWrite(0x0b, b | 0x80);
        this.rtcWrite(0x32, f.ch); this.rtcSetBcd(0x09, f.cl); this.rtcSetBcd(0x08, f.dh); this.rtcSetBcd(0x07, f.dl);
        this.rtcWrite(0x0b, b & 0x7f);
        f.ah = 0; f.carry = false;
        return;
      }
      case 0x06: {
        const b = this.rtcRead(0x0b);
        if (b & 0x20) { f.carry = true; return; } // an alarm is already set
        this.rtcSetBcd(0x05, f.ch); this.rtcSetBcd(0x03, f.cl); this.rtcSetBcd(0x01, f.dh);
        this.rtcWrite(0x0b, (b & 0x7f) | 0x20);
        this.io.out(0xa1, 1, this.io.in(0xa1, 1) & ~0x01); // let IRQ8 through
        f.carry = false;
        return;
      }
      case 0x07:
        this.rtcWrite(0x0b, this.rtcRead(0x0b) & ~0x20);
        f.carry = false;
        return;
      default:
        f.fail(0x86); // includes the PCI BIOS (B1xxh): not present
        return;
    }
  }

  // ---- INT 14h -----------------------------------------------------------------------------

  private serial(f: Frame): void {
    const port = f.dx < 4 ? this.mem.read16(BDA.COM_PORTS + 2 * f.dx) : 0;
    if (!port) { f.ah = 0x80; return; }
    const lsr = () => this.io.in(port + 5, 1) & 0xff;
    const msr = () => this.io.in(port + 6, 1) & 0xff;
    switch (f.ah) {
      case 0x00: {
        const baud = [110, 150, 300, 600, 1200, 2400, 4800, 9600][f.al >> 5];
        const divisor = Math.round(115200 / baud);
        this.io.out(port + 3, 1, 0x80);
        this.io.out(port, 1, divisor & 0xff);
        this.io.out(port + 1, 1, divisor >> 8);
        this.io.out(port + 3, 1, f.al & 0x1f);
        this.io.out(port + 1, 1, 0);
        f.ah = lsr(); f.al = msr();
        return;
      }
      case 0x01: {
        const s = lsr();
        if (!(s & 0x20)) { f.ah = s | 0x80; return; }
        this.io.out(port, 1, f.al);
        f.ah = lsr();
        return;
      }
      case 0x02: {
        const s = lsr();
        if (!(s & 0x01)) { f.ah = s | 0x80; return; }
        f.al = this.io.in(port, 1) & 0xff;
        f.ah = lsr() & 0x1e;
        return;
      }
      case 0x03: f.ah = lsr(); f.al = msr(); return;
      default: f.ah = 0x80; return;
    }
  }

  // ---- INT 15h -----------------------------------------------------------------------------

  /** The physical memory map (INT 15h E820h). */
  memoryMap(): E820Entry[] {
    const ram = this.cpu.ramBytes;
    const map: E820Entry[] = [
      { base: 0, length: EBDA_BASE, type: 1 },
      { base: EBDA_BASE, length: 0xa0000 - EBDA_BASE, type: 2 },
      { base: 0xf0000, length: 0x10000, type: 2 },
    ];
    if (ram > 0x100000) map.push({ base: 0x100000, length: ram - 0x100000, type: 1 });
    map.push({ base: 0xffff0000, length: 0x10000, type: 2 });
    return map;
  }

  private system(f: Frame): number {
    const m = this.mem;
    const ram = this.cpu.ramBytes;
    const ah = f.ah;
    switch (ah) {
      case 0x24: {
        const al = f.al;
        if (al === 0x00 || al === 0x01) {
          const p92 = this.io.in(0x92, 1) & 0xff;
          this.io.out(0x92, 1, (al ? p92 | 0x02 : p92 & ~0x02) & ~0x01);
          this.io.out(0x64, 1, al ? 0xdf : 0xdd);
          f.ok();
        } else if (al === 0x02) { f.al = this.cpu.a20 ? 1 : 0; f.ok(); }
        else if (al === 0x03) { f.bx = 0x0003; f.ok(); } // 8042 and port 92h
        else f.fail(0x86);
        return ST_DONE;
      }
      case 0x4f: return ST_DONE; // keyboard intercept: CF stays set, the key is processed
      case 0x86: {
        const now = this.opts.now();
        if (f.status !== ST_WAIT) this.waits.set(f.base, now + (((f.cx << 16) | f.dx) >>> 0) * 1000);
        if (now < (this.waits.get(f.base) ?? 0)) return ST_WAIT;
        this.waits.delete(f.base);
        f.ok();
        return ST_DONE;
      }
      case 0x87: {
        const gdt = GuestMemory.linear(f.es, f.si);
        const base = (d: number) => (m.read16(gdt + d + 2) | (m.read8(gdt + d + 4) << 16) | (m.read8(gdt + d + 7) << 24)) >>> 0;
        const src = base(0x10), dst = base(0x18), n = Math.min(f.cx, 0x8000) * 2;
        const a20 = this.cpu.a20;
        this.cpu.a20 = true; // the move runs with A20 open, as the BIOS's protected-mode copy does
        try { m.writeBytes(dst, m.readBytes(src, n)); } finally { this.cpu.a20 = a20; }
        f.ok();
        f.zero = true;
        return ST_DONE;
      }
      case 0x88: f.ax = Math.min(Math.max(0, (ram - 0x100000) >> 10), 0xffff); f.carry = false; return ST_DONE;
      case 0x90: case 0x91: f.ok(); return ST_DONE;
      case 0xc0: f.es = 0xf000; f.bx = this.directory.configTable; f.ok(); return ST_DONE;
      case 0xc1: f.es = m.read16(BDA.EBDA_SEGMENT); f.carry = false; return ST_DONE;
      case 0xe8:
        if (f.al === 0x01) {
          const low = Math.min(Math.max(0, Math.min(ram, 16 << 20) - 0x100000) >> 10, 0x3c00);
          const high = Math.min(Math.max(0, ram - (16 << 20)) >> 16, 0xffff);
          f.ax = low; f.cx = low; f.bx = high; f.dx = high;
          f.carry = false;
          return ST_DONE;
        }
        if (f.al === 0x20 && f.edx === SMAP) { this.e820(f); return ST_DONE; }
        f.fail(0x86);
        return ST_DONE;
      default: f.fail(0x86); return ST_DONE; // includes APM (53h) and the PS/2 mouse (C2h): not present
    }
  }

  private e820(f: Frame): void {
    const map = this.memoryMap();
    const i = f.ebx;
    if (i >= map.length || f.ecx < 20) { f.fail(0x86); return; }
    const e = map[i];
    const a = GuestMemory.linear(f.es, f.di);
    const m = this.mem;
    m.write32(a, e.base >>> 0); m.write32(a + 4, Math.floor(e.base / 2 ** 32));
    m.write32(a + 8, e.length >>> 0); m.write32(a + 12, Math.floor(e.length / 2 ** 32));
    m.write32(a + 16, e.type);
    let size = 20;
    if (f.ecx >= 24) { m.write32(a + 20, 1); size = 24; } // ACPI 3.0 extended attributes: enabled
    f.eax = SMAP;
    f.ecx = size;
    f.ebx = i + 1 < map.length ? i + 1 : 0;
    f.carry = false;
  }

  // ---- booting -----------------------------------------------------------------------------

  /**
   * INT 19h: load the first sector of each device in boot order to 0000:7C00 and start the
   * first that can boot: a hard disk's must end in 55h AAh, a diskette's must not be blank, a
   * CD-ROM's El Torito no-emulation image goes where its boot catalog says.
   */
  private boot(f: Frame): number {
    const problems: string[] = [];
    for (const c of this.bootOrder) {
      if (c === "a" && this.disk.floppies.length) {
        const name = this.opts.floppies![0].name;
        const r = this.disk.read(0x00, 0, 1, 0x7c00);
        if (r.status !== 0) { problems.push(`${name}: cannot read its boot sector`); continue; }
        const first = this.mem.read8(0x7c00);
        let blank = true;
        for (let i = 1; i < 512 && blank; i++) blank = this.mem.read8(0x7c00 + i) === first;
        if (blank) { problems.push(`${name} is not bootable: its boot sector is blank`); continue; }
        this.video.print("Booting from Floppy...\r\n");
        f.dl = 0x00;
        f.cx = 0; f.bx = 0x7c00;
        return ST_BOOT;
      }
      if (c === "d" && this.disk.cdroms.length) {
        const name = this.opts.cdroms![0].name;
        const r = this.disk.loadElTorito(CDROM_DRIVE);
        if (typeof r === "string") { problems.push(`${name} is not bootable: ${r}`); continue; }
        this.video.print("Booting from DVD/CD...\r\n");
        f.dl = CDROM_DRIVE;
        f.cx = r.segment; f.bx = 0;
        return ST_BOOT;
      }
      if (c !== "c") continue;
      for (let i = 0; i < this.disk.hardDisks.length; i++) {
        const name = this.opts.hardDisks[i].name;
        const r = this.disk.read(0x80 + i, 0, 1, 0x7c00);
        if (r.status !== 0) { problems.push(`${name}: cannot read its first sector`); continue; }
        if (this.mem.read8(0x7dfe) !== 0x55 || this.mem.read8(0x7dff) !== 0xaa) {
          problems.push(`${name} is not bootable: its first sector has no boot signature (55 AA at byte 510)`);
          continue;
        }
        this.video.print(`Booting from Hard Disk ${i}...\r\n`);
        f.dl = 0x80 + i;
        f.cx = 0; f.bx = 0x7c00;
        return ST_BOOT;
      }
    }
    return this.failBoot(problems.length ? problems.join("; ") : "no bootable device: no disk is attached");
  }

  private failBoot(message: string): number {
    this.video.print("No bootable device.\r\n");
    this.bootFailure = message;
    this.opts.onBootFailure?.(message);
    return ST_HALT;
  }
}
