// emu as a library: the CPU core, the ROM runner and the conformance runner.
export { Cpu, Reg, Seg, StopReason, REG_NAMES, SEG_NAMES } from "./cpu/cpu.ts";
export type { CpuOptions, PortIO, MmioHandler, InterruptSource, SegmentState } from "./cpu/cpu.ts";
export { disassemble, disassembleBytes } from "./cpu/disasm.ts";
export type { Decoded } from "./cpu/disasm.ts";
export { runRom, loadRomImage } from "./rom-runner.ts";
export type { RomOptions, RomResult, RomStop } from "./rom-runner.ts";
export { runSsts, runOne, formatReport } from "./conformance/ssts.ts";
export type { SstsReport, SstsOptions, ExceptionsFile, Difference } from "./conformance/ssts.ts";
export { UserError } from "./errors.ts";
