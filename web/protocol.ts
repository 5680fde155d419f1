// Messages between the page (main.ts, which only renders) and the machine's worker (worker.ts).

/** What to boot: the built-in tiny Linux (fetched by the worker) or files the user picked. */
export interface BootRequest {
  /** Undefined: the built-in images served beside the page. */
  kernel?: NamedBytes;
  initrd?: NamedBytes;
  /** A disk image, attached as the primary master (hda). */
  disk?: NamedBytes;
  /** No kernel: start the built-in BIOS, which boots the disk. */
  biosBoot?: boolean;
  cmdline?: string;
  memoryMiB?: number;
}

export interface NamedBytes { name: string; bytes: ArrayBuffer }

export type ToWorker =
  | { type: "boot"; boot: BootRequest }
  | { type: "serial"; data: Uint8Array }
  | { type: "key"; code: string; down: boolean }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "reset" }
  | { type: "save" }
  | { type: "restore"; name: string; bytes: ArrayBuffer };

/** The VGA text screen: one u16 per cell, character | attribute << 8. */
export interface TextFrame {
  kind: "text";
  cols: number;
  rows: number;
  cells: Uint16Array;
  cursor: { row: number; col: number; visible: boolean };
  /** The 16 text colours as 0xRRGGBB (attribute palette through the DAC). */
  palette: number[];
  /** Attribute bit 7 blinks the character (else it selects a bright background). */
  blink: boolean;
}

/** A graphics mode (13h and the 16-colour planar modes), already converted to RGBA. */
export interface GraphicsFrame {
  kind: "graphics";
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export type MachineState = "loading" | "running" | "paused" | "stopped";

/** Counters at one moment (the UI shows totals and per-second rates from two of these). */
export interface StatsSample {
  /** Host time of the sample (performance.now() in the worker), ms. */
  at: number;
  /** Guest time, ns. */
  guestNs: number;
  instructions: number;
  /** Instructions retired in rings 0-3. */
  rings: [number, number, number, number];
  /** Hardware interrupts by IRQ line 0-15. */
  irqs: number[];
  /** Exceptions by vector 0-31 (14 is #PF). */
  exceptions: number[];
  softInt: number;
  /** Port accesses by device name: [reads, writes]. */
  ports: Record<string, [number, number]>;
  /** Events a VT-x hypervisor traps or must virtualize, by key (see HV_EVENTS in stats.ts). */
  events: Record<string, number>;
  tlbMisses: number;
  tlbFlushes: number;
}

export type FromWorker =
  | { type: "state"; state: MachineState; detail?: string }
  | { type: "serial"; data: Uint8Array }
  | { type: "frame"; frame: TextFrame | GraphicsFrame }
  | { type: "stats"; sample: StatsSample; ringSource: "core" | "worker" }
  | { type: "booted"; description: string }
  | { type: "saved"; name: string; bytes: ArrayBuffer }
  | { type: "restored"; name: string }
  | { type: "error"; message: string };
