// Every instruction handler the generated dispatcher (gen/dispatch.ts) calls, by family.
export * from "./ops/arith";
export * from "./ops/move";
export * from "./ops/string";
export * from "./ops/control";
export * from "./ops/io";
export * from "./ops/system";
export * from "./ops/fpu";
export { fetch8, fetch16 } from "./memory";
export { nextOpcodeKey, peekLockedOpcode, peekedModrm } from "./decode";
export { raiseInvalidOpcode } from "./faults";
export { prefixSegment, prefixOperandSize, prefixAddressSize, prefixLock, prefixRepeat, REP_NE, REP_E } from "./state";
