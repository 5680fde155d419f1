// `emu rom`: run a firmware/test ROM on a bare CPU with the debug ports of QEMU and Bochs:
// 0xE9 (debugcon: bytes to stdout), 0x80 (POST codes), 0xF4 (isa-debug-exit).

import { readFileSync, statSync } from "node:fs";
import { Cpu, StopReason, type PortIO } from "./cpu/cpu.ts";
import { UserError } from "./errors.ts";
import { PC } from "./machine/pc.ts";
import type { BlockDevice } from "./devices/block-device.ts";

export interface RomOptions {
  /** Another port whose writes are shown as POST codes, besides 0x80. */
  postPort?: number;
  maxInstructions?: number;
  ramBytes?: number;
  /** Called for every guest byte written to port 0xE9. */
  onOutput?: (bytes: Uint8Array) => void;
  /** Called with each POST code, and the instructions retired before the OUT that wrote it. */
  onPost?: (code: number, port: number, instructions: number) => void;
  /** Called before every instruction (slow: steps one instruction at a time). */
  onTrace?: (cpu: Cpu) => void;
  debugCore?: boolean;
  /**
   * Run the ROM as the firmware of the whole PC (its chips on their ports: PICs, PIT, DMA, the
   * floppy controller with these diskettes, ...) instead of on a bare CPU.
   */
  machine?: { floppies?: { fda?: BlockDevice; fdb?: BlockDevice } };
}

export type RomStop = "exit-port" | "halted" | "instruction-limit" | "triple-fault";

export interface RomResult {
  stop: RomStop;
  /** Exit status: (value << 1) | 1 for a write to port 0xF4, else 0 (halt), 3 (triple fault), 124 (limit). */
  exitStatus: number;
  exitValue?: number;
  lastPost?: number;
  instructions: number;
  seconds: number;
  message: string;
}

export function loadRomImage(path: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new UserError(`emu rom: cannot open ${path}: no such file`);
  }
  if (size !== 65536 && size !== 131072) {
    throw new UserError(`emu rom: ${path} is ${size} bytes; a ROM image must be 64 KiB (65536) or 128 KiB (131072)`);
  }
  return new Uint8Array(readFileSync(path));
}

export async function runRom(image: Uint8Array, opts: RomOptions = {}): Promise<RomResult> {
  if (opts.machine) return runRomOnPc(image, opts);
  const ramBytes = opts.ramBytes ?? 32 << 20;
  const cpu = await Cpu.create({ ramBytes, romBytes: image.length, debug: opts.debugCore });
  // The same bytes below 1 MiB and below 4 GiB, as a PC chipset decodes the BIOS.
  const host = cpu.mapRom(0x100000 - image.length, image);
  cpu.mapRom(0x100000000 - image.length, image, host);
  cpu.reset();

  let exitValue: number | undefined;
  let lastPost: number | undefined;
  const out: number[] = [];
  const flush = () => {
    if (out.length) { opts.onOutput?.(Uint8Array.from(out)); out.length = 0; }
  };
  const io: PortIO = {
    in: (port) => (port === 0xe9 ? 0xe9 : 0xffffffff),
    out: (port, size, value) => {
      if (port === 0xe9) {
        out.push(value & 0xff);
        if (out.length >= 4096) flush();
      } else if (port === 0x80 || port === opts.postPort) {
        lastPost = value & 0xff;
        flush();
        opts.onPost?.(lastPost, port, cpu.instructionCount);
      } else if (port === 0xf4 && exitValue === undefined) {
        exitValue = value & (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff);
        cpu.requestStop();
      }
    },
  };
  cpu.io = io;

  const max = opts.maxInstructions ?? Number.MAX_SAFE_INTEGER;
  const started = process.hrtime.bigint();
  let stop: RomStop = "instruction-limit";
  let message = "";
  for (;;) {
    const left = max - cpu.instructionCount;
    if (left <= 0) { stop = "instruction-limit"; message = `instruction limit of ${max} reached`; break; }
    let reason: StopReason;
    if (opts.onTrace) { opts.onTrace(cpu); reason = cpu.step(); }
    // Slices of 64K instructions: wasm has no on-stack replacement, so a long call would stay in
    // V8's baseline tier; between slices the optimized code takes over.
    else reason = cpu.run(Math.min(left, 1 << 16));
    if (exitValue !== undefined) { stop = "exit-port"; message = `exit port 0xf4 written with 0x${exitValue.toString(16)}`; break; }
    if (reason === StopReason.Shutdown) {
      stop = "triple-fault";
      message = `triple fault (shutdown) at ${hex4(cpu.segment(1).selector)}:${hex4(cpu.eip)}, last exception vector ${cpu.lastVector}`;
      break;
    }
    if (reason === StopReason.Halted) {
      stop = "halted";
      message = cpu.interruptsEnabled
        ? `HLT with interrupts enabled at ${hex4(cpu.segment(1).selector)}:${hex4(cpu.eip)}, and no device that could wake the CPU`
        : `HLT with interrupts disabled at ${hex4(cpu.segment(1).selector)}:${hex4(cpu.eip)}`;
      break;
    }
  }
  flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const exitStatus = stop === "exit-port" ? ((exitValue! << 1) | 1) & 0xff : stop === "halted" ? 0 : stop === "triple-fault" ? 3 : 124;
  return { stop, exitStatus, exitValue, lastPost, instructions: cpu.instructionCount, seconds, message };
}

function hex4(v: number): string { return v.toString(16).padStart(4, "0"); }

/** The ROM as the PC's firmware: every device present; HLT waits for their interrupts. */
async function runRomOnPc(image: Uint8Array, opts: RomOptions): Promise<RomResult> {
  if (opts.onTrace) throw new UserError("emu rom: --trace runs on the bare CPU only (not with devices)");
  const out: number[] = [];
  const flush = () => {
    if (out.length) { opts.onOutput?.(Uint8Array.from(out)); out.length = 0; }
  };
  let lastPost: number | undefined;
  const pc = await PC.create({
    memoryMiB: (opts.ramBytes ?? 32 << 20) >> 20,
    firmware: { image },
    floppies: opts.machine?.floppies,
    debugCore: opts.debugCore,
    debugConsole: { write: (b) => { out.push(b); if (out.length >= 4096) flush(); } },
    onPost: (code) => { lastPost = code; flush(); opts.onPost?.(code, 0x80, pc.cpu.instructionCount); },
  });
  const max = opts.maxInstructions ?? Number.MAX_SAFE_INTEGER;
  const started = process.hrtime.bigint();
  const stop = await pc.run({ until: () => pc.cpu.instructionCount >= max });
  flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const at = `${hex4(pc.cpu.segment(1).selector)}:${hex4(pc.cpu.eip)}`;
  const instructions = pc.cpu.instructionCount;
  const base = { lastPost, instructions, seconds };
  switch (stop.kind) {
    case "exit-port":
      return { ...base, stop: "exit-port", exitStatus: ((stop.value << 1) | 1) & 0xff, exitValue: stop.value, message: `exit port 0xf4 written with 0x${stop.value.toString(16)}` };
    case "triple-fault":
      return { ...base, stop: "triple-fault", exitStatus: 3, message: `triple fault (shutdown) at ${at}, last exception vector ${pc.cpu.lastVector}` };
    case "poweroff":
      return { ...base, stop: "halted", exitStatus: 0, message: `HLT at ${at} with interrupts disabled, or with nothing left that could interrupt` };
    case "reset":
      return { ...base, stop: "halted", exitStatus: 0, message: `the ROM reset the machine at ${at}` };
    default:
      return { ...base, stop: "instruction-limit", exitStatus: 124, message: `instruction limit of ${max} reached` };
  }
}
