// x87 transcendental accuracy: F2XM1 FYL2X FYL2XP1 FPATAN FSIN FCOS FPTAN on random inputs over
// each instruction's documented range, measured in ulps of the 80-bit result against exact values
// (test/fpu-ulp-vectors.json, 192-bit significands from mpmath; tools/gen-fpu-tests.py).
// The SDM (vol. 1, 8.3.10) promises less than 1 ulp; the core aims at the correctly rounded value.
// The ROMs (test-roms/fpu*.asm) cover everything else; this file is the statistical part.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Cpu } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(join(here, "fpu-ulp-vectors.json"), "utf8"));
const arithCases = JSON.parse(readFileSync(join(here, "fpu-arith-vectors.json"), "utf8"));

const CS = 1;
const X = 0x2000, Y = 0x200a, RES = 0x2010, SW = 0x2020, CW = 0x2030, RES2 = 0x2040;
const RES3 = 0x2050;
const ARITH_OPS = {
  add: [0xde, 0xc1], sub: [0xde, 0xe9], mul: [0xde, 0xc9], div: [0xde, 0xf9], sqrt: [0xd9, 0xfa], frndint: [0xd9, 0xfc],
  fst32: [0xd9, 0x16, RES3 & 0xff, RES3 >> 8], fst64: [0xdd, 0x16, RES3 & 0xff, RES3 >> 8], fist64: [0xdf, 0x3e, RES3 & 0xff, RES3 >> 8],
};
const OPS = { f2xm1: [0xd9, 0xf0], fyl2x: [0xd9, 0xf1], fptan: [0xd9, 0xf2], fpatan: [0xd9, 0xf3], fyl2xp1: [0xd9, 0xf9], fsin: [0xd9, 0xfe], fcos: [0xd9, 0xff] };

function program(op) {
  return Uint8Array.from([
    0xdb, 0xe3, // fninit
    0xd9, 0x2e, CW & 0xff, CW >> 8, // fldcw [CW]
    0xdb, 0x2e, Y & 0xff, Y >> 8, // fld tword [Y]
    0xdb, 0x2e, X & 0xff, X >> 8, // fld tword [X]
    ...op,
    0xdd, 0x3e, SW & 0xff, SW >> 8, // fnstsw [SW]
    0xdb, 0x3e, RES & 0xff, RES >> 8, // fstp tword [RES]
    0xdb, 0x3e, RES2 & 0xff, RES2 >> 8, // fstp tword [RES2]
    0xf4, // hlt
  ]);
}

function putExt(cpu, addr, hex) {
  // "sssseeee...": 4 hex digits sign/exponent, 16 hex digits significand
  const se = parseInt(hex.slice(0, 4), 16);
  const sig = BigInt("0x" + hex.slice(4));
  const b = new Uint8Array(10);
  for (let i = 0; i < 8; i++) b[i] = Number((sig >> BigInt(8 * i)) & 0xffn);
  b[8] = se & 0xff;
  b[9] = se >> 8;
  cpu.writePhysBytes(addr, b);
}
function getExt(cpu, addr) {
  let sig = 0n;
  for (let i = 7; i >= 0; i--) sig = (sig << 8n) | BigInt(cpu.readPhys8(addr + i));
  return { se: cpu.readPhys8(addr + 8) | (cpu.readPhys8(addr + 9) << 8), sig };
}

/** |got - exact| in ulps of got (normal results), as a Number. */
function ulpError(got, exact) {
  const [sgn, e, mhex] = exact;
  const M = BigInt("0x" + mhex);
  const Eg = got.se & 0x7fff;
  if ((got.se >> 15) !== sgn && got.sig !== 0n) return Infinity;
  // got = sig * 2^(Eg - 16446); exact = M * 2^(e - 191); in units of 2^(Eg - 16446)
  const s = e - 191 - (Eg - 16446);
  const F = 40n; // fractional bits kept
  let diff;
  if (s >= 0) diff = (got.sig << F) - (M << (BigInt(s) + F));
  else diff = (got.sig << F) - ((M << F) >> BigInt(-s));
  if (diff < 0n) diff = -diff;
  return Number(diff) / 2 ** 40;
}

test("x87 transcendentals are within 1 ulp of the exact result (and report how many are correctly rounded)", async () => {
  const cpu = await Cpu.create({ ramBytes: 1 << 20 });
  const summary = [];
  for (const [name, list] of Object.entries(vectors)) {
    cpu.writePhysBytes(0x1000, program(OPS[name]));
    cpu.writePhysBytes(CW, Uint8Array.from([0x7f, 0x03]));
    let worst = 0, worstAt = null, rounded = 0;
    for (const [x, y, exact] of list) {
      cpu.reset();
      cpu.loadSegmentReal(CS, 0);
      cpu.eip = 0x1000;
      putExt(cpu, X, x);
      putExt(cpu, Y, y ?? "00000000000000000000");
      cpu.run(100);
      assert.ok(cpu.halted, `${name}(${x}) did not reach HLT`);
      const got = getExt(cpu, name === "fptan" ? RES2 : RES);
      const err = ulpError(got, exact);
      if (err < 0.5) rounded++;
      if (err > worst) { worst = err; worstAt = { x, y, got: got.se.toString(16) + ":" + got.sig.toString(16), exact }; }
    }
    summary.push(`${name}: max ${worst.toFixed(4)} ulp, ${rounded}/${list.length} correctly rounded`);
    assert.ok(worst < 1, `${name}: error ${worst} ulp at ${JSON.stringify(worstAt)}`);
  }
  console.log("# " + summary.join("\n# "));
});

test("x87 FADD FSUB FMUL FDIV FSQRT FRNDINT FST m32/m64 FISTP m64 match the exact rational model bit for bit (random RC, PC, operands over the whole range)", async () => {
  const cpu = await Cpu.create({ ramBytes: 1 << 20 });
  const progs = Object.fromEntries(Object.entries(ARITH_OPS).map(([k, op]) => [k, program(op)]));
  const bad = [];
  for (const [op, rc, pc, y, x, want, wantFlags] of arithCases) {
    cpu.writePhysBytes(0x1000, progs[op]);
    const cw = 0x7f | (rc << 10) | ({ 24: 0, 53: 2, 64: 3 }[pc] << 8);
    cpu.writePhysBytes(CW, Uint8Array.from([cw & 0xff, cw >> 8]));
    cpu.reset();
    cpu.loadSegmentReal(CS, 0);
    cpu.eip = 0x1000;
    putExt(cpu, X, x);
    putExt(cpu, Y, y);
    cpu.run(100);
    let got = getExt(cpu, RES);
    if (op.startsWith("fst") || op === "fist64") {
      // the memory result, read as a little-endian integer of its size
      const n = op === "fst32" ? 4 : 8;
      let v = 0n;
      for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(cpu.readPhys8(RES3 + i));
      got = { se: 0, sig: v };
    }
    const gotHex = got.se.toString(16).padStart(4, "0") + got.sig.toString(16).padStart(16, "0");
    const sw = cpu.readPhys8(SW) | (cpu.readPhys8(SW + 1) << 8);
    if (gotHex !== want || (sw & 0x23f) !== wantFlags) bad.push({ op, rc, pc, y, x, want, wantFlags: wantFlags.toString(16), got: gotHex, sw: sw.toString(16) });
  }
  assert.equal(bad.length, 0, `${bad.length} of ${arithCases.length} differ, e.g. ${JSON.stringify(bad.slice(0, 5))}`);
});
