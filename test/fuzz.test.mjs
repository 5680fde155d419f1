// Random instruction streams from random register states: the core must only ever raise
// guest exceptions, never crash the host, and never write outside guest RAM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cpu } from "../dist/index.js";

/** xorshift32: deterministic, so a failure can be replayed from its seed. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

test("a million random real-mode instructions raise only guest exceptions", async () => {
  const ramBytes = 2 << 20;
  const cpu = await Cpu.create({ ramBytes, romBytes: 65536 });
  const ports = [];
  cpu.io = { in: (port) => { ports.push(port); return 0xffffffff; }, out: () => {} };
  const state = new Uint8Array(cpu.memory.buffer, 0, cpu.offset("GUEST_RAM_BASE"));
  const rand = rng(0x1234567);
  let executed = 0, rounds = 0;
  const target = 1_000_000;
  while (executed < target) {
    rounds++;
    cpu.reset();
    // Fill the first MiB plus the HMA with random bytes: code, data, the IVT, everything.
    for (let i = 0; i < 0x110000; i += 4) {
      const v = rand();
      cpu.ram[i] = v; cpu.ram[i + 1] = v >>> 8; cpu.ram[i + 2] = v >>> 16; cpu.ram[i + 3] = v >>> 24;
    }
    for (let r = 0; r < 8; r++) cpu.setReg(r, rand());
    for (let s = 0; s < 6; s++) cpu.loadSegmentReal(s, rand() & 0xffff);
    cpu.eip = rand() & 0xffff;
    cpu.eflags = rand() & 0x0cd5;
    const guardBefore = state.slice(cpu.offset("TLB_VALID_LIST") + 0x40000, cpu.offset("GUEST_RAM_BASE"));
    for (let chunk = 0; chunk < 50 && executed < target; chunk++) {
      const before = cpu.instructionCount;
      const reason = cpu.run(1000);
      executed += Math.max(1, cpu.instructionCount - before);
      if (reason === 3 /* shutdown */) break;
      if (reason === 1 /* halted */) cpu.eip = rand() & 0xffff; // go on elsewhere
    }
    // The unused gap between the TLB's bookkeeping and guest RAM must stay untouched.
    const guardAfter = state.slice(cpu.offset("TLB_VALID_LIST") + 0x40000, cpu.offset("GUEST_RAM_BASE"));
    assert.deepEqual(guardAfter, guardBefore, `round ${rounds}: memory outside guest RAM changed`);
  }
  assert.ok(executed >= target);
});
