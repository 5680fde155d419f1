// Tests of the 16550A UART (src/devices/uart16550.ts), driven through the port bus as a guest
// would. Register values and interrupt rules from the PC16550D datasheet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "emu-uart-test-"));
await build({
  stdin: {
    contents: 'export * from "./src/devices/uart16550.ts"; export { PortBus } from "./src/machine/device.ts";',
    resolveDir: root, sourcefile: "uart-test-entry.ts", loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: join(tmp, "uart.mjs"), logLevel: "silent",
});
const { Uart16550, PortBus } = await import(pathToFileURL(join(tmp, "uart.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

const BASE = 0x3f8;
const [RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR] = [0, 1, 2, 3, 4, 5, 6, 7];
const FCR = 2, THR = 0, DLL = 0, DLM = 1;

/** An IRQ line that records its level and counts rising edges. */
function irqLine() {
  return {
    level: false, edges: 0,
    set(level) { if (level && !this.level) this.edges++; this.level = level; },
    pulse() { this.edges++; },
  };
}

function setup() {
  const irq = irqLine();
  const sent = [];
  const uart = new Uart16550(BASE, irq, { write: (b) => sent.push(b) });
  const bus = new PortBus();
  uart.attach(bus);
  const inb = (r) => bus.read(BASE + r, 1);
  const outb = (r, v) => bus.write(BASE + r, v, 1);
  return { uart, irq, sent, inb, outb };
}

/** Read everything waiting in the receiver. */
function drain(inb) {
  const out = [];
  while (inb(LSR) & 0x01) out.push(inb(RBR));
  return out;
}

test("after reset: IER 0, IIR 01 (none pending), LCR/MCR 0, LSR 60 (THRE|TEMT), MSR shows CTS|DSR|DCD", () => {
  const { inb, uart } = setup();
  assert.equal(inb(IER), 0);
  assert.equal(inb(IIR), 0x01);
  assert.equal(inb(LCR), 0);
  assert.equal(inb(MCR), 0);
  assert.equal(inb(LSR), 0x60);
  assert.equal(inb(MSR), 0xb0);
  assert.match(uart.name, /16550A.*3f8/);
});

test("DLAB=1 maps offsets 0 and 1 to the divisor latch; DLAB=0 gives RBR/IER back", () => {
  const { inb, outb, uart } = setup();
  outb(IER, 0x05);
  outb(LCR, 0x83);
  outb(DLL, 0x01);
  outb(DLM, 0x02);
  assert.equal(inb(DLL), 0x01);
  assert.equal(inb(DLM), 0x02);
  assert.equal(uart.characterTimeNs, (0x201 * 10 * 1e9) / 115200);
  outb(LCR, 0x03);
  assert.equal(inb(IER), 0x05);
  assert.equal(inb(LCR), 0x03);
});

test("IER keeps only bits 0-3 and MCR only bits 0-4; SCR holds any byte", () => {
  const { inb, outb } = setup();
  outb(IER, 0xff);
  assert.equal(inb(IER), 0x0f);
  outb(MCR, 0xff);
  assert.equal(inb(MCR), 0x1f);
  outb(SCR, 0xa5);
  assert.equal(inb(SCR), 0xa5);
});

test("THR writes go to the serial sink at once and THRE/TEMT stay set", () => {
  const { inb, outb, sent } = setup();
  outb(LCR, 0x03);
  for (const c of "hi\n") outb(THR, c.charCodeAt(0));
  assert.deepEqual(sent, [0x68, 0x69, 0x0a]);
  assert.equal(inb(LSR) & 0x60, 0x60);
});

test("bytes pass whole whatever the word length (LCR resets to 5 bits; guests that never set it still print)", () => {
  const { inb, outb, sent, uart } = setup();
  outb(THR, 0xff);
  outb(LCR, 0x02);
  outb(THR, 0xc1);
  assert.deepEqual(sent, [0xff, 0xc1]);
  uart.receive([0xc1]);
  assert.equal(inb(RBR), 0xc1);
});

test("16450 mode: received bytes are available in order as the guest reads RBR, then DR clears", () => {
  const { inb, uart } = setup();
  uart.receive("abc");
  assert.equal(inb(LSR) & 0x01, 0x01);
  assert.deepEqual(drain(inb), [0x61, 0x62, 0x63]);
  assert.equal(inb(LSR) & 0x01, 0);
  assert.equal(uart.pendingInput, 0);
});

test("received data interrupt: IIR 04 with ERBFI, IRQ only while MCR.OUT2 is set", () => {
  const { inb, outb, uart, irq } = setup();
  outb(IER, 0x01);
  uart.receive([0x41]);
  assert.equal(inb(IIR), 0x04);
  assert.equal(irq.level, false, "OUT2 clear: the IRQ driver is off");
  outb(MCR, 0x08);
  assert.equal(irq.level, true);
  assert.equal(inb(RBR), 0x41);
  assert.equal(inb(IIR), 0x01);
  assert.equal(irq.level, false);
});

test("16450 mode: each byte read with more waiting drops and raises the IRQ (one edge per byte)", () => {
  const { inb, outb, uart, irq } = setup();
  outb(MCR, 0x08);
  outb(IER, 0x01);
  uart.receive([1, 2, 3]);
  assert.equal(irq.edges, 1);
  inb(RBR);
  inb(RBR);
  assert.equal(irq.edges, 3);
  inb(RBR);
  assert.equal(irq.level, false);
});

test("interrupt priority: line status > received data > THR empty > modem status, each cleared its own way", () => {
  const { inb, outb, irq } = setup();
  outb(IER, 0x0f); // THRE interrupt raised by enabling ETBEI
  outb(MCR, 0x10); // loopback, every modem output off
  outb(THR, 0x41);
  outb(THR, 0x42); // overruns RBR (16450 mode): OE, RBR now 0x42
  outb(MCR, 0x08); // leave loopback: CTS/DSR/DCD inputs appear, so DCTS|DDSR|DDCD
  assert.equal(irq.level, true);
  assert.equal(inb(IIR), 0x06, "receiver line status first");
  assert.equal(inb(LSR), 0x63, "DR|OE|THRE|TEMT; reading LSR clears OE");
  assert.equal(inb(IIR), 0x04, "then received data");
  assert.equal(inb(RBR), 0x42, "the overrun replaced the first byte");
  assert.equal(inb(IIR), 0x02, "then THR empty, which this IIR read clears");
  assert.equal(inb(IIR), 0x00, "then modem status");
  assert.equal(inb(MSR), 0xbb, "CTS|DSR|DCD with DCTS|DDSR|DDCD");
  assert.equal(inb(MSR), 0xb0, "reading MSR cleared the deltas");
  assert.equal(inb(IIR), 0x01);
  assert.equal(irq.level, false);
});

test("THRE interrupt: raised by enabling ETBEI, cleared by the IIR read that reports it, raised again by a THR write", () => {
  const { inb, outb, irq } = setup();
  outb(MCR, 0x08);
  outb(IER, 0x02);
  assert.equal(irq.level, true);
  assert.equal(inb(IIR), 0x02);
  assert.equal(irq.level, false);
  assert.equal(inb(IIR), 0x01, "stays cleared: THR did not empty again");
  outb(IER, 0x02);
  assert.equal(inb(IIR), 0x01, "rewriting ETBEI=1 is not an enable edge");
  outb(THR, 0x55);
  assert.equal(irq.level, true, "the byte left at once: THR is empty again");
  assert.equal(inb(IIR), 0x02);
  outb(IER, 0x00);
  outb(IER, 0x02);
  assert.equal(inb(IIR), 0x02, "turning ETBEI off and on raises it again");
});

test("THRE interrupt is not cleared by an IIR read that reports a higher-priority interrupt", () => {
  const { inb, outb, uart } = setup();
  outb(IER, 0x03);
  uart.receive([0x30]);
  assert.equal(inb(IIR), 0x04);
  inb(RBR);
  assert.equal(inb(IIR), 0x02);
});

test("FCR bit 0 enables the FIFOs: IIR bits 7-6 read 11, and clearing it returns to 16450 mode", () => {
  const { inb, outb } = setup();
  outb(FCR, 0x01);
  assert.equal(inb(IIR), 0xc1);
  outb(FCR, 0x00);
  assert.equal(inb(IIR), 0x01);
});

for (const [bits, level] of [[0x00, 1], [0x40, 4], [0x80, 8], [0xc0, 14]]) {
  test(`FIFO trigger level ${level} (FCR=${(bits | 1).toString(16)}): data interrupt at ${level} bytes, not before`, () => {
    const { inb, outb, uart, irq } = setup();
    outb(FCR, bits | 0x01);
    outb(MCR, 0x08);
    outb(IER, 0x01);
    if (level > 1) {
      uart.receive(new Array(level - 1).fill(0x20));
      assert.equal(inb(IIR), 0xc1, `${level - 1} bytes: below the trigger level`);
      assert.equal(irq.level, false);
    }
    uart.receive([0x21]);
    assert.equal(inb(IIR), 0xc4);
    assert.equal(irq.level, true);
    inb(RBR);
    assert.equal(inb(IIR), 0xc1, "one read takes it below the trigger level again");
    assert.equal(irq.level, false);
  });
}

test("the receive FIFO holds 16 bytes; the rest wait on the wire and arrive as the guest reads", () => {
  const { inb, outb, uart } = setup();
  outb(FCR, 0x01);
  const bytes = Array.from({ length: 40 }, (_, i) => i + 1);
  uart.receive(bytes);
  assert.equal(uart.pendingInput, 24);
  assert.equal(inb(LSR) & 0x02, 0, "no overrun from the host: the wire waits");
  assert.deepEqual(drain(inb), bytes);
  assert.equal(uart.pendingInput, 0);
});

test("FCR bit 1 clears the receive FIFO; switching FIFO mode clears it too", () => {
  const { inb, outb, uart } = setup();
  outb(FCR, 0x01);
  uart.receive([1, 2, 3]);
  outb(FCR, 0x03);
  assert.equal(inb(LSR) & 0x01, 0);
  uart.receive([4]);
  outb(FCR, 0x00);
  assert.equal(inb(LSR) & 0x01, 0);
  assert.equal(inb(FCR) & 0xc0, 0);
});

test("character timeout: FIFO data below the trigger level interrupts (IIR CC) after 4 character times", () => {
  const { inb, outb, uart, irq } = setup();
  outb(LCR, 0x80);
  outb(DLL, 12); // 9600 baud
  outb(LCR, 0x03);
  outb(FCR, 0xc1); // trigger level 14
  outb(MCR, 0x08);
  outb(IER, 0x01);
  uart.receive([1, 2, 3]);
  const charTime = (12 * 10 * 1e9) / 115200;
  const deadline = uart.nextEvent(1000);
  assert.equal(deadline, 1000 + 4 * charTime);
  assert.equal(uart.nextEvent(2000), deadline, "the deadline is fixed once armed");
  uart.runUntil(deadline - 1);
  assert.equal(inb(IIR), 0xc1);
  uart.runUntil(deadline);
  assert.equal(inb(IIR), 0xcc);
  assert.equal(irq.level, true);
  assert.equal(uart.nextEvent(deadline), Infinity, "no further event while the timeout is pending");
  assert.equal(inb(RBR), 1, "reading a byte clears the timeout interrupt");
  assert.equal(inb(IIR), 0xc1);
  assert.equal(irq.level, false);
  assert.equal(uart.nextEvent(5e6), 5e6 + 4 * charTime, "and restarts the timer");
  inb(RBR);
  inb(RBR);
  assert.equal(uart.nextEvent(6e6), Infinity, "an empty FIFO has no timeout");
});

test("character timeout scales with the divisor (115200 baud: 4 x 86.8 us)", () => {
  const { outb, uart } = setup();
  outb(LCR, 0x80);
  outb(DLL, 1);
  outb(DLM, 0);
  outb(LCR, 0x03);
  outb(FCR, 0x81);
  uart.receive([1]);
  assert.ok(Math.abs(uart.nextEvent(0) - 347222.2) < 1);
});

test("16450 mode has no character timeout", () => {
  const { uart } = setup();
  uart.receive([1, 2]);
  assert.equal(uart.nextEvent(0), Infinity);
});

test("loopback maps RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD in MSR, with delta bits", () => {
  const { inb, outb } = setup();
  outb(MCR, 0x10);
  inb(MSR);
  assert.equal(inb(MSR), 0x00, "all outputs off: all looped inputs off");
  outb(MCR, 0x12);
  assert.equal(inb(MSR), 0x11, "RTS -> CTS, DCTS");
  outb(MCR, 0x13);
  assert.equal(inb(MSR), 0x32, "DTR -> DSR, DDSR");
  outb(MCR, 0x17);
  assert.equal(inb(MSR), 0x70, "OUT1 -> RI; TERI only on a trailing edge");
  outb(MCR, 0x13);
  assert.equal(inb(MSR), 0x34, "RI fell: TERI");
  outb(MCR, 0x1b);
  assert.equal(inb(MSR), 0xb8, "OUT2 -> DCD, DDCD");
});

test("loopback: transmitted bytes are received, not sent; host bytes wait until loopback ends", () => {
  const { inb, outb, uart, sent } = setup();
  outb(FCR, 0x01);
  uart.receive([0x99]);
  inb(RBR);
  outb(MCR, 0x10);
  uart.receive([0x77]);
  outb(THR, 0x41);
  outb(THR, 0x42);
  assert.deepEqual(sent, []);
  assert.deepEqual(drain(inb), [0x41, 0x42]);
  outb(MCR, 0x00);
  assert.deepEqual(drain(inb), [0x77]);
});

test("loopback: interrupts work inside the chip but the IRQ line stays low (OUT2 pin forced inactive)", () => {
  const { inb, outb, irq } = setup();
  outb(MCR, 0x18);
  outb(IER, 0x01);
  outb(THR, 0x41);
  assert.equal(inb(IIR), 0x04);
  assert.equal(irq.level, false);
  outb(MCR, 0x08);
  assert.equal(irq.level, true);
});

test("FIFO overrun (loopback, 17 bytes): OE set, the FIFO keeps the first 16", () => {
  const { inb, outb } = setup();
  outb(FCR, 0x01);
  outb(MCR, 0x10);
  for (let i = 0; i < 17; i++) outb(THR, i);
  const lsr = inb(LSR);
  assert.equal(lsr & 0x03, 0x03);
  assert.equal(inb(LSR) & 0x02, 0, "OE clears when LSR is read");
  assert.deepEqual(drain(inb), Array.from({ length: 16 }, (_, i) => i));
});

test("modem status interrupt: an input change sets its delta bit and IIR 00 until MSR is read", () => {
  const { inb, outb, uart, irq } = setup();
  outb(MCR, 0x08);
  outb(IER, 0x08);
  uart.setModemInputs({ cts: false });
  assert.equal(inb(IIR), 0x00);
  assert.equal(irq.level, true);
  uart.setModemInputs({ ri: true });
  uart.setModemInputs({ ri: false });
  assert.equal(inb(MSR), 0xa0 | 0x01 | 0x04, "DSR|DCD, DCTS and TERI");
  assert.equal(inb(IIR), 0x01);
  assert.equal(irq.level, false);
});

test("a received break reads as a 0 byte with BI|FE and a line status interrupt; FIFO mode sets LSR bit 7", () => {
  const { inb, outb, uart } = setup();
  outb(FCR, 0x01);
  outb(IER, 0x04);
  uart.receive([0x31]);
  uart.receiveBreak();
  assert.equal(inb(IIR), 0xc1, "the break is not at the top of the FIFO yet");
  assert.equal(inb(LSR), 0xe1, "DR|THRE|TEMT and bit 7: an error is in the FIFO");
  assert.equal(inb(RBR), 0x31);
  assert.equal(inb(IIR), 0xc6);
  assert.equal(inb(LSR), 0xf9, "BI|FE|DR and bit 7");
  assert.equal(inb(IIR), 0xc1);
  assert.equal(inb(LSR), 0x61, "reported once; no further errors in the FIFO");
  assert.equal(inb(RBR), 0x00);
});

test("saveState/loadState restore registers, the FIFO and waiting input", () => {
  const a = setup();
  a.outb(LCR, 0x83);
  a.outb(DLL, 3);
  a.outb(LCR, 0x03);
  a.outb(FCR, 0x41);
  a.outb(IER, 0x01);
  a.outb(MCR, 0x0b);
  a.outb(SCR, 0x5a);
  a.uart.receive(Array.from({ length: 20 }, (_, i) => 0x40 + i));
  a.inb(RBR);
  const state = JSON.parse(JSON.stringify(a.uart.saveState()));
  const b = setup();
  b.uart.loadState(state);
  assert.equal(b.irq.level, true);
  assert.equal(b.inb(IIR), 0xc4);
  assert.equal(b.inb(SCR), 0x5a);
  assert.equal(b.uart.characterTimeNs, a.uart.characterTimeNs);
  assert.deepEqual(drain(b.inb), Array.from({ length: 19 }, (_, i) => 0x41 + i));
});

test("16-bit port accesses act as two byte accesses to consecutive registers", () => {
  const irq = irqLine();
  const uart = new Uart16550(0x2f8, irq, { write() {} });
  const bus = new PortBus();
  uart.attach(bus);
  bus.write(0x2f8 + 3, 0x0303, 2); // LCR = 03, MCR = 03
  assert.equal(bus.read(0x2f8 + 3, 2), 0x0303);
  assert.equal(bus.read(0x2f8 + 7, 2), 0xff00, "past the last register reads high");
});
