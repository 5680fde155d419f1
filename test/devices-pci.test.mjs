// Tests of PCI configuration mechanism #1 and the i440FX/PIIX3 functions (src/devices/pci.ts),
// driven through ports 0xCF8/0xCFC/0xCF9 as a guest's PCI code would.
// Rules from the PCI Local Bus Specification 2.2 (3.2.2.3.2, 6.1, 6.2) and the 82441FX and
// 82371SB (PIIX3) datasheets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-pci-test-"));
await build({
  stdin: {
    contents: 'export * from "./src/devices/pci.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "pci-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: join(tmp, "pci.mjs"), logLevel: "silent",
});
const { createI440fx, PciBus, PciFunction, PortBus } = await import(pathToFileURL(join(tmp, "pci.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

function setup(opts) {
  const bus = new PortBus();
  const chipset = createI440fx(opts);
  chipset.attach(bus);
  const inb = (p) => bus.read(p, 1), inw = (p) => bus.read(p, 2), inl = (p) => bus.read(p, 4);
  const outb = (p, v) => bus.write(p, v, 1), outw = (p, v) => bus.write(p, v, 2), outl = (p, v) => bus.write(p, v, 4);
  const addr = (b, d, f, reg) => (0x80000000 | (b << 16) | (d << 11) | (f << 8) | (reg & 0xfc)) >>> 0;
  /** Config read as Linux's type 1 accessors do: address to 0xCF8, data at 0xCFC + (reg & 3). */
  const cfgRead = (d, f, reg, size, b = 0) => {
    outl(0xcf8, addr(b, d, f, reg));
    return size === 1 ? inb(0xcfc + (reg & 3)) : size === 2 ? inw(0xcfc + (reg & 2)) : inl(0xcfc);
  };
  const cfgWrite = (d, f, reg, size, v, b = 0) => {
    outl(0xcf8, addr(b, d, f, reg));
    if (size === 1) outb(0xcfc + (reg & 3), v);
    else if (size === 2) outw(0xcfc + (reg & 2), v);
    else outl(0xcfc, v);
  };
  return { bus, ...chipset, inb, inw, inl, outb, outw, outl, addr, cfgRead, cfgWrite };
}

test("vendor and device IDs read through 0xCF8/0xCFC: 8086:1237 at 00:00.0, 8086:7000 at 00:01.0, 8086:7010 at 00:01.1", () => {
  const { cfgRead } = setup();
  assert.equal(cfgRead(0, 0, 0, 4), 0x12378086);
  assert.equal(cfgRead(1, 0, 0, 4), 0x70008086);
  assert.equal(cfgRead(1, 1, 0, 4), 0x70108086);
  assert.equal(cfgRead(0, 0, 0x08, 4), 0x06000002, "host bridge: class 060000, revision 02");
});

test("CONFIG_ADDRESS latches only dword writes to 0xCF8 and reads back with reserved bits 30-24 and 1-0 as 0", () => {
  const { inl, outl, outb, inb } = setup();
  outl(0xcf8, 0xffffffff);
  assert.equal(inl(0xcf8), 0x80fffffc);
  outl(0xcf8, 0x80000000);
  outb(0xcfb, 0x01); // Linux's type 1 probe writes here first; a byte cycle is not CONFIG_ADDRESS
  outb(0xcf8, 0x00);
  assert.equal(inl(0xcf8), 0x80000000);
  assert.equal(inb(0xcf8), 0xff, "a byte read of 0xCF8 is an ordinary (unclaimed) I/O read");
});

test("16-bit and 8-bit accesses at 0xCFE/0xCFD reach offsets 2 and 1 of the selected dword", () => {
  const { outl, inw, inb } = setup();
  outl(0xcf8, 0x80000000);
  assert.equal(inw(0xcfc), 0x8086);
  assert.equal(inw(0xcfe), 0x1237);
  assert.equal(inb(0xcfd), 0x80);
  assert.equal(inb(0xcff), 0x12);
});

test("a 16-bit write at offset 2 of IDETIM's dword changes the secondary channel's register only", () => {
  const { cfgRead, cfgWrite } = setup();
  cfgWrite(1, 1, 0x42, 2, 0xa307);
  assert.equal(cfgRead(1, 1, 0x42, 2), 0xa307);
  assert.equal(cfgRead(1, 1, 0x40, 2), 0x8000, "primary IDETIM untouched");
  cfgWrite(1, 1, 0x40, 1, 0x33);
  assert.equal(cfgRead(1, 1, 0x40, 4), 0xa3078033);
});

test("absent devices and functions read 0xFFFFFFFF (master abort) and ignore writes", () => {
  const { cfgRead, cfgWrite } = setup();
  assert.equal(cfgRead(5, 0, 0, 4), 0xffffffff, "empty slot 5");
  assert.equal(cfgRead(0, 1, 0, 4), 0xffffffff, "host bridge has no function 1");
  assert.equal(cfgRead(1, 2, 0, 4), 0xffffffff, "PIIX3 function 2 (USB) is not modelled");
  assert.equal(cfgRead(0, 0, 0, 4, 1), 0xffffffff, "bus 1 does not exist");
  assert.equal(cfgRead(5, 0, 2, 2), 0xffff);
  assert.equal(cfgRead(5, 0, 3, 1), 0xff);
  cfgWrite(5, 0, 0x10, 4, 0x1234);
  assert.equal(cfgRead(5, 0, 0x10, 4), 0xffffffff);
});

test("with the enable bit (31) clear, CONFIG_DATA reads all ones and writes change nothing", () => {
  const { outl, inl, cfgRead } = setup();
  outl(0xcf8, 0x00000000);
  assert.equal(inl(0xcfc), 0xffffffff);
  outl(0xcf8, 0x00000000 | (1 << 11) | (1 << 8) | 0x40); // IDETIM, but disabled
  outl(0xcfc, 0);
  assert.equal(cfgRead(1, 1, 0x40, 2), 0x8000);
});

test("a dword access starting at 0xCFE is cut at the end of the dword: the bytes past 0xCFF read 0xFF", () => {
  const { outl, inl } = setup();
  outl(0xcf8, 0x80000000);
  assert.equal(inl(0xcfe), 0xffff1237);
});

test("read-only header fields ignore writes; status error bits are cleared by writing 1", () => {
  const { cfgRead, cfgWrite, host } = setup();
  cfgWrite(0, 0, 0x00, 4, 0);
  assert.equal(cfgRead(0, 0, 0x00, 4), 0x12378086);
  cfgWrite(0, 0, 0x08, 4, 0);
  assert.equal(cfgRead(0, 0, 0x08, 4), 0x06000002);
  host.config[0x07] |= 0x30; // received target and master abort
  cfgWrite(0, 0, 0x06, 2, 0x1000);
  assert.equal(cfgRead(0, 0, 0x06, 2), 0x2280, "only the written 1 (bit 12) cleared");
});

test("BAR size probing: writing all ones to the IDE function's BAR4 reads back 0xFFFFFFF1 (a 16-byte I/O window, all 32 address bits as QEMU's PIIX3)", () => {
  const { cfgRead, cfgWrite } = setup();
  const original = cfgRead(1, 1, 0x20, 4);
  assert.equal(original, 0x00000001, "I/O space indicator, unassigned after reset");
  cfgWrite(1, 1, 0x20, 4, 0xffffffff);
  const probed = cfgRead(1, 1, 0x20, 4);
  assert.equal(probed, 0xfffffff1);
  const size = (~(probed & ~0x3) >>> 0) + 1; // as SeaBIOS computes it, on all 32 bits
  assert.equal(size, 16);
  cfgWrite(1, 1, 0x20, 4, 0xc004);
  assert.equal(cfgRead(1, 1, 0x20, 4), 0xc001, "address bits below the size are hardwired to 0");
});

test("unimplemented BARs read 0 even after writing all ones", () => {
  const { cfgRead, cfgWrite } = setup();
  for (let bar = 0; bar < 6; bar++) {
    if (bar === 4) continue;
    cfgWrite(1, 1, 0x10 + 4 * bar, 4, 0xffffffff);
    assert.equal(cfgRead(1, 1, 0x10 + 4 * bar, 4), 0, `BAR${bar}`);
  }
  cfgWrite(0, 0, 0x10, 4, 0xffffffff);
  assert.equal(cfgRead(0, 0, 0x10, 4), 0, "host bridge BAR0");
});

test("a BAR decodes once I/O space is enabled in the command register, and onBarChange reports it", () => {
  const { cfgWrite, ide } = setup();
  const changes = [];
  ide.onBarChange = (i, a) => changes.push([i, a]);
  cfgWrite(1, 1, 0x20, 4, 0xc000);
  assert.equal(ide.barAddress(4), undefined, "IOSE is off after reset");
  cfgWrite(1, 1, 0x04, 2, 0x0005);
  assert.equal(ide.barAddress(4), 0xc000);
  assert.equal(ide.busMasterPort, 0xc000);
  cfgWrite(1, 1, 0x04, 2, 0x0000);
  assert.deepEqual(changes, [[4, 0xc000], [4, undefined]]);
});

test("the IDE function is class 010180 (legacy-mode IDE, bus master capable) with both channels' decode enable bits set", () => {
  const { cfgRead } = setup();
  assert.equal(cfgRead(1, 1, 0x08, 4), 0x01018000);
  assert.equal(cfgRead(1, 1, 0x0b, 1), 0x01, "mass storage");
  assert.equal(cfgRead(1, 1, 0x0a, 1), 0x01, "IDE");
  assert.equal(cfgRead(1, 1, 0x09, 1), 0x80, "both channels in compatibility mode, bus master");
  assert.equal(cfgRead(1, 1, 0x41, 1) & 0x80, 0x80, "primary IDETIM bit 15 (ata_piix checks 0x41 bit 7)");
  assert.equal(cfgRead(1, 1, 0x43, 1) & 0x80, 0x80, "secondary IDETIM bit 15 (0x43 bit 7)");
  assert.equal(cfgRead(1, 1, 0x0e, 1), 0x00, "function 1 header type");
});

test("clearing IDETIM bit 15 disables a channel's decode", () => {
  const { cfgWrite, ide } = setup();
  assert.equal(ide.channelEnabled(0), true);
  assert.equal(ide.channelEnabled(1), true);
  cfgWrite(1, 1, 0x43, 1, 0x00);
  assert.equal(ide.channelEnabled(1), false);
  assert.equal(ide.channelEnabled(0), true);
});

test("the IDE command register implements only I/O space and bus master enable", () => {
  const { cfgRead, cfgWrite } = setup();
  cfgWrite(1, 1, 0x04, 2, 0xffff);
  assert.equal(cfgRead(1, 1, 0x04, 2), 0x0005);
});

test("the PIIX3 ISA bridge is class 060100 with the multi-function bit in its header type", () => {
  const { cfgRead } = setup();
  assert.equal(cfgRead(1, 0, 0x08, 4) >>> 8, 0x060100);
  assert.equal(cfgRead(1, 0, 0x0e, 1), 0x80);
  assert.equal(cfgRead(0, 0, 0x0e, 1), 0x00, "the host bridge is single-function");
});

test("PIRQ route registers 0x60-0x63 reset to 0x80 (disabled); routing one reports the ISA IRQ", () => {
  const { cfgRead, cfgWrite, isa } = setup();
  assert.equal(cfgRead(1, 0, 0x60, 4), 0x80808080);
  assert.equal(cfgRead(1, 0, 0x69, 1), 0x02, "TOM default");
  const routes = [];
  isa.onPirqRoute = (pirq, irq) => routes.push([pirq, irq]);
  cfgWrite(1, 0, 0x61, 1, 0x0b);
  cfgWrite(1, 0, 0x63, 1, 0xff); // reserved bits 6-4 stay 0
  assert.equal(cfgRead(1, 0, 0x60, 4), 0x8f800b80);
  assert.deepEqual(routes, [[1, 11], [3, undefined]]);
  assert.equal(isa.pirqRoute(1), 11);
  cfgWrite(1, 0, 0x69, 1, 0xf6);
  assert.equal(cfgRead(1, 0, 0x69, 1), 0xf6);
});

test("PAM registers 0x59-0x5F keep their read/write enable bits and report each change through onPam", () => {
  const { cfgRead, cfgWrite, host } = setup();
  const pam = [];
  host.onPam = (i, v) => pam.push([i, v]);
  cfgWrite(0, 0, 0x58, 4, 0xffffff10); // DRAMT and PAM0-2 in one dword
  assert.equal(cfgRead(0, 0, 0x59, 1), 0x30, "PAM0 only has the high nibble (0xF0000-0xFFFFF)");
  assert.equal(cfgRead(0, 0, 0x5a, 1), 0x33);
  assert.deepEqual(pam, [[0, 0x30], [1, 0x33], [2, 0x33]]);
  pam.length = 0;
  cfgWrite(0, 0, 0x5a, 1, 0x33);
  assert.deepEqual(pam, [], "no change, no report");
  cfgWrite(0, 0, 0x5f, 1, 0x11);
  assert.deepEqual(pam, [[6, 0x11]]);
  assert.equal(host.pam(6), 0x11);
});

test("SMRAM (0x72) is stored with C_BASE_SEG fixed at 010; D_LCK locks D_OPEN off until reset", () => {
  const { cfgRead, cfgWrite, pci } = setup();
  assert.equal(cfgRead(0, 0, 0x72, 1), 0x02);
  cfgWrite(0, 0, 0x72, 1, 0x48); // D_OPEN, G_SMRAME
  assert.equal(cfgRead(0, 0, 0x72, 1), 0x4a);
  cfgWrite(0, 0, 0x72, 1, 0x18); // D_LCK
  assert.equal(cfgRead(0, 0, 0x72, 1), 0x1a);
  cfgWrite(0, 0, 0x72, 1, 0x40);
  assert.equal(cfgRead(0, 0, 0x72, 1), 0x1a, "locked: D_OPEN, D_LCK and G_SMRAME are read-only");
  pci.reset();
  assert.equal(cfgRead(0, 0, 0x72, 1), 0x02);
});

test("writing RCR bit 2 at port 0xCF9 requests a reset, hard when bit 1 is set; only bit 1 reads back", () => {
  const { inb, outb, isa } = setup();
  const resets = [];
  isa.onReset = (hard) => resets.push(hard);
  assert.equal(inb(0xcf9), 0x00);
  outb(0xcf9, 0x02);
  assert.deepEqual(resets, []);
  assert.equal(inb(0xcf9), 0x02);
  outb(0xcf9, 0x06);
  outb(0xcf9, 0x04);
  assert.deepEqual(resets, [true, false]);
  assert.equal(inb(0xcf9), 0x00);
});

test("a dword write to 0xCF8 sets CONFIG_ADDRESS and does not touch RCR at 0xCF9", () => {
  const { outl, inb, isa } = setup();
  let resets = 0;
  isa.onReset = () => resets++;
  outl(0xcf8, 0x80000404);
  outl(0xcf8, 0x8000ff04);
  assert.equal(resets, 0);
  assert.equal(inb(0xcf9), 0x00);
});

test("bus master IDE registers answer at the BAR4 address once I/O space is on; status error/interrupt bits clear by writing 1", () => {
  const { bus, cfgWrite, ide } = setup({ busMasterBase: 0xc000 });
  assert.equal(bus.read(0xc002, 1), 0xff, "IOSE off: not decoded");
  cfgWrite(1, 1, 0x04, 2, 0x0005);
  assert.equal(ide.busMasterPort, 0xc000);
  bus.write(0xc004, 0x12345677, 4);
  assert.equal(bus.read(0xc004, 4), 0x12345674, "PRD table address is dword aligned");
  bus.write(0xc00a, 0x60, 1);
  assert.equal(bus.read(0xc00a, 1), 0x60, "drive DMA capable bits are read/write");
  ide["busMaster"][2] = 0x06; // as if the controller had raised error and interrupt
  bus.write(0xc002, 0x04, 1);
  assert.equal(bus.read(0xc002, 1), 0x02);
});

test("reset restores every register's default and clears CONFIG_ADDRESS", () => {
  const { pci, cfgRead, cfgWrite, inl } = setup();
  cfgWrite(1, 0, 0x60, 1, 0x0a);
  cfgWrite(1, 1, 0x20, 4, 0xc000);
  pci.reset();
  assert.equal(inl(0xcf8), 0);
  assert.equal(cfgRead(1, 0, 0x60, 1), 0x80);
  assert.equal(cfgRead(1, 1, 0x20, 4), 0x00000001);
});

test("saveState/loadState carry CONFIG_ADDRESS and every function's configuration space", () => {
  const a = setup();
  a.cfgWrite(0, 0, 0x5a, 1, 0x11);
  a.cfgWrite(1, 0, 0x62, 1, 0x05);
  a.outb(0xcf9, 0x02);
  a.outl(0xcf8, 0x80000808);
  const state = JSON.parse(JSON.stringify(a.pci.saveState()));
  const b = setup();
  const pam = [];
  b.host.onPam = (i, v) => pam.push([i, v]);
  b.pci.loadState(state);
  assert.equal(b.inl(0xcf8), 0x80000808);
  assert.equal(b.cfgRead(1, 0, 0x60, 4), 0x80058080);
  assert.equal(b.inb(0xcf9), 0x02);
  assert.deepEqual(pam, [[1, 0x11]], "a restore re-announces the PAM registers that changed");
});

test("a function added at a taken slot is refused; PciFunction alone answers with its identity", () => {
  const pci = new PciBus();
  const fn = new PciFunction("test function", { vendor: 0x1234, device: 0x5678, revision: 1, classCode: 0xff0000, interruptPin: 1 });
  pci.add(fn, 3);
  assert.throws(() => pci.add(fn, 3), /taken/);
  assert.equal(pci.configRead(0, 3, 0, 0, 4), 0x56781234);
  pci.configWrite(0, 3, 0, 0x3c, 0xffff, 2);
  assert.equal(pci.configRead(0, 3, 0, 0x3c, 2), 0x01ff, "interrupt line is read/write, pin read-only");
});
