; =============================================================================
; alu.asm - integer arithmetic and logic: ADD ADC SUB SBB CMP AND OR XOR TEST
; INC DEC NEG NOT in 8, 16 and 32-bit operand size (32-bit through the 66h
; prefix in 16-bit code), register, immediate (incl. sign-extended imm8) and
; memory operands, and the status flags each instruction defines (SDM Vol. 2,
; the "Flags Affected" section of each instruction):
;   ADD ADC SUB SBB CMP NEG : OF SF ZF AF PF CF set according to the result
;                             (NEG: CF = 0 iff the operand was 0)
;   AND OR XOR TEST         : OF = CF = 0, SF ZF PF by result, AF undefined
;   INC DEC                 : CF not affected, OF SF ZF AF PF by result
;   NOT                     : no flags affected
; Every case runs twice under one check number: once with all status flags
; clear before the instruction and once with all set (CF = the carry-in
; for ADC/SBB), so stale flags must not leak into a result, and flags an
; instruction must leave alone are verified both ways.
; =============================================================================
%include "rom.inc"

M       equ 0x1000              ; scratch memory operand, DS = 0

%define OF FL_OF
%define SF FL_SF
%define ZF FL_ZF
%define AF FL_AF
%define PF FL_PF
%define CF FL_CF

; defined-flags mask, flags-that-must-be-unchanged mask
%define ARITH   FL_OSZAPC, 0
%define LOGIC   FL_OSZPC, 0                     ; AF undefined
%define INCDEC  (FL_OSZAPC & ~FL_CF), FL_CF     ; CF not affected
%define NOFLAGS 0, FL_OSZAPC                    ; nothing affected

; flags preset for the two runs of a case; cfin: 0/1 = carry-in, 2 = don't care
%define PRESET1(cfin) ((cfin) == 1 ? FL_CF : 0)
%define PRESET2(cfin) ((cfin) == 2 ? FL_OSZAPC : ((FL_OSZAPC & ~FL_CF) | PRESET1(cfin)))

; __T2 preset, size, op, dst, src, dval, sval, result, flags, defmask, unaff
%macro __T2 11
        mov %4, %6
%ifnidn %7, -
        mov %5, %7
%endif
        SETFLAGS %1
        %3 %4, %5
        _CHKX %2, %4, %8, __d
        _CHKF ((%10) | (%11)), (((%9) & (%10)) | ((%1) & (%11))), __f
%endmacro

; T size, op, dst, src, dval, sval ('-' for an immediate src), cfin,
;   result, flags, defmask, unaffmask
%macro T 11
        NEWCHECK
%defstr __d %2 %3, %4 (dst=%5 src=%6 cin=%7): result
%defstr __f %2 %3, %4 (dst=%5 src=%6 cin=%7): flags
        __T2 PRESET1(%7), %1, %2, %3, %4, %5, %6, %8, %9, %10, %11
        __T2 PRESET2(%7), %1, %2, %3, %4, %5, %6, %8, %9, %10, %11
%endmacro

; __U1 preset, size, op, dst, dval, result, flags, defmask, unaff
%macro __U1 9
        mov %4, %5
        SETFLAGS %1
        %3 %4
        _CHKX %2, %4, %6, __d
        _CHKF ((%8) | (%9)), (((%7) & (%8)) | ((%1) & (%9))), __f
%endmacro

; U size, op, dst, dval, cfin, result, flags, defmask, unaffmask
%macro U 9
        NEWCHECK
%defstr __d %2 %3 (dst=%4 cin=%5): result
%defstr __f %2 %3 (dst=%4 cin=%5): flags
        __U1 PRESET1(%5), %1, %2, %3, %4, %6, %7, %8, %9
        __U1 PRESET2(%5), %1, %2, %3, %4, %6, %7, %8, %9
%endmacro

ROM_BEGIN "alu"

GROUP "add 8-bit"
        T 1, add, al, bl, 0x7F, 0x01, 2, 0x80, OF|SF|AF, ARITH
        T 1, add, al, 0x01, 0xFF, -, 2, 0x00, ZF|AF|PF|CF, ARITH
        T 1, add, cl, dh, 0x80, 0x80, 2, 0x00, OF|ZF|PF|CF, ARITH
        T 1, add, ah, ch, 0x0F, 0x01, 2, 0x10, AF, ARITH
        T 1, add, bl, 0x80, 0x80, -, 2, 0x00, OF|ZF|PF|CF, ARITH
        T 1, add, dl, 0x10, 0xF8, -, 2, 0x08, CF, ARITH
        T 1, add, al, byte [M], 0x12, 0x34, 2, 0x46, 0, ARITH
        T 1, add, byte [M], dl, 0xF0, 0x10, 2, 0x00, ZF|PF|CF, ARITH
        T 1, add, byte [M], 0x7F, 0x01, -, 2, 0x80, OF|SF|AF, ARITH
        T 1, add, bh, 0, 0x00, -, 2, 0x00, ZF|PF, ARITH
        T 1, add, dh, cl, 0x08, 0x08, 2, 0x10, AF, ARITH

GROUP "add 16-bit"
        T 2, add, ax, bx, 0x7FFF, 0x0001, 2, 0x8000, OF|SF|AF|PF, ARITH
        T 2, add, ax, 0x0001, 0xFFFF, -, 2, 0x0000, ZF|AF|PF|CF, ARITH
        T 2, add, si, di, 0x8000, 0x8000, 2, 0x0000, OF|ZF|PF|CF, ARITH
        T 2, add, bp, dx, 0x00FF, 0x0001, 2, 0x0100, AF|PF, ARITH
        T 2, add, cx, -1, 0x0001, -, 2, 0x0000, ZF|AF|PF|CF, ARITH
        T 2, add, bx, 0x1234, 0x4321, -, 2, 0x5555, PF, ARITH
        T 2, add, dx, word [M], 0x7000, 0x1000, 2, 0x8000, OF|SF|PF, ARITH
        T 2, add, word [M], si, 0xFFFE, 0x0003, 2, 0x0001, AF|CF, ARITH
        T 2, add, word [M], -128, 0x0080, -, 2, 0x0000, ZF|PF|CF, ARITH

GROUP "add 32-bit"
        T 4, add, eax, ebx, 0x7FFFFFFF, 0x00000001, 2, 0x80000000, OF|SF|AF|PF, ARITH
        T 4, add, eax, 0x00000001, 0xFFFFFFFF, -, 2, 0x00000000, ZF|AF|PF|CF, ARITH
        T 4, add, ecx, edx, 0x80000000, 0x80000000, 2, 0x00000000, OF|ZF|PF|CF, ARITH
        T 4, add, esi, edi, 0x0000FFFF, 0x00000001, 2, 0x00010000, AF|PF, ARITH
        T 4, add, ebp, -1, 0x00000001, -, 2, 0x00000000, ZF|AF|PF|CF, ARITH
        T 4, add, ebx, 0x12345678, 0x11111111, -, 2, 0x23456789, 0, ARITH
        T 4, add, edx, dword [M], 0x40000000, 0x40000000, 2, 0x80000000, OF|SF|PF, ARITH
        T 4, add, dword [M], ecx, 0xFFFFFFF0, 0x00000010, 2, 0x00000000, ZF|PF|CF, ARITH
        T 4, add, edi, 0x7FFFFFFF, 0x7FFFFFFF, -, 2, 0xFFFFFFFE, OF|SF|AF, ARITH

GROUP "adc"
        T 1, adc, al, bl, 0x7F, 0x00, 1, 0x80, OF|SF|AF, ARITH
        T 1, adc, al, 0x00, 0xFF, -, 1, 0x00, ZF|AF|PF|CF, ARITH
        T 1, adc, cl, ch, 0xFF, 0xFF, 1, 0xFF, SF|AF|PF|CF, ARITH
        T 1, adc, dl, dh, 0xFF, 0xFF, 0, 0xFE, SF|AF|CF, ARITH
        T 1, adc, ah, 0x01, 0x0E, -, 1, 0x10, AF, ARITH
        T 1, adc, bh, bl, 0x80, 0x7F, 1, 0x00, ZF|AF|PF|CF, ARITH
        T 1, adc, byte [M], al, 0x00, 0x00, 0, 0x00, ZF|PF, ARITH
        T 2, adc, ax, bx, 0xFFFF, 0x0000, 1, 0x0000, ZF|AF|PF|CF, ARITH
        T 2, adc, cx, dx, 0x7FFF, 0x0000, 1, 0x8000, OF|SF|AF|PF, ARITH
        T 2, adc, si, -1, 0x0000, -, 1, 0x0000, ZF|AF|PF|CF, ARITH
        T 2, adc, di, word [M], 0x1234, 0x4321, 1, 0x5556, PF, ARITH
        T 2, adc, word [M], bp, 0x00FF, 0x0000, 1, 0x0100, AF|PF, ARITH
        T 4, adc, eax, ebx, 0xFFFFFFFF, 0x00000000, 1, 0x00000000, ZF|AF|PF|CF, ARITH
        T 4, adc, ecx, edx, 0x7FFFFFFF, 0x00000000, 1, 0x80000000, OF|SF|AF|PF, ARITH
        T 4, adc, esi, edi, 0xFFFFFFFF, 0xFFFFFFFF, 1, 0xFFFFFFFF, SF|AF|PF|CF, ARITH
        T 4, adc, ebp, 0x0000000F, 0x00000000, -, 1, 0x00000010, AF, ARITH
        T 4, adc, dword [M], eax, 0x8000FFFF, 0x80000000, 0, 0x0000FFFF, OF|PF|CF, ARITH

GROUP "sbb"
        T 1, sbb, al, bl, 0x00, 0x00, 1, 0xFF, SF|AF|PF|CF, ARITH
        T 1, sbb, al, 0x00, 0x80, -, 1, 0x7F, OF|AF, ARITH
        T 1, sbb, cl, ch, 0x05, 0x04, 1, 0x00, ZF|PF, ARITH
        T 1, sbb, dl, dh, 0x00, 0xFF, 1, 0x00, ZF|AF|PF|CF, ARITH
        T 1, sbb, ah, 0x00, 0x10, -, 1, 0x0F, AF|PF, ARITH
        T 1, sbb, bh, bl, 0x7F, 0xFF, 0, 0x80, OF|SF|CF, ARITH
        T 1, sbb, bl, 0x7F, 0x80, -, 1, 0x00, OF|ZF|AF|PF, ARITH
        T 1, sbb, byte [M], dl, 0x10, 0x01, 0, 0x0F, AF|PF, ARITH
        T 2, sbb, ax, bx, 0x0000, 0x0000, 1, 0xFFFF, SF|AF|PF|CF, ARITH
        T 2, sbb, cx, dx, 0x8000, 0x0000, 1, 0x7FFF, OF|AF|PF, ARITH
        T 2, sbb, si, di, 0x8000, 0x7FFF, 1, 0x0000, OF|ZF|AF|PF, ARITH
        T 2, sbb, bp, 1, 0x0001, -, 1, 0xFFFF, SF|AF|PF|CF, ARITH
        T 2, sbb, word [M], ax, 0x0100, 0x0000, 1, 0x00FF, AF|PF, ARITH
        T 4, sbb, eax, ebx, 0x00000000, 0x00000000, 1, 0xFFFFFFFF, SF|AF|PF|CF, ARITH
        T 4, sbb, ecx, edx, 0x80000000, 0x00000000, 1, 0x7FFFFFFF, OF|AF|PF, ARITH
        T 4, sbb, esi, edi, 0x00000000, 0xFFFFFFFF, 1, 0x00000000, ZF|AF|PF|CF, ARITH
        T 4, sbb, ebp, dword [M], 0x00010000, 0x00000000, 1, 0x0000FFFF, AF|PF, ARITH
        T 4, sbb, edx, -1, 0x00000005, -, 0, 0x00000006, AF|PF|CF, ARITH

GROUP "sub"
        T 1, sub, al, bl, 0x80, 0x01, 2, 0x7F, OF|AF, ARITH
        T 1, sub, al, 0x01, 0x00, -, 2, 0xFF, SF|AF|PF|CF, ARITH
        T 1, sub, cl, ch, 0x05, 0x05, 2, 0x00, ZF|PF, ARITH
        T 1, sub, dl, 0x01, 0x10, -, 2, 0x0F, AF|PF, ARITH
        T 1, sub, bh, dh, 0x7F, 0xFF, 2, 0x80, OF|SF|CF, ARITH
        T 1, sub, byte [M], ah, 0x30, 0x31, 2, 0xFF, SF|AF|PF|CF, ARITH
        T 2, sub, ax, bx, 0x8000, 0x0001, 2, 0x7FFF, OF|AF|PF, ARITH
        T 2, sub, cx, 1, 0x0000, -, 2, 0xFFFF, SF|AF|PF|CF, ARITH
        T 2, sub, si, word [M], 0x1234, 0x1234, 2, 0x0000, ZF|PF, ARITH
        T 2, sub, di, -1, 0x7FFF, -, 2, 0x8000, OF|SF|PF|CF, ARITH
        T 2, sub, word [M], dx, 0x0100, 0x0001, 2, 0x00FF, AF|PF, ARITH
        T 4, sub, eax, ebx, 0x80000000, 0x00000001, 2, 0x7FFFFFFF, OF|AF|PF, ARITH
        T 4, sub, ecx, 1, 0x00000000, -, 2, 0xFFFFFFFF, SF|AF|PF|CF, ARITH
        T 4, sub, edx, dword [M], 0xDEADBEEF, 0xDEADBEEF, 2, 0x00000000, ZF|PF, ARITH
        T 4, sub, esi, -1, 0x7FFFFFFF, -, 2, 0x80000000, OF|SF|PF|CF, ARITH
        T 4, sub, dword [M], edi, 0x00010000, 0x00000001, 2, 0x0000FFFF, AF|PF, ARITH

GROUP "cmp"
        T 1, cmp, al, bl, 0x80, 0x01, 2, 0x80, OF|AF, ARITH
        T 1, cmp, al, 0x01, 0x00, -, 2, 0x00, SF|AF|PF|CF, ARITH
        T 1, cmp, cl, ch, 0x05, 0x05, 2, 0x05, ZF|PF, ARITH
        T 1, cmp, dl, dh, 0x01, 0x02, 2, 0x01, SF|AF|PF|CF, ARITH
        T 1, cmp, byte [M], 0x80, 0x7F, -, 2, 0x7F, OF|SF|PF|CF, ARITH
        T 2, cmp, ax, bx, 0x8000, 0x0001, 2, 0x8000, OF|AF|PF, ARITH
        T 2, cmp, cx, word [M], 0x0000, 0x0001, 2, 0x0000, SF|AF|PF|CF, ARITH
        T 2, cmp, word [M], si, 0x1234, 0x1234, 2, 0x1234, ZF|PF, ARITH
        T 2, cmp, di, -1, 0x7FFF, -, 2, 0x7FFF, OF|SF|PF|CF, ARITH
        T 4, cmp, eax, ebx, 0x80000000, 0x00000001, 2, 0x80000000, OF|AF|PF, ARITH
        T 4, cmp, ecx, 1, 0x00000000, -, 2, 0x00000000, SF|AF|PF|CF, ARITH
        T 4, cmp, dword [M], edx, 0x12345678, 0x12345678, 2, 0x12345678, ZF|PF, ARITH
        T 4, cmp, esi, 0x80000000, 0x7FFFFFFF, -, 2, 0x7FFFFFFF, OF|SF|PF|CF, ARITH

GROUP "and/or/xor/test"
        T 1, and, al, bl, 0xF0, 0x0F, 2, 0x00, ZF|PF, LOGIC
        T 1, and, cl, 0x80, 0xFF, -, 2, 0x80, SF, LOGIC
        T 1, or, dl, dh, 0x00, 0x00, 2, 0x00, ZF|PF, LOGIC
        T 1, or, al, 0x01, 0x80, -, 2, 0x81, SF|PF, LOGIC
        T 1, xor, ah, ah, 0xAA, 0xAA, 2, 0x00, ZF|PF, LOGIC
        T 1, xor, bh, 0x55, 0xAA, -, 2, 0xFF, SF|PF, LOGIC
        T 1, test, al, 0x80, 0x80, -, 2, 0x80, SF, LOGIC
        T 1, test, byte [M], ch, 0x01, 0x02, 2, 0x01, ZF|PF, LOGIC
        T 1, or, byte [M], 0x03, 0x04, -, 2, 0x07, 0, LOGIC
        T 2, and, ax, bx, 0x0300, 0xFF00, 2, 0x0300, PF, LOGIC
        T 2, or, cx, word [M], 0x8000, 0x0001, 2, 0x8001, SF, LOGIC
        T 2, xor, si, -1, 0x5555, -, 2, 0xAAAA, SF|PF, LOGIC
        T 2, test, di, dx, 0x0F0F, 0xF0F0, 2, 0x0F0F, ZF|PF, LOGIC
        T 2, and, word [M], 0x00FF, 0x1234, -, 2, 0x0034, 0, LOGIC
        T 4, and, eax, ebx, 0xFFFFFFFF, 0x80000000, 2, 0x80000000, SF|PF, LOGIC
        T 4, or, ecx, 0x00010000, 0x00000000, -, 2, 0x00010000, PF, LOGIC
        T 4, xor, edx, dword [M], 0x12345678, 0x12345678, 2, 0x00000000, ZF|PF, LOGIC
        T 4, test, esi, edi, 0x00000100, 0x00000101, 2, 0x00000100, PF, LOGIC
        T 4, xor, dword [M], ebp, 0x0F0F0F0F, 0xF0F0F0F0, 2, 0xFFFFFFFF, SF|PF, LOGIC

GROUP "inc/dec"
        U 1, inc, al, 0x7F, 2, 0x80, OF|SF|AF, INCDEC
        U 1, inc, bl, 0xFF, 2, 0x00, ZF|AF|PF, INCDEC
        U 1, inc, ch, 0x0F, 2, 0x10, AF, INCDEC
        U 1, dec, dl, 0x80, 2, 0x7F, OF|AF, INCDEC
        U 1, dec, ah, 0x00, 2, 0xFF, SF|AF|PF, INCDEC
        U 1, dec, dh, 0x01, 2, 0x00, ZF|PF, INCDEC
        U 1, inc, byte [M], 0x10, 2, 0x11, PF, INCDEC
        U 2, inc, ax, 0x7FFF, 2, 0x8000, OF|SF|AF|PF, INCDEC
        U 2, inc, si, 0xFFFF, 2, 0x0000, ZF|AF|PF, INCDEC
        U 2, dec, di, 0x8000, 2, 0x7FFF, OF|AF|PF, INCDEC
        U 2, dec, bp, 0x0000, 2, 0xFFFF, SF|AF|PF, INCDEC
        U 2, dec, word [M], 0x0100, 2, 0x00FF, AF|PF, INCDEC
        U 4, inc, eax, 0x7FFFFFFF, 2, 0x80000000, OF|SF|AF|PF, INCDEC
        U 4, inc, ecx, 0xFFFFFFFF, 2, 0x00000000, ZF|AF|PF, INCDEC
        U 4, dec, edx, 0x80000000, 2, 0x7FFFFFFF, OF|AF|PF, INCDEC
        U 4, dec, ebx, 0x00000000, 2, 0xFFFFFFFF, SF|AF|PF, INCDEC
        U 4, inc, dword [M], 0x0000FFFF, 2, 0x00010000, AF|PF, INCDEC

GROUP "neg/not"
        U 1, neg, al, 0x00, 2, 0x00, ZF|PF, ARITH
        U 1, neg, bl, 0x80, 2, 0x80, OF|SF|CF, ARITH
        U 1, neg, cl, 0x01, 2, 0xFF, SF|AF|PF|CF, ARITH
        U 1, neg, dh, 0x10, 2, 0xF0, SF|PF|CF, ARITH
        U 2, neg, ax, 0x0000, 2, 0x0000, ZF|PF, ARITH
        U 2, neg, si, 0x8000, 2, 0x8000, OF|SF|PF|CF, ARITH
        U 2, neg, word [M], 0x0001, 2, 0xFFFF, SF|AF|PF|CF, ARITH
        U 4, neg, eax, 0x00000000, 2, 0x00000000, ZF|PF, ARITH
        U 4, neg, edi, 0x80000000, 2, 0x80000000, OF|SF|PF|CF, ARITH
        U 4, neg, ecx, 0xFFFFFFFF, 2, 0x00000001, AF|CF, ARITH
        U 4, neg, dword [M], 0x00000010, 2, 0xFFFFFFF0, SF|PF|CF, ARITH
        U 1, not, al, 0x55, 2, 0xAA, 0, NOFLAGS
        U 1, not, byte [M], 0x00, 2, 0xFF, 0, NOFLAGS
        U 2, not, bx, 0x1234, 2, 0xEDCB, 0, NOFLAGS
        U 4, not, edx, 0xFFFFFFFF, 2, 0x00000000, 0, NOFLAGS
        U 4, not, dword [M], 0x80000000, 2, 0x7FFFFFFF, 0, NOFLAGS

ROM_END
