// A diskette drive and its medium: the standard PC formats (160 KiB to 2.88 MiB), the head's
// position, the disk change line and the write-protect sensor. The floppy controller
// (fdc82077.ts) steps the head and reads and writes sectors here; the built-in BIOS's INT 13h
// (src/bios/disk.ts) uses the same format table for its geometry.
//
// A raw image holds the sectors in the order cylinder, head, sector (sector numbers from 1), every
// sector 512 bytes (size code N = 2), as `dd` of a real diskette gives them. Every track of the
// medium carries the ID fields C = physical track, H = side, R = 1..sectors per track, N = 2.
//
// Facts used: the drive types of the PC/AT CMOS (register 10h) and of INT 13h AH=08h (Ralf
// Brown's Interrupt List), the data rates of the media (the 82077AA data sheet's DSR/CCR rate
// table: DD 5.25" and 3.5" media at 250 kb/s, HD media at 500 kb/s, ED media at 1 Mb/s), and the
// drives' track counts (40-track 5.25" drives, 80-track otherwise).

import { SECTOR_SIZE, type BlockDevice } from "./block-device.ts";

/** Data rate codes as the controller's DSR and CCR take them. */
export const RATE_500K = 0;
export const RATE_300K = 1;
export const RATE_250K = 2;
export const RATE_1M = 3;

/** A standard diskette format: its geometry, drive type (CMOS and INT 13h) and data rate. */
export interface FloppyFormat {
  kb: number;
  cylinders: number;
  heads: number;
  sectors: number;
  /** 1 = 360 KiB 5.25", 2 = 1.2 MiB 5.25", 3 = 720 KiB 3.5", 4 = 1.44 MiB 3.5", 5 = 2.88 MiB 3.5". */
  driveType: number;
  /** The data rate code the medium is recorded at. */
  rate: number;
}

export const FLOPPY_FORMATS: readonly FloppyFormat[] = [
  { kb: 160, cylinders: 40, heads: 1, sectors: 8, driveType: 1, rate: RATE_250K },
  { kb: 180, cylinders: 40, heads: 1, sectors: 9, driveType: 1, rate: RATE_250K },
  { kb: 320, cylinders: 40, heads: 2, sectors: 8, driveType: 1, rate: RATE_250K },
  { kb: 360, cylinders: 40, heads: 2, sectors: 9, driveType: 1, rate: RATE_250K },
  { kb: 720, cylinders: 80, heads: 2, sectors: 9, driveType: 3, rate: RATE_250K },
  { kb: 1200, cylinders: 80, heads: 2, sectors: 15, driveType: 2, rate: RATE_500K },
  { kb: 1440, cylinders: 80, heads: 2, sectors: 18, driveType: 4, rate: RATE_500K },
  { kb: 1680, cylinders: 80, heads: 2, sectors: 21, driveType: 4, rate: RATE_500K }, // DMF
  { kb: 2880, cylinders: 80, heads: 2, sectors: 36, driveType: 5, rate: RATE_1M },
];

/** The floppy format of an image of `sectorCount` sectors, or undefined if it is no standard size. */
export function floppyFormat(sectorCount: number): FloppyFormat | undefined {
  return FLOPPY_FORMATS.find((f) => f.kb * 2 === sectorCount);
}

/** The sizes accepted, for messages: "160, 180, ..., 2880 KiB". */
export const FLOPPY_SIZES_TEXT = FLOPPY_FORMATS.map((f) => f.kb).join(", ") + " KiB";

/** One sector's ID field. */
export interface SectorId { c: number; h: number; r: number; n: number }

export interface FloppyDriveState { track: number; changed: boolean; nextSector: number }

/** A drive with a medium in it (the machine's drives always hold the image they were given). */
export class FloppyDrive {
  readonly format: FloppyFormat;
  /** The head's physical track (0 = the outermost). */
  track = 0;
  /** The disk change line: set at power-on and when a disk is inserted, cleared by a step pulse with a disk in. */
  changed = true;
  /** The sector whose ID passes under the head next (the disk turns on as sectors go by). */
  nextSector = 1;
  /** The drive's last track: 40-track 5.25" drives step to 41, 80-track drives to 83. */
  readonly maxTrack: number;

  constructor(readonly media: BlockDevice) {
    const f = floppyFormat(media.sectorCount);
    if (!f) throw new RangeError(`a diskette image of ${media.sectorCount * SECTOR_SIZE} bytes is no standard size (${FLOPPY_SIZES_TEXT})`);
    this.format = f;
    this.maxTrack = f.cylinders <= 40 ? 41 : 83;
  }

  get writeProtected(): boolean { return this.media.readOnly; }

  /** Step the head `steps` tracks outward (negative) or inward; it stops at track 0 and at the last track. */
  step(steps: number): void {
    if (steps !== 0) this.changed = false;
    this.track = Math.max(0, Math.min(this.maxTrack, this.track + steps));
  }

  /** Whether side `head` of the current track is formatted (has ID fields) in the medium. */
  formatted(head: number): boolean {
    return head < this.format.heads && this.track < this.format.cylinders;
  }

  /** The ID of the sector passing under the head on side `head`, and the disk turns to the next one. */
  readId(head: number): SectorId {
    const id = { c: this.track, h: head, r: this.nextSector, n: 2 };
    this.nextSector = (this.nextSector % this.format.sectors) + 1;
    return id;
  }

  /** The image offset (in sectors) of sector `r` of side `head` on the current track. */
  private lba(head: number, r: number): number {
    const f = this.format;
    return (this.track * f.heads + head) * f.sectors + r - 1;
  }

  /** Whether sector `r` exists on side `head` of the current track. */
  hasSector(head: number, r: number): boolean {
    return this.formatted(head) && r >= 1 && r <= this.format.sectors;
  }

  /** Read sector `r` of side `head` of the current track into `dst`; the disk turns past it. */
  readSector(head: number, r: number, dst: Uint8Array): void {
    this.media.readSector(this.lba(head, r), dst);
    this.nextSector = (r % this.format.sectors) + 1;
  }

  /** Write sector `r` of side `head` of the current track. */
  writeSector(head: number, r: number, src: Uint8Array): void {
    this.media.writeSector(this.lba(head, r), src);
    this.nextSector = (r % this.format.sectors) + 1;
  }

  /** Power-on: the head where it was, the change line set (no step since the disk went in). */
  reset(): void {
    this.changed = true;
    this.nextSector = 1;
  }

  saveState(): FloppyDriveState { return { track: this.track, changed: this.changed, nextSector: this.nextSector }; }
  loadState(s: FloppyDriveState): void {
    this.track = s.track;
    this.changed = s.changed;
    this.nextSector = s.nextSector;
  }
}
