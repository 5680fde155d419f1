// The built-in BIOS image (bios/bios.asm, assembled into dist/bios.bin by `npm run build`) and
// the directory at F000:FF00 through which the services find the ROM's tables.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.ts";

export const BIOS_ROM_SIZE = 0x10000;
const DIRECTORY = 0xff00;
const SIGNATURE = "EMUBIOS";

export interface RomDirectory {
  version: number;
  hypercallPort: number;
  /** F000 offsets. */
  configTable: number;
  videoStatic: number;
  font8x16: number;
  font8x8: number;
  disketteParams: number;
}

/** Read the directory; throws when `rom` is not emu's BIOS. */
export function readRomDirectory(rom: Uint8Array): RomDirectory {
  if (rom.length !== BIOS_ROM_SIZE) throw new Error(`the BIOS image is ${rom.length} bytes, expected ${BIOS_ROM_SIZE}`);
  const sig = String.fromCharCode(...rom.subarray(DIRECTORY, DIRECTORY + 7));
  if (sig !== SIGNATURE) throw new Error("the BIOS image has no EMUBIOS directory at F000:FF00");
  const w = (o: number) => rom[DIRECTORY + o] | (rom[DIRECTORY + o + 1] << 8);
  return {
    version: rom[DIRECTORY + 7],
    hypercallPort: w(8),
    configTable: w(10),
    videoStatic: w(12),
    font8x16: w(14),
    font8x8: w(16),
    disketteParams: w(18),
  };
}

/** Where `npm run build` puts the ROM: dist/bios.bin beside the bundled CLI. */
export function builtinBiosPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/cli.js (bundled) or src/bios/rom.ts (run from source).
  return here.endsWith("dist") ? join(here, "bios.bin") : join(here, "..", "..", "dist", "bios.bin");
}

/** The built-in BIOS image, or a UserError saying how to build it. */
export function loadBuiltinBios(path = builtinBiosPath()): Uint8Array {
  if (!existsSync(path)) throw new UserError(`emu: the built-in BIOS is not built (${path} is missing): run \`npm run build\``);
  return new Uint8Array(readFileSync(path));
}
