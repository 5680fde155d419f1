// PCI configuration space on the PC: configuration mechanism #1 (ports 0xCF8/0xCFC), the
// configuration header every function has, and the three functions of an i440FX/PIIX3 board:
// the 82441FX host bridge (00:00.0), the PIIX3 PCI-to-ISA bridge (00:01.0) with its reset
// control register at port 0xCF9, and the PIIX3 IDE controller (00:01.1).
//
// Sources:
// - PCI Local Bus Specification 2.1/2.2: section 3.2.2.3.2 "Software Generation of
//   Configuration Transactions" (CONFIG_ADDRESS at 0xCF8, CONFIG_DATA at 0xCFC, only a dword
//   access to 0xCF8 touches CONFIG_ADDRESS, enable bit 31, bus/device/function/register
//   fields), section 6.1 (a read of an absent function returns all ones: master abort), 6.2
//   (the header: IDs, Command, Status with its write-1-to-clear bits, Header Type bit 7 =
//   multi-function) and 6.2.5.1 (BAR size probing: write all ones, read back, the hardwired
//   zero bits give the size).
// - Intel 440FX PCIset 82441FX PMC / 82442FX DBX datasheet (order no. 290549), section 3.2
//   "PCI Configuration Registers": PAM0-PAM6 (0x59-0x5F), SMRAM (0x72), DRB, defaults.
// - Intel 82371FB (PIIX) and 82371SB (PIIX3) PCI ISA IDE Xcelerator datasheet (order no.
//   290550): function 0 registers (PIRQRC[A:D] 0x60-0x63, TOM 0x69, ...), the Reset Control
//   register at I/O 0xCF9, and function 1 (IDE): PCICMD, BMIBA (0x20), IDETIM (0x40-0x43),
//   SIDETIM (0x44) and the bus master IDE I/O registers.
//
// Where this model chooses:
// - Only bus 0 is populated (there are no PCI-to-PCI bridges). CONFIG_ADDRESS keeps bits 31 and
//   23-2; bits 30-24 and 1-0 read as 0.
// - A CONFIG_DATA access that would run past 0xCFF is cut at the dword: the bytes beyond read as
//   0xFF (nothing else decodes 0xD00 and up on this machine).
// - IDETIM bit 15 (IDE decode enable) is set for both channels at reset: there is no BIOS in a
//   direct Linux boot to set it, and ata_piix skips a channel whose bit is clear.
// - RCR keeps only bit 1 (system reset type); bit 2 (reset CPU) triggers `onReset` on every write
//   that sets it (it cannot stay set: the CPU restarts).

import type { Device, DeviceState, PortBus, PortSize } from "../machine/device.ts";

/** Configuration header offsets (PCI 2.2, section 6.2). */
export const PCI_VENDOR_ID = 0x00;
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_REVISION_ID = 0x08;
export const PCI_CLASS_PROG = 0x09;
export const PCI_LATENCY_TIMER = 0x0d;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BAR0 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_ROM_ADDRESS = 0x30;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;

/** Command register bits. */
export const PCI_COMMAND_IO = 0x0001;
export const PCI_COMMAND_MEMORY = 0x0002;
export const PCI_COMMAND_MASTER = 0x0004;
/** Expansion ROM BAR: the enable bit, and the address bits (PCI 2.2, 6.2.5.2). */
const PCI_ROM_ENABLE = 0x1;
const PCI_ROM_ADDRESS_MASK = 0xfffff800;
/** Index of the expansion ROM in `onBarChange` (after BAR0-5). */
export const PCI_ROM_BAR = 6;
/** Status bits that software clears by writing 1 (parity, SERR, aborts). */
const PCI_STATUS_W1C = 0xf900;

export const CONFIG_ADDRESS_PORT = 0xcf8;
export const CONFIG_DATA_PORT = 0xcfc;
export const RESET_CONTROL_PORT = 0xcf9;
const CONFIG_ENABLE = 0x80000000;
/** CONFIG_ADDRESS bits that exist: enable, bus, device, function, dword register. */
const CONFIG_ADDRESS_MASK = 0x80fffffc;

/** A function on the PCI bus as configuration mechanism #1 sees it. */
export interface PciDevice extends Device {
  /**
   * Read `size` bytes of configuration space at `offset` (0-255; the access never crosses a
   * dword), little-endian.
   */
  readConfig(offset: number, size: PortSize): number;
  /** Write `size` bytes of configuration space at `offset` (never crossing a dword). */
  writeConfig(offset: number, value: number, size: PortSize): void;
}

/** A Base Address Register: an I/O or 32-bit memory window of a power-of-two size. */
export interface PciBar {
  kind: "io" | "memory";
  /** Bytes decoded: a power of two (at least 4 for I/O, 16 for memory). */
  size: number;
  prefetchable?: boolean;
  /** Address bits the register implements beyond the size (default all 32). */
  addressLimit?: number;
  /** Value after reset (default 0, plus the type bits). */
  initial?: number;
}

/** The identity of a function: what its header's read-only fields say. */
export interface PciIdentity {
  vendor: number;
  device: number;
  revision: number;
  /** Class, subclass and programming interface as one 24-bit number, e.g. 0x060000. */
  classCode: number;
  /** Header type byte (bit 7: the device has more functions). Default 0x00. */
  headerType?: number;
  /** Interrupt pin: 1-4 for INTA#-INTD#, 0 for none (default). */
  interruptPin?: number;
  subsystemVendor?: number;
  subsystem?: number;
}

/**
 * A function's 256-byte configuration space with per-byte write masks and write-1-to-clear
 * masks; subclasses set their registers with `defineRegister` and react to writes in
 * `configWritten`. A write keeps the read-only bits: new = (old & ~mask) | (value & mask), then
 * clears the W1C bits written as 1.
 */
export class PciFunction implements PciDevice {
  /** Configuration space as the guest reads it. */
  readonly config = new Uint8Array(256);
  /** Bits the guest can write, per byte. */
  readonly writeMask = new Uint8Array(256);
  /** Bits the guest clears by writing 1, per byte. */
  readonly clearMask = new Uint8Array(256);
  /** Base address registers 0-5 (undefined: not implemented, reads 0). */
  readonly bars: (PciBar | undefined)[] = new Array(6).fill(undefined);
  /** Bytes of the expansion ROM (0: none). */
  romSize = 0;
  /**
   * Called when a BAR's decoded address changes (undefined: not decoded, e.g. IOSE off); index
   * PCI_ROM_BAR is the expansion ROM.
   */
  onBarChange: (index: number, address: number | undefined) => void = () => {};

  private readonly initial = new Uint8Array(256);
  private readonly decoded: (number | undefined)[] = new Array(7).fill(undefined);

  constructor(readonly name: string, id: PciIdentity) {
    this.defineRegister(PCI_VENDOR_ID, 2, id.vendor);
    this.defineRegister(PCI_DEVICE_ID, 2, id.device);
    this.defineRegister(PCI_REVISION_ID, 1, id.revision);
    this.defineRegister(PCI_CLASS_PROG, 3, id.classCode);
    this.defineRegister(PCI_HEADER_TYPE, 1, id.headerType ?? 0);
    this.defineRegister(PCI_STATUS, 2, 0, 0, PCI_STATUS_W1C);
    if (id.subsystemVendor !== undefined) this.defineRegister(PCI_SUBSYSTEM_VENDOR_ID, 2, id.subsystemVendor);
    if (id.subsystem !== undefined) this.defineRegister(PCI_SUBSYSTEM_VENDOR_ID + 2, 2, id.subsystem);
    if (id.interruptPin) {
      this.defineRegister(PCI_INTERRUPT_LINE, 1, 0, 0xff);
      this.defineRegister(PCI_INTERRUPT_PIN, 1, id.interruptPin);
    }
  }

  /**
   * Set a register of `size` bytes (1-4) at `offset`: its reset value, writable bits and
   * write-1-to-clear bits. Used by subclasses in their constructors.
   */
  protected defineRegister(offset: number, size: number, initial: number, writable = 0, clear = 0): void {
    for (let i = 0; i < size; i++) {
      const shift = 8 * i;
      this.initial[offset + i] = (initial >>> shift) & 0xff;
      this.config[offset + i] = (initial >>> shift) & 0xff;
      this.writeMask[offset + i] = (writable >>> shift) & 0xff;
      this.clearMask[offset + i] = (clear >>> shift) & 0xff;
    }
  }

  /**
   * Implement BAR `index` (0-5). Its writable bits are the address bits above the size, so
   * writing all ones and reading back gives ~(size - 1) plus the type bits (PCI 2.2, 6.2.5.1).
   */
  protected defineBar(index: number, bar: PciBar): void {
    if (bar.size & (bar.size - 1) || bar.size < (bar.kind === "io" ? 4 : 16)) throw new RangeError(`${this.name}: BAR${index} size ${bar.size}`);
    const typeBits = bar.kind === "io" ? 0x1 : bar.prefetchable ? 0x8 : 0x0;
    const limit = bar.addressLimit ?? 0xffffffff;
    const writable = (~(bar.size - 1) & limit & (bar.kind === "io" ? ~0x3 : ~0xf)) >>> 0;
    this.bars[index] = bar;
    this.defineRegister(PCI_BAR0 + 4 * index, 4, (((bar.initial ?? 0) & writable) | typeBits) >>> 0, writable);
  }

  /**
   * Implement the expansion ROM BAR for a ROM of `size` bytes (a power of two, at least 2 KiB):
   * the address bits above the size and the enable bit are writable (PCI 2.2, 6.2.5.2).
   */
  protected defineRomBar(size: number): void {
    if (size & (size - 1) || size < 0x800) throw new RangeError(`${this.name}: ROM size ${size}`);
    this.romSize = size;
    this.defineRegister(PCI_ROM_ADDRESS, 4, 0, ((~(size - 1) & PCI_ROM_ADDRESS_MASK) | PCI_ROM_ENABLE) >>> 0);
  }

  reset(): void {
    this.config.set(this.initial);
    this.updateBars();
  }

  readConfig(offset: number, size: PortSize): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.config[offset + i] << (8 * i);
    return this.configRead(offset, size, v >>> 0) >>> 0;
  }

  writeConfig(offset: number, value: number, size: PortSize): void {
    const old = this.readConfig(offset, size);
    for (let i = 0; i < size; i++) {
      const at = offset + i;
      const byte = (value >>> (8 * i)) & 0xff;
      const mask = this.writeMask[at];
      this.config[at] = ((this.config[at] & ~mask) | (byte & mask)) & ~(byte & this.clearMask[at]);
    }
    if ((offset < PCI_BAR0 + 24 && offset + size > PCI_COMMAND) || (offset < PCI_ROM_ADDRESS + 4 && offset + size > PCI_ROM_ADDRESS)) this.updateBars();
    this.configWritten(offset, size, old);
  }

  /** Read hook: what the guest sees of `size` bytes at `offset` whose stored value is `value`. */
  protected configRead(_offset: number, _size: PortSize, value: number): number {
    return value;
  }

  /** Write hook: `size` bytes at `offset` were written; `old` is what they read before. */
  protected configWritten(_offset: number, _size: PortSize, _old: number): void {}

  /** A 1/2/4-byte register's current value. */
  register(offset: number, size: PortSize): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.config[offset + i] << (8 * i);
    return v >>> 0;
  }

  /**
   * The address BAR `index` decodes now, or undefined (not implemented, or space disabled).
   * PCI_ROM_BAR: the expansion ROM, decoded while its enable bit and memory space are on.
   */
  barAddress(index: number): number | undefined {
    if (index === PCI_ROM_BAR) {
      const raw = this.register(PCI_ROM_ADDRESS, 4);
      return this.romSize && raw & PCI_ROM_ENABLE && this.register(PCI_COMMAND, 2) & PCI_COMMAND_MEMORY ? (raw & PCI_ROM_ADDRESS_MASK) >>> 0 : undefined;
    }
    const bar = this.bars[index];
    if (!bar) return undefined;
    const command = this.register(PCI_COMMAND, 2);
    const raw = this.register(PCI_BAR0 + 4 * index, 4);
    if (bar.kind === "io") return command & PCI_COMMAND_IO ? (raw & ~0x3) >>> 0 : undefined;
    return command & PCI_COMMAND_MEMORY ? (raw & ~0xf) >>> 0 : undefined;
  }

  private updateBars(): void {
    for (let i = 0; i <= PCI_ROM_BAR; i++) {
      const address = this.barAddress(i);
      if (address !== this.decoded[i]) {
        this.decoded[i] = address;
        this.onBarChange(i, address);
      }
    }
  }

  saveState(): DeviceState {
    return { config: Array.from(this.config) };
  }

  loadState(state: DeviceState): void {
    this.config.set(state.config as number[]);
    this.updateBars();
  }
}

/** Key of a function in the bus's table. */
function slot(bus: number, device: number, fn: number): number {
  return (bus << 8) | (device << 3) | fn;
}

/**
 * The host's configuration mechanism #1 and the functions on bus 0. The machine lists this one
 * Device: its reset and state cover every function added to it.
 */
export class PciBus implements Device {
  readonly name = "PCI configuration mechanism #1";
  /** CONFIG_ADDRESS (0xCF8). */
  address = 0;
  private readonly functions = new Map<number, PciDevice>();

  /** Put `fn` at bus 0, device `device` (0-31), function `func` (0-7). */
  add(fn: PciDevice, device: number, func = 0): void {
    if (!(device >= 0 && device < 32 && func >= 0 && func < 8)) throw new RangeError(`no PCI slot ${device}.${func}`);
    const key = slot(0, device, func);
    const taken = this.functions.get(key);
    if (taken) throw new Error(`PCI 00:${hex2(device)}.${func} is taken by ${taken.name}`);
    this.functions.set(key, fn);
  }

  /** The function at bus:device.function, or undefined. */
  get(bus: number, device: number, func: number): PciDevice | undefined {
    return this.functions.get(slot(bus, device, func));
  }

  /** Claim 0xCF8 (CONFIG_ADDRESS, dword only), 0xCFA-0xCFB (nothing there) and 0xCFC-0xCFF. */
  attach(bus: PortBus): void {
    bus.register(this, CONFIG_ADDRESS_PORT, 1,
      (_port, size) => (size === 4 ? this.address : ones(size)),
      (_port, value, size) => { if (size === 4) this.address = (value & CONFIG_ADDRESS_MASK) >>> 0; });
    // A byte or word access to 0xCF8-0xCFB is an ordinary I/O cycle (0xCF9 is PIIX3's RCR).
    bus.register(this, CONFIG_ADDRESS_PORT + 2, 2, (_port, size) => ones(size), () => {});
    bus.register(this, CONFIG_DATA_PORT, 4,
      (port, size) => this.readData(port, size),
      (port, value, size) => this.writeData(port, value, size));
  }

  /** Read through CONFIG_DATA: port 0xCFC-0xCFF selects the byte within the dword. */
  readData(port: number, size: PortSize): number {
    const lane = port & 3;
    if (lane + size <= 4) return this.read(lane, size);
    let v = 0;
    for (let i = 0; i < size; i++) v |= (lane + i < 4 ? this.read(lane + i, 1) : 0xff) << (8 * i);
    return v >>> 0;
  }

  writeData(port: number, value: number, size: PortSize): void {
    const lane = port & 3;
    if (lane + size <= 4) return this.write(lane, value, size);
    for (let i = 0; lane + i < 4; i++) this.write(lane + i, (value >>> (8 * i)) & 0xff, 1);
  }

  /** The function CONFIG_ADDRESS selects, or undefined (disabled, absent, or not bus 0). */
  private target(): PciDevice | undefined {
    const a = this.address;
    if (!(a & CONFIG_ENABLE)) return undefined;
    return this.functions.get((a >>> 8) & 0xffff);
  }

  private read(lane: number, size: PortSize): number {
    const fn = this.target();
    // Disabled: the cycle goes to the I/O bus, where nothing answers. Absent: master abort.
    if (!fn) return ones(size);
    return fn.readConfig((this.address & 0xfc) + lane, size);
  }

  private write(lane: number, value: number, size: PortSize): void {
    this.target()?.writeConfig((this.address & 0xfc) + lane, value, size);
  }

  /** Config space access by bus/device/function, as the host side (tests, a BIOS loader). */
  configRead(bus: number, device: number, func: number, offset: number, size: PortSize): number {
    const fn = this.get(bus, device, func);
    return fn ? fn.readConfig(offset, size) : ones(size);
  }

  configWrite(bus: number, device: number, func: number, offset: number, value: number, size: PortSize): void {
    this.get(bus, device, func)?.writeConfig(offset, value, size);
  }

  reset(): void {
    this.address = 0;
    for (const fn of this.functions.values()) fn.reset();
  }

  saveState(): DeviceState {
    const functions: Record<string, DeviceState> = {};
    for (const [key, fn] of this.functions) functions[key] = fn.saveState();
    return { address: this.address, functions };
  }

  loadState(state: DeviceState): void {
    this.address = state.address as number;
    const functions = state.functions as Record<string, DeviceState>;
    for (const [key, fn] of this.functions) if (functions[key]) fn.loadState(functions[key]);
  }
}

function ones(size: PortSize): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

// ---- 82441FX host bridge (00:00.0) --------------------------------------------------------------

/** The subsystem IDs QEMU gives its PCI functions (Red Hat, "QEMU virtual machine"). */
export const QEMU_SUBSYSTEM_VENDOR = 0x1af4;
export const QEMU_SUBSYSTEM = 0x1100;

/** PAM0 (0xF0000-0xFFFFF, high nibble only) to PAM6. */
export const I440FX_PAM = 0x59;
export const I440FX_PAM_COUNT = 7;
export const I440FX_SMRAM = 0x72;
/** SMRAM bits: D_OPEN, D_CLS, D_LCK, G_SMRAME; C_BASE_SEG (bits 2-0) is fixed at 010 (0xA0000). */
const SMRAM_D_OPEN = 0x40;
const SMRAM_D_LCK = 0x10;
const SMRAM_G_SMRAME = 0x08;

/**
 * The 82441FX PCI and Memory Controller as function 00:00.0. The PAM registers choose, for each
 * 16 KiB (PAM1-6) or 64 KiB (PAM0) block of 0xC0000-0xFFFFF, whether reads and writes go to DRAM
 * (bit 0/4 read enable, bit 1/5 write enable; the low nibble is the lower block); the machine maps
 * them through `onPam`.
 */
export class I440fxHostBridge extends PciFunction {
  /** A PAM register changed: index 0-6 (register 0x59 + index) and its new value. */
  onPam: (index: number, value: number) => void = () => {};
  /** The SMRAM control register changed. */
  onSmram: (value: number) => void = () => {};

  constructor() {
    // Subsystem 1AF4:1100 ("QEMU virtual machine") as QEMU's i440FX has it: SeaBIOS recognises
    // the board it knows by it (src/fw/paravirt.c, qemu_detect) and only then reads the memory
    // size from CMOS and sets up PCI. The 82441FX itself leaves 0x2C-0x2F reserved (zero).
    super("i440FX host bridge (PCI 00:00.0)", {
      vendor: 0x8086, device: 0x1237, revision: 0x02, classCode: 0x060000, subsystemVendor: QEMU_SUBSYSTEM_VENDOR, subsystem: QEMU_SUBSYSTEM,
    });
    // PCICMD: MAE and BME are hardwired on; only SERR# enable is writable.
    this.defineRegister(PCI_COMMAND, 2, 0x0006, 0x0100);
    this.defineRegister(PCI_STATUS, 2, 0x0280, 0, PCI_STATUS_W1C);
    this.defineRegister(PCI_LATENCY_TIMER, 1, 0x00, 0xf8);
    this.defineRegister(0x50, 2, 0x0000, 0xf3ff); // PMCCFG
    this.defineRegister(0x52, 1, 0x80, 0xff); // DETURBO
    this.defineRegister(0x53, 1, 0x80, 0xff); // DBC
    this.defineRegister(0x54, 1, 0x00, 0xff); // AXC
    this.defineRegister(0x55, 2, 0x0000, 0xffff); // DRT
    this.defineRegister(0x57, 1, 0x01, 0xff); // DRAMC
    this.defineRegister(0x58, 1, 0x10, 0xff); // DRAMT
    this.defineRegister(I440FX_PAM, 1, 0x00, 0x30); // PAM0: 0xF0000-0xFFFFF in the high nibble
    for (let i = 1; i < I440FX_PAM_COUNT; i++) this.defineRegister(I440FX_PAM + i, 1, 0x00, 0x33);
    for (let i = 0; i < 8; i++) this.defineRegister(0x60 + i, 1, 0x01, 0xff); // DRB0-7
    this.defineRegister(0x68, 1, 0x00, 0xc0); // FDHC
    this.defineRegister(0x70, 1, 0x20, 0xf8); // MTT
    this.defineRegister(0x71, 1, 0x10, 0xff); // CLT
    this.defineRegister(I440FX_SMRAM, 1, 0x02, SMRAM_D_OPEN | 0x20 | SMRAM_D_LCK | SMRAM_G_SMRAME);
    this.defineRegister(0x90, 1, 0x00, 0xff); // ERRCMD
    this.defineRegister(0x91, 1, 0x00, 0x00, 0x13); // ERRSTS
  }

  /** PAM register `index` (0-6). */
  pam(index: number): number {
    return this.config[I440FX_PAM + index];
  }

  get smram(): number {
    return this.config[I440FX_SMRAM];
  }

  protected override configWritten(offset: number, size: PortSize, old: number): void {
    for (let i = 0; i < size; i++) {
      const at = offset + i;
      const before = (old >>> (8 * i)) & 0xff;
      if (at === I440FX_SMRAM) {
        // D_LCK forces D_OPEN off and locks itself and G_SMRAME until reset (440FX datasheet, SMRAM).
        if (before & SMRAM_D_LCK) this.config[at] = (this.config[at] & ~(SMRAM_D_OPEN | SMRAM_D_LCK | SMRAM_G_SMRAME)) | SMRAM_D_LCK | (before & SMRAM_G_SMRAME);
        else if (this.config[at] & SMRAM_D_LCK) this.config[at] &= ~SMRAM_D_OPEN;
        if (this.config[at] !== before) this.onSmram(this.config[at]);
      } else if (at >= I440FX_PAM && at < I440FX_PAM + I440FX_PAM_COUNT && this.config[at] !== before) {
        this.onPam(at - I440FX_PAM, this.config[at]);
      }
    }
  }

  override reset(): void {
    const before = this.config.slice(I440FX_PAM, I440FX_PAM + I440FX_PAM_COUNT);
    const smram = this.config[I440FX_SMRAM];
    super.reset();
    this.announce(before, smram);
  }

  override loadState(state: DeviceState): void {
    const before = this.config.slice(I440FX_PAM, I440FX_PAM + I440FX_PAM_COUNT);
    const smram = this.config[I440FX_SMRAM];
    super.loadState(state);
    this.announce(before, smram);
  }

  /** Report the PAM and SMRAM registers that differ from `before` (after reset or a restore). */
  private announce(before: Uint8Array, smram: number): void {
    for (let i = 0; i < I440FX_PAM_COUNT; i++) if (this.pam(i) !== before[i]) this.onPam(i, this.pam(i));
    if (this.smram !== smram) this.onSmram(this.smram);
  }
}

// ---- PIIX3 function 0: PCI-to-ISA bridge (00:01.0) and the reset control register -------------

export const PIIX3_PIRQRC = 0x60;
export const PIIX3_TOM = 0x69;
const PIRQ_DISABLE = 0x80;
/** RCR bits: system reset (hard, not INIT) and reset CPU. */
const RCR_SRST = 0x02;
const RCR_RCPU = 0x04;

/**
 * The PIIX3's PCI-to-ISA bridge. Besides its configuration space it owns I/O port 0xCF9, the
 * Reset Control register. The ELCR (0x4D0/0x4D1) is modelled with the PICs in pic8259.ts.
 */
export class Piix3IsaBridge extends PciFunction {
  /** The guest set RCR bit 2: reset the CPU; `hard` when bit 1 (system reset) was set too. */
  onReset: (hard: boolean) => void = () => {};
  /** PIRQA-D (0-3) was routed to ISA IRQ `irq`, or disabled (undefined). */
  onPirqRoute: (pirq: number, irq: number | undefined) => void = () => {};
  /** The Reset Control register (I/O 0xCF9). */
  rcr = 0;

  constructor() {
    super("PIIX3 PCI-to-ISA bridge (PCI 00:01.0)", {
      vendor: 0x8086, device: 0x7000, revision: 0x00, classCode: 0x060100, headerType: 0x80,
    });
    this.defineRegister(PCI_COMMAND, 2, 0x0007, 0x0108);
    this.defineRegister(PCI_STATUS, 2, 0x0200, 0, 0x7800);
    this.defineRegister(0x4c, 1, 0x4d, 0x7f); // IORT: ISA I/O recovery timer
    this.defineRegister(0x4e, 2, 0x0003, 0x07ff); // XBCS: X-bus chip select
    for (let i = 0; i < 4; i++) this.defineRegister(PIIX3_PIRQRC + i, 1, PIRQ_DISABLE, 0x8f);
    this.defineRegister(PIIX3_TOM, 1, 0x02, 0xfe); // top of memory
    this.defineRegister(0x6a, 2, 0x0000, 0x00ff); // MSTAT
    this.defineRegister(0x70, 1, 0x80, 0xcf); // MBIRQ0
    this.defineRegister(0x76, 2, 0x0404, 0x8787); // MBDMA0-1
    this.defineRegister(0x78, 2, 0x0002, 0xffff); // PCSC
    this.defineRegister(0x80, 1, 0x00, 0x7f); // APICBASE
    this.defineRegister(0x82, 1, 0x00, 0x0f); // DLC
    this.defineRegister(0xa0, 1, 0x08, 0x1f); // SMICNTL
    this.defineRegister(0xa2, 2, 0x0000, 0x00ff); // SMIEN
    this.defineRegister(0xa4, 4, 0x00000000, 0xffffffff); // SEE
    this.defineRegister(0xa8, 1, 0x0f, 0xff); // FTMR
    this.defineRegister(0xaa, 2, 0x0000, 0x01ff); // SMIREQ
    this.defineRegister(0xac, 1, 0x00, 0xff); // CTLTMR
    this.defineRegister(0xae, 1, 0x00, 0xff); // CTHTMR
  }

  /** PIRQ route register for PIRQA-D (0-3): the ISA IRQ, or undefined when disabled. */
  pirqRoute(pirq: number): number | undefined {
    const v = this.config[PIIX3_PIRQRC + pirq];
    return v & PIRQ_DISABLE ? undefined : v & 0x0f;
  }

  protected override configWritten(offset: number, size: PortSize, old: number): void {
    for (let i = 0; i < size; i++) {
      const at = offset + i;
      if (at >= PIIX3_PIRQRC && at < PIIX3_PIRQRC + 4 && this.config[at] !== ((old >>> (8 * i)) & 0xff)) {
        this.onPirqRoute(at - PIIX3_PIRQRC, this.pirqRoute(at - PIIX3_PIRQRC));
      }
    }
  }

  /** Claim port 0xCF9 (RCR). Wider accesses read the bytes after it as 0xFF. */
  attach(bus: PortBus): void {
    bus.register(this, RESET_CONTROL_PORT, 1,
      (_port, size) => (size === 1 ? this.rcr : (ones(size) & ~0xff | this.rcr) >>> 0),
      (_port, value) => this.writeRcr(value & 0xff));
  }

  writeRcr(value: number): void {
    this.rcr = value & RCR_SRST;
    if (value & RCR_RCPU) this.onReset((value & RCR_SRST) !== 0);
  }

  override reset(): void {
    super.reset();
    this.rcr = 0;
  }

  override saveState(): DeviceState {
    return { ...super.saveState(), rcr: this.rcr };
  }

  override loadState(state: DeviceState): void {
    super.loadState(state);
    this.rcr = state.rcr as number;
  }
}

// ---- PIIX3 function 1: IDE controller (00:01.1) --------------------------------------------------

export const PIIX3_IDETIM = 0x40;
const IDETIM_DECODE_ENABLE = 0x8000;
export const PIIX3_BMIBA_BAR = 4;
/** Bus master IDE register offsets within each channel's 8 bytes (primary 0-7, secondary 8-15). */
const BM_COMMAND = 0;
const BM_STATUS = 2;
const BM_PRD = 4;
/** BMISX bits: active (read-only), error and interrupt (write 1 to clear), drive 0/1 DMA capable. */
const BMIS_ACTIVE = 0x01;
const BMIS_W1C = 0x06;
const BMIS_RW = 0x60;

/**
 * The PIIX3 IDE function, in legacy (compatibility) mode: the channels sit at the fixed ISA
 * addresses 0x1F0/0x3F6 (IRQ14) and 0x170/0x376 (IRQ15), modelled by ata.ts. Programming
 * interface 0x80 says so and that it can be a bus master; BAR4 (BMIBA) places the 16-byte bus
 * master register block, which is stored here (no DMA transfers are modelled: the drives
 * advertise none).
 */
export class Piix3Ide extends PciFunction {
  /** Bus master IDE registers: BMICX, reserved, BMISX, reserved, BMIDTPX (x4) per channel. */
  private readonly busMaster = new Uint8Array(16);

  /**
   * `busMasterBase`: where BAR4 points after reset (as firmware would leave it); 0 = unassigned,
   * as the chip comes out of reset.
   */
  constructor(private readonly busMasterBase = 0) {
    super("PIIX3 IDE controller (PCI 00:01.1)", { vendor: 0x8086, device: 0x7010, revision: 0x00, classCode: 0x010180 });
    this.defineRegister(PCI_COMMAND, 2, 0x0000, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    this.defineRegister(PCI_STATUS, 2, 0x0280, 0, 0x3800);
    this.defineRegister(PCI_LATENCY_TIMER, 1, 0x00, 0xf0);
    // BMIBA: the datasheet hardwires bits 31-16 to 0, but QEMU's PIIX3 implements all 32 and
    // SeaBIOS sizes I/O BARs on all 32 bits (~(value & ~3) + 1): with the upper half stuck at 0
    // it finds a 4 GiB window and gives up ("PCI: out of I/O address space").
    this.defineBar(PIIX3_BMIBA_BAR, { kind: "io", size: 16, initial: busMasterBase });
    // IDETIM primary (0x40) and secondary (0x42): decode enabled, compatible timings.
    this.defineRegister(PIIX3_IDETIM, 2, IDETIM_DECODE_ENABLE, 0xf3ff);
    this.defineRegister(PIIX3_IDETIM + 2, 2, IDETIM_DECODE_ENABLE, 0xf3ff);
    this.defineRegister(0x44, 1, 0x00, 0xff); // SIDETIM
  }

  /** IDETIM bit 15 of channel 0 (primary) or 1 (secondary): the channel's ports decode. */
  channelEnabled(channel: number): boolean {
    return (this.register(PIIX3_IDETIM + 2 * channel, 2) & IDETIM_DECODE_ENABLE) !== 0;
  }

  /** The I/O base of the bus master registers while decoded (BAR4 set and IOSE on), else undefined. */
  get busMasterPort(): number | undefined {
    const base = this.barAddress(PIIX3_BMIBA_BAR);
    return base ? base : undefined;
  }

  /**
   * Claim the 16 ports at `base` for the bus master registers. They answer only while BAR4
   * points there with I/O space enabled (read 0xFF otherwise); the port bus cannot move a claim,
   * so the machine registers the address it gives BAR4 (the `busMasterBase` it constructed with).
   */
  attachBusMaster(bus: PortBus, base = this.busMasterBase): void {
    bus.register(this, base, 16,
      (port, size) => {
        let v = 0;
        for (let i = 0; i < size; i++) v |= (this.busMasterPort === base && port - base + i < 16 ? this.readBusMaster(port - base + i) : 0xff) << (8 * i);
        return v >>> 0;
      },
      (port, value, size) => {
        if (this.busMasterPort !== base) return;
        for (let i = 0; i < size && port - base + i < 16; i++) this.writeBusMaster(port - base + i, (value >>> (8 * i)) & 0xff);
      });
  }

  /** A byte of the bus master register block (offset 0-15). */
  readBusMaster(offset: number): number {
    return this.busMaster[offset & 15];
  }

  writeBusMaster(offset: number, value: number): void {
    offset &= 15;
    const reg = offset & 7;
    const b = this.busMaster;
    if (reg === BM_COMMAND) b[offset] = value & 0x09; // start/stop, read/write control
    else if (reg === BM_STATUS) b[offset] = (b[offset] & BMIS_ACTIVE) | (b[offset] & BMIS_W1C & ~value) | (value & BMIS_RW);
    else if (reg >= BM_PRD) b[offset] = reg === BM_PRD ? value & 0xfc : value; // dword-aligned table
  }

  override reset(): void {
    super.reset();
    this.busMaster.fill(0);
  }

  override saveState(): DeviceState {
    return { ...super.saveState(), busMaster: Array.from(this.busMaster) };
  }

  override loadState(state: DeviceState): void {
    super.loadState(state);
    this.busMaster.set(state.busMaster as number[]);
  }
}

/** The i440FX/PIIX3 board's PCI functions, added to a new bus at their usual places. */
export interface I440fxChipset {
  pci: PciBus;
  host: I440fxHostBridge;
  isa: Piix3IsaBridge;
  ide: Piix3Ide;
}

/**
 * Build the bus with 00:00.0 host bridge, 00:01.0 ISA bridge, 00:01.1 IDE. `attach` claims 0xCF8,
 * 0xCFA-0xCFF (the bus) and 0xCF9 (RCR); the machine lists only `pci` as a Device.
 */
export function createI440fx(opts: { busMasterBase?: number } = {}): I440fxChipset & { attach(bus: PortBus): void } {
  const pci = new PciBus();
  const host = new I440fxHostBridge();
  const isa = new Piix3IsaBridge();
  const ide = new Piix3Ide(opts.busMasterBase ?? 0);
  pci.add(host, 0, 0);
  pci.add(isa, 1, 0);
  pci.add(ide, 1, 1);
  return {
    pci, host, isa, ide,
    attach(bus: PortBus): void {
      pci.attach(bus);
      isa.attach(bus);
      if (opts.busMasterBase) ide.attachBusMaster(bus, opts.busMasterBase);
    },
  };
}
