// The PC: memory, the I/O port bus, the chips on it, their IRQ lines, and a scheduler.
//
// Guest time is virtual by default: it is derived from the instruction count (nsPerInstruction)
// plus the time the CPU spent halted, so a run is deterministic, and an idle guest (HLT with
// interrupts enabled) jumps straight to the next device deadline instead of waiting.

import { Cpu, StopReason } from "../cpu/cpu.ts";
import { PortBus, type Device, type SerialSink } from "./device.ts";
import { DualPic } from "../devices/pic8259.ts";
import { Pit8254 } from "../devices/pit8254.ts";
import { Port61 } from "../devices/port61.ts";
import { Mc146818 } from "../devices/mc146818.ts";
import { Uart16550 } from "../devices/uart16550.ts";
import { I8042 } from "../devices/i8042.ts";
import { Port92 } from "../devices/port92.ts";
import { AtaChannel } from "../devices/ata.ts";
import type { BlockDevice } from "../devices/block-device.ts";
import { createI440fx, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PCI_ROM_BAR, I440FX_PAM } from "../devices/pci.ts";
import { Vga } from "../devices/vga.ts";
import { VgaPci } from "../devices/vga-pci.ts";
import { MemoryMap } from "./memory-map.ts";
import { Dma8237Pair, type DmaMemory } from "../devices/dma8237.ts";
import { Fdc82077 } from "../devices/fdc82077.ts";
import { FloppyDrive } from "../devices/floppy-drive.ts";
import { BiosServices } from "../bios/services.ts";

export interface PcOptions {
  /** Guest RAM in MiB (default 128). */
  memoryMiB?: number;
  /** Where COM1's output goes (the terminal). */
  serial?: SerialSink;
  /** Bytes written to the 0xE9 debug port. */
  debugConsole?: SerialSink;
  /**
   * Bytes written to port 0x402, where SeaBIOS writes its log (QEMU's isa-debugcon at iobase
   * 0x402, which reads back 0xE9). Without it nothing answers there and SeaBIOS stays quiet.
   */
  firmwareLog?: SerialSink;
  /** Disks: hda, hdb (primary channel), hdc, hdd (secondary). */
  disks?: { hda?: BlockDevice; hdb?: BlockDevice; hdc?: BlockDevice; hdd?: BlockDevice };
  /** Guest nanoseconds per instruction (default 10: a 100 MHz, one-instruction-per-clock CPU). */
  nsPerInstruction?: number;
  /** Tie guest time to the host clock instead of the instruction count. */
  realtime?: boolean;
  /** Use the debug build of the core. */
  debugCore?: boolean;
  /**
   * The built-in BIOS image (bios/bios.asm, see src/bios/rom.ts): mapped at 0xF0000 and
   * 0xFFFF0000 with its services (src/bios/services.ts); the machine then starts in POST and
   * boots from disk. Without it the caller loads a kernel itself.
   */
  bios?: Uint8Array;
  /**
   * A standard BIOS image instead of the built-in one (`-bios FILE`, e.g. SeaBIOS's bios.bin; a
   * multiple of 64 KiB): at the top of 4 GiB and, its last 128 KiB, below 1 MiB where the
   * i440FX's PAM registers shadow it; `vgaBios` (vgabios-stdvga.bin) is the VGA's PCI option ROM.
   */
  firmware?: { image: Uint8Array; vgaBios?: Uint8Array };
  /** The BIOS's boot order, as QEMU's -boot (c hard disk, a floppy, d CD-ROM; default "cad"). */
  bootOrder?: string;
  /**
   * Diskette images (standard sizes, see FLOPPY_FORMATS) in drives A: and B: of the floppy
   * controller; the built-in BIOS's INT 13h reaches them too.
   */
  floppies?: { fda?: BlockDevice; fdb?: BlockDevice };
  /** POST codes: writes to port 0x80 (a spare DMA page register). */
  onPost?: (code: number) => void;
  /**
   * A CD-ROM image (ISO 9660) in an ATAPI CD-ROM drive, the secondary channel's master (so not
   * with hdc); the built-in BIOS boots it (El Torito) through its own INT 13h services.
   */
  cdrom?: BlockDevice;
  /** An already compiled core (the browser fetches core.wasm itself; Cpu.create reads it with node:fs). */
  wasmModule?: WebAssembly.Module;
}

export type MachineStop =
  | { kind: "poweroff" } // HLT with interrupts disabled: the guest halted for good
  | { kind: "exit-port"; value: number } // the guest wrote to port 0xF4
  | { kind: "triple-fault" }
  | { kind: "reset" } // the guest asked for a CPU reset (8042, port 0x92)
  | { kind: "boot-failed"; message: string } // the BIOS found nothing to boot
  | { kind: "stopped" }; // the host called stop()

const SLICE = 1 << 16; // at most this many instructions between device checks

export class PC {
  readonly cpu: Cpu;
  readonly bus = new PortBus();
  readonly pic = new DualPic();
  readonly pit: Pit8254;
  readonly port61: Port61;
  readonly rtc: Mc146818;
  readonly com: Uart16550[];
  readonly kbc: I8042;
  readonly port92: Port92;
  readonly ide: [AtaChannel, AtaChannel];
  readonly chipset: ReturnType<typeof createI440fx>;
  readonly vga: Vga;
  readonly dma: Dma8237Pair;
  readonly fdc: Fdc82077;
  /** The VGA's PCI function (00:02.0) and the expansion ROM BAR with the VGA BIOS of a -bios machine. */
  readonly vgaPci: VgaPci;
  /** The physical address map the i440FX decodes (VGA window, PAM shadow area, firmware, PCI ROMs). */
  readonly memoryMap: MemoryMap;
  private readonly bootOrder: string;
  /** The machine runs a standard BIOS image (-bios), which sets up the chipset itself. */
  private readonly standardFirmware: boolean;
  /** The built-in BIOS's services, when the machine has the built-in BIOS. */
  readonly bios: BiosServices | undefined = undefined;
  readonly devices: Device[];
  readonly nsPerInstruction: number;
  /** --realtime: guest time is paced to the host clock (never ahead of it). */
  readonly realtime: boolean;
  /** Guest nanoseconds spent halted (added to the instruction-derived time). */
  private idleNs = 0;
  private stopRequest: MachineStop | undefined;
  /** The CPU went idle (HLT with interrupts enabled) since the last takeIdle(). */
  private wasIdle = false;
  private a20Kbc = true;
  private a20Fast = false;
  /** Host time at start, for --realtime and statistics. */
  readonly startedAt = performance.now();

  private constructor(cpu: Cpu, opts: PcOptions) {
    this.cpu = cpu;
    this.nsPerInstruction = opts.nsPerInstruction ?? 10;
    this.realtime = opts.realtime ?? false;
    const clock = () => this.now();
    const serial = opts.serial ?? { write: () => {} };
    const pic = this.pic;
    pic.onOutputChange = (pending) => cpu.setIrqPending(pending);
    cpu.interrupts = pic;
    this.pit = new Pit8254(pic.irq(0), clock);
    this.port61 = new Port61(this.pit, clock);
    this.rtc = new Mc146818(pic.irq(8), clock);
    const nul: SerialSink = { write: () => {} };
    this.com = [
      new Uart16550(0x3f8, pic.irq(4), serial),
      new Uart16550(0x2f8, pic.irq(3), nul),
      new Uart16550(0x3e8, pic.irq(4), nul),
      new Uart16550(0x2e8, pic.irq(3), nul),
    ];
    this.kbc = new I8042(pic.irq(1), pic.irq(12));
    this.port92 = new Port92();
    this.kbc.onA20 = (on) => { this.a20Kbc = on; this.updateA20(); };
    this.port92.onA20 = (on) => { this.a20Fast = on; this.updateA20(); };
    this.kbc.onReset = () => this.stop({ kind: "reset" });
    this.port92.onReset = () => this.stop({ kind: "reset" });
    this.ide = [new AtaChannel(0x1f0, 0x3f6, pic.irq(14)), new AtaChannel(0x170, 0x376, pic.irq(15))];
    const d = opts.disks ?? {};
    if (d.hda) this.ide[0].setDrive(0, d.hda);
    if (d.hdb) this.ide[0].setDrive(1, d.hdb);
    if (d.hdc) this.ide[1].setDrive(0, d.hdc);
    if (d.hdd) this.ide[1].setDrive(1, d.hdd);
    if (opts.cdrom) this.ide[1].setCdrom(0, opts.cdrom);

    // i440FX + PIIX3 on PCI (the IDE function decodes the legacy ports the ATA channels own).
    this.chipset = createI440fx({ busMasterBase: 0xc000 });
    this.chipset.isa.onReset = () => this.stop({ kind: "reset" });
    // VGA: ports 0x3B0-0x3DF and the 0xA0000-0xBFFFF window, in 80x25 text mode as a BIOS leaves it.
    this.vga = new Vga(clock);
    this.standardFirmware = opts.firmware !== undefined;
    this.bootOrder = opts.bootOrder ?? "cad";
    if (!opts.bios && !opts.firmware) this.vga.setTextMode3(); // a BIOS sets its mode itself
    // The VGA on PCI, and the memory map: the VGA window, the PAM shadow area, the firmware image.
    this.vgaPci = new VgaPci(opts.firmware?.vgaBios);
    this.chipset.pci.add(this.vgaPci, 2);
    const vga = this.vga;
    this.memoryMap = new MemoryMap(cpu, opts.firmware?.image ?? opts.bios, { read: (a, size) => vga.readMemory(a, size), write: (a, size, v) => vga.writeMemory(a, size, v) });
    this.chipset.host.onPam = (index, value) => this.memoryMap.setPam(index, value);
    const vgaRom = this.vgaPci.rom;
    if (vgaRom) this.vgaPci.onBarChange = (index, address) => { if (index === PCI_ROM_BAR) this.memoryMap.setRom(this.vgaPci.name, address, vgaRom); };

    // ISA DMA, and the floppy controller on IRQ 6 / DMA channel 2 with the diskettes in drives 0 and 1.
    this.dma = new Dma8237Pair(this.dmaMemory());
    if (opts.onPost) this.dma.onPost = opts.onPost;
    const fd = opts.floppies ?? {};
    this.fdc = new Fdc82077(pic.irq(6), this.dma, clock, [fd.fda && new FloppyDrive(fd.fda), fd.fdb && new FloppyDrive(fd.fdb)]);

    this.devices = [pic, this.pit, this.port61, this.rtc, ...this.com, this.kbc, this.port92, ...this.ide, this.vga, this.dma, this.fdc];
    if (opts.bios && !opts.firmware) {
      const named = (slot: string, dev: BlockDevice | undefined) => {
        if (!dev) return [];
        const path = (dev as { path?: unknown }).path;
        return [{ device: dev, name: typeof path === "string" ? `${slot} (${path})` : slot }];
      };
      const hardDisks = (["hda", "hdb", "hdc", "hdd"] as const).flatMap((slot) => named(slot, d[slot]));
      const floppies = (["fda", "fdb"] as const).flatMap((slot) => named(slot, opts.floppies?.[slot]));
      this.bios = new BiosServices({
        cpu, vga: this.vga, rom: opts.bios, hardDisks, floppies, cdroms: named("cdrom", opts.cdrom), bootOrder: opts.bootOrder,
        io: { in: (port, size) => cpu.io.in(port, size), out: (port, size, value) => cpu.io.out(port, size, value) },
        now: clock,
        onBootFailure: (message) => this.stop({ kind: "boot-failed", message }),
      });
      this.devices.push(this.bios);
    }
    for (const dev of this.devices) (dev as unknown as { attach(bus: PortBus): void }).attach(this.bus);
    this.chipset.attach(this.bus);
    this.devices.push(this.chipset.pci);
    this.attachDebugPorts(opts.debugConsole, opts.firmwareLog);
    cpu.io = {
      in: (port, size) => this.bus.read(port, size),
      out: (port, size, value) => {
        this.bus.write(port, value, size);
        // A write may move a device's deadline (a new PIT count): let the scheduler look again.
        if (this.timedPorts[port]) cpu.requestStop();
      },
    };
    this.fillCmos(cpu.ramBytes);
    this.setUpChipset();
  }

  static async create(opts: PcOptions = {}): Promise<PC> {
    const mib = opts.memoryMiB ?? 128;
    // ROM space: the firmware image, the VGA BIOS (padded to its BAR's size) and the built-in BIOS.
    const roms = (opts.firmware?.image.length ?? 0) + 2 * (opts.firmware?.vgaBios?.length ?? 0) + (opts.bios?.length ?? 0);
    const cpuOpts = { ramBytes: mib << 20, romBytes: Math.max(1 << 20, roms + (1 << 16)), debug: opts.debugCore };
    const cpu = opts.wasmModule ? await Cpu.fromModule(opts.wasmModule, cpuOpts) : await Cpu.create(cpuOpts);
    cpu.reset();
    return new PC(cpu, opts);
  }

  /** Ports owned by devices that have deadlines (writes there may change nextEvent). */
  private readonly timedPorts: boolean[] = new Array(65536).fill(false);

  private attachDebugPorts(debugConsole?: SerialSink, firmwareLog?: SerialSink): void {
    const debug: Device = { name: "debug ports", reset() {}, saveState: () => ({}), loadState() {} };
    this.bus.register(debug, 0xe9, 1, () => 0xe9, (_p, v) => debugConsole?.write(v & 0xff));
    if (firmwareLog) this.bus.register(debug, 0x402, 1, () => 0xe9, (_p, v) => firmwareLog.write(v & 0xff));
    this.bus.register(debug, 0xf4, 1, () => 0xff, (_p, v) => this.stop({ kind: "exit-port", value: v & 0xff }));
    // Port 0xF0: a write clears the x87's FERR# latch (and so IRQ13), as on a PC/AT.
    const ferr: Device = { name: "x87 FERR# latch", reset() {}, saveState: () => ({}), loadState() {} };
    this.bus.register(ferr, 0xf0, 1, () => 0xff, () => { this.setFerr(false); });
    for (let p = 0; p < 65536; p++) {
      const owner = this.bus.owner(p);
      if (owner && this.devices.some((dev) => dev.name === owner && dev.nextEvent)) this.timedPorts[p] = true;
    }
  }

  /** FERR# from the x87 (CR0.NE = 0): IRQ13 follows it (PC/AT wiring; SDM vol. 1, D.1). */
  private get ferrAddr(): number { return this.cpu.offset("FPU_IRQ13_PENDING"); }
  private setFerr(on: boolean): void {
    if (!on) new Uint32Array(this.cpu.memory.buffer)[this.ferrAddr >>> 2] = 0;
    this.pic.irq(13).set(on);
  }
  private pollFerr(): void {
    const on = new Uint32Array(this.cpu.memory.buffer)[this.ferrAddr >>> 2] !== 0;
    if (on !== this.ferrLevel) { this.ferrLevel = on; this.pic.irq(13).set(on); }
  }
  private ferrLevel = false;

  private updateA20(): void { this.cpu.a20 = this.a20Kbc || this.a20Fast; }

  /** Physical memory as ISA DMA reaches it: the VGA window, and RAM (under the ROMs too) elsewhere. */
  private dmaMemory(): DmaMemory {
    const cpu = this.cpu;
    const ram = (a: number, n: number) => a + n <= cpu.ramBytes && (a + n <= 0xa0000 || a >= 0xc0000);
    return {
      read: (addr, dst) => {
        if (ram(addr, dst.length)) { dst.set(cpu.ram.subarray(addr, addr + dst.length)); return; }
        for (let i = 0; i < dst.length; i++) {
          const a = addr + i;
          dst[i] = ram(a, 1) ? cpu.ram[a] : a >= 0xa0000 && a < 0xc0000 ? this.vga.readMemory(a, 1) : 0xff;
        }
      },
      write: (addr, src) => {
        if (ram(addr, src.length)) { cpu.ram.set(src, addr); return; }
        for (let i = 0; i < src.length; i++) {
          const a = addr + i;
          if (ram(a, 1)) cpu.ram[a] = src[i];
          else if (a >= 0xa0000 && a < 0xc0000) this.vga.writeMemory(a, 1, src[i]);
        }
      },
    };
  }

  /** A hardware reset: the CPU and every device start again; RAM keeps its contents, guest time goes on. */
  reset(): void {
    this.cpu.reset();
    for (const dev of this.devices) dev.reset();
    if (!this.bios) this.vga.setTextMode3(); // what the firmware would do before a kernel is loaded again
    this.a20Kbc = true;
    this.a20Fast = false;
    this.updateA20();
    this.fillCmos(this.cpu.ramBytes);
    this.setUpChipset();
    this.stopRequest = undefined;
  }

  /**
   * What firmware leaves in the chipset before it boots: a standard BIOS (-bios) does it itself
   * and gets the hardware as it comes out of reset. For the built-in BIOS and for a direct kernel
   * boot the machine does it: 0xC0000-0xEFFFF shadow RAM (PAM1-6 read/write), 0xF0000-0xFFFFF
   * RAM too unless the built-in BIOS's ROM answers there, and the VGA's I/O and memory decode on.
   */
  private setUpChipset(): void {
    if (this.standardFirmware) return;
    const host = this.chipset.host;
    host.writeConfig(I440FX_PAM, this.bios ? 0x00 : 0x30, 1);
    for (let i = 1; i < 7; i++) host.writeConfig(I440FX_PAM + i, 0x33, 1);
    this.vgaPci.writeConfig(PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
  }

  /** Memory sizes and equipment in CMOS, as a BIOS would leave them (read by Linux and boot loaders). */
  private fillCmos(ramBytes: number): void {
    const extKb = Math.min((ramBytes >> 10) - 1024, 0xffff);
    const above16 = Math.min(Math.max(0, (ramBytes - (16 << 20)) >> 16), 0xffff);
    this.rtc.setNvram(0x15, 640 & 0xff); this.rtc.setNvram(0x16, 640 >> 8);
    this.rtc.setNvram(0x17, extKb & 0xff); this.rtc.setNvram(0x18, extKb >> 8);
    this.rtc.setNvram(0x30, extKb & 0xff); this.rtc.setNvram(0x31, extKb >> 8);
    this.rtc.setNvram(0x34, above16 & 0xff); this.rtc.setNvram(0x35, above16 >> 8);
    // Diskette drive types (high nibble A:, low nibble B:) and the equipment byte: the drives, an
    // FPU, 80x25 colour.
    const types = this.fdc.drives.map((d) => d?.format.driveType ?? 0);
    const drives = types.filter((t) => t).length;
    this.rtc.setNvram(0x10, ((types[0] ?? 0) << 4) | (types[1] ?? 0));
    this.rtc.setNvram(0x14, 0x06 | (drives ? 0x01 | ((drives - 1) << 6) : 0));
    this.rtc.setNvram(0x32, 0x20); // century
    // Boot order as QEMU passes it to SeaBIOS: the first two devices in 0x3D, the third in the
    // high nibble of 0x38 (1 floppy, 2 hard disk, 3 CD-ROM, 4 network); 0x5F: CPUs - 1.
    const code = (c: string | undefined) => ({ a: 1, c: 2, d: 3, n: 4 } as Record<string, number>)[c ?? ""] ?? 0;
    const order = this.bootOrder;
    this.rtc.setNvram(0x3d, code(order[0]) | (code(order[1]) << 4));
    this.rtc.setNvram(0x38, code(order[2]) << 4);
    this.rtc.setNvram(0x5f, 0);
  }

  /** Whether the guest idled (waited in HLT) since the last call: a sign it waits for input. */
  takeIdle(): boolean {
    const idle = this.wasIdle;
    this.wasIdle = false;
    return idle;
  }

  /** Guest time in nanoseconds. */
  now(): number { return this.cpu.instructionCount * this.nsPerInstruction + this.idleNs; }

  stop(why: MachineStop): void {
    if (!this.stopRequest) this.stopRequest = why;
    this.cpu.requestStop();
  }

  /** The earliest device deadline (ns), or Infinity. */
  private nextDeadline(now: number): number {
    let next = Infinity;
    for (const dev of this.devices) {
      if (dev.nextEvent) {
        const t = dev.nextEvent(now);
        if (t < next) next = t;
      }
    }
    return next;
  }
  private runDevices(now: number): void {
    for (const dev of this.devices) if (dev.runUntil && dev.nextEvent && dev.nextEvent(now) <= now) dev.runUntil(now);
  }

  /**
   * Run until the guest stops (power-off, exit port, triple fault, reset request) or `until`
   * returns true (checked between slices), or the host calls stop().
   */
  async run(opts: { until?: () => boolean; yieldEveryMs?: number } = {}): Promise<MachineStop> {
    const cpu = this.cpu;
    let lastYield = performance.now();
    for (;;) {
      let now = this.now();
      this.runDevices(now);
      const deadline = this.nextDeadline(now);
      const budget = Math.max(1, Math.min(SLICE, Math.ceil((deadline - now) / this.nsPerInstruction)));
      const reason = cpu.run(budget);
      this.pollFerr();
      if (this.stopRequest) {
        const s = this.stopRequest;
        this.stopRequest = undefined;
        return s;
      }
      if (reason === StopReason.Shutdown) return { kind: "triple-fault" };
      if (reason === StopReason.Halted) {
        if (!cpu.interruptsEnabled) return { kind: "poweroff" };
        this.wasIdle = true;
        // Idle: jump guest time to the next device event (virtual time), or wait for it (realtime).
        now = this.now();
        const next = this.nextDeadline(now);
        // Nothing can ever wake the CPU (an interrupt already pending ends the halt at once).
        if (next === Infinity && !this.pic.pending) return { kind: "poweroff" };
        if (!this.pic.pending && next > now && next !== Infinity) {
          const skip = next - now;
          this.idleNs += skip;
          cpu.addTscCycles(Math.round(skip / this.nsPerInstruction));
        }
      }
      if (opts.until?.()) return { kind: "stopped" };
      if (this.realtime) {
        // Guest time may not run ahead of the host clock: wait out the difference (an idle guest
        // waits for its next timer instead of skipping to it).
        const ahead = this.now() / 1e6 - (performance.now() - this.startedAt);
        if (ahead > 1) {
          await new Promise((r) => setTimeout(r, Math.min(ahead, 50)));
          lastYield = performance.now();
          continue;
        }
      }
      if (opts.yieldEveryMs !== undefined && performance.now() - lastYield >= opts.yieldEveryMs) {
        // Let the host's event loop run (terminal input, signals).
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
  }
}
