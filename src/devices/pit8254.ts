// Intel 8254 Programmable Interval Timer at ports 0x40-0x43, clocked at 1.193182 MHz
// (14.31818 MHz / 12) as on the PC. Counter 0 drives IRQ0, counter 1 is the DRAM refresh timer,
// counter 2's gate and output are wired to port 0x61 (see port61.ts) and the speaker.
//
// Datasheet: Intel 8254 Programmable Interval Timer (order no. 231164), sections "Control Word
// Format", "Write Operations", "Read Operations" (counter latch command, read-back command,
// status byte, null count), "Mode Definitions" (modes 0-5) and "Operation Common to All
// Modes" (GATE, counter, BCD).
//
// Time: nothing runs per clock. Each counter records when its counting element (CE) was loaded
// and with what, and its count and OUT are computed from the tick number of the moment asked
// about. Counter 0 tells the scheduler when OUT next rises (`nextEvent`), so an idle guest costs
// nothing. Tick t is the t-th falling edge of CLK; the moment `now` (ns) lies after tick
// floor(now * 1193182 / 1e9). A write made after tick w takes effect on the next CLK pulse, w+1.

import type { Device, DeviceState, IrqLine, PortBus, PortSize } from "../machine/device.ts";

/** The PC's PIT input clock in Hz. */
export const PIT_HZ = 1193182;

/** Number of PIT clock ticks that have happened by guest time `ns` (exact integer arithmetic). */
export function pitTicks(ns: number): number {
  const n = Math.max(0, Math.floor(ns));
  const sec = Math.floor(n / 1e9);
  return sec * PIT_HZ + Math.floor(((n - sec * 1e9) * PIT_HZ) / 1e9);
}

/** The first guest time (ns) at which tick `tick` has happened. */
export function pitTickTime(tick: number): number {
  if (!Number.isFinite(tick)) return Infinity;
  const sec = Math.floor(tick / PIT_HZ);
  let ns = sec * 1e9 + Math.ceil(((tick - sec * PIT_HZ) * 1e9) / PIT_HZ);
  // Guard the floating-point division at the boundary: the result must be the first such ns.
  while (pitTicks(ns) < tick) ns++;
  while (ns > 0 && pitTicks(ns - 1) >= tick) ns--;
  return ns;
}

/** Counter 2's pins as the PC wires them to port 0x61. */
export interface PitCounter2Pins {
  /** Port 0x61 bit 0 drives counter 2's GATE. */
  setGate2(level: boolean): void;
  /** Counter 2's OUT, read back on port 0x61 bit 5 and ANDed with bit 1 to drive the speaker. */
  out2(): boolean;
}

const toBcd = (v: number): number =>
  ((Math.floor(v / 1000) % 10) << 12) | ((Math.floor(v / 100) % 10) << 8) | ((Math.floor(v / 10) % 10) << 4) | (v % 10);
const fromBcd = (v: number): number =>
  ((v >> 12) & 15) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15);
const mod = (a: number, m: number): number => ((a % m) + m) % m;
/** JSON has no Infinity: store it as null. */
const saveTick = (t: number): number | null => (Number.isFinite(t) ? t : null);
const loadTick = (t: unknown): number => (t === null || t === undefined ? Infinity : (t as number));

/** One of the 8254's three counters. All times are PIT ticks. */
export class PitCounter {
  /** M2-M0 as written (6 and 7 are read back as written but act as modes 2 and 3). */
  modeBits = 0;
  bcd = false;
  /** RW1-RW0: 1 = LSB only, 2 = MSB only, 3 = LSB then MSB. */
  access = 3;
  /** Count register (CR): the initial count as written, raw (BCD digits when bcd). */
  cr = 0;
  gate: boolean;

  /** A full count has been written since the control word. */
  private crWritten = false;
  /** Write flip-flop: the next byte written is the MSB (access 3). */
  private writeMsbNext = false;
  /** Read flip-flop: the next byte read is the MSB (access 3). */
  private readMsbNext = false;
  private countLatch: number | null = null;
  private statusLatch: number | null = null;
  /** NULL COUNT is 1 until this tick (the CR-to-CE transfer); Infinity while none is due. */
  private nullCountUntil = Infinity;

  /** A counting sequence exists: CE is (or will be at tick `origin`) loaded with `count`. */
  private armed = false;
  private origin = 0;
  private count = 0;
  /** CE as shown before `origin` and while counting is stopped (modes 2 and 3, gate low). */
  private heldCe = 0;
  /** Modes 1 and 5: OUT before `origin` (a retrigger continues the current one-shot's level). */
  private heldOut = true;
  /** Modes 0, 2, 3, 4: GATE high enables counting. */
  private running = false;
  /** Modes 0 and 4: clocks counted before `runStart`; ticks after `runStart` count while running. */
  private countedBase = 0;
  private runStart = 0;
  /** Modes 2 and 3: a count written while counting, loaded at tick `pendingAt`. */
  private pendingCount = 0;
  private pendingAt = Infinity;

  constructor(private readonly initialGate: boolean) {
    this.gate = initialGate;
  }

  /** The mode as it behaves (0-5). */
  get mode(): number { return this.modeBits > 5 ? this.modeBits - 4 : this.modeBits; }
  private get modulus(): number { return this.bcd ? 10000 : 65536; }
  /** The effective initial count: 0 stands for 2^16 (binary) or 10^4 (BCD). */
  private get crCount(): number {
    const n = this.bcd ? fromBcd(this.cr) : this.cr;
    return n === 0 ? this.modulus : n;
  }

  reset(): void {
    this.modeBits = 0;
    this.bcd = false;
    this.access = 3;
    this.cr = 0;
    this.gate = this.initialGate;
    this.crWritten = false;
    this.writeMsbNext = false;
    this.readMsbNext = false;
    this.countLatch = null;
    this.statusLatch = null;
    this.nullCountUntil = Infinity;
    this.armed = false;
    this.origin = 0;
    this.count = 0;
    this.heldCe = 0;
    this.heldOut = true;
    this.running = false;
    this.countedBase = 0;
    this.runStart = 0;
    this.pendingCount = 0;
    this.pendingAt = Infinity;
  }

  // ---- the waveform, as a function of the tick ---------------------------------------

  /** Apply a pending mode 2/3 reload once tick `t` has reached it. */
  settle(t: number): void {
    if (t < this.pendingAt) return;
    this.startPeriodic(this.pendingAt, this.pendingCount, this.pendingStartsLow());
    this.pendingAt = Infinity;
  }

  /** Mode 3 reloads at half-cycle ends; a reload at the end of a high half starts a low half. */
  private pendingStartsLow(): boolean {
    return this.mode === 3 && this.squareHigh(this.pendingAt - 1);
  }

  /** Start a mode 2/3 sequence whose first period (or, for mode 3, low half) begins at `at`. */
  private startPeriodic(at: number, count: number, lowHalf = false): void {
    this.count = count;
    this.origin = lowHalf ? at - Math.ceil(count / 2) : at;
    this.armed = true;
  }

  /** Modes 0 and 4: clock pulses counted by tick t (the loading pulse is not counted). */
  private counted(t: number): number {
    return this.countedBase + (this.running && t > this.runStart ? t - this.runStart : 0);
  }

  /** Mode 3: OUT is high in the first ceil(N/2) ticks of each period. */
  private squareHigh(t: number): boolean {
    return mod(t - this.origin, this.count) < Math.ceil(this.count / 2);
  }

  /** The counting element at tick t, as a plain number (0 .. modulus-1). */
  ce(t: number): number {
    this.settle(t);
    if (!this.armed || t < this.origin) return this.heldCe;
    const n = this.count;
    switch (this.mode) {
      case 0:
      case 4:
        return mod(n - this.counted(t), this.modulus);
      case 1:
      case 5:
        return mod(n - (t - this.origin), this.modulus);
      case 2:
        if (!this.running) return this.heldCe;
        return mod(n - ((t - this.origin) % n), this.modulus);
      default: { // 3: decrement by two; odd counts load N-1 (datasheet "Mode 3")
        if (!this.running) return this.heldCe;
        const phase = (t - this.origin) % n;
        const high = Math.ceil(n / 2);
        const inHalf = phase < high ? phase : phase - high;
        return mod((n & 1 ? n - 1 : n) - 2 * inHalf, this.modulus);
      }
    }
  }

  /** The OUT pin at tick t. */
  out(t: number): boolean {
    this.settle(t);
    const n = this.count;
    switch (this.mode) {
      case 0: // low from the control word until the count reaches zero
        return this.armed && t >= this.origin && this.counted(t) >= n;
      case 1: // low from the clock after a trigger for N clocks
        if (this.armed && t < this.origin) return this.heldOut;
        return !(this.armed && t < this.origin + n);
      case 2: // low for the one clock in which CE = 1
        return !(this.armed && this.running && t >= this.origin && mod(t - this.origin, n) === n - 1);
      case 3:
        return !(this.armed && this.running && t >= this.origin) || this.squareHigh(t);
      case 4: // low for one clock when CE reaches zero
        return !(this.armed && t >= this.origin && this.counted(t) === n);
      default: // 5
        if (this.armed && t < this.origin) return this.heldOut;
        return !(this.armed && t === this.origin + n);
    }
  }

  /** The first tick after `a` at which OUT rises, or Infinity. Pure (pending reloads included). */
  nextRise(a: number): number {
    if (!this.armed) return Infinity;
    const n = this.count;
    switch (this.mode) {
      case 0:
        if (!this.running || this.counted(a) >= n) return Infinity;
        return this.runStart + n - this.countedBase;
      case 4:
        if (!this.running || this.counted(a) > n) return Infinity;
        return this.runStart + n + 1 - this.countedBase;
      case 1:
        return this.origin + n > a ? this.origin + n : Infinity;
      case 5:
        return this.origin + n + 1 > a ? this.origin + n + 1 : Infinity;
      default: { // 2 and 3: OUT rises at the start of every period after the first
        if (!this.running) return Infinity;
        // An (illegal) mode 2 count of 1 holds OUT low until a new count is reloaded.
        const rise = this.mode === 2 && n === 1
          ? (this.pendingAt > a ? this.pendingAt : Infinity)
          : periodicRise(this.origin, n, a);
        if (rise <= this.pendingAt) return rise;
        const lowHalf = this.pendingStartsLow();
        const origin = lowHalf ? this.pendingAt - Math.ceil(this.pendingCount / 2) : this.pendingAt;
        return periodicRise(origin, this.pendingCount, Math.max(a, this.pendingAt));
      }
    }
  }

  /** NULL COUNT at tick t: a count was written and has not yet reached CE. */
  nullCount(t: number): boolean { return t < this.nullCountUntil; }

  // ---- programming ---------------------------------------------------------------------

  /** A control word selecting this counter (RW != 0): all control logic is reset. */
  program(t: number, access: number, modeBits: number, bcd: boolean): void {
    this.settle(t);
    this.heldCe = this.ce(t);
    this.access = access;
    this.modeBits = modeBits;
    this.bcd = bcd;
    this.crWritten = false;
    this.writeMsbNext = false;
    this.readMsbNext = false;
    this.countLatch = null;
    this.statusLatch = null;
    this.nullCountUntil = Infinity;
    this.armed = false;
    this.running = false;
    this.pendingAt = Infinity;
  }

  /** Counter latch command: the CE is copied to the output latch until read (ignored if latched). */
  latchCount(t: number): void {
    if (this.countLatch === null) this.countLatch = this.encode(this.ce(t));
  }

  /** Read-back status: OUT, NULL COUNT, RW, mode and BCD (ignored if a status is latched). */
  latchStatus(t: number): void {
    if (this.statusLatch !== null) return;
    this.statusLatch = (this.out(t) ? 0x80 : 0) | (this.nullCount(t) ? 0x40 : 0) |
      (this.access << 4) | (this.modeBits << 1) | (this.bcd ? 1 : 0);
  }

  private encode(v: number): number { return this.bcd ? toBcd(v) : v & 0xffff; }

  /** A byte from the counter's port: a latched status, then a latched count, else the live CE. */
  read(t: number): number {
    if (this.statusLatch !== null) {
      const s = this.statusLatch;
      this.statusLatch = null;
      return s;
    }
    const latched = this.countLatch !== null;
    const value = latched ? this.countLatch! : this.encode(this.ce(t));
    let msb: boolean;
    let done = true;
    if (this.access === 1) msb = false;
    else if (this.access === 2) msb = true;
    else {
      msb = this.readMsbNext;
      this.readMsbNext = !msb;
      done = msb;
    }
    if (latched && done) this.countLatch = null;
    return msb ? (value >> 8) & 0xff : value & 0xff;
  }

  /** A byte to the counter's port: part or all of a new initial count. */
  write(t: number, byte: number): void {
    this.settle(t);
    if (this.access === 1) this.cr = byte;
    else if (this.access === 2) this.cr = byte << 8;
    else if (!this.writeMsbNext) {
      this.cr = (this.cr & 0xff00) | byte;
      this.writeMsbNext = true;
      // Mode 0: the first byte of a two-byte count stops counting and sets OUT low at once.
      if (this.mode === 0) {
        this.heldCe = this.ce(t);
        this.armed = false;
      }
      return;
    } else {
      this.cr = (this.cr & 0xff) | (byte << 8);
      this.writeMsbNext = false;
    }
    this.countWritten(t);
  }

  /** A complete count has been written after tick t. */
  private countWritten(t: number): void {
    this.crWritten = true;
    this.nullCountUntil = Infinity;
    switch (this.mode) {
      case 0:
      case 4: // loaded on the next CLK pulse; counting proceeds while GATE is high
        this.load(t + 1);
        this.countedBase = 0;
        this.runStart = t + 1;
        this.running = this.gate;
        break;
      case 2:
      case 3:
        if (!this.gate) break; // loaded when GATE rises
        if (!this.armed || t < this.origin) {
          // The first count (or a second one before the first reached CE) loads on the next pulse.
          this.load(t + 1);
          this.running = true;
        } else {
          // Counting continues; the new count is loaded at the next reload (mode 2) or at
          // the end of the current half-cycle (mode 3).
          this.pendingCount = this.crCount;
          this.pendingAt = this.mode === 3 ? halfCycleEnd(this.origin, this.count, t)
            : this.count === 1 ? t + 1 // an (illegal) count of 1 reloads on every pulse
            : periodicRise(this.origin, this.count, t);
          this.nullCountUntil = this.pendingAt;
        }
        break;
      default: // 1 and 5 wait for a trigger on GATE
        break;
    }
  }

  /** Load CE from CR at tick `at` (the next CLK pulse); until then CE shows its old value. */
  private load(at: number): void {
    this.heldCe = this.ce(at - 1);
    this.heldOut = this.out(at - 1);
    this.origin = at;
    this.count = this.crCount;
    this.armed = true;
    this.pendingAt = Infinity;
    this.nullCountUntil = Math.min(this.nullCountUntil, at);
  }

  /** GATE changed after tick t (it is sampled on the next rising edge of CLK). */
  setGate(t: number, level: boolean): void {
    this.settle(t);
    if (level === this.gate) return;
    this.gate = level;
    switch (this.mode) {
      case 0:
      case 4: // GATE enables counting
        if (!this.armed) break;
        if (!level && this.running) {
          this.countedBase = this.counted(t);
          this.running = false;
        } else if (level) {
          this.runStart = Math.max(t, this.origin);
          this.running = true;
        }
        break;
      case 2:
      case 3: // low: stop, OUT high at once; rising edge: reload on the next CLK pulse
        if (!level) {
          if (this.armed) this.heldCe = this.ce(t);
          this.running = false;
          this.pendingAt = Infinity;
          if (this.nullCountUntil > t) this.nullCountUntil = Infinity;
        } else if (this.crWritten) {
          this.load(t + 1);
          this.running = true;
        }
        break;
      default: // 1 and 5: a rising edge (re)triggers, loading CE on the next CLK pulse
        if (level && this.crWritten) this.load(t + 1);
        break;
    }
  }

  saveState(): DeviceState {
    return {
      modeBits: this.modeBits, bcd: this.bcd, access: this.access, cr: this.cr, gate: this.gate,
      crWritten: this.crWritten, writeMsbNext: this.writeMsbNext, readMsbNext: this.readMsbNext,
      countLatch: this.countLatch, statusLatch: this.statusLatch,
      nullCountUntil: saveTick(this.nullCountUntil), armed: this.armed, origin: this.origin,
      count: this.count, heldCe: this.heldCe, heldOut: this.heldOut, running: this.running,
      countedBase: this.countedBase, runStart: this.runStart,
      pendingCount: this.pendingCount, pendingAt: saveTick(this.pendingAt),
    };
  }

  loadState(s: DeviceState): void {
    this.modeBits = s.modeBits as number;
    this.bcd = s.bcd as boolean;
    this.access = s.access as number;
    this.cr = s.cr as number;
    this.gate = s.gate as boolean;
    this.crWritten = s.crWritten as boolean;
    this.writeMsbNext = s.writeMsbNext as boolean;
    this.readMsbNext = s.readMsbNext as boolean;
    this.countLatch = s.countLatch as number | null;
    this.statusLatch = s.statusLatch as number | null;
    this.nullCountUntil = loadTick(s.nullCountUntil);
    this.armed = s.armed as boolean;
    this.origin = s.origin as number;
    this.count = s.count as number;
    this.heldCe = s.heldCe as number;
    this.heldOut = s.heldOut as boolean;
    this.running = s.running as boolean;
    this.countedBase = s.countedBase as number;
    this.runStart = s.runStart as number;
    this.pendingCount = s.pendingCount as number;
    this.pendingAt = loadTick(s.pendingAt);
  }
}

/**
 * Modes 2 and 3 with CE loaded with `n` at `origin`: OUT rises at origin + k*n (k >= 1), the
 * end of mode 2's one-clock low pulse and of mode 3's low half. The first such tick after `a`.
 * A mode 2 count of 1 (illegal) keeps OUT low, and a mode 3 count of 1 keeps it high.
 */
function periodicRise(origin: number, n: number, a: number): number {
  if (n <= 1) return Infinity;
  const k = a < origin ? 1 : Math.floor((a - origin) / n) + 1;
  return origin + k * n;
}

/** Mode 3: the first half-cycle boundary after tick `a` (a period starts high for ceil(n/2)). */
function halfCycleEnd(origin: number, n: number, a: number): number {
  const start = a < origin ? origin : origin + Math.floor((a - origin) / n) * n;
  const mid = start + Math.ceil(n / 2);
  return mid > a ? mid : start + n;
}

/** The 8254 as the PC wires it: counter 0 on IRQ0, counter 2's pins on port 0x61. */
export class Pit8254 implements Device, PitCounter2Pins {
  readonly name = "8254 PIT";
  /** Counters 0 and 1 have GATE tied high; counter 2's GATE comes from port 0x61 bit 0 (0 at reset). */
  readonly counters = [new PitCounter(true), new PitCounter(true), new PitCounter(false)];
  /** The last tick up to which counter 0's OUT has been passed on to IRQ0. */
  private lastTick = 0;
  /** The level IRQ0 is driven at. */
  private irqLevel = false;

  /**
   * @param irq0 counter 0's OUT
   * @param clock the current guest time in ns, read on port accesses (ports carry no time)
   */
  constructor(private readonly irq0: IrqLine, private readonly clock: () => number) {}

  reset(): void {
    for (const c of this.counters) c.reset();
    this.lastTick = pitTicks(this.clock());
    this.drive(false);
  }

  /** Pass counter 0's OUT up to tick t on to IRQ0: a rise since the last call becomes an edge. */
  private sync(t: number): void {
    if (t < this.lastTick) t = this.lastTick;
    const c0 = this.counters[0];
    if (c0.nextRise(this.lastTick) <= t) {
      if (this.irqLevel) this.irq0.set(false);
      this.irq0.set(true);
      this.irqLevel = true;
    }
    this.lastTick = t;
    this.drive(c0.out(t));
  }

  private drive(level: boolean): void {
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq0.set(level);
  }

  /** The guest time (ns) at which counter 0's OUT next rises, or Infinity. */
  nextEvent(_now: number): number {
    return pitTickTime(this.counters[0].nextRise(this.lastTick));
  }

  runUntil(now: number): void {
    this.sync(pitTicks(now));
  }

  /** Run `change` at the current tick, passing OUT0 on before and after it. */
  private at<T>(change: (t: number) => T): T {
    const t = Math.max(pitTicks(this.clock()), this.lastTick);
    this.sync(t);
    const result = change(t);
    this.drive(this.counters[0].out(t));
    return result;
  }

  /** A byte written to port 0x40-0x43. */
  writePort(port: number, value: number): void {
    value &= 0xff;
    const index = port & 3;
    this.at((t) => {
      if (index < 3) return this.counters[index].write(t, value);
      const sc = value >> 6;
      if (sc === 3) return this.readBack(t, value);
      const counter = this.counters[sc];
      const access = (value >> 4) & 3;
      if (access === 0) counter.latchCount(t);
      else counter.program(t, access, (value >> 1) & 7, (value & 1) !== 0);
    });
  }

  /** Read-back command: bit 5 = 0 latches counts, bit 4 = 0 latches status, bits 3-1 select. */
  private readBack(t: number, value: number): void {
    for (let i = 0; i < 3; i++) {
      if (!(value & (2 << i))) continue;
      const counter = this.counters[i];
      if (!(value & 0x20)) counter.latchCount(t);
      if (!(value & 0x10)) counter.latchStatus(t);
    }
  }

  /** A byte read from port 0x40-0x43 (the control word register reads as a floating bus). */
  readPort(port: number): number {
    const index = port & 3;
    if (index === 3) return 0xff;
    return this.at((t) => this.counters[index].read(t));
  }

  setGate2(level: boolean): void {
    this.at((t) => this.counters[2].setGate(t, level));
  }

  out2(): boolean {
    return this.at((t) => this.counters[2].out(t));
  }

  /** Claim ports 0x40-0x43. */
  attach(bus: PortBus): void {
    bus.register(this, 0x40, 4,
      (port, size: PortSize) => {
        let v = this.readPort(port);
        for (let i = 1; i < size; i++) v |= bus.read(port + i, 1) << (8 * i);
        return v >>> 0;
      },
      (port, value, size: PortSize) => {
        this.writePort(port, value & 0xff);
        for (let i = 1; i < size; i++) bus.write(port + i, (value >>> (8 * i)) & 0xff, 1);
      });
  }

  saveState(): DeviceState {
    return {
      counters: this.counters.map((c) => c.saveState()),
      lastTick: this.lastTick,
      irqLevel: this.irqLevel,
    };
  }

  loadState(state: DeviceState): void {
    const counters = state.counters as DeviceState[];
    this.counters.forEach((c, i) => c.loadState(counters[i]));
    this.lastTick = state.lastTick as number;
    this.irqLevel = state.irqLevel as boolean;
  }
}
