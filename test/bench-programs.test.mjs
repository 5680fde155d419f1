// The benchmark programs of `npm run bench` (benchmarks/guest/) are right, without timing anything:
// under emu each loop executes exactly the instruction count the harness divides by for MIPS,
// and every loop's checksum from emu equals QEMU's and the native host run's (small iteration
// counts; the full-length ones differ only in the counts the assembler is given).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { plan, buildDisk, buildNative, BenchOutput, LOOPS } from "../benchmarks/lib/programs.mjs";
import { PEERS } from "../benchmarks/lib/peers.mjs";
import { watchChild } from "../benchmarks/lib/child.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { PC, MemoryBlockDevice } = await import(join(root, "dist", "index.js"));

const hasNasm = spawnSync("nasm", ["-v"]).status === 0;
const qemu = PEERS.find((p) => p.name === "qemu");
const native = PEERS.find((p) => p.name === "native");
/** Small counts (the loops' shapes are what matters); two sizes so a count that is off per iteration shows. */
const SMALL = plan({ counts: { alu: 5000, mem: 4000, call: 3000, movs: 7, tlb: 3 } });
const SMALLER = plan({ counts: { alu: 1234, mem: 999, call: 777, movs: 2, tlb: 1 } });

/** Boot the disk on emu's built-in BIOS; the instruction counter at each '[' and ']', and the checksums. */
async function runOnEmu(items) {
  const disk = new MemoryBlockDevice(new Uint8Array(readFileSync(buildDisk(items))), { readOnly: true });
  const counts = {};
  let pc;
  const out = new BenchOutput((name, which) => { (counts[name] ??= {})[which] = pc.cpu.instructionCount; });
  pc = await PC.create({
    memoryMiB: 128,
    bios: new Uint8Array(readFileSync(join(root, "dist", "bios.bin"))),
    disks: { hda: disk },
    serial: { write: (b) => out.push([b]) },
  });
  const stop = await pc.run({ until: () => out.done });
  assert.ok(out.done, `the program did not finish (${stop.kind}): ${JSON.stringify(out.text.slice(-200))}`);
  return { counts, checksums: out.checksums, order: out.order };
}

/** Run a peer's command to the END line; its checksums. */
async function runPeer(peer, items) {
  const [cmd, args] = peer.loops(items, 128);
  const out = new BenchOutput();
  await watchChild(cmd, args, { label: peer.name, timeoutS: 120, onBytes: (b) => { out.push(b); return out.done; } });
  return out.checksums;
}

const emuRuns = hasNasm ? { small: await runOnEmu(SMALL), smaller: await runOnEmu(SMALLER) } : undefined;

test("each benchmark loop executes exactly the instruction count the harness uses for MIPS (emu's counter, two sizes)", { skip: !hasNasm && "nasm is not installed" }, () => {
  for (const [size, items] of [["small", SMALL], ["smaller", SMALLER]]) {
    const run = emuRuns[size];
    assert.deepEqual(run.order, LOOPS.map((l) => l.name), "every loop ran, in order");
    for (const { loop, n, instructions } of items) {
      const c = run.counts[loop.name];
      assert.equal(c.end - c.start, instructions, `${loop.name} with ${n} iterations: instructions from after '[' to the ']' OUT`);
    }
  }
});

test("the loops' results depend on their iteration counts (a checksum is not a constant)", { skip: !hasNasm && "nasm is not installed" }, () => {
  for (const { loop } of SMALL) assert.notEqual(emuRuns.small.checksums[loop.name], emuRuns.smaller.checksums[loop.name], loop.name);
});

test("every loop's checksum from emu equals QEMU's (the same disk through SeaBIOS)", { skip: (!hasNasm && "nasm is not installed") || qemu.missing() }, async () => {
  assert.deepEqual(await runPeer(qemu, SMALL), emuRuns.small.checksums);
});

test("every loop's checksum from emu equals the host's, running the same loop bodies natively", { skip: (!hasNasm && "nasm is not installed") || native.missing() }, async () => {
  assert.deepEqual(await runPeer(native, SMALL), emuRuns.small.checksums);
});

test("the full-length program assembles, fits the loader's one INT 13h call, and names every loop", { skip: !hasNasm && "nasm is not installed" }, () => {
  const image = readFileSync(buildDisk(plan()));
  assert.equal(image.length, 1 << 20);
  assert.equal(image.readUInt16LE(510), 0xaa55);
  let last = image.length - 1;
  while (image[last] === 0) last--;
  assert.ok(last < 127 * 512, `the program is ${last + 1} bytes: more than the 127 sectors one EDD read may move`);
  for (const l of LOOPS) assert.ok(image.includes(Buffer.from(`BENCH ${l.name} `)), l.name);
  assert.ok(buildNative(plan()));
});
