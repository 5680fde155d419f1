// The VGA's PCI function, as QEMU's standard VGA (`-vga std`) presents it: vendor 1234h, device
// 1111h, class 030000h (VGA-compatible display controller), subsystem 1AF4:1100, at 00:02.0,
// with an expansion ROM BAR holding the VGA BIOS. Firmware finds the ROM there, copies it into
// shadow RAM at 0xC0000 and calls its initialisation entry (SeaBIOS: src/optionroms.c).
//
// Sources: PCI Local Bus Specification 2.2, 6.2.5.2 "Expansion ROM Base Address Register" and
// 6.3 "PCI Expansion ROMs" (the 55AAh header and the "PCIR" data structure naming vendor and
// device); the IDs are QEMU's (hw/display/vga-pci.c, docs/specs/standard-vga.rst).
//
// Where this model chooses: the legacy VGA ports and window (vga.ts) decode whatever the
// Command register says, as they do on QEMU. There is no linear framebuffer BAR and no Bochs
// VBE (DISPI) interface, so SeaBIOS's vgabios-stdvga finds no DISPI and runs as a plain VGA BIOS
// (its "falling back to stdvga" path): the standard VGA modes, no VBE modes.

import { PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_MEMORY, PciFunction, QEMU_SUBSYSTEM, QEMU_SUBSYSTEM_VENDOR } from "./pci.ts";

export const STDVGA_VENDOR = 0x1234;
export const STDVGA_DEVICE = 0x1111;

export class VgaPci extends PciFunction {
  /** The expansion ROM as the BAR shows it: the image, zero-padded to the BAR's power-of-two size. */
  readonly rom: Uint8Array | undefined;

  /** `rom`: the VGA BIOS image (at most 16 MiB), or undefined for none (no ROM BAR). */
  constructor(rom?: Uint8Array) {
    super("VGA (PCI 00:02.0)", {
      vendor: STDVGA_VENDOR, device: STDVGA_DEVICE, revision: 0x02, classCode: 0x030000,
      subsystemVendor: QEMU_SUBSYSTEM_VENDOR, subsystem: QEMU_SUBSYSTEM,
    });
    this.defineRegister(PCI_COMMAND, 2, 0x0000, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    if (rom && rom.length) {
      let size = 0x1000; // at least a page, so the BAR is page-aligned (PCI allows 2 KiB)
      while (size < rom.length) size *= 2;
      this.rom = new Uint8Array(size);
      this.rom.set(rom);
      this.defineRomBar(size);
    }
  }
}
