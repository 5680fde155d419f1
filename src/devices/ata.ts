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
// Not modelled: DMA (IDENTIFY advertises none), ATAPI, the host protected area and security
// feature sets, SMART. A range error is found before any data moves (a real drive would
// transfer the sectors before the bad one, then stop with IDNF).

import type { Device, DeviceState, IrqLine, PortBus, PortSize } from "../machine/device.ts";
import { SECTOR_SIZE, type BlockDevice } from "./block-device.ts";

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

interface DriveSnapshot {
  cur: Registers; hob: Registers; device: number; status: number; error: number; intrq: boolean;
  transfer: "none" | "in" | "out"; buffer: string; pos: number; end: number;
  xferLba: number; remaining: number; blockSectors: number; addressing: Addressing;
  multiple: number; writeCache: boolean; lookAhead: boolean; current: Geometry;
}

/** One drive on the channel (or the empty place for one). */
class AtaDrive {
  dev: BlockDevice | undefined;
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

  transfer: "none" | "in" | "out" = "none";
  readonly buffer = new Uint8Array(SECTOR_SIZE * MAX_MULTIPLE);
  pos = 0;
  end = 0;
  /** Next sector to transfer, sectors not yet in a DRQ block, and the DRQ block size. */
  xferLba = 0;
  remaining = 0;
  blockSectors = 1;
  addressing: Addressing = "lba28";

  get present(): boolean {
    return this.dev !== undefined;
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
    this.hob = { ...this.cur };
    this.device = 0;
    this.error = this.present ? DIAGNOSTIC_PASSED : 0;
    this.status = this.present ? ST_READY : 0;
  }

  stopTransfer(): void {
    this.transfer = "none";
    this.pos = this.end = 0;
    this.remaining = 0;
  }

  writeRegister(offset: number, value: number): void {
    const r = ["", "features", "count", "lbaLow", "lbaMid", "lbaHigh"][offset] as keyof Registers;
    this.hob[r] = this.cur[r];
    this.cur[r] = value;
  }

  // ---- commands -------------------------------------------------------------------------------

  execute(cmd: number): void {
    if (!this.dev || this.status & ST_BSY) return;
    this.intrq = false; // a command write clears the pending interrupt
    this.stopTransfer();
    this.error = 0;
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
        const cylinders = Math.min(65535, Math.floor(Math.min(this.dev.sectorCount, CHS_MAX_SECTORS) / (heads * sectors)));
        if (cylinders === 0) return this.fail(ERR_ABRT);
        this.current = { cylinders, heads, sectors };
        return this.complete();
      }
      case CMD_SET_FEATURES:
        return this.setFeatures();
      case CMD_FLUSH_CACHE:
      case CMD_FLUSH_CACHE_EXT:
        try {
          this.dev.flush();
        } catch {
          return this.fail(ERR_ABRT, ST_DF);
        }
        return this.complete();
      case CMD_CHECK_POWER_MODE:
      case CMD_CHECK_POWER_MODE_OLD:
        this.cur.count = 0xff; // active or idle
        return this.complete();
    }
    if (POWER_COMMANDS.has(cmd)) return this.complete(); // no power states: nothing to do
    if ((cmd & 0xf0) === 0x10) return this.complete(); // RECALIBRATE (ATA-1): no heads to move
    if ((cmd & 0xf0) === 0x70) {
      // SEEK (ATA-1): only checks the address.
      const addressing = this.addressing28();
      const lba = this.startLba(addressing);
      return lba === undefined || lba >= this.dev.sectorCount ? this.fail(ERR_IDNF) : this.complete();
    }
    this.fail(ERR_ABRT);
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
      if (this.remaining > 0) {
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
    if (this.transfer !== "out") return;
    this.buffer[this.pos] = value & 0xff;
    this.buffer[this.pos + 1] = (value >> 8) & 0xff;
    this.pos += 2;
    if (this.pos < this.end) return;
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
    const putString = (first: number, chars: number, text: string) => {
      const s = text.slice(0, chars).padEnd(chars, " ");
      for (let i = 0; i < chars / 2; i++) w[first + i] = (s.charCodeAt(2 * i) << 8) | s.charCodeAt(2 * i + 1);
    };
    const putDword = (at: number, v: number) => {
      w[at] = v & 0xffff;
      w[at + 1] = Math.floor(v / 0x10000) & 0xffff;
    };
    w[0] = 0x0040; // ATA device, fixed (not removable)
    w[1] = g.cylinders;
    w[3] = g.heads;
    w[6] = g.sectors;
    putString(10, 20, this.serial);
    w[20] = 3; // buffer type (obsolete): dual-ported with read cache
    w[21] = 512; // buffer size in sectors (obsolete)
    w[22] = 4; // ECC bytes for READ/WRITE LONG (obsolete)
    putString(23, 8, this.firmware);
    putString(27, 40, this.model);
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
      current: { ...this.current },
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
    d.model = options.model ?? "EMU HARDDISK";
    d.serial = options.serial ?? `EMU-${this.commandBase.toString(16).toUpperCase()}-${unit}`;
    d.firmware = options.firmware ?? "1.0";
    d.geometry = options.geometry ?? defaultGeometry(dev?.sectorCount ?? 0);
    d.powerOn();
    this.updateIrq();
  }

  /** The drive's default CHS geometry (for the BIOS / CMOS), or undefined when absent. */
  geometry(unit: 0 | 1): Geometry | undefined {
    const d = this.drives[unit];
    return d.present ? { ...d.geometry } : undefined;
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
