// The physical address map around plain RAM, as the i440FX host bridge decodes it, turned into
// the CPU core's region table.
//
// Source: Intel 440FX PCIset 82441FX PMC / 82442FX DBX datasheet (order no. 290549), 3.2.20
// "PAM - Programmable Attribute Map Registers" and 4.1 "System Address Map":
// - 0xA0000-0xBFFFF goes to PCI, where the VGA answers (SMRAM is not modelled).
// - 0xC0000-0xFFFFF is thirteen blocks (PAM1-PAM6 hold two 16 KiB blocks each from 0xC0000, the
//   low nibble for the lower block; PAM0's high nibble holds 0xF0000-0xFFFFF as one 64 KiB
//   block). In each nibble RE (bit 0) sends reads to DRAM, WE (bit 1) sends writes to DRAM;
//   what does not go to DRAM goes to PCI. That is how firmware shadows itself: it turns on
//   WE+RE, copies the ROM into the RAM underneath, then turns WE off.
// - The firmware image answers at the top of 4 GiB (the whole image) and, as QEMU maps it, its
//   last 128 KiB (or all of a 64 KiB image) at the top of the first megabyte, where PCI reads of
//   the PAM area land. Below that, PCI reads of 0xC0000-0xDFFFF find nothing (all ones).
// - PCI expansion ROMs answer at their BAR while it is enabled.
//
// Where this model chooses: the PIIX3's X-bus BIOS decode (XBCS) is not modelled; the image's
// low alias is always decoded, as on QEMU's i440FX. A PCI BAR over RAM hides that RAM.

import type { Cpu, MemoryRegion, MmioHandler } from "../cpu/cpu.ts";
import type { PortSize } from "./device.ts";

export const VGA_WINDOW_BASE = 0xa0000;
export const VGA_WINDOW_END = 0xc0000;
export const PAM_BASE = 0xc0000;
const MIB = 0x100000;
/** The firmware's alias below 1 MiB is at most this large (QEMU's "isa-bios"). */
const LOW_ALIAS_MAX = 0x20000;
const PAM_RE = 1;
const PAM_WE = 2;

/** The 13 PAM blocks: [start, end, PAM register index, shift of its nibble]. */
const PAM_BLOCKS: [number, number, number, number][] = [];
for (let i = 1; i <= 6; i++) {
  const base = PAM_BASE + (i - 1) * 0x8000;
  PAM_BLOCKS.push([base, base + 0x4000, i, 0], [base + 0x4000, base + 0x8000, i, 4]);
}
PAM_BLOCKS.push([0xf0000, MIB, 0, 4]);

interface RomWindow { start: number; end: number; host: number; bytes: Uint8Array }

export class MemoryMap {
  /** PAM0-PAM6 as last written (reset value 0: everything to PCI). */
  private readonly pam = new Uint8Array(7);
  private readonly firmwareHost: number | undefined;
  /** Expansion ROMs mapped by their BARs, by owner name. */
  private readonly roms = new Map<string, RomWindow>();
  private readonly romHosts = new Map<Uint8Array, number>();
  /** Blocks in write-only mode (reads from PCI, writes to DRAM): served through MMIO. */
  private writeOnly: [number, number][] = [];

  /**
   * `firmware`: the BIOS image (a multiple of 64 KiB), or undefined for a machine without one;
   * `vga`: the legacy window's handler (0xA0000-0xBFFFF).
   */
  constructor(private readonly cpu: Cpu, private readonly firmware: Uint8Array | undefined, private readonly vga: MmioHandler) {
    if (firmware) this.firmwareHost = cpu.loadRom(firmware);
    cpu.mmio = { read: (a, size) => this.mmioRead(a, size), write: (a, size, v) => this.mmioWrite(a, size, v) };
    this.apply();
  }

  /** PAM register `index` (0-6) now holds `value`. */
  setPam(index: number, value: number): void {
    if (this.pam[index] === value) return;
    this.pam[index] = value;
    this.apply();
  }

  /** Show `bytes` at `address` (an enabled expansion ROM BAR), or take `owner`'s ROM away (undefined). */
  setRom(owner: string, address: number | undefined, bytes: Uint8Array): void {
    if (address === undefined) {
      if (!this.roms.delete(owner)) return;
    } else {
      let host = this.romHosts.get(bytes);
      if (host === undefined) {
        host = this.cpu.loadRom(bytes);
        this.romHosts.set(bytes, host);
      }
      this.roms.set(owner, { start: address, end: address + Math.ceil(bytes.length / 4096) * 4096, host, bytes });
    }
    this.apply();
  }

  /** The firmware's byte that PCI decodes at physical `addr` below 1 MiB, or undefined. */
  private firmwareLow(addr: number): number | undefined {
    const fw = this.firmware;
    if (!fw) return undefined;
    const alias = Math.min(fw.length, LOW_ALIAS_MAX);
    const off = addr - (MIB - alias);
    return off >= 0 && off < alias ? fw[fw.length - alias + off] : undefined;
  }

  /** Rebuild the core's region table. */
  private apply(): void {
    const regions: MemoryRegion[] = [{ start: VGA_WINDOW_BASE, end: VGA_WINDOW_END, kind: "mmio" }];
    const fw = this.firmware;
    const alias = fw ? Math.min(fw.length, LOW_ALIAS_MAX) : 0;
    const push = (r: MemoryRegion) => {
      const last = regions[regions.length - 1];
      // Merge with the previous block when it continues it (fewer regions: a faster TLB miss).
      if (last.end === r.start && last.kind === r.kind && (r.kind === "none" || r.kind === "mmio" ||
          (last.host !== undefined && r.host === last.host + (last.end - last.start)))) {
        last.end = r.end;
      } else {
        regions.push(r);
      }
    };
    this.writeOnly = [];
    for (const [start, end, index, shift] of PAM_BLOCKS) {
      const mode = (this.pam[index] >> shift) & 3;
      if (mode === (PAM_RE | PAM_WE) && end <= this.cpu.ramBytes) continue; // plain RAM
      if (mode === PAM_RE) {
        push({ start, end, kind: "rom", host: this.cpu.ramHost + start }); // RAM, write-protected
      } else if (mode === PAM_WE) {
        push({ start, end, kind: "mmio" });
        this.writeOnly.push([start, end]);
      } else if (fw && start >= MIB - alias) {
        push({ start, end, kind: "rom", host: this.firmwareHost! + fw.length - alias + (start - (MIB - alias)) });
      } else {
        push({ start, end, kind: "none" });
      }
    }
    if (fw) regions.push({ start: 2 ** 32 - fw.length, end: 2 ** 32, kind: "rom", host: this.firmwareHost });
    for (const rom of this.roms.values()) regions.push({ start: rom.start, end: rom.end, kind: "rom", host: rom.host });
    this.cpu.setRegions(regions);
  }

  private isWriteOnly(addr: number): boolean {
    for (const [start, end] of this.writeOnly) if (addr >= start && addr < end) return true;
    return false;
  }

  private mmioRead(addr: number, size: PortSize): number {
    if (addr >= VGA_WINDOW_BASE && addr < VGA_WINDOW_END) return this.vga.read(addr, size);
    let v = 0;
    for (let i = 0; i < size; i++) v |= (this.isWriteOnly(addr + i) ? this.firmwareLow(addr + i) ?? 0xff : 0xff) << (8 * i);
    return v >>> 0;
  }

  private mmioWrite(addr: number, size: PortSize, value: number): void {
    if (addr >= VGA_WINDOW_BASE && addr < VGA_WINDOW_END) return this.vga.write(addr, size, value);
    for (let i = 0; i < size; i++) {
      const a = addr + i;
      if (this.isWriteOnly(a) && a < this.cpu.ramBytes) this.cpu.ram[a] = (value >>> (8 * i)) & 0xff;
    }
  }
}
