// Random instruction streams from random register states: the core must only ever raise
// guest exceptions, never crash the host, and never write outside guest RAM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Cpu } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));

/** xorshift32: deterministic, so a failure can be replayed from its seed. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** Memory the guest must never change: everything in the wasm memory but guest RAM and the CPU state. */
function guardedRegions(cpu) {
  const mem = new Uint8Array(cpu.memory.buffer);
  const ramEnd = cpu.offset("GUEST_RAM_BASE") + cpu.ramBytes;
  return [
    [cpu.offset("TLB_VALID_LIST") + 0x40000, cpu.offset("GUEST_RAM_BASE")],
    [ramEnd, mem.length],
  ].map(([a, b]) => ({ a, b, bytes: mem.slice(a, b) }));
}
function assertGuarded(cpu, regions, where) {
  const mem = new Uint8Array(cpu.memory.buffer);
  for (const r of regions) {
    const now = mem.subarray(r.a, r.b);
    for (let i = 0; i < now.length; i++) {
      if (now[i] !== r.bytes[i]) assert.fail(`${where}: wasm byte 0x${(r.a + i).toString(16)} outside guest RAM changed`);
    }
  }
}

function fillRandom(ram, from, to, rand) {
  for (let i = from; i < to; i += 4) {
    const v = rand();
    ram[i] = v; ram[i + 1] = v >>> 8; ram[i + 2] = v >>> 16; ram[i + 3] = v >>> 24;
  }
}

test("a million random real-mode instructions raise only guest exceptions", async () => {
  const cpu = await Cpu.create({ ramBytes: 2 << 20, romBytes: 65536 });
  cpu.io = { in: () => 0xffffffff, out: () => {} };
  const guard = guardedRegions(cpu);
  const rand = rng(0x1234567);
  let executed = 0, rounds = 0;
  while (executed < 1_000_000) {
    rounds++;
    cpu.reset();
    // Random bytes over the first MiB plus the HMA: code, data, the IVT, everything.
    fillRandom(cpu.ram, 0, 0x110000, rand);
    for (let r = 0; r < 8; r++) cpu.setReg(r, rand());
    for (let s = 0; s < 6; s++) cpu.loadSegmentReal(s, rand() & 0xffff);
    cpu.eip = rand() & 0xffff;
    cpu.eflags = rand() & 0x0cd5;
    for (let chunk = 0; chunk < 50 && executed < 1_000_000; chunk++) {
      const before = cpu.instructionCount;
      const reason = cpu.run(1000);
      executed += Math.max(1, cpu.instructionCount - before);
      if (reason === 3 /* shutdown */) break;
      if (reason === 1 /* halted */) { cpu.eip = rand() & 0xffff; cpu.halted = false; }
    }
    assertGuarded(cpu, guard, `real mode round ${rounds}`);
  }
});

test("a million random instructions in protected mode with paging raise only guest exceptions", async (t) => {
  let stub;
  try {
    const dir = mkdtempSync(join(tmpdir(), "emu-fuzz-"));
    execFileSync("nasm", ["-f", "bin", "-o", join(dir, "stub.bin"), join(here, "fuzz-pm-stub.asm")]);
    stub = readFileSync(join(dir, "stub.bin"));
  } catch {
    t.skip("nasm is needed to assemble test/fuzz-pm-stub.asm");
    return;
  }
  const ramBytes = 2 << 20;
  const cpu = await Cpu.create({ ramBytes, romBytes: 65536 });
  cpu.io = { in: () => 0xffffffff, out: () => {} };
  const guard = guardedRegions(cpu);
  const rand = rng(0x7654321);
  const w32 = (a, v) => { cpu.ram[a] = v; cpu.ram[a + 1] = v >>> 8; cpu.ram[a + 2] = v >>> 16; cpu.ram[a + 3] = v >>> 24; };
  let executed = 0, rounds = 0, shutdowns = 0;
  const exceptionsBefore = cpu.stat("ST_EXCEPTIONS", 14);
  while (executed < 1_000_000) {
    rounds++;
    cpu.reset();
    fillRandom(cpu.ram, 0, ramBytes, rand);
    cpu.ram.set(stub, 0x7c00);
    // IDT at 0x2000: 32-bit interrupt or trap gates, DPL 3, into random code (ring 0 CS).
    for (let v = 0; v < 256; v++) {
      const target = 0x100000 + (rand() & 0xfffff);
      const type = rand() & 1 ? 0x8e00 : 0x8f00;
      w32(0x2000 + v * 8, (0x08 << 16) | (target & 0xffff));
      w32(0x2000 + v * 8 + 4, (target & 0xffff0000) | type | 0x6000);
    }
    // TSS at 0x3000: ring-0 stack for interrupts from ring 3; no I/O bitmap.
    w32(0x3004, 0x8f000); w32(0x3008, 0x10);
    cpu.ram[0x3066] = 0x68; cpu.ram[0x3067] = 0; // I/O map base beyond the limit: no bitmap
    // Page directory at 0x10000: 4 MiB identity via one page table at 0x11000 with random bits:
    // most pages present, writable and user, some not (faults are what we want to exercise).
    w32(0x10000, 0x11000 | 0x7);
    for (let i = 1; i < 1024; i++) w32(0x10000 + i * 4, rand() & 0x1 ? (rand() & 0xfffff000) | (rand() & 0x1e7) : 0);
    for (let p = 0; p < 1024; p++) {
      const low = p < 0x20 ? 0x7 : (rand() & 7) === 0 ? rand() & 0x6 : 0x7 | (rand() & 0x60);
      w32(0x11000 + p * 4, (p << 12) | low);
    }
    cpu.loadSegmentReal(1, 0);
    cpu.eip = 0x7c00;
    const r0 = cpu.run(200);
    assert.equal(r0, 1, "the stub should reach its HLT in protected mode");
    assert.equal((cpu.cr0 & 0x80000001) >>> 0, 0x80000001);
    for (let r = 0; r < 8; r++) if (r !== 4) cpu.setReg(r, rand());
    cpu.eip = 0x100000 + (rand() & 0xfffff);
    cpu.eflags = 0x2 | (rand() & 0x0cd5);
    cpu.halted = false;
    for (let chunk = 0; chunk < 50 && executed < 1_000_000; chunk++) {
      const before = cpu.instructionCount;
      const reason = cpu.run(1000);
      executed += Math.max(1, cpu.instructionCount - before);
      if (reason === 3) { shutdowns++; break; }
      if (reason === 1) { cpu.eip = 0x100000 + (rand() & 0xfffff); cpu.halted = false; }
    }
    assertGuarded(cpu, guard, `protected mode round ${rounds}`);
  }
  t.diagnostic(`${rounds} rounds, ${shutdowns} triple faults; #PF ${cpu.stat("ST_EXCEPTIONS", 14)}, #GP ${cpu.stat("ST_EXCEPTIONS", 13)}, #UD ${cpu.stat("ST_EXCEPTIONS", 6)}, #DF ${cpu.stat("ST_EXCEPTIONS", 8)} in the last round's counters`);
  // The run must have exercised paging faults, not just fallen over at once every time.
  assert.ok(cpu.stat("ST_EXCEPTIONS", 14) > exceptionsBefore, "no page fault was ever raised");
  assert.ok(shutdowns < rounds, "every round ended in a triple fault");
});
