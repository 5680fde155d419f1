// Motorola MC146818A real-time clock with CMOS RAM at ports 0x70 (index) and 0x71 (data), with
// the PC/AT's 128-byte extension of the RAM and IRQ8.
//
// Datasheet: Motorola MC146818A Real-Time Clock plus RAM (RTC), sections "Address Map",
// "Time, Calendar and Alarm Locations" (Table 3: binary and BCD data modes, 12/24-hour),
// "Update Cycle" (UIP, tBUC = 244 us, tUC = 1984 us at 32.768 kHz), "Interrupts" (periodic,
// alarm with "don't care" codes 0xC0-0xFF, update-ended), "Divider Stages", "Square-Wave
// Output Selection" (Table 5: rate select) and "Registers" A-D. The DS12887 datasheet (Dallas)
// states the same behaviour for the PC-compatible part (only divider pattern 010 runs the clock;
// "the SET bit going high clears UIE").
// PC/AT use: IBM Personal Computer AT Technical Reference, "CMOS RAM Address Map" (port 0x70 bit 7
// masks NMI; bytes 0x10-0x2D are covered by the checksum at 0x2E-0x2F, high byte first).
//
// Time: nothing runs per second. The time registers are the clock's state, exactly as the chip
// holds them; guest time is counted in cycles of the 32.768 kHz time base and, whenever the
// registers are touched, the update cycles since the last visit are applied (many at once by
// calendar arithmetic). Update cycles end on the divider's one-second boundaries; at power-on the
// divider starts at guest time 0, so the first update ends at exactly 1 s.
//
// Not modelled: daylight saving (DSE is stored but never acts), the square-wave output pin.

import type { Device, DeviceState, IrqLine, PortBus, PortSize } from "../machine/device.ts";

/** The time base crystal in Hz. */
export const RTC_HZ = 32768;

/** Cycles of the 32.768 kHz time base by guest time `ns` (exact integer arithmetic). */
export function rtcCycles(ns: number): number {
  const n = Math.max(0, Math.floor(ns));
  const sec = Math.floor(n / 1e9);
  return sec * RTC_HZ + Math.floor(((n - sec * 1e9) * RTC_HZ) / 1e9);
}

/** The first guest time (ns) at which cycle `cycle` has happened. 1e9 / 32768 is exact in binary. */
export function rtcCycleTime(cycle: number): number {
  if (!Number.isFinite(cycle)) return Infinity;
  const sec = Math.floor(cycle / RTC_HZ);
  return sec * 1e9 + Math.ceil((cycle - sec * RTC_HZ) * (1e9 / RTC_HZ));
}

/** CMOS locations the PC BIOS reads (IBM AT Technical Reference; 0x30-0x35 by convention). */
export const CMOS = {
  FLOPPY_TYPES: 0x10,
  EQUIPMENT: 0x14,
  BASE_MEMORY_KB_LOW: 0x15,
  BASE_MEMORY_KB_HIGH: 0x16,
  EXTENDED_MEMORY_KB_LOW: 0x17,
  EXTENDED_MEMORY_KB_HIGH: 0x18,
  CHECKSUM_HIGH: 0x2e,
  CHECKSUM_LOW: 0x2f,
  EXTENDED_MEMORY_KB_LOW_2: 0x30,
  EXTENDED_MEMORY_KB_HIGH_2: 0x31,
  CENTURY: 0x32,
  MEMORY_ABOVE_16M_64K_LOW: 0x34,
  MEMORY_ABOVE_16M_64K_HIGH: 0x35,
} as const;

const SECONDS = 0x00, SECONDS_ALARM = 0x01, MINUTES = 0x02, MINUTES_ALARM = 0x03;
const HOURS = 0x04, HOURS_ALARM = 0x05, DAY_OF_WEEK = 0x06, DAY_OF_MONTH = 0x07;
const MONTH = 0x08, YEAR = 0x09, REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d;

// Register A
const UIP = 0x80;
/** DV2-DV0 = 010: 32.768 kHz time base, divider running. */
const DIVIDER_RUNNING = 0x20;
// Register B
const SET = 0x80, PIE = 0x40, AIE = 0x20, UIE = 0x10, SQWE = 0x08, DM_BINARY = 0x04, HOURS_24 = 0x02;
// Register C
const IRQF = 0x80, PF = 0x40, AF = 0x20, UF = 0x10;
// Register D
const VRT = 0x80;

/** Cycles of the time base per second, and the UIP window before an update ends. */
const CYCLES_PER_SECOND = RTC_HZ;
/** tBUC + tUC = 244 us + 1984 us, as 8 + 65 cycles of 30.5 us. */
const UIP_CYCLES = 8 + 65;
/** Leaving divider reset, the first update comes half a second later. */
const HALF_SECOND = RTC_HZ / 2;
const SECONDS_PER_DAY = 86400;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The default start of the clock: 2026-01-01 00:00:00 UTC, so runs are deterministic. */
export const DEFAULT_RTC_START = new Date(Date.UTC(2026, 0, 1, 0, 0, 0));

/** Number of multiples of `period` (offset by `origin`) in (a, b]. */
function gridPoints(a: number, b: number, origin: number, period: number): number {
  return Math.floor((b - origin) / period) - Math.floor((a - origin) / period);
}

/** The first multiple of `period` (offset by `origin`) after `a`. */
function nextGridPoint(a: number, origin: number, period: number): number {
  return origin + (Math.floor((a - origin) / period) + 1) * period;
}

export class Mc146818 implements Device {
  readonly name = "MC146818 RTC/CMOS";
  /** Registers 0x00-0x0D and the CMOS RAM, as the chip holds them (register C flags without IRQF). */
  private readonly ram = new Uint8Array(128);
  private index = 0;
  private nmiMask = false;
  /** The last 32.768 kHz cycle whose update cycles and interrupts have been applied. */
  private lastCycle = 0;
  /** Cycle at which the divider chain's count was zero: one-second boundaries fall on multiples. */
  private dividerOrigin = 0;
  private irqLevel = false;

  /**
   * @param irq8 the IRQ output (the chip's active-low IRQ pin, as the level the PIC sees)
   * @param clock the current guest time in ns, read on port accesses (ports carry no time)
   * @param start the date and time (UTC fields) the clock holds at guest time 0
   */
  constructor(private readonly irq8: IrqLine, private readonly clock: () => number, start: Date = DEFAULT_RTC_START) {
    this.ram[REG_A] = DIVIDER_RUNNING | 0x06; // 1024 Hz periodic rate, as the AT BIOS sets it
    this.ram[REG_B] = HOURS_24;
    this.ram[REG_D] = VRT;
    this.setDate(start);
    this.lastCycle = rtcCycles(clock());
    this.dividerOrigin = this.lastCycle;
  }

  /** Port 0x70 bit 7: NMI disabled while set. */
  get nmiMasked(): boolean { return this.nmiMask; }

  /** Load the time registers from `date`'s UTC fields in the current data mode, and the century. */
  setDate(date: Date): void {
    const hours = date.getUTCHours();
    this.ram[SECONDS] = this.encode(date.getUTCSeconds());
    this.ram[MINUTES] = this.encode(date.getUTCMinutes());
    this.ram[HOURS] = this.encodeHours(hours);
    this.ram[DAY_OF_WEEK] = this.encode(date.getUTCDay() + 1);
    this.ram[DAY_OF_MONTH] = this.encode(date.getUTCDate());
    this.ram[MONTH] = this.encode(date.getUTCMonth() + 1);
    this.ram[YEAR] = this.encode(date.getUTCFullYear() % 100);
    this.ram[CMOS.CENTURY] = toBcd(Math.floor(date.getUTCFullYear() / 100) % 100);
  }

  /**
   * The machine fills in the configuration bytes (memory sizes, equipment, floppy types, ...);
   * a byte inside 0x10-0x2D also updates the checksum at 0x2E (high) / 0x2F (low) as the BIOS
   * would. The guest's own writes through port 0x71 leave the checksum alone, as on the chip.
   */
  setNvram(index: number, value: number): void {
    if (!Number.isInteger(index) || index < 0x0e || index > 0x7f) throw new RangeError(`CMOS index 0x${index.toString(16)} is not RAM`);
    this.ram[index] = value;
    if (index >= 0x10 && index <= 0x2d) {
      let sum = 0;
      for (let i = 0x10; i <= 0x2d; i++) sum += this.ram[i];
      this.ram[CMOS.CHECKSUM_HIGH] = (sum >> 8) & 0xff;
      this.ram[CMOS.CHECKSUM_LOW] = sum & 0xff;
    }
  }

  /** A CMOS byte as stored (for the machine and tests; the guest uses the ports). */
  nvram(index: number): number { return this.ram[index & 0x7f]; }

  /**
   * The RESET pin (datasheet "RESET"): clears PIE, AIE, UIE, SQWE and the interrupt flags;
   * time, calendar, RAM and the divider are untouched.
   */
  reset(): void {
    this.sync(this.clock());
    this.ram[REG_B] &= ~(PIE | AIE | UIE | SQWE);
    this.ram[REG_C] = 0;
    this.updateIrq();
  }

  // ---- data formats ----------------------------------------------------------------------

  private get binary(): boolean { return (this.ram[REG_B] & DM_BINARY) !== 0; }
  private get hours24(): boolean { return (this.ram[REG_B] & HOURS_24) !== 0; }
  private encode(v: number): number { return this.binary ? v : toBcd(v); }
  private decode(b: number): number { return this.binary ? b : ((b >> 4) & 15) * 10 + (b & 15); }
  /** 0-23 to the hours byte: in 12-hour mode 1-12 with bit 7 = PM. */
  private encodeHours(h: number): number {
    if (this.hours24) return this.encode(h);
    return this.encode(h % 12 === 0 ? 12 : h % 12) | (h >= 12 ? 0x80 : 0);
  }

  /** Hours, minutes and seconds hold values the update logic can count from. */
  private timeOfDayValid(): boolean {
    const hoursByte = this.ram[HOURS];
    const valid = (v: number, lo: number, hi: number) => v >= lo && v <= hi;
    const hoursOk = this.hours24
      ? valid(this.decode(hoursByte), 0, 23)
      : (hoursByte & 0x60) === 0 && valid(this.decode(hoursByte & 0x7f), 1, 12);
    return valid(this.decode(this.ram[SECONDS]), 0, 59) && valid(this.decode(this.ram[MINUTES]), 0, 59) && hoursOk;
  }

  private secondsOfDay(): number {
    const hoursByte = this.ram[HOURS];
    const h = this.hours24 ? this.decode(hoursByte) : (this.decode(hoursByte & 0x7f) % 12) + (hoursByte & 0x80 ? 12 : 0);
    return h * 3600 + this.decode(this.ram[MINUTES]) * 60 + this.decode(this.ram[SECONDS]);
  }

  private setSecondsOfDay(s: number): void {
    this.ram[SECONDS] = this.encode(s % 60);
    this.ram[MINUTES] = this.encode(Math.floor(s / 60) % 60);
    this.ram[HOURS] = this.encodeHours(Math.floor(s / 3600));
  }

  // ---- the update cycle ------------------------------------------------------------------

  /** One update cycle's increment, counter by counter with carries (works from any contents). */
  private stepSecond(): void {
    const bump = (reg: number, max: number): boolean => {
      const v = this.decode(this.ram[reg]) + 1;
      this.ram[reg] = this.encode(v > max ? 0 : v);
      return v > max;
    };
    if (!bump(SECONDS, 59) || !bump(MINUTES, 59)) return;
    let nextDay: boolean;
    if (this.hours24) {
      nextDay = bump(HOURS, 23);
    } else {
      const pm = this.ram[HOURS] & 0x80;
      const h = this.decode(this.ram[HOURS] & 0x7f);
      // 11 -> 12 flips AM/PM (12 PM is noon, 12 AM the next day); 12 -> 1 keeps it.
      if (h === 11) {
        this.ram[HOURS] = this.encode(12) | (pm ^ 0x80);
        nextDay = pm !== 0;
      } else {
        this.ram[HOURS] = this.encode(h >= 12 ? 1 : h + 1) | pm;
        nextDay = false;
      }
    }
    if (nextDay) this.stepDay();
  }

  /** Midnight: day of week, date, month and year, with the chip's leap rule (year % 4 == 0). */
  private stepDay(): void {
    const dow = this.decode(this.ram[DAY_OF_WEEK]) + 1;
    this.ram[DAY_OF_WEEK] = this.encode(dow > 7 ? 1 : dow);
    const month = this.decode(this.ram[MONTH]);
    const year = this.decode(this.ram[YEAR]);
    const days = month >= 1 && month <= 12 ? DAYS_IN_MONTH[month - 1] + (month === 2 && year % 4 === 0 ? 1 : 0) : 31;
    const date = this.decode(this.ram[DAY_OF_MONTH]) + 1;
    if (date <= days) {
      this.ram[DAY_OF_MONTH] = this.encode(date);
      return;
    }
    this.ram[DAY_OF_MONTH] = this.encode(1);
    if (month + 1 <= 12) {
      this.ram[MONTH] = this.encode(month + 1);
      return;
    }
    this.ram[MONTH] = this.encode(1);
    this.ram[YEAR] = this.encode(year + 1 > 99 ? 0 : year + 1);
  }

  /** The alarm bytes match the time bytes now (0xC0-0xFF in an alarm byte matches anything). */
  private alarmMatches(): boolean {
    const match = (alarm: number, time: number) => (alarm & 0xc0) === 0xc0 || alarm === time;
    return match(this.ram[SECONDS_ALARM], this.ram[SECONDS]) &&
      match(this.ram[MINUTES_ALARM], this.ram[MINUTES]) &&
      match(this.ram[HOURS_ALARM], this.ram[HOURS]);
  }

  /** With a valid time of day `s`: the fewest seconds (1 .. 86400) until the alarm matches, or Infinity. */
  private secondsUntilAlarm(s: number): number {
    const dontCare = (b: number) => (b & 0xc0) === 0xc0;
    const hA = this.ram[HOURS_ALARM], mA = this.ram[MINUTES_ALARM], sA = this.ram[SECONDS_ALARM];
    for (let hh = Math.floor(s / 3600); hh < 48; hh++) {
      if (!dontCare(hA) && this.encodeHours(hh % 24) !== hA) continue;
      for (let mm = 0; mm < 60; mm++) {
        const minuteStart = hh * 3600 + mm * 60;
        if (minuteStart + 59 <= s) continue;
        if (!dontCare(mA) && this.encode(mm) !== mA) continue;
        for (let ss = 0; ss < 60; ss++) {
          if (minuteStart + ss <= s) continue;
          if (!dontCare(sA) && this.encode(ss) !== sA) continue;
          return minuteStart + ss - s;
        }
      }
    }
    return Infinity;
  }

  /** Apply `k` update cycles; true if the alarm matched at any of them. */
  private advance(k: number): boolean {
    let alarm = false;
    // Registers holding values out of range are counted one second at a time until they wrap.
    while (k > 0 && !this.timeOfDayValid()) {
      this.stepSecond();
      if (this.alarmMatches()) alarm = true;
      k--;
    }
    if (k === 0) return alarm;
    const s = this.secondsOfDay();
    if (this.secondsUntilAlarm(s) <= k) alarm = true;
    const total = s + k;
    this.setSecondsOfDay(total % SECONDS_PER_DAY);
    for (let d = Math.floor(total / SECONDS_PER_DAY); d > 0; d--) this.stepDay();
    return alarm;
  }

  private get dividerRunning(): boolean { return (this.ram[REG_A] & 0x70) === DIVIDER_RUNNING; }

  /** Periodic interrupt period in time-base cycles (Table 5), or 0 for none. */
  private get periodicCycles(): number {
    const rs = this.ram[REG_A] & 0x0f;
    if (rs === 0) return 0;
    if (rs <= 2) return 64 << rs; // RS 1 and 2 give 256 and 128 Hz with a 32.768 kHz base
    return 1 << (rs - 1);
  }

  /** Apply the update cycles and periodic ticks up to guest time `now`, then drive IRQ8. */
  private sync(now: number): void {
    const c = rtcCycles(now);
    if (c <= this.lastCycle) return;
    const a = this.lastCycle;
    this.lastCycle = c;
    if (!this.dividerRunning) return;
    let flags = 0;
    const period = this.periodicCycles;
    if (period && gridPoints(a, c, this.dividerOrigin, period) > 0) flags |= PF;
    if (!(this.ram[REG_B] & SET)) {
      const updates = gridPoints(a, c, this.dividerOrigin, CYCLES_PER_SECOND);
      if (updates > 0) {
        flags |= UF;
        if (this.advance(updates)) flags |= AF;
      }
    }
    this.ram[REG_C] |= flags;
    this.updateIrq();
  }

  /** IRQF = PF.PIE + AF.AIE + UF.UIE; the IRQ pin follows it until register C is read. */
  private get irqf(): boolean {
    return (this.ram[REG_C] & this.ram[REG_B] & (PF | AF | UF)) !== 0;
  }

  private updateIrq(): void {
    const level = this.irqf;
    if (level === this.irqLevel) return;
    this.irqLevel = level;
    this.irq8.set(level);
  }

  /** UIP: an update cycle is due within 244 us or under way (1984 us), unless SET is on. */
  private updateInProgress(): boolean {
    if (!this.dividerRunning || this.ram[REG_B] & SET) return false;
    const next = nextGridPoint(this.lastCycle, this.dividerOrigin, CYCLES_PER_SECOND);
    return next - this.lastCycle <= UIP_CYCLES;
  }

  /** The guest time (ns) at which IRQ8 would next be raised, or Infinity. */
  nextEvent(_now: number): number {
    if (this.irqf || !this.dividerRunning) return Infinity;
    const b = this.ram[REG_B];
    let next = Infinity;
    const period = this.periodicCycles;
    if (b & PIE && period) next = nextGridPoint(this.lastCycle, this.dividerOrigin, period);
    if (!(b & SET) && b & (UIE | AIE)) {
      const update = nextGridPoint(this.lastCycle, this.dividerOrigin, CYCLES_PER_SECOND);
      if (b & UIE) next = Math.min(next, update);
      if (b & AIE) {
        const wait = this.timeOfDayValid() ? this.secondsUntilAlarm(this.secondsOfDay()) : 1;
        next = Math.min(next, update + (wait - 1) * CYCLES_PER_SECOND);
      }
    }
    return rtcCycleTime(next);
  }

  runUntil(now: number): void {
    this.sync(now);
  }

  // ---- the ports -------------------------------------------------------------------------

  /** Port 0x70: bits 6-0 select the register, bit 7 masks NMI. */
  writeIndex(value: number): void {
    this.index = value & 0x7f;
    this.nmiMask = (value & 0x80) !== 0;
  }

  /** Port 0x71 read. */
  readData(): number {
    this.sync(this.clock());
    const i = this.index;
    switch (i) {
      case REG_A:
        return this.ram[REG_A] | (this.updateInProgress() ? UIP : 0);
      case REG_C: { // reading clears the flags and releases IRQ
        const v = this.ram[REG_C] | (this.irqf ? IRQF : 0);
        this.ram[REG_C] = 0;
        this.updateIrq();
        return v;
      }
      case REG_D:
        return VRT;
      default:
        return this.ram[i];
    }
  }

  /** Port 0x71 write. */
  writeData(value: number): void {
    value &= 0xff;
    const now = this.clock();
    this.sync(now);
    switch (this.index) {
      case REG_A: {
        const wasRunning = this.dividerRunning;
        this.ram[REG_A] = value & 0x7f;
        // Leaving reset (or a stopped oscillator), the first update comes 500 ms later.
        if (this.dividerRunning && !wasRunning) this.dividerOrigin = this.lastCycle + HALF_SECOND - CYCLES_PER_SECOND;
        break;
      }
      case REG_B:
        // Setting SET aborts updates and clears UIE (DS12887: "the SET bit going high clears UIE").
        this.ram[REG_B] = value & SET ? value & ~UIE : value;
        break;
      case REG_C:
      case REG_D:
        break; // read-only
      default:
        this.ram[this.index] = value;
    }
    this.updateIrq();
  }

  /** Claim ports 0x70-0x71. Port 0x70 is write-only (reads float). */
  attach(bus: PortBus): void {
    bus.register(this, 0x70, 2,
      (port, size: PortSize) => {
        let v = port === 0x70 ? 0xff : this.readData();
        for (let i = 1; i < size; i++) v |= bus.read(port + i, 1) << (8 * i);
        return v >>> 0;
      },
      (port, value, size: PortSize) => {
        if (port === 0x70) this.writeIndex(value & 0xff);
        else this.writeData(value & 0xff);
        for (let i = 1; i < size; i++) bus.write(port + i, (value >>> (8 * i)) & 0xff, 1);
      });
  }

  saveState(): DeviceState {
    return {
      ram: Array.from(this.ram), index: this.index, nmiMask: this.nmiMask,
      lastCycle: this.lastCycle, dividerOrigin: this.dividerOrigin, irqLevel: this.irqLevel,
    };
  }

  loadState(state: DeviceState): void {
    this.ram.set(state.ram as number[]);
    this.index = state.index as number;
    this.nmiMask = state.nmiMask as boolean;
    this.lastCycle = state.lastCycle as number;
    this.dividerOrigin = state.dividerOrigin as number;
    this.irqLevel = state.irqLevel as boolean;
  }
}

function toBcd(v: number): number {
  return ((Math.floor(v / 10) % 10) << 4) | (v % 10);
}
