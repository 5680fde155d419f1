// 16550A UART (one serial port: COM1-4 on a PC).
//
// Datasheet: National Semiconductor PC16550D "Universal Asynchronous Receiver/Transmitter with
// FIFOs" (June 1995): the register descriptions (Line Control, Line Status, FIFO Control,
// Interrupt Identification, Interrupt Enable, Modem Control, Modem Status, Scratchpad, Divisor
// Latches) and Table IV "Interrupt Control Functions" for the interrupt priorities and what
// sets and clears each. PC wiring from the IBM PC/AT Technical Reference, "Serial/Parallel
// Adapter": OUT2 enables the IRQ driver; the reference clock is 1.8432 MHz, so the baud rate is
// 115200 / divisor.
//
// Timing in guest time:
// - Transmission is instantaneous: a byte written to THR goes to the SerialSink at once, and THR
//   and the transmitter are empty again (LSR THRE and TEMT always read 1). The THRE interrupt
//   keeps the datasheet's rules: set when THR empties (so again right after each THR write) and
//   when ETBEI is turned on, cleared by a THR write or by an IIR read that reports it.
// - Reception: bytes from the host (`receive`) wait "on the wire" and enter the receiver as fast
//   as it has room: the RBR in 16450 mode, the 16-byte FIFO in FIFO mode. So the guest sees data
//   as soon as it reads, trigger-level interrupts happen as soon as enough bytes are queued, and
//   the character timeout (FIFO mode: data in the FIFO, nothing read or received for 4
//   character times) is the only timed event, raised through nextEvent/runUntil. In loopback
//   mode the wire is disconnected and host bytes wait until loopback ends.
//
// Framing: the word length, parity and stop bits of LCR do not change the bytes: they pass to
// and from the host whole (a guest that never programs LCR, which resets to 5 data bits, still
// gets its text out), and a character always takes 10 bit times.
//
// Port handlers are not told the time, so a "restart the timeout timer" request is turned into
// a deadline at the next nextEvent(now) or runUntil(now) call; the machine calls nextEvent after
// port I/O, so the deadline starts at (or just after) the access that restarted it.

import type { Device, DeviceState, IrqLine, PortBus, PortSize, SerialSink } from "../machine/device.ts";

// Register offsets from the base port.
const REG_DATA = 0; // RBR (read) / THR (write); DLL when LCR.DLAB = 1
const REG_IER = 1; // DLM when LCR.DLAB = 1
const REG_IIR_FCR = 2;
const REG_LCR = 3;
const REG_MCR = 4;
const REG_LSR = 5;
const REG_MSR = 6;
const REG_SCR = 7;

// Interrupt Enable Register.
const IER_ERBFI = 0x01; // received data available (and character timeout)
const IER_ETBEI = 0x02; // transmitter holding register empty
const IER_ELSI = 0x04; // receiver line status
const IER_EDSSI = 0x08; // modem status

// Interrupt Identification Register, in priority order (Table IV).
const IIR_NO_INTERRUPT = 0x01;
const IIR_LINE_STATUS = 0x06; // highest
const IIR_RX_DATA = 0x04;
const IIR_CHAR_TIMEOUT = 0x0c;
const IIR_THR_EMPTY = 0x02;
const IIR_MODEM_STATUS = 0x00; // lowest
const IIR_FIFOS_ENABLED = 0xc0; // both bits set on a 16550A

// FIFO Control Register.
const FCR_ENABLE = 0x01;
const FCR_RX_RESET = 0x02;
const FCR_TX_RESET = 0x04;
const FCR_DMA_MODE = 0x08;
const FCR_TRIGGER = 0xc0;
const RX_TRIGGER_LEVELS = [1, 4, 8, 14];
const FIFO_SIZE = 16;

// Line Control Register.
const LCR_DLAB = 0x80;

// Modem Control Register (bits 5-7 read as 0 on a 16550A).
const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;
const MCR_MASK = 0x1f;

// Line Status Register.
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_PE = 0x04;
const LSR_FE = 0x08;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LSR_RX_FIFO_ERROR = 0x80;
const LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;
/** Errors that travel with a character through the FIFO (OE belongs to the receiver). */
const LSR_CHAR_ERRORS = LSR_PE | LSR_FE | LSR_BI;

// Modem Status Register.
const MSR_DCTS = 0x01;
const MSR_DDSR = 0x02;
const MSR_TERI = 0x04;
const MSR_DDCD = 0x08;
const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_RI = 0x40;
const MSR_DCD = 0x80;

/** Baud rate for divisor 1: a 1.8432 MHz clock divided by 16. */
export const UART_BASE_BAUD = 115200;
/** Start bit, 8 data bits and a stop bit: the brief fixes 10 bits per character. */
const BITS_PER_CHAR = 10;
/** The FIFO character timeout, in character times. */
const TIMEOUT_CHARS = 4;

/**
 * A received character as stored in the FIFO and on the wire: the byte in bits 0-7 and the LSR
 * error bits it carries (PE/FE/BI) in bits 8-15.
 */
type RxEntry = number;
const ERRORS_SHIFT = 8;

/** Modem input lines as seen at the connector (host side). */
export interface ModemInputs {
  cts?: boolean;
  dsr?: boolean;
  ri?: boolean;
  dcd?: boolean;
}

interface UartSnapshot {
  ier: number; lcr: number; mcr: number; scr: number; fcr: number; divisor: number;
  lineErrors: number; topErrorsReported: boolean; rbr: number;
  rx: RxEntry[]; wire: RxEntry[];
  thrInterrupt: boolean; timeoutInterrupt: boolean; timeoutRestart: boolean; timeoutDeadline: number | null;
  modemInputs: number; modemLines: number; modemDeltas: number;
}

export class Uart16550 implements Device {
  readonly name: string;

  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  /** FCR as last programmed: enable, DMA mode and trigger bits (the reset bits self-clear). */
  private fcr = 0;
  private divisor = 12;
  /** LSR bits 1-4 waiting to be read (cleared by an LSR read). */
  private lineErrors = 0;
  /** The errors of the character at the top of the FIFO were already reported by an LSR read. */
  private topErrorsReported = false;
  /** The last character read from RBR: what RBR reads when empty. */
  private rbr = 0;
  /** The receiver: RBR (one entry) in 16450 mode, the receive FIFO in FIFO mode. */
  private rx: RxEntry[] = [];
  /** Host bytes not yet received. */
  private wire: RxEntry[] = [];
  private wireHead = 0;
  /** The THRE interrupt latch (Table IV: set when THR empties, cleared by THR write or IIR read). */
  private thrInterrupt = false;
  private timeoutInterrupt = false;
  /** The timeout timer must restart at the next point where the time is known. */
  private timeoutRestart = false;
  private timeoutDeadline = Infinity;
  /** Modem inputs at the connector, as MSR bits 4-7. */
  private modemInputs = MSR_CTS | MSR_DSR | MSR_DCD;
  /** MSR bits 4-7 as the chip sees them (the inputs, or the MCR outputs in loopback). */
  private modemLines = 0;
  /** MSR bits 0-3. */
  private modemDeltas = 0;
  private irqLevel = false;

  constructor(readonly base: number, private readonly irq: IrqLine, private readonly sink: SerialSink) {
    this.name = `16550A UART (0x${base.toString(16)})`;
    this.reset();
  }

  attach(bus: PortBus): void {
    bus.register(this, this.base, 8, (port, size) => this.readPort(port, size), (port, value, size) => this.writePort(port, value, size));
  }

  /** Master reset (the MR pin). The divisor latch and scratchpad are not reset by MR. */
  reset(): void {
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.fcr = 0;
    this.lineErrors = 0;
    this.topErrorsReported = false;
    this.rx = [];
    this.thrInterrupt = false;
    this.timeoutInterrupt = false;
    this.timeoutRestart = false;
    this.timeoutDeadline = Infinity;
    this.modemLines = this.effectiveModemLines();
    this.modemDeltas = 0;
    this.fillReceiver();
    this.updateIrq();
  }

  // ---- host side ------------------------------------------------------------------------------

  /** Queue bytes arriving from the host (a string is sent as UTF-8). */
  receive(bytes: ArrayLike<number> | string): void {
    const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    for (let i = 0; i < data.length; i++) this.wire.push(data[i] & 0xff);
    this.fillReceiver();
    this.updateIrq();
  }

  /** A break condition on the line: received as a 0 character with BI and FE (datasheet, LSR4). */
  receiveBreak(): void {
    this.wire.push((LSR_BI | LSR_FE) << ERRORS_SHIFT);
    this.fillReceiver();
    this.updateIrq();
  }

  /** Drive the modem status inputs (CTS, DSR, RI, DCD); omitted lines keep their level. */
  setModemInputs(inputs: ModemInputs): void {
    const bit = (on: boolean | undefined, mask: number) =>
      on === undefined ? this.modemInputs & mask : on ? mask : 0;
    this.modemInputs = bit(inputs.cts, MSR_CTS) | bit(inputs.dsr, MSR_DSR) | bit(inputs.ri, MSR_RI) | bit(inputs.dcd, MSR_DCD);
    this.updateModemLines();
    this.updateIrq();
  }

  /** The modem control outputs (MCR bits; all inactive in loopback, where they are looped back). */
  get modemOutputs(): { dtr: boolean; rts: boolean; out1: boolean; out2: boolean } {
    const m = this.mcr & MCR_LOOP ? 0 : this.mcr;
    return { dtr: !!(m & MCR_DTR), rts: !!(m & MCR_RTS), out1: !!(m & MCR_OUT1), out2: !!(m & MCR_OUT2) };
  }

  /** Bytes still waiting on the wire (not yet in the receiver). */
  /** The guest's driver has enabled the received-data interrupt (it is ready for input). */
  get receiverInterruptEnabled(): boolean { return (this.ier & IER_ERBFI) !== 0; }

  get pendingInput(): number {
    return this.wire.length - this.wireHead;
  }

  /** Duration of one character (10 bits) at the programmed divisor, in ns. */
  get characterTimeNs(): number {
    const divisor = this.divisor === 0 ? 0x10000 : this.divisor;
    return (divisor * BITS_PER_CHAR * 1e9) / UART_BASE_BAUD;
  }

  // ---- scheduling -----------------------------------------------------------------------------

  nextEvent(now: number): number {
    this.startTimeoutTimer(now);
    return this.timeoutDeadline;
  }

  runUntil(now: number): void {
    this.startTimeoutTimer(now);
    if (now < this.timeoutDeadline) return;
    this.timeoutDeadline = Infinity;
    if (this.fifoEnabled && this.rx.length > 0) {
      this.timeoutInterrupt = true;
      this.updateIrq();
    }
  }

  private startTimeoutTimer(now: number): void {
    if (!this.timeoutRestart) return;
    this.timeoutRestart = false;
    this.timeoutDeadline = this.fifoEnabled && this.rx.length > 0 ? now + TIMEOUT_CHARS * this.characterTimeNs : Infinity;
  }

  /** A character was received or read: the timeout counts again from now (datasheet, FCR/IIR). */
  private restartTimeout(): void {
    this.timeoutRestart = true;
    this.timeoutDeadline = Infinity;
  }

  // ---- ports ----------------------------------------------------------------------------------

  private readPort(port: number, size: PortSize): number {
    // An 8-bit part on the ISA bus: wider accesses become byte accesses to consecutive ports.
    let value = 0;
    for (let i = 0; i < size; i++) {
      const offset = port - this.base + i;
      value |= (offset < 8 ? this.readRegister(offset) : 0xff) << (8 * i);
    }
    return value >>> 0;
  }

  private writePort(port: number, value: number, size: PortSize): void {
    for (let i = 0; i < size; i++) {
      const offset = port - this.base + i;
      if (offset < 8) this.writeRegister(offset, (value >>> (8 * i)) & 0xff);
    }
  }

  readRegister(offset: number): number {
    switch (offset) {
      case REG_DATA:
        return this.lcr & LCR_DLAB ? this.divisor & 0xff : this.readRbr();
      case REG_IER:
        return this.lcr & LCR_DLAB ? this.divisor >> 8 : this.ier;
      case REG_IIR_FCR:
        return this.readIir();
      case REG_LCR:
        return this.lcr;
      case REG_MCR:
        return this.mcr;
      case REG_LSR:
        return this.readLsr();
      case REG_MSR:
        return this.readMsr();
      case REG_SCR:
        return this.scr;
    }
    return 0xff;
  }

  writeRegister(offset: number, value: number): void {
    switch (offset) {
      case REG_DATA:
        if (this.lcr & LCR_DLAB) this.divisor = (this.divisor & 0xff00) | value;
        else this.writeThr(value);
        return;
      case REG_IER:
        if (this.lcr & LCR_DLAB) this.divisor = (this.divisor & 0x00ff) | (value << 8);
        else this.writeIer(value);
        return;
      case REG_IIR_FCR:
        this.writeFcr(value);
        return;
      case REG_LCR:
        this.lcr = value;
        return;
      case REG_MCR:
        this.writeMcr(value);
        return;
      case REG_LSR:
      case REG_MSR:
        return; // read-only here (the datasheet reserves LSR writes for factory test)
      case REG_SCR:
        this.scr = value;
        return;
    }
  }

  // ---- registers ------------------------------------------------------------------------------

  private get fifoEnabled(): boolean {
    return (this.fcr & FCR_ENABLE) !== 0;
  }

  private get loopback(): boolean {
    return (this.mcr & MCR_LOOP) !== 0;
  }

  private get rxCapacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  private get rxTriggerLevel(): number {
    return RX_TRIGGER_LEVELS[(this.fcr & FCR_TRIGGER) >> 6];
  }

  private readRbr(): number {
    if (this.rx.length === 0) return this.rbr;
    const entry = this.rx.shift()!;
    this.rbr = entry & 0xff;
    // A read clears the timeout interrupt and restarts the timer (datasheet, IIR bit 3).
    this.timeoutInterrupt = false;
    this.topErrorsReported = false;
    this.latchTopErrors();
    this.updateIrq(); // the data interrupt drops when the FIFO goes below the trigger level...
    this.fillReceiver(); // ...and rises again if the next bytes are already waiting
    this.restartTimeout();
    this.updateIrq();
    return this.rbr;
  }

  private writeThr(value: number): void {
    const byte = value & 0xff;
    this.thrInterrupt = false;
    this.updateIrq();
    if (this.loopback) this.receiveCharacter(byte);
    else this.sink.write(byte);
    // The byte has gone: THR (and the FIFO) are empty again, which sets the THRE interrupt.
    this.thrInterrupt = true;
    this.updateIrq();
  }

  private writeIer(value: number): void {
    const enabling = value & IER_ETBEI & ~this.ier;
    this.ier = value & 0x0f;
    // Turning ETBEI on while THR is empty (always, here) raises the THRE interrupt.
    if (enabling) this.thrInterrupt = true;
    this.updateIrq();
  }

  private writeFcr(value: number): void {
    const enable = value & FCR_ENABLE;
    if (enable !== (this.fcr & FCR_ENABLE)) {
      // Switching between 16450 and FIFO mode clears both FIFOs (datasheet, FCR0).
      this.clearReceiver();
    }
    if (enable) {
      // The other bits are programmed only together with FCR0 = 1.
      this.fcr = value & (FCR_ENABLE | FCR_DMA_MODE | FCR_TRIGGER);
      if (value & FCR_RX_RESET) this.clearReceiver();
      // FCR_TX_RESET needs nothing: the transmit FIFO is always empty here.
    } else {
      this.fcr &= ~FCR_ENABLE;
    }
    this.fillReceiver();
    this.restartTimeout();
    this.updateIrq();
  }

  private writeMcr(value: number): void {
    this.mcr = value & MCR_MASK;
    this.updateModemLines();
    this.fillReceiver(); // leaving loopback reconnects the wire
    this.updateIrq();
  }

  private readIir(): number {
    const id = this.pendingInterrupt();
    // Reading IIR clears the THRE interrupt only when IIR reports it (Table IV).
    if (id === IIR_THR_EMPTY) {
      this.thrInterrupt = false;
      this.updateIrq();
    }
    return id | (this.fifoEnabled ? IIR_FIFOS_ENABLED : 0);
  }

  private readLsr(): number {
    let value = LSR_THRE | LSR_TEMT | this.lineErrors;
    if (this.rx.length > 0) value |= LSR_DR;
    if (this.fifoEnabled) {
      // LSR7: a character with PE/FE/BI is in the FIFO, not counting one already reported.
      for (let i = this.topErrorsReported ? 1 : 0; i < this.rx.length; i++) {
        if (this.rx[i] >> ERRORS_SHIFT) { value |= LSR_RX_FIFO_ERROR; break; }
      }
    }
    if (this.rx.length > 0 && this.rx[0] >> ERRORS_SHIFT) this.topErrorsReported = true;
    this.lineErrors = 0;
    this.updateIrq();
    return value;
  }

  private readMsr(): number {
    const value = this.modemLines | this.modemDeltas;
    this.modemDeltas = 0;
    this.updateIrq();
    return value;
  }

  // ---- receiver -------------------------------------------------------------------------------

  private clearReceiver(): void {
    this.rx = [];
    this.timeoutInterrupt = false;
    this.topErrorsReported = false;
    this.timeoutDeadline = Infinity;
  }

  /** Move waiting host bytes into the receiver while it has room. */
  private fillReceiver(): void {
    if (this.loopback) return;
    while (this.rx.length < this.rxCapacity && this.wireHead < this.wire.length) {
      this.pushReceived(this.wire[this.wireHead++]);
    }
    if (this.wireHead > 4096 && this.wireHead * 2 > this.wire.length) {
      this.wire = this.wire.slice(this.wireHead);
      this.wireHead = 0;
    }
  }

  /** A character from the serial input (only loopback can overrun: the wire waits for room). */
  private receiveCharacter(entry: RxEntry): void {
    if (this.rx.length < this.rxCapacity) {
      this.pushReceived(entry);
    } else {
      this.lineErrors |= LSR_OE;
      // 16450 mode: the new character overwrites RBR. FIFO mode: the FIFO keeps its contents and
      // the character in the shift register is lost.
      if (!this.fifoEnabled) {
        this.rx[0] = entry;
        this.topErrorsReported = false;
        this.latchTopErrors();
      }
    }
  }

  private pushReceived(entry: RxEntry): void {
    this.rx.push(entry);
    if (this.rx.length === 1) this.latchTopErrors();
    this.restartTimeout();
  }

  /** PE/FE/BI show in LSR when their character reaches the top of the FIFO (or RBR). */
  private latchTopErrors(): void {
    if (this.rx.length > 0) this.lineErrors |= (this.rx[0] >> ERRORS_SHIFT) & LSR_CHAR_ERRORS;
  }

  // ---- modem lines ----------------------------------------------------------------------------

  private effectiveModemLines(): number {
    if (!this.loopback) return this.modemInputs;
    // Loopback: RTS -> CTS, DTR -> DSR, OUT1 -> RI, OUT2 -> DCD.
    return (this.mcr & MCR_RTS ? MSR_CTS : 0) | (this.mcr & MCR_DTR ? MSR_DSR : 0) |
      (this.mcr & MCR_OUT1 ? MSR_RI : 0) | (this.mcr & MCR_OUT2 ? MSR_DCD : 0);
  }

  private updateModemLines(): void {
    const lines = this.effectiveModemLines();
    const changed = lines ^ this.modemLines;
    if (changed & MSR_CTS) this.modemDeltas |= MSR_DCTS;
    if (changed & MSR_DSR) this.modemDeltas |= MSR_DDSR;
    if (changed & MSR_DCD) this.modemDeltas |= MSR_DDCD;
    if (changed & MSR_RI && !(lines & MSR_RI)) this.modemDeltas |= MSR_TERI; // trailing edge only
    this.modemLines = lines;
  }

  // ---- interrupts -----------------------------------------------------------------------------

  /** The highest-priority pending interrupt's IIR code (bits 0-3), or IIR_NO_INTERRUPT. */
  private pendingInterrupt(): number {
    if (this.ier & IER_ELSI && this.lineErrors & LSR_ERRORS) return IIR_LINE_STATUS;
    if (this.ier & IER_ERBFI) {
      const level = this.fifoEnabled ? this.rxTriggerLevel : 1;
      if (this.rx.length >= level) return IIR_RX_DATA;
      if (this.fifoEnabled && this.timeoutInterrupt && this.rx.length > 0) return IIR_CHAR_TIMEOUT;
    }
    if (this.ier & IER_ETBEI && this.thrInterrupt) return IIR_THR_EMPTY;
    if (this.ier & IER_EDSSI && this.modemDeltas) return IIR_MODEM_STATUS;
    return IIR_NO_INTERRUPT;
  }

  /**
   * The IRQ line: the chip's INTR output passes through a buffer that OUT2 enables, as on a PC.
   * In loopback the OUT2 pin is forced inactive (datasheet, MCR4), so the IRQ is cut off.
   */
  private updateIrq(): void {
    const gate = (this.mcr & (MCR_OUT2 | MCR_LOOP)) === MCR_OUT2;
    const level = gate && this.pendingInterrupt() !== IIR_NO_INTERRUPT;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq.set(level);
  }

  // ---- state ----------------------------------------------------------------------------------

  saveState(): DeviceState {
    const s: UartSnapshot = {
      ier: this.ier, lcr: this.lcr, mcr: this.mcr, scr: this.scr, fcr: this.fcr, divisor: this.divisor,
      lineErrors: this.lineErrors, topErrorsReported: this.topErrorsReported, rbr: this.rbr,
      rx: [...this.rx], wire: this.wire.slice(this.wireHead),
      thrInterrupt: this.thrInterrupt, timeoutInterrupt: this.timeoutInterrupt, timeoutRestart: this.timeoutRestart,
      timeoutDeadline: Number.isFinite(this.timeoutDeadline) ? this.timeoutDeadline : null,
      modemInputs: this.modemInputs, modemLines: this.modemLines, modemDeltas: this.modemDeltas,
    };
    return { ...s };
  }

  loadState(state: DeviceState): void {
    const s = state as unknown as UartSnapshot;
    this.ier = s.ier; this.lcr = s.lcr; this.mcr = s.mcr; this.scr = s.scr; this.fcr = s.fcr; this.divisor = s.divisor;
    this.lineErrors = s.lineErrors; this.topErrorsReported = s.topErrorsReported; this.rbr = s.rbr;
    this.rx = [...s.rx]; this.wire = [...s.wire]; this.wireHead = 0;
    this.thrInterrupt = s.thrInterrupt; this.timeoutInterrupt = s.timeoutInterrupt; this.timeoutRestart = s.timeoutRestart;
    this.timeoutDeadline = s.timeoutDeadline ?? Infinity;
    this.modemInputs = s.modemInputs; this.modemLines = s.modemLines; this.modemDeltas = s.modemDeltas;
    const gate = (this.mcr & (MCR_OUT2 | MCR_LOOP)) === MCR_OUT2;
    this.irqLevel = gate && this.pendingInterrupt() !== IIR_NO_INTERRUPT;
    this.irq.set(this.irqLevel);
  }
}
