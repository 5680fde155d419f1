// INT 13h, the disk services: for hard disks the classic CHS functions and the Enhanced Disk
// Drive extensions (41h-48h) with 64-bit LBAs; for floppies the CHS functions on the standard
// geometries (160 KB to 2.88 MB); for CD-ROMs (drive E0h) the EDD functions on 2048-byte
// sectors and the El Torito services (4Bh), and the no-emulation boot. The data moves straight between the BlockDevice and guest
// memory, as a paravirtual disk driver would; the ATA and floppy controller registers are not
// involved, so an OS that later drives a controller itself finds it as after reset. (There is no
// ATAPI model yet: CD-ROMs are reachable through INT 13h only.)
//
// Facts used: Ralf Brown's Interrupt List (INT 13h functions and status codes), the Phoenix
// "BIOS Enhanced Disk Drive Specification" 1.1/3.0 (disk address packet, drive parameters
// buffer), the "El Torito" Bootable CD-ROM Format Specification 1.0 (boot record volume
// descriptor, boot catalog, specification packet), and the usual LBA-assisted geometry
// translation (heads 16/32/64/128/255 by size).

import { SECTOR_SIZE, type BlockDevice } from "../devices/block-device.ts";
import { BDA, type Frame, GuestMemory } from "./memory.ts";
import { floppyFormat, type FloppyFormat } from "../devices/floppy-drive.ts";

// Status codes (AH).
export const DISK_OK = 0x00;
export const DISK_BAD_COMMAND = 0x01;
export const DISK_WRITE_PROTECTED = 0x03;
export const DISK_NOT_FOUND = 0x04;
export const DISK_DMA_BOUNDARY = 0x09;
/** The first CD-ROM's drive number (as SeaBIOS numbers them). */
export const CDROM_DRIVE = 0xe0;
const CD_SECTOR = 2048;

/** The El Torito boot image of a CD, as its boot catalog's default entry describes it. */
export interface ElToritoBoot {
  /** 0 no emulation, 1-3 diskette emulation, 4 hard disk emulation. */
  mediaType: number;
  loadSegment: number;
  /** Virtual (512-byte) sectors to load. */
  sectorCount: number;
  /** The image's first 2048-byte sector. */
  rba: number;
}
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

export { FLOPPY_FORMATS, floppyFormat, type FloppyFormat } from "../devices/floppy-drive.ts";

export class DiskBios {
  private readonly geometry: BiosGeometry[];
  private readonly floppyGeometry: (FloppyFormat | undefined)[];
  private readonly buffer = new Uint8Array(SECTOR_SIZE);
  /** F000 offset of the INT 1Eh diskette parameter table (AH=08h hands it out). */
  disketteParams = 0;

  /** The CD-ROM we booted from (INT 13h AH=4Bh reports it). */
  cdBoot: (ElToritoBoot & { drive: number }) | undefined;

  /** `hardDisks[i]` is drive 0x80 + i, `floppies[i]` drive i, `cdroms[i]` drive 0xE0 + i. */
  constructor(private readonly mem: GuestMemory, readonly hardDisks: BlockDevice[], readonly floppies: BlockDevice[] = [],
    readonly cdroms: BlockDevice[] = []) {
    this.geometry = hardDisks.map((d) => biosGeometry(d.sectorCount));
    this.floppyGeometry = floppies.map((d) => floppyFormat(d.sectorCount));
  }

  geometryOf(drive: number): BiosGeometry | undefined {
    return drive >= 0x80 ? this.geometry[drive - 0x80] : this.floppyGeometry[drive];
  }

  private disk(drive: number): BlockDevice | undefined {
    if (drive >= CDROM_DRIVE) return this.cdroms[drive - CDROM_DRIVE];
    return drive >= 0x80 ? this.hardDisks[drive - 0x80] : this.floppyGeometry[drive] ? this.floppies[drive] : undefined;
  }

  /** Read `count` sectors from `lba` to physical `addr`; returns the status and how many moved. */
  read(drive: number, lba: number, count: number, addr: number): { status: number; done: number } {
    const d = this.disk(drive);
    if (!d) return { status: DISK_BAD_COMMAND, done: 0 };
    return this.readDevice(d, lba, count, addr);
  }

  private readDevice(d: BlockDevice, lba: number, count: number, addr: number): { status: number; done: number } {
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

  /** Set AH, CF and the BDA's last status (hard disk or diskette). */
  private finish(f: Frame, status: number): void {
    this.mem.write8(f.dl >= 0x80 ? BDA.DISK_STATUS : BDA.FLOPPY_STATUS, status);
    f.ah = status;
    f.carry = status !== DISK_OK;
  }

  int13(f: Frame): void {
    const ah = f.ah, drive = f.dl;
    const d = this.disk(drive);
    if (!d) {
      // No such drive: AH=15h says so with AH=0; the rest fail.
      if (ah === 0x15) { f.ah = 0; f.carry = false; return; }
      if (ah === 0x08) { f.dl = drive >= 0x80 ? this.hardDisks.length : this.floppies.length; }
      this.finish(f, DISK_BAD_COMMAND);
      return;
    }
    if (drive < 0x80) { this.floppy(f, drive, this.floppyGeometry[drive]!); return; }
    if (drive >= CDROM_DRIVE) { this.cdrom(f, drive, d); return; }
    const g = this.geometry[drive - 0x80];
    switch (ah) {
      case 0x05: this.finish(f, d.readOnly ? DISK_WRITE_PROTECTED : DISK_OK); return; // format: nothing to do
      case 0x00: case 0x0c: case 0x0d: case 0x10: case 0x11: case 0x14: case 0x47:
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

  /** INT 13h for a diskette drive: CHS only (a transfer may run on across tracks and cylinders). */
  private floppy(f: Frame, drive: number, g: FloppyFormat): void {
    switch (f.ah) {
      case 0x05: this.finish(f, this.floppies[drive].readOnly ? DISK_WRITE_PROTECTED : DISK_OK); return; // format: nothing to do
      case 0x00: case 0x0d: case 0x16: case 0x17:
        this.finish(f, DISK_OK); // reset, format, alternate reset, change line (no change), set type
        return;
      case 0x01: {
        const last = this.mem.read8(BDA.FLOPPY_STATUS);
        f.ah = last; f.carry = last !== 0;
        return;
      }
      case 0x02: case 0x03: case 0x04: {
        const count = f.al;
        const cyl = f.ch | ((f.cl & 0xc0) << 2), sector = f.cl & 0x3f, head = f.dh;
        if (count === 0 || sector === 0 || sector > g.sectors || head >= g.heads || cyl >= g.cylinders) {
          f.al = 0;
          this.finish(f, DISK_NOT_FOUND);
          return;
        }
        const addr = GuestMemory.linear(f.es, f.bx);
        // The 8237 cannot cross a 64 KiB physical boundary in one transfer.
        if (f.ah !== 0x04 && (addr >>> 16) !== ((addr + count * SECTOR_SIZE - 1) >>> 16)) {
          f.al = 0;
          this.finish(f, DISK_DMA_BOUNDARY);
          return;
        }
        const lba = (cyl * g.heads + head) * g.sectors + sector - 1;
        const r = f.ah === 0x02 ? this.read(drive, lba, count, addr) : f.ah === 0x03 ? this.write(drive, lba, count, addr) : this.verify(drive, lba, count);
        f.al = r.done;
        this.finish(f, r.status);
        return;
      }
      case 0x08:
        f.ax = 0;
        f.bl = g.driveType;
        f.bh = 0;
        f.ch = (g.cylinders - 1) & 0xff;
        f.cl = g.sectors | (((g.cylinders - 1) >> 2) & 0xc0);
        f.dh = g.heads - 1;
        f.dl = this.floppies.length;
        f.es = 0xf000;
        f.di = this.disketteParams;
        this.finish(f, DISK_OK);
        return;
      case 0x15:
        f.ah = 0x01; // a diskette drive without change-line support
        f.carry = false;
        return;
      case 0x18:
        f.es = 0xf000;
        f.di = this.disketteParams;
        this.finish(f, DISK_OK);
        return;
      default:
        this.finish(f, DISK_BAD_COMMAND); // no EDD for diskettes
        return;
    }
  }

  // ---- CD-ROMs ------------------------------------------------------------------------------

  /**
   * Find the El Torito boot image of CD-ROM `drive`: the boot record volume descriptor (sector
   * 17), its boot catalog, the validation entry and the default entry. A string says what is
   * missing.
   */
  elTorito(drive: number): ElToritoBoot | string {
    const d = this.disk(drive);
    if (!d) return "no such CD-ROM drive";
    const sector = (n: number): Uint8Array | undefined => {
      const out = new Uint8Array(CD_SECTOR);
      try {
        for (let i = 0; i < 4; i++) { d.readSector(n * 4 + i, this.buffer); out.set(this.buffer, i * SECTOR_SIZE); }
      } catch { return undefined; }
      return out;
    };
    const brvd = sector(17);
    if (!brvd) return "it is too small to hold an ISO 9660 volume";
    const text = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
    if (brvd[0] !== 0 || text(brvd, 1, 5) !== "CD001" || !text(brvd, 7, 23).startsWith("EL TORITO SPECIFICATION")) {
      return "it has no El Torito boot record (sector 17)";
    }
    const dv = new DataView(brvd.buffer);
    const catalog = sector(dv.getUint32(0x47, true));
    if (!catalog) return "its El Torito boot catalog is outside the image";
    let sum = 0;
    for (let i = 0; i < 32; i += 2) sum = (sum + (catalog[i] | (catalog[i + 1] << 8))) & 0xffff;
    if (catalog[0] !== 1 || catalog[0x1e] !== 0x55 || catalog[0x1f] !== 0xaa || sum !== 0) return "its El Torito validation entry is damaged";
    const cv = new DataView(catalog.buffer);
    if (catalog[0x20] !== 0x88) return "its El Torito default entry is not bootable";
    return {
      mediaType: catalog[0x21] & 0x0f,
      loadSegment: cv.getUint16(0x22, true) || 0x07c0,
      sectorCount: cv.getUint16(0x26, true),
      rba: cv.getUint32(0x28, true),
    };
  }

  /** Load a no-emulation boot image where it asks to go; returns where to jump, or why not. */
  loadElTorito(drive: number): { segment: number } | string {
    const b = this.elTorito(drive);
    if (typeof b === "string") return b;
    if (b.mediaType !== 0) return `its boot image uses ${b.mediaType === 4 ? "hard disk" : "diskette"} emulation, which is not supported yet (only no-emulation images)`;
    const r = this.readDevice(this.disk(drive)!, b.rba * 4, Math.max(1, b.sectorCount), b.loadSegment << 4);
    if (r.status !== DISK_OK) return "its boot image cannot be read";
    this.cdBoot = { ...b, drive };
    return { segment: b.loadSegment };
  }

  /** INT 13h for a CD-ROM: EDD on 2048-byte sectors, read-only, and El Torito's 4Bh. */
  private cdrom(f: Frame, drive: number, d: BlockDevice): void {
    const m = this.mem;
    switch (f.ah) {
      case 0x00: case 0x0d: case 0x10: case 0x11: case 0x45: case 0x46: case 0x47: case 0x49:
        this.finish(f, DISK_OK); // reset, ready, recalibrate, lock, eject (ignored), seek, media not changed
        return;
      case 0x01: {
        const last = m.read8(BDA.DISK_STATUS);
        f.ah = last; f.carry = last !== 0;
        return;
      }
      case 0x41:
        if (f.bx !== 0x55aa) { this.finish(f, DISK_BAD_COMMAND); return; }
        f.bx = 0xaa55; f.ah = 0x30;
        f.cx = 0x0003; // fixed disk access and removable media (45h, 46h, 48h, 49h) subsets
        f.carry = false;
        return;
      case 0x42: case 0x44: {
        const dap = GuestMemory.linear(f.ds, f.si);
        const count = m.read16(dap + 2);
        let addr = GuestMemory.linear(m.read16(dap + 6), m.read16(dap + 4));
        if (m.read8(dap) >= 0x18 && m.read32(dap + 4) === 0xffffffff) addr = m.read32(dap + 0x10);
        const lba = m.read32(dap + 8) + m.read32(dap + 12) * 2 ** 32;
        const total = Math.floor(d.sectorCount / 4);
        const n = Math.max(0, Math.min(count, total - lba));
        if (f.ah === 0x42 && n > 0) this.readDevice(d, lba * 4, n * 4, addr);
        m.write16(dap + 2, n);
        this.finish(f, n === count ? DISK_OK : DISK_NOT_FOUND);
        return;
      }
      case 0x43: this.finish(f, DISK_WRITE_PROTECTED); return;
      case 0x48: {
        const buf = GuestMemory.linear(f.ds, f.si);
        const room = m.read16(buf);
        if (room < 0x1a) { this.finish(f, DISK_BAD_COMMAND); return; }
        const size = room >= 0x1e ? 0x1e : 0x1a;
        m.write16(buf, size);
        m.write16(buf + 2, 0x0074); // removable, change line, lockable, CHS values are maxima
        m.write32(buf + 4, 0xffffffff); m.write32(buf + 8, 0xffffffff); m.write32(buf + 12, 0xffffffff);
        m.write32(buf + 16, Math.floor(d.sectorCount / 4)); m.write32(buf + 20, 0);
        m.write16(buf + 24, CD_SECTOR);
        if (size >= 0x1e) m.write32(buf + 26, 0xffffffff);
        this.finish(f, DISK_OK);
        return;
      }
      case 0x4b: this.emulationStatus(f); return;
      default: this.finish(f, DISK_BAD_COMMAND); return;
    }
  }

  /** 4Bh AL=00h (terminate emulation) / 01h (status): the specification packet at DS:SI. */
  private emulationStatus(f: Frame): void {
    const b = this.cdBoot;
    if ((f.al !== 0x00 && f.al !== 0x01) || !b) { this.finish(f, DISK_BAD_COMMAND); return; }
    const m = this.mem, p = GuestMemory.linear(f.ds, f.si);
    m.write8(p, 0x13);
    m.write8(p + 1, b.mediaType);
    m.write8(p + 2, b.drive);
    m.write8(p + 3, 0); // controller index
    m.write32(p + 4, b.rba);
    m.write16(p + 8, 0); // device specification: master
    m.write16(p + 0x0a, 0); // user buffer segment
    m.write16(p + 0x0c, b.loadSegment);
    m.write16(p + 0x0e, b.sectorCount);
    m.write8(p + 0x10, 0); m.write8(p + 0x11, 0); m.write8(p + 0x12, 0);
    this.finish(f, DISK_OK);
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
