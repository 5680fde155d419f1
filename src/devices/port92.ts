// System Control Port A (port 0x92): "fast A20" and "fast reset".
//
// Source: IBM Personal System/2 Hardware Interface Technical Reference, "System Control Port A
// (Hex 0092)": bit 0 alternate hot reset (writing 1 resets the processor), bit 1 alternate
// gate A20 (1 = A20 enabled), bit 3 CMOS security lock, bits 6-7 fixed disk activity light.
// The other bits are kept and read back.
//
// The chipset ORs this A20 gate with the 8042's output-port gate (see i8042.ts): `onA20`
// reports only this port's bit, and the machine combines the two.

import type { Device, DeviceState, PortBus, PortSize } from "../machine/device.ts";

const PORT = 0x92;
const FAST_RESET = 0x01;
const FAST_A20 = 0x02;

export class Port92 implements Device {
  readonly name = "System Control Port A (0x92)";
  /** Called when the guest changes bit 1 (fast A20 gate). */
  onA20: (enabled: boolean) => void = () => {};
  /** Called when the guest sets bit 0 (fast reset). */
  onReset: () => void = () => {};

  private value = 0;

  attach(bus: PortBus): void {
    bus.register(this, PORT, 1, (_p, size) => this.widen(this.read(), size), (_p, v) => this.write(v & 0xff));
  }

  private widen(byte: number, size: PortSize): number {
    return size === 1 ? byte : size === 2 ? 0xff00 | byte : (0xffffff00 | byte) >>> 0;
  }

  reset(): void {
    this.value = 0;
  }

  /** This port's A20 gate. */
  get a20(): boolean {
    return (this.value & FAST_A20) !== 0;
  }

  read(): number {
    return this.value;
  }

  write(value: number): void {
    const old = this.value;
    // Bit 0 resets on its 0 -> 1 transition; it is then cleared here so that the next write of 1
    // resets again (the CPU restarts; nothing is left to hold in reset).
    this.value = value & ~FAST_RESET;
    if ((value ^ old) & FAST_A20) this.onA20((value & FAST_A20) !== 0);
    if (value & FAST_RESET && !(old & FAST_RESET)) this.onReset();
  }

  saveState(): DeviceState {
    return { value: this.value };
  }

  loadState(state: DeviceState): void {
    this.value = Number(state.value) & 0xff;
  }
}
