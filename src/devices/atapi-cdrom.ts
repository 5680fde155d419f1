// A read-only CD/DVD-ROM drive's command set: the SCSI Multimedia Commands that arrive in ATAPI
// PACKET commands (ata.ts carries them), answered from an ISO image.
//
// Sources: SCSI Primary Commands (SPC-3, T10/1416-D): INQUIRY (6.4, standard data and the
// Supported VPD Pages page), REQUEST SENSE (6.27, fixed-format sense data 4.5.3), TEST UNIT
// READY (6.33), the unit attention condition (5.9.7) and the sense keys and additional sense
// codes (4.5.6, annex D). Multi-Media Commands (MMC-3, T10/1363-D, and SFF-8090 "Mt. Fuji"):
// READ(10)/(12), READ CAPACITY, READ TOC/PMA/ATIP formats 0 (TOC) and 1 (session
// information, also selected by the legacy format field in byte 9), READ DISC INFORMATION,
// MODE SENSE(10) with the Read Error Recovery (01h) and CD/DVD Capabilities and Mechanical
// Status (2Ah) pages, GET CONFIGURATION (the Profile List, Core, Morphing, Removable Medium
// and Random Readable features), GET EVENT STATUS NOTIFICATION (polled, media class), START
// STOP UNIT (eject and load), PREVENT ALLOW MEDIUM REMOVAL, SEEK(10).
//
// Where this model chooses:
// - The medium is an ISO image of 2048-byte blocks (a trailing partial block is not readable).
//   A disc of more than 360,000 blocks (80 minutes of CD) is a DVD-ROM (profile 0010h),
//   otherwise a CD-ROM (0008h), with one data track in one complete session.
// - Power-on and resets post the unit attention 29h/00h; loading the tray posts 28h/00h and a
//   NEW MEDIA event. Mode pages have no changeable fields and no saved values (39h/00h).
// - Not implemented (ILLEGAL REQUEST, 20h/00h): audio, READ CD (raw sectors), DVD structures,
//   MODE SELECT, writing, changers.

import type { BlockDevice } from "./block-device.ts";
import { SECTOR_SIZE } from "./block-device.ts";

export const CD_BLOCK = 2048;
/** 80 minutes of 75 blocks per second: larger media are reported as DVD-ROM. */
const CD_MAX_BLOCKS = 80 * 60 * 75;

// Sense keys (SPC-3 4.5.6).
export const SENSE_NONE = 0x0;
export const SENSE_NOT_READY = 0x2;
export const SENSE_MEDIUM_ERROR = 0x3;
export const SENSE_ILLEGAL_REQUEST = 0x5;
export const SENSE_UNIT_ATTENTION = 0x6;

// Additional sense code and qualifier pairs (asc << 8 | ascq).
export const ASC_INVALID_OPCODE = 0x2000;
export const ASC_LBA_OUT_OF_RANGE = 0x2100;
export const ASC_INVALID_FIELD_IN_CDB = 0x2400;
export const ASC_MEDIUM_MAY_HAVE_CHANGED = 0x2800;
export const ASC_POWER_ON_RESET = 0x2900;
export const ASC_SAVING_NOT_SUPPORTED = 0x3900;
export const ASC_MEDIUM_NOT_PRESENT = 0x3a00;
export const ASC_MEDIUM_NOT_PRESENT_TRAY_OPEN = 0x3a02;
export const ASC_UNRECOVERED_READ_ERROR = 0x1100;
export const ASC_MEDIUM_REMOVAL_PREVENTED = 0x5302;

// Operation codes.
const TEST_UNIT_READY = 0x00;
const REQUEST_SENSE = 0x03;
const INQUIRY = 0x12;
const START_STOP_UNIT = 0x1b;
const PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1e;
const READ_CAPACITY = 0x25;
const READ_10 = 0x28;
const SEEK_10 = 0x2b;
const READ_TOC = 0x43;
const GET_CONFIGURATION = 0x46;
const GET_EVENT_STATUS_NOTIFICATION = 0x4a;
const READ_DISC_INFORMATION = 0x51;
const MODE_SENSE_10 = 0x5a;
const READ_12 = 0xa8;

/** Commands that run even while a unit attention is pending (SPC-3 5.9.7, MMC-3 4.1.6). */
const ALLOWED_UNDER_UNIT_ATTENTION = new Set([INQUIRY, REQUEST_SENSE, GET_CONFIGURATION, GET_EVENT_STATUS_NOTIFICATION]);

/** Mode pages. */
const PAGE_READ_ERROR_RECOVERY = 0x01;
const PAGE_CAPABILITIES = 0x2a;
const PAGE_ALL = 0x3f;

/** MMC profiles. */
const PROFILE_CD_ROM = 0x0008;
const PROFILE_DVD_ROM = 0x0010;

/**
 * What a command asks of the transport: a status, and for data-in commands the bytes to send —
 * either `data` (a reply built here), or `length` bytes of medium starting at block `lba`.
 * `length` never exceeds what the command's allocation length allows.
 */
export interface ScsiResult {
  good: boolean;
  data?: Uint8Array;
  lba?: number;
  length: number;
}

export interface Sense { key: number; asc: number }

interface CdromSnapshot {
  sense: Sense; unitAttention: number; trayOpen: boolean; locked: boolean; newMedia: boolean;
}

export interface CdromIdentity {
  vendor?: string;
  product?: string;
  revision?: string;
}

export class AtapiCdrom {
  /** The sense data the next REQUEST SENSE returns (SPC-3 fixed format, 4.5.3). */
  sense: Sense = { key: SENSE_NONE, asc: 0 };
  /** A pending unit attention (asc << 8 | ascq), or 0. */
  unitAttention = 0;
  trayOpen = false;
  /** PREVENT ALLOW MEDIUM REMOVAL's state: the tray stays shut. */
  locked = false;
  /** A NEW MEDIA event is waiting for GET EVENT STATUS NOTIFICATION. */
  newMedia = false;
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;

  constructor(readonly medium: BlockDevice | undefined, id: CdromIdentity = {}) {
    this.vendor = id.vendor ?? "EMU";
    this.product = id.product ?? "EMU DVD-ROM";
    this.revision = id.revision ?? "1.0";
    this.reset();
  }

  /** Power-on or a reset (ATA SRST, DEVICE RESET): state cleared, the unit attention posted. */
  reset(): void {
    this.sense = { key: SENSE_NONE, asc: 0 };
    this.unitAttention = ASC_POWER_ON_RESET;
    this.locked = false;
  }

  /** Blocks on the medium (0 without one). */
  get capacity(): number {
    return this.medium ? Math.floor(this.medium.sectorCount * SECTOR_SIZE / CD_BLOCK) : 0;
  }

  private get mediumPresent(): boolean {
    return !this.trayOpen && this.capacity > 0;
  }

  private get profile(): number {
    if (!this.mediumPresent) return 0;
    return this.capacity > CD_MAX_BLOCKS ? PROFILE_DVD_ROM : PROFILE_CD_ROM;
  }

  /** Copy block `lba` of the medium into `dst` (2048 bytes). Throws on an I/O error. */
  readBlock(lba: number, dst: Uint8Array): void {
    const per = CD_BLOCK / SECTOR_SIZE;
    for (let i = 0; i < per; i++) this.medium!.readSector(lba * per + i, dst.subarray(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE));
  }

  /** End a transfer that failed to read the medium: MEDIUM ERROR, unrecovered read error. */
  readFailed(): void {
    this.sense = { key: SENSE_MEDIUM_ERROR, asc: ASC_UNRECOVERED_READ_ERROR };
  }

  // ---- commands -------------------------------------------------------------------------------

  /** Execute the command descriptor block `cdb` (12 bytes). */
  execute(cdb: Uint8Array): ScsiResult {
    const op = cdb[0];
    if (op !== REQUEST_SENSE) this.sense = { key: SENSE_NONE, asc: 0 };
    if (this.unitAttention && !ALLOWED_UNDER_UNIT_ATTENTION.has(op)) {
      const asc = this.unitAttention;
      this.unitAttention = 0;
      return this.check(SENSE_UNIT_ATTENTION, asc);
    }
    switch (op) {
      case TEST_UNIT_READY: return this.ready() ?? this.good();
      case REQUEST_SENSE: return this.requestSense(cdb);
      case INQUIRY: return this.inquiry(cdb);
      case START_STOP_UNIT: return this.startStop(cdb);
      case PREVENT_ALLOW_MEDIUM_REMOVAL:
        this.locked = (cdb[4] & 1) !== 0;
        return this.good();
      case READ_CAPACITY: return this.ready() ?? this.reply(be32s(this.capacity - 1, CD_BLOCK), 8);
      case READ_10: return this.read(be32(cdb, 2), be16(cdb, 7));
      case READ_12: return this.read(be32(cdb, 2), be32(cdb, 6));
      case SEEK_10: return this.ready() ?? (be32(cdb, 2) < this.capacity ? this.good() : this.check(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE));
      case READ_TOC: return this.ready() ?? this.readToc(cdb);
      case READ_DISC_INFORMATION: return this.ready() ?? this.discInformation(cdb);
      case MODE_SENSE_10: return this.modeSense(cdb);
      case GET_CONFIGURATION: return this.configuration(cdb);
      case GET_EVENT_STATUS_NOTIFICATION: return this.eventStatus(cdb);
    }
    return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
  }

  private good(): ScsiResult {
    return { good: true, length: 0 };
  }

  private check(key: number, asc: number): ScsiResult {
    this.sense = { key, asc };
    return { good: false, length: 0 };
  }

  /** `data` cut to the allocation length. */
  private reply(data: Uint8Array, allocation: number): ScsiResult {
    const length = Math.min(data.length, allocation);
    return { good: true, data: data.subarray(0, length), length };
  }

  /** NOT READY when there is no medium to work on, else undefined. */
  private ready(): ScsiResult | undefined {
    if (this.mediumPresent) return undefined;
    return this.check(SENSE_NOT_READY, this.trayOpen ? ASC_MEDIUM_NOT_PRESENT_TRAY_OPEN : ASC_MEDIUM_NOT_PRESENT);
  }

  private requestSense(cdb: Uint8Array): ScsiResult {
    // A unit attention not yet reported is reported (and cleared) here.
    let sense = this.sense;
    if (sense.key === SENSE_NONE && this.unitAttention) {
      sense = { key: SENSE_UNIT_ATTENTION, asc: this.unitAttention };
      this.unitAttention = 0;
    }
    if (sense.key === SENSE_NONE && !this.mediumPresent) {
      sense = { key: SENSE_NOT_READY, asc: this.trayOpen ? ASC_MEDIUM_NOT_PRESENT_TRAY_OPEN : ASC_MEDIUM_NOT_PRESENT };
    }
    const d = new Uint8Array(18);
    d[0] = 0x70; // current error, fixed format (the INFORMATION field is not valid)
    d[2] = sense.key;
    d[7] = 10; // additional sense length
    d[12] = sense.asc >> 8;
    d[13] = sense.asc & 0xff;
    this.sense = { key: SENSE_NONE, asc: 0 };
    return this.reply(d, cdb[4]);
  }

  private inquiry(cdb: Uint8Array): ScsiResult {
    const allocation = be16(cdb, 3);
    if (cdb[1] & 1) {
      // Vital product data: only the list of supported pages.
      if (cdb[2] !== 0x00) return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
      return this.reply(Uint8Array.of(0x05, 0x00, 0x00, 0x01, 0x00), allocation);
    }
    if (cdb[2] !== 0) return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    const d = new Uint8Array(36);
    d[0] = 0x05; // peripheral device type: CD/DVD
    d[1] = 0x80; // removable medium
    d[2] = 0x00; // version: no standard claimed (ATAPI devices report 0)
    d[3] = 0x02; // response data format 2
    d[4] = 36 - 5; // additional length
    putAscii(d, 8, 8, this.vendor);
    putAscii(d, 16, 16, this.product);
    putAscii(d, 32, 4, this.revision);
    return this.reply(d, allocation);
  }

  private startStop(cdb: Uint8Array): ScsiResult {
    const start = (cdb[4] & 1) !== 0;
    const loadEject = (cdb[4] & 2) !== 0;
    if (cdb[4] & 0xf0 || !loadEject) return this.good(); // power conditions, spin up/down: nothing to do
    if (!start) {
      if (this.locked) return this.check(SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
      this.trayOpen = true;
    } else if (this.trayOpen) {
      this.trayOpen = false;
      if (this.capacity > 0) {
        this.newMedia = true;
        this.unitAttention = ASC_MEDIUM_MAY_HAVE_CHANGED;
      }
    }
    return this.good();
  }

  private read(lba: number, blocks: number): ScsiResult {
    const notReady = this.ready();
    if (notReady) return notReady;
    if (lba + blocks > this.capacity) return this.check(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
    return { good: true, lba, length: blocks * CD_BLOCK };
  }

  /** A block address as READ TOC gives it: LBA, or MSF (minute, second, frame; 2 s of lead-in). */
  private address(lba: number, msf: boolean): number[] {
    if (!msf) return [(lba >>> 24) & 0xff, (lba >>> 16) & 0xff, (lba >>> 8) & 0xff, lba & 0xff];
    const f = lba + 150;
    return [0, Math.floor(f / 4500), Math.floor(f / 75) % 60, f % 75];
  }

  private readToc(cdb: Uint8Array): ScsiResult {
    const msf = (cdb[1] & 2) !== 0;
    const format = cdb[2] & 0x0f || cdb[9] >> 6; // MMC's field, or SFF-8020's in byte 9
    const allocation = be16(cdb, 7);
    const DATA_TRACK = 0x14; // ADR 1 (Q sub-channel position), control 4 (data, copy prohibited)
    if (format === 0) {
      const track = cdb[6];
      if (track > 1 && track !== 0xaa) return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
      const descriptors: number[] = [];
      if (track <= 1) descriptors.push(0, DATA_TRACK, 1, 0, ...this.address(0, msf));
      descriptors.push(0, DATA_TRACK, 0xaa, 0, ...this.address(this.capacity, msf)); // the lead-out
      const d = Uint8Array.from([0, 0, 1, 1, ...descriptors]);
      d[0] = (d.length - 2) >> 8;
      d[1] = (d.length - 2) & 0xff;
      return this.reply(d, allocation);
    }
    if (format === 1) {
      // One complete session; its first track starts at block 0.
      return this.reply(Uint8Array.from([0, 10, 1, 1, 0, DATA_TRACK, 1, 0, ...this.address(0, msf)]), allocation);
    }
    return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
  }

  private discInformation(cdb: Uint8Array): ScsiResult {
    if (cdb[1] & 7) return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB); // only standard disc information
    const d = new Uint8Array(34);
    d[1] = 32; // disc information length
    d[2] = 0x0e; // last session complete, disc complete (not erasable)
    d[3] = 1; // first track on disc
    d[4] = 1; // sessions
    d[5] = 1; // first track in last session
    d[6] = 1; // last track in last session
    d[7] = 0x20; // unrestricted use
    d[8] = 0x00; // disc type: CD-DA or CD-ROM
    d.fill(0xff, 16, 24); // no next session: last lead-in start and lead-out addresses unused
    return this.reply(d, be16(cdb, 7));
  }

  private modeSense(cdb: Uint8Array): ScsiResult {
    const control = cdb[2] >> 6;
    const code = cdb[2] & 0x3f;
    if (control === 3) return this.check(SENSE_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED);
    const changeable = control === 1; // nothing is: every field reads 0
    const pages: number[][] = [];
    if (code === PAGE_READ_ERROR_RECOVERY || code === PAGE_ALL) {
      pages.push([PAGE_READ_ERROR_RECOVERY, 10, 0, changeable ? 0 : 5, 0, 0, 0, 0, 0, 0, 0, 0]);
    }
    if (code === PAGE_CAPABILITIES || code === PAGE_ALL) {
      const p = new Array<number>(22).fill(0);
      p[0] = PAGE_CAPABILITIES;
      p[1] = 20;
      if (!changeable) {
        p[2] = 0x0b; // reads CD-R, CD-RW and DVD-ROM media
        p[6] = 0x29 | (this.locked ? 0x02 : 0); // tray loading, eject, lock (and its state)
        p[8] = 706 >> 8; p[9] = 706 & 0xff; // maximum read speed (kB/s): 4x
        p[14] = 706 >> 8; p[15] = 706 & 0xff; // current read speed
      }
      pages.push(p);
    }
    if (!pages.length) return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    const body = pages.flat();
    const d = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, ...body]); // header, no block descriptors
    d[0] = (d.length - 2) >> 8;
    d[1] = (d.length - 2) & 0xff;
    return this.reply(d, be16(cdb, 7));
  }

  private configuration(cdb: Uint8Array): ScsiResult {
    const rt = cdb[1] & 3;
    const first = be16(cdb, 2);
    if (rt === 3) return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    const present = this.mediumPresent;
    const profile = this.profile;
    // Features: code, version, persistent, current, data.
    const features: [number, number, boolean, boolean, number[]][] = [
      [0x0000, 0, true, true, [PROFILE_DVD_ROM >> 8, PROFILE_DVD_ROM & 0xff, profile === PROFILE_DVD_ROM ? 1 : 0, 0,
        PROFILE_CD_ROM >> 8, PROFILE_CD_ROM & 0xff, profile === PROFILE_CD_ROM ? 1 : 0, 0]],
      [0x0001, 0, true, true, [0, 0, 0, 2, 0, 0, 0, 0]], // Core: physical interface ATAPI
      [0x0002, 0, true, true, [0, 0, 0, 0]], // Morphing: polled events only
      [0x0003, 0, true, true, [0x29, 0, 0, 0]], // Removable Medium: tray, eject, lock
      [0x0010, 0, false, present, [0, 0, CD_BLOCK >> 8, 0, 0, profile === PROFILE_DVD_ROM ? 16 : 1, 0, 0]], // Random Readable
    ];
    const out: number[] = [];
    for (const [code, version, persistent, current, data] of features) {
      if (rt === 2 ? code !== first : code < first) continue;
      if (rt === 1 && !current) continue;
      out.push(code >> 8, code & 0xff, (version << 2) | (persistent ? 2 : 0) | (current ? 1 : 0), data.length, ...data);
    }
    const d = Uint8Array.from([0, 0, 0, 0, 0, 0, profile >> 8, profile & 0xff, ...out]);
    const length = d.length - 4;
    d[0] = length >>> 24; d[1] = (length >>> 16) & 0xff; d[2] = (length >>> 8) & 0xff; d[3] = length & 0xff;
    return this.reply(d, be16(cdb, 7));
  }

  private eventStatus(cdb: Uint8Array): ScsiResult {
    if (!(cdb[1] & 1)) return this.check(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB); // asynchronous mode
    const MEDIA_CLASS = 4;
    const supported = 1 << MEDIA_CLASS;
    let d: Uint8Array;
    if (cdb[4] & supported) {
      const event = this.newMedia && !this.trayOpen ? 2 : 0; // NEW MEDIA, or no change
      this.newMedia = false;
      const status = (this.trayOpen ? 1 : 0) | (this.mediumPresent ? 2 : 0);
      d = Uint8Array.of(0, 6, MEDIA_CLASS, supported, event, status, 0, 0);
    } else {
      d = Uint8Array.of(0, 2, 0x80, supported); // no event available in the classes asked for
    }
    return this.reply(d, be16(cdb, 7));
  }

  // ---- state ----------------------------------------------------------------------------------

  saveState(): CdromSnapshot {
    return { sense: { ...this.sense }, unitAttention: this.unitAttention, trayOpen: this.trayOpen, locked: this.locked, newMedia: this.newMedia };
  }

  loadState(s: CdromSnapshot): void {
    this.sense = { ...s.sense };
    this.unitAttention = s.unitAttention;
    this.trayOpen = s.trayOpen;
    this.locked = s.locked;
    this.newMedia = s.newMedia;
  }
}

function be16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function be32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Big-endian 32-bit values, one after the other. */
function be32s(...values: number[]): Uint8Array {
  const d = new Uint8Array(4 * values.length);
  values.forEach((v, i) => { d[4 * i] = v >>> 24; d[4 * i + 1] = (v >>> 16) & 0xff; d[4 * i + 2] = (v >>> 8) & 0xff; d[4 * i + 3] = v & 0xff; });
  return d;
}

function putAscii(d: Uint8Array, at: number, length: number, text: string): void {
  const s = text.slice(0, length).padEnd(length, " ");
  for (let i = 0; i < length; i++) d[at + i] = s.charCodeAt(i);
}
