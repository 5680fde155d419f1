// The privileged and sensitive events the statistics panel counts, with what a VT-x/KVM
// hypervisor does about each (Intel SDM vol. 3C, chapters 25-26 "VMX non-root operation" and
// "VM exits"). The worker reads the counters; the page shows the labels and notes.

export interface HvEvent {
  key: string;
  label: string;
  /** Core counters (emulator-core/layout.ts) summed for this event; index in brackets for arrays. */
  counters: string[];
  /** always: unconditional VM exit; config: exits when the hypervisor asks (bitmaps, controls); none: runs natively. */
  exits: "always" | "config" | "none";
  note: string;
}

export const HV_EVENTS: HvEvent[] = [
  { key: "io", label: "IN/OUT (port I/O)", counters: ["ST_PORT_IN", "ST_PORT_OUT"], exits: "always", note: "I/O exits (or the I/O bitmap); the hypervisor emulates the device" },
  { key: "irq", label: "hardware interrupts", counters: ["ST_INTERRUPTS[0..15]"], exits: "always", note: "external-interrupt exiting; the hypervisor injects them back" },
  { key: "hlt", label: "HLT", counters: ["ST_HLT"], exits: "always", note: "HLT exiting: the vCPU thread sleeps" },
  { key: "cpuid", label: "CPUID", counters: ["ST_CPUID"], exits: "always", note: "unconditional exit; the hypervisor picks the features" },
  { key: "crWrite", label: "MOV to CR0/CR3/CR4", counters: ["ST_CR_WRITE"], exits: "config", note: "CR0/CR4 masked bits exit; CR3 loads need no exit with EPT" },
  { key: "crRead", label: "MOV from CR", counters: ["ST_CR_READ"], exits: "config", note: "read shadows; CR3 reads exit only without EPT" },
  { key: "dr", label: "MOV DR", counters: ["ST_DR_ACCESS"], exits: "config", note: "MOV-DR exiting (KVM switches it off after the first)" },
  { key: "msr", label: "RDMSR/WRMSR", counters: ["ST_MSR"], exits: "config", note: "exit unless the MSR bitmap lets the MSR through" },
  { key: "rdtsc", label: "RDTSC", counters: ["ST_RDTSC"], exits: "config", note: "normally native, with TSC offsetting and scaling" },
  { key: "invlpg", label: "INVLPG", counters: ["ST_INVLPG"], exits: "config", note: "exits only with shadow paging (no EPT)" },
  { key: "descTable", label: "LGDT/LIDT/LLDT/LTR", counters: ["ST_DESC_TABLE"], exits: "config", note: "descriptor-table exiting (optional)" },
  { key: "pf", label: "page faults (#PF)", counters: ["ST_EXCEPTIONS[14]"], exits: "config", note: "with EPT the guest handles them; shadow paging exits" },
  { key: "cliSti", label: "CLI/STI", counters: ["ST_CLI_STI"], exits: "none", note: "sensitive, but native in VMX non-root mode" },
  { key: "popfIret", label: "PUSHF/POPF/IRET", counters: ["ST_POPF_IRET"], exits: "none", note: "broke classic trap-and-emulate; native under VT-x" },
  { key: "movSreg", label: "MOV/POP Sreg", counters: ["ST_MOV_SREG"], exits: "none", note: "native (descriptor checks in hardware)" },
];
