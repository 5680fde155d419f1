// Block devices: what a disk controller (ata.ts) reads and writes sectors from.
//
// The interface is synchronous because port I/O is: a guest's IN from the data register must be
// answered before the CPU goes on. A file-backed device uses synchronous file calls (Node) or a
// synchronous access handle (browser OPFS); this file has the in-memory one, for tests and for
// images loaded whole.

/** Bytes per sector. */
export const SECTOR_SIZE = 512;

export interface BlockDevice {
  /** Number of 512-byte sectors. */
  readonly sectorCount: number;
  /** Writes are refused by the controller (an ATA write command aborts). */
  readonly readOnly: boolean;
  /** Copy sector `lba` into `dst[0..512)`. Throws on an I/O error or an address out of range. */
  readSector(lba: number, dst: Uint8Array): void;
  /** Write `src[0..512)` to sector `lba`. Throws on an I/O error or an address out of range. */
  writeSector(lba: number, src: Uint8Array): void;
  /** Make written data durable (ATA FLUSH CACHE). */
  flush(): void;
}

export interface MemoryBlockDeviceOptions {
  readOnly?: boolean;
}

/** A disk held in memory. */
export class MemoryBlockDevice implements BlockDevice {
  readonly data: Uint8Array;
  readonly sectorCount: number;
  readonly readOnly: boolean;
  /** How many times flush() was called. */
  flushes = 0;

  /**
   * `image`: the disk's bytes (used in place when a whole number of sectors, otherwise copied
   * and zero-padded to the next sector), or a size in sectors for a blank disk.
   */
  constructor(image: Uint8Array | number, options: MemoryBlockDeviceOptions = {}) {
    if (typeof image === "number") {
      this.data = new Uint8Array(image * SECTOR_SIZE);
    } else if (image.length % SECTOR_SIZE === 0) {
      this.data = image;
    } else {
      this.data = new Uint8Array(Math.ceil(image.length / SECTOR_SIZE) * SECTOR_SIZE);
      this.data.set(image);
    }
    this.sectorCount = this.data.length / SECTOR_SIZE;
    this.readOnly = options.readOnly ?? false;
  }

  private offset(lba: number): number {
    if (!Number.isInteger(lba) || lba < 0 || lba >= this.sectorCount) {
      throw new RangeError(`sector ${lba} is outside the disk (${this.sectorCount} sectors)`);
    }
    return lba * SECTOR_SIZE;
  }

  readSector(lba: number, dst: Uint8Array): void {
    const at = this.offset(lba);
    dst.set(this.data.subarray(at, at + SECTOR_SIZE));
  }

  writeSector(lba: number, src: Uint8Array): void {
    if (this.readOnly) throw new Error("the disk is read-only");
    const at = this.offset(lba);
    this.data.set(src.subarray(0, SECTOR_SIZE), at);
  }

  flush(): void {
    this.flushes++;
  }
}
