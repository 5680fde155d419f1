// Tests of the ATA channel (src/devices/ata.ts) and the in-memory block device
// (src/devices/block-device.ts), driven through the port bus as a guest driver would.
// Register and protocol rules from ATA/ATAPI-6.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-ata-test-"));
await build({
  stdin: {
    contents: 'export * from "./src/devices/ata.ts"; export * from "./src/devices/block-device.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "ata-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: join(tmp, "ata.mjs"), logLevel: "silent",
});
const { AtaChannel, MemoryBlockDevice, PortBus, defaultGeometry, SECTOR_SIZE } = await import(pathToFileURL(join(tmp, "ata.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

const [DATA, ERROR, COUNT, LBA_LOW, LBA_MID, LBA_HIGH, DEVICE, STATUS] = [0, 1, 2, 3, 4, 5, 6, 7];
const FEATURES = 1, COMMAND = 7;
const BSY = 0x80, DRDY = 0x40, DF = 0x20, DSC = 0x10, DRQ = 0x08, ERR = 0x01;

function irqLine() {
  return {
    level: false, edges: 0,
    set(level) { if (level && !this.level) this.edges++; this.level = level; },
    pulse() { this.edges++; },
  };
}

/** A disk whose every sector starts with its own LBA (8 bytes, little-endian); nothing stored. */
class PatternDisk {
  constructor(sectorCount) {
    this.sectorCount = sectorCount;
    this.readOnly = false;
    this.writes = [];
  }
  readSector(lba, dst) {
    let v = lba;
    for (let i = 0; i < 8; i++) { dst[i] = v % 256; v = Math.floor(v / 256); }
    for (let i = 8; i < SECTOR_SIZE; i++) dst[i] = (i + lba) & 0xff;
  }
  writeSector(lba, src) { this.writes.push(lba); }
  flush() {}
}

/** A disk of `sectors` sectors where byte i of sector n is (n * 7 + i) & 0xff. */
function memoryDisk(sectors, options) {
  const data = new Uint8Array(sectors * SECTOR_SIZE);
  for (let n = 0; n < sectors; n++) for (let i = 0; i < SECTOR_SIZE; i++) data[n * SECTOR_SIZE + i] = (n * 7 + i) & 0xff;
  return new MemoryBlockDevice(data, options);
}

function setup({ master, slave, base = 0x1f0, control = 0x3f6, masterOptions, slaveOptions } = {}) {
  const irq = irqLine();
  const ch = new AtaChannel(base, control, irq);
  if (master) ch.setDrive(0, master, masterOptions);
  if (slave) ch.setDrive(1, slave, slaveOptions);
  const bus = new PortBus();
  ch.attach(bus);
  const t = {
    ch, irq, bus,
    inb: (r) => bus.read(base + r, 1),
    outb: (r, v) => bus.write(base + r, v, 1),
    inw: () => bus.read(base, 2),
    outw: (v) => bus.write(base, v, 2),
    ind: () => bus.read(base, 4),
    outd: (v) => bus.write(base, v, 4),
    status: () => bus.read(base + STATUS, 1),
    alt: () => bus.read(control, 1),
    ctl: (v) => bus.write(control, v, 1),
    /** Read `bytes` bytes from the data register, 16 bits at a time. */
    readData(bytes) {
      const out = new Uint8Array(bytes);
      for (let i = 0; i < bytes; i += 2) { const w = t.inw(); out[i] = w & 0xff; out[i + 1] = w >> 8; }
      return out;
    },
    writeData(bytes) {
      for (let i = 0; i < bytes.length; i += 2) t.outw(bytes[i] | (bytes[i + 1] << 8));
    },
    /** A 28-bit LBA command. */
    lba28(cmd, lba, count, dev = 0) {
      t.outb(DEVICE, 0xe0 | (dev << 4) | ((lba >>> 24) & 0x0f));
      t.outb(COUNT, count & 0xff);
      t.outb(LBA_LOW, lba & 0xff);
      t.outb(LBA_MID, (lba >>> 8) & 0xff);
      t.outb(LBA_HIGH, (lba >>> 16) & 0xff);
      t.outb(COMMAND, cmd);
    },
    /** A 48-bit command: each register written twice, high-order byte first. */
    lba48(cmd, lba, count, dev = 0) {
      const hi = Math.floor(lba / 2 ** 24);
      t.outb(DEVICE, 0x40 | (dev << 4));
      t.outb(COUNT, count >> 8);
      t.outb(LBA_LOW, hi & 0xff);
      t.outb(LBA_MID, (hi >>> 8) & 0xff);
      t.outb(LBA_HIGH, (hi >>> 16) & 0xff);
      t.outb(COUNT, count & 0xff);
      t.outb(LBA_LOW, lba & 0xff);
      t.outb(LBA_MID, (lba >>> 8) & 0xff);
      t.outb(LBA_HIGH, (lba >>> 16) & 0xff);
      t.outb(COMMAND, cmd);
    },
    chs(cmd, cylinder, head, sector, count) {
      t.outb(DEVICE, 0xa0 | head);
      t.outb(COUNT, count);
      t.outb(LBA_LOW, sector);
      t.outb(LBA_MID, cylinder & 0xff);
      t.outb(LBA_HIGH, cylinder >> 8);
      t.outb(COMMAND, cmd);
    },
    identify(dev = 0) {
      t.outb(DEVICE, 0xa0 | (dev << 4));
      t.outb(COMMAND, 0xec);
      assert.equal(t.status(), DRDY | DSC | DRQ);
      const bytes = t.readData(512);
      return Array.from({ length: 256 }, (_, i) => bytes[2 * i] | (bytes[2 * i + 1] << 8));
    },
  };
  return t;
}

/** An ATA string: two characters per word, the first in the high byte. */
const ataString = (w, first, words) =>
  w.slice(first, first + words).map((x) => String.fromCharCode(x >> 8, x & 0xff)).join("");

const sectorOf = (disk, lba) => disk.data.subarray(lba * 512, lba * 512 + 512);

test("MemoryBlockDevice: sector reads and writes, zero padding, range and read-only errors, flush count", () => {
  const d = new MemoryBlockDevice(new Uint8Array(1000).fill(1));
  assert.equal(d.sectorCount, 2);
  const buf = new Uint8Array(512);
  d.readSector(1, buf);
  assert.equal(buf[487], 1);
  assert.equal(buf[488], 0, "padded to a whole sector");
  d.writeSector(0, new Uint8Array(512).fill(9));
  assert.equal(d.data[511], 9);
  assert.throws(() => d.readSector(2, buf), RangeError);
  assert.throws(() => new MemoryBlockDevice(4, { readOnly: true }).writeSector(0, buf));
  d.flush();
  assert.equal(d.flushes, 1);
});

test("IDENTIFY DEVICE: DRQ with an interrupt, then a 256-word block with model, serial, firmware strings", () => {
  const t = setup({ master: memoryDisk(20160), masterOptions: { model: "TEST DISK", serial: "SN123", firmware: "FW9" } });
  t.outb(DEVICE, 0xa0);
  t.outb(COMMAND, 0xec);
  assert.equal(t.irq.level, true);
  assert.equal(t.alt(), 0x58, "DRDY|DSC|DRQ");
  assert.equal(t.irq.level, true, "alternate status does not acknowledge");
  assert.equal(t.status(), 0x58);
  assert.equal(t.irq.level, false, "status does");
  const bytes = t.readData(512);
  assert.equal(t.status(), 0x50, "DRQ clears after 256 words; no completion interrupt for data-in");
  assert.equal(t.irq.level, false);
  const w = Array.from({ length: 256 }, (_, i) => bytes[2 * i] | (bytes[2 * i + 1] << 8));
  assert.equal(ataString(w, 27, 20), "TEST DISK".padEnd(40));
  assert.equal(ataString(w, 10, 10), "SN123".padEnd(20));
  assert.equal(ataString(w, 23, 4), "FW9".padEnd(8));
  assert.equal(String.fromCharCode(bytes[55], bytes[54]), "TE", "word 27: first character in the high byte");
});

test("IDENTIFY DEVICE: geometry, capacities, multiple, capability and feature-set words", () => {
  const t = setup({ master: memoryDisk(20160 + 5) }); // 20 cylinders of 16x63, plus 5 sectors
  const w = t.identify();
  assert.equal(w[0], 0x0040, "ATA, fixed device");
  assert.deepEqual([w[1], w[3], w[6]], [20, 16, 63], "default CHS");
  assert.equal(w[47], 0x8010, "up to 16 sectors per READ/WRITE MULTIPLE block");
  assert.equal(w[49] & 0x0200, 0x0200, "LBA supported");
  assert.equal(w[49] & 0x0100, 0, "no DMA");
  assert.equal(w[50], 0x4000);
  assert.equal(w[53] & 0x0003, 0x0003, "words 54-58 and 64-70 valid");
  assert.deepEqual([w[54], w[55], w[56]], [20, 16, 63], "current CHS");
  assert.equal(w[57] | (w[58] << 16), 20160, "current CHS capacity");
  assert.equal(w[59], 0, "multiple mode off");
  assert.equal(w[60] | (w[61] << 16), 20165, "LBA28 capacity");
  assert.equal(w[64] & 0x0003, 0x0003, "PIO modes 3 and 4");
  assert.equal(w[80] & 0x0040, 0x0040, "ATA/ATAPI-6");
  assert.equal(w[83], 0x7400, "48-bit address, FLUSH CACHE, FLUSH CACHE EXT; bit 14 set");
  assert.equal(w[86] & 0x3400, 0x3400, "and enabled");
  assert.equal(w[84], 0x4000);
  assert.equal(w[87], 0x4000);
  assert.deepEqual(w.slice(100, 104), [20165, 0, 0, 0], "LBA48 capacity");
  assert.equal(w[255], 0, "no integrity word (checksum-free)");
});

test("IDENTIFY DEVICE on a disk above 2^28 sectors: LBA28 capacity capped at 0FFFFFFF, LBA48 exact", () => {
  const t = setup({ master: new PatternDisk(2 ** 32 + 0x12345) });
  const w = t.identify();
  assert.equal((w[60] | (w[61] << 16)) >>> 0, 0x0fffffff);
  assert.deepEqual(w.slice(100, 104), [0x2345, 0x0001, 0x0001, 0]);
  assert.deepEqual([w[1], w[3], w[6]], [16383, 16, 63]);
  assert.equal((w[57] | (w[58] << 16)) >>> 0, 16514064);
});

test("defaultGeometry: 16 heads x 63 sectors, at most 16383 cylinders; small disks shrink to fit", () => {
  assert.deepEqual(defaultGeometry(1008 * 100), { cylinders: 100, heads: 16, sectors: 63 });
  assert.deepEqual(defaultGeometry(2 ** 30), { cylinders: 16383, heads: 16, sectors: 63 });
  assert.deepEqual(defaultGeometry(100), { cylinders: 1, heads: 1, sectors: 63 });
});

test("READ SECTORS (LBA28): one interrupt per sector, the right data, registers at the last sector", () => {
  const disk = memoryDisk(64);
  const t = setup({ master: disk });
  t.lba28(0x20, 10, 3);
  for (let n = 10; n < 13; n++) {
    assert.equal(t.irq.level, true, `interrupt for sector ${n}`);
    assert.equal(t.status(), DRDY | DSC | DRQ);
    assert.deepEqual(t.readData(512), sectorOf(disk, n));
  }
  assert.equal(t.status(), DRDY | DSC);
  assert.equal(t.irq.edges, 3);
  assert.equal(t.inb(LBA_LOW), 12);
  assert.equal(t.inb(COUNT), 0);
});

test("READ SECTORS with count 0 transfers 256 sectors", () => {
  const t = setup({ master: memoryDisk(300) });
  t.lba28(0x20, 0, 0);
  let blocks = 0;
  while (t.status() & DRQ) { t.readData(512); blocks++; }
  assert.equal(blocks, 256);
});

test("32-bit PIO: doubleword reads of the data register return two words at a time", () => {
  const disk = memoryDisk(4);
  const t = setup({ master: disk });
  t.lba28(0x20, 2, 1);
  const out = new Uint8Array(512);
  for (let i = 0; i < 512; i += 4) {
    const d = t.ind();
    out[i] = d & 0xff; out[i + 1] = (d >>> 8) & 0xff; out[i + 2] = (d >>> 16) & 0xff; out[i + 3] = d >>> 24;
  }
  assert.deepEqual(out, sectorOf(disk, 2));
  assert.equal(t.status(), DRDY | DSC);
});

test("32-bit PIO: doubleword writes of the data register store two words at a time", () => {
  const disk = memoryDisk(4);
  const t = setup({ master: disk });
  t.lba28(0x30, 1, 1);
  for (let i = 0; i < 128; i++) t.outd(0x04030201);
  assert.deepEqual(Array.from(sectorOf(disk, 1).subarray(0, 8)), [1, 2, 3, 4, 1, 2, 3, 4]);
});

test("CHS addressing: cylinder/head/sector maps through the current geometry (16 x 63)", () => {
  const disk = memoryDisk(2016);
  const t = setup({ master: disk });
  t.chs(0x20, 1, 2, 5, 1); // (1 * 16 + 2) * 63 + 4 = 1138
  assert.deepEqual(t.readData(512), sectorOf(disk, 1138));
  assert.deepEqual([t.inb(LBA_HIGH), t.inb(LBA_MID), t.inb(DEVICE) & 0x0f, t.inb(LBA_LOW)], [0, 1, 2, 5]);
});

test("CHS addressing: sector 0 or a head past the geometry fails with IDNF", () => {
  const t = setup({ master: memoryDisk(2016) });
  t.chs(0x20, 0, 0, 0, 1);
  assert.equal(t.status(), DRDY | DSC | ERR);
  assert.equal(t.inb(ERROR), 0x10);
  t.chs(0x20, 0, 0, 64, 1);
  assert.equal(t.inb(ERROR), 0x10);
});

test("READ SECTORS EXT (LBA48) reads the right sector above 2^32", () => {
  const t = setup({ master: new PatternDisk(2 ** 40) });
  const lba = 2 ** 33 + 0x1234567;
  t.lba48(0x24, lba, 2);
  for (const expected of [lba, lba + 1]) {
    assert.equal(t.status() & DRQ, DRQ);
    const bytes = t.readData(512);
    let v = 0;
    for (let i = 7; i >= 0; i--) v = v * 256 + bytes[i];
    assert.equal(v, expected);
  }
  assert.equal(t.status(), DRDY | DSC);
});

test("LBA48: the HOB bit of device control reads the previously written (high-order) bytes", () => {
  const t = setup({ master: memoryDisk(8) });
  t.outb(COUNT, 0x12);
  t.outb(COUNT, 0x34);
  t.outb(LBA_LOW, 0xab);
  t.outb(LBA_LOW, 0xcd);
  assert.equal(t.inb(COUNT), 0x34);
  t.ctl(0x80);
  assert.equal(t.inb(COUNT), 0x12);
  assert.equal(t.inb(LBA_LOW), 0xab);
  t.outb(LBA_MID, 0x00); // any command block write clears HOB
  assert.equal(t.inb(COUNT), 0x34);
});

test("READ SECTORS EXT takes a 16-bit count (HOB byte): 0x0102 sectors", () => {
  const t = setup({ master: memoryDisk(300) });
  t.lba48(0x24, 0, 0x0102);
  let blocks = 0;
  while (t.status() & DRQ) { t.readData(512); blocks++; }
  assert.equal(blocks, 0x102);
});

test("WRITE SECTORS: DRQ without an interrupt for the first sector, an interrupt after each sector", () => {
  const disk = memoryDisk(16);
  const t = setup({ master: disk });
  t.lba28(0x30, 4, 2);
  assert.equal(t.irq.level, false);
  assert.equal(t.status(), DRDY | DSC | DRQ);
  t.writeData(new Uint8Array(512).fill(0xaa));
  assert.equal(t.irq.level, true, "first sector taken: ready for the second");
  assert.equal(t.status(), DRDY | DSC | DRQ);
  t.writeData(new Uint8Array(512).fill(0xbb));
  assert.equal(t.irq.level, true, "completion interrupt");
  assert.equal(t.status(), DRDY | DSC);
  assert.equal(sectorOf(disk, 4)[100], 0xaa);
  assert.equal(sectorOf(disk, 5)[100], 0xbb);
  assert.equal(sectorOf(disk, 6)[100], (6 * 7 + 100) & 0xff, "next sector untouched");
});

test("WRITE SECTORS EXT writes at a 48-bit address", () => {
  const disk = new PatternDisk(2 ** 36);
  const t = setup({ master: disk });
  t.lba48(0x34, 2 ** 35 + 9, 1);
  t.writeData(new Uint8Array(512));
  assert.deepEqual(disk.writes, [2 ** 35 + 9]);
  assert.equal(t.status(), DRDY | DSC);
});

test("a write to a read-only disk aborts at once: ERR, error ABRT|WP (0x44), no DRQ", () => {
  const t = setup({ master: memoryDisk(8, { readOnly: true }) });
  for (const cmd of [0x30, 0x34]) {
    if (cmd === 0x34) t.lba48(cmd, 0, 1); else t.lba28(cmd, 0, 1);
    assert.equal(t.irq.level, true);
    assert.equal(t.status(), DRDY | DSC | ERR);
    assert.equal(t.inb(ERROR), 0x44);
  }
  t.outb(COUNT, 2);
  t.outb(COMMAND, 0xc6);
  t.lba28(0xc5, 0, 2);
  assert.equal(t.inb(ERROR), 0x44, "WRITE MULTIPLE too");
});

test("READ/WRITE MULTIPLE abort until SET MULTIPLE MODE; then one interrupt per block of N sectors", () => {
  const disk = memoryDisk(32);
  const t = setup({ master: disk });
  t.lba28(0xc4, 0, 4);
  assert.equal(t.status(), DRDY | DSC | ERR);
  assert.equal(t.inb(ERROR), 0x04);
  t.outb(COUNT, 3);
  t.outb(COMMAND, 0xc6);
  assert.equal(t.inb(ERROR), 0x04, "3 is not a power of two");
  t.outb(COUNT, 4);
  t.outb(COMMAND, 0xc6);
  assert.equal(t.status(), DRDY | DSC);
  assert.equal(t.identify()[59], 0x0104);
  t.irq.edges = 0;
  t.lba28(0xc4, 1, 6); // blocks of 4 and 2
  assert.equal(t.status(), DRDY | DSC | DRQ);
  const first = t.readData(4 * 512);
  assert.equal(t.irq.edges, 2, "a second interrupt for the last (short) block");
  assert.equal(t.status() & DRQ, DRQ);
  const second = t.readData(2 * 512);
  assert.equal(t.status(), DRDY | DSC);
  assert.deepEqual(first.subarray(0, 512), sectorOf(disk, 1));
  assert.deepEqual(second.subarray(512), sectorOf(disk, 6));
  t.irq.edges = 0;
  t.lba28(0xc5, 8, 5);
  t.writeData(new Uint8Array(4 * 512).fill(1));
  assert.equal(t.irq.edges, 1);
  t.status();
  t.writeData(new Uint8Array(512).fill(2));
  assert.equal(t.irq.edges, 2);
  assert.equal(t.status(), DRDY | DSC);
  assert.equal(sectorOf(disk, 11)[0], 1);
  assert.equal(sectorOf(disk, 12)[0], 2);
});

test("READ/WRITE MULTIPLE EXT use the multiple block size with 48-bit addresses", () => {
  const disk = memoryDisk(32);
  const t = setup({ master: disk });
  t.outb(COUNT, 2);
  t.outb(COMMAND, 0xc6);
  t.lba48(0x29, 3, 4);
  assert.deepEqual(t.readData(1024).subarray(512), sectorOf(disk, 4));
  t.readData(1024);
  assert.equal(t.status(), DRDY | DSC);
  t.lba48(0x39, 20, 2);
  t.writeData(new Uint8Array(1024).fill(0x5e));
  assert.equal(sectorOf(disk, 21)[511], 0x5e);
  assert.equal(t.status(), DRDY | DSC);
});

test("READ VERIFY (0x40, 0x42): no data, a completion interrupt, IDNF past the end", () => {
  const t = setup({ master: memoryDisk(16) });
  t.lba28(0x40, 0, 16);
  assert.equal(t.irq.level, true);
  assert.equal(t.status(), DRDY | DSC);
  t.lba48(0x42, 10, 6);
  assert.equal(t.status(), DRDY | DSC);
  t.lba28(0x40, 10, 7);
  assert.equal(t.status(), DRDY | DSC | ERR);
  assert.equal(t.inb(ERROR), 0x10);
});

test("a read past the last sector fails with IDNF and no data", () => {
  const t = setup({ master: memoryDisk(16) });
  t.lba28(0x20, 15, 2);
  assert.equal(t.status(), DRDY | DSC | ERR);
  assert.equal(t.inb(ERROR), 0x10);
  t.lba48(0x24, 16, 1);
  assert.equal(t.inb(ERROR), 0x10);
});

test("INITIALIZE DEVICE PARAMETERS sets the CHS translation used by IDENTIFY words 54-58 and CHS commands", () => {
  const disk = memoryDisk(20160);
  const t = setup({ master: disk });
  t.outb(DEVICE, 0xa0 | 7); // 8 heads
  t.outb(COUNT, 32); // 32 sectors per track
  t.outb(COMMAND, 0x91);
  assert.equal(t.status(), DRDY | DSC);
  const w = t.identify();
  assert.deepEqual([w[54], w[55], w[56]], [78, 8, 32]);
  assert.equal(w[57], 78 * 8 * 32);
  assert.deepEqual([w[1], w[3], w[6]], [20, 16, 63], "defaults unchanged");
  t.chs(0x20, 2, 3, 4, 1); // (2 * 8 + 3) * 32 + 3 = 611
  assert.deepEqual(t.readData(512), sectorOf(disk, 611));
  t.outb(COUNT, 0);
  t.outb(COMMAND, 0x91);
  assert.equal(t.inb(ERROR), 0x04, "0 sectors per track is refused");
});

test("SET FEATURES accepts write cache, look-ahead, PIO transfer modes and defaults; refuses DMA modes and unknown", () => {
  const t = setup({ master: memoryDisk(8) });
  const setFeature = (feature, count = 0) => {
    t.outb(FEATURES, feature);
    t.outb(COUNT, count);
    t.outb(COMMAND, 0xef);
    return t.status();
  };
  for (const [f, c] of [[0x02, 0], [0x82, 0], [0x55, 0], [0xaa, 0], [0x66, 0], [0xcc, 0], [0x03, 0x00], [0x03, 0x01], [0x03, 0x0c]]) {
    assert.equal(setFeature(f, c), DRDY | DSC, `feature ${f.toString(16)} ${c}`);
  }
  assert.equal(t.identify()[85] & 0x20, 0, "0x82 (after 0x02) disabled the write cache");
  setFeature(0x02);
  assert.equal(t.identify()[85] & 0x20, 0x20, "0x02 enables it");
  setFeature(0x55);
  assert.equal(t.identify()[85] & 0x40, 0, "0x55 disables look-ahead");
  for (const [f, c] of [[0x03, 0x22], [0x03, 0x45], [0x03, 0x0d], [0x99, 0]]) {
    assert.equal(setFeature(f, c), DRDY | DSC | ERR, `feature ${f.toString(16)} ${c}`);
    assert.equal(t.inb(ERROR), 0x04);
  }
});

test("FLUSH CACHE and FLUSH CACHE EXT call the block device's flush and interrupt", () => {
  const disk = memoryDisk(8);
  const t = setup({ master: disk });
  t.outb(DEVICE, 0xa0);
  t.outb(COMMAND, 0xe7);
  assert.equal(t.irq.level, true);
  assert.equal(t.status(), DRDY | DSC);
  t.outb(COMMAND, 0xea);
  assert.equal(disk.flushes, 2);
});

test("IDLE/STANDBY/SLEEP commands are accepted no-ops; CHECK POWER MODE answers FF (active)", () => {
  const t = setup({ master: memoryDisk(8) });
  for (const cmd of [0xe0, 0xe1, 0xe2, 0xe3, 0xe6, 0x94, 0x95, 0x96, 0x97, 0x99, 0x10, 0x70]) {
    t.outb(COUNT, 0);
    t.outb(COMMAND, cmd);
    assert.equal(t.status(), DRDY | DSC, `command ${cmd.toString(16)}`);
  }
  t.outb(COUNT, 0);
  t.outb(COMMAND, 0xe5);
  assert.equal(t.inb(COUNT), 0xff);
});

test("unknown commands (IDENTIFY PACKET, SMART, DMA reads) abort: ERR with ABRT and an interrupt", () => {
  const t = setup({ master: memoryDisk(8) });
  for (const cmd of [0xa1, 0xb0, 0xc8, 0x25, 0x08, 0xf8]) {
    t.outb(COMMAND, cmd);
    assert.equal(t.irq.level, true);
    assert.equal(t.status(), DRDY | DSC | ERR);
    assert.equal(t.inb(ERROR), 0x04);
  }
});

test("nIEN releases the IRQ line while the interrupt stays pending; clearing it drives the line again", () => {
  const t = setup({ master: memoryDisk(8) });
  t.ctl(0x02);
  t.outb(COMMAND, 0xe7);
  assert.equal(t.irq.level, false);
  t.ctl(0x00);
  assert.equal(t.irq.level, true);
  t.status();
  assert.equal(t.irq.level, false);
});

test("software reset: BSY while SRST is set, then the ATA signature (01 01 00 00 00), error 01, master selected, no IRQ", () => {
  const t = setup({ master: memoryDisk(8), slave: memoryDisk(8) });
  t.outb(DEVICE, 0xb0);
  t.lba28(0x20, 1, 1, 1);
  t.ctl(0x04);
  assert.equal(t.alt(), BSY);
  assert.equal(t.inb(COUNT), BSY, "while BSY every register reads status");
  t.ctl(0x00);
  assert.equal(t.irq.level, false);
  assert.equal(t.alt(), DRDY | DSC);
  assert.deepEqual([COUNT, LBA_LOW, LBA_MID, LBA_HIGH, DEVICE, ERROR].map(t.inb), [1, 1, 0, 0, 0, 1]);
  t.outb(DEVICE, 0xb0);
  assert.deepEqual([COUNT, LBA_LOW, LBA_MID, LBA_HIGH, ERROR].map(t.inb), [1, 1, 0, 0, 1], "slave's signature");
  assert.equal(t.status(), DRDY | DSC);
  assert.equal(t.status() & DRQ, 0, "the interrupted read was dropped");
});

test("EXECUTE DEVICE DIAGNOSTIC: both devices post the signature and code 01; device 0 interrupts", () => {
  const t = setup({ master: memoryDisk(8), slave: memoryDisk(8) });
  t.outb(LBA_MID, 0x55);
  t.outb(DEVICE, 0xb0);
  t.outb(COMMAND, 0x90);
  assert.equal(t.irq.level, true);
  assert.equal(t.inb(DEVICE), 0, "device 0 selected");
  assert.deepEqual([COUNT, LBA_LOW, LBA_MID, LBA_HIGH, ERROR].map(t.inb), [1, 1, 0, 0, 1]);
  assert.equal(t.status(), DRDY | DSC);
  assert.equal(t.irq.level, false);
});

test("a missing slave reads status 0 (alternate status too) and ignores commands; device 0 answers its registers", () => {
  const t = setup({ master: memoryDisk(8) });
  t.outb(DEVICE, 0xb0);
  t.outb(COUNT, 0x55);
  t.outb(LBA_LOW, 0xaa);
  assert.equal(t.status(), 0);
  assert.equal(t.alt(), 0);
  assert.deepEqual([t.inb(COUNT), t.inb(LBA_LOW), t.inb(DEVICE)], [0x55, 0xaa, 0xb0]);
  t.outb(COMMAND, 0xec);
  assert.equal(t.status(), 0);
  assert.equal(t.irq.level, false);
  assert.equal(t.inw(), 0xffff);
  t.outb(DEVICE, 0xa0);
  assert.equal(t.status(), DRDY | DSC, "the master was not disturbed");
});

test("a channel with no drives reads status 0 for both devices", () => {
  const t = setup({ base: 0x170, control: 0x376 });
  assert.equal(t.status(), 0);
  t.outb(DEVICE, 0xb0);
  assert.equal(t.status(), 0);
  t.outb(COMMAND, 0x90);
  assert.equal(t.irq.level, false);
  assert.match(t.ch.name, /170/);
});

test("master and slave are separate drives: each answers IDENTIFY with its own serial when selected", () => {
  const t = setup({ master: memoryDisk(8), slave: memoryDisk(4032), slaveOptions: { serial: "SLAVE" } });
  assert.equal(ataString(t.identify(1), 10, 10).trim(), "SLAVE");
  assert.equal(t.identify(1)[60], 4032);
  assert.equal(t.identify(0)[60], 8);
  assert.deepEqual(t.ch.geometry(1), { cylinders: 4, heads: 16, sectors: 63 });
  assert.equal(t.ch.geometry(0).heads, 1);
});

test("the slave's interrupt reaches the line only while the slave is selected", () => {
  const t = setup({ master: memoryDisk(8), slave: memoryDisk(8) });
  t.outb(DEVICE, 0xb0);
  t.outb(COMMAND, 0xe7);
  assert.equal(t.irq.level, true);
  t.outb(DEVICE, 0xa0);
  assert.equal(t.irq.level, false);
  t.outb(DEVICE, 0xb0);
  assert.equal(t.irq.level, true);
});

test("saveState/loadState resume a multi-sector read in the middle of a sector", () => {
  const disk = memoryDisk(16);
  const a = setup({ master: disk });
  a.lba28(0x20, 3, 2);
  const head = a.readData(100);
  const state = JSON.parse(JSON.stringify(a.ch.saveState()));
  const b = setup({ master: disk });
  b.ch.loadState(state);
  assert.equal(b.irq.level, true);
  const rest = b.readData(412);
  assert.deepEqual(new Uint8Array([...head, ...rest]), sectorOf(disk, 3));
  assert.deepEqual(b.readData(512), sectorOf(disk, 4));
  assert.equal(b.status(), DRDY | DSC);
});
