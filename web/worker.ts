// The machine, in a Web Worker: it runs the PC in slices of a few milliseconds, feeds it the
// keys and serial input the page sends, and posts back COM1 output, VGA frames and counters.
// The page never runs guest code, so it stays responsive whatever the guest does.

import { Machine, defaultCmdline, type BootMedia } from "./machine.ts";
import type { PC } from "../src/machine/pc.ts";
import type { TextFrame, ToWorker, FromWorker, StatsSample, BootRequest, MachineState } from "./protocol.ts";
import type { Screen } from "../src/machine/device.ts";
import { HV_EVENTS } from "./hv-events.ts";
import { encodeSnapshot, decodeSnapshot } from "./snapshot.ts";

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

/** Run for about this long before looking at messages and posting output. */
const CHUNK_MS = 16;
const FRAME_MS = 40;
const STATS_MS = 500;
const DEFAULT_MEMORY_MIB = 64;

let module: WebAssembly.Module | undefined;
let machine: Machine | undefined;
let state: MachineState = "loading";
/** Bumped to end a run loop (a new boot, a restore). */
let generation = 0;
let wake: (() => void) | undefined;

// ---- output ---------------------------------------------------------------------------------------

let serialOut: number[] = [];
const serial = { write: (b: number) => { serialOut.push(b); } };
function flushSerial(): void {
  if (!serialOut.length) return;
  const data = Uint8Array.from(serialOut);
  serialOut = [];
  post({ type: "serial", data }, [data.buffer]);
}

function setState(s: MachineState, detail?: string): void {
  state = s;
  post({ type: "state", state: s, detail });
}

// ---- input ----------------------------------------------------------------------------------------

/** Serial input waiting for the guest's driver (handed over a FIFO's worth at a time). */
let serialIn: number[] = [];
function feedSerial(pc: PC): void {
  if (!serialIn.length) return;
  const com1 = pc.com[0];
  if (!com1.receiverInterruptEnabled || com1.pendingInput > 0) return;
  com1.receive(serialIn.splice(0, 16));
}

// ---- pacing: guest time never runs ahead of the host clock -----------------------------------------

/** Guest ns = host ns + offset at most (rebased whenever the guest falls behind, so no catch-up bursts). */
let offsetNs = 0;
const hostNs = () => performance.now() * 1e6;
function rebase(pc: PC): void { offsetNs = Math.max(offsetNs, pc.now() - hostNs()); }

// ---- the run loop -----------------------------------------------------------------------------------

async function runLoop(gen: number): Promise<void> {
  while (gen === generation && state === "running" && machine) {
    const m = machine;
    const pc = m.pc;
    const start = performance.now();
    let stop;
    try {
      stop = await pc.run({
        until: () => {
          feedSerial(pc);
          countRings(pc);
          return performance.now() - start >= CHUNK_MS || pc.now() > hostNs() + offsetNs;
        },
      });
    } catch (e) {
      flushSerial();
      setState("stopped", "internal error");
      post({ type: "error", message: `the emulator stopped: ${(e as Error).message}` });
      return;
    }
    if (gen !== generation) return;
    countRings(pc);
    flushSerial();
    if (stop.kind === "reset" || stop.kind === "triple-fault") {
      post({ type: "serial", data: new TextEncoder().encode(stop.kind === "reset"
        ? "\r\n[emu: the guest reset the machine; rebooting]\r\n" : "\r\n[emu: triple fault (the CPU shut down); rebooting]\r\n") });
      m.reset();
    } else if (stop.kind !== "stopped") {
      // Power-off, the exit port, or anything else that ends the run: show the last picture and counts.
      sendFrame(true);
      sendStats();
      const s = stop as { kind: string; value?: number; message?: string };
      setState("stopped", s.kind === "poweroff" ? "the guest powered off"
        : s.kind === "exit-port" ? `the guest wrote ${s.value} to port 0xF4` : s.message ?? s.kind);
      return;
    }
    const now = hostNs();
    if (pc.now() < now + offsetNs - 50e6) offsetNs = pc.now() - now; // behind: do not catch up later
    if (performance.now() - lastFrame >= FRAME_MS) sendFrame(false);
    if (performance.now() - lastStats >= STATS_MS) sendStats();
    // Ahead of the host clock (an idle guest): sleep until it is time, or until input arrives.
    const aheadMs = (pc.now() - (hostNs() + offsetNs)) / 1e6;
    await pause(aheadMs > 0 ? Math.min(aheadMs, 50) : 0);
  }
}

/**
 * Yield to the event loop (messages from the page) for `ms`, or until `wake` is called. A zero
 * wait goes through a MessageChannel: chained setTimeout(0) calls are clamped to 4 ms, which
 * would idle the CPU a quarter of the time.
 */
const yieldChannel = new MessageChannel();
let yielded: (() => void) | undefined;
yieldChannel.port1.onmessage = () => { const r = yielded; yielded = undefined; r?.(); };
function pause(ms: number): Promise<void> {
  if (ms <= 0) {
    return new Promise((resolve) => { yielded = resolve; yieldChannel.port2.postMessage(0); });
  }
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); wake = undefined; resolve(); };
    const timer = setTimeout(done, ms);
    wake = done;
  });
}

function start(): void {
  if (!machine) return;
  const gen = ++generation;
  rebase(machine.pc);
  setState("running");
  void runLoop(gen);
}

function halt(next: MachineState, detail?: string): void {
  generation++;
  wake?.();
  setState(next, detail);
}

// ---- VGA frames ---------------------------------------------------------------------------------

let lastFrame = 0;
let textCells = new Uint16Array(0);
let textCols = 0, textRows = 0;
let textDirty = false;
let cursor = { row: 0, col: 0, visible: false };
let lastPalette = "";
let lastRgba: Uint8ClampedArray | undefined;
let lastModeKey = "";

const screen: Screen = {
  setCell(row, col, ch, attr) { textCells[row * textCols + col] = ch | (attr << 8); textDirty = true; },
  setCursor(row, col, visible) { cursor = { row, col, visible }; textDirty = true; },
};

/** The 16 text colours: attribute palette registers through the DAC, as 0xRRGGBB. */
function textPalette(pc: PC): number[] {
  const { attr, dac } = pc.vga;
  const out: number[] = [];
  for (let i = 0; i < 16; i++) {
    let c = attr[i] & 0x3f;
    if (attr[0x10] & 0x80) c = (c & 0x0f) | ((attr[0x14] & 0x03) << 4);
    c |= (attr[0x14] & 0x0c) << 4;
    const rgb = [0, 1, 2].map((k) => { const v = dac[c * 3 + k] & 0x3f; return (v << 2) | (v >> 4); });
    out.push((rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
  }
  return out;
}

function sendFrame(force: boolean): void {
  if (!machine) return;
  lastFrame = performance.now();
  const vga = machine.pc.vga;
  const mode = vga.mode();
  const key = mode.kind === "text" ? `t${mode.cols}x${mode.rows}` : `g${mode.width}x${mode.height}`;
  if (key !== lastModeKey || force) {
    lastModeKey = key;
    vga.invalidate();
    lastPalette = "";
    lastRgba = undefined;
  }
  if (mode.kind === "text") {
    if (mode.cols !== textCols || mode.rows !== textRows) {
      textCols = mode.cols; textRows = mode.rows;
      textCells = new Uint16Array(textCols * textRows);
    }
    vga.render(screen);
    const palette = textPalette(machine.pc);
    const pkey = palette.join();
    if (!textDirty && pkey === lastPalette) return;
    textDirty = false;
    lastPalette = pkey;
    const frame: TextFrame = {
      kind: "text", cols: textCols, rows: textRows, cells: textCells.slice(), cursor,
      palette, blink: (vga.attr[0x10] & 0x08) !== 0,
    };
    post({ type: "frame", frame }, [frame.cells.buffer]);
  } else {
    const { width, height } = mode;
    if (width * height > 1024 * 1024) return;
    const rgba = new Uint8ClampedArray(width * height * 4);
    vga.renderGraphics(rgba);
    if (lastRgba && lastRgba.length === rgba.length && sameBytes(lastRgba, rgba)) return;
    lastRgba = rgba.slice();
    post({ type: "frame", frame: { kind: "graphics", width, height, rgba } }, [rgba.buffer]);
  }
}

function sameBytes(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length >> 2), y = new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// ---- counters -----------------------------------------------------------------------------------

let lastStats = 0;
/** Instructions retired before this machine was restored from a snapshot (the core restarts its count). */
let instructionBase = 0;
/** Rings from the core's ST_INSN_RING when it has it; otherwise counted here, per run slice, by CPL. */
let ringSource: "core" | "worker" = "core";
const workerRings: [number, number, number, number] = [0, 0, 0, 0];
let ringMark = 0;

function countRings(pc: PC): void {
  if (ringSource !== "worker") return;
  const n = pc.cpu.instructionCount;
  workerRings[pc.cpu.cpl & 3] += n - ringMark;
  ringMark = n;
}

function stat(pc: PC, name: string, index = 0): number {
  return pc.cpu.stat(name, index);
}

function counter(pc: PC, spec: string): number {
  const m = /^(\w+)(?:\[(\d+)(?:\.\.(\d+))?\])?$/.exec(spec);
  if (!m) return 0;
  const from = m[2] ? Number(m[2]) : 0;
  const to = m[3] ? Number(m[3]) : from;
  let sum = 0;
  for (let i = from; i <= to; i++) sum += stat(pc, m[1], i);
  return sum;
}

function sendStats(): void {
  if (!machine) return;
  lastStats = performance.now();
  const pc = machine.pc;
  const rings: [number, number, number, number] = [0, 0, 0, 0];
  if (ringSource === "core") {
    for (let r = 0; r < 4; r++) rings[r] = stat(pc, "ST_INSN_RING", 2 * r) + stat(pc, "ST_INSN_RING", 2 * r + 1) * 2 ** 32;
  } else {
    for (let r = 0; r < 4; r++) rings[r] = workerRings[r];
  }
  const ports: Record<string, [number, number]> = {};
  for (const [name, s] of pc.bus.stats) if (s.reads + s.writes) ports[name] = [s.reads, s.writes];
  const events: Record<string, number> = {};
  for (const ev of HV_EVENTS) events[ev.key] = ev.counters.reduce((sum, c) => sum + counter(pc, c), 0);
  const sample: StatsSample = {
    at: performance.now(),
    guestNs: pc.now(),
    instructions: instructionBase + pc.cpu.instructionCount,
    rings,
    irqs: Array.from({ length: 16 }, (_, i) => stat(pc, "ST_INTERRUPTS", i)),
    exceptions: Array.from({ length: 32 }, (_, i) => stat(pc, "ST_EXCEPTIONS", i)),
    softInt: stat(pc, "ST_SOFT_INT"),
    ports,
    events,
    tlbMisses: stat(pc, "ST_TLB_MISS"),
    tlbFlushes: stat(pc, "ST_TLB_FLUSH"),
  };
  post({ type: "stats", sample, ringSource });
}

function adopt(m: Machine, base: number): void {
  machine = m;
  instructionBase = base;
  try {
    m.pc.cpu.offset("ST_INSN_RING");
    ringSource = "core";
  } catch {
    ringSource = "worker";
  }
  workerRings.fill(0);
  ringMark = m.pc.cpu.instructionCount;
  serialIn = [];
  lastModeKey = "";
  offsetNs = m.pc.now() - hostNs();
  sendFrame(true);
  sendStats();
}

// ---- boot, save, restore --------------------------------------------------------------------------

async function core(): Promise<WebAssembly.Module> {
  if (module) return module;
  const res = await fetch("core.wasm");
  if (!res.ok) throw new Error(`core.wasm: HTTP ${res.status}`);
  try {
    module = await WebAssembly.compileStreaming(res.clone());
  } catch {
    module = await WebAssembly.compile(await res.arrayBuffer()); // a server without application/wasm
  }
  return module;
}

async function fetchFile(path: string, missing: string): Promise<Uint8Array> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} (${missing})`);
  return new Uint8Array(await res.arrayBuffer());
}
const fetchImage = (path: string) => fetchFile(path, "the built-in Linux was not built: npm run images, then npm run web:build; or choose a kernel");

async function boot(req: BootRequest): Promise<void> {
  halt("loading", "loading the machine");
  const mod = await core();
  let media: BootMedia;
  if (req.biosBoot) {
    if (!req.disk) throw new Error("choose a disk image to boot through the BIOS");
    const bios = await fetchFile("bios.bin", "the built-in BIOS is not in this build (npm run build, then npm run web:build)");
    media = { bios, cmdline: "", memoryMiB: req.memoryMiB ?? DEFAULT_MEMORY_MIB };
  } else if (!req.kernel) {
    const [kernel, initrd] = await Promise.all([fetchImage("images/bzImage"), fetchImage("images/initramfs.cpio.gz")]);
    media = { kernel, kernelName: "bzImage (tiny Linux)", initrd, initrdName: "initramfs.cpio.gz", cmdline: req.cmdline || defaultCmdline(!!req.disk), memoryMiB: req.memoryMiB ?? DEFAULT_MEMORY_MIB };
  } else {
    media = {
      kernel: new Uint8Array(req.kernel.bytes), kernelName: req.kernel.name,
      initrd: req.initrd && new Uint8Array(req.initrd.bytes), initrdName: req.initrd?.name,
      cmdline: req.cmdline || defaultCmdline(!!req.disk), memoryMiB: req.memoryMiB ?? DEFAULT_MEMORY_MIB,
    };
  }
  if (req.disk) { media.disk = new Uint8Array(req.disk.bytes); media.diskName = req.disk.name; }
  serialOut = [];
  const m = await Machine.boot(mod, media, serial);
  adopt(m, 0);
  post({ type: "booted", description: describe(media) });
  start();
}

function describe(media: BootMedia): string {
  const mib = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
  const parts = [media.kernel ? `${media.kernelName} (${mib(media.kernel.length)})` : "the built-in BIOS"];
  if (media.initrd) parts.push(`initrd ${media.initrdName} (${mib(media.initrd.length)})`);
  if (media.disk) parts.push(`hda ${media.diskName} (${mib(media.disk.length)})`);
  return `${parts.join(", ")}; ${media.memoryMiB} MiB RAM` + (media.kernel ? `; "${media.cmdline}"` : "; booting from hda");
}

async function save(): Promise<void> {
  if (!machine) throw new Error("no machine to save");
  // Captured synchronously between two slices; compressing happens while the guest goes on.
  const m = machine;
  const snap = m.capture();
  // The host-visible count (the core of a restored machine counts from zero; see snapshot.ts).
  snap.header.meta.instructionsTotal = instructionBase + m.pc.cpu.instructionCount;
  const bytes = await encodeSnapshot(snap);
  const stamp = new Date().toISOString().replace(/[:T]/g, "-").replace(/\..*/, "");
  post({ type: "saved", name: `emu-${stamp}.emustate`, bytes: bytes.buffer as ArrayBuffer }, [bytes.buffer]);
}

async function restore(name: string, bytes: ArrayBuffer): Promise<void> {
  const mod = await core();
  const snap = await decodeSnapshot(new Uint8Array(bytes));
  const total = typeof snap.header.meta.instructionsTotal === "number" ? snap.header.meta.instructionsTotal : snap.header.instructions;
  halt("loading", "restoring");
  serialOut = [];
  const m = await Machine.restore(mod, snap, serial);
  adopt(m, total - m.pc.cpu.instructionCount);
  post({ type: "restored", name });
  post({ type: "booted", description: `${describe(m.media)} (restored from ${name})` });
  start();
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  const fail = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    post({ type: "error", message });
    if (state === "loading") setState(machine ? "paused" : "stopped", message);
  };
  switch (msg.type) {
    case "boot": boot(msg.boot).catch(fail); break;
    case "serial":
      for (const b of msg.data) serialIn.push(b);
      if (machine) { rebase(machine.pc); feedSerial(machine.pc); }
      wake?.();
      break;
    case "key":
      if (machine && state === "running") {
        if (msg.down) machine.pc.kbc.keyDown(msg.code); else machine.pc.kbc.keyUp(msg.code);
        rebase(machine.pc);
        wake?.();
      }
      break;
    case "pause": if (state === "running") { halt("paused"); sendStats(); } break;
    case "resume": if (state === "paused" && machine) start(); break;
    case "reset":
      if (!machine) break;
      machine.reset();
      serialIn = [];
      if (state !== "running") start();
      else wake?.();
      break;
    case "save": save().catch(fail); break;
    case "restore": restore(msg.name, msg.bytes).catch(fail); break;
  }
};
