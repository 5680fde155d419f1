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
export { PC } from "./machine/pc.ts";
export type { PcOptions, MachineStop } from "./machine/pc.ts";
export { PortBus } from "./machine/device.ts";
export type { Device, DeviceState, IrqLine, SerialSink, Screen, PortSize } from "./machine/device.ts";
export { loadLinux, parseBzImage } from "./boot/linux.ts";
export { loadMultiboot, findMultibootHeader } from "./boot/multiboot.ts";
export { FileDisk } from "./devices/file-disk.ts";
export { MemoryBlockDevice } from "./devices/block-device.ts";
export type { BlockDevice } from "./devices/block-device.ts";
