// The floppy controller (src/devices/fdc82077.ts, an 82077AA) and the DMA controllers
// (src/devices/dma8237.ts, the AT's 8237A pair): register-level tests through the port bus, and
// test-roms/machine/fdc.asm run as the PC's firmware under `emu rom -fda` and under
// qemu-system-i386 with the same diskettes, and Debian's SeaBIOS booting a diskette through the
// controller (its INT 13h drives the 82077AA and the 8237A). Facts from the 82077AA and 8237A
// data sheets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-fdc-test-"));
await build({
  stdin: {
    contents: 'export * from "./src/devices/fdc82077.ts"; export * from "./src/devices/dma8237.ts"; export * from "./src/devices/floppy-drive.ts";' +
      'export * from "./src/devices/block-device.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "fdc-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: join(tmp, "fdc.mjs"), logLevel: "silent",
});
const { Fdc82077, Dma8237Pair, FloppyDrive, MemoryBlockDevice, PortBus } = await import(pathToFileURL(join(tmp, "fdc.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

function irqLine() {
  return { level: false, edges: 0, set(level) { if (level && !this.level) this.edges++; this.level = level; }, pulse() { this.edges++; } };
}

/** 1 MiB of "physical memory" for the DMA controllers. */
function memory() {
  const ram = new Uint8Array(1 << 20);
  return { ram, read: (a, dst) => dst.set(ram.subarray(a, a + dst.length)), write: (a, src) => ram.set(src, a) };
}

/** A diskette image of `kb` KiB whose sector n holds the dword n (plus `tag`) throughout. */
function diskette(kb, { readOnly = false, tag = 0 } = {}) {
  const data = new Uint8Array(kb * 1024);
  const view = new DataView(data.buffer);
  for (let s = 0; s < kb * 2; s++) for (let i = 0; i < 128; i++) view.setUint32(s * 512 + i * 4, tag + s, true);
  return new MemoryBlockDevice(data, { readOnly });
}

function machine(drives = [diskette(1440)]) {
  const bus = new PortBus();
  const mem = memory();
  const dma = new Dma8237Pair(mem);
  const irq = irqLine();
  let now = 0;
  const fdc = new Fdc82077(irq, dma, () => now, drives.map((d) => d && new FloppyDrive(d)));
  dma.attach(bus);
  fdc.attach(bus);
  dma.reset();
  fdc.reset();
  const m = {
    bus, mem, dma, fdc, irq,
    out: (port, v) => bus.write(port, v, 1),
    in: (port) => bus.read(port, 1),
    /** Let guest time pass until nothing is due. */
    settle() {
      for (let i = 0; i < 100; i++) {
        const t = fdc.nextEvent(now);
        if (t === Infinity) return;
        now = Math.max(now, t);
        fdc.runUntil(now);
      }
    },
    command(...bytes) {
      for (const b of bytes) {
        assert.equal(m.in(0x3f4) & 0xc0, 0x80, `MSR ready for command byte ${b.toString(16)}`);
        m.out(0x3f5, b);
      }
    },
    results() {
      const out = [];
      while ((m.in(0x3f4) & 0xc0) === 0xc0) out.push(m.in(0x3f5));
      return out;
    },
    /** Out of reset, the four SENSE INTERRUPT STATUS done, SPECIFY for DMA. */
    ready() {
      m.out(0x3f2, 0x00);
      m.out(0x3f2, 0x0c);
      for (let d = 0; d < 4; d++) { m.command(0x08); assert.deepEqual(m.results(), [0xc0 | d, 0]); }
      m.command(0x03, 0xaf, 0x02);
      m.out(0x3f7, 0);
      return m;
    },
    seek(drive, cyl) {
      m.command(0x0f, drive, cyl);
      m.settle();
      m.command(0x08);
      return m.results();
    },
    /** Program DMA channel 2. */
    dma2(addr, count, mode) {
      m.out(0x0a, 0x06);
      m.out(0x0c, 0);
      m.out(0x04, addr & 0xff); m.out(0x04, (addr >> 8) & 0xff);
      m.out(0x81, addr >> 16);
      m.out(0x05, count & 0xff); m.out(0x05, count >> 8);
      m.out(0x0b, mode);
      m.out(0x0a, 0x02);
    },
  };
  return m;
}

const dword = (mem, a) => new DataView(mem.ram.buffer).getUint32(a, true);

// ---- DMA ----------------------------------------------------------------------------------------

test("8237: master clear masks every channel; the flip-flop orders address and count bytes; reads give the current values", () => {
  const m = machine([]);
  assert.equal(m.in(0x0f) & 0x0f, 0x0f, "all masked after reset");
  m.out(0x0c, 0);
  m.out(0x02, 0x78); m.out(0x02, 0x56); // channel 1 address
  m.out(0x03, 0x34); m.out(0x03, 0x12); // channel 1 count
  m.out(0x0c, 0);
  assert.deepEqual([m.in(0x02), m.in(0x02), m.in(0x03), m.in(0x03)], [0x78, 0x56, 0x34, 0x12]);
  m.out(0x0e, 0);
  assert.equal(m.in(0x0f) & 0x0f, 0, "clear mask register");
  m.out(0x0a, 0x05); // set mask 1
  assert.equal(m.in(0x0f) & 0x0f, 0x02);
  m.out(0x0f, 0x0a);
  assert.equal(m.in(0x0f) & 0x0f, 0x0a, "write all mask bits");
  m.out(0x0d, 0);
  assert.equal(m.in(0x0f) & 0x0f, 0x0f, "master clear");
  // DMA 2 at C0h-DEh (even), address bit 0 not decoded.
  m.out(0xd8, 0);
  m.out(0xc4, 0x22); m.out(0xc5, 0x11);
  m.out(0xd8, 0);
  assert.deepEqual([m.in(0xc4), m.in(0xc4)], [0x22, 0x11]);
});

test("8237: a write transfer fills memory, counts down to FFFFh, sets TC in the status (cleared by reading it) and masks the channel", () => {
  const m = machine([]);
  const dev = { dmaService() {} };
  m.dma.connect(3, dev);
  m.out(0x0c, 0);
  m.out(0x06, 0x00); m.out(0x06, 0x40); m.out(0x82, 0x03); // channel 3 at 34000h
  m.out(0x07, 3); m.out(0x07, 0);
  m.out(0x0b, 0x47); // single, write, channel 3
  m.out(0x0a, 0x03);
  const r = m.dma.transfer(3, Uint8Array.of(1, 2, 3, 4, 5, 6), 0, 6);
  assert.deepEqual(r, { count: 4, tc: true });
  assert.deepEqual([...m.mem.ram.subarray(0x34000, 0x34005)], [1, 2, 3, 4, 0]);
  assert.equal(m.in(0x08) & 0x0f, 0x08, "TC on channel 3");
  assert.equal(m.in(0x08) & 0x0f, 0x00, "read clears TC");
  assert.equal(m.in(0x0f) & 0x08, 0x08, "masked after TC");
  m.out(0x0c, 0);
  assert.deepEqual([m.in(0x06), m.in(0x06), m.in(0x07), m.in(0x07)], [0x04, 0x40, 0xff, 0xff]);
  assert.deepEqual(m.dma.transfer(3, new Uint8Array(4), 0, 4), { count: 0, tc: false }, "a masked channel moves nothing");
});

test("8237: autoinitialize reloads address and count at TC; decrement mode; verify only counts", () => {
  const m = machine([]);
  m.out(0x0c, 0);
  m.out(0x02, 0x10); m.out(0x02, 0x00); m.out(0x83, 0); // channel 1 at 0010h
  m.out(0x03, 1); m.out(0x03, 0);
  m.out(0x0b, 0x55); // single, autoinit, write, channel 1
  m.out(0x0a, 0x01);
  assert.deepEqual(m.dma.transfer(1, Uint8Array.of(7, 8), 0, 2), { count: 2, tc: true });
  assert.equal(m.in(0x0f) & 0x02, 0, "still unmasked");
  assert.deepEqual(m.dma.transfer(1, Uint8Array.of(9), 0, 1), { count: 1, tc: false });
  assert.deepEqual([...m.mem.ram.subarray(0x10, 0x12)], [9, 8], "back at the base address");
  m.out(0x0c, 0);
  m.out(0x00, 0x05); m.out(0x00, 0x00); m.out(0x87, 0); // channel 0 at 0005h
  m.out(0x01, 2); m.out(0x01, 0);
  m.out(0x0b, 0x64); // single, decrement, write, channel 0
  m.out(0x0a, 0x00);
  m.dma.transfer(0, Uint8Array.of(1, 2, 3), 0, 3);
  assert.deepEqual([...m.mem.ram.subarray(0x03, 0x06)], [3, 2, 1]);
  m.out(0x0c, 0);
  m.out(0x00, 0x00); m.out(0x00, 0x20);
  m.out(0x01, 9); m.out(0x01, 0);
  m.out(0x0b, 0x40); // single, verify, channel 0
  m.out(0x0a, 0x00);
  m.mem.ram[0x2000] = 0xee;
  assert.deepEqual(m.dma.transfer(0, new Uint8Array(4), 0, 4), { count: 4, tc: false });
  assert.equal(m.mem.ram[0x2000], 0xee);
  m.out(0x0c, 0);
  assert.deepEqual([m.in(0x00), m.in(0x00)], [0x04, 0x20], "the address still advanced");
});

test("8237: an 8-bit channel wraps within its 64 KiB page; a 16-bit channel counts words within its 128 KiB page", () => {
  const m = machine([]);
  m.out(0x0c, 0);
  m.out(0x02, 0xfe); m.out(0x02, 0xff); m.out(0x83, 0x02); // channel 1 at 2FFFEh
  m.out(0x03, 3); m.out(0x03, 0);
  m.out(0x0b, 0x45);
  m.out(0x0a, 0x01);
  m.dma.transfer(1, Uint8Array.of(1, 2, 3, 4), 0, 4);
  assert.deepEqual([...m.mem.ram.subarray(0x2fffe, 0x30000)], [1, 2]);
  assert.deepEqual([...m.mem.ram.subarray(0x20000, 0x20002)], [3, 4], "wrapped to 20000h");
  assert.equal(m.mem.ram[0x30000], 0);
  // Channel 5: address in words; page bits 7-1 are A23-A17.
  m.out(0xd8, 0);
  m.out(0xc4, 0xff); m.out(0xc4, 0xff); m.out(0x8b, 0x03); // word FFFFh of the 128 KiB page at 20000h
  m.out(0xc6, 1); m.out(0xc6, 0); // two words
  m.out(0xd6, 0x45); // single, write, channel 5
  m.out(0xd4, 0x01);
  assert.deepEqual(m.dma.transfer(5, Uint8Array.of(0xa, 0xb, 0xc, 0xd, 0xe), 0, 5), { count: 4, tc: true });
  assert.deepEqual([...m.mem.ram.subarray(0x3fffe, 0x40000)], [0xa, 0xb]);
  assert.deepEqual([...m.mem.ram.subarray(0x20000, 0x20002)], [0xc, 0xd], "wrapped within the 128 KiB page");
});

test("8237: a request waits while the channel is masked and is served when it is unmasked; status shows DREQ; port 80h reports POST codes", () => {
  const m = machine([]);
  const posts = [];
  m.dma.onPost = (v) => posts.push(v);
  let served = 0;
  m.dma.connect(1, { dmaService() { served++; m.dma.transfer(1, Uint8Array.of(0x42), 0, 1); m.dma.setRequest(1, false); } });
  m.out(0x0c, 0);
  m.out(0x02, 0x00); m.out(0x02, 0x30); m.out(0x83, 0);
  m.out(0x03, 0); m.out(0x03, 0);
  m.out(0x0b, 0x45);
  m.dma.setRequest(1, true);
  assert.equal(served, 0);
  assert.equal(m.in(0x08), 0x20, "DREQ 1 pending");
  m.out(0x0a, 0x01);
  assert.equal(served, 1);
  assert.equal(m.mem.ram[0x3000], 0x42);
  assert.equal(m.in(0x08), 0x02, "TC 1, no request");
  m.out(0x80, 0x55);
  assert.deepEqual(posts, [0x55]);
  assert.equal(m.in(0x80), 0x55, "page registers read back");
});

// ---- FDC ----------------------------------------------------------------------------------------

test("82077AA: held in reset after power-on (MSR 0); leaving reset interrupts, four SENSE INTERRUPT STATUS clear it, then one is invalid", () => {
  const m = machine();
  assert.equal(m.in(0x3f4), 0x00);
  m.out(0x3f2, 0x0c);
  assert.equal(m.irq.level, true);
  assert.equal(m.in(0x3f4), 0x80);
  m.command(0x08);
  assert.equal(m.irq.level, false);
  assert.deepEqual(m.results(), [0xc0, 0]);
  for (const d of [1, 2, 3]) { m.command(0x08); assert.deepEqual(m.results(), [0xc0 | d, 0]); }
  m.command(0x08);
  assert.deepEqual(m.results(), [0x80]);
  assert.equal(m.in(0x3f4), 0x80);
  // DSR software reset does the same (the DOR stays as it was).
  m.out(0x3f4, 0x80);
  assert.equal(m.irq.level, true);
  assert.equal(m.in(0x3f2), 0x0c);
});

test("82077AA: LOCK keeps the FIFO settings through a reset; CONFIGURE's EIS and POLL go back to their defaults", () => {
  const m = machine().ready();
  m.command(0x13, 0, 0x5a, 0x07); // EIS, POLL off, FIFO on, threshold 10, PRETRK 7
  m.command(0x94);
  assert.deepEqual(m.results(), [0x10]);
  m.out(0x3f2, 0x08); m.out(0x3f2, 0x0c);
  for (let d = 0; d < 4; d++) { m.command(0x08); m.results(); }
  m.command(0x0e);
  const r = m.results();
  assert.equal(r.length, 10);
  assert.equal(r[7] & 0x80, 0x80, "LOCK");
  assert.equal(r[8], 0x0a, "FIFO settings kept, EIS and POLL reset");
  assert.equal(r[9], 0x07);
  m.command(0x14);
  assert.deepEqual(m.results(), [0x00]);
  m.out(0x3f4, 0x80);
  for (let d = 0; d < 4; d++) { m.command(0x08); m.results(); }
  m.command(0x0e);
  assert.equal(m.results()[8], 0x20, "unlocked: FIFO disabled again");
});

test("82077AA: a data command waits for the DMA channel and the DOR's DMA gate, then runs to terminal count", () => {
  const m = machine().ready();
  assert.deepEqual(m.seek(0, 2), [0x20, 2]);
  m.dma2(0x40000, 511, 0x46);
  m.out(0x0a, 0x06); // masked again
  m.out(0x3f2, 0x04); // DMA gate closed
  m.command(0xe6, 0x00, 2, 0, 4, 2, 18, 0x1b, 0xff);
  m.settle();
  assert.equal(m.in(0x3f4), 0x10, "busy in the execution phase");
  m.out(0x0a, 0x02);
  assert.equal(m.in(0x3f4), 0x10, "no DRQ with the gate closed");
  m.out(0x3f2, 0x0c);
  assert.equal(m.in(0x3f4), 0xd0, "result phase");
  assert.deepEqual(m.results(), [0x00, 0, 0, 2, 0, 5, 2]);
  assert.equal(dword(m.mem, 0x40000), 2 * 36 + 3);
});

test("82077AA: without implied seek a command's cylinder must match the head's track; with EIS (CONFIGURE) the controller seeks first", () => {
  const m = machine().ready();
  m.seek(0, 3);
  m.dma2(0x40000, 511, 0x46);
  m.command(0xe6, 0x00, 7, 0, 1, 2, 18, 0x1b, 0xff);
  m.settle();
  assert.deepEqual(m.results(), [0x40, 0x04, 0x10, 7, 0, 1, 2], "no data, wrong cylinder");
  m.command(0x13, 0, 0x60, 0); // EIS
  m.dma2(0x40000, 511, 0x46);
  m.command(0xe6, 0x00, 7, 0, 1, 2, 18, 0x1b, 0xff);
  m.settle();
  assert.deepEqual(m.results(), [0x20, 0, 0, 7, 0, 2, 2], "seek end, read on cylinder 7");
  assert.equal(dword(m.mem, 0x40000), 7 * 36);
  m.command(0x04, 0x00);
  assert.equal(m.results()[0] & 0x10, 0, "not on track 0");
});

test("82077AA: relative seek; recalibrate gives up after 79 steps with Equipment Check; SENSE DRIVE STATUS without a drive", () => {
  const m = machine([diskette(1440), undefined]).ready();
  m.seek(0, 10);
  m.command(0x8f, 0x00, 5); // relative seek outward (DIR = 0) by 5
  m.settle();
  m.command(0x08);
  assert.deepEqual(m.results(), [0x20, 5]);
  m.command(0xcf, 0x00, 70); // inward by 70: the drive stops at its last track (83)
  m.settle();
  m.command(0x08);
  assert.deepEqual(m.results(), [0x20, 75]);
  m.command(0x07, 0x00); // 75 steps out: the head is on track 0 again
  m.settle();
  m.command(0x08);
  assert.deepEqual(m.results(), [0x20, 0]);
  m.command(0x0f, 0x00, 83);
  m.settle();
  m.command(0x08); m.results();
  m.command(0x07, 0x00); // 79 steps from 83: track 4, no track 0 signal
  m.settle();
  m.command(0x08);
  assert.deepEqual(m.results(), [0x70, 0]);
  m.command(0x07, 0x01); // no drive 1
  m.settle();
  m.command(0x08);
  assert.deepEqual(m.results(), [0x71, 0]);
});

test("82077AA: non-DMA write through the FIFO (an interrupt per byte), then READ DELETED DATA finds normal data (CM), with SK it skips to the end", () => {
  const disk = diskette(1440);
  const m = machine([disk]).ready();
  m.command(0x03, 0xaf, 0x03); // ND
  m.seek(0, 1);
  m.command(0x45, 0x00, 1, 0, 18, 2, 18, 0x1b, 0xff);
  m.settle();
  const edges = m.irq.edges;
  for (let i = 0; i < 512; i++) {
    assert.equal(m.in(0x3f4), 0xb0, "RQM, NON-DMA, CMD BUSY, to the controller");
    m.out(0x3f5, i & 0xff);
  }
  assert.ok(m.irq.edges - edges >= 512, "an interrupt for each byte and one for the result");
  assert.deepEqual(m.results(), [0x40, 0x80, 0, 2, 0, 1, 2], "EOT reached without TC: end of cylinder");
  assert.deepEqual([...disk.data.subarray((36 + 17) * 512, (36 + 17) * 512 + 4)], [0, 1, 2, 3]);
  m.command(0x03, 0xaf, 0x02);
  m.dma2(0x40000, 1023, 0x46);
  m.command(0x4c, 0x00, 1, 0, 3, 2, 18, 0x1b, 0xff);
  m.settle();
  assert.deepEqual(m.results(), [0x00, 0, 0x40, 1, 0, 4, 2], "one sector, control mark");
  m.dma2(0x40000, 1023, 0x46);
  m.command(0x6c, 0x00, 1, 0, 3, 2, 18, 0x1b, 0xff);
  m.settle();
  assert.deepEqual(m.results(), [0x40, 0x80, 0, 2, 0, 1, 2], "all skipped");
});

test("82077AA: VERIFY checks sectors without moving data; READ TRACK reads from the index; a write-protected disk refuses FORMAT TRACK", () => {
  const m = machine([diskette(720, { readOnly: true })]).ready();
  m.out(0x3f7, 2); // 250 kb/s
  m.seek(0, 4);
  m.command(0x56, 0x00, 4, 0, 2, 2, 5, 0x1b, 0xff);
  m.settle();
  assert.deepEqual(m.results(), [0x00, 0, 0, 5, 0, 1, 2], "sectors 2-5 verified: ends at EOT");
  m.command(0x56, 0x80, 4, 0, 8, 2, 9, 0x1b, 3); // EC: 3 sectors from 8, but the track ends after 9
  m.settle();
  assert.deepEqual(m.results(), [0x40, 0x80, 0, 5, 0, 1, 2]);
  m.dma2(0x40000, 1535, 0x46);
  m.command(0x42, 0x00, 4, 0, 7, 2, 3, 0x1b, 0xff);
  m.settle();
  assert.deepEqual(m.results(), [0x40, 0x04, 0, 5, 0, 1, 2], "sectors 1-3 read (to EOT), but no ID matched sector 7: No Data");
  assert.equal(dword(m.mem, 0x40000), 4 * 18);
  assert.equal(dword(m.mem, 0x40400), 4 * 18 + 2);
  m.dma2(0x40000, 1535, 0x46);
  m.command(0x42, 0x00, 4, 0, 2, 2, 3, 0x1b, 0xff);
  m.settle();
  assert.deepEqual(m.results(), [0x00, 0, 0, 5, 0, 1, 2], "sector 2's ID matched");
  m.command(0x4d, 0x00, 2, 9, 0x50, 0xf6);
  m.settle();
  assert.deepEqual(m.results().slice(0, 2), [0x40, 0x02]);
});

test("82077AA: the disk change line is set at power-on and cleared by a step; DIR's other bits float; a drive's state survives saveState/loadState", () => {
  const m = machine([diskette(1440), diskette(2880)]).ready();
  assert.equal(m.in(0x3f7), 0xff);
  m.seek(0, 1);
  assert.equal(m.in(0x3f7), 0x7f);
  m.out(0x3f2, 0x0d); // select drive 1
  assert.equal(m.in(0x3f7) & 0x80, 0x80);
  m.seek(1, 6);
  const saved = JSON.parse(JSON.stringify(m.fdc.saveState()));
  const n = machine([diskette(1440), diskette(2880)]);
  n.fdc.loadState(saved);
  assert.equal(n.in(0x3f7) & 0x80, 0, "drive 1 stepped");
  n.out(0x3f7, 3); // 1 Mb/s for the 2.88 MB disk
  n.dma.loadState(JSON.parse(JSON.stringify(m.dma.saveState())));
  n.dma2(0x40000, 511, 0x46);
  n.command(0xe6, 0x01, 6, 0, 36, 2, 36, 0x1b, 0xff);
  n.settle();
  assert.deepEqual(n.results(), [0x05, 0, 0, 6, 1, 1, 2], "multi-track: TC on side 1's first sector");
  assert.equal(dword(n.mem, 0x40000), 6 * 72 + 35);
  assert.equal(n.dma.saveState().dreq, 0);
});

// ---- the ROM under emu and QEMU ----------------------------------------------------------------

const have = (cmd, args) => { const r = spawnSync(cmd, args, { stdio: "ignore" }); return !r.error && r.status === 0; };
const haveNasm = have("nasm", ["-v"]);
const haveQemu = have("qemu-system-i386", ["--version"]);

function romSetup() {
  const dir = mkdtempSync(join(tmpdir(), "emu-fdc-rom-"));
  const rom = join(dir, "fdc.bin");
  const r = spawnSync("nasm", ["-f", "bin", "-I", join(root, "test-roms", "lib") + "/", "-o", rom, join(root, "test-roms", "machine", "fdc.asm")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const a = Buffer.alloc(2880 * 512);
  for (let s = 0; s < 2880; s++) for (let i = 0; i < 128; i++) a.writeUInt32LE(s, s * 512 + i * 4);
  const b = Buffer.alloc(1440 * 512);
  for (let s = 0; s < 1440; s++) for (let i = 0; i < 128; i++) b.writeUInt32LE(0xb0000 + s, s * 512 + i * 4);
  writeFileSync(join(dir, "a.img"), a);
  writeFileSync(join(dir, "b.img"), b);
  return { dir, rom, a: join(dir, "a.img"), b: join(dir, "b.img") };
}

const sha = (p) => createHash("sha256").update(readFileSync(p)).digest("hex");
const WRIT = 0x54495257;

test("test-roms/machine/fdc.asm passes under emu rom -fda with a read-only -drive for B:; the write lands in A:, B: is untouched", { skip: haveNasm ? false : "needs nasm" }, () => {
  const { dir, rom, a, b } = romSetup();
  const before = sha(b);
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "rom", rom, "-fda", a, "-drive", `if=floppy,index=1,format=raw,file=${b},readonly=on`],
    { encoding: "latin1", timeout: 120_000 });
  assert.match(r.stdout, /^PASS$/m, r.stdout + r.stderr);
  assert.equal(r.status, 1, r.stderr);
  const img = readFileSync(a);
  const lba = 5 * 36 + 18 + 4; // cylinder 5, head 1, sector 5
  assert.equal(img.readUInt32LE(lba * 512), WRIT);
  assert.equal(img.readUInt32LE(lba * 512 + 508), WRIT);
  assert.equal(img.readUInt32LE((lba + 1) * 512), lba + 1);
  for (let s = 0; s < 18; s++) assert.equal(img.readUInt32LE((5 * 36 + s) * 512 + 4), 0xe5e5e5e5, `formatted sector ${s + 1}`);
  assert.equal(sha(b), before);
  rmSync(dir, { recursive: true, force: true });
});

test("test-roms/machine/fdc.asm passes under qemu-system-i386 -bios with the same diskettes (the reference)", { skip: !haveNasm ? "needs nasm" : !haveQemu ? "needs qemu-system-i386" : false, timeout: 60_000 }, () => {
  const { dir, rom, a, b } = romSetup();
  const r = spawnSync("qemu-system-i386", ["-bios", rom, "-nodefaults", "-display", "none", "-no-reboot",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-debugcon", "stdio", "-cpu", "pentium3",
    "-drive", `if=floppy,index=0,format=raw,file=${a}`, "-drive", `if=floppy,index=1,format=raw,file=${b},readonly=on`],
  { encoding: "latin1", timeout: 30_000 });
  assert.match(r.stdout, /^PASS$/m, r.stdout + r.stderr);
  assert.equal(r.status, 1);
  const lba = 5 * 36 + 18 + 4;
  assert.equal(readFileSync(a).readUInt32LE(lba * 512), WRIT);
  rmSync(dir, { recursive: true, force: true });
});

const SEABIOS = "/usr/share/seabios/bios.bin";
const seabiosSkip = !haveNasm ? "needs nasm" : !existsSync(SEABIOS) || !existsSync("/usr/share/seabios/vgabios-stdvga.bin")
  ? `needs ${SEABIOS} and vgabios-stdvga.bin (Debian package seabios)` : false;

test("SeaBIOS (-bios) boots bios/test/floppy.asm from -fda through the floppy controller and DMA; its INT 13h write lands in the image", { skip: seabiosSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-fdc-seabios-"));
  const bin = join(dir, "floppy.bin");
  const r0 = spawnSync("nasm", ["-f", "bin", "-o", bin, join(root, "bios", "test", "floppy.asm")], { encoding: "utf8" });
  assert.equal(r0.status, 0, r0.stderr);
  const img = Buffer.alloc(2880 * 512);
  readFileSync(bin).copy(img);
  for (let s = 1; s < 2880; s++) for (let i = 0; i < 128; i++) img.writeUInt32LE(s, s * 512 + i * 4);
  const fda = join(dir, "a.img");
  writeFileSync(fda, img);
  const log = join(dir, "seabios.log");
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-m", "16", "-bios", SEABIOS, "-debugcon", `file:${log}`, "-fda", fda],
    { encoding: "latin1", input: "", timeout: 120_000 });
  const text = readFileSync(log, "latin1");
  assert.match(text, /Booting from Floppy/, text);
  assert.match(text, /FLOPPY PASS/, text);
  assert.doesNotMatch(text, /floppy error/i);
  assert.equal(r.status, 1, r.stderr);
  const after = readFileSync(fda);
  assert.deepEqual(after.subarray(100 * 512, 101 * 512), after.subarray(0, 512), "the boot sector copied to LBA 100 by INT 13h AH=03h");
  rmSync(dir, { recursive: true, force: true });
});

const floppyImage = join(root, "images", "out", "floppy.img");

test("SeaBIOS loads SYSLINUX, the kernel and the initramfs (2.7 MB) from images/out/floppy.img through the floppy controller and DMA; the tiny Linux comes up", {
  skip: seabiosSkip || (existsSync(floppyImage) ? false : "images/out/floppy.img is missing (npm run images builds it)"),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "emu-fdc-seabios-"));
  const log = join(dir, "seabios.log");
  const before = sha(floppyImage);
  const r = spawnSync(process.execPath, [join(root, "bin", "emu.js"), "run", "-m", "64", "-snapshot", "-bios", SEABIOS, "-debugcon", `file:${log}`, "-fda", floppyImage],
    { encoding: "latin1", input: "echo FLOPPY VIA THE FDC\npoweroff -f\n", timeout: 300_000, maxBuffer: 64 << 20 });
  assert.match(readFileSync(log, "latin1"), /Booting from Floppy/);
  assert.match(r.stdout, /SYSLINUX \d/);
  assert.match(r.stdout, /\nFLOPPY VIA THE FDC/);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sha(floppyImage), before);
  rmSync(dir, { recursive: true, force: true });
});
