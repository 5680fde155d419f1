// The TypeScript face of the WebAssembly CPU core (emulator-core/).
// State lives in the core's linear memory at offsets the core itself exports
// (emulator-core/layout.ts); this class reads and writes it through typed views.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const enum Reg { EAX = 0, ECX, EDX, EBX, ESP, EBP, ESI, EDI }
export const enum Seg { ES = 0, CS, SS, DS, FS, GS }
export const REG_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;
export const SEG_NAMES = ["es", "cs", "ss", "ds", "fs", "gs"] as const;

/** Why `run` or `step` returned. */
export const enum StopReason {
  /** The instruction budget was used up. */
  InstructionLimit = 0,
  /** HLT executed; `interruptsEnabled` tells whether an IRQ could wake the CPU. */
  Halted = 1,
  /** The host called `requestStop()` (for example from a port write). */
  StopRequested = 2,
  /** A triple fault: the CPU shut down. */
  Shutdown = 3,
}

/** Port I/O as the core sees it: the machine's bus implements this. */
export interface PortIO {
  in(port: number, size: 1 | 2 | 4): number;
  out(port: number, size: 1 | 2 | 4, value: number): void;
}

/** Memory-mapped I/O regions (VGA, APIC, ...): the machine implements this. */
export interface MmioHandler {
  read(addr: number, size: 1 | 2 | 4): number;
  write(addr: number, size: 1 | 2 | 4, value: number): void;
}

/** Asked of the interrupt controller when the core is ready to take an IRQ. */
export interface InterruptSource {
  /** The vector of the highest-priority pending interrupt, or -1 if it went away. */
  acknowledge(): number;
}

export interface CpuOptions {
  /** Bytes of RAM at physical address 0 (rounded up to 4 KiB). */
  ramBytes: number;
  /** Bytes reserved for ROM images mapped with `mapRom` (default 1 MiB). */
  romBytes?: number;
  io?: PortIO;
  mmio?: MmioHandler;
  interrupts?: InterruptSource;
  /** Use the debug build of the core (slower, with assertions). */
  debug?: boolean;
}

export interface SegmentState { selector: number; base: number; limit: number; attributes: number }

export interface CoreExports {
  memory: WebAssembly.Memory;
  init(ramBytes: number): void;
  reset(): void;
  run(limit: number): number;
  deliverFault(): number;
  getEflags(): number;
  setEflags(v: number): void;
  loadSegmentReal(seg: number, selector: number): void;
  addRegion(start: number, end: number, kind: number, host: number): number;
  clearRegions(): void;
  setA20(on: number): void;
  tlbFlushAll(): void;
  physRead8(addr: number): number;
  instructionCount(): number;
  setSegment(seg: number, selector: number, base: number, limit: number, attr: number): void;
  setControlRegister(n: number, v: number): void;
  setTableRegister(which: number, base: number, limit: number): void;
  setPrivilegeLevel(cpl: number): void;
  [name: string]: unknown;
}

const REGION_RAM = 0;
const REGION_ROM = 1;
const REGION_MMIO = 2;
const REGION_NONE = 3;

/**
 * A range of the physical memory map (4 KiB aligned; `end` is exclusive and may be 2^32): RAM or
 * ROM backed by the core's memory at host address `host`, MMIO (the `mmio` handler), or nothing
 * (reads all ones, writes ignored).
 */
export interface MemoryRegion { start: number; end: number; kind: "ram" | "rom" | "mmio" | "none"; host?: number }

function coreDir(): string {
  // dist/cli.js and dist/core.wasm sit side by side; src/cpu/cpu.ts is two levels down from the root.
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith("dist") ? here : join(here, "..", "..", "dist");
}

/** A guest exception that the core raised and is about to deliver (for messages and traces). */
export class Cpu {
  readonly exports: CoreExports;
  readonly memory: WebAssembly.Memory;
  readonly ramBytes: number;
  /** Guest RAM, physical address 0 at index 0. */
  readonly ram: Uint8Array;
  private readonly u32: Uint32Array;
  private readonly off: Record<string, number>;
  private romNext: number;
  private readonly romEnd: number;
  io: PortIO;
  mmio: MmioHandler;
  interrupts: InterruptSource;

  private constructor(instance: WebAssembly.Instance, memory: WebAssembly.Memory, opts: CpuOptions, ramBytes: number, romBytes: number, hooks: Hooks) {
    this.exports = instance.exports as unknown as CoreExports;
    this.memory = memory;
    this.ramBytes = ramBytes;
    const ex = instance.exports as Record<string, unknown>;
    this.off = {};
    for (const [k, v] of Object.entries(ex)) {
      if (v instanceof WebAssembly.Global) this.off[k] = Number(v.value) >>> 0;
    }
    const ramBase = this.off.GUEST_RAM_BASE;
    this.ram = new Uint8Array(memory.buffer, ramBase, ramBytes);
    this.u32 = new Uint32Array(memory.buffer);
    this.romNext = ramBase + ramBytes;
    this.romEnd = this.romNext + romBytes;
    this.io = opts.io ?? { in: () => 0xffffffff, out: () => {} };
    this.mmio = opts.mmio ?? { read: () => 0xffffffff, write: () => {} };
    this.interrupts = opts.interrupts ?? { acknowledge: () => -1 };
    hooks.cpu = this;
    this.exports.init(ramBytes);
  }

  static async create(opts: CpuOptions): Promise<Cpu> {
    const ramBytes = Math.ceil(opts.ramBytes / 4096) * 4096;
    const romBytes = Math.ceil((opts.romBytes ?? 1 << 20) / 4096) * 4096;
    const bytes = readFileSync(join(coreDir(), opts.debug ? "core-debug.wasm" : "core.wasm"));
    const module = await WebAssembly.compile(bytes);
    return Cpu.fromModule(module, opts, ramBytes, romBytes);
  }

  /** Instantiate from an already compiled module (the browser worker uses this). */
  static async fromModule(module: WebAssembly.Module, opts: CpuOptions, ramBytes = opts.ramBytes, romBytes = opts.romBytes ?? 1 << 20): Promise<Cpu> {
    const guestBase = 0x800000;
    const pages = Math.ceil((guestBase + ramBytes + romBytes) / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const hooks: Hooks = { cpu: undefined };
    const env = {
      memory,
      portIn: (port: number, size: number) => hooks.cpu!.io.in(port, size as 1 | 2 | 4) >>> 0,
      portOut: (port: number, size: number, value: number) => hooks.cpu!.io.out(port, size as 1 | 2 | 4, value >>> 0),
      mmioRead: (addr: number, size: number) => hooks.cpu!.mmio.read(addr >>> 0, size as 1 | 2 | 4) >>> 0,
      mmioWrite: (addr: number, size: number, value: number) => hooks.cpu!.mmio.write(addr >>> 0, size as 1 | 2 | 4, value >>> 0),
      acknowledgeInterrupt: () => hooks.cpu!.interrupts.acknowledge(),
      abort: (_msg: number, _file: number, line: number, col: number) => {
        throw new Error(`emu core: internal assertion failed at line ${line}:${col}`);
      },
    };
    const instance = await WebAssembly.instantiate(module, { env });
    return new Cpu(instance, memory, opts, ramBytes, romBytes, hooks);
  }

  /** Offset of a layout constant exported by the core (see emulator-core/layout.ts). */
  offset(name: string): number {
    const v = this.off[name];
    if (v === undefined) throw new Error(`emu core: no layout constant ${name}`);
    return v;
  }

  private word(name: string, index = 0): number {
    return this.u32[(this.off[name] >>> 2) + index];
  }
  private setWord(name: string, value: number, index = 0): void {
    this.u32[(this.off[name] >>> 2) + index] = value >>> 0;
  }

  /** Power-on reset: real mode, CS:IP = F000:FFF0 with CS base 0xFFFF0000. */
  reset(): void { this.exports.reset(); }

  getReg(r: Reg): number { return this.word("S_REGS", r); }
  setReg(r: Reg, v: number): void { this.setWord("S_REGS", v, r); }
  get eip(): number { return this.word("S_EIP"); }
  set eip(v: number) { this.setWord("S_EIP", v); }
  get eflags(): number { return this.exports.getEflags() >>> 0; }
  set eflags(v: number) { this.exports.setEflags(v); }
  get cr0(): number { return this.word("S_CR0"); }
  get cpl(): number { return this.word("S_CPL"); }
  /** Time-stamp counter offset in cycles (the machine adds idle time to it). */
  addTscCycles(cycles: number): void {
    const lo = this.word("S_TSC") + (cycles % 2 ** 32);
    const hi = this.word("S_TSC", 1) + Math.floor(cycles / 2 ** 32) + Math.floor(lo / 2 ** 32);
    this.setWord("S_TSC", lo % 2 ** 32);
    this.setWord("S_TSC", hi, 1);
  }
  get halted(): boolean { return this.word("S_HALTED") !== 0; }
  /** Clear the halted state (the host moved EIP on, or an event other than an IRQ woke the CPU). */
  set halted(h: boolean) { this.setWord("S_HALTED", h ? 1 : 0); }
  get interruptsEnabled(): boolean { return (this.eflags & 0x200) !== 0; }
  /** Instructions retired since reset (live, also inside port and MMIO callbacks). */
  get instructionCount(): number { return this.exports.instructionCount(); }

  segment(s: Seg): SegmentState {
    return {
      selector: this.word("S_SEG_SEL", s),
      base: this.word("S_SEG_BASE", s),
      limit: this.word("S_SEG_LIMIT", s),
      attributes: this.word("S_SEG_ATTR", s),
    };
  }
  /** Load a segment register as real mode does: base = selector * 16, limit 0xFFFF. */
  loadSegmentReal(s: Seg, selector: number): void { this.exports.loadSegmentReal(s, selector & 0xffff); }

  /** Set a segment register and its hidden descriptor cache (attributes: access byte | flags << 8). */
  setSegment(s: Seg, st: SegmentState): void {
    this.exports.setSegment(s, st.selector, st.base >>> 0, st.limit >>> 0, st.attributes);
  }
  /** Write CR0, CR3 or CR4 as MOV CRn would (with its TLB flushes). */
  setControlRegister(n: 0 | 3 | 4, value: number): void { this.exports.setControlRegister(n, value >>> 0); }
  setGdtr(base: number, limit: number): void { this.exports.setTableRegister(0, base >>> 0, limit); }
  setIdtr(base: number, limit: number): void { this.exports.setTableRegister(1, base >>> 0, limit); }
  set cpl(c: number) { this.exports.setPrivilegeLevel(c); }

  /** Enable or disable the A20 gate (address line 20 forced to 0 when off). */
  set a20(on: boolean) { this.exports.setA20(on ? 1 : 0); }
  get a20(): boolean { return this.word("S_A20_MASK") === 0xffffffff; }

  /** The host's view of physical RAM (ROM and MMIO are not reachable through these). */
  readPhys8(addr: number): number { return addr < this.ramBytes ? this.ram[addr] : 0xff; }
  writePhys8(addr: number, v: number): void { if (addr < this.ramBytes) this.ram[addr] = v; }
  writePhysBytes(addr: number, bytes: Uint8Array): void {
    if (addr + bytes.length > this.ramBytes) throw new RangeError(`write of ${bytes.length} bytes at 0x${addr.toString(16)} is outside guest RAM`);
    this.ram.set(bytes, addr);
  }

  /** Read a byte at a physical address through the memory map (RAM, ROM; MMIO and holes read 0xff). */
  readLinear8(addr: number): number {
    // Without paging (all the ROM runner and the conformance runner use) linear = physical.
    return this.exports.physRead8(addr >>> 0) as number;
  }

  /** Map a read-only image at a physical address (may be called twice for the same bytes, e.g. below 1 MiB and below 4 GiB). */
  mapRom(physAddr: number, bytes: Uint8Array, host?: number): number {
    const size = Math.ceil(bytes.length / 4096) * 4096;
    let at = host;
    if (at === undefined) {
      if (this.romNext + size > this.romEnd) throw new RangeError("emu: out of ROM space");
      at = this.romNext;
      this.romNext += size;
      new Uint8Array(this.memory.buffer, at, bytes.length).set(bytes);
    }
    if (this.exports.addRegion(physAddr >>> 0, (physAddr + size) >>> 0, REGION_ROM, at) < 0) throw new RangeError("emu: too many memory regions");
    return at;
  }
  /** Copy an image into the ROM area once; the host address it returns is what `setRegions` maps. */
  loadRom(bytes: Uint8Array): number {
    const size = Math.ceil(bytes.length / 4096) * 4096;
    if (this.romNext + size > this.romEnd) throw new RangeError("emu: out of ROM space");
    const at = this.romNext;
    this.romNext += size;
    new Uint8Array(this.memory.buffer, at, bytes.length).set(bytes);
    return at;
  }

  /** Host address of guest RAM's physical address 0 (for a region that shows RAM read-only). */
  get ramHost(): number { return this.off.GUEST_RAM_BASE; }

  /**
   * Replace the physical memory map's regions (first match wins; addresses not covered are RAM
   * below `ramBytes` and unmapped above). The TLB is flushed.
   */
  setRegions(regions: readonly MemoryRegion[]): void {
    this.exports.clearRegions();
    for (const r of regions) {
      const kind = r.kind === "rom" ? REGION_ROM : r.kind === "mmio" ? REGION_MMIO : r.kind === "ram" ? REGION_RAM : REGION_NONE;
      if (this.exports.addRegion(r.start >>> 0, r.end >>> 0, kind, r.host ?? 0) < 0) throw new RangeError("emu: too many memory regions");
    }
  }

  /** Route a physical range to the MMIO handler. */
  mapMmio(physAddr: number, size: number): void {
    if (this.exports.addRegion(physAddr >>> 0, (physAddr + size) >>> 0, REGION_MMIO, 0) < 0) throw new RangeError("emu: too many memory regions");
  }

  /** Tell the core an interrupt request is (or is no longer) pending at the PIC. */
  setIrqPending(pending: boolean): void {
    const a = this.word("S_ATTENTION");
    this.setWord("S_ATTENTION", pending ? a | 1 : a & ~1);
  }
  /** Ask the run loop to return with StopReason.StopRequested after the current instruction. */
  requestStop(): void { this.setWord("S_ATTENTION", this.word("S_ATTENTION") | 2); }

  /** Execute up to `limit` instructions; exceptions are delivered through the IDT/IVT as they happen. */
  run(limit: number): StopReason {
    const ex = this.exports;
    for (;;) {
      const before = this.instructionCount;
      try {
        return ex.run(limit) as StopReason;
      } catch (e) {
        // The core leaves by a wasm trap when it raises an exception (AssemblyScript has no
        // try/catch). Anything else is a real error and goes up.
        if (!this.isGuestFault(e)) throw e;
        if (this.deliverPendingFault() === StopReason.Shutdown) return StopReason.Shutdown;
        limit -= Math.max(1, this.instructionCount - before);
        if (limit <= 0) return StopReason.InstructionLimit;
      }
    }
  }

  private isGuestFault(e: unknown): boolean {
    return e instanceof WebAssembly.RuntimeError && this.word("S_FAULT_PENDING") !== 0;
  }

  /**
   * Deliver the pending exception. Delivering can fault again (a bad IVT/IDT entry, a stack fault
   * while pushing); the core then escalates to #DF and from #DF to a triple fault, so this loop ends.
   */
  private deliverPendingFault(): StopReason | 0 {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.exports.deliverFault() as StopReason | 0;
      } catch (e) {
        if (!this.isGuestFault(e) || attempt > 8) throw e;
      }
    }
  }

  /** Execute exactly one instruction (with its prefixes), delivering any exception it raises. */
  step(): StopReason { return this.run(1); }

  /** The vector of the last exception or interrupt the core delivered (-1 if none). */
  get lastVector(): number { return this.word("S_LAST_VECTOR") | 0; }
  get shutdown(): boolean { return this.word("S_SHUTDOWN") !== 0; }

  /** Read a counter from the statistics block (names from layout.ts, ST_*). */
  stat(name: string, index = 0): number { return this.word(name, index); }
}

interface Hooks { cpu: Cpu | undefined }
