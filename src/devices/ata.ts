// IDE/ATA controller channel (one cable: a master and a slave drive), PIO only.
//
// Specification: ANSI INCITS 361-2002 "AT Attachment with Packet Interface - 6" (ATA/ATAPI-6):
// clause 7 (register descriptions: Status, Error, Device, Device Control with nIEN, SRST and
// HOB, the 48-bit register FIFOs), clause 8 (commands: IDENTIFY DEVICE and its Table 27 layout,
// READ/WRITE SECTOR(S) and EXT, READ/WRITE MULTIPLE and EXT, SET MULTIPLE MODE, READ VERIFY,
// INITIALIZE DEVICE PARAMETERS, SET FEATURES, FLUSH CACHE and EXT, the power management
// commands, EXECUTE DEVICE DIAGNOSTIC), clause 9 (protocols: PIO data-in, PIO data-out,
// non-data; the software reset and its signature: sector count 01h, LBA 000001h, device 00h)
// and the rule that device 0 answers for an absent device 1 with status 00h. CHS addressing as
// in ATA-1 (X3.221-1994).
//
// Guest time: commands complete at once (BSY is never seen except while SRST is held). In
// PIO data-in the device interrupts when each DRQ block is ready; in PIO data-out it interrupts
// after each block is written (asking for the next) and after the last; non-data commands
// interrupt on completion. Reading Status clears the pending interrupt; Alternate Status does
// not. The channel's IRQ line is the selected device's INTRQ, released while nIEN = 1.
//
// Not modelled: DMA (IDENTIFY advertises none), the host protected area and security
// feature sets, SMART. A range error is found before any data moves (a real drive would
// transfer the sectors before the bad one, then stop with IDNF).
//
// A drive can instead be an ATAPI CD-ROM (the PACKET command feature set, ATA/ATAPI-6 clause
// 9.10 "PACKET command protocol", 8.23 PACKET, 8.17 IDENTIFY PACKET DEVICE and its Table 30,
// 8.9 DEVICE RESET): after a reset it posts the packet device signature (LBA Mid 14h, LBA High
// EBh) with DRDY clear; IDENTIFY DEVICE and READ SECTOR(S) abort with that signature. PACKET
// takes the byte count limit from LBA Mid/High, asks for the 12-byte command packet (DRQ with
// the interrupt reason CoD = 1, IO = 0 in Sector Count, no interrupt: IDENTIFY PACKET DEVICE
// word 0 says "DRQ within 50 us"), runs it (atapi-cdrom.ts), and moves data-in in DRQ blocks
// of at most the limit (even unless it is the last; whole 2048-byte blocks when the limit
// allows), each announced by its byte count in LBA Mid/High, IO = 1, CoD = 0 and an interrupt;
// the status phase (IO = 1, CoD = 1, DRQ = 0) interrupts at the end, with ERR and the sense key
// in Error bits 7-4 after a CHECK CONDITION. A byte count limit of 0 or FFFFh counts as FFFEh.
// Packets that ask for DMA or overlap abort (ABRT): there is no DMA engine.

import type { Device, DeviceState, IrqLine, PortBus, PortSize } from "../machine/device.ts";
import { SECTOR_SIZE, type BlockDevice } from "./block-device.ts";
import { AtapiCdrom, CD_BLOCK, type CdromIdentity } from "./atapi-cdrom.ts";

// Command block register offsets.
const REG_DATA = 0;
const REG_ERROR_FEATURES = 1;
const REG_COUNT = 2;
const REG_LBA_LOW = 3; // sector number in CHS
const REG_LBA_MID = 4; // cylinder low
const REG_LBA_HIGH = 5; // cylinder high
const REG_DEVICE = 6;
const REG_STATUS_COMMAND = 7;

// Status register.
const ST_BSY = 0x80;
const ST_DRDY = 0x40;
const ST_DF = 0x20; // device fault
const ST_DSC = 0x10; // seek complete (obsolete, kept set as drives do)
const ST_DRQ = 0x08;
const ST_ERR = 0x01;
const ST_READY = ST_DRDY | ST_DSC;

// Error register.
const ERR_ABRT = 0x04;
const ERR_IDNF = 0x10;
const ERR_UNC = 0x40; // uncorrectable data (reads)
const ERR_WP = 0x40; // write protected (writes; the removable media status bit)
/** EXECUTE DEVICE DIAGNOSTIC / reset: device 0 passed, device 1 passed or absent. */
const DIAGNOSTIC_PASSED = 0x01;

// Device register.
const DEV_LBA = 0x40;
const DEV_DEV = 0x10;

// Device control register.
const CTL_NIEN = 0x02;
const CTL_SRST = 0x04;
const CTL_HOB = 0x80;

/** Sectors per DRQ block for READ/WRITE MULTIPLE (IDENTIFY word 47). */
export const MAX_MULTIPLE = 16;
/** The most sectors CHS can address (16383 x 16 x 63): IDENTIFY words 57-58 stop there. */
const CHS_MAX_SECTORS = 16514064;

// Commands.
const CMD_READ_SECTORS = 0x20;
const CMD_READ_SECTORS_NORETRY = 0x21;
const CMD_READ_SECTORS_EXT = 0x24;
const CMD_READ_MULTIPLE_EXT = 0x29;
const CMD_WRITE_SECTORS = 0x30;
const CMD_WRITE_SECTORS_NORETRY = 0x31;
const CMD_WRITE_SECTORS_EXT = 0x34;
const CMD_WRITE_MULTIPLE_EXT = 0x39;
const CMD_READ_VERIFY = 0x40;
const CMD_READ_VERIFY_NORETRY = 0x41;
const CMD_READ_VERIFY_EXT = 0x42;
const CMD_EXECUTE_DIAGNOSTIC = 0x90;
const CMD_INITIALIZE_PARAMETERS = 0x91;
const CMD_READ_MULTIPLE = 0xc4;
const CMD_WRITE_MULTIPLE = 0xc5;
const CMD_SET_MULTIPLE = 0xc6;
const CMD_CHECK_POWER_MODE = 0xe5;
const CMD_CHECK_POWER_MODE_OLD = 0x98;
const CMD_FLUSH_CACHE = 0xe7;
const CMD_FLUSH_CACHE_EXT = 0xea;
const CMD_IDENTIFY = 0xec;
const CMD_SET_FEATURES = 0xef;
const CMD_DEVICE_RESET = 0x08;
const CMD_PACKET = 0xa0;
const CMD_IDENTIFY_PACKET = 0xa1;

// PACKET: Features bits, the interrupt reason in Sector Count, the packet device signature.
const PACKET_DMA = 0x01;
const PACKET_OVERLAP = 0x02;
const REASON_COD = 0x01;
const REASON_IO = 0x02;
const PACKET_BYTES = 12;
const SIGNATURE_PACKET_MID = 0x14;
const SIGNATURE_PACKET_HIGH = 0xeb;
/** STANDBY IMMEDIATE, IDLE IMMEDIATE, STANDBY, IDLE, SLEEP and their pre-ATA-4 codes. */
const POWER_COMMANDS = new Set([0xe0, 0xe1, 0xe2, 0xe3, 0xe6, 0x94, 0x95, 0x96, 0x97, 0x99]);

type Addressing = "chs" | "lba28" | "lba48";

export interface Geometry {
  cylinders: number;
  heads: number;
  sectors: number;
}

/** The usual translation for a disk of `sectorCount` sectors: 16 heads, 63 sectors per track. */
export function defaultGeometry(sectorCount: number): Geometry {
  if (sectorCount >= 16 * 63) {
    return { cylinders: Math.min(16383, Math.floor(sectorCount / (16 * 63))), heads: 16, sectors: 63 };
  }
  const sectors = Math.max(1, Math.min(63, sectorCount));
  const heads = Math.max(1, Math.min(16, Math.floor(sectorCount / sectors)));
  return { cylinders: Math.max(1, Math.floor(sectorCount / (heads * sectors))), heads, sectors };
}

export interface AtaDriveOptions {
  /** IDENTIFY model number (40 characters at most). */
  model?: string;
  /** IDENTIFY serial number (20 characters at most). */
  serial?: string;
  /** IDENTIFY firmware revision (8 characters at most). */
  firmware?: string;
  /** Default CHS geometry (IDENTIFY words 1, 3, 6); derived from the size when omitted. */
  geometry?: Geometry;
}

/** One set of command block registers (a device's current values, or their HOB copies). */
interface Registers { features: number; count: number; lbaLow: number; lbaMid: number; lbaHigh: number }

const newRegisters = (): Registers => ({ features: 0, count: 0, lbaLow: 0, lbaMid: 0, lbaHigh: 0 });

/** The data-in phase of a packet command: a reply, or `length` bytes of medium from block `lba`. */
interface PacketTransfer { data?: Uint8Array; lba: number; length: number; done: number }

interface DriveSnapshot {
  cur: Registers; hob: Registers; device: number; status: number; error: number; intrq: boolean;
  transfer: "none" | "in" | "out" | "packet"; buffer: string; pos: number; end: number;
  xferLba: number; remaining: number; blockSectors: number; addressing: Addressing;
  multiple: number; writeCache: boolean; lookAhead: boolean; current: Geometry;
  byteCountLimit?: number; packetData?: { data?: string; lba: number; length: number; done: number };
  atapi?: ReturnType<AtapiCdrom["saveState"]>;
}

/** One drive on the channel (or the empty place for one). */
class AtaDrive {
  dev: BlockDevice | undefined;
  /** An ATAPI CD-ROM drive in this place instead of a disk (its medium, if any, is its own). */
  atapi: AtapiCdrom | undefined;
  model = "EMU HARDDISK";
  serial = "";
  firmware = "1.0";
  geometry: Geometry = { cylinders: 0, heads: 0, sectors: 0 };
  /** Geometry set by INITIALIZE DEVICE PARAMETERS (IDENTIFY words 54-56). */
  current: Geometry = { cylinders: 0, heads: 0, sectors: 0 };
  multiple = 0;
  writeCache = true;
  lookAhead = true;

  cur = newRegisters();
  hob = newRegisters();
  device = 0;
  status = 0;
  error = 0;
  /** The device's interrupt is pending (INTRQ, before nIEN). */
  intrq = false;

  transfer: "none" | "in" | "out" | "packet" = "none";
  /** One DRQ block: up to MAX_MULTIPLE sectors, or a packet command's block of up to 0xFFFE bytes. */
  readonly buffer = new Uint8Array(0x10000);
  pos = 0;
  end = 0;
  /** Next sector to transfer, sectors not yet in a DRQ block, and the DRQ block size. */
  xferLba = 0;
  remaining = 0;
  blockSectors = 1;
  addressing: Addressing = "lba28";
  /** PACKET's byte count limit (LBA Mid/High when the command was written). */
  byteCountLimit = 0;
  packetData: PacketTransfer | undefined;

  get present(): boolean {
    return this.dev !== undefined || this.atapi !== undefined;
  }

  /** Power-on / hardware reset. */
  powerOn(): void {
    this.multiple = 0;
    this.writeCache = true;
    this.lookAhead = true;
    this.current = { ...this.geometry };
    this.softReset();
  }

  /** What SRST and EXECUTE DEVICE DIAGNOSTIC leave: the signature and diagnostic code. */
  softReset(): void {
    this.stopTransfer();
    this.intrq = false;
    this.cur = newRegisters();
    this.cur.count = 1;
    this.cur.lbaLow = 1;
    if (this.atapi) {
      this.cur.lbaMid = SIGNATURE_PACKET_MID;
      this.cur.lbaHigh = SIGNATURE_PACKET_HIGH;
      this.atapi.reset();
    }
    this.hob = { ...this.cur };
    this.device = 0;
    this.error = this.present ? DIAGNOSTIC_PASSED : 0;
    // A packet device leaves DRDY clear after a reset (ATA/ATAPI-6 9.12).
    this.status = this.present && !this.atapi ? ST_READY : 0;
  }

  stopTransfer(): void {
    this.transfer = "none";
    this.pos = this.end = 0;
    this.remaining = 0;
    this.packetData = undefined;
  }

  writeRegister(offset: number, value: number): void {
    const r = ["", "features", "count", "lbaLow", "lbaMid", "lbaHigh"][offset] as keyof Registers;
    this.hob[r] = this.cur[r];
    this.cur[r] = value;
  }

  // ---- commands -------------------------------------------------------------------------------

  execute(cmd: number): void {
    if (!this.present || this.status & ST_BSY) return;
    this.intrq = false; // a command write clears the pending interrupt
    this.stopTransfer();
    this.error = 0;
    if (this.atapi) return this.executePacketDevice(cmd);
    const dev = this.dev!;
    switch (cmd) {
      case CMD_IDENTIFY:
        this.identify(this.buffer);
        this.startDataIn(SECTOR_SIZE);
        return;
      case CMD_READ_SECTORS:
      case CMD_READ_SECTORS_NORETRY:
        return this.readWrite(false, this.addressing28(), 1);
      case CMD_READ_SECTORS_EXT:
        return this.readWrite(false, "lba48", 1);
      case CMD_READ_MULTIPLE:
        return this.multiple ? this.readWrite(false, this.addressing28(), this.multiple) : this.fail(ERR_ABRT);
      case CMD_READ_MULTIPLE_EXT:
        return this.multiple ? this.readWrite(false, "lba48", this.multiple) : this.fail(ERR_ABRT);
      case CMD_WRITE_SECTORS:
      case CMD_WRITE_SECTORS_NORETRY:
        return this.readWrite(true, this.addressing28(), 1);
      case CMD_WRITE_SECTORS_EXT:
        return this.readWrite(true, "lba48", 1);
      case CMD_WRITE_MULTIPLE:
        return this.multiple ? this.readWrite(true, this.addressing28(), this.multiple) : this.fail(ERR_ABRT);
      case CMD_WRITE_MULTIPLE_EXT:
        return this.multiple ? this.readWrite(true, "lba48", this.multiple) : this.fail(ERR_ABRT);
      case CMD_READ_VERIFY:
      case CMD_READ_VERIFY_NORETRY:
        return this.verify(this.addressing28());
      case CMD_READ_VERIFY_EXT:
        return this.verify("lba48");
      case CMD_SET_MULTIPLE: {
        const n = this.cur.count;
        // 0 turns multiple mode off; otherwise a power of two up to the IDENTIFY word 47 maximum.
        if (n > MAX_MULTIPLE || (n & (n - 1)) !== 0) return this.fail(ERR_ABRT);
        this.multiple = n;
        return this.complete();
      }
      case CMD_INITIALIZE_PARAMETERS: {
        const sectors = this.cur.count;
        const heads = (this.device & 0x0f) + 1;
        if (sectors === 0) return this.fail(ERR_ABRT);
        const cylinders = Math.min(65535, Math.floor(Math.min(dev.sectorCount, CHS_MAX_SECTORS) / (heads * sectors)));
        if (cylinders === 0) return this.fail(ERR_ABRT);
        this.current = { cylinders, heads, sectors };
        return this.complete();
      }
      case CMD_SET_FEATURES:
        return this.setFeatures();
      case CMD_FLUSH_CACHE:
      case CMD_FLUSH_CACHE_EXT:
        try {
          dev.flush();
        } catch {
          return this.fail(ERR_ABRT, ST_DF);
        }
        return this.complete();
    }
    if (this.powerCommand(cmd)) return;
    if ((cmd & 0xf0) === 0x10) return this.complete(); // RECALIBRATE (ATA-1): no heads to move
    if ((cmd & 0xf0) === 0x70) {
      // SEEK (ATA-1): only checks the address.
      const addressing = this.addressing28();
      const lba = this.startLba(addressing);
      return lba === undefined || lba >= dev.sectorCount ? this.fail(ERR_IDNF) : this.complete();
    }
    this.fail(ERR_ABRT);
  }

  /** CHECK POWER MODE and the power commands (no power states: nothing to do). */
  private powerCommand(cmd: number): boolean {
    if (cmd === CMD_CHECK_POWER_MODE || cmd === CMD_CHECK_POWER_MODE_OLD) {
      this.cur.count = 0xff; // active or idle
      this.complete();
      return true;
    }
    if (!POWER_COMMANDS.has(cmd)) return false;
    this.complete();
    return true;
  }

  // ---- the PACKET command feature set ---------------------------------------------------------

  private executePacketDevice(cmd: number): void {
    switch (cmd) {
      case CMD_PACKET:
        if (this.cur.features & (PACKET_DMA | PACKET_OVERLAP)) return this.fail(ERR_ABRT);
        this.byteCountLimit = this.cur.lbaMid | (this.cur.lbaHigh << 8);
        this.cur.count = (this.cur.count & ~7) | REASON_COD;
        this.transfer = "packet";
        this.pos = 0;
        this.end = PACKET_BYTES;
        this.status = ST_READY | ST_DRQ; // no interrupt: the host polls for DRQ
        return;
      case CMD_IDENTIFY_PACKET:
        this.identifyPacket(this.buffer);
        return this.startDataIn(SECTOR_SIZE);
      case CMD_DEVICE_RESET:
        this.softReset(); // the signature again; no interrupt
        return;
      case CMD_SET_FEATURES:
        return this.setFeatures();
      case CMD_FLUSH_CACHE:
        return this.complete();
      case CMD_IDENTIFY:
      case CMD_READ_SECTORS:
      case CMD_READ_SECTORS_NORETRY:
        // Abort, with the signature where the host looks to tell a packet device.
        this.cur.lbaMid = SIGNATURE_PACKET_MID;
        this.cur.lbaHigh = SIGNATURE_PACKET_HIGH;
        this.cur.count = 1;
        this.cur.lbaLow = 1;
        return this.fail(ERR_ABRT);
    }
    if (this.powerCommand(cmd)) return;
    this.fail(ERR_ABRT);
  }

  /** The 12-byte command packet is in: run it and start its data or status phase. */
  private runPacket(): void {
    const cdb = this.buffer.slice(0, PACKET_BYTES);
    this.stopTransfer();
    const r = this.atapi!.execute(cdb);
    if (!r.good) return this.packetStatus(true);
    if (r.length === 0) return this.packetStatus(false);
    this.packetData = { data: r.data, lba: r.lba ?? 0, length: r.length, done: 0 };
    this.nextPacketBlock();
  }

  /** Load the next DRQ block of the packet command's data-in and announce it. */
  private nextPacketBlock(): void {
    const x = this.packetData!;
    const left = x.length - x.done;
    let limit = this.byteCountLimit;
    if (limit === 0 || limit === 0xffff) limit = 0xfffe;
    let n: number;
    if (left <= limit) n = left;
    else if (!x.data && limit >= CD_BLOCK) n = Math.floor(limit / CD_BLOCK) * CD_BLOCK;
    else n = limit & ~1;
    if (x.data) {
      this.buffer.set(x.data.subarray(x.done, x.done + n));
    } else {
      // Medium blocks: whole ones straight into the buffer, a partial one through a copy.
      const block = new Uint8Array(CD_BLOCK);
      try {
        for (let at = 0; at < n;) {
          const offset = x.done + at;
          const within = offset % CD_BLOCK;
          const lba = x.lba + Math.floor(offset / CD_BLOCK);
          const take = Math.min(CD_BLOCK - within, n - at);
          if (within === 0 && take === CD_BLOCK) {
            this.atapi!.readBlock(lba, this.buffer.subarray(at, at + CD_BLOCK));
          } else {
            this.atapi!.readBlock(lba, block);
            this.buffer.set(block.subarray(within, within + take), at);
          }
          at += take;
        }
      } catch {
        this.atapi!.readFailed();
        return this.packetStatus(true);
      }
    }
    x.done += n;
    this.cur.lbaMid = n & 0xff;
    this.cur.lbaHigh = n >> 8;
    this.cur.count = (this.cur.count & ~7) | REASON_IO;
    this.transfer = "in";
    this.pos = 0;
    this.end = n;
    this.status = ST_READY | ST_DRQ;
    this.intrq = true;
  }

  /** The status phase: done (IO = 1, CoD = 1), with ERR and the sense key after a CHECK CONDITION. */
  private packetStatus(check: boolean): void {
    this.stopTransfer();
    this.cur.count = (this.cur.count & ~7) | REASON_IO | REASON_COD;
    this.error = check ? this.atapi!.sense.key << 4 : 0;
    this.status = check ? ST_DRDY | ST_ERR : ST_READY;
    this.intrq = true;
  }

  private setFeatures(): void {
    switch (this.cur.features) {
      case 0x02: this.writeCache = true; break;
      case 0x82: this.writeCache = false; break;
      case 0x55: this.lookAhead = false; break;
      case 0xaa: this.lookAhead = true; break;
      case 0x66: case 0xcc: break; // (do not) revert to power-on defaults at reset
      case 0x03: {
        // Set transfer mode: PIO default (00h/01h) or PIO flow control mode 0-4 (08h-0Ch). No DMA.
        const mode = this.cur.count;
        if (mode > 0x01 && !(mode >= 0x08 && mode <= 0x0c)) return this.fail(ERR_ABRT);
        break;
      }
      default:
        return this.fail(ERR_ABRT);
    }
    this.complete();
  }

  private addressing28(): Addressing {
    return this.device & DEV_LBA ? "lba28" : "chs";
  }

  /** The command's first sector, or undefined for a CHS address outside the geometry. */
  private startLba(addressing: Addressing): number | undefined {
    const { cur, hob } = this;
    if (addressing === "lba48") {
      return cur.lbaLow + cur.lbaMid * 0x100 + cur.lbaHigh * 0x10000 +
        (hob.lbaLow + hob.lbaMid * 0x100 + hob.lbaHigh * 0x10000) * 0x1000000;
    }
    if (addressing === "lba28") {
      return cur.lbaLow + cur.lbaMid * 0x100 + cur.lbaHigh * 0x10000 + (this.device & 0x0f) * 0x1000000;
    }
    const g = this.current;
    const cylinder = cur.lbaMid | (cur.lbaHigh << 8);
    const head = this.device & 0x0f;
    const sector = cur.lbaLow;
    if (sector === 0 || sector > g.sectors || head >= g.heads || cylinder >= g.cylinders) return undefined;
    return (cylinder * g.heads + head) * g.sectors + sector - 1;
  }

  private sectorCount(addressing: Addressing): number {
    if (addressing === "lba48") return (this.hob.count << 8 | this.cur.count) || 0x10000;
    return this.cur.count || 0x100;
  }

  /** Put a sector address back in the registers (the last sector transferred, as drives do). */
  private setAddress(lba: number, addressing: Addressing): void {
    const { cur, hob } = this;
    if (addressing === "chs") {
      const g = this.current;
      const track = Math.floor(lba / g.sectors);
      const cylinder = Math.floor(track / g.heads);
      cur.lbaLow = (lba % g.sectors) + 1;
      cur.lbaMid = cylinder & 0xff;
      cur.lbaHigh = (cylinder >> 8) & 0xff;
      this.device = (this.device & 0xf0) | (track % g.heads);
      return;
    }
    cur.lbaLow = lba & 0xff;
    cur.lbaMid = (lba >>> 8) & 0xff;
    cur.lbaHigh = (lba >>> 16) & 0xff;
    const high = Math.floor(lba / 0x1000000);
    if (addressing === "lba28") {
      this.device = (this.device & 0xf0) | (high & 0x0f);
    } else {
      hob.lbaLow = high & 0xff;
      hob.lbaMid = (high >>> 8) & 0xff;
      hob.lbaHigh = (high >>> 16) & 0xff;
    }
  }

  /** Check the command's sector range; on success returns [first sector, count]. */
  private range(addressing: Addressing): [number, number] | undefined {
    const lba = this.startLba(addressing);
    const count = this.sectorCount(addressing);
    if (lba === undefined || lba + count > this.dev!.sectorCount) {
      this.fail(ERR_IDNF);
      return undefined;
    }
    return [lba, count];
  }

  private readWrite(write: boolean, addressing: Addressing, blockSectors: number): void {
    if (write && this.dev!.readOnly) return this.fail(ERR_ABRT | ERR_WP);
    const range = this.range(addressing);
    if (!range) return;
    [this.xferLba, this.remaining] = range;
    this.blockSectors = blockSectors;
    this.addressing = addressing;
    if (write) this.startDataOutBlock();
    else this.loadDataInBlock();
  }

  private verify(addressing: Addressing): void {
    const range = this.range(addressing);
    if (!range) return;
    this.setAddress(range[0] + range[1] - 1, addressing);
    this.cur.count = 0;
    this.complete();
  }

  // ---- PIO data-in ----------------------------------------------------------------------------

  private loadDataInBlock(): void {
    const n = Math.min(this.blockSectors, this.remaining);
    for (let i = 0; i < n; i++) {
      try {
        this.dev!.readSector(this.xferLba + i, this.buffer.subarray(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE));
      } catch {
        this.setAddress(this.xferLba + i, this.addressing);
        return this.fail(ERR_UNC);
      }
    }
    this.setAddress(this.xferLba + n - 1, this.addressing);
    this.xferLba += n;
    this.remaining -= n;
    if (this.remaining === 0) this.cur.count = 0;
    this.startDataIn(n * SECTOR_SIZE);
  }

  private startDataIn(bytes: number): void {
    this.transfer = "in";
    this.pos = 0;
    this.end = bytes;
    this.status = ST_READY | ST_DRQ;
    this.intrq = true;
  }

  readData(): number {
    if (this.transfer !== "in") return 0xffff;
    const value = this.buffer[this.pos] | (this.buffer[this.pos + 1] << 8);
    this.pos += 2;
    if (this.pos >= this.end) {
      const x = this.packetData;
      if (x) {
        if (x.done < x.length) this.nextPacketBlock();
        else this.packetStatus(false);
      } else if (this.remaining > 0) {
        this.loadDataInBlock();
      } else {
        this.stopTransfer();
        this.status = ST_READY; // no interrupt after the last block of a read
      }
    }
    return value;
  }

  // ---- PIO data-out ---------------------------------------------------------------------------

  private startDataOutBlock(): void {
    this.transfer = "out";
    this.pos = 0;
    this.end = Math.min(this.blockSectors, this.remaining) * SECTOR_SIZE;
    this.status = ST_READY | ST_DRQ;
  }

  writeData(value: number): void {
    if (this.transfer !== "out" && this.transfer !== "packet") return;
    this.buffer[this.pos] = value & 0xff;
    this.buffer[this.pos + 1] = (value >> 8) & 0xff;
    this.pos += 2;
    if (this.pos < this.end) return;
    if (this.transfer === "packet") return this.runPacket();
    const n = this.end / SECTOR_SIZE;
    for (let i = 0; i < n; i++) {
      try {
        this.dev!.writeSector(this.xferLba + i, this.buffer.subarray(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE));
      } catch {
        this.setAddress(this.xferLba + i, this.addressing);
        this.stopTransfer();
        return this.fail(ERR_ABRT, ST_DF);
      }
    }
    this.setAddress(this.xferLba + n - 1, this.addressing);
    this.xferLba += n;
    this.remaining -= n;
    if (this.remaining > 0) {
      this.startDataOutBlock();
    } else {
      this.stopTransfer();
      this.cur.count = 0;
      this.status = ST_READY;
    }
    this.intrq = true; // after each block: ready for the next one, or done
  }

  // ---- completion -----------------------------------------------------------------------------

  private complete(): void {
    this.status = ST_READY;
    this.intrq = true;
  }

  private fail(error: number, status = 0): void {
    this.stopTransfer();
    this.error = error;
    this.status = ST_READY | ST_ERR | status;
    this.intrq = true;
  }

  // ---- IDENTIFY DEVICE ------------------------------------------------------------------------

  /** The 256-word IDENTIFY DEVICE block (ATA/ATAPI-6 Table 27), little-endian words. */
  identify(out: Uint8Array): void {
    const total = this.dev!.sectorCount;
    const w = new Uint16Array(256);
    const g = this.geometry;
    const c = this.current;
    const putDword = (at: number, v: number) => {
      w[at] = v & 0xffff;
      w[at + 1] = Math.floor(v / 0x10000) & 0xffff;
    };
    w[0] = 0x0040; // ATA device, fixed (not removable)
    w[1] = g.cylinders;
    w[3] = g.heads;
    w[6] = g.sectors;
    this.putStrings(w);
    w[20] = 3; // buffer type (obsolete): dual-ported with read cache
    w[21] = 512; // buffer size in sectors (obsolete)
    w[22] = 4; // ECC bytes for READ/WRITE LONG (obsolete)
    w[47] = 0x8000 | MAX_MULTIPLE;
    w[49] = 0x0e00; // IORDY supported and can be disabled, LBA supported (no DMA)
    w[50] = 0x4000;
    w[51] = 0x0200; // PIO timing mode 2 (obsolete)
    w[53] = 0x0003; // words 54-58 and 64-70 are valid
    w[54] = c.cylinders;
    w[55] = c.heads;
    w[56] = c.sectors;
    putDword(57, c.cylinders * c.heads * c.sectors);
    w[59] = this.multiple ? 0x0100 | this.multiple : 0;
    putDword(60, Math.min(total, 0x0fffffff));
    w[64] = 0x0003; // PIO modes 3 and 4
    w[67] = 120; // minimum PIO cycle time without flow control (ns)
    w[68] = 120; // with IORDY
    w[80] = 0x007e; // ATA-1 to ATA/ATAPI-6
    w[82] = 0x0068; // look-ahead, write cache, power management
    w[83] = 0x7400; // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
    w[84] = 0x4000;
    w[85] = (this.lookAhead ? 0x40 : 0) | (this.writeCache ? 0x20 : 0) | 0x08;
    w[86] = 0x3400;
    w[87] = 0x4000;
    putDword(100, total % 0x100000000);
    putDword(102, Math.floor(total / 0x100000000));
    w[106] = 0x4000; // one 512-byte logical sector per physical sector
    // Word 255 (integrity word) is 0: no checksum.
    this.putWords(w, out);
  }

  /** The 256-word IDENTIFY PACKET DEVICE block (ATA/ATAPI-6 Table 30), little-endian words. */
  identifyPacket(out: Uint8Array): void {
    const w = new Uint16Array(256);
    this.putStrings(w);
    // ATAPI, CD-ROM command set, removable, DRQ within 50 us of PACKET, 12-byte packets.
    w[0] = 0x8000 | (0x05 << 8) | 0x80 | 0x40;
    w[49] = 0x0e00; // IORDY supported and can be disabled, LBA (no DMA)
    w[50] = 0x4000;
    w[53] = 0x0002; // words 64-70 are valid
    w[64] = 0x0003; // PIO modes 3 and 4
    w[67] = 120;
    w[68] = 120;
    w[80] = 0x007e; // ATA/ATAPI-1 to -6
    w[82] = 0x0218; // DEVICE RESET, PACKET, power management
    w[83] = 0x4000;
    w[84] = 0x4000;
    w[85] = 0x0218;
    w[87] = 0x4000;
    this.putWords(w, out);
  }

  /** Serial number, firmware revision and model (words 10-19, 23-26, 27-46: two characters a word). */
  private putStrings(w: Uint16Array): void {
    const put = (first: number, chars: number, text: string) => {
      const s = text.slice(0, chars).padEnd(chars, " ");
      for (let i = 0; i < chars / 2; i++) w[first + i] = (s.charCodeAt(2 * i) << 8) | s.charCodeAt(2 * i + 1);
    };
    put(10, 20, this.serial);
    put(23, 8, this.firmware);
    put(27, 40, this.model);
  }

  private putWords(w: Uint16Array, out: Uint8Array): void {
    for (let i = 0; i < 256; i++) {
      out[2 * i] = w[i] & 0xff;
      out[2 * i + 1] = w[i] >> 8;
    }
  }

  // ---- state ----------------------------------------------------------------------------------

  saveState(): DriveSnapshot {
    return {
      cur: { ...this.cur }, hob: { ...this.hob }, device: this.device, status: this.status, error: this.error,
      intrq: this.intrq, transfer: this.transfer, buffer: toHex(this.buffer.subarray(0, this.end)), pos: this.pos,
      end: this.end, xferLba: this.xferLba, remaining: this.remaining, blockSectors: this.blockSectors,
      addressing: this.addressing, multiple: this.multiple, writeCache: this.writeCache, lookAhead: this.lookAhead,
      current: { ...this.current }, byteCountLimit: this.byteCountLimit,
      packetData: this.packetData && { ...this.packetData, data: this.packetData.data && toHex(this.packetData.data) },
      atapi: this.atapi?.saveState(),
    };
  }

  loadState(s: DriveSnapshot): void {
    this.cur = { ...s.cur }; this.hob = { ...s.hob }; this.device = s.device; this.status = s.status;
    this.error = s.error; this.intrq = s.intrq; this.transfer = s.transfer;
    this.buffer.fill(0);
    this.buffer.set(fromHex(s.buffer));
    this.pos = s.pos; this.end = s.end; this.xferLba = s.xferLba; this.remaining = s.remaining;
    this.blockSectors = s.blockSectors; this.addressing = s.addressing; this.multiple = s.multiple;
    this.writeCache = s.writeCache; this.lookAhead = s.lookAhead; this.current = { ...s.current };
    this.byteCountLimit = s.byteCountLimit ?? 0;
    const p = s.packetData;
    this.packetData = p && { lba: p.lba, length: p.length, done: p.done, data: p.data === undefined ? undefined : fromHex(p.data) };
    if (this.atapi && s.atapi) this.atapi.loadState(s.atapi);
  }
}

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

interface ChannelSnapshot { control: number; selected: number; drives: DriveSnapshot[] }

/** An ATA channel: the command block (8 ports) and the control block (one port). */
export class AtaChannel implements Device {
  readonly name: string;
  private readonly drives: [AtaDrive, AtaDrive] = [new AtaDrive(), new AtaDrive()];
  /** The Device Control register (written to both devices). */
  private control = 0;
  /** The DEV bit of the last Device register write: which drive answers. */
  private selected = 0;
  private irqLevel = false;

  constructor(readonly commandBase: number, readonly controlPort: number, private readonly irq: IrqLine) {
    this.name = `ATA channel (0x${commandBase.toString(16)})`;
    this.reset();
  }

  attach(bus: PortBus): void {
    bus.register(this, this.commandBase, 8, (port, size) => this.readCommandBlock(port - this.commandBase, size),
      (port, value, size) => this.writeCommandBlock(port - this.commandBase, value, size));
    bus.register(this, this.controlPort, 1, (_port, size) => this.widen(this.readAltStatus(), size),
      (_port, value) => this.writeControl(value & 0xff));
  }

  /**
   * Connect a disk as device 0 (master) or 1 (slave), or remove it with `undefined`. The drive
   * comes up as after power-on.
   */
  setDrive(unit: 0 | 1, dev: BlockDevice | undefined, options: AtaDriveOptions = {}): void {
    const d = this.drives[unit];
    d.dev = dev;
    d.atapi = undefined;
    d.model = options.model ?? "EMU HARDDISK";
    d.serial = options.serial ?? `EMU-${this.commandBase.toString(16).toUpperCase()}-${unit}`;
    d.firmware = options.firmware ?? "1.0";
    d.geometry = options.geometry ?? defaultGeometry(dev?.sectorCount ?? 0);
    d.powerOn();
    this.updateIrq();
  }

  /**
   * Connect an ATAPI CD-ROM drive as device 0 or 1 with `medium` (an ISO image; undefined: an
   * empty drive). It comes up as after power-on.
   */
  setCdrom(unit: 0 | 1, medium: BlockDevice | undefined, options: AtaDriveOptions & CdromIdentity = {}): void {
    const d = this.drives[unit];
    d.dev = undefined;
    d.atapi = new AtapiCdrom(medium, options);
    d.model = options.model ?? "EMU DVD-ROM";
    d.serial = options.serial ?? `EMU-${this.commandBase.toString(16).toUpperCase()}-${unit}`;
    d.firmware = options.firmware ?? "1.0";
    d.geometry = { cylinders: 0, heads: 0, sectors: 0 };
    d.powerOn();
    this.updateIrq();
  }

  /** The drive's default CHS geometry (for the BIOS / CMOS), or undefined when absent or not a disk. */
  geometry(unit: 0 | 1): Geometry | undefined {
    const d = this.drives[unit];
    return d.dev ? { ...d.geometry } : undefined;
  }

  reset(): void {
    this.control = 0;
    this.selected = 0;
    for (const d of this.drives) d.powerOn();
    this.updateIrq();
  }

  private get drive(): AtaDrive {
    return this.drives[this.selected];
  }

  /**
   * The registers a read sees: the selected drive's, or, when it is absent, the other drive's
   * (device 0 answers for a missing device 1, except that Status reads 00h).
   */
  private get answering(): AtaDrive {
    const d = this.drive;
    return d.present ? d : this.drives[this.selected ^ 1];
  }

  // ---- ports ----------------------------------------------------------------------------------

  private widen(byte: number, size: PortSize): number {
    return size === 1 ? byte : size === 2 ? 0xff00 | byte : (0xffffff00 | byte) >>> 0;
  }

  private readCommandBlock(offset: number, size: PortSize): number {
    if (offset === REG_DATA) {
      const d = this.drive;
      if (!d.present) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
      const lo = d.readData();
      const value = size === 4 ? (lo | (d.readData() << 16)) >>> 0 : size === 2 ? lo : lo & 0xff;
      this.updateIrq(); // a new DRQ block may have raised INTRQ
      return value;
    }
    // Byte registers: a wider access reads the following registers too.
    let value = 0;
    for (let i = 0; i < size; i++) {
      const r = offset + i;
      value |= (r < 8 ? this.readRegister(r) : 0xff) << (8 * i);
    }
    return value >>> 0;
  }

  private readRegister(offset: number): number {
    const d = this.drive;
    if (offset === REG_STATUS_COMMAND) {
      if (!d.present) return 0;
      d.intrq = false; // reading Status acknowledges the interrupt
      this.updateIrq();
      return d.status;
    }
    const a = this.answering;
    if (a.present && a.status & ST_BSY) return a.status; // while BSY every register reads Status
    const regs = this.control & CTL_HOB ? a.hob : a.cur;
    switch (offset) {
      case REG_ERROR_FEATURES: return a.error;
      case REG_COUNT: return regs.count;
      case REG_LBA_LOW: return regs.lbaLow;
      case REG_LBA_MID: return regs.lbaMid;
      case REG_LBA_HIGH: return regs.lbaHigh;
      case REG_DEVICE: return a.device;
    }
    return 0xff;
  }

  readAltStatus(): number {
    const d = this.drive;
    return d.present ? d.status : 0;
  }

  private writeCommandBlock(offset: number, value: number, size: PortSize): void {
    if (offset === REG_DATA) {
      const d = this.drive;
      if (!d.present) return;
      d.writeData(value & 0xffff);
      if (size === 4) d.writeData(value >>> 16);
      this.updateIrq();
      return;
    }
    for (let i = 0; i < size; i++) {
      const r = offset + i;
      if (r < 8) this.writeRegister(r, (value >>> (8 * i)) & 0xff);
    }
  }

  private writeRegister(offset: number, value: number): void {
    this.control &= ~CTL_HOB; // a write to any command block register clears HOB
    if (offset === REG_STATUS_COMMAND) {
      if (value === CMD_EXECUTE_DIAGNOSTIC) this.executeDiagnostic();
      else this.drive.execute(value);
    } else if (offset === REG_DEVICE) {
      for (const d of this.drives) if (!(d.status & ST_BSY)) d.device = value;
      this.selected = value & DEV_DEV ? 1 : 0;
    } else {
      for (const d of this.drives) if (!(d.status & ST_BSY)) d.writeRegister(offset, value);
    }
    this.updateIrq();
  }

  writeControl(value: number): void {
    const old = this.control;
    this.control = value & (CTL_NIEN | CTL_SRST | CTL_HOB);
    if (value & CTL_SRST && !(old & CTL_SRST)) {
      // Reset asserted: both devices go busy and drop any command.
      for (const d of this.drives) {
        d.stopTransfer();
        d.intrq = false;
        if (d.present) d.status = ST_BSY;
      }
    } else if (!(value & CTL_SRST) && old & CTL_SRST) {
      // Reset released: diagnostics pass at once and the signature is posted; no interrupt.
      for (const d of this.drives) d.softReset();
      this.selected = 0;
    }
    this.updateIrq();
  }

  /** EXECUTE DEVICE DIAGNOSTIC runs on both devices whichever is selected; device 0 interrupts. */
  private executeDiagnostic(): void {
    const [d0, d1] = this.drives;
    if (!d0.present && !d1.present) return;
    for (const d of this.drives) d.softReset();
    this.selected = 0;
    (d0.present ? d0 : d1).intrq = true;
  }

  /** INTRQ of the selected device, driven only while nIEN = 0. */
  private updateIrq(force = false): void {
    const d = this.drive;
    const level = d.present && d.intrq && !(this.control & CTL_NIEN);
    if (level === this.irqLevel && !force) return;
    this.irqLevel = level;
    this.irq.set(level);
  }

  // ---- state ----------------------------------------------------------------------------------

  /** Controller and drive registers; the disks' contents are the BlockDevices' business. */
  saveState(): DeviceState {
    const s: ChannelSnapshot = { control: this.control, selected: this.selected, drives: this.drives.map((d) => d.saveState()) };
    return { ...s };
  }

  loadState(state: DeviceState): void {
    const s = state as unknown as ChannelSnapshot;
    this.control = s.control;
    this.selected = s.selected;
    this.drives.forEach((d, i) => d.loadState(s.drives[i]));
    this.updateIrq(true);
  }
}
