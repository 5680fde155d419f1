// The PC/AT's two Intel 8237A DMA controllers and the DMA page registers.
//
// Sources: Intel 8237A High Performance Programmable DMA Controller data sheet (registers,
// commands, the byte pointer flip-flop, modes, autoinitialization, terminal count, the status
// register), the IBM PC AT Technical Reference "System Board" (the controllers' wiring: DMA 1 at
// I/O 00h-0Fh serves the 8-bit channels 0-3, DMA 2 at C0h-DEh (even addresses) the 16-bit
// channels 4-7 with channel 4 cascading DMA 1; the page registers at 80h-8Fh supply address bits
// A23-A16), and the Intel 82371SB PIIX3 data sheet (page registers readable, DMA 2's A0 ignored,
// the mask register readable at 0Fh/DEh).
//
// Addresses: an 8-bit channel's 16-bit address counter gives A15-A0 and its page register
// A23-A16; the page register is not counted, so a transfer that passes a 64 KiB boundary wraps
// to the start of the same 64 KiB page. A 16-bit channel counts words: its address counter gives
// A16-A1, the page register's bits 7-1 give A23-A17, it wraps within its 128 KiB page, and its
// count is in words.
//
// Transfers: a device raises its DREQ line (`setRequest`); when the channel is enabled (not
// masked, the controller not disabled, not in cascade mode) the controller calls the device's
// `dmaService`, in which the device moves its bytes with `transfer`, the way the 8237 would
// cycle between memory and the device. Single, block and demand modes all move data while the
// device requests it; the device ends a block or demand transfer by dropping DREQ. At terminal
// count (the count register passing 0 to FFFFh) the channel's TC status bit is set, an
// autoinitializing channel reloads its base address and count, and any other channel masks
// itself; `transfer` reports TC so the device can end its command (the 8237's EOP output is
// wired to the devices' TC input on a PC). Verify transfers count without touching memory.
// Not modelled: memory-to-memory transfers (channels 0 and 1 with command bit 0), transfer timing
// (the data moves at once), the cascade from DMA 1 through channel 4 (DMA 1 works whatever
// channel 4's mask and mode, as in QEMU; the AT's BIOS sets channel 4 to cascade anyway).
//
// Port 80h is the spare page register that firmware writes its POST codes to: a write there is
// stored like any page register and also reported through `onPost`.

import type { Device, DeviceState, PortBus, PortSize } from "../machine/device.ts";

/** Physical memory as the DMA controllers reach it (24-bit ISA addresses). */
export interface DmaMemory {
  read(addr: number, dst: Uint8Array): void;
  write(addr: number, src: Uint8Array): void;
}

/** A device on a DMA channel (its DREQ/DACK pair). */
export interface DmaDevice {
  /** The channel serves the device's request: move data with `Dma8237Pair.transfer` now. */
  dmaService(): void;
}

export interface DmaTransfer {
  /** Bytes moved. */
  count: number;
  /** The channel reached terminal count with the last of them. */
  tc: boolean;
}

// Mode register (bits 7-2; bits 1-0 select the channel when it is written).
const MODE_TYPE = 0x0c; // 00 verify, 04 write (device -> memory), 08 read (memory -> device)
const MODE_WRITE = 0x04;
const MODE_READ = 0x08;
const MODE_AUTOINIT = 0x10;
const MODE_DECREMENT = 0x20;
const MODE_SELECT = 0xc0; // 00 demand, 40 single, 80 block, C0 cascade
const MODE_CASCADE = 0xc0;

// Command register.
const CMD_DISABLE = 0x04;

/** Page register port (80h + index) of each channel. */
const PAGE_OF_CHANNEL = [0x07, 0x03, 0x01, 0x02, 0x0f, 0x0b, 0x09, 0x0a];

interface Channel {
  baseAddress: number;
  baseCount: number;
  address: number;
  count: number;
  mode: number;
}

function newChannel(): Channel {
  return { baseAddress: 0, baseCount: 0, address: 0, count: 0, mode: 0 };
}

/** One 8237A: four channels and the control registers. */
class Chip {
  channels = [newChannel(), newChannel(), newChannel(), newChannel()];
  command = 0;
  /** Bits 0-3: terminal count reached (cleared when read). */
  tcBits = 0;
  /** Software requests (request register), bits 0-3. */
  softRequest = 0;
  mask = 0x0f;
  flipFlop = false;
  temporary = 0;

  masterClear(): void {
    this.command = 0;
    this.tcBits = 0;
    this.softRequest = 0;
    this.mask = 0x0f;
    this.flipFlop = false;
    this.temporary = 0;
  }

  reset(): void {
    this.masterClear();
    this.channels = [newChannel(), newChannel(), newChannel(), newChannel()];
  }

  /** The next byte of a 16-bit register through the byte pointer flip-flop. */
  private byteOf(value: number): number {
    const b = this.flipFlop ? value >> 8 : value;
    this.flipFlop = !this.flipFlop;
    return b & 0xff;
  }

  private setByte(value: number, b: number): number {
    const v = this.flipFlop ? (value & 0x00ff) | (b << 8) : (value & 0xff00) | b;
    this.flipFlop = !this.flipFlop;
    return v;
  }

  /** Register `reg` (0-15) read; `dreq` is the devices' request lines (bits 0-3). */
  read(reg: number, dreq: number): number {
    if (reg < 8) {
      const c = this.channels[reg >> 1];
      return this.byteOf(reg & 1 ? c.count : c.address);
    }
    switch (reg) {
      case 8: {
        const v = this.tcBits | (((dreq | this.softRequest) & 0x0f) << 4);
        this.tcBits = 0;
        return v;
      }
      case 13: return this.temporary;
      case 15: return 0xf0 | this.mask;
      default: return 0xff;
    }
  }

  write(reg: number, v: number): void {
    if (reg < 8) {
      const c = this.channels[reg >> 1];
      const first = this.flipFlop;
      if (reg & 1) {
        c.baseCount = this.setByte(c.baseCount, v);
        c.count = first ? (c.count & 0x00ff) | (v << 8) : (c.count & 0xff00) | v;
      } else {
        c.baseAddress = this.setByte(c.baseAddress, v);
        c.address = first ? (c.address & 0x00ff) | (v << 8) : (c.address & 0xff00) | v;
      }
      return;
    }
    const ch = v & 3;
    switch (reg) {
      case 8: this.command = v; return;
      case 9: this.softRequest = v & 4 ? this.softRequest | (1 << ch) : this.softRequest & ~(1 << ch); return;
      case 10: this.mask = v & 4 ? this.mask | (1 << ch) : this.mask & ~(1 << ch); return;
      case 11: this.channels[ch].mode = v & 0xfc; return;
      case 12: this.flipFlop = false; return;
      case 13: this.masterClear(); return;
      case 14: this.mask = 0; return;
      case 15: this.mask = v & 0x0f; return;
    }
  }

  enabled(ch: number): boolean {
    return !(this.command & CMD_DISABLE) && !(this.mask & (1 << ch)) && (this.channels[ch].mode & MODE_SELECT) !== MODE_CASCADE;
  }

  save(): DeviceState {
    return {
      channels: this.channels.map((c) => ({ ...c })), command: this.command, tcBits: this.tcBits,
      softRequest: this.softRequest, mask: this.mask, flipFlop: this.flipFlop, temporary: this.temporary,
    };
  }

  load(s: DeviceState): void {
    this.channels = (s.channels as Channel[]).map((c) => ({ ...c }));
    this.command = s.command as number;
    this.tcBits = s.tcBits as number;
    this.softRequest = s.softRequest as number;
    this.mask = s.mask as number;
    this.flipFlop = s.flipFlop as boolean;
    this.temporary = s.temporary as number;
  }
}

export class Dma8237Pair implements Device {
  readonly name = "8237A DMA controllers";
  /** DMA 1 (channels 0-3, 8-bit) and DMA 2 (channels 4-7, 16-bit). */
  private readonly chips = [new Chip(), new Chip()];
  /** Page registers, ports 80h-8Fh. */
  readonly pages = new Uint8Array(16);
  /** DREQ lines, bit n = channel n. */
  private dreq = 0;
  private readonly devices: (DmaDevice | undefined)[] = new Array(8);
  private readonly serving: boolean[] = new Array(8).fill(false);
  /** A write to port 80h, where firmware shows its POST codes. */
  onPost: (code: number) => void = () => {};

  constructor(private readonly memory: DmaMemory) {}

  attach(bus: PortBus): void {
    bus.register(this, 0x00, 16, (p, size) => this.readPorts(p, size, (q) => this.readRegister(0, q)),
      (p, v, size) => this.writePorts(p, v, size, (q, b) => this.writeRegister(0, q, b)));
    // DMA 2: register n at C0h + 2n; address bit 0 is not decoded.
    bus.register(this, 0xc0, 32, (p, size) => this.readPorts(p, size, (q) => this.readRegister(1, (q - 0xc0) >> 1)),
      (p, v, size) => this.writePorts(p, v, size, (q, b) => this.writeRegister(1, (q - 0xc0) >> 1, b)));
    bus.register(this, 0x80, 16, (p, size) => this.readPorts(p, size, (q) => this.pages[q - 0x80]),
      (p, v, size) => this.writePorts(p, v, size, (q, b) => this.writePage(q - 0x80, b)));
  }

  /** Wider accesses reach consecutive ports, lowest first. */
  private readPorts(port: number, size: PortSize, one: (port: number) => number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= one(port + i) << (8 * i);
    return v >>> 0;
  }

  private writePorts(port: number, value: number, size: PortSize, one: (port: number, b: number) => void): void {
    for (let i = 0; i < size; i++) one(port + i, (value >>> (8 * i)) & 0xff);
  }

  private readRegister(chip: number, reg: number): number {
    return this.chips[chip].read(reg & 0x0f, (this.dreq >> (4 * chip)) & 0x0f);
  }

  private writeRegister(chip: number, reg: number, v: number): void {
    this.chips[chip].write(reg & 0x0f, v);
    // A channel may have just been enabled: serve the requests waiting for it.
    if (reg >= 8) for (let ch = 4 * chip; ch < 4 * chip + 4; ch++) this.service(ch);
  }

  private writePage(index: number, v: number): void {
    if (index === 0) this.onPost(v);
    this.pages[index] = v;
  }

  reset(): void {
    for (const c of this.chips) c.reset();
    this.pages.fill(0);
    this.dreq = 0;
  }

  // ---- the devices' side --------------------------------------------------------------------

  /** Wire `device` to channel `ch`'s DREQ/DACK. */
  connect(ch: number, device: DmaDevice): void {
    this.devices[ch] = device;
  }

  /** The device drives channel `ch`'s DREQ line. */
  setRequest(ch: number, on: boolean): void {
    this.dreq = on ? this.dreq | (1 << ch) : this.dreq & ~(1 << ch);
    if (on) this.service(ch);
  }

  /** Whether channel `ch` would move data now (enabled in its controller). */
  enabled(ch: number): boolean {
    return this.chips[ch >> 2].enabled(ch & 3);
  }

  private service(ch: number): void {
    const device = this.devices[ch];
    if (!device || !(this.dreq & (1 << ch)) || this.serving[ch] || !this.enabled(ch)) return;
    this.serving[ch] = true;
    try { device.dmaService(); } finally { this.serving[ch] = false; }
  }

  /**
   * Move up to `length` bytes of `buffer` from `offset` over channel `ch` in the direction its
   * mode says: a write transfer copies them to memory, a read transfer fills them from memory, a
   * verify transfer only counts. Stops at terminal count. A 16-bit channel moves whole words.
   */
  transfer(ch: number, buffer: Uint8Array, offset: number, length: number): DmaTransfer {
    const chip = this.chips[ch >> 2];
    const i = ch & 3;
    if (!chip.enabled(i)) return { count: 0, tc: false };
    const c = chip.channels[i];
    const wide = ch >= 4;
    const unit = wide ? 2 : 1;
    const units = Math.min(Math.floor(length / unit), c.count + 1);
    const type = c.mode & MODE_TYPE;
    const down = (c.mode & MODE_DECREMENT) !== 0;
    const page = this.pages[PAGE_OF_CHANNEL[ch]];
    // Physical address of address-counter value `a`.
    const physical = (a: number) => (wide ? ((page & 0xfe) << 16) | ((a & 0xffff) << 1) : (page << 16) | (a & 0xffff));
    if (type === MODE_WRITE || type === MODE_READ) {
      let done = 0;
      while (done < units) {
        // Contiguous units: up to the wrap of the address counter (or one at a time downwards).
        const a = (c.address + (down ? -done : done)) & 0xffff;
        const run = down ? 1 : Math.min(units - done, 0x10000 - a);
        const bytes = buffer.subarray(offset + done * unit, offset + (done + run) * unit);
        if (type === MODE_WRITE) this.memory.write(physical(a), bytes);
        else this.memory.read(physical(a), bytes);
        done += run;
      }
    }
    c.address = (c.address + (down ? -units : units)) & 0xffff;
    const tc = units === c.count + 1;
    c.count = (c.count - units) & 0xffff;
    if (tc) {
      chip.tcBits |= 1 << i;
      if (c.mode & MODE_AUTOINIT) { c.address = c.baseAddress; c.count = c.baseCount; }
      else chip.mask |= 1 << i;
    }
    return { count: units * unit, tc };
  }

  saveState(): DeviceState {
    return { chips: this.chips.map((c) => c.save()), pages: Array.from(this.pages), dreq: this.dreq };
  }

  loadState(s: DeviceState): void {
    (s.chips as DeviceState[]).forEach((c, i) => this.chips[i].load(c));
    this.pages.set(s.pages as number[]);
    this.dreq = s.dreq as number;
  }
}
