// Tests of the MC146818 RTC/CMOS (src/devices/mc146818.ts) against the Motorola MC146818A
// datasheet: time and calendar in BCD and binary, 12/24-hour mode, registers A-D, the update
// cycle and UIP, periodic/alarm/update-ended interrupts on IRQ8, the divider, NMI mask, CMOS RAM
// and the PC/AT checksum. Guest time is set by the test; the clock starts at 2026-01-01 00:00:00
// unless a start date is given. Reference times below use BigInt, independently of the module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-rtc-test-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const bundled = await build({
  stdin: {
    contents: 'export * from "./src/devices/mc146818.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "rtc-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", write: false, logLevel: "silent",
});
const modulePath = join(tmp, "rtc.mjs");
writeFileSync(modulePath, bundled.outputFiles[0].text);
const { Mc146818, PortBus, CMOS, rtcCycles, rtcCycleTime } = await import(pathToFileURL(modulePath).href);

const SEC = 1_000_000_000;
/** The first ns by which cycle c of the 32.768 kHz time base has happened. */
const cycleTime = (c) => Number((BigInt(c) * 1000000000n + 32767n) / 32768n);

const A = 0x0a, B = 0x0b, C = 0x0c, D = 0x0d;

/** An RTC on a bus with a settable guest clock and IRQ8 recorded as [level, ns]. */
function setup(start) {
  const clock = { now: 0 };
  const edges = [];
  const irq8 = { set: (level) => edges.push([level, clock.now]), pulse() {} };
  const rtc = start ? new Mc146818(irq8, () => clock.now, start) : new Mc146818(irq8, () => clock.now);
  const bus = new PortBus();
  rtc.attach(bus);
  const at = (ns) => {
    if (ns < clock.now) throw new Error("test moves time back");
    clock.now = ns;
  };
  const read = (i) => { bus.write(0x70, i, 1); return bus.read(0x71, 1); };
  const write = (i, v) => { bus.write(0x70, i, 1); bus.write(0x71, v, 1); };
  /** Registers 0-9 as an object of raw bytes. */
  const time = () => ({
    sec: read(0), min: read(2), hour: read(4), dow: read(6), date: read(7), month: read(8), year: read(9),
  });
  const runTo = (ns) => { at(ns); rtc.runUntil(ns); };
  const irqLevel = () => (edges.length ? edges[edges.length - 1][0] : false);
  return { rtc, bus, clock, edges, at, read, write, time, runTo, irqLevel };
}

test("cycle arithmetic: rtcCycles and rtcCycleTime match exact integer math at 32768 Hz", () => {
  for (const ns of [0, 30517, 30518, 999999999, SEC, 86400 * SEC + 7, 2 ** 52]) {
    assert.equal(rtcCycles(ns), Number((BigInt(ns) * 32768n) / 1000000000n));
  }
  for (const c of [0, 1, 32, 32695, 32768, 123456789]) assert.equal(rtcCycleTime(c), cycleTime(c));
});

test("power-on: the default start 2026-01-01 00:00:00 (a Thursday) in BCD, 24-hour; A=0x26, B=0x02, D=VRT", () => {
  const r = setup();
  assert.deepEqual(r.time(), { sec: 0, min: 0, hour: 0, dow: 5, date: 0x01, month: 0x01, year: 0x26 });
  assert.equal(r.read(A), 0x26);
  assert.equal(r.read(B), 0x02);
  assert.equal(r.read(D), 0x80);
  assert.equal(r.rtc.nvram(CMOS.CENTURY), 0x20, "century byte in BCD");
});

test("a start date given to the constructor: 2024-02-29 23:59:58 becomes 2024-03-01 00:00:00 after 2 s", () => {
  const r = setup(new Date(Date.UTC(2024, 1, 29, 23, 59, 58)));
  assert.deepEqual(r.time(), { sec: 0x58, min: 0x59, hour: 0x23, dow: 5, date: 0x29, month: 0x02, year: 0x24 });
  r.at(2 * SEC);
  assert.deepEqual(r.time(), { sec: 0, min: 0, hour: 0, dow: 6, date: 0x01, month: 0x03, year: 0x24 });
});

test("the seconds register changes exactly on each whole second of guest time, carrying into minutes", () => {
  const r = setup();
  r.at(SEC - 1);
  assert.equal(r.read(0), 0);
  r.at(SEC);
  assert.equal(r.read(0), 1);
  r.at(59 * SEC + SEC / 2);
  assert.equal(r.read(0), 0x59);
  r.at(60 * SEC);
  assert.deepEqual([r.read(0), r.read(2)], [0, 1]);
});

test("a long idle (400 days and 3723 s) advances the calendar and weekday in one step", () => {
  const r = setup();
  const seconds = 400 * 86400 + 3723;
  r.at(seconds * SEC);
  const d = new Date(Date.UTC(2026, 0, 1) + seconds * 1000); // 2027-02-05 01:02:03
  const bcd = (v) => ((Math.floor(v / 10) << 4) | (v % 10));
  assert.deepEqual(r.time(), {
    sec: bcd(d.getUTCSeconds()), min: bcd(d.getUTCMinutes()), hour: bcd(d.getUTCHours()), dow: d.getUTCDay() + 1,
    date: bcd(d.getUTCDate()), month: bcd(d.getUTCMonth() + 1), year: bcd(d.getUTCFullYear() % 100),
  });
  assert.deepEqual(r.time(), { sec: 0x03, min: 0x02, hour: 0x01, dow: 6, date: 0x05, month: 0x02, year: 0x27 });
});

test("month and year rollover: 1999-12-31 23:59:59 becomes year 00, month 1, day 1 (no century carry)", () => {
  const r = setup(new Date(Date.UTC(1999, 11, 31, 23, 59, 59)));
  r.at(SEC);
  assert.deepEqual(r.time(), { sec: 0, min: 0, hour: 0, dow: 7, date: 1, month: 1, year: 0 });
  assert.equal(r.rtc.nvram(CMOS.CENTURY), 0x19, "the century byte is plain RAM");
});

test("binary data mode (DM=1): software writes binary values and the clock counts in binary", () => {
  const r = setup();
  r.write(B, 0x86); // SET, binary, 24-hour
  r.write(0, 58); r.write(2, 59); r.write(4, 23); r.write(7, 31); r.write(8, 12); r.write(9, 99);
  r.write(B, 0x06);
  r.at(2 * SEC);
  assert.deepEqual(r.time(), { sec: 0, min: 0, hour: 0, dow: 6, date: 1, month: 1, year: 0 });
});

test("changing DM does not convert the stored time: the bytes stay and are counted in the new mode", () => {
  const r = setup(new Date(Date.UTC(2026, 0, 1, 0, 0, 4)));
  r.write(B, 0x06); // binary, no SET: the bytes are now read as binary
  assert.equal(r.read(0), 0x04);
  r.write(0, 0x19);
  r.write(B, 0x02); // back to BCD
  r.at(SEC);
  assert.equal(r.read(0), 0x20, "BCD 19 + 1 = BCD 20");
  r.write(B, 0x06);
  r.at(2 * SEC);
  assert.equal(r.read(0), 0x21, "binary 0x20 + 1");
});

test("12-hour mode: hours 1-12 with bit 7 = PM; 11:59:59 AM becomes 12 PM and 11:59:59 PM becomes 12 AM next day", () => {
  const r = setup();
  r.write(B, 0x80); // SET, BCD, 12-hour
  r.write(0, 0x59); r.write(2, 0x59); r.write(4, 0x11); // 11:59:59 AM
  r.write(B, 0x00);
  r.at(SEC);
  assert.deepEqual([r.read(4), r.read(2), r.read(0), r.read(7)], [0x80 | 0x12, 0, 0, 0x01], "12 PM the same day");
  r.write(B, 0x80);
  r.write(0, 0x59); r.write(2, 0x59); r.write(4, 0x91); // 11:59:59 PM
  r.write(B, 0x00);
  r.at(2 * SEC);
  assert.deepEqual([r.read(4), r.read(7), r.read(6)], [0x12, 0x02, 6], "12 AM on Friday the 2nd");
  r.write(B, 0x80);
  r.write(0, 0x59); r.write(2, 0x59); r.write(4, 0x92); // 12:59:59 PM
  r.write(B, 0x00);
  r.at(3 * SEC);
  assert.equal(r.read(4), 0x81, "12 PM -> 1 PM");
});

test("12-hour mode: 1 PM (0x81) plus 11 hours is 12 AM (0x12) of the next day", () => {
  const r = setup(new Date(Date.UTC(2026, 5, 1, 13, 5, 0)));
  r.write(B, 0x80);
  r.write(4, 0x81);
  r.write(B, 0x00);
  r.at(3600 * SEC * 11); // 11 hours later: 00:05 AM next day
  assert.deepEqual([r.read(4), r.read(2), r.read(7)], [0x12, 0x05, 0x02]);
});

test("out-of-range values written by software are counted up until they wrap (seconds 0x75 -> 0x00, minute + 1)", () => {
  const r = setup();
  r.write(0, 0x75);
  r.at(SEC);
  assert.deepEqual([r.read(0), r.read(2)], [0x00, 0x01]);
  r.write(4, 0x25); // hour 25
  r.at(3600 * SEC + SEC); // one hour later
  assert.deepEqual([r.read(4), r.read(7)], [0x00, 0x02], "hour 25 wraps into the next day");
});

test("UIP reads 1 from 244 + 1984 us (73 time-base cycles) before each update until the update ends", () => {
  const r = setup();
  const start = cycleTime(32768 - 73);
  assert.equal(start, 997772217);
  r.at(start - 1);
  assert.equal(r.read(A) & 0x80, 0);
  r.at(start);
  assert.equal(r.read(A) & 0x80, 0x80);
  assert.equal(r.read(0), 0, "the registers still hold the old second during the update");
  r.at(SEC - 1);
  assert.equal(r.read(A) & 0x80, 0x80);
  r.at(SEC);
  assert.equal(r.read(A), 0x26);
  assert.equal(r.read(0), 1);
  r.at(SEC + start);
  assert.equal(r.read(A) & 0x80, 0x80, "again before the next second");
});

test("SET stops updates and clears UIE; clearing SET resumes counting on the next one-second boundary", () => {
  const r = setup();
  r.write(B, 0x12); // UIE
  r.write(B, 0x92); // SET | UIE
  assert.equal(r.read(B), 0x82, "UIE cleared by SET");
  r.at(SEC + 1);
  assert.equal(r.read(A) & 0x80, 0);
  r.at(5 * SEC + SEC / 2);
  assert.equal(r.read(0), 0, "frozen");
  assert.equal(r.read(C) & 0x10, 0, "no update cycles while SET");
  r.write(0, 0x30);
  r.write(B, 0x02);
  r.at(6 * SEC - 1);
  assert.equal(r.read(0), 0x30);
  r.at(6 * SEC);
  assert.equal(r.read(0), 0x31);
});

test("periodic interrupt at 1024 Hz (RS=6): PF every 32 cycles (976.5625 us); with PIE, IRQ8 rises and nextEvent says when", () => {
  const r = setup();
  r.write(B, 0x42); // PIE
  assert.equal(r.rtc.nextEvent(0), 976563);
  r.runTo(976562);
  assert.deepEqual(r.edges, []);
  r.runTo(976563);
  assert.deepEqual(r.edges, [[true, 976563]]);
  assert.equal(r.rtc.nextEvent(r.clock.now), Infinity, "IRQF stays set until register C is read");
  assert.equal(r.read(C), 0xc0);
  assert.deepEqual(r.edges, [[true, 976563], [false, 976563]]);
  assert.equal(r.rtc.nextEvent(r.clock.now), cycleTime(64));
  // Serviced every time, 1024 interrupts take exactly one second.
  let count = 1;
  for (;;) {
    const next = r.rtc.nextEvent(r.clock.now);
    if (next > SEC) break;
    r.runTo(next);
    assert.equal(r.read(C) & 0xc0, 0xc0);
    count++;
  }
  assert.equal(count, 1024);
});

test("rate select: RS 3..15 give 8192 Hz down to 2 Hz, RS 1 and 2 give 256 and 128 Hz, RS 0 none", () => {
  const cyclesFor = { 1: 128, 2: 256 };
  for (let rs = 3; rs <= 15; rs++) cyclesFor[rs] = 1 << (rs - 1);
  for (let rs = 1; rs <= 15; rs++) {
    const r = setup();
    r.write(A, 0x20 | rs);
    r.write(B, 0x42);
    assert.equal(r.rtc.nextEvent(0), cycleTime(cyclesFor[rs]), `RS=${rs}: ${32768 / cyclesFor[rs]} Hz`);
  }
  assert.equal(cycleTime(4), 122071, "8192 Hz: 122.07 us");
  assert.equal(cycleTime(16384), SEC / 2, "2 Hz");
  const r = setup();
  r.write(A, 0x20);
  r.write(B, 0x42);
  assert.equal(r.rtc.nextEvent(0), Infinity);
  r.at(2 * SEC);
  assert.equal(r.read(C) & 0x40, 0, "RS=0: no periodic flag");
});

test("reading register C clears the interrupt flags and lowers IRQ8", () => {
  const r = setup();
  r.write(B, 0x12); // UIE
  r.runTo(SEC);
  assert.equal(r.irqLevel(), true);
  assert.equal(r.read(C), 0x80 | 0x40 | 0x10, "IRQF, PF (RS=6, not enabled) and UF");
  assert.equal(r.irqLevel(), false);
  assert.equal(r.read(C), 0);
});

test("flags are set without their enables, but IRQF and IRQ8 stay low", () => {
  const r = setup();
  r.at(SEC);
  assert.equal(r.read(C), 0x50, "PF and UF");
  assert.deepEqual(r.edges, []);
});

test("IRQF rises as soon as an enable bit is set while its flag is already set", () => {
  const r = setup();
  r.at(SEC);
  r.write(B, 0x12);
  assert.equal(r.irqLevel(), true);
  assert.equal(r.edges[0][1], SEC);
});

test("update-ended interrupt (UIE): IRQ8 at exactly 1 s, 2 s, 3 s when serviced", () => {
  const r = setup();
  r.write(B, 0x12);
  const seen = [];
  for (let i = 0; i < 3; i++) {
    const next = r.rtc.nextEvent(r.clock.now);
    seen.push(next);
    r.runTo(next);
    assert.equal(r.read(C) & 0x90, 0x90);
  }
  assert.deepEqual(seen, [SEC, 2 * SEC, 3 * SEC]);
});

test("alarm interrupt at an exact time: alarm 00:00:05 sets AF at 5 s and nextEvent predicts it", () => {
  const r = setup();
  r.write(1, 0x05); r.write(3, 0x00); r.write(5, 0x00);
  r.write(B, 0x22); // AIE
  assert.equal(r.rtc.nextEvent(0), 5 * SEC);
  r.runTo(5 * SEC - 1);
  assert.equal(r.irqLevel(), false);
  r.runTo(5 * SEC);
  assert.equal(r.irqLevel(), true);
  assert.equal(r.read(C) & 0xa0, 0xa0);
  assert.equal(r.rtc.nextEvent(r.clock.now), (86400 + 5) * SEC, "the same time tomorrow");
});

test("alarm don't-care codes (0xC0-0xFF): any hour and minute, second 30, fires every minute at :30", () => {
  const r = setup();
  r.write(1, 0x30); r.write(3, 0xc0); r.write(5, 0xff);
  r.write(B, 0x22);
  assert.equal(r.rtc.nextEvent(0), 30 * SEC);
  r.runTo(30 * SEC);
  assert.equal(r.read(C) & 0x20, 0x20);
  assert.equal(r.rtc.nextEvent(r.clock.now), 90 * SEC);
});

test("alarm with all three bytes don't-care fires on every update", () => {
  const r = setup();
  r.write(1, 0xc0); r.write(3, 0xc0); r.write(5, 0xc0);
  r.write(B, 0x22);
  assert.equal(r.rtc.nextEvent(0), SEC);
  r.runTo(SEC);
  r.read(C);
  assert.equal(r.rtc.nextEvent(SEC), 2 * SEC);
});

test("alarm in 12-hour mode compares the PM bit: 0x81 matches 1 PM, not 1 AM", () => {
  const r = setup();
  r.write(B, 0x80);
  r.write(4, 0x12); // 12 AM = midnight
  r.write(1, 0x00); r.write(3, 0x00); r.write(5, 0x81);
  r.write(B, 0x20); // AIE, 12-hour
  assert.equal(r.rtc.nextEvent(0), 13 * 3600 * SEC);
});

test("an alarm passed during a long gap still sets AF when register C is finally read", () => {
  const r = setup();
  r.write(1, 0x00); r.write(3, 0x30); r.write(5, 0x05); // 05:30:00
  r.at(6 * 3600 * SEC);
  assert.equal(r.read(C) & 0x20, 0x20);
  r.at(7 * 3600 * SEC);
  assert.equal(r.read(C) & 0x20, 0, "not again until tomorrow");
});

test("divider reset (DV=110) stops the clock; DV=010 again gives the first update 500 ms later", () => {
  const r = setup();
  r.at(SEC / 4);
  r.read(C);
  r.write(A, 0x66); // divider in reset
  r.at(10 * SEC);
  assert.equal(r.read(0), 0, "no updates in reset");
  assert.equal(r.read(C), 0, "no periodic flags either");
  r.write(A, 0x26);
  const resumed = r.clock.now;
  r.write(B, 0x12);
  assert.equal(r.rtc.nextEvent(resumed), resumed + SEC / 2);
  r.at(resumed + SEC / 2 - 1);
  assert.equal(r.read(0), 0);
  r.at(resumed + SEC / 2);
  assert.equal(r.read(0), 1);
  r.at(resumed + SEC / 2 + SEC);
  assert.equal(r.read(0), 2);
});

test("register D reads VRT = 1; writes to C and D are ignored; UIP in register A is read-only", () => {
  const r = setup();
  r.write(D, 0x00);
  assert.equal(r.read(D), 0x80);
  r.write(C, 0xff);
  assert.equal(r.read(C), 0);
  r.write(A, 0xa6);
  assert.equal(r.read(A), 0x26);
});

test("port 0x70: bit 7 masks NMI and bits 6-0 select the register; the port reads as a floating bus", () => {
  const r = setup();
  assert.equal(r.rtc.nmiMasked, false);
  r.bus.write(0x70, 0x80 | 0x0d, 1);
  assert.equal(r.rtc.nmiMasked, true);
  assert.equal(r.bus.read(0x71, 1), 0x80, "register D selected through the NMI bit");
  r.bus.write(0x70, 0x0d, 1);
  assert.equal(r.rtc.nmiMasked, false);
  assert.equal(r.bus.read(0x70, 1), 0xff);
});

test("the CMOS RAM (0x0E-0x7F) keeps what the guest writes", () => {
  const r = setup();
  for (let i = 0x0e; i < 0x80; i++) r.write(i, (i * 7) & 0xff);
  for (let i = 0x0e; i < 0x80; i++) assert.equal(r.read(i), (i * 7) & 0xff);
});

test("setNvram fills configuration bytes and keeps the checksum at 0x2E/0x2F over 0x10-0x2D; guest writes do not", () => {
  const r = setup();
  r.rtc.setNvram(CMOS.FLOPPY_TYPES, 0x40);           // 1.44 MB drive A
  r.rtc.setNvram(CMOS.EQUIPMENT, 0x41);
  r.rtc.setNvram(CMOS.BASE_MEMORY_KB_LOW, 0x80);     // 640 KB
  r.rtc.setNvram(CMOS.BASE_MEMORY_KB_HIGH, 0x02);
  r.rtc.setNvram(CMOS.EXTENDED_MEMORY_KB_LOW, 0x00); // 15360 KB above 1 MB
  r.rtc.setNvram(CMOS.EXTENDED_MEMORY_KB_HIGH, 0x3c);
  const sum = 0x40 + 0x41 + 0x80 + 0x02 + 0x00 + 0x3c;
  assert.equal((r.read(0x2e) << 8) | r.read(0x2f), sum);
  r.rtc.setNvram(CMOS.EXTENDED_MEMORY_KB_LOW_2, 0x00);
  r.rtc.setNvram(CMOS.EXTENDED_MEMORY_KB_HIGH_2, 0x3c);
  r.rtc.setNvram(CMOS.MEMORY_ABOVE_16M_64K_LOW, 0x10);
  r.rtc.setNvram(CMOS.MEMORY_ABOVE_16M_64K_HIGH, 0x00);
  r.rtc.setNvram(CMOS.CENTURY, 0x20);
  assert.equal((r.read(0x2e) << 8) | r.read(0x2f), sum, "0x30-0x35 lie outside the checksum");
  assert.equal(r.read(0x15) | (r.read(0x16) << 8), 640);
  assert.equal(r.read(0x34), 0x10);
  r.write(0x11, 0x55);
  assert.equal((r.read(0x2e) << 8) | r.read(0x2f), sum, "the chip does not compute checksums");
  assert.throws(() => r.rtc.setNvram(0x05, 1), RangeError);
});

test("reset (the RESET pin) clears PIE, AIE, UIE and the flags but keeps time, RAM and the divider", () => {
  const r = setup();
  r.write(0x40, 0x12);
  r.write(B, 0x72);
  r.runTo(SEC);
  assert.equal(r.irqLevel(), true);
  r.rtc.reset();
  assert.equal(r.irqLevel(), false);
  assert.equal(r.read(B), 0x02);
  assert.equal(r.read(C), 0);
  assert.equal(r.read(0), 1);
  assert.equal(r.read(0x40), 0x12);
  assert.equal(r.read(A), 0x26);
});

test("saveState/loadState round-trips through JSON and the clock keeps running", () => {
  const a = setup();
  a.write(B, 0x42);
  a.write(0x50, 0xaa);
  a.at(2.5 * SEC);
  a.read(0);
  const saved = JSON.parse(JSON.stringify(a.rtc.saveState()));
  const b = setup();
  b.at(2.5 * SEC);
  b.rtc.loadState(saved);
  assert.deepEqual(b.rtc.saveState(), a.rtc.saveState());
  a.at(3 * SEC); b.at(3 * SEC);
  assert.deepEqual(b.time(), a.time());
  assert.equal(b.read(C), a.read(C));
  assert.equal(b.rtc.nextEvent(b.clock.now), a.rtc.nextEvent(a.clock.now));
});
