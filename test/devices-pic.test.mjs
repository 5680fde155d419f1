// Tests of the 8259A PIC pair (src/devices/pic8259.ts) against the Intel 8259A datasheet
// (231468): initialisation words, OCW1-OCW3, priorities and rotation, cascade, special modes,
// edge/level triggering with the ELCR, spurious interrupts. Everything goes through the ports,
// as a guest would program the chips.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-pic-test-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const bundled = await build({
  stdin: {
    contents: 'export * from "./src/devices/pic8259.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "pic-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", write: false, logLevel: "silent",
});
const modulePath = join(tmp, "pic.mjs");
writeFileSync(modulePath, bundled.outputFiles[0].text);
const { DualPic, Pic8259, PortBus } = await import(pathToFileURL(modulePath).href);

/** A PIC pair on a bus, initialised like the AT BIOS: vectors 0x08 and 0x70, all unmasked. */
function setup({ masterIcw4 = 0x01, slaveIcw4 = 0x01, init = true } = {}) {
  const pic = new DualPic();
  const bus = new PortBus();
  pic.attach(bus);
  const outputs = [];
  pic.onOutputChange = (p) => outputs.push(p);
  const out = (port, v) => bus.write(port, v, 1);
  const inb = (port) => bus.read(port, 1);
  if (init) {
    out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, masterIcw4);
    out(0xa0, 0x11); out(0xa1, 0x70); out(0xa1, 0x02); out(0xa1, slaveIcw4);
  }
  const readIrr = (base) => { out(base, 0x0a); return inb(base); };
  const readIsr = (base) => { out(base, 0x0b); return inb(base); };
  return { pic, bus, out, inb, outputs, readIrr, readIsr };
}

const EOI = 0x20;
const specificEoi = (level) => 0x60 | level;

test("after ICW1-ICW4 a rising edge on IRQ0 raises INT and INTA returns ICW2's base + 0", () => {
  const { pic, outputs } = setup();
  assert.equal(pic.pending, false);
  pic.irq(0).set(true);
  assert.deepEqual(outputs, [true]);
  assert.equal(pic.acknowledge(), 0x08);
  assert.deepEqual(outputs, [true, false], "INT falls once the request is in service");
});

test("INTA moves the request from IRR to ISR; OCW3 RR/RIS select which the even port reads", () => {
  const { pic, readIrr, readIsr, inb } = setup();
  pic.irq(3).pulse();
  assert.equal(readIrr(0x20), 0x08);
  assert.equal(readIsr(0x20), 0x00);
  assert.equal(pic.acknowledge(), 0x0b);
  assert.equal(inb(0x20), 0x08, "the ISR selection stays in force for later reads");
  assert.equal(readIrr(0x20), 0x00);
});

test("the odd port reads and writes the mask (OCW1); a masked request waits in IRR without raising INT", () => {
  const { pic, out, inb, readIrr } = setup();
  out(0x21, 0x02);
  assert.equal(inb(0x21), 0x02);
  pic.irq(1).pulse();
  assert.equal(readIrr(0x20), 0x02);
  assert.equal(pic.pending, false);
  out(0x21, 0x00);
  assert.equal(pic.pending, true);
  assert.equal(pic.acknowledge(), 0x09);
});

test("fully nested mode: a lower level waits while a higher one is in service, a higher level preempts", () => {
  const { pic, out } = setup();
  pic.irq(4).pulse();
  assert.equal(pic.acknowledge(), 0x0c);
  pic.irq(5).pulse();
  assert.equal(pic.pending, false, "IR5 is below IR4 in service");
  pic.irq(1).pulse();
  assert.equal(pic.pending, true, "IR1 beats IR4");
  assert.equal(pic.acknowledge(), 0x09);
  out(0x20, EOI); // ends IR1
  assert.equal(pic.pending, false, "IR4 is still in service");
  out(0x20, EOI); // ends IR4
  assert.equal(pic.acknowledge(), 0x0d);
});

test("non-specific EOI clears the highest-priority ISR bit", () => {
  const { pic, out, readIsr } = setup();
  pic.irq(6).pulse();
  pic.acknowledge();
  pic.irq(3).pulse();
  pic.acknowledge();
  assert.equal(readIsr(0x20), 0x48);
  out(0x20, EOI);
  assert.equal(readIsr(0x20), 0x40);
});

test("specific EOI clears only the named ISR bit", () => {
  const { pic, out, readIsr } = setup();
  pic.irq(6).pulse();
  pic.acknowledge();
  pic.irq(3).pulse();
  pic.acknowledge();
  out(0x20, specificEoi(6));
  assert.equal(readIsr(0x20), 0x08);
  out(0x20, specificEoi(5)); // not in service: no effect
  assert.equal(readIsr(0x20), 0x08);
});

test("rotate on non-specific EOI makes the serviced level the lowest priority", () => {
  const { pic, out } = setup();
  pic.irq(1).pulse();
  assert.equal(pic.acknowledge(), 0x09);
  out(0x20, 0xa0); // R=1 SL=0 EOI=1
  assert.equal(pic.master.lowestPriority, 1);
  pic.irq(1).pulse();
  pic.irq(5).pulse();
  assert.equal(pic.acknowledge(), 0x0d, "IR2 is now highest, so IR5 beats IR1");
  out(0x20, 0xa0);
  assert.equal(pic.acknowledge(), 0x09);
});

test("rotate on specific EOI and the set-priority command move the lowest-priority level", () => {
  const { pic, out, readIsr } = setup();
  pic.irq(3).pulse();
  pic.acknowledge();
  out(0x20, 0xe0 | 3); // rotate on specific EOI, level 3
  assert.equal(readIsr(0x20), 0);
  assert.equal(pic.master.lowestPriority, 3);
  out(0x20, 0xc0 | 5); // set priority: IR5 lowest, IR6 highest
  assert.equal(pic.master.lowestPriority, 5);
  pic.irq(0).pulse();
  pic.irq(6).pulse();
  assert.equal(pic.acknowledge(), 0x0e);
  out(0x20, 0x40); // OCW2 no-op: nothing changes
  assert.equal(readIsr(0x20), 0x40);
  assert.equal(pic.master.lowestPriority, 5);
});

test("automatic EOI (ICW4 AEOI) leaves ISR clear at the end of INTA", () => {
  const { pic, readIsr } = setup({ masterIcw4: 0x03 });
  pic.irq(5).pulse();
  assert.equal(pic.acknowledge(), 0x0d);
  assert.equal(readIsr(0x20), 0);
  pic.irq(6).pulse();
  assert.equal(pic.pending, true, "nothing in service blocks a lower level");
});

test("rotate in automatic EOI mode rotates priority on every INTA; the clear command stops it", () => {
  const { pic, out } = setup({ masterIcw4: 0x03 });
  out(0x20, 0x80); // rotate in AEOI mode (set)
  pic.irq(0).pulse();
  pic.acknowledge();
  assert.equal(pic.master.lowestPriority, 0);
  pic.irq(0).pulse();
  pic.irq(7).pulse();
  assert.equal(pic.acknowledge(), 0x0f, "IR0 is now lowest, IR7 wins");
  assert.equal(pic.master.lowestPriority, 7);
  out(0x20, 0x00); // rotate in AEOI mode (clear)
  assert.equal(pic.acknowledge(), 0x08);
  assert.equal(pic.master.lowestPriority, 7, "no rotation after the clear command");
});

test("single mode (ICW1 SNGL) skips ICW3: the byte after ICW2 is ICW4, then OCW1", () => {
  const chip = new Pic8259(true);
  chip.writeCommand(0x13); // ICW1: edge, single, IC4
  chip.writeData(0x40);    // ICW2
  chip.writeData(0x03);    // ICW4: 8086, AEOI
  assert.equal(chip.autoEoi, true);
  chip.writeData(0xfe);    // OCW1
  assert.equal(chip.readData(), 0xfe);
  assert.equal(chip.isCascadeInput(2), false);
  chip.setInput(0, true);
  assert.equal(chip.acknowledge(), 0x40);
});

test("ICW1 without IC4 skips ICW4 and zeroes its functions (no AEOI, no SFNM)", () => {
  const chip = new Pic8259(true);
  chip.writeCommand(0x11); chip.writeData(0x08); chip.writeData(0x04); chip.writeData(0x13); // AEOI + SFNM
  assert.equal(chip.autoEoi, true);
  assert.equal(chip.specialFullyNested, true);
  chip.writeCommand(0x10); // ICW1 with IC4 = 0, cascade mode
  chip.writeData(0x20);    // ICW2
  chip.writeData(0x04);    // ICW3, then initialisation ends
  chip.writeData(0x55);    // OCW1
  assert.equal(chip.autoEoi, false);
  assert.equal(chip.specialFullyNested, false);
  assert.equal(chip.readData(), 0x55);
  assert.equal(chip.vectorBase, 0x20);
});

test("ICW2 keeps only bits 7-3 of the vector base", () => {
  const { pic, out } = setup({ init: false });
  out(0x20, 0x11); out(0x21, 0x0f); out(0x21, 0x04); out(0x21, 0x01);
  pic.irq(1).pulse();
  assert.equal(pic.acknowledge(), 0x09);
});

test("ICW1 clears the mask and resets edge sense: an input already high must fall and rise again", () => {
  const { pic, out, inb } = setup();
  out(0x21, 0xff);
  pic.irq(4).set(true);
  out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, 0x01);
  assert.equal(inb(0x21), 0x00, "IMR cleared");
  assert.equal(pic.pending, false, "the old request is gone and the high level is no new edge");
  pic.irq(4).set(false);
  pic.irq(4).set(true);
  assert.equal(pic.acknowledge(), 0x0c);
});

test("ICW1 makes IR7 the lowest priority again and ends special mask mode and poll", () => {
  const { pic, out } = setup();
  out(0x20, 0xc0 | 2);
  out(0x20, 0x68); // OCW3: set special mask mode
  out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, 0x01);
  assert.equal(pic.master.lowestPriority, 7);
  pic.irq(5).pulse();
  pic.acknowledge();
  pic.irq(6).pulse();
  assert.equal(pic.pending, false, "fully nested again, not special mask mode");
});

test("an edge-triggered request latched by a pulse survives the input falling before INTA", () => {
  const { pic, readIrr } = setup();
  pic.irq(7).pulse();
  assert.equal(readIrr(0x20), 0x80);
  assert.equal(pic.acknowledge(), 0x0f);
  pic.irq(7).set(true);
  pic.irq(7).set(true);
  assert.equal(readIrr(0x20), 0x80, "a high level is one request, not one per call");
});

test("a level-triggered input (ELCR) follows the line: dropping it withdraws the request", () => {
  const { pic, bus, readIrr } = setup();
  bus.write(0x4d0, 0x08, 1); // IRQ3 level-triggered
  pic.irq(3).set(true);
  assert.equal(pic.pending, true);
  pic.irq(3).set(false);
  assert.equal(readIrr(0x20), 0x00);
  assert.equal(pic.pending, false);
  bus.write(0x4d1, 0x02, 1); // IRQ9 level-triggered: the slave's request and INT go too
  pic.irq(9).set(true);
  pic.irq(9).set(false);
  assert.equal(readIrr(0xa0), 0x00);
  assert.equal(pic.slave.int, false);
});

test("a level-triggered input still high after EOI requests again", () => {
  const { pic, bus, out, readIrr } = setup();
  bus.write(0x4d0, 0x20, 1); // IRQ5 level-triggered
  pic.irq(5).set(true);
  assert.equal(pic.acknowledge(), 0x0d);
  assert.equal(readIrr(0x20), 0x20, "IRR still shows the high input");
  assert.equal(pic.pending, false, "blocked by its own ISR bit");
  out(0x20, EOI);
  assert.equal(pic.pending, true);
  assert.equal(pic.acknowledge(), 0x0d);
});

test("the ELCR registers at 0x4D0/0x4D1 keep IRQ0, 1, 2, 8 and 13 edge-triggered", () => {
  const { bus } = setup();
  bus.write(0x4d0, 0xff, 1);
  bus.write(0x4d1, 0xff, 1);
  assert.equal(bus.read(0x4d0, 1), 0xf8);
  assert.equal(bus.read(0x4d1, 1), 0xde);
  assert.equal(bus.read(0x4d0, 2), 0xdef8, "a word read covers both registers");
  bus.write(0x4d0, 0x0000, 2);
  assert.equal(bus.read(0x4d0, 2), 0);
});

test("ICW1 LTIM makes every input of that chip level-triggered", () => {
  const { pic, out } = setup();
  out(0x20, 0x19); out(0x21, 0x08); out(0x21, 0x04); out(0x21, 0x01);
  pic.irq(3).set(true);
  pic.irq(3).set(false);
  assert.equal(pic.pending, false);
  pic.irq(3).set(true);
  assert.equal(pic.acknowledge(), 0x0b);
});

test("cascade: IRQ8 raises the master's IR2 and INTA returns the slave's vector; both ISR bits set", () => {
  const { pic, readIsr, out } = setup();
  pic.irq(8).pulse();
  assert.equal(pic.pending, true);
  assert.equal(pic.acknowledge(), 0x70);
  assert.equal(readIsr(0x20), 0x04);
  assert.equal(readIsr(0xa0), 0x01);
  pic.irq(14).pulse();
  assert.equal(pic.pending, false, "IRQ14 waits behind IRQ8 in service");
  out(0xa0, EOI);
  assert.equal(pic.pending, false, "the master's IR2 is still in service");
  out(0x20, EOI);
  assert.equal(pic.acknowledge(), 0x76);
});

test("cascade: a second slave request left after INTA (slave in AEOI) reaches the master as a new edge", () => {
  const { pic, out } = setup({ slaveIcw4: 0x03 });
  pic.irq(10).pulse();
  pic.irq(12).pulse();
  assert.equal(pic.acknowledge(), 0x72);
  out(0x20, EOI);
  assert.equal(pic.pending, true);
  assert.equal(pic.acknowledge(), 0x74);
});

test("slave priorities: IRQ8 beats IRQ15, and the master's IR0/IR1 beat the whole slave", () => {
  const { pic, out } = setup();
  pic.irq(15).pulse();
  pic.irq(8).pulse();
  pic.irq(1).pulse();
  pic.irq(3).pulse();
  assert.equal(pic.acknowledge(), 0x09);
  out(0x20, EOI);
  assert.equal(pic.acknowledge(), 0x70);
  out(0xa0, EOI); out(0x20, EOI);
  assert.equal(pic.acknowledge(), 0x77);
  out(0xa0, EOI); out(0x20, EOI);
  assert.equal(pic.acknowledge(), 0x0b);
});

test("special fully nested mode: a higher slave request interrupts while IR2 is in service", () => {
  const { pic } = setup({ masterIcw4: 0x11 });
  pic.irq(12).pulse();
  assert.equal(pic.acknowledge(), 0x74);
  pic.irq(9).pulse();
  assert.equal(pic.pending, true, "SFNM lets IRQ9 through IR2 in service");
  assert.equal(pic.acknowledge(), 0x71);
  pic.irq(13).pulse();
  assert.equal(pic.pending, false, "the slave still blocks IRQ13 behind IRQ9 and IRQ12");
});

test("without special fully nested mode the same higher slave request waits for the master's EOI", () => {
  const { pic, out } = setup();
  pic.irq(12).pulse();
  pic.acknowledge();
  pic.irq(9).pulse();
  assert.equal(pic.pending, false);
  out(0x20, EOI);
  assert.equal(pic.acknowledge(), 0x71);
});

test("special mask mode: masking the in-service level lets lower levels through; leaving it restores nesting", () => {
  const { pic, out } = setup();
  pic.irq(3).pulse();
  assert.equal(pic.acknowledge(), 0x0b);
  out(0x20, 0x68); // OCW3 ESMM SMM: set special mask mode
  out(0x21, 0x08); // mask IR3 (in service)
  pic.irq(6).pulse();
  assert.equal(pic.pending, true, "IR6 is below IR3 but IR3 is masked");
  assert.equal(pic.acknowledge(), 0x0e);
  out(0x20, specificEoi(6));
  out(0x20, 0x48); // OCW3 ESMM: reset special mask mode
  out(0x21, 0x00);
  pic.irq(5).pulse();
  assert.equal(pic.pending, false, "IR3 is still in service and blocks IR5 again");
});

test("special mask mode: an in-service level is still held back by its own ISR bit", () => {
  const { pic, out } = setup();
  out(0x20, 0x68);
  pic.irq(4).pulse();
  pic.acknowledge();
  pic.irq(4).pulse();
  assert.equal(pic.pending, false);
  pic.irq(6).pulse();
  assert.equal(pic.acknowledge(), 0x0e, "lower levels pass in special mask mode");
});

test("poll command: the next read returns 0x80 | level and sets the ISR bit; with no request it reads 0", () => {
  const { pic, out, inb, readIsr, readIrr } = setup();
  out(0x21, 0xff); // the CPU polls with the mask set and INTR ignored
  out(0x21, 0x00);
  pic.irq(5).pulse();
  pic.irq(6).pulse();
  out(0x20, 0x0c); // OCW3 P=1
  assert.equal(inb(0x20), 0x85);
  assert.equal(readIsr(0x20), 0x20);
  assert.equal(readIrr(0x20), 0x40);
  out(0x20, EOI);
  out(0x20, 0x0c);
  assert.equal(inb(0x20), 0x86);
  out(0x20, EOI);
  out(0x20, 0x0c);
  assert.equal(inb(0x20), 0x00);
  out(0x20, 0x0b);
  assert.equal(inb(0x20), 0x00, "after the poll read the even port reads ISR again");
});

test("poll on the master reports IR2 for a slave request; the slave is then polled for its level", () => {
  const { pic, out, inb } = setup();
  pic.irq(11).pulse();
  out(0x20, 0x0c);
  assert.equal(inb(0x20), 0x82);
  out(0xa0, 0x0c);
  assert.equal(inb(0xa0), 0x83);
});

test("spurious IRQ7: an INTA after the request went away answers base + 7 and sets no ISR bit", () => {
  // A level-triggered request that drops after the CPU sampled INTR (datasheet: "DEFAULT IR7").
  const master = new Pic8259(true);
  master.writeCommand(0x1b); master.writeData(0x08); master.writeData(0x01); // level, single, IC4; ICW4 8086
  master.setInput(3, true);
  assert.equal(master.int, true);
  master.setInput(3, false);
  assert.equal(master.int, false);
  assert.equal(master.acknowledge(), 0x0f);
  assert.equal(master.isr, 0);
});

test("the pair asks the CPU to take no interrupt (-1) when INTR is low", () => {
  const { pic } = setup();
  assert.equal(pic.acknowledge(), -1);
  pic.irq(4).set(true);
  pic.irq(4).set(false);
  assert.equal(pic.acknowledge(), 0x0c, "an edge-triggered request is latched, not withdrawn");
});

test("spurious IRQ15: a slave request masked after the master latched IR2 gives slave base + 7, master ISR bit 2 set", () => {
  const { pic, out, readIsr } = setup();
  pic.irq(11).pulse();
  assert.equal(pic.pending, true);
  out(0xa1, 0x08); // mask IRQ11 on the slave: its INT falls, the master's IR2 edge stays latched
  assert.equal(pic.pending, true);
  assert.equal(pic.acknowledge(), 0x77);
  assert.equal(readIsr(0x20), 0x04, "the master took IR2");
  assert.equal(readIsr(0xa0), 0x00, "the slave sets no ISR bit");
});

test("irq(n) gives line objects for IRQ0-15 except the cascade input IRQ2", () => {
  const { pic, readIrr } = setup();
  assert.throws(() => pic.irq(2), /cascade/);
  assert.throws(() => pic.irq(16), RangeError);
  assert.equal(pic.irq(9), pic.irq(9), "the same object each time");
  pic.irq(9).pulse();
  assert.equal(readIrr(0xa0), 0x02);
});

test("a word read at 0x20 returns IRR/ISR in the low byte and the mask in the high byte", () => {
  const { bus, out } = setup();
  out(0x21, 0x5a);
  out(0x20, 0x0a);
  assert.equal(bus.read(0x20, 2), 0x5a00);
  bus.write(0xa0, 0x9c0a, 2); // OCW3 to 0xA0 and OCW1 to 0xA1
  assert.equal(bus.read(0xa1, 1), 0x9c);
});

test("power-on (reset) state masks every input until the BIOS initialises the chips", () => {
  const { pic, inb } = setup({ init: false });
  assert.equal(inb(0x21), 0xff);
  assert.equal(inb(0xa1), 0xff);
  pic.irq(1).pulse();
  assert.equal(pic.pending, false);
  const { pic: p2 } = setup();
  p2.irq(1).pulse();
  p2.reset();
  assert.equal(p2.pending, false);
  assert.equal(p2.master.imr, 0xff);
});

test("saveState/loadState round-trips through JSON, and the loaded pair re-announces INTR", () => {
  const a = setup({ masterIcw4: 0x11 });
  a.out(0x20, 0xc0 | 4);
  a.bus.write(0x4d1, 0x02, 1);
  a.pic.irq(9).set(true);
  a.pic.irq(3).pulse();
  const saved = JSON.parse(JSON.stringify(a.pic.saveState()));
  const b = setup({ init: false });
  b.pic.loadState(saved);
  assert.deepEqual(b.outputs, [true]);
  assert.deepEqual(b.pic.saveState(), a.pic.saveState());
  assert.equal(b.pic.acknowledge(), a.pic.acknowledge());
  assert.equal(b.pic.acknowledge(), a.pic.acknowledge());
});
