; =============================================================================
; fpu-pm.asm - the x87 in 32-bit protected mode with paging:
;  * #MF is delivered through IDT vector 16 (no error code) at the next waiting
;    instruction with CR0.NE=1 (SDM vol. 3, 6.15 "Interrupt 16"; vol. 1, 8.6),
;    and #NM through vector 7 for CR0.TS (vol. 3, 2.5).
;  * FNSTENV/FLDENV and FNSAVE/FRSTOR in the 32-bit and (o16) 16-bit protected-mode
;    layouts: FIP/FCS/FOP/FDP/FDS of the last non-control instruction as
;    selector:offset (SDM vol. 1, 8.1.8-8.1.10, figures 8-9 and 8-10).
;  * A page fault in the middle of an x87 memory access leaves everything as it was:
;    nothing stored in the first page, no pop, no FNINIT after a faulting FNSAVE,
;    no change from a faulting FRSTOR/FLD m80 (#PF is a fault: SDM vol. 3, 6.5).
; =============================================================================
%include "rom.inc"
%include "pm.inc"

T80     equ PMV_USER            ; 10-byte scratch
W       equ PMV_USER + 0x10
ENV     equ 0x41000             ; environment / save areas
ENV2    equ 0x41100
ZEROF   equ 0x41200             ; 0.0 as m32real
EDGE    equ 0x5FFFC             ; 4 bytes before a not-present page
HOLE    equ 0x60000

FE_IE equ 1
FE_ZE equ 4
FS_ES equ 0x80
FS_B  equ 0x8000

%macro CHECK_T 4
        NEWCHECK
%defstr __d %1 == %2:%3%4
        _CHKX 2, word [%1+8], %2, __d
        _CHKX 4, dword [%1+4], %3, __d
        _CHKX 4, dword [%1], %4, __d
%endmacro
%macro CHECK_ST0 3
        fld st0
        fstp tword [T80]
        CHECK_T T80, %1, %2, %3
%endmacro
%macro CHECK_SW 2
        fnstsw ax
        and eax, (%1)
        CHECK eax, ((%2) & (%1))
%endmacro
%macro SETCW 1
        mov word [W], %1
        fldcw [W]
%endmacro
; PF_AT error_code, <instruction> - one check: #PF with that error code and
; CR2 = HOLE; resumes after the instruction.
%macro PF_AT 2+
        PM_EXPECT %%after
%%at:   %2
%%after:
        NEWCHECK
        _CHKX 1, byte [PMV_VEC], 14, "vector"
        _CHKX 4, dword [PMV_ERR], %1, "#PF error code"
        _CHKX 4, dword [PMV_CR2], HOLE, "CR2"
        _CHKX 4, dword [PMV_EIP], %%at - $$, "pushed EIP"
%endmacro

        ROM_BEGIN "fpu-pm"
        GROUP "32-bit protected mode, paging"
        PM_INIT_PAGED
        mov eax, cr0
        and eax, CR0_PE|CR0_PG
        CHECK eax, CR0_PE|CR0_PG
        mov dword [ZEROF], 0

; ---------------------------------------------------------------------------
        GROUP "#MF through IDT vector 16"
        mov eax, cr0
        or eax, 0x20                    ; NE
        mov cr0, eax
        fninit
        SETCW 0x037B                    ; unmask #Z
        fld1
.div:   fdiv dword [ZEROF]              ; D8 35: 1/0 with #Z unmasked: pending
        fnstenv [ENV]                   ; no-wait: 32-bit protected-mode layout
        o16 fnstenv [ENV2]              ; 16-bit layout
        CHECK_SW 0x3F|FS_ES|FS_B, FE_ZE|FS_ES|FS_B
        QEMU_SKIP_BEGIN "waiting x87 instructions do not report pending exceptions, only WAIT does, and an unmasked #Z still stores (SDM vol. 1, 8.6, 8.5.3)"
        PM_EXPECT .r1
.mf1:   fld1
.r1:    PM_CHECK_EXC 16, .mf1
        CHECKB [PMV_HASERR], 0          ; #MF pushes no error code
        fnclex
        CHECK_ST0 0x3FFF, 0x80000000, 0 ; the divide did not happen
        QEMU_SKIP_END
        CHECKW [ENV+0], 0x037B
        QEMU_SKIP_BEGIN "an unmasked #Z still stores the infinity, tagged special (SDM vol. 1, 8.5.3)"
        CHECKW [ENV+8], 0x3FFF          ; R7 valid (1.0), the rest empty
        QEMU_SKIP_END
        CHECKD [ENV+12], .div - $$      ; FIP: offset in CS
        CHECKW [ENV+16], PM_CODE        ; FCS
        CHECKD [ENV+20], ZEROF          ; FDP
        CHECKW [ENV+24], PM_DATA        ; FDS
        CHECKW [ENV2+6], .div - $$
        CHECKW [ENV2+8], PM_CODE
        CHECKW [ENV2+10], ZEROF & 0xFFFF
        CHECKW [ENV2+12], PM_DATA
        QEMU_SKIP_BEGIN "FNSTENV stores zeros in the reserved halves and no opcode (SDM vol. 1, figure 8-9)"
        CHECKD [ENV+0], 0xFFFF037B
        CHECKD [ENV+16], (0x035 << 16) | PM_CODE   ; FOP = D8 35 -> 035h
        CHECKD [ENV+24], 0xFFFF0000 | PM_DATA
        QEMU_SKIP_END
        ; FLDENV of the saved image brings the pending exception back
        fldenv [ENV]
        CHECK_SW FS_ES|FS_B|0x3F, FE_ZE|FS_ES|FS_B
        QEMU_SKIP_BEGIN "waiting x87 instructions do not report pending exceptions; only WAIT raises #MF (SDM vol. 1, 8.6)"
        PM_EXPECT .r2
.mf2:   fldz
.r2:    PM_CHECK_EXC 16, .mf2
        QEMU_SKIP_END
        PM_EXPECT .r3
.mf3:   fwait
.r3:    PM_CHECK_EXC 16, .mf3
        fninit
        mov eax, cr0
        and eax, ~0x20
        mov cr0, eax

; ---------------------------------------------------------------------------
        GROUP "#NM through IDT vector 7"
        mov eax, cr0
        or eax, 0x08                    ; TS
        mov cr0, eax
        PM_FAULT 7, fld1
        PM_NO_FAULT fwait               ; MP = 0
        clts
        PM_NO_FAULT fld1
        fninit

; ---------------------------------------------------------------------------
        GROUP "fnsave/frstor 32-bit protected mode"
        fninit
        SETCW 0x0E7F
        fldpi
        fld1
        fnsave [ENV]                    ; 108 bytes
        CHECK_SW 0xFFFF, 0
        CHECKW [ENV+0], 0x0E7F
        CHECKW [ENV+4], (6 << 11)
        CHECKW [ENV+8], 0x0FFF
        CHECK_T ENV+28, 0x3FFF, 0x80000000, 0
        CHECK_T ENV+38, 0x4000, 0xC90FDAA2, 0x2168C234  ; FLDPI rounded down (RC = chop)
        mov word [ENV+28+8], 0xBFFF     ; ST0 := -1
        frstor [ENV]
        fnstcw [W]
        CHECKW [W], 0x0E7F
        CHECK_ST0 0xBFFF, 0x80000000, 0
        o16 fnsave [ENV2]               ; 94 bytes
        CHECKW [ENV2+0], 0x0E7F
        CHECK_T ENV2+14, 0xBFFF, 0x80000000, 0
        CHECK_T ENV2+24, 0x4000, 0xC90FDAA2, 0x2168C234
        o16 frstor [ENV2]
        CHECK_SW 0x3800, (6 << 11)
        fninit

; ---------------------------------------------------------------------------
        GROUP "page faults leave the x87 unchanged"
        mov dword [PM_PT0 + (HOLE >> 12) * 4], 0        ; page 60000h not present
        invlpg [HOLE]
        mov dword [EDGE], 0xAAAAAAAA
        fninit
        SETCW 0x0A7F
        fldpi
        PF_AT 2, fstp tword [EDGE]      ; 10 bytes across the hole
        CHECKD [EDGE], 0xAAAAAAAA       ; nothing stored in the first page
        CHECK_SW 0x3800, (7 << 11)      ; not popped
        PF_AT 2, fistp qword [EDGE]
        CHECKD [EDGE], 0xAAAAAAAA
        CHECK_SW 0x3800, (7 << 11)
        ; (QEMU stores FBSTP's sign byte first, so its CR2 is HOLE + 5; the SDM leaves the
        ; order of the bytes of one access open, so only the vector is checked here)
        PM_EXPECT .r4
.fb:    fbstp tword [EDGE]
.r4:    PM_CHECK_EXC 14, .fb
        CHECK_SW 0x3800, (7 << 11)
        PF_AT 0, fld tword [EDGE]       ; a read across the hole: no push
        CHECK_SW 0x3800, (7 << 11)
        QEMU_SKIP_BEGIN "FRSTOR and FNSAVE that fault part-way have already loaded/stored the environment (SDM vol. 3, 6.5: a fault leaves the state of the instruction's start)"
        PF_AT 0, frstor [EDGE - 100]    ; nothing loaded
        fnstcw [W]
        CHECKW [W], 0x0A7F
        CHECK_SW 0x3800, (7 << 11)
        mov dword [EDGE - 100], 0xAAAAAAAA
        PF_AT 2, fnsave [EDGE - 100]    ; no bytes stored, no FNINIT
        CHECKD [EDGE - 100], 0xAAAAAAAA
        fnstcw [W]
        CHECKW [W], 0x0A7F
        CHECK_ST0 0x4000, 0xC90FDAA2, 0x2168C235
        QEMU_SKIP_END
        mov dword [PM_PT0 + (HOLE >> 12) * 4], HOLE | PG_P | PG_W | PG_U
        invlpg [HOLE]
        fstp tword [EDGE]               ; now it works
        CHECK_T EDGE, 0x4000, 0xC90FDAA2, 0x2168C235
        fninit

        PM_ROM_END
