// Port I/O: IN, OUT (INS/OUTS are in string.ts). Ports are handled by the host's I/O bus.

import { reg16, reg32, setReg8, setReg16, setReg32, EAX, EDX, cr0, CR0_PE, flagsRaw, VM } from "../state";
import { S_CPL, S_TR_BASE, S_TR_LIMIT, ST_PORT_IN, ST_PORT_OUT } from "../layout";
import { fetch8 } from "../memory";
import { ioBreakpoints, checkIoAccess } from "../debug";
import { raiseGeneralProtection } from "../faults";
import { readLin8, readLin16 } from "../memory";

@external("env", "portIn") declare function hostPortIn(port: u32, size: u32): u32;
@external("env", "portOut") declare function hostPortOut(port: u32, size: u32, value: u32): void;

export function portRead(port: u32, bytes: u32): u32 {
  store<u32>(ST_PORT_IN, load<u32>(ST_PORT_IN) + 1);
  if (ioBreakpoints != 0) checkIoAccess(port, bytes);
  const v = hostPortIn(port, bytes);
  return bytes == 4 ? v : v & ((<u32>1 << (bytes << 3)) - 1);
}
export function portWrite(port: u32, bytes: u32, v: u32): void {
  store<u32>(ST_PORT_OUT, load<u32>(ST_PORT_OUT) + 1);
  if (ioBreakpoints != 0) checkIoAccess(port, bytes);
  hostPortOut(port, bytes, bytes == 4 ? v : v & ((<u32>1 << (bytes << 3)) - 1));
}

/**
 * I/O permission (SDM vol. 1, 19.5): in protected mode with CPL > IOPL, and always in
 * virtual-8086 mode, every port of the access must be allowed by the TSS I/O bitmap.
 */
export function checkIoPermission(port: u32, bytes: u32): void {
  if ((cr0() & CR0_PE) == 0) return;
  const f = flagsRaw();
  if ((f & VM) == 0 && load<u32>(S_CPL) <= ((f >> 12) & 3)) return;
  const trBase = load<u32>(S_TR_BASE), trLimit = load<u32>(S_TR_LIMIT);
  if (trLimit < 0x67) { raiseGeneralProtection(0); return; }
  const bitmap = readLin16(trBase + 0x66);
  const byteOff = bitmap + (port >> 3);
  if (byteOff + 1 > trLimit) { raiseGeneralProtection(0); return; }
  const bits = readLin8(trBase + byteOff) | (readLin8(trBase + byteOff + 1) << 8);
  const mask = ((<u32>1 << bytes) - 1) << (port & 7);
  if ((bits & mask) != 0) raiseGeneralProtection(0);
}

export function inImm(bytes: u32): void { const port = fetch8(); doIn(port, bytes); }
export function inDX(bytes: u32): void { doIn(reg16(EDX), bytes); }
export function outImm(bytes: u32): void { const port = fetch8(); doOut(port, bytes); }
export function outDX(bytes: u32): void { doOut(reg16(EDX), bytes); }

function doIn(port: u32, bytes: u32): void {
  checkIoPermission(port, bytes);
  const v = portRead(port, bytes);
  if (bytes == 1) setReg8(EAX, v); else if (bytes == 2) setReg16(EAX, v); else setReg32(EAX, v);
}
function doOut(port: u32, bytes: u32): void {
  checkIoPermission(port, bytes);
  portWrite(port, bytes, reg32(EAX));
}

