#!/usr/bin/env node
// v86 (the npm package) as a benchmark peer: boots a disk, or a Linux kernel and initrd, with
// Debian's SeaBIOS and puts COM1's output on stdout, byte by byte as the guest writes it.
//
//   node benchmarks/peers/v86.mjs [--no-jit] [-m MIB] -hda DISK
//   node benchmarks/peers/v86.mjs [--no-jit] [-m MIB] -kernel BZIMAGE -initrd INITRD -append CMDLINE
//
// Runs until killed. --no-jit passes v86's `disable_jit: true` (its interpreter alone).
import { readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { SEABIOS } from "../lib/peers.mjs";

function image(path) {
  const b = readFileSync(path);
  return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) };
}

async function main(argv) {
  const opt = { jit: true, mib: 128 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-jit") opt.jit = false;
    else if (a === "-m") opt.mib = Number(argv[++i]);
    else if (a === "-hda") opt.hda = argv[++i];
    else if (a === "-kernel") opt.kernel = argv[++i];
    else if (a === "-initrd") opt.initrd = argv[++i];
    else if (a === "-append") opt.append = argv[++i];
    else throw new Error(`v86 peer: unknown argument ${a}`);
  }
  const { V86 } = await import("v86");
  const wasm = join(dirname(createRequire(import.meta.url).resolve("v86")), "v86.wasm");
  const emulator = new V86({
    wasm_path: wasm,
    bios: image(SEABIOS.bios),
    vga_bios: image(SEABIOS.vga),
    memory_size: opt.mib << 20,
    hda: opt.hda ? image(opt.hda) : undefined,
    bzimage: opt.kernel ? image(opt.kernel) : undefined,
    initrd: opt.initrd ? image(opt.initrd) : undefined,
    cmdline: opt.append,
    disable_jit: !opt.jit,
    autostart: true,
    log_level: 0,
  });
  emulator.add_listener("serial0-output-byte", (b) => { writeSync(1, Buffer.of(b)); });
}

await main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
});
