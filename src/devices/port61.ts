// Port 0x61, the PC/AT's "system control port B" (an 8-bit latch and buffer on the
// motherboard, not a chip of its own): PIT counter 2's gate, the speaker, the refresh toggle.
//
// Reference: IBM Personal Computer AT Technical Reference (1984), "System Board", I/O port 061h
// (also the OSDev wiki, "PC Speaker" and "Programmable Interval Timer"). Intel 8254 datasheet
// (order no. 231164) for GATE and OUT.
//
//   write: bit 0 = counter 2 GATE, bit 1 = speaker data enable (ANDed with OUT2),
//          bit 2 = RAM parity check disable, bit 3 = I/O channel check disable
//   read:  bits 0-3 as written, bit 4 = refresh request toggle, bit 5 = counter 2 OUT,
//          bit 6 = I/O channel check, bit 7 = RAM parity error (never raised here)
//
// The refresh toggle flips on every DRAM refresh request, which the BIOS programs PIT counter 1
// to make every 18 PIT clocks (15.085 us); here it is derived from guest time at that rate, so
// delay loops that count its edges take the right guest time whatever counter 1 is set to.

import type { Device, DeviceState, PortBus, PortSize } from "../machine/device.ts";
import { pitTicks, type PitCounter2Pins } from "./pit8254.ts";

/** PIT clocks per refresh request (counter 1, mode 2, count 18 as the AT BIOS sets it). */
export const REFRESH_PIT_CLOCKS = 18;

export class Port61 implements Device {
  readonly name = "port 0x61 (system control B)";
  /** Bits 0-3 as last written. */
  private control = 0;

  /**
   * @param pit counter 2's GATE and OUT
   * @param clock the current guest time in ns (for the refresh toggle)
   */
  constructor(private readonly pit: PitCounter2Pins, private readonly clock: () => number) {}

  /** Speaker data enable (bit 1): the speaker sounds OUT2 while this is set. */
  get speakerEnabled(): boolean { return (this.control & 2) !== 0; }
  /** The level on the speaker: OUT2 AND bit 1. */
  speakerLevel(): boolean { return this.speakerEnabled && this.pit.out2(); }

  reset(): void {
    this.write(0);
  }

  read(): number {
    const refresh = Math.floor(pitTicks(this.clock()) / REFRESH_PIT_CLOCKS) & 1;
    return this.control | (refresh << 4) | (this.pit.out2() ? 0x20 : 0);
  }

  write(value: number): void {
    this.control = value & 0x0f;
    this.pit.setGate2((value & 1) !== 0);
  }

  /** Claim port 0x61. */
  attach(bus: PortBus): void {
    bus.register(this, 0x61, 1,
      (port, size: PortSize) => {
        let v = this.read();
        for (let i = 1; i < size; i++) v |= bus.read(port + i, 1) << (8 * i);
        return v >>> 0;
      },
      (port, value, size: PortSize) => {
        this.write(value & 0xff);
        for (let i = 1; i < size; i++) bus.write(port + i, (value >>> (8 * i)) & 0xff, 1);
      });
  }

  saveState(): DeviceState {
    return { control: this.control };
  }

  loadState(state: DeviceState): void {
    this.control = state.control as number;
  }
}
