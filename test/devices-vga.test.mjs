// Tests of the VGA (src/devices/vga.ts): its registers through the port bus, display memory
// through the MMIO entry points, and text/graphics rendering. Register rules from the IBM PS/2
// Hardware Interface Technical Reference (VGA); mode 3 and mode 13h values from the VGA BIOS
// parameter table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-vga-test-"));
await build({
  stdin: {
    contents: 'export * from "./src/devices/vga.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "vga-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: join(tmp, "vga.mjs"), logLevel: "silent",
});
const { Vga, PortBus, PLANE_SIZE } = await import(pathToFileURL(join(tmp, "vga.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

const FRAME_NS = 1e9 / 60;
const LINE_NS = FRAME_NS / 525;

/** A Screen that records what it is told. */
class TestScreen {
  constructor() { this.cells = new Map(); this.calls = 0; this.cursor = undefined; this.cursorCalls = 0; }
  setCell(row, col, char, attr) { this.cells.set(`${row},${col}`, [char, attr]); this.calls++; }
  setCursor(row, col, visible) { this.cursor = { row, col, visible }; this.cursorCalls++; }
  at(row, col) { return this.cells.get(`${row},${col}`); }
}

function setup({ mode3 = true } = {}) {
  const clock = { now: 0 };
  const vga = new Vga(() => clock.now);
  const bus = new PortBus();
  vga.attach(bus);
  if (mode3) vga.setTextMode3();
  const inb = (p) => bus.read(p, 1);
  const outb = (p, v) => bus.write(p, v, 1);
  const outw = (p, v) => bus.write(p, v, 2);
  const crtc = (i, v) => { outb(0x3d4, i); if (v === undefined) return inb(0x3d5); outb(0x3d5, v); };
  const rd = (a, size = 1) => vga.readMemory(a, size);
  const wr = (a, v, size = 1) => vga.writeMemory(a, size, v);
  return { vga, bus, clock, inb, outb, outw, crtc, rd, wr };
}

/** Program mode 13h through the ports as a BIOS does (unlocking CRTC 0-7 first). */
function setMode13h({ outb, inb }) {
  const seq = [0x03, 0x01, 0x0f, 0x00, 0x0e];
  const crtc = [0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff];
  const gc = [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff];
  const attr = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x41, 0x00, 0x0f, 0x00, 0x00];
  outb(0x3c2, 0x63);
  seq.forEach((v, i) => { outb(0x3c4, i); outb(0x3c5, v); });
  outb(0x3d4, 0x11); outb(0x3d5, inb(0x3d5) & 0x7f);
  crtc.forEach((v, i) => { outb(0x3d4, i); outb(0x3d5, v); });
  gc.forEach((v, i) => { outb(0x3ce, i); outb(0x3cf, v); });
  inb(0x3da);
  attr.forEach((v, i) => { outb(0x3c0, i); outb(0x3c0, v); });
  outb(0x3c0, 0x20);
}

test("mode 3 is 80x25 text", () => {
  const { vga } = setup();
  assert.deepEqual(vga.mode(), { kind: "text", cols: 80, rows: 25 });
});

test("a character/attribute word written at 0xB8000 + 2 * (row * 80 + col) appears at that cell with its attribute", () => {
  const { vga, wr } = setup();
  wr(0xb8000 + 2 * (3 * 80 + 7), 0x1f41, 2);
  wr(0xb8000 + 2 * (24 * 80 + 79), 0x5a, 1);
  wr(0xb8000 + 2 * (24 * 80 + 79) + 1, 0x4e, 1);
  const screen = new TestScreen();
  vga.render(screen);
  assert.deepEqual(screen.at(3, 7), [0x41, 0x1f]);
  assert.deepEqual(screen.at(24, 79), [0x5a, 0x4e]);
  assert.deepEqual(screen.at(0, 0), [0x20, 0x07], "setTextMode3 cleared the screen to grey spaces");
});

test("text memory uses odd/even addressing: characters land in plane 0 and attributes in plane 1 at the even offset", () => {
  const { vga, wr, rd } = setup();
  wr(0xb8010, 0x0c48, 2);
  assert.equal(vga.planes[0x10], 0x48);
  assert.equal(vga.planes[PLANE_SIZE + 0x10], 0x0c);
  assert.equal(vga.planes[PLANE_SIZE + 0x11], 0x07, "the odd offset of plane 1 is untouched");
  assert.equal(rd(0xb8010, 2), 0x0c48);
  assert.equal(rd(0xb8010, 4), 0x07200c48);
});

test("with memory map B8000 (graphics register 6), 0xA0000 and 0xB0000 are not decoded: reads 0xFF, writes dropped", () => {
  const { vga, wr, rd, outb } = setup();
  wr(0xa0000, 0x55);
  wr(0xb0000, 0x55);
  assert.equal(rd(0xa0000), 0xff);
  assert.equal(rd(0xb7fff), 0xff);
  assert.equal(vga.planes[0], 0x20);
  outb(0x3ce, 6); outb(0x3cf, 0x0a); // map B0000-B7FFF, chain odd/even
  wr(0xb0002, 0x31);
  assert.equal(rd(0xb0002), 0x31);
  assert.equal(rd(0xb8002), 0xff);
});

test("render pushes only the cells that changed since the last render", () => {
  const { vga, wr } = setup();
  const screen = new TestScreen();
  vga.render(screen);
  assert.equal(screen.calls, 80 * 25);
  screen.calls = 0;
  vga.render(screen);
  assert.equal(screen.calls, 0);
  wr(0xb8000 + 2 * 85, 0x2e58, 2);
  vga.render(screen);
  assert.equal(screen.calls, 1);
  assert.deepEqual(screen.at(1, 5), [0x58, 0x2e]);
  vga.invalidate();
  screen.calls = 0;
  vga.render(screen);
  assert.equal(screen.calls, 80 * 25, "invalidate forces a full redraw");
});

test("the cursor is at the cell CRTC 0x0E/0x0F point to, relative to the start address", () => {
  const { vga, crtc } = setup();
  const screen = new TestScreen();
  crtc(0x0e, (12 * 80 + 40) >> 8);
  crtc(0x0f, (12 * 80 + 40) & 0xff);
  vga.render(screen);
  assert.deepEqual(screen.cursor, { row: 12, col: 40, visible: true });
  crtc(0x0a, 0x2d); // cursor start with the disable bit
  vga.render(screen);
  assert.equal(screen.cursor.visible, false);
  crtc(0x0a, 0x0f); crtc(0x0b, 0x0d); // start below end: no cursor
  vga.render(screen);
  assert.equal(screen.cursor.visible, false);
  crtc(0x0a, 0x0d); crtc(0x0b, 0x0e);
  crtc(0x0e, 0x10); crtc(0x0f, 0x00); // past the last row
  vga.render(screen);
  assert.equal(screen.cursor.visible, false);
});

test("the cursor is pushed again only when it moves or cells change", () => {
  const { vga, crtc } = setup();
  const screen = new TestScreen();
  vga.render(screen);
  vga.render(screen);
  assert.equal(screen.cursorCalls, 1);
  crtc(0x0f, 1);
  vga.render(screen);
  assert.equal(screen.cursorCalls, 2);
  assert.deepEqual(screen.cursor, { row: 0, col: 1, visible: true });
});

test("the start address (CRTC 0x0C/0x0D) scrolls: start 80 shows text row 1 on screen row 0", () => {
  const { vga, wr, crtc } = setup();
  wr(0xb8000 + 2 * 80, 0x0731, 2); // row 1 col 0
  wr(0xb8000 + 2 * (25 * 80), 0x0732, 2); // row 25: off screen at start 0
  crtc(0x0c, 0); crtc(0x0d, 80);
  crtc(0x0e, 0); crtc(0x0f, 80 + 3);
  const screen = new TestScreen();
  vga.render(screen);
  assert.deepEqual(screen.at(0, 0), [0x31, 0x07]);
  assert.deepEqual(screen.at(24, 0), [0x32, 0x07]);
  assert.deepEqual(screen.cursor, { row: 0, col: 3, visible: true });
  assert.equal(vga.startAddress, 80);
});

test("the attribute controller alternates index and data writes on 0x3C0; reading 0x3DA resets it to index", () => {
  const { inb, outb } = setup();
  inb(0x3da);
  outb(0x3c0, 0x31); // index 0x11 (overscan) with PAS
  outb(0x3c0, 0x05); // data
  assert.equal(inb(0x3c0), 0x31, "0x3C0 reads the index");
  assert.equal(inb(0x3c1), 0x05);
  outb(0x3c0, 0x32); // index 0x12 ... then abandoned
  inb(0x3da); // flip-flop back to index
  outb(0x3c0, 0x34); // index 0x14
  outb(0x3c0, 0x02); // data for 0x14
  outb(0x3c0, 0x31); // index again
  assert.equal(inb(0x3c1), 0x05);
  outb(0x3c0, 0x0b); // data for 0x11
  outb(0x3c0, 0x34);
  assert.equal(inb(0x3c1), 0x02);
  outb(0x3c0, 0x02); // data again: the flip-flop returns to index
  outb(0x3c0, 0x11); // index 0x11, PAS clear
  assert.equal(inb(0x3c0), 0x11);
  assert.equal(inb(0x3c1), 0x0b);
});

test("input status 1 (0x3DA) shows vertical retrace (bit 3) on lines 490-491 of each 60 Hz frame, blanking in bit 0", () => {
  const { clock, inb } = setup();
  clock.now = 10 * LINE_NS;
  assert.equal(inb(0x3da) & 0x09, 0x00, "active display");
  clock.now = 490.5 * LINE_NS;
  assert.equal(inb(0x3da) & 0x09, 0x09);
  clock.now = 485.5 * LINE_NS;
  assert.equal(inb(0x3da) & 0x09, 0x01, "vertical blanking without retrace");
  clock.now = FRAME_NS * 7 + 490.5 * LINE_NS;
  assert.equal(inb(0x3da) & 0x08, 0x08, "every frame");
  clock.now = 100.9 * LINE_NS;
  assert.equal(inb(0x3da) & 0x09, 0x01, "horizontal blanking at the end of a line");
});

test("the CRTC and input status 1 answer at 0x3Dx with misc output bit 0 set, at 0x3Bx with it clear", () => {
  const { inb, outb, crtc } = setup();
  crtc(0x0e, 0x12);
  outb(0x3b4, 0x0e);
  assert.equal(inb(0x3b5), 0xff);
  outb(0x3c2, 0x66); // mono addressing
  assert.equal(inb(0x3cc), 0x66);
  outb(0x3b4, 0x0e);
  assert.equal(inb(0x3b5), 0x12);
  assert.equal(inb(0x3d5), 0xff);
  assert.equal(inb(0x3da), 0xff);
  assert.notEqual(inb(0x3ba), 0xff);
});

test("with the CRTC protect bit (0x11 bit 7) set, registers 0-7 ignore writes except overflow bit 4", () => {
  const { crtc } = setup();
  assert.equal(crtc(0x11) & 0x80, 0x80, "mode 3 leaves the protect bit set");
  crtc(0x01, 0x27);
  assert.equal(crtc(0x01), 0x4f);
  crtc(0x07, 0x00);
  assert.equal(crtc(0x07), 0x0f, "0x1F with only bit 4 (line compare bit 8) cleared");
  crtc(0x09, 0x0f); // not protected
  assert.equal(crtc(0x09), 0x0f);
  crtc(0x11, 0x0e);
  crtc(0x01, 0x27);
  assert.equal(crtc(0x01), 0x27);
});

test("16-bit index/data writes (out dx, ax) program the sequencer, graphics controller and CRTC", () => {
  const { outw, inb, outb, crtc } = setup();
  outw(0x3c4, 0x0f02);
  outb(0x3c4, 2);
  assert.equal(inb(0x3c5), 0x0f);
  outw(0x3ce, 0x0508);
  outb(0x3ce, 8);
  assert.equal(inb(0x3cf), 0x05);
  outw(0x3d4, 0x340e);
  assert.equal(crtc(0x0e), 0x34);
});

test("40-column text: horizontal display end 0x27 gives a 40x25 screen", () => {
  const { vga, crtc, wr } = setup();
  crtc(0x11, 0x0e);
  crtc(0x01, 0x27);
  crtc(0x13, 0x14);
  assert.deepEqual(vga.mode(), { kind: "text", cols: 40, rows: 25 });
  wr(0xb8000 + 2 * 41, 0x0741, 2);
  const screen = new TestScreen();
  vga.render(screen);
  assert.equal(screen.calls, 40 * 25);
  assert.deepEqual(screen.at(1, 1), [0x41, 0x07]);
});

test("DAC writes through 0x3C8/0x3C9 and reads through 0x3C7/0x3C9 auto-increment every three components", () => {
  const { vga, inb, outb } = setup();
  outb(0x3c8, 0x10);
  for (const v of [1, 2, 3, 4, 5, 0xff]) outb(0x3c9, v);
  assert.equal(inb(0x3c8), 0x12, "the write index moved past two entries");
  assert.equal(inb(0x3c7), 0x00, "DAC state: write mode");
  assert.deepEqual([...vga.dac.subarray(0x30, 0x36)], [1, 2, 3, 4, 5, 0x3f], "components are 6 bits");
  outb(0x3c7, 0x10);
  assert.equal(inb(0x3c7), 0x03, "DAC state: read mode");
  const got = [];
  for (let i = 0; i < 6; i++) got.push(inb(0x3c9));
  assert.deepEqual(got, [1, 2, 3, 4, 5, 0x3f]);
  outb(0x3c8, 0xff);
  for (const v of [7, 8, 9, 10]) outb(0x3c9, v);
  assert.deepEqual([...vga.dac.subarray(0, 1)], [10], "the index wraps from 255 to 0");
});

test("mode 3's DAC holds the EGA palette: entry 0x3E is yellow (0x3F, 0x3F, 0x15)", () => {
  const { inb, outb } = setup();
  outb(0x3c7, 0x3e);
  assert.deepEqual([inb(0x3c9), inb(0x3c9), inb(0x3c9)], [0x3f, 0x3f, 0x15]);
  outb(0x3c7, 0x14);
  assert.deepEqual([inb(0x3c9), inb(0x3c9), inb(0x3c9)], [0x2a, 0x15, 0x00], "brown");
});

test("mode 13h is 320x200 graphics; chain-4 bytes at 0xA0000 + y * 320 + x render through the DAC", () => {
  const ctx = setup();
  const { vga, wr, rd, outb } = ctx;
  setMode13h(ctx);
  assert.deepEqual(vga.mode(), { kind: "graphics", width: 320, height: 200 });
  outb(0x3c8, 0x42);
  for (const v of [0x3f, 0x20, 0x00]) outb(0x3c9, v);
  outb(0x3c8, 0x43);
  for (const v of [0x00, 0x00, 0x3f]) outb(0x3c9, v);
  wr(0xa0000 + 10 * 320 + 5, 0x42);
  wr(0xa0000 + 199 * 320 + 319, 0x43);
  assert.equal(rd(0xa0000 + 10 * 320 + 5), 0x42);
  assert.equal(vga.planes[1 * PLANE_SIZE + 10 * 320 + 4], 0x42, "plane = address & 3, offset = address & ~3");
  const rgba = new Uint8ClampedArray(320 * 200 * 4);
  vga.renderGraphics(rgba);
  const px = (x, y) => [...rgba.subarray((y * 320 + x) * 4, (y * 320 + x) * 4 + 4)];
  assert.deepEqual(px(5, 10), [255, 130, 0, 255]);
  assert.deepEqual(px(319, 199), [0, 0, 255, 255]);
  assert.deepEqual(px(6, 10), [0, 0, 0, 255], "pixel 0 is DAC entry 0 (black)");
});

test("mode 13h: the start address moves the picture by four pixels per step; the PEL mask applies", () => {
  const ctx = setup();
  const { vga, wr, outb, crtc } = ctx;
  setMode13h(ctx);
  outb(0x3c8, 0x01);
  for (const v of [0x3f, 0x3f, 0x3f]) outb(0x3c9, v);
  wr(0xa0000 + 320 + 8, 0x81);
  crtc(0x0d, 80 + 1); // one line and four pixels
  const rgba = new Uint8ClampedArray(320 * 200 * 4);
  vga.renderGraphics(rgba);
  assert.deepEqual([...rgba.subarray(16, 20)], [0, 0, 0, 255], "entry 0x81 is black");
  outb(0x3c6, 0x0f);
  vga.renderGraphics(rgba);
  assert.deepEqual([...rgba.subarray(16, 20)], [255, 255, 255, 255], "0x81 & 0x0F = entry 1");
});

test("planar write mode 0 with set/reset and bit mask, write mode 1 latch copies, read mode 1 color compare", () => {
  const ctx = setup();
  const { vga, wr, rd, outb, outw } = ctx;
  vga.planes.fill(0);
  // Planar addressing at 0xA0000 (64 KiB), all planes.
  outw(0x3c4, 0x0f02); outw(0x3c4, 0x0604);
  outw(0x3ce, 0x0005); outw(0x3ce, 0x0506);
  outw(0x3ce, 0x0501); // enable set/reset on planes 0 and 2
  outw(0x3ce, 0x0400); // set/reset value: plane 2 ones, plane 0 zeros
  outw(0x3ce, 0xf008); // bit mask: high nibble
  rd(0xa0000); // load latches (all zero)
  wr(0xa0000, 0x3c);
  assert.deepEqual([0, 1, 2, 3].map((p) => vga.planes[p * PLANE_SIZE]), [0x00, 0x30, 0xf0, 0x30]);
  outw(0x3ce, 0x0001); outw(0x3ce, 0xff08);
  outw(0x3ce, 0x0105); // write mode 1
  rd(0xa0000);
  wr(0xa0001, 0xaa);
  assert.deepEqual([0, 1, 2, 3].map((p) => vga.planes[p * PLANE_SIZE + 1]), [0x00, 0x30, 0xf0, 0x30]);
  outw(0x3ce, 0x0805); // read mode 1
  outw(0x3ce, 0x0e02); // compare colour 1110b
  outw(0x3ce, 0x0f07);
  assert.equal(rd(0xa0000), 0x30, "bits 4-5 are colour 1110b in planes 3..0");
  outw(0x3ce, 0x0007); // colour don't care everywhere: every bit matches
  assert.equal(rd(0xa0000), 0xff);
  outw(0x3ce, 0x0005); outw(0x3ce, 0x0204); // read map select plane 2
  assert.equal(rd(0xa0000), 0xf0);
});

test("16-colour planar graphics render through the attribute palette and the DAC", () => {
  const ctx = setup();
  const { vga, outb, inb, crtc } = ctx;
  crtc(0x11, 0x0e);
  outb(0x3ce, 6); outb(0x3cf, 0x05); // graphics, A0000
  outb(0x3c4, 1); outb(0x3c5, 0x01); // 8-dot character clocks
  crtc(0x17, 0xe3); // byte mode
  crtc(0x09, 0x40); // one line per row
  vga.planes[0] = 0x80; // pixel 0: colour 1 (plane 0)
  vga.planes[2 * PLANE_SIZE] = 0x40; // pixel 1: colour 4
  inb(0x3da);
  outb(0x3c0, 0x01); outb(0x3c0, 0x3c); // palette 1 -> DAC 0x3C
  outb(0x3c0, 0x04); outb(0x3c0, 0x01);
  outb(0x3c0, 0x20);
  const { width, height } = vga.mode();
  assert.equal(width, 640);
  const rgba = new Uint8ClampedArray(width * height * 4);
  vga.renderGraphics(rgba);
  assert.deepEqual([...rgba.subarray(0, 4)], [255, 85, 85, 255], "DAC 0x3C: light red");
  assert.deepEqual([...rgba.subarray(4, 8)], [0, 0, 170, 255], "DAC 0x01: blue");
});

test("display memory is disabled while misc output bit 1 (RAM enable) is clear", () => {
  const { vga, wr, rd, outb } = setup();
  outb(0x3c2, 0x65);
  wr(0xb8000, 0x41);
  assert.equal(rd(0xb8000), 0xff);
  assert.equal(vga.planes[0], 0x20);
});

test("after reset no mode is programmed; setTextMode3 gives an 80x25 colour screen with the display on", () => {
  const { vga, inb } = setup({ mode3: false });
  assert.equal(inb(0x3cc), 0x00);
  vga.setTextMode3();
  assert.equal(inb(0x3cc), 0x67);
  assert.equal(inb(0x3c0) & 0x20, 0x20, "palette address source set: the screen is not blanked");
  assert.deepEqual(vga.mode(), { kind: "text", cols: 80, rows: 25 });
});

test("saveState/loadState restore registers and display memory", () => {
  const a = setup();
  a.wr(0xb8000, 0x1e41, 2);
  a.crtc(0x0f, 5);
  a.outb(0x3c8, 7); a.outb(0x3c9, 9);
  const state = JSON.parse(JSON.stringify(a.vga.saveState()));
  const b = setup({ mode3: false });
  b.vga.loadState(state);
  const screen = new TestScreen();
  b.vga.render(screen);
  assert.deepEqual(screen.at(0, 0), [0x41, 0x1e]);
  assert.deepEqual(screen.cursor, { row: 0, col: 5, visible: true });
  b.outb(0x3c9, 10);
  b.outb(0x3c9, 11);
  assert.deepEqual([...b.vga.dac.subarray(21, 24)], [9, 10, 11], "the DAC component position survives");
});
