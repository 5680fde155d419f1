; =============================================================================
; fpu.asm - x87 FPU state, control and exceptions (SDM vol. 1, chapter 8; vol. 3,
; 2.5 and 9.2): the power-on state, the FNINIT/FNSTSW/FNSTCW probe operating systems
; use, constants rounded under RC, FXAM classes, the register stack (TOP, tags,
; FXCH, FFREE(P), FINCSTP/FDECSTP, stack overflow/underflow with SF and C1), FCMOVcc,
; FCOMI on lazy EFLAGS, unmasked exceptions taken as #MF (vector 16, CR0.NE=1) at the
; next waiting instruction including WAIT and after FLDCW unmasks a pending flag,
; no-wait forms, #NM for CR0.EM/TS/MP, FNSTENV/FLDENV and FNSAVE/FRSTOR in the 16-
; and 32-bit real-mode and protected-mode layouts (SDM vol. 1, figures 8-9 to 8-12),
; reserved encodings the P6 accepts and #UD ones.
; Arithmetic and conversions: fpu-arith.asm; transcendentals: fpu-trans.asm.
; =============================================================================
%include "rom.inc"

T80     equ 0x2000              ; 10-byte scratch
ENV     equ 0x2100              ; FNSTENV/FNSAVE area (108 bytes)
ENV2    equ 0x2200
W       equ 0x2300              ; word scratch

FE_IE equ 1
FE_DE equ 2
FE_ZE equ 4
FE_OE equ 8
FE_UE equ 16
FE_PE equ 32
FS_SF equ 0x40
FS_ES equ 0x80
FS_C0 equ 0x100
FS_C1 equ 0x200
FS_C2 equ 0x400
FS_C3 equ 0x4000
FS_B  equ 0x8000
FS_CC equ 0x4700

; CHECK_T mem, se, sighi, siglo - one check on a 10-byte extended value in memory
%macro CHECK_T 4
        NEWCHECK
%defstr __d %1 == %2:%3%4
        _CHKX 2, word [%1+8], %2, __d
        _CHKX 4, dword [%1+4], %3, __d
        _CHKX 4, dword [%1], %4, __d
%endmacro
; CHECK_ST0 se, sighi, siglo - ST(0) (copied; the stack must not be full)
%macro CHECK_ST0 3
        fld st0
        fstp tword [T80]
        CHECK_T T80, %1, %2, %3
%endmacro
; CHECK_SW mask, value - one check on the status word (AX is changed)
%macro CHECK_SW 2
        fnstsw ax
        and ax, (%1)
        CHECK ax, ((%2) & (%1))
%endmacro
; SETCW value
%macro SETCW 1
        mov word [W], %1
        fldcw [W]
%endmacro
; set/clear CR0 bits (EAX is changed)
%macro CR0_SET 1
        mov eax, cr0
        or eax, (%1)
        mov cr0, eax
%endmacro
%macro CR0_CLR 1
        mov eax, cr0
        and eax, ~(%1)
        mov cr0, eax
%endmacro

        ROM_BEGIN "fpu"

; ---------------------------------------------------------------------------
        GROUP "power-on state"
        ; SDM vol. 3, table 10-1: after RESET the x87 has FCW 0040h, FSW 0, FTW 5555h.
        QEMU_SKIP_BEGIN "QEMU resets the x87 to the FNINIT state (FCW 037Fh, all tags empty), not SDM vol. 3 table 10-1"
        fnstcw [W]
        CHECKW [W], 0x0040
        fnstsw [W]
        CHECKW [W], 0x0000
        fnstenv [ENV]
        CHECKW [ENV+4], 0x5555
        QEMU_SKIP_END

; ---------------------------------------------------------------------------
        GROUP "fninit probe"
        ; what operating systems do to find a coprocessor: FNINIT, FNSTSW, FNSTCW
        mov word [W], 0x5A5A
        fninit
        fnstsw [W]
        CHECKW [W], 0
        mov ax, 0x5A5A
        fnstsw ax
        CHECK ax, 0
        fnstcw [W]
        CHECKW [W], 0x037F
        fnstenv [ENV]
        CHECKW [ENV+4], 0xFFFF          ; every register empty
        ; CPUID.1:EDX bit 0 (FPU)
        mov eax, 1
        cpuid
        and edx, 1
        CHECK edx, 1

; ---------------------------------------------------------------------------
        GROUP "constants under RC"
        ; SDM vol. 1, 8.3.7 / FLD1...: the P6 rounds its internal constants under RC
%macro CONST 5      ; insn, rc, se, hi, lo
        fninit
        SETCW (0x037F | ((%2) << 10))
        %1
        CHECK_ST0 %3, %4, %5
%endmacro
        CONST fldpi, 0, 0x4000, 0xC90FDAA2, 0x2168C235
        CONST fldpi, 1, 0x4000, 0xC90FDAA2, 0x2168C234
        CONST fldpi, 2, 0x4000, 0xC90FDAA2, 0x2168C235
        CONST fldpi, 3, 0x4000, 0xC90FDAA2, 0x2168C234
        CONST fldl2e, 0, 0x3FFF, 0xB8AA3B29, 0x5C17F0BC
        CONST fldl2e, 3, 0x3FFF, 0xB8AA3B29, 0x5C17F0BB
        CONST fldl2t, 0, 0x4000, 0xD49A784B, 0xCD1B8AFE
        CONST fldl2t, 2, 0x4000, 0xD49A784B, 0xCD1B8AFF
        CONST fldlg2, 0, 0x3FFD, 0x9A209A84, 0xFBCFF799
        CONST fldlg2, 1, 0x3FFD, 0x9A209A84, 0xFBCFF798
        CONST fldln2, 0, 0x3FFE, 0xB17217F7, 0xD1CF79AC
        CONST fldln2, 3, 0x3FFE, 0xB17217F7, 0xD1CF79AB
        CONST fld1, 2, 0x3FFF, 0x80000000, 0x00000000
        CONST fldz, 1, 0x0000, 0x00000000, 0x00000000
        CHECK_SW 0x3F|FS_C1, 0          ; no exception, C1 = 0

; ---------------------------------------------------------------------------
        GROUP "fxam"
%macro XAM 4        ; se, sighi, siglo, expected C3 C2 C1 C0 bits
        fninit
        mov word [T80+8], %1
        mov dword [T80+4], %2
        mov dword [T80], %3
        fld tword [T80]
        fxam
        CHECK_SW FS_CC, %4
%endmacro
        XAM 0x0000, 0, 0, FS_C3                         ; +0
        XAM 0x8000, 0, 0, FS_C3|FS_C1                   ; -0
        XAM 0x3FFF, 0x80000000, 0, FS_C2                ; normal
        XAM 0xBFFF, 0x80000000, 0, FS_C2|FS_C1          ; negative normal
        XAM 0x0000, 0x00000001, 0, FS_C3|FS_C2          ; denormal
        XAM 0x7FFF, 0x80000000, 0, FS_C2|FS_C0          ; infinity
        XAM 0xFFFF, 0xC0000000, 0, FS_C1|FS_C0          ; NaN (the indefinite)
        XAM 0x3FFF, 0x40000000, 0, 0                    ; unnormal: unsupported
        fninit
        fxam                                            ; empty
        CHECK_SW FS_C3|FS_C2|FS_C0, FS_C3|FS_C0

; ---------------------------------------------------------------------------
        GROUP "register stack"
        fninit
        fld1
        fldz
        fldpi
        CHECK_SW 0x3800, (5 << 11)      ; TOP = 5 after three pushes
        fxch st2
        CHECK_ST0 0x3FFF, 0x80000000, 0 ; 1.0 now on top
        fxch
        CHECK_ST0 0x0000, 0, 0          ; FXCH = FXCH ST(1)
        fnstenv [ENV]
        ; after the exchanges: R5 = 0 (ST0), R6 = 1.0, R7 = pi
        CHECKW [ENV+4], 0x07FF          ; R5 zero (01), R6 R7 valid (00), R0-R4 empty
        fincstp
        CHECK_SW 0x3800, (6 << 11)
        fdecstp
        fdecstp
        CHECK_SW 0x3800, (4 << 11)
        fxam                            ; ST(0) = R4, empty
        CHECK_SW FS_C3|FS_C2|FS_C0, FS_C3|FS_C0
        fincstp
        ffree st1
        fnstenv [ENV]
        CHECKW [ENV+4], 0x37FF          ; R5 zero, R6 empty, R7 valid
        ; FFREEP (DF C0+i) frees ST(i) and pops; the P6 accepts it
        fninit
        fld1
        fld1
        db 0xDF, 0xC1                   ; ffreep st1
        CHECK_SW 0x3800, (7 << 11)
        fnstenv [ENV]
        CHECKW [ENV+4], 0xFFFF          ; R7 (old ST1) freed, R6 popped
        ; stack overflow: a ninth push (SDM vol. 1, 8.5.1.1)
        QEMU_SKIP_BEGIN "no x87 stack-fault detection: SF, C1 and the indefinite on overflow/underflow (SDM vol. 1, 8.5.1.1)"
        fninit
%rep 8
        fld1
%endrep
        fldpi
        CHECK_SW 0x3F|FS_SF|FS_C1|FS_ES, FE_IE|FS_SF|FS_C1
        fstp tword [T80]
        CHECK_T T80, 0xFFFF, 0xC0000000, 0  ; the indefinite was pushed
        ; stack underflow: arithmetic on an empty register
        fninit
        fld1
        fadd st0, st3
        CHECK_SW 0x3F|FS_SF|FS_C1, FE_IE|FS_SF
        CHECK_ST0 0xFFFF, 0xC0000000, 0
        ; FSTP m32 of an empty register stores the single indefinite
        fninit
        fstp dword [W]
        CHECKD [W], 0xFFC00000
        ; FISTP of an empty register: the integer indefinite, and it pops
        fninit
        fistp word [W]
        CHECKW [W], 0x8000
        CHECK_SW 0x3800, (1 << 11)      ; and pops
        QEMU_SKIP_END

; ---------------------------------------------------------------------------
        GROUP "fcmovcc, fcomi and eflags"
%macro FCMOV 3      ; insn, flags image, taken (1/0)
        fninit
        fld1                            ; ST(1) = 1.0
        fldz                            ; ST(0) = 0.0
        SETFLAGS %2
        %1 st0, st1
        CHECK_ST0 ((%3) ? 0x3FFF : 0), ((%3) ? 0x80000000 : 0), 0
%endmacro
        FCMOV fcmovb, FL_CF, 1
        FCMOV fcmovb, 0, 0
        FCMOV fcmove, FL_ZF, 1
        FCMOV fcmove, FL_CF, 0
        FCMOV fcmovbe, FL_ZF, 1
        FCMOV fcmovbe, FL_SF|FL_OF|FL_PF, 0
        FCMOV fcmovu, FL_PF, 1
        FCMOV fcmovu, FL_ZF|FL_CF, 0
        FCMOV fcmovnb, 0, 1
        FCMOV fcmovnb, FL_CF, 0
        FCMOV fcmovne, FL_CF, 1
        FCMOV fcmovne, FL_ZF, 0
        FCMOV fcmovnbe, FL_PF, 1
        FCMOV fcmovnbe, FL_CF, 0
        FCMOV fcmovnu, FL_CF|FL_ZF, 1
        FCMOV fcmovnu, FL_PF, 0
        ; FCMOV reads flags from a pending arithmetic result (lazy flags)
        fninit
        fld1
        fldz
        mov al, 1
        cmp al, 2                       ; CF = 1
        fcmovb st0, st1
        CHECK_ST0 0x3FFF, 0x80000000, 0
        ; FCOMI sets ZF PF CF and clears OF SF AF, whatever was pending (SDM vol. 2, FCOMI)
        QEMU_SKIP_BEGIN "FCOMI/FUCOMI keep OF SF AF instead of clearing them (SDM vol. 2, FCOMI/FCOMIP/FUCOMI/FUCOMIP)"
        fninit
        fld1
        fldpi
        mov al, 0x7F
        add al, 1                       ; OF SF AF pending
        fcomi st0, st1                  ; pi > 1
        CHECK_FLAGS FL_OSZAPC, 0
        SETFLAGS FL_OSZAPC
        fcomi st0, st0                  ; equal
        CHECK_FLAGS FL_OSZAPC, FL_ZF
        fxch
        fucomi st0, st1                 ; 1 < pi
        CHECK_FLAGS FL_OSZAPC, FL_CF
        fstp st0
        mov dword [W], 0x7FC00000
        fld dword [W]
        fucomip st0, st1                ; QNaN: unordered, no #IA for FUCOMI
        CHECK_FLAGS FL_OSZAPC, FL_ZF|FL_PF|FL_CF
        CHECK_SW 0x3F, 0
        fld dword [W]
        fcomip st0, st1                 ; QNaN: unordered, #IA for FCOMI
        CHECK_FLAGS FL_OSZAPC, FL_ZF|FL_PF|FL_CF
        CHECK_SW 0x3F, FE_IE
        QEMU_SKIP_END

; ---------------------------------------------------------------------------
        GROUP "#MF with CR0.NE=1"
        CR0_SET 0x20                    ; NE
        QEMU_SKIP_BEGIN "#MF only from WAIT: waiting x87 instructions do not report pending exceptions (SDM vol. 1, 8.6)"
        fninit
        SETCW 0x037B                    ; unmask #Z
        fld1
        fldz
        fdivp st1, st0                  ; 1/0: #Z unmasked: no result, no pop, pending
        CHECK_SW 0x3F|FS_ES|FS_B, FE_ZE|FS_ES|FS_B
        fnstcw [W]                      ; no-wait forms do not report it
        fnstenv [ENV]                   ; (and FNSTENV masks everything; ES stays set)
        EXPECT_EXC .r1
.mf1:   fld1                            ; a waiting instruction: #MF before it runs
.r1:    CHECK_EXC 16, .mf1
        fnclex
        CHECK_SW 0x3800, (6 << 11)
        CHECK_ST0 0x0000, 0, 0          ; the stack is as before the FDIVP
        fstp st0
        CHECK_ST0 0x3FFF, 0x80000000, 0
        QEMU_SKIP_END
        ; WAIT reports it too
        fninit
        SETCW 0x037E                    ; unmask #I
        fld1
        fchs
        fsqrt                           ; sqrt(-1): #I unmasked
        EXPECT_EXC .r2
.mf2:   wait
.r2:    CHECK_EXC 16, .mf2
        fnclex
        QEMU_SKIP_BEGIN "an unmasked #I still writes the indefinite (SDM vol. 1, 8.5.1.2: the operands are left unchanged)"
        CHECK_ST0 0xBFFF, 0x80000000, 0 ; -1 unchanged
        QEMU_SKIP_END
        ; FLDCW that unmasks an exception already flagged makes it pending
        QEMU_SKIP_BEGIN "FLDCW that unmasks a flagged exception does not set ES; #MF only from WAIT (SDM vol. 2, FLDCW; vol. 1, 8.6)"
        fninit
        fld1
        fldz
        fdivp st1, st0                  ; masked #Z: infinity, ZE set, ES clear
        CHECK_SW 0x3F|FS_ES, FE_ZE
        SETCW 0x037B
        CHECK_SW FS_ES|FS_B, FS_ES|FS_B
        EXPECT_EXC .r3
.mf3:   fnop                            ; FNOP is a waiting instruction
.r3:    CHECK_EXC 16, .mf3
        fnclex
        CHECK_SW FS_ES|FS_B|0x3F, 0
        ; unmasked #P: the result is delivered, the exception is still pending
        fninit
        SETCW 0x035F
        fld1
        fldpi
        fdivp st1, st0
        CHECK_SW FE_PE|FS_ES, FE_PE|FS_ES
        EXPECT_EXC .r4
.mf4:   fst st1
.r4:    CHECK_EXC 16, .mf4
        fnclex
        CHECK_ST0 0x3FFD, 0xA2F9836E, 0x4E44152A
        QEMU_SKIP_END
        CR0_CLR 0x20
        ; CR0.NE = 0: no #MF (FERR# drives IRQ13 on a PC), the instruction runs
        fninit
        SETCW 0x037B
        fld1
        fldz
        fdivp st1, st0
        EXPECT_EXC 0
        fld1
        CHECK_NO_EXC
        fninit

; ---------------------------------------------------------------------------
        GROUP "#NM: CR0.EM, TS, MP"
        CR0_SET 0x04                    ; EM: every ESC raises #NM
        EXPECT_EXC .n1
.nm1:   fninit
.n1:    CHECK_EXC 7, .nm1
        EXPECT_EXC 0
        wait                            ; WAIT ignores EM
        CHECK_NO_EXC
        CR0_CLR 0x04
        CR0_SET 0x08                    ; TS, MP = 0
        EXPECT_EXC .n2
.nm2:   fnstsw ax
.n2:    CHECK_EXC 7, .nm2
        EXPECT_EXC 0
        wait                            ; TS without MP: WAIT runs
        CHECK_NO_EXC
        CR0_SET 0x02                    ; MP
        EXPECT_EXC .n3
.nm3:   wait
.n3:    CHECK_EXC 7, .nm3
        clts
        CR0_CLR 0x02
        EXPECT_EXC 0
        fninit
        wait
        CHECK_NO_EXC

; ---------------------------------------------------------------------------
        GROUP "fnstenv/fldenv real mode"
        mov dword [0x466], 0
        mov dword [0x46A], 0x3FF00000   ; 1.0 as a double at 0000:0466
        fninit
        SETCW 0x0A7F                    ; RC = up, PC = 53
        fld1
        fldz
        mov bx, 0x0456
.fi1:   fadd qword [bx+0x10]            ; DC 47 10: FOP 447h, FDP = 0466h
        fnstenv [ENV]                   ; 16-bit real-mode layout (14 bytes)
        CHECKW [ENV+0], 0x0A7F
        CHECKW [ENV+2], (6 << 11)
        CHECKW [ENV+4], 0x0FFF          ; R6 (1.0) and R7 (1.0) valid
        QEMU_SKIP_BEGIN "FNSTENV stores no real-mode instruction/data pointers or opcode (SDM vol. 1, figure 8-11)"
        CHECKW [ENV+6], (0xF0000 + .fi1 - $$) & 0xFFFF
        CHECKW [ENV+8], (((0xF0000 + .fi1 - $$) >> 16) << 12) | 0x447
        CHECKW [ENV+10], 0x0466
        CHECKW [ENV+12], 0x0000
        QEMU_SKIP_END
        fnstcw [W]
        CHECKW [W], 0x0A7F | 0x3F       ; FNSTENV masks all exceptions afterwards
        o32 fnstenv [ENV2]              ; 32-bit real-mode layout (28 bytes)
        CHECKW [ENV2+0], 0x0A7F | 0x3F
        CHECKW [ENV2+8], 0x0FFF
        QEMU_SKIP_BEGIN "FNSTENV stores zeros in reserved fields and no real-mode pointers (SDM vol. 1, figure 8-12)"
        CHECKD [ENV2+0], 0xFFFF0A7F | 0x3F
        CHECKD [ENV2+4], 0xFFFF0000 | (6 << 11)
        CHECKD [ENV2+12], 0xFFFF0000 | ((0xF0000 + .fi1 - $$) & 0xFFFF)
        CHECKD [ENV2+16], (((0xF0000 + .fi1 - $$) >> 16) << 12) | 0x447
        CHECKD [ENV2+20], 0xFFFF0466
        CHECKD [ENV2+24], 0x00000000
        QEMU_SKIP_END
        ; FLDENV: control word, TOP and the empty tags come back
        fninit
%rep 5
        fld1                            ; R7..R3 = 1.0
%endrep
        fninit
        mov word [ENV+0], 0x0C7F        ; RC = chop
        mov word [ENV+2], (3 << 11) | FS_C2
        mov word [ENV+4], 0xFF3F        ; only R3 in use (contents: whatever R3 holds)
        fldenv [ENV]
        fnstcw [W]
        CHECKW [W], 0x0C7F
        CHECK_SW 0x3800|FS_C2, (3 << 11)|FS_C2
        fxam
        CHECK_SW FS_C3|FS_C2|FS_C0, FS_C2 ; ST(0) = R3 = 1.0: in use again
        fincstp
        fxam
        CHECK_SW FS_C3|FS_C2|FS_C0, FS_C3|FS_C0
        ; FLDENV with a flag set under an unmasked bit: pending (ES), #MF at the next one
        CR0_SET 0x20
        QEMU_SKIP_BEGIN "FLDENV does not set ES for an unmasked flagged exception; #MF only from WAIT (SDM vol. 2, FLDENV; vol. 1, 8.6)"
        mov word [ENV+0], 0x037E
        mov word [ENV+2], FE_IE
        fldenv [ENV]
        CHECK_SW FS_ES|FS_B, FS_ES|FS_B
        EXPECT_EXC .r5
.mf5:   fldz
.r5:    CHECK_EXC 16, .mf5
        QEMU_SKIP_END
        fninit
        CR0_CLR 0x20

; ---------------------------------------------------------------------------
        GROUP "fnsave/frstor"
        fninit
        SETCW 0x027F
        fldpi
        fld1
        fldz                            ; ST0 = 0, ST1 = 1, ST2 = pi
        fnsave [ENV]                    ; 94 bytes: 14-byte environment, ST0..ST7
        CHECK_SW 0xFFFF, 0              ; FNSAVE initializes the FPU
        fnstcw [W]
        CHECKW [W], 0x037F
        CHECKW [ENV+0], 0x027F
        CHECKW [ENV+2], (5 << 11)
        CHECKW [ENV+4], 0x07FF          ; R5 zero, R6 valid, R7 valid
        CHECK_T ENV+14, 0x0000, 0, 0
        CHECK_T ENV+24, 0x3FFF, 0x80000000, 0
        CHECK_T ENV+34, 0x4000, 0xC90FDAA2, 0x2168C235
        mov word [ENV+24+8], 0x4000     ; change ST1 to 2.0 in the image
        frstor [ENV]
        fnstcw [W]
        CHECKW [W], 0x027F
        CHECK_SW 0x3800, (5 << 11)
        fstp st0
        CHECK_ST0 0x4000, 0x80000000, 0
        ; 32-bit layout: 108 bytes, registers at +28
        fninit
        fld1
        o32 fnsave [ENV]
        CHECKW [ENV+8], 0x3FFF
        CHECK_T ENV+28, 0x3FFF, 0x80000000, 0
        mov word [ENV+28+8], 0xC000     ; -2.0
        o32 frstor [ENV]
        CHECK_ST0 0xC000, 0x80000000, 0

; ---------------------------------------------------------------------------
        GROUP "protected-mode layouts"
        ; CR0.PE = 1 with the real-mode CS cache still loaded: FNSTENV uses the
        ; protected-mode formats (selector:offset pointers, SDM vol. 1, figures 8-9, 8-10)
        fninit
        fld1
        mov bx, 0x0456
        CR0_SET 1
.fi2:   fadd qword [bx+0x10]
        fnstenv [ENV]
        o32 fnstenv [ENV2]
        CR0_CLR 1
        CHECKW [ENV+0], 0x037F
        CHECKW [ENV+4], 0x3FFF
        CHECKW [ENV2+8], 0x3FFF
        CHECKW [ENV+6], .fi2 - $$       ; FIP offset
        CHECKW [ENV+8], 0xF000          ; FCS
        CHECKW [ENV+10], 0x0466         ; FDP offset
        CHECKW [ENV+12], 0x0000         ; FDS
        CHECKD [ENV2+12], .fi2 - $$
        CHECKD [ENV2+20], 0x00000466
        QEMU_SKIP_BEGIN "FNSTENV stores zeros in the reserved halves and no opcode (SDM vol. 1, figure 8-9)"
        CHECKD [ENV2+0], 0xFFFF037F
        CHECKD [ENV2+16], 0x0447F000    ; FOP in bits 16-26, FCS in 0-15
        CHECKD [ENV2+24], 0xFFFF0000
        QEMU_SKIP_END

; ---------------------------------------------------------------------------
        GROUP "operand forms"
        ; every arithmetic row with a memory operand: ST(0) = 12 op 4, exact except 4/12
M32R    equ 0x2400              ; 4.0 as m32real
M64R    equ 0x2404              ; 4.0 as m64real
M32I    equ 0x240C              ; 4 as m32int
M16I    equ 0x2410              ; 4 as m16int
M64I    equ 0x2412
        mov dword [M32R], 0x40800000
        mov dword [M64R], 0
        mov dword [M64R+4], 0x40100000
        mov dword [M32I], 4
        mov word [M16I], 4
%macro MEMOP 5      ; insn, operand, se, hi, lo
        fninit
        mov word [W], 12
        fild word [W]
        %1 %2
        CHECK_ST0 %3, %4, %5
%endmacro
%macro MEMROW 2     ; prefix (f/fi), operand
        MEMOP %1add, %2, 0x4003, 0x80000000, 0                  ; 16
        MEMOP %1mul, %2, 0x4004, 0xC0000000, 0                  ; 48
        MEMOP %1sub, %2, 0x4002, 0x80000000, 0                  ; 8
        MEMOP %1subr, %2, 0xC002, 0x80000000, 0                 ; -8
        MEMOP %1div, %2, 0x4000, 0xC0000000, 0                  ; 3
        MEMOP %1divr, %2, 0x3FFD, 0xAAAAAAAA, 0xAAAAAAAB        ; 1/3
%endmacro
        MEMROW f, dword [M32R]
        MEMROW f, qword [M64R]
        MEMROW fi, dword [M32I]
        MEMROW fi, word [M16I]
%macro MEMCMP 3     ; insn, operand, expected C3 C2 C0 (ST(0) = 12 vs 4)
        fninit
        mov word [W], 12
        fild word [W]
        %1 %2
        CHECK_SW FS_C3|FS_C2|FS_C0|0x3800, %3
%endmacro
        MEMCMP fcom, dword [M32R], (7 << 11)    ; 12 > 4, TOP = 7
        MEMCMP fcomp, qword [M64R], 0           ; popped: TOP = 0
        MEMCMP ficom, dword [M32I], (7 << 11)
        MEMCMP ficomp, word [M16I], 0
        ; register forms with ST(i) as the destination (DC row) and the popping DE row
%macro REGOP 5      ; bytes, expected ST(0) after popping what is left above ST(i)
        fninit
        mov word [W], 4
        fild word [W]                   ; ST(1) = 4
        mov word [W], 12
        fild word [W]                   ; ST(0) = 12
        db %1, %2
        %if %2 >= 0xC0 && %1 == 0xDC
        fstp st0                        ; drop ST(0): ST(1) is the result
        %endif
        CHECK_ST0 %3, %4, %5
%endmacro
        REGOP 0xDC, 0xC1, 0x4003, 0x80000000, 0                 ; fadd st1, st0: 16
        REGOP 0xDC, 0xC9, 0x4004, 0xC0000000, 0                 ; fmul st1, st0: 48
        REGOP 0xDC, 0xE9, 0xC002, 0x80000000, 0                 ; fsub st1, st0: 4 - 12
        REGOP 0xDC, 0xE1, 0x4002, 0x80000000, 0                 ; fsubr st1, st0: 12 - 4
        REGOP 0xDC, 0xF9, 0x3FFD, 0xAAAAAAAA, 0xAAAAAAAB        ; fdiv st1, st0: 4/12
        REGOP 0xDC, 0xF1, 0x4000, 0xC0000000, 0                 ; fdivr st1, st0: 12/4
        REGOP 0xDE, 0xC9, 0x4004, 0xC0000000, 0                 ; fmulp st1
        REGOP 0xDE, 0xF1, 0x4000, 0xC0000000, 0                 ; fdivrp st1: 12/4
        REGOP 0xD8, 0xE1, 0x4002, 0x80000000, 0                 ; fsub st0, st1: 12 - 4
        REGOP 0xD8, 0xE9, 0xC002, 0x80000000, 0                 ; fsubr st0, st1: 4 - 12
        REGOP 0xD8, 0xF1, 0x4000, 0xC0000000, 0                 ; fdiv st0, st1: 12/4
        ; integer loads
        mov word [W], -5
        fninit
        fild word [W]
        CHECK_ST0 0xC001, 0xA0000000, 0
        mov dword [W], 0x7FFFFFFF
        fild dword [W]
        CHECK_ST0 0x401D, 0xFFFFFFFE, 0
        mov dword [M64I], 0
        mov dword [M64I+4], 0x80000000
        fild qword [M64I]
        CHECK_ST0 0xC03E, 0x80000000, 0
        ; FST ST(i), FUCOM, FUCOMP, FTST
        fninit
        fld1
        fldz
        fldpi
        fst st2
        fstp st0
        fstp st0
        CHECK_ST0 0x4000, 0xC90FDAA2, 0x2168C235
        fldz
        fucom st1
        CHECK_SW FS_C3|FS_C2|FS_C0, FS_C0                       ; 0 < pi
        fucomp st0
        CHECK_SW FS_C3|FS_C2|FS_C0|0x3800, FS_C3|(7 << 11)      ; equal, popped
        fchs
        ftst
        CHECK_SW FS_C3|FS_C2|FS_C0, FS_C0                       ; -pi < 0
        fabs
        ftst
        CHECK_SW FS_C3|FS_C2|FS_C0, 0

; ---------------------------------------------------------------------------
        GROUP "aliases, no-ops and #UD"
        fninit
        fld1
        fldz
        db 0xD9, 0xD9                   ; FSTP1 ST(1) (reserved alias of FSTP)
        CHECK_SW 0x3800, (7 << 11)
        CHECK_ST0 0x0000, 0, 0
        fld1
        db 0xDD, 0xC9                   ; FXCH4 ST(1)
        CHECK_ST0 0x0000, 0, 0
        db 0xDF, 0xC9                   ; FXCH7 ST(1)
        CHECK_ST0 0x3FFF, 0x80000000, 0
        db 0xDC, 0xD1                   ; FCOM2 ST(1): 1 > 0
        CHECK_SW FS_CC, 0
        db 0xDE, 0xD1                   ; FCOMP5 ST(1): pops
        CHECK_SW FS_CC|0x3800, (7 << 11)
        fld1
        db 0xDF, 0xD1                   ; FSTP8 ST(1)
        db 0xDF, 0xD8                   ; FSTP9 ST(0) = FSTP ST(0)
        CHECK_SW 0x3800, 0
        db 0xDB, 0xE0                   ; FNENI: no-op on 287 and later
        db 0xDB, 0xE1                   ; FNDISI
        db 0xDB, 0xE4                   ; FNSETPM
        CHECK_SW 0xFFFF, 0
%macro UD 2         ; two bytes
        EXPECT_EXC %%r
%%i:    db %1, %2
%%r:    CHECK_EXC 6, %%i
%endmacro
        UD 0xD9, 0xD1
        UD 0xD9, 0xE2
        UD 0xDA, 0xE8
        UD 0xDB, 0xE5
        UD 0xDD, 0xF0
        UD 0xDE, 0xD8
        UD 0xDF, 0xE1
        EXPECT_EXC .u1
.ud1:   db 0xD9, 0x0E, 0x00, 0x23       ; D9 /1 m: reserved
.u1:    CHECK_EXC 6, .ud1
        QEMU_SKIP_BEGIN "FISTTP (SSE3) executes on -cpu pentium3, which has no SSE3 (SDM vol. 2, FISTTP: #UD without CPUID.1:ECX.SSE3)"
        EXPECT_EXC .u2
.ud2:   db 0xDB, 0x0E, 0x00, 0x23       ; DB /1: FISTTP is SSE3, not P6
.u2:    CHECK_EXC 6, .ud2
        QEMU_SKIP_END
        fninit

        ROM_END
