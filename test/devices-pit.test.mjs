// Tests of the 8254 PIT (src/devices/pit8254.ts) and port 0x61 (src/devices/port61.ts) against
// the Intel 8254 datasheet (231164). Timing is checked to the clock: the PIT runs at 1193182 Hz,
// tick t is the t-th CLK pulse, and a count written after tick w is loaded on pulse w+1. The
// reference conversions below use BigInt, independently of the module's own arithmetic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-pit-test-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const bundled = await build({
  stdin: {
    contents: 'export * from "./src/devices/pit8254.ts"; export * from "./src/devices/port61.ts"; ' +
      'export { DualPic } from "./src/devices/pic8259.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "pit-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", write: false, logLevel: "silent",
});
const modulePath = join(tmp, "pit.mjs");
writeFileSync(modulePath, bundled.outputFiles[0].text);
const { Pit8254, Port61, DualPic, PortBus, pitTicks, pitTickTime, PIT_HZ } = await import(pathToFileURL(modulePath).href);

const HZ = 1193182n;
/** Ticks that have happened by `ns`: floor(ns * 1193182 / 1e9). */
const ticksAt = (ns) => Number((BigInt(ns) * HZ) / 1000000000n);
/** The first ns by which tick `t` has happened: ceil(t * 1e9 / 1193182). */
const timeOf = (t) => Number((BigInt(t) * 1000000000n + HZ - 1n) / HZ);

/** A PIT and port 0x61 on a bus, a settable guest clock, and IRQ0 recorded as [level, ns]. */
function setup() {
  const clock = { now: 0 };
  const edges = [];
  const irq0 = { set: (level) => edges.push([level, clock.now]), pulse() { this.set(true); this.set(false); } };
  const pit = new Pit8254(irq0, () => clock.now);
  const port61 = new Port61(pit, () => clock.now);
  const bus = new PortBus();
  pit.attach(bus);
  port61.attach(bus);
  const out = (port, v) => bus.write(port, v, 1);
  const inb = (port) => bus.read(port, 1);
  /** Move the clock to the moment tick t happens (guest time never runs backwards). */
  const at = (t) => {
    const now = timeOf(t);
    if (now < clock.now) throw new Error(`test moves time back to tick ${t}`);
    clock.now = now;
  };
  /** Move the clock to `ns` and let the scheduler run the PIT there. */
  const runTo = (ns) => { clock.now = ns; pit.runUntil(ns); };
  /** Program counter c: control word then the count as the access mode says. */
  const program = (c, mode, count, { access = 3, bcd = false } = {}) => {
    out(0x43, (c << 6) | (access << 4) | (mode << 1) | (bcd ? 1 : 0));
    if (access !== 2) out(0x40 + c, count & 0xff);
    if (access !== 1) out(0x40 + c, (count >> 8) & 0xff);
  };
  /** Read-back status of counter c now. */
  const status = (c) => { out(0x43, 0xe0 | (2 << c)); return inb(0x40 + c); };
  const outPin = (c, t) => { at(t); return (status(c) & 0x80) !== 0; };
  /** Latch and read a two-byte count of counter c at tick t. */
  const countAt = (c, t) => { at(t); out(0x43, c << 6); return inb(0x40 + c) | (inb(0x40 + c) << 8); };
  /** OUT of counter c at each tick from t0 to t1 as a string of 0 and 1, and the counts. */
  const probe = (c, t0, t1) => {
    let wave = "";
    const counts = [];
    for (let t = t0; t <= t1; t++) {
      at(t);
      out(0x43, 0xc0 | (2 << c)); // read-back: latch status and count
      wave += inb(0x40 + c) & 0x80 ? "1" : "0";
      counts.push(inb(0x40 + c) | (inb(0x40 + c) << 8));
    }
    return { wave, counts };
  };
  const wave = (c, t0, t1) => probe(c, t0, t1).wave;
  const counts = (c, t0, t1) => probe(c, t0, t1).counts;
  /** Times (ns) at which IRQ0 was driven high. */
  const rises = () => edges.filter(([l]) => l).map(([, ns]) => ns);
  return { pit, port61, bus, clock, edges, out, inb, at, runTo, program, status, outPin, countAt, probe, wave, counts, rises };
}

test("tick arithmetic: pitTicks and pitTickTime match exact integer math at 1193182 Hz, also after days", () => {
  assert.equal(PIT_HZ, 1193182);
  const samples = [0, 1, 837, 838, 839, 999999999, 1e9, 1e9 + 1, 54925439, 86400e9 + 12345, 7 * 86400e9 + 999999999, 2 ** 52];
  let x = 12345;
  for (let i = 0; i < 2000; i++) { x = (x * 1103515245 + 12345) % 2 ** 31; samples.push(x * 4099 + i); }
  for (const ns of samples) assert.equal(pitTicks(ns), ticksAt(ns), `pitTicks(${ns})`);
  for (const t of [0, 1, 2, 1193181, 1193182, 1193183, 11933, 65537, 103090924800, 123456789012]) {
    assert.equal(pitTickTime(t), timeOf(t), `pitTickTime(${t})`);
  }
});

test("mode 0: OUT is low after the control word and rises N+1 clocks after the count is written", () => {
  const p = setup();
  p.at(100);
  p.program(0, 0, 5);
  assert.equal(p.wave(0, 100, 108), "000000111", "low through tick 105, high from tick 106 = 100 + 5 + 1");
});

test("mode 0: CE is loaded on the clock after the write and counts down, wrapping past zero", () => {
  const p = setup();
  p.at(10);
  p.program(0, 0, 3);
  assert.deepEqual(p.counts(0, 11, 16), [3, 2, 1, 0, 0xffff, 0xfffe]);
  assert.equal(p.outPin(0, 16), true, "OUT stays high after the count wraps");
});

test("mode 0: IRQ0 rises exactly when OUT does, and nextEvent predicts it", () => {
  const p = setup();
  p.program(0, 0, 1000);
  assert.equal(p.pit.nextEvent(0), timeOf(1001));
  p.runTo(timeOf(1001) - 1);
  assert.deepEqual(p.rises(), []);
  p.runTo(timeOf(1001));
  assert.deepEqual(p.rises(), [timeOf(1001)]);
  assert.equal(p.pit.nextEvent(timeOf(1001)), Infinity, "a one-shot: nothing more to do");
});

test("mode 0: count 0 counts 65536 clocks", () => {
  const p = setup();
  p.program(0, 0, 0);
  assert.equal(p.countAt(0, 1), 0);
  assert.equal(p.countAt(0, 2), 0xffff);
  assert.equal(p.pit.nextEvent(0), timeOf(65537));
});

test("mode 0: the first byte of a two-byte count stops counting and drops OUT; the second restarts", () => {
  const p = setup();
  p.program(0, 0, 4);
  assert.equal(p.outPin(0, 6), true);
  p.at(20);
  p.out(0x40, 0x03);
  assert.equal(p.outPin(0, 20), false, "OUT low at once after the first byte");
  assert.equal(p.countAt(0, 25), 0xfff1, "counting stopped at 4 - 19 (mod 65536)");
  p.at(30);
  p.out(0x40, 0x00);
  assert.equal(p.countAt(0, 31), 3);
  assert.equal(p.wave(0, 33, 35), "011", "the new count 3 ends at 30 + 3 + 1");
});

test("mode 0: GATE low suspends counting, OUT is not affected by GATE", () => {
  const p = setup();
  p.out(0x61, 0x01); // gate 2 high
  p.program(2, 0, 10);
  p.at(5);
  p.out(0x61, 0x00); // gate low after tick 5
  assert.equal(p.countAt(2, 5), 6);
  assert.equal(p.countAt(2, 50), 6);
  p.at(60);
  p.out(0x61, 0x01);
  assert.equal(p.countAt(2, 61), 5);
  assert.equal(p.wave(2, 65, 67), "011", "six more clocks after the gate rose at tick 60: high at 66");
});

test("mode 0: a count written while GATE is low is loaded but not counted until GATE rises", () => {
  const p = setup();
  p.program(2, 0, 4);
  assert.equal(p.countAt(2, 40), 4);
  p.at(40);
  p.out(0x61, 0x01);
  assert.equal(p.wave(2, 43, 44), "01", "OUT rises N clocks after GATE");
});

test("mode 1: a GATE rising edge starts a one-shot: OUT low from the next clock for N clocks", () => {
  const p = setup();
  p.program(2, 1, 3);
  assert.equal(p.wave(2, 0, 10), "11111111111", "no trigger, no one-shot");
  p.at(10);
  p.out(0x61, 0x01);
  const { wave, counts } = p.probe(2, 10, 15);
  assert.equal(wave, "100011");
  assert.deepEqual(counts.slice(1, 5), [3, 2, 1, 0]);
});

test("mode 1: retriggering during the one-shot reloads N; a new count waits for the next trigger", () => {
  const p = setup();
  p.program(2, 1, 4);
  p.at(10); p.out(0x61, 0x01);
  p.at(12); p.out(0x61, 0x00);
  p.out(0x42, 9); p.out(0x42, 0); // new count 9 written during the one-shot
  p.at(13); p.out(0x61, 0x01);     // retrigger: the new count is loaded on tick 14
  assert.equal(p.wave(2, 13, 24), "000000000011");
});

test("mode 2 reloads and pulses OUT low for one clock", () => {
  const p = setup();
  p.program(0, 2, 4);
  const { wave, counts } = p.probe(0, 0, 13);
  assert.equal(wave, "11110111011101");
  assert.deepEqual(counts.slice(1, 10), [4, 3, 2, 1, 4, 3, 2, 1, 4]);
});

test("mode 2 on counter 0 gives IRQ0 at 100 Hz (count 11932) at exact guest times, one event per period", () => {
  const p = setup();
  p.program(0, 2, 11932);
  const expected = [];
  for (let k = 1; k <= 20; k++) expected.push(timeOf(1 + k * 11932));
  const seen = [];
  let calls = 0;
  for (let now = 0; seen.length < 20; calls++) {
    now = p.pit.nextEvent(now);
    seen.push(now);
    p.runTo(now);
  }
  assert.deepEqual(seen, expected);
  assert.equal(calls, 20);
  assert.deepEqual(p.rises(), [0, ...expected], "the mode 2 control word itself sets OUT0 high at time 0");
  assert.equal(p.rises()[20], 200_003_856, "20 periods of 11932 clocks + 1 = 238641 clocks");
});

test("mode 2: a new count takes effect at the next reload, not at once", () => {
  const p = setup();
  p.program(0, 2, 10);
  p.at(3);
  p.out(0x40, 4); p.out(0x40, 0);
  assert.equal(p.countAt(0, 5), 6, "still counting the old period");
  assert.equal(p.status(0) & 0x40, 0x40, "NULL COUNT until the reload");
  assert.equal(p.wave(0, 10, 19), "0111011101", "period 4 from the reload at tick 11");
  assert.equal(p.status(0) & 0x40, 0, "NULL COUNT cleared by the reload");
});

test("mode 2: nextEvent across a pending reload switches to the new period", () => {
  const p = setup();
  p.program(0, 2, 100);
  p.at(50);
  p.out(0x40, 10); p.out(0x40, 0);
  assert.equal(p.pit.nextEvent(p.clock.now), timeOf(101));
  p.runTo(timeOf(101));
  assert.equal(p.pit.nextEvent(p.clock.now), timeOf(111));
});

test("mode 2: GATE low forces OUT high and stops counting; a rising GATE reloads on the next clock", () => {
  const p = setup();
  p.out(0x61, 0x01);
  p.program(2, 2, 5);
  assert.equal(p.outPin(2, 5), false, "CE = 1 at tick 5");
  p.at(5);
  p.out(0x61, 0x00);
  assert.equal(p.outPin(2, 5), true, "OUT high at once");
  assert.equal(p.countAt(2, 30), 1);
  p.at(30);
  p.out(0x61, 0x01);
  const { wave, counts } = p.probe(2, 31, 36);
  assert.deepEqual(counts, [5, 4, 3, 2, 1, 5]);
  assert.equal(wave, "111101");
});

test("mode 3 with an even count: OUT high N/2 and low N/2, CE decrementing by two", () => {
  const p = setup();
  p.program(0, 3, 6);
  const { wave, counts } = p.probe(0, 1, 13);
  assert.equal(wave, "1110001110001");
  assert.deepEqual(counts.slice(0, 7), [6, 4, 2, 6, 4, 2, 6]);
});

test("mode 3 with an odd count: OUT high (N+1)/2 and low (N-1)/2, CE loaded with N-1", () => {
  const p = setup();
  p.program(0, 3, 5);
  const { wave, counts } = p.probe(0, 1, 11);
  assert.equal(wave, "11100111001");
  assert.deepEqual(counts.slice(0, 6), [4, 2, 0, 4, 2, 4]);
});

test("mode 3 on counter 0: IRQ0 rises at the start of each high half (the BIOS's 18.2 Hz with count 0)", () => {
  const p = setup();
  p.program(0, 3, 0);
  assert.equal(p.pit.nextEvent(0), timeOf(1 + 65536));
  p.runTo(timeOf(1 + 2 * 65536));
  assert.equal(p.pit.nextEvent(p.clock.now), timeOf(1 + 3 * 65536));
  assert.equal(timeOf(1 + 65536), 54926240, "one BIOS tick is 65536 clocks = 54.925 ms (after the loading clock)");
});

test("mode 3: a new count is loaded at the end of the current half-cycle", () => {
  const p = setup();
  p.program(0, 3, 8);
  assert.equal(p.wave(0, 1, 1), "1");
  p.at(2);
  p.out(0x40, 4); p.out(0x40, 0);
  // Old: high for ticks 1-4, then the low half starts at 5 with the new count 4 (2 low, 2 high).
  const { wave, counts } = p.probe(0, 2, 12);
  assert.equal(wave, "11100110011");
  assert.equal(counts[1], 4, "tick 3: the old count 8 is still decrementing by two");
  assert.equal(counts[3], 4, "tick 5: the new count");
  const q = setup();
  q.program(0, 3, 8);
  q.at(2);
  q.out(0x40, 4); q.out(0x40, 0);
  assert.equal(q.pit.nextEvent(q.clock.now), timeOf(7), "IRQ0 rises at the end of the new count's first low half");
});

test("mode 3: a new count written in the low half starts with a full high half", () => {
  const p = setup();
  p.program(0, 3, 8);
  assert.equal(p.wave(0, 5, 5), "0");
  p.at(6);
  p.out(0x40, 6); p.out(0x40, 0);
  assert.equal(p.wave(0, 6, 16), "00011100011");
});

test("mode 3 with a GATE pulse: low GATE forces OUT high, the rising edge restarts the square wave", () => {
  const p = setup();
  p.out(0x61, 0x01);
  p.program(2, 3, 4);
  assert.equal(p.outPin(2, 3), false);
  p.at(3); p.out(0x61, 0x00);
  assert.equal(p.outPin(2, 3), true);
  p.at(10); p.out(0x61, 0x01);
  assert.equal(p.wave(2, 10, 15), "111001");
});

test("mode 4: OUT pulses low for one clock N+1 clocks after the count is written", () => {
  const p = setup();
  p.program(0, 4, 3);
  assert.equal(p.pit.nextEvent(0), timeOf(5));
  p.runTo(timeOf(5));
  assert.deepEqual(p.edges.map(([l]) => l), [true, false, true], "high at the control word, then the strobe's edge");
  assert.equal(p.pit.nextEvent(p.clock.now), Infinity, "one strobe per count written");
  const q = setup();
  q.program(0, 4, 3);
  assert.equal(q.wave(0, 0, 7), "11110111");
});

test("mode 4: writing a new count restarts the strobe from the next clock", () => {
  const p = setup();
  p.program(0, 4, 10);
  p.at(5);
  p.out(0x40, 2); p.out(0x40, 0);
  assert.equal(p.wave(0, 6, 10), "11011");
});

test("mode 5: a GATE rising edge triggers a one-clock strobe N+1 clocks later", () => {
  const p = setup();
  p.program(2, 5, 3);
  assert.equal(p.wave(2, 0, 5), "111111");
  p.at(20); p.out(0x61, 0x01);
  assert.equal(p.wave(2, 20, 26), "1111011");
  p.at(30); p.out(0x61, 0x00);
  p.at(31); p.out(0x61, 0x01); // retrigger
  assert.equal(p.wave(2, 31, 37), "1111011");
});

test("modes 6 and 7 behave as 2 and 3 and read back as written", () => {
  const p = setup();
  p.program(0, 6, 3);
  assert.equal(p.wave(0, 1, 4), "1101");
  assert.equal((p.status(0) >> 1) & 7, 6);
  p.program(1, 7, 4);
  assert.equal(p.wave(1, 5, 9), "11001");
  assert.equal((p.status(1) >> 1) & 7, 7);
});

test("BCD counting: count 0x1000 is 1000 clocks, the count reads back in BCD, and 0 means 10000", () => {
  const p = setup();
  p.program(0, 0, 0x1000, { bcd: true });
  assert.equal(p.pit.nextEvent(0), timeOf(1001));
  assert.equal(p.countAt(0, 1), 0x1000);
  assert.equal(p.countAt(0, 2), 0x0999);
  assert.equal(p.countAt(0, 1001), 0x0000);
  assert.equal(p.countAt(0, 1002), 0x9999, "BCD wraps to 9999");
  const t0 = 2000;
  p.at(t0);
  p.program(1, 2, 0, { bcd: true });
  assert.equal(p.countAt(1, t0 + 1), 0);
  assert.equal(p.countAt(1, t0 + 2), 0x9999);
  assert.equal(p.wave(1, t0 + 10000, t0 + 10001), "01", "period 10000");
});

test("LSB-only and MSB-only access modes write and read a single byte", () => {
  const p = setup();
  p.program(1, 0, 0x34, { access: 1 });
  p.at(1);
  assert.equal(p.inb(0x41), 0x34);
  assert.equal(p.inb(0x41), 0x34, "no flip-flop in LSB mode");
  p.at(2);
  p.program(1, 0, 0x1200, { access: 2 });
  p.at(3);
  assert.equal(p.inb(0x41), 0x12);
  p.at(4);
  assert.equal(p.inb(0x41), 0x11, "0x1200 - 1 = 0x11FF, MSB");
  assert.equal(p.status(1) & 0x30, 0x20, "RW field in the status");
});

test("LSB-then-MSB: the read and write flip-flops are separate, so reads and writes may interleave", () => {
  const p = setup();
  p.program(0, 0, 0xabcd);
  p.at(1);
  p.out(0x43, 0x00); // latch 0xABCD
  assert.equal(p.inb(0x40), 0xcd);
  p.out(0x40, 0x22); // LSB of a new count
  assert.equal(p.inb(0x40), 0xab);
  p.out(0x40, 0x11); // MSB: count 0x1122 loaded on the next clock
  p.at(2);
  assert.equal(p.countAt(0, 2), 0x1122);
});

test("counter latch command: the count is held until both bytes are read; a second latch is ignored", () => {
  const p = setup();
  p.program(0, 2, 1000);
  p.at(101);
  p.out(0x43, 0x00);
  p.at(500);
  p.out(0x43, 0x00); // ignored: a count is already latched
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 900);
  p.out(0x43, 0x00);
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 501);
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 501, "unlatched reads follow the live count");
});

test("read-back status: OUT, NULL COUNT until the count is loaded, RW, mode and BCD", () => {
  const p = setup();
  p.at(50);
  p.out(0x43, 0xb5); // counter 2, LSB then MSB, mode 2, BCD
  assert.equal(p.status(2), 0x80 | 0x40 | 0x35, "after the control word: OUT high, null count");
  p.out(0x61, 0x01);
  p.out(0x42, 0x00);
  assert.equal(p.status(2) & 0x40, 0x40, "half a count is no count");
  p.out(0x42, 0x05);
  assert.equal(p.status(2) & 0x40, 0x40, "written, not yet loaded");
  p.at(51);
  assert.equal(p.status(2), 0x80 | 0x35, "loaded at tick 51");
});

test("read-back status waits for the trigger in mode 1: NULL COUNT stays 1 until GATE rises", () => {
  const p = setup();
  p.program(2, 1, 7);
  p.at(20);
  assert.equal(p.status(2) & 0x40, 0x40);
  p.out(0x61, 0x01);
  p.at(21);
  assert.equal(p.status(2) & 0xc0, 0x00, "loaded, OUT low");
});

test("read-back command latching status and count: status is read first, then the count", () => {
  const p = setup();
  p.program(0, 2, 300);
  p.program(1, 0, 0x200);
  p.at(101);
  p.out(0x43, 0xc6); // latch count and status of counters 0 and 1
  p.at(200);
  assert.equal(p.inb(0x40), 0xb4, "OUT high, RW 3, mode 2, binary");
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 200);
  assert.equal(p.inb(0x41), 0x30, "OUT low, RW 3, mode 0");
  assert.equal(p.inb(0x41) | (p.inb(0x41) << 8), 0x200 - 100);
  p.out(0x43, 0xe2); p.out(0x43, 0xe2); // a second status latch is ignored
  assert.equal(p.inb(0x40), 0xb4);
  assert.notEqual(p.inb(0x40), 0xb4);
});

test("nextEvent/runUntil deliver exactly the rising edges of OUT0 seen clock by clock (random programs, all modes)", () => {
  let seed = 20260101;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  let total = 0;
  for (let round = 0; round < 200; round++) {
    // A script of writes to counter 0 at increasing ticks: control words and (parts of) counts.
    const script = [];
    let tick = 0;
    for (let i = 0; i < 6; i++) {
      tick += 1 + rand(40);
      const kind = i === 0 ? 0 : rand(4);
      const count = 1 + rand(20);
      const cw = 0x30 | (rand(6) << 1);
      if (kind === 0) script.push({ tick, cw, data: [count & 0xff, count >> 8] });
      else if (kind === 1) script.push({ tick, data: [count & 0xff, count >> 8] });
      else if (kind === 2) script.push({ tick, data: [count & 0xff] }); // half a count
      else script.push({ tick, cw, data: [] }); // a new mode, no count yet
    }
    const end = tick + 60;
    const apply = (p, { cw, data }) => {
      if (cw !== undefined) p.out(0x43, cw);
      for (const byte of data) p.out(0x40, byte);
    };
    // A: sampled on every clock.
    const a = setup();
    let k = 0;
    for (let t = 0; t <= end; t++) {
      a.at(t);
      a.status(0);
      for (; k < script.length && script[k].tick === t; k++) apply(a, script[k]);
    }
    // B: driven only by the scheduler and the writes.
    const b = setup();
    k = 0;
    for (;;) {
      const event = b.pit.nextEvent(b.clock.now);
      const write = k < script.length ? timeOf(script[k].tick) : Infinity;
      if (event <= Math.min(write, timeOf(end))) {
        b.runTo(event);
      } else if (write <= timeOf(end)) {
        b.clock.now = write;
        apply(b, script[k++]);
      } else {
        b.runTo(timeOf(end));
        break;
      }
    }
    assert.deepEqual(b.rises(), a.rises(), `round ${round}: ${JSON.stringify(script)}`);
    total += a.rises().length;
  }
  assert.ok(total > 1000, `the scripts produce many edges (${total})`);
});

test("a mode 2 control word after mode 0 sets OUT0 high at once: IRQ0 sees a rising edge", () => {
  const p = setup();
  p.program(0, 0, 1000);
  p.at(10);
  p.out(0x43, 0x34);
  assert.deepEqual(p.edges, [[true, timeOf(10)]]);
});

test("IRQ0 from a late runUntil: several missed periods give one edge to an edge-triggered PIC", () => {
  const pic = new DualPic();
  pic.master.writeCommand(0x11); pic.master.writeData(0x08); pic.master.writeData(0x04); pic.master.writeData(0x01);
  const clock = { now: 0 };
  const pit = new Pit8254(pic.irq(0), () => clock.now);
  pit.writePort(0x43, 0x34); pit.writePort(0x40, 100); pit.writePort(0x40, 0);
  clock.now = timeOf(1000);
  pit.runUntil(clock.now);
  assert.equal(pic.acknowledge(), 0x08);
  pic.master.writeCommand(0x20);
  assert.equal(pic.pending, false);
  assert.equal(pit.nextEvent(clock.now), timeOf(1001));
});

test("the control word register (0x43) is write-only and reads as a floating bus", () => {
  const p = setup();
  p.program(0, 2, 100);
  assert.equal(p.inb(0x43), 0xff);
});

test("no interrupt source programmed: an idle PIT asks for no events", () => {
  const p = setup();
  assert.equal(p.pit.nextEvent(0), Infinity);
  p.program(1, 2, 18);
  p.program(2, 3, 1193);
  assert.equal(p.pit.nextEvent(0), Infinity, "counters 1 and 2 need no scheduling");
});

test("port 0x61: bit 0 gates counter 2, bit 5 reads OUT2, bit 1 enables the speaker, bits 0-3 read back", () => {
  const p = setup();
  p.program(2, 3, 4);
  p.at(2);
  assert.equal(p.inb(0x61) & 0x2f, 0x20, "gate low: mode 3 OUT high, nothing written");
  p.out(0x61, 0x0f);
  assert.equal(p.inb(0x61) & 0x0f, 0x0f);
  assert.equal(p.port61.speakerEnabled, true);
  assert.equal((p.inb(0x61) >> 5) & 1, 1);
  p.at(5);
  assert.equal((p.inb(0x61) >> 5) & 1, 0, "square wave low half");
  assert.equal(p.port61.speakerLevel(), false);
  p.out(0x61, 0xf0);
  assert.equal(p.inb(0x61) & 0x0f, 0, "bits 4-7 are read-only");
  assert.equal(p.port61.speakerEnabled, false);
});

test("port 0x61 bit 4 toggles on every refresh request, every 18 PIT clocks (15.085 us)", () => {
  const p = setup();
  const bit4 = (t) => { p.at(t); return (p.inb(0x61) >> 4) & 1; };
  assert.equal(bit4(0), 0);
  assert.equal(bit4(17), 0);
  assert.equal(bit4(18), 1);
  assert.equal(bit4(35), 1);
  assert.equal(bit4(36), 0);
  assert.equal(timeOf(18), 15086);
});

test("the PIT's saved state continues the same waveform after loadState", () => {
  const a = setup();
  a.program(0, 2, 50);
  a.out(0x61, 0x01);
  a.program(2, 3, 7);
  a.at(20);
  a.out(0x40, 9); // half of a new count
  const saved = JSON.parse(JSON.stringify(a.pit.saveState()));
  const b = setup();
  b.pit.loadState(saved);
  b.at(20);
  a.out(0x40, 0); b.out(0x40, 0);
  assert.equal(b.wave(0, 20, 80), a.wave(0, 20, 80));
  assert.deepEqual(b.counts(2, 81, 90), a.counts(2, 81, 90));
  assert.equal(b.pit.nextEvent(b.clock.now), a.pit.nextEvent(a.clock.now));
});

test("reset returns every counter to unprogrammed: OUT0 low, no events", () => {
  const p = setup();
  p.program(0, 2, 10);
  p.pit.reset();
  assert.equal(p.pit.nextEvent(0), Infinity);
  assert.equal(p.outPin(0, 5), false);
});
