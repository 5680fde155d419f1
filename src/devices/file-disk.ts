// A disk image file as a BlockDevice (Node): sectors are read and written in place with
// synchronous file calls, and fsync'd on the guest's FLUSH CACHE and when emu exits. A file that
// cannot be opened for writing is attached read-only (the guest sees a write-protected disk);
// `snapshot` keeps every write in memory and leaves the file untouched (QEMU's -snapshot).

import { openSync, closeSync, readSync, writeSync, fsyncSync, fstatSync, constants, accessSync } from "node:fs";
import { SECTOR_SIZE, type BlockDevice } from "./block-device.ts";
import { UserError } from "../errors.ts";

export interface FileDiskOptions {
  readOnly?: boolean;
  snapshot?: boolean;
}

export class FileDisk implements BlockDevice {
  readonly sectorCount: number;
  readonly readOnly: boolean;
  private fd: number;
  private readonly overlay = new Map<number, Uint8Array>();
  private dirty = false;

  constructor(readonly path: string, private readonly opts: FileDiskOptions = {}) {
    let writable = !opts.readOnly && !opts.snapshot;
    if (writable) {
      try { accessSync(path, constants.W_OK); } catch { writable = false; }
    }
    try {
      this.fd = openSync(path, writable ? "r+" : "r");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EISDIR" ? "it is a directory" : code ?? (e as Error).message;
      throw new UserError(`emu: cannot open disk image ${path}: ${why}`);
    }
    const st = fstatSync(this.fd);
    if (!st.isFile()) { closeSync(this.fd); throw new UserError(`emu: disk image ${path} is not a regular file`); }
    if (st.size === 0) { closeSync(this.fd); throw new UserError(`emu: disk image ${path} is empty (0 bytes)`); }
    if (st.size % SECTOR_SIZE !== 0) {
      closeSync(this.fd);
      throw new UserError(`emu: disk image ${path} is ${st.size} bytes, not a whole number of 512-byte sectors`);
    }
    this.sectorCount = st.size / SECTOR_SIZE;
    // With -snapshot the guest may write (into memory); a file we cannot write is write-protected,
    // and so is one attached read-only on purpose, snapshot or not.
    this.readOnly = Boolean(opts.readOnly) || (!writable && !opts.snapshot);
  }

  readSector(lba: number, dst: Uint8Array): void {
    if (lba < 0 || lba >= this.sectorCount) throw new RangeError(`sector ${lba} is beyond the end of ${this.path}`);
    const o = this.overlay.get(lba);
    if (o) { dst.set(o); return; }
    const n = readSync(this.fd, dst, 0, SECTOR_SIZE, lba * SECTOR_SIZE);
    if (n !== SECTOR_SIZE) throw new Error(`short read of sector ${lba} from ${this.path}`);
  }

  writeSector(lba: number, src: Uint8Array): void {
    if (this.readOnly) throw new Error(`${this.path} is read-only`);
    if (lba < 0 || lba >= this.sectorCount) throw new RangeError(`sector ${lba} is beyond the end of ${this.path}`);
    if (this.opts.snapshot) { this.overlay.set(lba, Uint8Array.from(src.subarray(0, SECTOR_SIZE))); return; }
    const n = writeSync(this.fd, src, 0, SECTOR_SIZE, lba * SECTOR_SIZE);
    if (n !== SECTOR_SIZE) throw new Error(`short write of sector ${lba} to ${this.path}`);
    this.dirty = true;
  }

  flush(): void {
    if (this.dirty) { fsyncSync(this.fd); this.dirty = false; }
  }

  /** Flush and close (at exit). */
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
