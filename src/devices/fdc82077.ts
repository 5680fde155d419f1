// Intel 82077AA floppy disk controller (PC-AT mode) with up to four drives: I/O 3F0h-3F5h and
// 3F7h (3F6h belongs to the IDE controller), IRQ 6, DMA channel 2.
//
// Sources: Intel 82077AA CHMOS Single-Chip Floppy Disk Controller data sheet (registers DOR, TDR,
// MSR, DSR, FIFO, DIR, CCR; the command set and its result phases; status registers ST0-ST3;
// reset, polling and the four SENSE INTERRUPT STATUS after it; implied seek, LOCK, the DUMPREG
// layout; the result values of C/H/R/N after a transfer, with and without multi-track), and the
// NEC uPD765A / Intel 8272A data sheet the 82077AA is compatible with.
//
// Registers (PC-AT mode): DOR 3F2h (drive select, /RESET, DMA gate, motor enables), TDR 3F3h,
// MSR 3F4h read (RQM, DIO, NON-DMA, CMD BUSY, drive busy bits) / DSR 3F4h write (software reset,
// precompensation, data rate), FIFO 3F5h, DIR 3F7h read (disk change line in bit 7; bits 0-6 are
// not driven) / CCR 3F7h write (data rate). SRA/SRB (3F0h/3F1h) exist in PS/2 mode only and read
// as a floating bus here.
//
// Commands: READ DATA, READ DELETED DATA, WRITE DATA, WRITE DELETED DATA, READ TRACK, VERIFY,
// FORMAT TRACK, READ ID, SPECIFY, SENSE DRIVE STATUS, RECALIBRATE, SEEK (and relative seek),
// SENSE INTERRUPT STATUS, VERSION (90h: an 82077AA), DUMPREG, CONFIGURE, LOCK/UNLOCK,
// PERPENDICULAR MODE. Anything else (the SCAN commands too) is an invalid command: one result
// byte, 80h. Data moves through DMA channel 2 (the DMA gate in the DOR enables DRQ) or, after
// SPECIFY with ND = 1, through the FIFO with INT raised for each byte (non-DMA mode). A
// transfer ends at the DMA controller's terminal count (normal termination) or after the sector
// EOT of the last side (abnormal termination with End of Cylinder, as in non-DMA mode).
//
// Where this model chooses:
// - Timing: a data command starts 100 us of guest time after its last command byte, and its data
//   moves as fast as the DMA controller takes it; a seek or recalibrate ends 100 us after it was
//   given, whatever its length. Rotation is not timed: the sector whose ID passes under the head
//   next is the one after the last sector touched (READ ID sees the disk turn).
// - Motors: a command does not wait for the drive's motor (DOR bits 4-7 are only stored).
// - INT is not gated by the DOR's DMA gate bit (as in the 82077AA's PS/2 mode, and in QEMU):
//   SeaBIOS takes the controller out of reset with the gate closed and waits for the reset
//   interrupt.
// - The medium can only be what its image is (fixed format, 512-byte sectors, no deleted-data
//   marks): FORMAT TRACK fills the sectors the image has with the fill byte; WRITE DELETED DATA
//   writes the data without the mark; a data rate other than the medium's finds no address marks.
// - Reset (DOR, DSR or hardware) forgets the present cylinder numbers (the heads stay where they
//   are: software must recalibrate), and always raises the polling interrupt, with ST0 = C0h-C3h
//   for the four SENSE INTERRUPT STATUS that follow.

import type { Device, DeviceState, IrqLine, PortBus, PortSize } from "../machine/device.ts";
import type { DmaDevice, Dma8237Pair } from "./dma8237.ts";
import { RATE_250K, type FloppyDrive, type FloppyDriveState } from "./floppy-drive.ts";

export const FDC_DMA_CHANNEL = 2;
export const FDC_IRQ = 6;
const BASE = 0x3f0;
const SECTOR = 512;
/** Guest time from the last command byte to the start of a data command, and for a seek. */
const COMMAND_NS = 100_000;

// DOR.
const DOR_SELECT = 0x03;
const DOR_NRESET = 0x04;
const DOR_DMA_GATE = 0x08;

// MSR.
const MSR_RQM = 0x80;
const MSR_DIO = 0x40;
const MSR_NON_DMA = 0x20;
const MSR_CB = 0x10;

// Status register bits.
const ST0_ABNORMAL = 0x40;
const ST0_INVALID = 0x80;
const ST0_POLLED = 0xc0;
const ST0_SEEK_END = 0x20;
const ST0_EQUIPMENT = 0x10;
const ST1_EN = 0x80; // end of cylinder
const ST1_DE = 0x20; // data error
const ST1_ND = 0x04; // no data (sector not found)
const ST1_NW = 0x02; // not writable
const ST1_MA = 0x01; // missing address mark
const ST2_CM = 0x40; // control mark (deleted data)
const ST2_DD = 0x20; // data error in the data field
const ST2_WC = 0x10; // wrong cylinder
const ST3_WP = 0x40;
const ST3_READY = 0x20;
const ST3_T0 = 0x10;
const ST3_TWO_SIDE = 0x08;

type Op = "read" | "read-deleted" | "write" | "write-deleted" | "read-track" | "verify" | "format" | "read-id"
  | "specify" | "sense-drive" | "recalibrate" | "sense-interrupt" | "seek" | "version" | "dumpreg" | "configure"
  | "lock" | "perpendicular";

/** The command set: the first byte matches `value` under `mask`; `length` bytes in all. */
const COMMANDS: readonly { mask: number; value: number; length: number; op: Op }[] = [
  { mask: 0x1f, value: 0x06, length: 9, op: "read" }, // MT MFM SK 0 0 1 1 0
  { mask: 0x1f, value: 0x0c, length: 9, op: "read-deleted" },
  { mask: 0x3f, value: 0x05, length: 9, op: "write" }, // MT MFM 0 0 0 1 0 1
  { mask: 0x3f, value: 0x09, length: 9, op: "write-deleted" },
  { mask: 0x9f, value: 0x02, length: 9, op: "read-track" }, // 0 MFM SK 0 0 0 1 0
  { mask: 0x1f, value: 0x16, length: 9, op: "verify" },
  { mask: 0xbf, value: 0x0d, length: 6, op: "format" }, // 0 MFM 0 0 1 1 0 1
  { mask: 0xbf, value: 0x0a, length: 2, op: "read-id" },
  { mask: 0xff, value: 0x03, length: 3, op: "specify" },
  { mask: 0xff, value: 0x04, length: 2, op: "sense-drive" },
  { mask: 0xff, value: 0x07, length: 2, op: "recalibrate" },
  { mask: 0xff, value: 0x08, length: 1, op: "sense-interrupt" },
  { mask: 0x3f, value: 0x0f, length: 3, op: "seek" }, // RS DIR 0 0 1 1 1 1
  { mask: 0xff, value: 0x10, length: 1, op: "version" },
  { mask: 0xff, value: 0x0e, length: 1, op: "dumpreg" },
  { mask: 0xff, value: 0x13, length: 4, op: "configure" },
  { mask: 0x7f, value: 0x14, length: 1, op: "lock" },
  { mask: 0xff, value: 0x12, length: 2, op: "perpendicular" },
];

type Phase = "command" | "execution" | "result";

/** A data command in its execution phase. */
interface Transfer {
  op: Op;
  drive: number;
  /** The side the head reads (HDS of the command, then flipped by multi-track). */
  side: number;
  c: number; h: number; r: number; n: number;
  eot: number;
  multiTrack: boolean;
  skip: boolean;
  st0: number; st1: number; st2: number;
  /** The current sector's bytes and how many have moved; -1: not loaded yet. */
  pos: number;
  /** FORMAT: sectors left to format, the fill byte. */
  formatLeft: number;
  fill: number;
  /** VERIFY with EC = 1: sectors left. */
  verifyLeft: number;
  /** READ TRACK: the command's sector number, and whether its ID was seen. */
  wantR: number;
  matched: boolean;
}

interface FdcState {
  dor: number; tdr: number; rate: number; precomp: number;
  phase: Phase; command: number[]; result: number[]; resultPos: number; int: boolean;
  sense: { st0: number; pcn: number }[]; pcn: number[];
  srt: number; hut: number; hlt: number; nonDma: boolean;
  eis: boolean; fifoDisabled: boolean; pollDisabled: boolean; fifoThreshold: number; pretrk: number; lock: boolean;
  perpendicular: number; eot: number;
  seekDue: (number | null)[]; seekStatus: number[]; execDue: number | null;
  transfer: Transfer | null; buffer: number[]; drives: (FloppyDriveState | null)[];
}

export class Fdc82077 implements Device, DmaDevice {
  readonly name = "82077AA floppy controller";
  private dor = 0;
  private tdr = 0;
  private rate = RATE_250K;
  private precomp = 0;
  private phase: Phase = "command";
  private command: number[] = [];
  private result: number[] = [];
  private resultPos = 0;
  private int = false;
  /** Interrupt statuses waiting for SENSE INTERRUPT STATUS (after reset and seeks). */
  private sense: { st0: number; pcn: number }[] = [];
  /** Present cylinder number of each drive, as the controller counts steps. */
  private pcn = [0, 0, 0, 0];
  private srt = 0; private hut = 0; private hlt = 0; private nonDma = false;
  private eis = false; private fifoDisabled = true; private pollDisabled = false;
  private fifoThreshold = 0; private pretrk = 0; private lock = false;
  /** PERPENDICULAR MODE: D3-D0 << 2 | GAP << 1 | WGATE. */
  private perpendicular = 0;
  /** The last EOT given (DUMPREG's SC/EOT byte). */
  private eot = 0;
  /** When each drive's seek ends (guest ns), and the ST0 it will report. */
  private seekDue: number[] = [Infinity, Infinity, Infinity, Infinity];
  private seekStatus = [0, 0, 0, 0];
  /** When the data command in `command` starts. */
  private execDue = Infinity;
  private transfer: Transfer | undefined;
  private readonly buffer = new Uint8Array(SECTOR);
  /** FORMAT TRACK: the ID (C, H, R, N) being received. */
  private formatIdBytes = [0, 0, 0, 0];

  /**
   * `drives[n]`: drive n (0-3) or undefined when absent. `clock`: guest time in ns. The DMA pair
   * serves channel 2.
   */
  constructor(private readonly irq: IrqLine, private readonly dma: Dma8237Pair, private readonly clock: () => number,
    readonly drives: (FloppyDrive | undefined)[] = []) {
    dma.connect(FDC_DMA_CHANNEL, this);
  }

  attach(bus: PortBus): void {
    bus.register(this, BASE, 6, (p, size) => this.widen(this.readPort(p), size), (p, v) => this.writePort(p, v & 0xff));
    bus.register(this, BASE + 7, 1, (p, size) => this.widen(this.readPort(p), size), (p, v) => this.writePort(p, v & 0xff));
  }

  private widen(byte: number, size: PortSize): number {
    return size === 1 ? byte : size === 2 ? 0xff00 | byte : (0xffffff00 | byte) >>> 0;
  }

  /** Hardware reset: the DOR holds the controller in reset until software sets /RESET. */
  reset(): void {
    this.dor = 0;
    this.tdr = 0;
    this.rate = RATE_250K;
    this.precomp = 0;
    this.lock = false;
    this.srt = this.hut = this.hlt = 0;
    this.nonDma = false;
    this.perpendicular = 0;
    this.softwareReset();
    this.sense = [];
    this.setInt(false);
    for (const d of this.drives) d?.reset();
  }

  /** DOR or DSR reset: the command state and, unless locked, the FIFO settings. */
  private softwareReset(): void {
    this.dma.setRequest(FDC_DMA_CHANNEL, false);
    this.transfer = undefined;
    this.phase = "command";
    this.command = [];
    this.result = [];
    this.resultPos = 0;
    this.execDue = Infinity;
    this.seekDue.fill(Infinity);
    this.pcn.fill(0);
    this.eis = false;
    this.pollDisabled = false;
    if (!this.lock) { this.fifoDisabled = true; this.fifoThreshold = 0; this.pretrk = 0; }
    this.perpendicular &= 0x3c; // GAP and WGATE clear; the drive bits stay
    this.setInt(false);
  }

  /** Leaving reset: the controller polls the four drives and interrupts (ST0 = C0h + drive). */
  private leaveReset(): void {
    this.sense = [0, 1, 2, 3].map((d) => ({ st0: ST0_POLLED | d, pcn: 0 }));
    this.setInt(true);
  }

  private setInt(on: boolean): void {
    this.int = on;
    this.irq.set(on);
  }

  // ---- registers -----------------------------------------------------------------------------

  private readPort(port: number): number {
    switch (port - BASE) {
      case 2: return this.dor;
      case 3: return 0xfc | this.tdr;
      case 4: return this.msr();
      case 5: return this.readFifo();
      case 7: {
        const d = this.drives[this.dor & DOR_SELECT];
        return (d?.changed ? 0x80 : 0) | 0x7f;
      }
      default: return 0xff; // SRA/SRB: PS/2 mode only
    }
  }

  private writePort(port: number, v: number): void {
    switch (port - BASE) {
      case 2: this.writeDor(v); return;
      case 3: this.tdr = v & 0x03; return;
      case 4:
        this.rate = v & 0x03;
        this.precomp = (v >> 2) & 0x07;
        if (v & 0x80) { this.softwareReset(); if (this.dor & DOR_NRESET) this.leaveReset(); }
        return;
      case 5: this.writeFifo(v); return;
      case 7: this.rate = v & 0x03; return;
      default: return;
    }
  }

  private writeDor(v: number): void {
    const was = this.dor;
    this.dor = v;
    if (!(v & DOR_NRESET)) { if (was & DOR_NRESET) this.softwareReset(); return; }
    if (!(was & DOR_NRESET)) { this.softwareReset(); this.leaveReset(); return; }
    // The DMA gate drives DRQ: a transfer waiting for it may go on now.
    if ((v ^ was) & DOR_DMA_GATE) this.updateRequest();
  }

  private msr(): number {
    if (!(this.dor & DOR_NRESET)) return 0;
    let busy = 0;
    for (let d = 0; d < 4; d++) if (this.seekDue[d] !== Infinity) busy |= 1 << d;
    switch (this.phase) {
      case "command": return MSR_RQM | (this.command.length ? MSR_CB : 0) | busy;
      case "result": return MSR_RQM | MSR_DIO | MSR_CB | busy;
      case "execution": {
        const t = this.transfer;
        if (!t || t.pos < 0 || !this.nonDma) return MSR_CB | busy;
        return MSR_RQM | MSR_NON_DMA | MSR_CB | (this.writes(t.op) ? 0 : MSR_DIO) | busy;
      }
    }
  }

  private readFifo(): number {
    if (this.phase === "result") {
      this.setInt(false);
      const v = this.result[this.resultPos++];
      if (this.resultPos >= this.result.length) { this.phase = "command"; this.result = []; this.resultPos = 0; }
      return v;
    }
    const t = this.transfer;
    if (this.phase === "execution" && t && this.nonDma && t.pos >= 0 && !this.writes(t.op)) {
      this.setInt(false);
      const v = this.buffer[t.pos++];
      if (t.pos >= SECTOR) this.sectorDone(t, false);
      else this.setInt(true);
      return v;
    }
    return 0xff;
  }

  private writeFifo(v: number): void {
    if (!(this.dor & DOR_NRESET)) return;
    if (this.phase === "execution") {
      const t = this.transfer;
      if (t && this.nonDma && t.pos >= 0 && this.writes(t.op)) {
        this.setInt(false);
        this.accept(t, Uint8Array.of(v), false);
      }
      return;
    }
    if (this.phase !== "command") return;
    this.command.push(v);
    const def = COMMANDS.find((c) => (this.command[0] & c.mask) === c.value);
    if (!def) { this.finish([ST0_INVALID], false); return; }
    if (this.command.length < def.length) return;
    this.execute(def.op);
  }

  /** Enter the result phase with `bytes` (interrupting, for the commands that do). */
  private finish(bytes: number[], interrupt: boolean): void {
    this.command = [];
    this.transfer = undefined;
    this.dma.setRequest(FDC_DMA_CHANNEL, false);
    if (bytes.length) { this.phase = "result"; this.result = bytes; this.resultPos = 0; } else this.phase = "command";
    if (interrupt) this.setInt(true);
  }

  // ---- commands ------------------------------------------------------------------------------

  private execute(op: Op): void {
    const b = this.command;
    const ds = b[1] & 3;
    switch (op) {
      case "specify":
        this.srt = b[1] >> 4; this.hut = b[1] & 0x0f; this.hlt = b[2] >> 1; this.nonDma = (b[2] & 1) !== 0;
        this.finish([], false);
        return;
      case "sense-drive": {
        const d = this.drives[ds];
        const head = (b[1] >> 2) & 1;
        const st3 = (d && d.writeProtected ? ST3_WP : 0) | ST3_READY | (d && d.track === 0 ? ST3_T0 : 0) | ST3_TWO_SIDE | (head << 2) | ds;
        this.finish([st3], false);
        return;
      }
      case "recalibrate": case "seek": {
        this.command = [];
        this.phase = "command";
        const d = this.drives[ds];
        let st0 = ST0_SEEK_END | (b[1] & 7);
        if (op === "recalibrate") {
          st0 &= ~4;
          // Up to 79 step pulses outward, until the drive says track 0.
          if (d) d.step(-Math.min(d.track, 79));
          if (!d || d.track !== 0) st0 |= ST0_ABNORMAL | ST0_EQUIPMENT;
          this.pcn[ds] = 0;
        } else {
          let target = b[2];
          if (b[0] & 0x80) target = b[0] & 0x40 ? Math.min(255, this.pcn[ds] + b[2]) : Math.max(0, this.pcn[ds] - b[2]);
          d?.step(target - this.pcn[ds]);
          this.pcn[ds] = target;
        }
        this.seekStatus[ds] = st0;
        this.seekDue[ds] = this.clock() + COMMAND_NS;
        return;
      }
      case "sense-interrupt": {
        const s = this.sense.shift();
        if (!s) { this.finish([ST0_INVALID], false); return; }
        this.setInt(false);
        this.finish([s.st0, s.pcn], false);
        return;
      }
      case "version": this.finish([0x90], false); return;
      case "dumpreg":
        this.finish([...this.pcn, (this.srt << 4) | this.hut, (this.hlt << 1) | (this.nonDma ? 1 : 0), this.eot,
          (this.lock ? 0x80 : 0) | this.perpendicular, this.configByte(), this.pretrk], false);
        return;
      case "configure":
        this.eis = (b[2] & 0x40) !== 0;
        this.fifoDisabled = (b[2] & 0x20) !== 0;
        this.pollDisabled = (b[2] & 0x10) !== 0;
        this.fifoThreshold = b[2] & 0x0f;
        this.pretrk = b[3];
        this.finish([], false);
        return;
      case "lock":
        this.lock = (b[0] & 0x80) !== 0;
        this.finish([this.lock ? 0x10 : 0x00], false);
        return;
      case "perpendicular":
        this.perpendicular = (b[1] & 0x80 ? (b[1] & 0x3c) : (this.perpendicular & 0x3c)) | (b[1] & 0x03);
        this.finish([], false);
        return;
      default:
        // Data commands run after a while (head load, the sector coming round).
        this.phase = "execution";
        this.execDue = this.clock() + COMMAND_NS;
        return;
    }
  }

  private configByte(): number {
    return (this.eis ? 0x40 : 0) | (this.fifoDisabled ? 0x20 : 0) | (this.pollDisabled ? 0x10 : 0) | this.fifoThreshold;
  }

  private writes(op: Op): boolean {
    return op === "write" || op === "write-deleted" || op === "format";
  }

  /** The data command's execution phase begins: check the drive and medium, then move data. */
  private start(): void {
    const b = this.command;
    const op = COMMANDS.find((c) => (b[0] & c.mask) === c.value)!.op;
    const ds = b[1] & 3, side = (b[1] >> 2) & 1;
    const d = this.drives[ds];
    let st0 = (b[1] & 7);
    const fail = (st1: number, st2 = 0, chrn = [b[2], b[3], b[4], b[5]]) =>
      this.finish([st0 | ST0_ABNORMAL, st1, st2, ...chrn], true);
    if (op === "read-id") {
      if (!d || this.rate !== d.format.rate || !d.formatted(side)) { fail(ST1_MA, 0, [this.pcn[ds], side, 0, 2]); return; }
      const id = d.readId(side);
      this.finish([st0, 0, 0, id.c, id.h, id.r, id.n], true);
      return;
    }
    if (op === "format") {
      if (!d) { fail(ST1_MA, 0, [this.pcn[ds], side, 0, b[2]]); return; }
      if (d.writeProtected) { fail(ST1_NW, 0, [this.pcn[ds], side, 0, b[2]]); return; }
      this.eot = b[3];
      this.transfer = {
        op, drive: ds, side, c: this.pcn[ds], h: side, r: 0, n: b[2], eot: b[3], multiTrack: false, skip: false,
        st0, st1: 0, st2: 0, pos: 0, formatLeft: b[3], fill: b[5], verifyLeft: 0, wantR: 0, matched: true,
      };
      if (this.nonDma) this.setInt(true);
      else this.updateRequest();
      return;
    }
    this.eot = b[6];
    if (this.eis && d && b[2] !== this.pcn[ds]) {
      // Implied seek: to the command's cylinder first.
      d.step(b[2] - this.pcn[ds]);
      this.pcn[ds] = b[2];
      st0 |= ST0_SEEK_END;
    }
    if (!d || this.rate !== d.format.rate) { fail(ST1_MA); return; }
    if (this.writes(op) && d.writeProtected) { fail(ST1_NW); return; }
    const t: Transfer = {
      op, drive: ds, side, c: b[2], h: b[3], r: op === "read-track" ? 1 : b[4], n: b[5], eot: b[6],
      multiTrack: op !== "read-track" && (b[0] & 0x80) !== 0, skip: (b[0] & 0x20) !== 0 && !this.writes(op),
      st0, st1: 0, st2: 0, pos: -1, formatLeft: 0, fill: 0, verifyLeft: op === "verify" && b[1] & 0x80 ? b[8] : 0,
      wantR: b[4], matched: false,
    };
    this.transfer = t;
    if (op === "verify") { this.verify(t); return; }
    this.nextSector(t);
  }

  /**
   * Find the sector the transfer is at and load it (reads) or get ready for its data (writes).
   * Ends the command when the sector is not there.
   */
  private nextSector(t: Transfer): void {
    const d = this.drives[t.drive]!;
    for (;;) {
      if (!d.formatted(t.side)) { this.end(t, ST1_MA); return; }
      if (t.op === "read-track") {
        if (t.c === d.track && t.h === t.side && t.n === 2 && t.wantR === t.r) t.matched = true;
      } else {
        const idThere = t.h === t.side && t.n === 2 && d.hasSector(t.side, t.r);
        if (t.c !== d.track || !idThere) { this.end(t, ST1_ND, t.c !== d.track ? ST2_WC : 0); return; }
      }
      const r = t.r;
      if (t.op === "read-deleted" && t.skip) {
        // Every sector here holds normal data: READ DELETED DATA with SK skips them all.
        if (!this.advance(t)) return;
        continue;
      }
      if (this.writes(t.op)) { t.pos = 0; break; }
      try { d.readSector(t.side, r, this.buffer); } catch { this.end(t, ST1_DE, ST2_DD); return; }
      if (t.op === "read-deleted") t.st2 |= ST2_CM;
      t.pos = 0;
      break;
    }
    if (this.nonDma) this.setInt(true);
    else this.updateRequest();
  }

  /** DRQ: a transfer's data phase with the DMA gate open. */
  private updateRequest(): void {
    const t = this.transfer;
    const on = !!t && t.pos >= 0 && !this.nonDma && (this.dor & DOR_DMA_GATE) !== 0;
    this.dma.setRequest(FDC_DMA_CHANNEL, on);
  }

  /** The DMA controller serves our request: move the current sector's bytes (and on to the next). */
  dmaService(): void {
    for (let guard = 0; guard < 1 << 16; guard++) {
      const t = this.transfer;
      if (!t || t.pos < 0 || this.phase !== "execution") return;
      if (t.op === "format") {
        const id = new Uint8Array(4);
        const r = this.dma.transfer(FDC_DMA_CHANNEL, id, 0, 4 - t.pos);
        this.formatId(t, id.subarray(0, r.count), r.tc);
        if (r.count === 0 && !r.tc) return;
        continue;
      }
      const before = t.pos;
      const r = this.dma.transfer(FDC_DMA_CHANNEL, this.buffer, t.pos, SECTOR - t.pos);
      t.pos += r.count;
      if (this.writes(t.op) && r.tc && t.pos < SECTOR) { this.buffer.fill(0, t.pos); t.pos = SECTOR; }
      if (t.pos >= SECTOR || r.tc) this.sectorDone(t, r.tc);
      else if (t.pos === before) return; // the channel stopped: wait for it
    }
  }

  /** Non-DMA write: one byte from the FIFO. */
  private accept(t: Transfer, bytes: Uint8Array, tc: boolean): void {
    if (t.op === "format") { this.formatId(t, bytes, tc); return; }
    this.buffer.set(bytes, t.pos);
    t.pos += bytes.length;
    if (t.pos >= SECTOR) this.sectorDone(t, tc);
    else this.setInt(true);
  }

  /** FORMAT TRACK: ID bytes (C, H, R, N per sector) arrive; each complete ID formats its sector. */
  private formatId(t: Transfer, bytes: Uint8Array, tc: boolean): void {
    for (const v of bytes) {
      this.formatIdBytes[t.pos++] = v;
      if (t.pos < 4) continue;
      t.pos = 0;
      const [, , r, n] = this.formatIdBytes;
      const d = this.drives[t.drive]!;
      t.r = r; t.n = n;
      if (n === 2 && d.hasSector(t.side, r)) {
        this.buffer.fill(t.fill);
        try { d.writeSector(t.side, r, this.buffer); } catch { this.end(t, ST1_DE); return; }
      }
      if (--t.formatLeft === 0) break;
    }
    if (t.formatLeft === 0 || tc) {
      this.finish([t.st0, t.st1, t.st2, this.pcn[t.drive], t.side, t.r, t.n], true);
      return;
    }
    if (this.nonDma) this.setInt(true);
  }

  /** A sector's bytes have all moved (or TC came): write it out, then go on or end. */
  private sectorDone(t: Transfer, tc: boolean): void {
    const d = this.drives[t.drive]!;
    if (this.writes(t.op)) {
      try { d.writeSector(t.side, t.r, this.buffer); } catch { this.end(t, ST1_DE); return; }
    }
    t.pos = -1;
    const last = t.op === "read-deleted" && !t.skip; // a normal-data sector ends READ DELETED DATA
    if (!this.advance(t, tc || last)) return;
    this.nextSector(t);
  }

  /**
   * Move the ID to the next sector: R + 1, or past EOT to sector 1 of the other side (multi-track
   * on side 0) or of the next cylinder. Ends the command (and returns false) at terminal count
   * (normal termination) or past EOT (end of cylinder).
   */
  private advance(t: Transfer, stop = false): boolean {
    const d = this.drives[t.drive]!;
    let endOfCylinder = false;
    if (t.r === t.eot || (t.op === "read-track" && t.r >= d.format.sectors)) {
      t.r = 1;
      if (t.multiTrack) t.h ^= 1;
      if (t.multiTrack && t.side === 0) t.side = 1;
      else {
        if (t.multiTrack) t.side = 0;
        t.c++;
        endOfCylinder = true;
      }
    } else t.r++;
    if (stop) { this.end(t, 0); return false; }
    if (endOfCylinder) { this.end(t, ST1_EN); return false; }
    return true;
  }

  /** End a data command: normal termination when `st1` (and `st2`) are 0. */
  private end(t: Transfer, st1: number, st2 = 0): void {
    t.st1 |= st1;
    t.st2 |= st2;
    if (t.op === "read-track" && !t.matched) t.st1 |= ST1_ND;
    const abnormal = t.st1 !== 0 || (t.st2 & ~ST2_CM) !== 0;
    const st0 = (t.st0 & ~4) | (t.side << 2) | (abnormal ? ST0_ABNORMAL : 0);
    this.finish([st0, t.st1, t.st2, t.c & 0xff, t.h & 0xff, t.r & 0xff, t.n & 0xff], true);
  }

  /** VERIFY: the sectors are read (their CRC checked) without moving data. */
  private verify(t: Transfer): void {
    const d = this.drives[t.drive]!;
    for (;;) {
      if (!d.formatted(t.side)) { this.end(t, ST1_MA); return; }
      if (t.c !== d.track || t.h !== t.side || t.n !== 2 || !d.hasSector(t.side, t.r)) {
        this.end(t, ST1_ND, t.c !== d.track ? ST2_WC : 0);
        return;
      }
      try { d.readSector(t.side, t.r, this.buffer); } catch { this.end(t, ST1_DE, ST2_DD); return; }
      const counted = t.verifyLeft > 0;
      if (counted && --t.verifyLeft === 0) { this.advance(t, true); return; }
      if (!counted && t.r === t.eot && !(t.multiTrack && t.side === 0)) { this.advance(t, true); return; }
      if (!this.advance(t)) return;
    }
  }

  // ---- time ----------------------------------------------------------------------------------

  nextEvent(_now: number): number {
    return Math.min(this.execDue, ...this.seekDue);
  }

  runUntil(now: number): void {
    for (let d = 0; d < 4; d++) {
      if (this.seekDue[d] > now) continue;
      this.seekDue[d] = Infinity;
      this.sense.push({ st0: this.seekStatus[d], pcn: this.pcn[d] });
      this.setInt(true);
    }
    if (this.execDue <= now) {
      this.execDue = Infinity;
      this.start();
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  saveState(): DeviceState {
    const s: FdcState = {
      dor: this.dor, tdr: this.tdr, rate: this.rate, precomp: this.precomp, phase: this.phase, command: [...this.command],
      result: [...this.result], resultPos: this.resultPos, int: this.int, sense: this.sense.map((x) => ({ ...x })), pcn: [...this.pcn],
      srt: this.srt, hut: this.hut, hlt: this.hlt, nonDma: this.nonDma, eis: this.eis, fifoDisabled: this.fifoDisabled,
      pollDisabled: this.pollDisabled, fifoThreshold: this.fifoThreshold, pretrk: this.pretrk, lock: this.lock,
      perpendicular: this.perpendicular, eot: this.eot,
      seekDue: this.seekDue.map((t) => (t === Infinity ? null : t)), seekStatus: [...this.seekStatus],
      execDue: this.execDue === Infinity ? null : this.execDue, transfer: this.transfer ? { ...this.transfer } : null,
      buffer: Array.from(this.buffer), drives: this.drives.map((d) => d?.saveState() ?? null),
    };
    return { ...s, formatIdBytes: [...this.formatIdBytes] };
  }

  loadState(state: DeviceState): void {
    const s = state as unknown as FdcState & { formatIdBytes: number[] };
    this.dor = s.dor; this.tdr = s.tdr; this.rate = s.rate; this.precomp = s.precomp; this.phase = s.phase;
    this.command = [...s.command]; this.result = [...s.result]; this.resultPos = s.resultPos;
    this.sense = s.sense.map((x) => ({ ...x })); this.pcn = [...s.pcn];
    this.srt = s.srt; this.hut = s.hut; this.hlt = s.hlt; this.nonDma = s.nonDma; this.eis = s.eis;
    this.fifoDisabled = s.fifoDisabled; this.pollDisabled = s.pollDisabled; this.fifoThreshold = s.fifoThreshold;
    this.pretrk = s.pretrk; this.lock = s.lock; this.perpendicular = s.perpendicular; this.eot = s.eot;
    this.seekDue = s.seekDue.map((t) => t ?? Infinity); this.seekStatus = [...s.seekStatus];
    this.execDue = s.execDue ?? Infinity; this.transfer = s.transfer ? { ...s.transfer } : undefined;
    this.buffer.set(s.buffer); this.formatIdBytes = [...s.formatIdBytes];
    s.drives.forEach((d, i) => { if (d) this.drives[i]?.loadState(d); });
    this.setInt(s.int);
  }
}
