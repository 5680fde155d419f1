// The device contract (see ../shared/STYLE.md, example 9) and the I/O port bus.
//
// A device names its ports when it registers them, can be reset, saves and restores its state
// as plain JSON-able data, and tells the scheduler when it next needs to run (`nextEvent`), so
// the machine can run the CPU exactly up to the earliest deadline. Time is in nanoseconds of
// guest time (virtual by default: derived from the instruction count).

/** A plain-data snapshot of a device (JSON-serialisable). */
export type DeviceState = Record<string, unknown>;

export interface Device {
  /** Short name for logs and statistics, e.g. "8259A PIC (master)". */
  readonly name: string;
  reset(): void;
  saveState(): DeviceState;
  loadState(state: DeviceState): void;
  /** Guest time (ns) of the next event this device must handle, or Infinity. */
  nextEvent?(now: number): number;
  /** Called by the scheduler when guest time reaches the device's deadline (or later). */
  runUntil?(now: number): void;
}

export type PortSize = 1 | 2 | 4;
export type PortReader = (port: number, size: PortSize) => number;
export type PortWriter = (port: number, value: number, size: PortSize) => void;

interface PortHandler { device: Device; read?: PortReader; write?: PortWriter }

/** Access counts by device, for `--stats` and the browser panel. */
export interface PortStats { reads: number; writes: number }

/**
 * The I/O port bus: 65536 ports, each owned by at most one device. Unclaimed ports read as all
 * ones and ignore writes (as on a PC's ISA bus); the first access to each is reported once.
 */
export class PortBus {
  private readonly handlers: (PortHandler | undefined)[] = new Array(65536);
  readonly stats = new Map<string, PortStats>();
  private readonly warned = new Set<number>();
  /** Called once per unclaimed port that the guest touches. */
  onUnhandled: (port: number, write: boolean) => void = () => {};

  /** Claim `count` ports from `first` for `device`. Throws if a port is already taken. */
  register(device: Device, first: number, count: number, read?: PortReader, write?: PortWriter): void {
    for (let p = first; p < first + count; p++) {
      const h = this.handlers[p];
      if (h) throw new Error(`port 0x${p.toString(16)} is claimed by ${h.device.name} and ${device.name}`);
      this.handlers[p] = { device, read, write };
    }
    if (!this.stats.has(device.name)) this.stats.set(device.name, { reads: 0, writes: 0 });
  }

  /** Name of the device owning `port`, or undefined. */
  owner(port: number): string | undefined {
    return this.handlers[port & 0xffff]?.device.name;
  }

  read(port: number, size: PortSize): number {
    port &= 0xffff;
    const h = this.handlers[port];
    if (!h || !h.read) {
      this.unhandled(port, false);
      return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
    }
    this.stats.get(h.device.name)!.reads++;
    return h.read(port, size) >>> 0;
  }

  write(port: number, value: number, size: PortSize): void {
    port &= 0xffff;
    const h = this.handlers[port];
    if (!h || !h.write) {
      this.unhandled(port, true);
      return;
    }
    this.stats.get(h.device.name)!.writes++;
    h.write(port, value >>> 0, size);
  }

  private unhandled(port: number, write: boolean): void {
    if (this.warned.has(port)) return;
    this.warned.add(port);
    this.onUnhandled(port, write);
  }
}

/** An interrupt request line into the interrupt controller. */
export interface IrqLine {
  /** Drive the line: true = asserted (high). Edge-triggered inputs act on the rising edge. */
  set(level: boolean): void;
  /** A rising then falling edge (for edge-triggered devices that pulse). */
  pulse(): void;
}

/** Where a UART's bytes go, and where its input comes from (terminal, test, browser). */
export interface SerialSink {
  write(byte: number): void;
}

/** A text screen that VGA text mode renders into (terminal, canvas, test). */
export interface Screen {
  /** Cell at row/column: character code (CP437) and attribute byte. */
  setCell(row: number, col: number, char: number, attr: number): void;
  setCursor(row: number, col: number, visible: boolean): void;
}
