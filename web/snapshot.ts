// Machine state to a file and back: the CPU core's state block, guest memory, every device's
// saveState(), and the machine's own scalar fields. A machine restored from a snapshot continues
// exactly where the saved one was: same registers, memory, device state and guest time, so the
// same input gives the same output (test/web.test.mjs checks this byte for byte).
//
// File format (the whole file is gzip-compressed):
//   "EMUSNAP1"  8 bytes
//   u32 LE      length of the header
//   header      UTF-8 JSON (SnapshotHeader)
//   sections    raw bytes, in the order and with the lengths the header lists
//
// What the CPU core keeps where:
// - the state block (STATE_BASE .. FPU_BASE + FPU_SIZE, emulator-core/layout.ts): registers,
//   segment caches, lazy flags, control/debug/table registers, TSC, FPU, the statistics counters
//   and the physical memory region table;
// - guest RAM and the ROM images (GUEST_RAM_BASE to the end of the wasm memory);
// - a few wasm globals that the core derives from the block (CPL -> TLB user masks, CS/SS D bits,
//   debug-register breakpoint sets, the fetch window) and the instruction counter. The first are
//   re-derived below through the core's own setters; the instruction counter has no setter, so the
//   restored machine keeps its own count and the difference is folded into the TSC offset and the
//   machine's idle time: RDTSC and guest time read exactly as they did in the saved machine.
// The TLB itself is a cache and is flushed.

import type { PC } from "../src/machine/pc.ts";
import type { DeviceState } from "../src/machine/device.ts";

export const SNAPSHOT_MAGIC = "EMUSNAP1";
const FORMAT = "emu-snapshot";
const VERSION = 1;

export interface SnapshotHeader {
  format: typeof FORMAT;
  version: number;
  createdAt: string;
  /** Guest RAM bytes and the size of the core's wasm memory: a machine of the same shape restores it. */
  ramBytes: number;
  memoryBytes: number;
  /** Where the state block and guest memory sit in wasm memory. */
  stateRange: [number, number];
  memoryBase: number;
  /** Instructions retired in the saved machine (host-visible counter). */
  instructions: number;
  /** Scalar fields of the PC object (guest time bookkeeping, A20 inputs, ...). */
  machine: Record<string, number | boolean | string>;
  devices: { name: string; state: DeviceState }[];
  /** Port access counts by device (for the statistics panel; not guest-visible). */
  portStats: Record<string, [number, number]>;
  /** Application data (what was booted, the command line, ...). */
  meta: Record<string, unknown>;
  sections: { name: string; length: number }[];
}

export interface Snapshot {
  header: SnapshotHeader;
  sections: Map<string, Uint8Array>;
}

/** PC fields that are host bookkeeping, not machine state. */
const HOST_FIELDS = new Set(["startedAt"]);

/** The wasm range of the core's state block (registers, statistics, region table, FPU). */
export function stateRange(pc: PC): [number, number] {
  const cpu = pc.cpu;
  const start = cpu.offset("STATE_BASE");
  const end = cpu.offset("FPU_BASE") + cpu.offset("FPU_SIZE");
  for (const name of ["STATS_BASE", "REGION_TABLE"]) {
    const at = cpu.offset(name);
    if (at < start || at >= end) throw new Error(`emu snapshot: ${name} (0x${at.toString(16)}) is outside the state block; the core layout changed`);
  }
  return [start, end];
}

/** Copy everything that makes up the machine's state, at a point between two run slices. */
export function captureMachine(pc: PC, meta: Record<string, unknown> = {}, extra: Record<string, Uint8Array> = {}): Snapshot {
  const cpu = pc.cpu;
  const mem = new Uint8Array(cpu.memory.buffer);
  const [s0, s1] = stateRange(pc);
  const memoryBase = cpu.offset("GUEST_RAM_BASE");
  const sections = new Map<string, Uint8Array>();
  sections.set("cpu", mem.slice(s0, s1));
  sections.set("memory", mem.slice(memoryBase));
  for (const [name, bytes] of Object.entries(extra)) sections.set(name, bytes.slice());

  const machine: Record<string, number | boolean | string> = {};
  for (const [k, v] of Object.entries(pc)) {
    if (HOST_FIELDS.has(k)) continue;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") machine[k] = v;
  }
  const portStats: Record<string, [number, number]> = {};
  for (const [name, s] of pc.bus.stats) portStats[name] = [s.reads, s.writes];

  const header: SnapshotHeader = {
    format: FORMAT,
    version: VERSION,
    createdAt: new Date().toISOString(),
    ramBytes: cpu.ramBytes,
    memoryBytes: mem.length,
    stateRange: [s0, s1],
    memoryBase,
    instructions: cpu.instructionCount,
    machine,
    // Through JSON now, so the snapshot shares nothing with live device objects.
    devices: pc.devices.map((d) => ({ name: d.name, state: JSON.parse(JSON.stringify(d.saveState())) as DeviceState })),
    portStats,
    meta: JSON.parse(JSON.stringify(meta)) as Record<string, unknown>,
    sections: [...sections].map(([name, b]) => ({ name, length: b.length })),
  };
  return { header, sections };
}

function u64At(view: DataView, at: number): bigint { return view.getBigUint64(at, true); }

/**
 * Put a captured state into `pc`, which must be a machine of the same shape (same RAM size and
 * devices; normally a fresh one). Call it between run slices.
 */
export function restoreMachine(pc: PC, snap: Snapshot): void {
  const h = snap.header;
  const cpu = pc.cpu;
  const mem = new Uint8Array(cpu.memory.buffer);
  const view = new DataView(cpu.memory.buffer);
  const section = (name: string): Uint8Array => {
    const s = snap.sections.get(name);
    if (!s) throw new Error(`emu snapshot: the ${name} section is missing`);
    return s;
  };
  if (h.ramBytes !== cpu.ramBytes) throw new Error(`emu snapshot: saved with ${h.ramBytes >> 20} MiB of RAM; this machine has ${cpu.ramBytes >> 20} MiB`);
  if (h.memoryBytes !== mem.length) throw new Error(`emu snapshot: the core's memory is ${mem.length} bytes here, ${h.memoryBytes} in the snapshot`);
  const [s0, s1] = stateRange(pc);
  if (h.stateRange[0] !== s0 || h.stateRange[1] !== s1 || h.memoryBase !== cpu.offset("GUEST_RAM_BASE")) {
    throw new Error("emu snapshot: saved by a core with a different state layout");
  }
  const devices = pc.devices;
  if (devices.length !== h.devices.length || devices.some((d, i) => d.name !== h.devices[i].name)) {
    throw new Error(`emu snapshot: the machine's devices differ (saved: ${h.devices.map((d) => d.name).join(", ")})`);
  }
  const state = section("cpu");
  const memory = section("memory");
  if (state.length !== s1 - s0 || memory.length !== mem.length - h.memoryBase) throw new Error("emu snapshot: a section has the wrong size");
  const idleNs = (pc as unknown as Record<string, unknown>).idleNs;
  if (typeof idleNs !== "number" || typeof h.machine.idleNs !== "number") {
    throw new Error("emu snapshot: the PC no longer keeps its idle time in `idleNs`; web/snapshot.ts needs updating");
  }

  // Devices first: their loadState re-announces IRQ lines, which touches the core's attention
  // word; the state block written after them has the saved (and consistent) value.
  devices.forEach((d, i) => d.loadState(JSON.parse(JSON.stringify(h.devices[i].state)) as DeviceState));

  mem.set(memory, h.memoryBase);
  mem.set(state, s0);
  // Re-derive the core's cached globals from the block through its setters (CPL -> user-mode TLB
  // masks; CS and SS -> default operand and stack sizes, fetch window; CR4 -> TLB flush and the
  // debug-register breakpoint sets), then put the block back byte for byte (the setters count a
  // TLB flush and recompute the attention word).
  cpu.cpl = cpu.cpl;
  for (const s of [1 /* CS */, 2 /* SS */] as const) cpu.setSegment(s, cpu.segment(s));
  const cr4 = view.getUint32(cpu.offset("S_CR4"), true);
  cpu.setControlRegister(4, cr4);
  mem.set(state, s0);

  // The instruction counter lives in a wasm global with no setter: keep this machine's count and
  // move the TSC offset and the idle time by the difference, so RDTSC and guest time continue.
  const here = cpu.instructionCount;
  const delta = h.instructions - here;
  const tscAt = cpu.offset("S_TSC");
  view.setBigUint64(tscAt, BigInt.asUintN(64, u64At(view, tscAt) + BigInt(delta)), true);
  view.setBigUint64(cpu.offset("S_ICOUNT"), BigInt(here), true);

  const fields = pc as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(h.machine)) {
    if (typeof fields[k] === typeof v) fields[k] = v;
  }
  fields.idleNs = (h.machine.idleNs as number) + delta * pc.nsPerInstruction;

  for (const [name, [reads, writes]] of Object.entries(h.portStats)) {
    const s = pc.bus.stats.get(name);
    if (s) { s.reads = reads; s.writes = writes; }
  }
  pc.vga.invalidate();
}

// ---- the file ----------------------------------------------------------------------------------

async function transform(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const piped = new Blob([data as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(piped).arrayBuffer());
}

/** The snapshot as a gzip-compressed file. */
export async function encodeSnapshot(snap: Snapshot): Promise<Uint8Array> {
  const header = new TextEncoder().encode(JSON.stringify(snap.header));
  let total = 12 + header.length;
  for (const s of snap.header.sections) total += s.length;
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(SNAPSHOT_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  let at = 12 + header.length;
  for (const s of snap.header.sections) {
    out.set(snap.sections.get(s.name)!, at);
    at += s.length;
  }
  return transform(out, new CompressionStream("gzip"));
}

/** Read a snapshot file (gzip-compressed or not); throws a readable error for anything else. */
export async function decodeSnapshot(file: Uint8Array): Promise<Snapshot> {
  const raw = file[0] === 0x1f && file[1] === 0x8b ? await transform(file, new DecompressionStream("gzip")) : file;
  if (raw.length < 12 || new TextDecoder().decode(raw.subarray(0, 8)) !== SNAPSHOT_MAGIC) {
    throw new Error("not an emu machine state file (no EMUSNAP1 signature)");
  }
  const headerLength = new DataView(raw.buffer, raw.byteOffset, raw.length).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(raw.subarray(12, 12 + headerLength))) as SnapshotHeader;
  if (header.format !== FORMAT || header.version !== VERSION) throw new Error(`unsupported state file version ${header.version}`);
  const sections = new Map<string, Uint8Array>();
  let at = 12 + headerLength;
  for (const s of header.sections) {
    if (at + s.length > raw.length) throw new Error("the state file is truncated");
    sections.set(s.name, raw.subarray(at, at + s.length));
    at += s.length;
  }
  return { header, sections };
}

/** Whether bytes look like a snapshot file (for drag and drop). */
export async function isSnapshotFile(file: Uint8Array): Promise<boolean> {
  if (file[0] === 0x1f && file[1] === 0x8b) {
    // A gzip file: a snapshot or an initrd. Look at the start of the decompressed data only.
    try {
      const stream = new Blob([file.subarray(0, 64 << 10) as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
      const reader = stream.getReader();
      const { value } = await reader.read();
      reader.cancel().catch(() => {});
      return !!value && new TextDecoder().decode(value.subarray(0, 8)) === SNAPSHOT_MAGIC;
    } catch {
      return false;
    }
  }
  return new TextDecoder().decode(file.subarray(0, 8)) === SNAPSHOT_MAGIC;
}
