// Intel 8259A Programmable Interrupt Controller, as the PC/AT pair: the master at 0x20/0x21,
// the slave at 0xA0/0xA1 cascaded on the master's IR2, and the edge/level control registers
// (ELCR) at 0x4D0/0x4D1.
//
// Datasheet: Intel 8259A Programmable Interrupt Controller (order no. 231468), sections
// "Interrupt Sequence", "Programming the 8259A" (ICW1-ICW4, OCW1-OCW3), "Fully Nested Mode",
// "Special Fully Nested Mode", "Automatic Rotation", "Specific Rotation", "Special Mask Mode",
// "Poll Command", "Edge and Level Triggered Modes", "Reading the 8259A Status".
// ELCR: Intel 82371AB PIIX4 datasheet, section "ELCR1/ELCR2 - Edge/Level Triggered Control".
//
// Where this model chooses (the datasheet leaves it open or the emulator needs it):
// - An edge-triggered request is latched in IRR on the rising edge and stays until the INTA
//   cycle takes it, even if the input falls again (the datasheet asks that IR stay high until
//   INTA; latching lets devices use `IrqLine.pulse()`).
// - Power-on state (before ICW1): IMR = 0xFF, so an uninitialised chip delivers nothing.
// - ICW1 also clears IRR and ISR, so a re-initialised chip starts clean.
// - Vectors are always 8086-style (ICW2 base | level); the 8080/85 CALL sequence is not modelled.
// - The poll command sets the ISR bit like an INTA but never applies automatic EOI (AEOI acts at
//   the end of the second INTA pulse, which a poll read does not have).

import type { Device, DeviceState, IrqLine, PortBus, PortSize } from "../machine/device.ts";

/** Master IR2 carries the slave's INT output on the PC/AT. */
const CASCADE_IR = 2;
/** ELCR bits that must stay 0 (edge) on the PC: IRQ0, 1, 2 and IRQ8, 13 (PIIX4 datasheet). */
const ELCR_MASK_MASTER = 0xf8;
const ELCR_MASK_SLAVE = 0xde;

/** One 8259A. Inputs are IR0-IR7; the output is INT; `acknowledge()` is the INTA sequence. */
export class Pic8259 {
  /** Called whenever the INT output changes. */
  onIntChange: (level: boolean) => void = () => {};

  /** Interrupt mask register (OCW1). */
  imr = 0xff;
  /** In-service register. */
  isr = 0;
  /** Edge/level control (ELCR): a set bit makes that input level-triggered. */
  elcr = 0;

  /** Edge-triggered requests latched on a rising edge. */
  private edgeIrr = 0;
  /** Current levels of the IR inputs. */
  private lines = 0;
  /** Next initialisation word expected on the odd port: 0 = none, else 2, 3 or 4. */
  private initStep = 0;
  private icw1 = 0;
  private icw4 = 0;
  /** ICW2 & 0xF8: the vector of IR0. */
  vectorBase = 0;
  /** ICW3: on a master the inputs that have slaves, on a slave its cascade identity. */
  icw3 = 0;
  /** The input with the lowest priority (7 after ICW1; moved by the rotate commands). */
  lowestPriority = 7;
  private rotateInAutoEoi = false;
  private specialMask = false;
  /** OCW3 RIS: the even port reads ISR (true) or IRR (false). */
  private readIsr = false;
  /** OCW3 P: the next even-port read is a poll. */
  private pollPending = false;
  private output = false;

  constructor(readonly isMaster: boolean) {}

  /** Interrupt request register as the chip sees it: latched edges plus level inputs. */
  get irr(): number {
    const level = this.levelMask;
    return ((this.edgeIrr & ~level) | (this.lines & level)) & 0xff;
  }
  /** The INT output pin. */
  get int(): boolean { return this.output; }
  /** ICW1 LTIM makes every input level-triggered; otherwise the ELCR decides per input. */
  private get levelMask(): number { return this.icw1 & 0x08 ? 0xff : this.elcr; }
  private get single(): boolean { return (this.icw1 & 0x02) !== 0; }
  get autoEoi(): boolean { return (this.icw4 & 0x02) !== 0; }
  get specialFullyNested(): boolean { return (this.icw4 & 0x10) !== 0; }
  /** True when IR `level` has a slave behind it (master in cascade mode, ICW3 bit set). */
  isCascadeInput(level: number): boolean {
    return this.isMaster && !this.single && (this.icw3 & (1 << level)) !== 0;
  }

  reset(): void {
    this.imr = 0xff;
    this.isr = 0;
    this.elcr = 0;
    this.edgeIrr = 0;
    this.lines = 0;
    this.initStep = 0;
    this.icw1 = 0;
    this.icw4 = 0;
    this.vectorBase = 0;
    this.icw3 = 0;
    this.lowestPriority = 7;
    this.rotateInAutoEoi = false;
    this.specialMask = false;
    this.readIsr = false;
    this.pollPending = false;
    this.update();
  }

  /** Drive input IR`level`. Edge mode latches a request on the rising edge. */
  setInput(level: number, high: boolean): void {
    const bit = 1 << level;
    const wasHigh = (this.lines & bit) !== 0;
    if (high) {
      this.lines |= bit;
      if (!wasHigh && !(this.levelMask & bit)) this.edgeIrr |= bit;
    } else {
      this.lines &= ~bit;
    }
    this.update();
  }

  /** Set the ELCR (only the bits the PC allows to be level-triggered are writable). */
  setElcr(value: number): void {
    this.elcr = value & (this.isMaster ? ELCR_MASK_MASTER : ELCR_MASK_SLAVE);
    this.update();
  }

  /** The input with priority `rank` (0 = highest) under the current rotation. */
  private levelAt(rank: number): number {
    return (this.lowestPriority + 1 + rank) & 7;
  }

  /** Highest-priority set bit of `mask` under the current rotation, or -1. */
  private highest(mask: number): number {
    for (let rank = 0; rank < 8; rank++) {
      const level = this.levelAt(rank);
      if (mask & (1 << level)) return level;
    }
    return -1;
  }

  /**
   * The input that would be serviced now, or -1. Fully nested mode: a request must beat every
   * in-service level; special fully nested mode lets a slave's input through while it is in
   * service (a higher-priority request within that slave). Special mask mode: a request is held
   * back only by its own ISR bit.
   */
  resolve(): number {
    const requests = this.irr & ~this.imr;
    if (!requests) return -1;
    for (let rank = 0; rank < 8; rank++) {
      const level = this.levelAt(rank);
      const bit = 1 << level;
      if (this.specialMask) {
        if (requests & bit && !(this.isr & bit)) return level;
        continue;
      }
      if (this.isr & bit) {
        if (this.specialFullyNested && this.isCascadeInput(level) && requests & bit) return level;
        return -1;
      }
      if (requests & bit) return level;
    }
    return -1;
  }

  private update(): void {
    const out = this.resolve() >= 0;
    if (out !== this.output) {
      this.output = out;
      this.onIntChange(out);
    }
  }

  /**
   * The INTA sequence: the highest request moves from IRR to ISR (cleared again at once in AEOI
   * mode). Returns the level taken, or -1 when no request is left; the caller then supplies the
   * IR7 vector without setting an ISR bit (datasheet: "a DEFAULT IR7 will occur").
   */
  acknowledgeLevel(): number {
    const level = this.resolve();
    if (level < 0) return -1;
    const bit = 1 << level;
    this.edgeIrr &= ~bit;
    if (this.autoEoi) {
      if (this.rotateInAutoEoi) this.lowestPriority = level;
    } else {
      this.isr |= bit;
    }
    this.update();
    return level;
  }

  /** The vector this chip puts on the bus for `level` (level -1: the spurious IR7 vector). */
  vectorFor(level: number): number {
    return (this.vectorBase | (level < 0 ? 7 : level)) & 0xff;
  }

  /** A complete INTA sequence on a chip that answers with its own vector. */
  acknowledge(): number {
    return this.vectorFor(this.acknowledgeLevel());
  }

  // ---- the two ports -------------------------------------------------------------

  /** Write to the even port (A0 = 0): ICW1, OCW2 or OCW3. */
  writeCommand(value: number): void {
    value &= 0xff;
    if (value & 0x10) this.writeIcw1(value);
    else if (value & 0x08) this.writeOcw3(value);
    else this.writeOcw2(value);
    this.update();
  }

  /** Write to the odd port (A0 = 1): ICW2-ICW4 during initialisation, else OCW1 (the mask). */
  writeData(value: number): void {
    value &= 0xff;
    switch (this.initStep) {
      case 2:
        this.vectorBase = value & 0xf8;
        this.initStep = this.single ? (this.icw1 & 0x01 ? 4 : 0) : 3;
        break;
      case 3:
        this.icw3 = value;
        this.initStep = this.icw1 & 0x01 ? 4 : 0;
        break;
      case 4:
        this.icw4 = value & 0x1f;
        this.initStep = 0;
        break;
      default:
        this.imr = value;
    }
    this.update();
  }

  /** Read the even port: the poll word after a poll command, else IRR or ISR (OCW3). */
  readCommand(): number {
    if (this.pollPending) {
      this.pollPending = false;
      return this.poll();
    }
    return this.readIsr ? this.isr : this.irr;
  }

  /** Read the odd port: the interrupt mask. */
  readData(): number { return this.imr; }

  /**
   * ICW1 (datasheet "Initialization Command Words"): edge sense reset, IMR cleared, IR7 lowest
   * priority, special mask mode off, status read set to IRR, ICW4 functions zeroed if IC4 = 0.
   */
  private writeIcw1(value: number): void {
    this.icw1 = value;
    this.initStep = 2;
    this.imr = 0;
    this.isr = 0;
    this.edgeIrr = 0;
    this.lowestPriority = 7;
    this.specialMask = false;
    this.readIsr = false;
    this.pollPending = false;
    this.rotateInAutoEoi = false;
    if (!(value & 0x01)) this.icw4 = 0;
  }

  /** OCW2: R, SL, EOI in bits 7-5 and the level in bits 2-0. */
  private writeOcw2(value: number): void {
    const level = value & 7;
    switch (value >> 5) {
      case 0b001: { // non-specific EOI
        const top = this.highest(this.isr);
        if (top >= 0) this.isr &= ~(1 << top);
        break;
      }
      case 0b011: // specific EOI
        this.isr &= ~(1 << level);
        break;
      case 0b101: { // rotate on non-specific EOI
        const top = this.highest(this.isr);
        if (top >= 0) {
          this.isr &= ~(1 << top);
          this.lowestPriority = top;
        }
        break;
      }
      case 0b100: // rotate in automatic EOI mode (set)
        this.rotateInAutoEoi = true;
        break;
      case 0b000: // rotate in automatic EOI mode (clear)
        this.rotateInAutoEoi = false;
        break;
      case 0b111: // rotate on specific EOI
        this.isr &= ~(1 << level);
        this.lowestPriority = level;
        break;
      case 0b110: // set priority
        this.lowestPriority = level;
        break;
      default: // 0b010: no operation
        break;
    }
  }

  /** OCW3: ESMM/SMM in bits 6-5, P in bit 2, RR/RIS in bits 1-0. */
  private writeOcw3(value: number): void {
    if (value & 0x40) this.specialMask = (value & 0x20) !== 0;
    if (value & 0x04) this.pollPending = true;
    if (value & 0x02) this.readIsr = (value & 0x01) !== 0;
  }

  /**
   * Poll command: the read acts as an INTA (the ISR bit is set) and returns I (bit 7, a request
   * was present) with the level in bits 2-0; 0 when nothing is requesting.
   */
  private poll(): number {
    const level = this.resolve();
    if (level < 0) return 0;
    this.edgeIrr &= ~(1 << level);
    this.isr |= 1 << level;
    this.update();
    return 0x80 | level;
  }

  saveState(): DeviceState {
    return {
      imr: this.imr, isr: this.isr, elcr: this.elcr, edgeIrr: this.edgeIrr, lines: this.lines,
      initStep: this.initStep, icw1: this.icw1, icw3: this.icw3, icw4: this.icw4,
      vectorBase: this.vectorBase, lowestPriority: this.lowestPriority,
      rotateInAutoEoi: this.rotateInAutoEoi, specialMask: this.specialMask,
      readIsr: this.readIsr, pollPending: this.pollPending,
    };
  }

  /** Restore a snapshot. INT is recomputed silently: the caller re-announces its output. */
  loadState(s: DeviceState): void {
    this.imr = s.imr as number;
    this.isr = s.isr as number;
    this.elcr = s.elcr as number;
    this.edgeIrr = s.edgeIrr as number;
    this.lines = s.lines as number;
    this.initStep = s.initStep as number;
    this.icw1 = s.icw1 as number;
    this.icw3 = s.icw3 as number;
    this.icw4 = s.icw4 as number;
    this.vectorBase = s.vectorBase as number;
    this.lowestPriority = s.lowestPriority as number;
    this.rotateInAutoEoi = s.rotateInAutoEoi as boolean;
    this.specialMask = s.specialMask as boolean;
    this.readIsr = s.readIsr as boolean;
    this.pollPending = s.pollPending as boolean;
    this.output = this.resolve() >= 0;
  }
}

/**
 * The PC/AT's two 8259As: IRQ0-7 on the master, IRQ8-15 on the slave, whose INT drives the
 * master's IR2. Implements the CPU's interrupt source: `acknowledge()` runs the INTA sequence.
 */
export class DualPic implements Device {
  readonly name = "8259A PIC pair";
  readonly master = new Pic8259(true);
  readonly slave = new Pic8259(false);
  /** Called whenever the master's INT output (the CPU's INTR pin) changes. */
  onOutputChange: (pending: boolean) => void = () => {};
  private readonly lines: IrqLine[] = [];

  constructor() {
    this.master.onIntChange = (level) => this.onOutputChange(level);
    this.slave.onIntChange = (level) => this.master.setInput(CASCADE_IR, level);
    for (let n = 0; n < 16; n++) {
      this.lines.push({
        set: (level) => this.setIrq(n, level),
        pulse: () => { this.setIrq(n, true); this.setIrq(n, false); },
      });
    }
  }

  /** The master's INT output. */
  get pending(): boolean { return this.master.int; }

  /**
   * The line object for IRQ `n` (0-15). IRQ2 is the cascade input and cannot be driven: on the
   * AT bus a card's IRQ2 pin is wired to IRQ9.
   */
  irq(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n > 15) throw new RangeError(`no IRQ ${n} on the 8259A pair`);
    if (n === CASCADE_IR) throw new RangeError("IRQ2 is the 8259A cascade input; AT-bus IRQ2 is wired to IRQ9");
    return this.lines[n];
  }

  /** Drive IRQ `n` directly (the same as `irq(n).set(level)`). */
  setIrq(n: number, level: boolean): void {
    if (n < 8) this.master.setInput(n, level);
    else this.slave.setInput(n - 8, level);
  }

  /**
   * The CPU takes an interrupt: the INTA sequence on the master and, when the master picks a
   * cascade input, on the slave, which supplies the vector. Returns -1 when the INTR pin is low
   * (the CPU would run no INTA cycle). A request that vanished after INTR was raised gives the
   * spurious vector: base + 7 with no ISR bit on the master; for a slave request, the master's
   * IR2 is taken (ISR bit 2 set) and the slave answers with its base + 7 ("spurious IRQ15").
   */
  acknowledge(): number {
    if (!this.master.int) return -1;
    const level = this.master.acknowledgeLevel();
    if (level < 0 || !this.master.isCascadeInput(level)) return this.master.vectorFor(level);
    const vector = this.slave.acknowledge();
    // The slave's INT is released during INTA; if another slave request qualifies it is raised
    // again afterwards, which the master's edge-triggered IR2 must see as a new edge.
    this.master.setInput(CASCADE_IR, false);
    this.master.setInput(CASCADE_IR, this.slave.int);
    return vector;
  }

  reset(): void {
    this.master.reset();
    this.slave.reset();
  }

  /** Claim 0x20-0x21 (master), 0xA0-0xA1 (slave) and 0x4D0-0x4D1 (ELCR). */
  attach(bus: PortBus): void {
    const wide = (port: number, size: PortSize, first: number): number => {
      let v = first;
      for (let i = 1; i < size; i++) v |= bus.read(port + i, 1) << (8 * i);
      return v >>> 0;
    };
    const split = (port: number, value: number, size: PortSize, first: (v: number) => void): void => {
      first(value & 0xff);
      for (let i = 1; i < size; i++) bus.write(port + i, (value >>> (8 * i)) & 0xff, 1);
    };
    const chip = (port: number) => (port & 0x80 ? this.slave : this.master);
    const readChip = (port: number) => (port & 1 ? chip(port).readData() : chip(port).readCommand());
    const writeChip = (port: number, v: number) => (port & 1 ? chip(port).writeData(v) : chip(port).writeCommand(v));
    const elcrChip = (port: number) => (port & 1 ? this.slave : this.master);
    for (const first of [0x20, 0xa0]) {
      bus.register(this, first, 2,
        (port, size) => wide(port, size, readChip(port)),
        (port, value, size) => split(port, value, size, (v) => writeChip(port, v)));
    }
    bus.register(this, 0x4d0, 2,
      (port, size) => wide(port, size, elcrChip(port).elcr),
      (port, value, size) => split(port, value, size, (v) => elcrChip(port).setElcr(v)));
  }

  saveState(): DeviceState {
    return { master: this.master.saveState(), slave: this.slave.saveState() };
  }

  loadState(state: DeviceState): void {
    this.master.loadState(state.master as DeviceState);
    this.slave.loadState(state.slave as DeviceState);
    this.onOutputChange(this.master.int);
  }
}
