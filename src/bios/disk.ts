// INT 13h, the disk services, for hard disks: the classic CHS functions and the Enhanced Disk
// Drive extensions (41h-48h) with 64-bit LBAs. The data moves straight between the BlockDevice
// and guest memory, as a paravirtual disk driver would; the ATA registers are not involved, so
// an OS that later drives the controller itself finds it as after reset.
//
// Facts used: Ralf Brown's Interrupt List (INT 13h functions and status codes), the Phoenix
// "BIOS Enhanced Disk Drive Specification" 1.1/3.0 (disk address packet, drive parameters
// buffer), and the usual LBA-assisted geometry translation (heads 16/32/64/128/255 by size).

import { SECTOR_SIZE, type BlockDevice } from "../devices/block-device.ts";
import { BDA, type Frame, GuestMemory } from "./memory.ts";

// Status codes (AH).
export const DISK_OK = 0x00;
export const DISK_BAD_COMMAND = 0x01;
export const DISK_WRITE_PROTECTED = 0x03;
export const DISK_NOT_FOUND = 0x04;
export const DISK_CONTROLLER_FAILED = 0x20;
export const DISK_TIMEOUT = 0x80;

export interface BiosGeometry { cylinders: number; heads: number; sectors: number }

/**
 * The geometry INT 13h presents for a disk of `sectorCount` sectors: 63 sectors per track and
 * the fewest heads (16, 32, 64, 128, 255) that keep the cylinders within 1024; tiny disks get
 * the ATA default (fewer sectors or heads).
 */
export function biosGeometry(sectorCount: number): BiosGeometry {
  if (sectorCount < 16 * 63) {
    const sectors = Math.max(1, Math.min(63, sectorCount));
    const heads = Math.max(1, Math.min(16, Math.floor(sectorCount / sectors)));
    return { cylinders: Math.max(1, Math.floor(sectorCount / (heads * sectors))), heads, sectors };
  }
  let heads = 16;
  for (const h of [16, 32, 64, 128, 255]) {
    heads = h;
    if (sectorCount / (h * 63) <= 1024) break;
  }
  return { cylinders: Math.max(1, Math.min(1024, Math.floor(sectorCount / (heads * 63)))), heads, sectors: 63 };
}

export class DiskBios {
  private readonly geometry: BiosGeometry[];
  private readonly buffer = new Uint8Array(SECTOR_SIZE);

  /** `hardDisks[i]` is drive 0x80 + i. */
  constructor(private readonly mem: GuestMemory, readonly hardDisks: BlockDevice[]) {
    this.geometry = hardDisks.map((d) => biosGeometry(d.sectorCount));
  }

  geometryOf(drive: number): BiosGeometry | undefined { return this.geometry[drive - 0x80]; }

  private disk(drive: number): BlockDevice | undefined {
    return drive >= 0x80 ? this.hardDisks[drive - 0x80] : undefined;
  }

  /** Read `count` sectors from `lba` to physical `addr`; returns the status and how many moved. */
  read(drive: number, lba: number, count: number, addr: number): { status: number; done: number } {
    const d = this.disk(drive);
    if (!d) return { status: DISK_BAD_COMMAND, done: 0 };
    for (let i = 0; i < count; i++) {
      if (lba + i >= d.sectorCount) return { status: DISK_NOT_FOUND, done: i };
      try { d.readSector(lba + i, this.buffer); } catch { return { status: DISK_CONTROLLER_FAILED, done: i }; }
      this.mem.writeBytes(addr + i * SECTOR_SIZE, this.buffer);
    }
    return { status: DISK_OK, done: count };
  }

  private write(drive: number, lba: number, count: number, addr: number): { status: number; done: number } {
    const d = this.disk(drive);
    if (!d) return { status: DISK_BAD_COMMAND, done: 0 };
    if (d.readOnly) return { status: DISK_WRITE_PROTECTED, done: 0 };
    for (let i = 0; i < count; i++) {
      if (lba + i >= d.sectorCount) return { status: DISK_NOT_FOUND, done: i };
      try { d.writeSector(lba + i, this.mem.readBytes(addr + i * SECTOR_SIZE, SECTOR_SIZE)); } catch { return { status: DISK_CONTROLLER_FAILED, done: i }; }
    }
    return { status: DISK_OK, done: count };
  }

  private verify(drive: number, lba: number, count: number): { status: number; done: number } {
    const d = this.disk(drive)!;
    const n = Math.max(0, Math.min(count, d.sectorCount - lba));
    return { status: n === count ? DISK_OK : DISK_NOT_FOUND, done: n };
  }

  /** Set AH, CF and the BDA's last status. */
  private finish(f: Frame, status: number): void {
    this.mem.write8(BDA.DISK_STATUS, status);
    f.ah = status;
    f.carry = status !== DISK_OK;
  }

  int13(f: Frame): void {
    const ah = f.ah, drive = f.dl;
    const d = this.disk(drive);
    if (!d) {
      // No such drive: AH=15h says so with AH=0; the rest fail (floppies are not there yet).
      if (ah === 0x15) { f.ah = 0; f.carry = false; return; }
      if (ah === 0x08 && drive >= 0x80) { f.dl = this.hardDisks.length; }
      this.finish(f, DISK_BAD_COMMAND);
      return;
    }
    const g = this.geometry[drive - 0x80];
    switch (ah) {
      case 0x00: case 0x0c: case 0x0d: case 0x10: case 0x11: case 0x14: case 0x05: case 0x47:
        this.finish(f, DISK_OK); // reset, seek, alternate reset, ready, recalibrate, diagnostics, format, extended seek
        return;
      case 0x01: {
        const last = this.mem.read8(BDA.DISK_STATUS);
        f.ah = last; f.carry = last !== 0;
        return;
      }
      case 0x02: case 0x03: case 0x04: {
        const count = f.al;
        const cyl = f.ch | ((f.cl & 0xc0) << 2), sector = f.cl & 0x3f, head = f.dh;
        if (count === 0 || count > 128 || sector === 0 || sector > g.sectors || head >= g.heads || cyl >= g.cylinders) {
          f.al = 0;
          this.finish(f, DISK_BAD_COMMAND);
          return;
        }
        const lba = (cyl * g.heads + head) * g.sectors + sector - 1;
        const addr = GuestMemory.linear(f.es, f.bx);
        const r = ah === 0x02 ? this.read(drive, lba, count, addr) : ah === 0x03 ? this.write(drive, lba, count, addr) : this.verify(drive, lba, count);
        f.al = r.done;
        this.finish(f, r.status);
        return;
      }
      case 0x08: {
        const maxCyl = g.cylinders - 1;
        f.ch = maxCyl & 0xff;
        f.cl = (g.sectors & 0x3f) | ((maxCyl >> 2) & 0xc0);
        f.dh = g.heads - 1;
        f.dl = this.hardDisks.length;
        f.bl = 0;
        this.finish(f, DISK_OK);
        return;
      }
      case 0x15: {
        const n = Math.min(d.sectorCount, 0xffffffff);
        f.cx = (n >>> 16) & 0xffff; f.dx = n & 0xffff;
        f.ah = 0x03; // fixed disk
        f.carry = false;
        return;
      }
      case 0x41:
        if (f.bx !== 0x55aa) { this.finish(f, DISK_BAD_COMMAND); return; }
        f.bx = 0xaa55;
        f.ah = 0x30; // EDD 3.0
        f.cx = 0x0001; // fixed disk access subset (42h-44h, 47h, 48h)
        f.carry = false;
        return;
      case 0x42: case 0x43: case 0x44: this.extendedTransfer(f, drive, ah); return;
      case 0x48: this.parameters(f, d, g); return;
      default: this.finish(f, DISK_BAD_COMMAND); return;
    }
  }

  /** 42h read, 43h write, 44h verify: the disk address packet at DS:SI. */
  private extendedTransfer(f: Frame, drive: number, ah: number): void {
    const m = this.mem;
    const dap = GuestMemory.linear(f.ds, f.si);
    const size = m.read8(dap);
    const count = m.read16(dap + 2);
    let addr = GuestMemory.linear(m.read16(dap + 6), m.read16(dap + 4));
    if (size >= 0x18 && m.read32(dap + 4) === 0xffffffff) {
      // 64-bit flat buffer address (EDD 3.0); only the low 4 GiB exist here.
      if (m.read32(dap + 0x14) !== 0) { m.write16(dap + 2, 0); this.finish(f, DISK_BAD_COMMAND); return; }
      addr = m.read32(dap + 0x10);
    }
    const lba = m.read32(dap + 8) + m.read32(dap + 12) * 2 ** 32;
    if (size < 0x10) {
      m.write16(dap + 2, 0);
      this.finish(f, DISK_BAD_COMMAND);
      return;
    }
    const r = ah === 0x42 ? this.read(drive, lba, count, addr) : ah === 0x43 ? this.write(drive, lba, count, addr) : this.verify(drive, lba, count);
    m.write16(dap + 2, r.done);
    this.finish(f, r.status);
  }

  /** 48h: the drive parameters buffer at DS:SI (its first word says how big the caller's buffer is). */
  private parameters(f: Frame, d: BlockDevice, g: BiosGeometry): void {
    const m = this.mem;
    const buf = GuestMemory.linear(f.ds, f.si);
    const room = m.read16(buf);
    if (room < 0x1a) { this.finish(f, DISK_BAD_COMMAND); return; }
    const size = room >= 0x1e ? 0x1e : 0x1a;
    m.write16(buf, size);
    m.write16(buf + 2, 0x0002); // the CHS information is valid
    m.write32(buf + 4, g.cylinders);
    m.write32(buf + 8, g.heads);
    m.write32(buf + 12, g.sectors);
    m.write32(buf + 16, d.sectorCount % 2 ** 32);
    m.write32(buf + 20, Math.floor(d.sectorCount / 2 ** 32));
    m.write16(buf + 24, SECTOR_SIZE);
    if (size >= 0x1e) m.write32(buf + 26, 0xffffffff); // no device parameter table extension
    this.finish(f, DISK_OK);
  }
}
