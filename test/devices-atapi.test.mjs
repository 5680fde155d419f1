// Tests of the ATAPI CD-ROM drive (src/devices/atapi-cdrom.ts carried by src/devices/ata.ts),
// driven byte by byte through the port bus as a guest driver does: the packet device signature,
// IDENTIFY PACKET DEVICE, the PACKET protocol (the interrupt reason CoD/IO in Sector Count, the
// byte count in LBA Mid/High, DRQ blocks within the byte count limit, the status phase and its
// interrupt) and the command set (ATA/ATAPI-6 clause 9.10; SPC-3; MMC-3). Then
// bios/test/atapi.asm, a -bios image that drives the drive through its ports as a BIOS does,
// passes the same checks under emu and under qemu-system-i386 with the same ISO.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-atapi-test-"));
await build({
  stdin: {
    contents: 'export * from "./src/devices/ata.ts"; export * from "./src/devices/block-device.ts"; export { PortBus } from "./src/machine/device.ts"; ' +
      'export { parseDrives } from "./src/drive-option.ts";',
    resolveDir: root, sourcefile: "atapi-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: join(tmp, "atapi.mjs"), logLevel: "silent",
});
const { AtaChannel, MemoryBlockDevice, PortBus, parseDrives } = await import(pathToFileURL(join(tmp, "atapi.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

const [DATA, ERROR, COUNT, LBA_LOW, LBA_MID, LBA_HIGH, DEVICE, STATUS] = [0, 1, 2, 3, 4, 5, 6, 7];
const FEATURES = 1, COMMAND = 7;
const BSY = 0x80, DRDY = 0x40, DSC = 0x10, DRQ = 0x08, ERR = 0x01;
const COD = 1, IO = 2;
const BASE = 0x170, CONTROL = 0x376;

/** A 2048-byte-block image of `blocks` blocks: byte i of block n is (n * 13 + i) & 0xff, and block n starts with n. */
function iso(blocks) {
  const data = new Uint8Array(blocks * 2048);
  for (let n = 0; n < blocks; n++) {
    for (let i = 0; i < 2048; i++) data[n * 2048 + i] = (n * 13 + i) & 0xff;
    data[n * 2048] = n & 0xff;
    data[n * 2048 + 1] = n >> 8;
  }
  return new MemoryBlockDevice(data, { readOnly: true });
}

function setup(medium = iso(100)) {
  const irq = { level: false, edges: 0, set(l) { if (l && !this.level) this.edges++; this.level = l; }, pulse() { this.edges++; } };
  const ch = new AtaChannel(BASE, CONTROL, irq);
  ch.setCdrom(0, medium ?? undefined); // null: an empty drive
  const bus = new PortBus();
  ch.attach(bus);
  const t = {
    ch, irq, medium,
    inb: (r) => bus.read(BASE + r, 1),
    outb: (r, v) => bus.write(BASE + r, v, 1),
    inw: () => bus.read(BASE, 2),
    ind: () => bus.read(BASE, 4),
    status: () => bus.read(BASE + STATUS, 1),
    alt: () => bus.read(CONTROL, 1),
    ctl: (v) => bus.write(CONTROL, v, 1),
    reason: () => t.inb(COUNT) & 7,
    byteCount: () => t.inb(LBA_MID) | (t.inb(LBA_HIGH) << 8),
    readData(bytes) {
      const out = new Uint8Array(bytes);
      for (let i = 0; i < bytes; i += 2) { const w = t.inw(); out[i] = w & 0xff; if (i + 1 < bytes) out[i + 1] = w >> 8; }
      return out;
    },
    /** Issue PACKET with `limit` and send the command packet (12 bytes); returns the status after it. */
    packet(cdb, limit = 0xfffe) {
      t.outb(DEVICE, 0xa0);
      t.outb(FEATURES, 0);
      t.outb(LBA_MID, limit & 0xff);
      t.outb(LBA_HIGH, limit >> 8);
      t.outb(COMMAND, 0xa0);
      assert.equal(t.alt() & (BSY | DRQ), DRQ, "DRQ for the command packet");
      assert.equal(t.reason(), COD, "interrupt reason: command packet (CoD = 1, IO = 0)");
      assert.equal(t.irq.level, false, "no interrupt for the packet request");
      const bytes = new Uint8Array(12);
      bytes.set(cdb);
      for (let i = 0; i < 12; i += 2) bus.write(BASE, bytes[i] | (bytes[i + 1] << 8), 2);
      return t.alt();
    },
    /**
     * Run a data-in command to the end as a driver does: at each interrupt read the byte count
     * and that many bytes. Returns the data, the DRQ block sizes and the final status and error.
     */
    dataIn(cdb, limit) {
      t.packet(cdb, limit);
      const chunks = [];
      const blocks = [];
      for (;;) {
        assert.equal(t.irq.level, true, "an interrupt announces each phase");
        const st = t.status();
        assert.equal(t.irq.level, false, "reading Status acknowledges it");
        if (!(st & DRQ)) {
          assert.equal(t.reason(), IO | COD, "status phase: IO = 1, CoD = 1");
          return { data: Buffer.concat(chunks), blocks, status: st, error: t.inb(ERROR) };
        }
        assert.equal(t.reason(), IO, "data-in: IO = 1, CoD = 0");
        const n = t.byteCount();
        blocks.push(n);
        chunks.push(t.readData(n));
      }
    },
    /** REQUEST SENSE: [sense key, ASC, ASCQ]. */
    sense() {
      const r = t.dataIn([0x03, 0, 0, 0, 18, 0]);
      assert.equal(r.data.length, 18);
      assert.equal(r.data[0], 0x70, "current error, fixed format");
      assert.equal(r.data[7], 10, "additional sense length");
      return [r.data[2] & 0x0f, r.data[12], r.data[13]];
    },
    /** Clear the power-on unit attention: TEST UNIT READY reports it once. */
    clearUnitAttention() {
      const r = t.dataIn([0x00]);
      assert.equal(r.status, DRDY | ERR);
      assert.equal(r.error, 0x60, "sense key UNIT ATTENTION in Error bits 7-4");
      assert.deepEqual(t.sense(), [6, 0x29, 0x00], "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED");
    },
  };
  return t;
}

const be16 = (b, at) => (b[at] << 8) | b[at + 1];
const be32 = (b, at) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

test("after reset the drive posts the packet device signature (14h/EBh) with DRDY clear; IDENTIFY DEVICE aborts with it", () => {
  const t = setup();
  assert.equal(t.status(), 0, "status 00h: no DRDY for a packet device after reset");
  assert.deepEqual([t.inb(COUNT), t.inb(LBA_LOW), t.inb(LBA_MID), t.inb(LBA_HIGH)], [1, 1, 0x14, 0xeb]);
  assert.equal(t.inb(ERROR), 1, "diagnostic code: passed");
  t.outb(LBA_MID, 0); t.outb(LBA_HIGH, 0);
  t.outb(COMMAND, 0xec);
  assert.equal(t.status(), DRDY | DSC | ERR);
  assert.equal(t.inb(ERROR), 0x04, "ABRT");
  assert.deepEqual([t.inb(LBA_MID), t.inb(LBA_HIGH)], [0x14, 0xeb]);
  // Software reset: the signature again, status 00h.
  t.outb(LBA_MID, 0);
  t.ctl(0x04);
  assert.equal(t.alt() & BSY, BSY);
  t.ctl(0x00);
  assert.equal(t.status(), 0);
  assert.deepEqual([t.inb(LBA_MID), t.inb(LBA_HIGH)], [0x14, 0xeb]);
});

test("IDENTIFY PACKET DEVICE: ATAPI CD-ROM, removable, 50 us DRQ, 12-byte packets, PACKET and DEVICE RESET supported, no DMA", () => {
  const t = setup();
  t.outb(COMMAND, 0xa1);
  assert.equal(t.irq.level, true);
  assert.equal(t.status(), DRDY | DSC | DRQ);
  const b = t.readData(512);
  const w = (i) => b[2 * i] | (b[2 * i + 1] << 8);
  assert.equal(w(0), 0x85c0);
  const model = Array.from({ length: 20 }, (_, i) => String.fromCharCode(w(27 + i) >> 8, w(27 + i) & 0xff)).join("").trim();
  assert.equal(model, "EMU DVD-ROM");
  assert.equal(w(49) & 0x0100, 0, "no DMA");
  assert.equal(w(49) & 0x0200, 0x0200, "LBA");
  assert.equal(w(82) & 0x0210, 0x0210, "PACKET and DEVICE RESET feature sets");
  assert.equal(w(64) & 3, 3, "PIO modes 3 and 4");
  assert.equal(t.status(), DRDY | DSC, "no DRQ after the block");
});

test("TEST UNIT READY reports the power-on unit attention once, then succeeds; REQUEST SENSE clears the sense", () => {
  const t = setup();
  t.clearUnitAttention();
  const r = t.dataIn([0x00]);
  assert.equal(r.status, DRDY | DSC);
  assert.equal(r.error, 0);
  assert.equal(r.blocks.length, 0, "a non-data command goes straight to the status phase");
  assert.deepEqual(t.sense(), [0, 0, 0]);
});

test("INQUIRY answers during a unit attention: CD/DVD device, removable, vendor and product, cut to the allocation length", () => {
  const t = setup();
  const r = t.dataIn([0x12, 0, 0, 0, 36, 0]);
  assert.equal(r.status, DRDY | DSC);
  assert.equal(r.data.length, 36);
  assert.equal(r.data[0], 0x05);
  assert.equal(r.data[1], 0x80);
  assert.equal(r.data[4], 31);
  assert.equal(r.data.subarray(8, 16).toString("latin1"), "EMU     ");
  assert.equal(r.data.subarray(16, 32).toString("latin1"), "EMU DVD-ROM     ");
  const short = t.dataIn([0x12, 0, 0, 0, 5, 0]);
  assert.equal(short.data.length, 5, "an odd length ends the transfer early");
  assert.deepEqual(short.blocks, [5]);
  const vpd = t.dataIn([0x12, 1, 0x00, 0, 255, 0]);
  assert.deepEqual([...vpd.data], [0x05, 0x00, 0x00, 0x01, 0x00], "supported VPD pages: only 00h");
  const bad = t.dataIn([0x12, 1, 0x80, 0, 255, 0]);
  assert.equal(bad.status, DRDY | ERR);
  t.clearUnitAttention(); // INQUIRY left it pending (SPC-3 5.9.7)
});

test("READ CAPACITY gives the last block and 2048-byte blocks", () => {
  const t = setup(iso(1234));
  t.clearUnitAttention();
  const r = t.dataIn([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(r.data.length, 8);
  assert.equal(be32(r.data, 0), 1233);
  assert.equal(be32(r.data, 4), 2048);
});

test("READ(10): DRQ blocks of whole 2048-byte blocks within the byte count limit, the data of the image, then the status phase", () => {
  const t = setup();
  t.clearUnitAttention();
  const r = t.dataIn([0x28, 0, 0, 0, 0, 16, 0, 0, 5, 0], 2048);
  assert.deepEqual(r.blocks, [2048, 2048, 2048, 2048, 2048], "a limit of one block: one block per DRQ (as SeaBIOS asks)");
  assert.equal(r.status, DRDY | DSC);
  assert.deepEqual(r.data, Buffer.from(t.medium.data.subarray(16 * 2048, 21 * 2048)));
  const big = t.dataIn([0x28, 0, 0, 0, 0, 0, 0, 0, 40, 0], 0xffff);
  assert.deepEqual(big.blocks, [31 * 2048, 9 * 2048], "limit FFFFh counts as FFFEh: 31 whole blocks at most");
  assert.deepEqual(big.data, Buffer.from(t.medium.data.subarray(0, 40 * 2048)));
  const odd = t.dataIn([0x28, 0, 0, 0, 0, 3, 0, 0, 1, 0], 1001);
  assert.deepEqual(odd.blocks, [1000, 1000, 48], "a limit below a block: even pieces of at most the limit");
  assert.deepEqual(odd.data, Buffer.from(t.medium.data.subarray(3 * 2048, 4 * 2048)));
  const none = t.dataIn([0x28, 0, 0, 0, 0, 3, 0, 0, 0, 0]);
  assert.equal(none.blocks.length, 0, "zero blocks: no data, good status");
  assert.equal(none.status, DRDY | DSC);
});

test("READ(12) reads like READ(10) with a 32-bit count; a read past the end is ILLEGAL REQUEST, LBA out of range, before any data", () => {
  const t = setup();
  t.clearUnitAttention();
  const r = t.dataIn([0xa8, 0, 0, 0, 0, 98, 0, 0, 0, 2, 0, 0], 4096);
  assert.deepEqual(r.data, Buffer.from(t.medium.data.subarray(98 * 2048, 100 * 2048)));
  const past = t.dataIn([0xa8, 0, 0, 0, 0, 99, 0, 0, 0, 2, 0, 0], 4096);
  assert.equal(past.blocks.length, 0);
  assert.equal(past.status, DRDY | ERR);
  assert.equal(past.error >> 4, 5);
  assert.deepEqual(t.sense(), [5, 0x21, 0x00]);
});

test("an unknown operation code is ILLEGAL REQUEST, invalid command operation code (20h); PACKET asking for DMA aborts", () => {
  const t = setup();
  t.clearUnitAttention();
  const r = t.dataIn([0xbe, 0, 0, 0, 0, 0, 0, 0, 1, 0x10]); // READ CD: not implemented
  assert.equal(r.status, DRDY | ERR);
  assert.equal(r.error, 0x50);
  assert.deepEqual(t.sense(), [5, 0x20, 0x00]);
  t.outb(FEATURES, 1);
  t.outb(COMMAND, 0xa0);
  assert.equal(t.status(), DRDY | DSC | ERR);
  assert.equal(t.inb(ERROR), 0x04, "ABRT: no DMA");
});

test("READ TOC format 0 (LBA and MSF) lists track 1 and the lead-out; format 1 (also through byte 9) one session", () => {
  const t = setup(iso(1000));
  t.clearUnitAttention();
  const lba = t.dataIn([0x43, 0, 0, 0, 0, 0, 0, 0, 100, 0]).data;
  assert.deepEqual([...lba], [0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x14, 0xaa, 0, 0, 0, 0x03, 0xe8]);
  const msf = t.dataIn([0x43, 2, 0, 0, 0, 0, 0, 0, 100, 0]).data;
  // Block 1000 + 150 frames of lead-in = 1150 = 0 min 15 s 25 frames; block 0 = 00:02:00.
  assert.deepEqual([...msf.subarray(8, 12)], [0, 0, 2, 0]);
  assert.deepEqual([...msf.subarray(16, 20)], [0, 0, 15, 25]);
  const leadOut = t.dataIn([0x43, 0, 0, 0, 0, 0, 0xaa, 0, 100, 0]).data;
  assert.equal(be16(leadOut, 0), 10, "from track AAh: the lead-out only");
  const session = t.dataIn([0x43, 0, 1, 0, 0, 0, 0, 0, 12, 0]).data;
  assert.deepEqual([...session], [0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0]);
  const legacy = t.dataIn([0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0x40]).data;
  assert.deepEqual(legacy, session, "SFF-8020's format field in byte 9");
  const bad = t.dataIn([0x43, 0, 0, 0, 0, 0, 2, 0, 12, 0]);
  assert.equal(bad.status, DRDY | ERR, "there is no track 2");
});

test("MODE SENSE(10): the capabilities page 2Ah and the error recovery page, all pages, no changeable fields, no saved values", () => {
  const t = setup();
  t.clearUnitAttention();
  const caps = t.dataIn([0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 255, 0]).data;
  assert.equal(be16(caps, 0), caps.length - 2, "mode data length");
  assert.equal(be16(caps, 6), 0, "no block descriptors");
  assert.equal(caps[8], 0x2a);
  assert.equal(caps[9], 20);
  assert.equal(caps[10] & 0x08, 0x08, "reads DVD-ROM");
  assert.equal(caps[14] & 0x29, 0x29, "tray, eject, lock");
  const all = t.dataIn([0x5a, 0, 0x3f, 0, 0, 0, 0, 0, 255, 0]).data;
  assert.deepEqual([all[8], all[9], all[20]], [0x01, 10, 0x2a]);
  const changeable = t.dataIn([0x5a, 0, 0x40 | 0x2a, 0, 0, 0, 0, 0, 255, 0]).data;
  assert.deepEqual([...changeable.subarray(10)], new Array(20).fill(0));
  const saved = t.dataIn([0x5a, 0, 0xc0 | 0x2a, 0, 0, 0, 0, 0, 255, 0]);
  assert.equal(saved.status, DRDY | ERR);
  assert.deepEqual(t.sense(), [5, 0x39, 0x00], "SAVING PARAMETERS NOT SUPPORTED");
});

test("GET CONFIGURATION: the current profile (CD-ROM), the profile list, one feature with RT=2, nothing for an absent one", () => {
  const t = setup();
  const all = t.dataIn([0x46, 0, 0, 0, 0, 0, 0, 0x01, 0, 0]).data;
  assert.equal(be32(all, 0), all.length - 4);
  assert.equal(be16(all, 6), 0x0008, "current profile: CD-ROM");
  assert.equal(be16(all, 8), 0x0000, "first the Profile List feature");
  assert.deepEqual([...all.subarray(12, 20)], [0x00, 0x10, 0, 0, 0x00, 0x08, 1, 0], "DVD-ROM, CD-ROM (current)");
  const one = t.dataIn([0x46, 2, 0x00, 0x10, 0, 0, 0, 0x01, 0, 0]).data;
  assert.equal(be16(one, 8), 0x0010, "Random Readable");
  assert.equal(be32(one, 12), 2048);
  const absent = t.dataIn([0x46, 2, 0x00, 0x28, 0, 0, 0, 0x01, 0, 0]).data;
  assert.equal(absent.length, 8, "MRW: only the header");
  const dvd = setup(iso(400000));
  assert.equal(be16(dvd.dataIn([0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0]).data, 6), 0x0010, "more than 80 minutes: DVD-ROM");
});

test("GET EVENT STATUS NOTIFICATION (polled): media present; an eject and a load give NEW MEDIA once and a unit attention", () => {
  const t = setup();
  const ev = () => t.dataIn([0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8, 0]).data;
  assert.deepEqual([...ev()], [0, 6, 4, 0x10, 0, 0x02, 0, 0], "media class, no change, medium present");
  assert.equal(t.dataIn([0x4a, 0, 0, 0, 0x10, 0, 0, 0, 8, 0]).status, DRDY | ERR, "asynchronous mode is not supported");
  t.clearUnitAttention();
  assert.equal(t.dataIn([0x1e, 0, 0, 0, 1, 0]).status, DRDY | DSC, "PREVENT MEDIUM REMOVAL");
  assert.equal(t.dataIn([0x1b, 0, 0, 0, 0x02, 0]).status, DRDY | ERR, "eject refused while locked");
  assert.deepEqual(t.sense(), [5, 0x53, 0x02]);
  t.dataIn([0x1e, 0, 0, 0, 0, 0]);
  assert.equal(t.dataIn([0x1b, 0, 0, 0, 0x02, 0]).status, DRDY | DSC, "eject");
  assert.deepEqual([...ev()], [0, 6, 4, 0x10, 0, 0x01, 0, 0], "tray open, no medium");
  assert.equal(t.dataIn([0x00]).status, DRDY | ERR);
  assert.deepEqual(t.sense(), [2, 0x3a, 0x02], "NOT READY, MEDIUM NOT PRESENT - TRAY OPEN");
  t.dataIn([0x1b, 0, 0, 0, 0x03, 0]); // load
  assert.deepEqual([...ev()], [0, 6, 4, 0x10, 2, 0x02, 0, 0], "NEW MEDIA");
  assert.deepEqual([...ev()].slice(4, 6), [0, 0x02], "reported once");
  assert.equal(t.dataIn([0x00]).error >> 4, 6);
  assert.deepEqual(t.sense(), [6, 0x28, 0x00], "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED");
  assert.equal(t.dataIn([0x00]).status, DRDY | DSC);
});

test("an empty drive is present (signature, IDENTIFY PACKET) and answers NOT READY, MEDIUM NOT PRESENT", () => {
  const t = setup(null);
  assert.deepEqual([t.inb(LBA_MID), t.inb(LBA_HIGH)], [0x14, 0xeb]);
  t.clearUnitAttention();
  const r = t.dataIn([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(r.error >> 4, 2);
  assert.deepEqual(t.sense(), [2, 0x3a, 0x00]);
});

test("a medium read error ends the command with MEDIUM ERROR, unrecovered read error", () => {
  const medium = iso(10);
  const t = setup(medium);
  t.clearUnitAttention();
  medium.readSector = () => { throw new Error("I/O error"); };
  const r = t.dataIn([0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0], 2048);
  assert.equal(r.blocks.length, 0);
  assert.equal(r.status, DRDY | ERR);
  assert.deepEqual(t.sense(), [3, 0x11, 0x00]);
});

test("nIEN holds the interrupt back; 32-bit data reads work; the state survives save and restore mid-transfer", () => {
  const t = setup();
  t.clearUnitAttention();
  t.ctl(0x02);
  t.packet([0x28, 0, 0, 0, 0, 7, 0, 0, 2, 0], 2048);
  assert.equal(t.irq.level, false, "nIEN: no interrupt");
  assert.equal(t.alt() & DRQ, DRQ);
  assert.equal(t.byteCount(), 2048);
  const dword = t.ind();
  const block7 = t.medium.data.subarray(7 * 2048, 8 * 2048);
  assert.equal(dword, (block7[0] | (block7[1] << 8) | (block7[2] << 16) | (block7[3] << 24)) >>> 0);
  const saved = JSON.parse(JSON.stringify(t.ch.saveState()));
  const copy = setup();
  copy.ch.loadState(saved);
  assert.deepEqual([...copy.readData(2048 - 4)], [...block7.subarray(4)]);
  assert.equal(copy.byteCount(), 2048, "the second block is announced");
  assert.deepEqual([...copy.readData(2048)], [...t.medium.data.subarray(8 * 2048, 9 * 2048)]);
  assert.equal(copy.alt(), DRDY | DSC, "then the status phase");
  assert.equal(copy.reason(), IO | COD);
});

test("the CD-ROM drive is the secondary master: -drive disks placed automatically skip hdc when there is one", () => {
  const slots = (specs, taken) => parseDrives(specs, taken).map((d) => d.slot);
  assert.deepEqual(slots(["file=a", "file=b", "file=c"], ["cdrom"]), ["hda", "hdb", "hdd"]);
  assert.deepEqual(slots(["file=a", "file=b", "file=c", "file=x.iso,media=cdrom"]), ["hda", "hdb", "hdd", "cdrom"]);
  assert.deepEqual(slots(["file=a", "file=b", "file=c"]), ["hda", "hdb", "hdc"], "no CD-ROM: hdc is a disk's");
});

const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const romSkip = !have("nasm") || !have("xorriso") ? "needs nasm and xorriso" : false;

/** bios/test/atapi.asm assembled, and a small (not bootable) ISO for it to read. */
function atapiRom() {
  const dir = mkdtempSync(join(tmpdir(), "emu-atapi-rom-"));
  const rom = join(dir, "atapi.bin");
  execFileSync("nasm", ["-f", "bin", "-I", join(root, "bios", "test") + "/", "-o", rom, join(root, "bios", "test", "atapi.asm")]);
  mkdirSync(join(dir, "tree"));
  writeFileSync(join(dir, "tree", "readme.txt"), "an ISO for bios/test/atapi.asm\n");
  const iso = join(dir, "plain.iso");
  execFileSync("xorriso", ["-as", "mkisofs", "-quiet", "-o", iso, join(dir, "tree")], { stdio: "ignore" });
  return { rom, iso };
}

test("atapi.asm drives the CD-ROM through its ports as a BIOS does: every check passes under emu", { skip: romSkip }, () => {
  const { rom, iso } = atapiRom();
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-bios", rom, "-cdrom", iso, "-debugcon", "stdio"], { encoding: "latin1", input: "", timeout: 60_000 });
  assert.match(r.stderr, /atapi: PASS/, r.stderr);
  for (const n of ["1", "2", "3-4", "5", "6", "7", "8", "9", "10", "11"]) assert.match(r.stderr, new RegExp(`\\nok ${n} `));
  assert.equal(r.status, 1);
});

test("atapi.asm passes under qemu-system-i386 with the same ISO", { skip: romSkip || (have("qemu-system-i386") ? false : "needs qemu-system-i386") }, () => {
  const { rom, iso } = atapiRom();
  const r = spawnSync("qemu-system-i386", ["-bios", rom, "-cdrom", iso, "-display", "none", "-monitor", "none", "-serial", "none",
    "-chardev", "stdio,id=dc", "-device", "isa-debugcon,iobase=0x402,chardev=dc", "-device", "isa-debug-exit,iobase=0xf4,iosize=1"],
  { encoding: "latin1", timeout: 60_000 });
  assert.match(r.stdout, /atapi: PASS/, r.stdout + r.stderr);
  assert.equal(r.status, 1);
});
