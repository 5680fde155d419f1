// Where `emu run -debugcon DEST` sends the bytes guests write to the debug console ports (0xE9,
// and 0x402 where SeaBIOS logs), with QEMU's chardev names: `stdio` (emu's stderr here: stdout
// carries COM1), `file:PATH`, `null`. Output is written a line at a time.

import { closeSync, openSync, writeSync } from "node:fs";
import type { SerialSink } from "./machine/device.ts";
import { UserError } from "./errors.ts";

export interface Debugcon extends SerialSink {
  /** Write out what is buffered and release the file. */
  close(): void;
}

export function openDebugcon(spec: string): Debugcon {
  if (spec === "null" || spec === "none") return { write() {}, close() {} };
  let fd: number;
  let owned = false;
  if (spec === "stdio" || spec === "stderr") {
    fd = 2;
  } else if (spec.startsWith("file:") && spec.length > 5) {
    const path = spec.slice(5);
    try {
      fd = openSync(path, "w");
    } catch (e) {
      throw new UserError(`emu: -debugcon: cannot create ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    owned = true;
  } else {
    throw new UserError(`emu: -debugcon ${spec}: expected stdio, file:PATH or null`);
  }
  const pending: number[] = [];
  const flush = () => {
    if (pending.length) writeSync(fd, Buffer.from(pending));
    pending.length = 0;
  };
  return {
    write(byte: number) {
      pending.push(byte);
      if (byte === 0x0a || pending.length >= 4096) flush();
    },
    close() {
      flush();
      if (owned) closeSync(fd);
    },
  };
}
