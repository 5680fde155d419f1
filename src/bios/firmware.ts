// A standard BIOS image for `emu run -bios FILE` (SeaBIOS's bios.bin, say) and the VGA BIOS that
// goes with it, checked the way QEMU checks them (hw/i386/x86.c: the size must be a non-zero
// multiple of 64 KiB; the VGA BIOS is looked up by name in the firmware directory).

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { UserError } from "../errors.ts";

/** The largest image mapped below 4 GiB (QEMU's pflash limit; the top 16 MiB hold nothing else here). */
export const FIRMWARE_MAX_BYTES = 16 << 20;
const FIRMWARE_GRANULE = 64 << 10;
/** The VGA BIOS QEMU gives its standard VGA (`-vga std`). */
export const STDVGA_BIOS_NAME = "vgabios-stdvga.bin";

/** Throw a UserError unless `image` (read from `path`) can be mapped as a BIOS. */
export function checkFirmwareImage(path: string, image: Uint8Array): void {
  if (image.length === 0) throw new UserError(`emu: BIOS image ${path} is empty (0 bytes)`);
  if (image.length % FIRMWARE_GRANULE !== 0) {
    throw new UserError(`emu: BIOS image ${path} is ${image.length} bytes, not a multiple of 64 KiB`);
  }
  if (image.length > FIRMWARE_MAX_BYTES) {
    throw new UserError(`emu: BIOS image ${path} is ${image.length} bytes, more than the 16 MiB mapped below 4 GiB`);
  }
}

/**
 * Where the VGA BIOS for a `-bios` machine is: vgabios-stdvga.bin in `dataDir` (-L) when given,
 * else beside the BIOS image (Debian's seabios package installs both in /usr/share/seabios).
 * Returns the path it looked at and whether the file is there.
 */
export function findVgaBios(biosPath: string, dataDir?: string): { path: string; found: boolean } {
  const path = join(dataDir ?? dirname(biosPath), STDVGA_BIOS_NAME);
  return { path, found: existsSync(path) };
}
