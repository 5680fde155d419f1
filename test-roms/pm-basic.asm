; =============================================================================
; pm-basic.asm - descriptor tables, mode switches and segment loads.
;
;  * LGDT/SGDT/SIDT in real mode (a 16-bit LGDT loads a 24-bit base: SDM
;    Vol. 2 LGDT), entering protected mode, a far jump into 32-bit code, a
;    16-bit protected-mode code segment, back to real mode and in again.
;  * Segment register loads (MOV, POP, LDS/LFS/LSS, far JMP) and their
;    faults, following the MOV/POP/LDS/JMP pseudo-code of SDM Vol. 2:
;    null selectors (loading DS/ES/FS/GS is fine, using them is #GP(0),
;    SS is #GP(0)); a selector beyond the GDT/LDT limit is #GP(selector);
;    wrong types are #GP(selector); type and privilege are checked before
;    presence; not present is #NP(selector) or #SS(selector) for SS;
;    RPL/CPL/DPL rules for data and conforming code (Vol. 3A 5.6-5.8).
;    Error codes: the selector with bits 1:0 (RPL) replaced by EXT/IDT,
;    i.e. 0 here; bit 2 (TI) kept (Vol. 3A 6.13).
;  * Limit checks (Vol. 3A 5.3) for expand-up, expand-down (B=0: upper bound
;    FFFFh, B=1: FFFFFFFFh) and page-granular segments, through DS/ES
;    (#GP(0)) and SS (#SS(0)); writing a read-only data segment or any code
;    segment, and reading an execute-only code segment through CS (#GP(0),
;    Vol. 3A 5.4 "Type Checking").
;    QEMU deviation: QEMU TCG checks none of these on data accesses (it only
;    adds the segment base); those checks are skipped under QEMU.
;  * The accessed bit is set in the descriptor by a segment load (Vol. 3A
;    3.4.5.1), and not by a load that faults.
;  * LAR/LSL/VERR/VERW (ZF and results; LAR masks the high dword with
;    00FxFF00h, bits 19:16 are undefined and masked here), ARPL, and
;    LLDT/SLDT/LTR/STR with their faults (a 32-bit STR/SLDT destination is
;    zero-extended on P6-family processors).
;  * A 16-bit stack segment (B=0) uses SP and leaves ESP[31:16] alone; a
;    32-bit one uses ESP (Vol. 3A 3.4.5, "D/B flag").
; =============================================================================
%include "rom.inc"
%include "pm.inc"

; test selectors (GDT slots from PM_FREE_SEL)
S_XO    equ 0x90        ; execute-only 32-bit code, base F0000
S_RO    equ 0x98        ; read-only data, base 40000h, limit FFFFh
S_NP    equ 0xA0        ; RW data, not present
S_NPC   equ 0xA8        ; code, not present
S_NPX   equ 0xB0        ; execute-only code, not present
S_CONF  equ 0xB8        ; conforming readable code, DPL 0
S_LIM   equ 0xC0        ; RW data, base 40000h, limit FFFh, expand-up
S_DOWN  equ 0xC8        ; expand-down, base 40000h, limit FFFh, B=1
S_DOWN16 equ 0xD0       ; expand-down, base 40000h, limit FFFh, B=0
S_GRAN  equ 0xD8        ; G=1, limit 0 (= FFFh), base 40000h
S_ACC   equ 0xE0        ; RW data with A=0
S_NPACC equ 0xE8        ; not present, A=0
S_CODEA equ 0xF0        ; 32-bit code with A=0
S_ST16  equ 0xF8        ; 16-bit stack: base 50000h, limit FFFFh, B=0
S_ST32  equ 0x100       ; 32-bit stack: base 50000h, limit 1FFFFh, B=1
S_STK   equ 0x108       ; stack base 0, limit 1FFFFh (covers the ring-0 stack)
S_GATE  equ 0x110       ; a call gate
S_IGATE equ 0x118       ; an interrupt-gate type in the GDT (invalid for LAR)
S_TGATE equ 0x120       ; a task gate
S_TSS2  equ 0x128       ; a second 32-bit TSS (available)
S_NPTSS equ 0x130       ; TSS, not present
S_NPLDT equ 0x138       ; LDT, not present
S_RW4   equ 0x140       ; RW data, base 40000h, limit FFFFFh, G=1

SCR     equ PM_SCRATCH  ; 40000h

; LARCHK selector, expected - one check: LAR r32 sets ZF and the masked
; access rights (expected = -1: ZF=0 and the destination unchanged).
%macro LARCHK 2
        mov ebx, %1
        mov eax, 0x5A5A5A5A
        lar eax, ebx
%if (%2) == -1
        CHECK_RF eax, 0x5A5A5A5A, FL_ZF, 0
%else
        CHECK_FLAGS FL_ZF, FL_ZF
        and eax, 0x00F0FF00
        CHECK eax, %2
%endif
%endmacro

; LSLCHK selector, expected - likewise for LSL (the byte-granular limit).
%macro LSLCHK 2
        mov ebx, %1
        mov eax, 0x5A5A5A5A
        lsl eax, ebx
%if (%2) == -1
        CHECK_RF eax, 0x5A5A5A5A, FL_ZF, 0
%else
        CHECK_RF eax, %2, FL_ZF, FL_ZF
%endif
%endmacro

; VCHK verr|verw, selector, zf - one check of ZF after VERR/VERW.
%macro VCHK 3
        mov ebx, %2
        SETFLAGS (1-(%3))*FL_ZF
        %1 bx
        CHECK_FLAGS FL_ZF, (%3)*FL_ZF
%endmacro

rodata: dd 0x11223344

ROM_BEGIN "pm-basic"

GROUP "real mode: SIDT/LGDT/SGDT, ARPL is #UD"
        o32 sidt [0x1000]
        CHECKW [0x1000], 0xFFFF                 ; IDTR after reset: limit FFFFh
        CHECKD [0x1002], 0                      ; base 0
        mov word [0x1010], 0x1234
        mov dword [0x1012], 0xAB345678
        lgdt [0x1010]                           ; 16-bit operand: 24-bit base
        mov dword [0x1022], 0xFFFFFFFF
        o32 sgdt [0x1020]
        CHECKW [0x1020], 0x1234
        CHECKD [0x1022], 0x00345678
        o32 lgdt [0x1010]
        o32 sgdt [0x1020]
        CHECKD [0x1022], 0xAB345678
        EXPECT_EXC .arpl_after                  ; ARPL is #UD in real mode
.arpl:  arpl ax, bx
.arpl_after:
        CHECK_EXC 6, .arpl

GROUP "enter protected mode"
        PM_INIT
        sgdt [SCR]
        CHECKW [SCR], PM_GDT_LIMIT
        CHECKD [SCR+2], PM_GDT
        sidt [SCR]
        CHECKW [SCR], PM_IDT_LIMIT
        CHECKD [SCR+2], PM_IDT
        mov eax, cr0
        and eax, CR0_PE|CR0_PG
        CHECK eax, CR0_PE
        smsw ax
        and ax, 1
        CHECK ax, 1
        CHECK cs, PM_CODE
        CHECK ss, PM_DATA
        db 0xB8, 0x78, 0x56, 0x34, 0x12         ; B8 imm32: 32-bit operand size
        CHECK eax, 0x12345678
        mov ebx, 0xFFFFFFFF
        str ebx
        CHECK ebx, PM_TSS_SEL                   ; zero-extended
        mov ebx, 0xFFFFFFFF
        sldt ebx
        CHECK ebx, 0                            ; LDTR never loaded

GROUP "16-bit protected-mode code segment"
        mov ebx, esp
        jmp PM_CODE16:.c16
bits 16
.c16:   mov eax, 0xFFFFFFFF
        db 0xB8, 0x34, 0x12                     ; B8 imm16 here
        push ax                                 ; 2 bytes, ESP (SS is 32-bit)
        mov ecx, esp
        pop dx
        call .near16                            ; pushes a 2-byte IP
        jmp dword PM_CODE:.back32
.near16:
        mov esi, esp
        ret
bits 32
.back32:
        CHECK eax, 0xFFFF1234
        sub ebx, ecx
        CHECK ebx, 2
        CHECK dx, 0x1234
        mov ebx, esp
        sub ebx, esi
        CHECK ebx, 2
        CHECK cs, PM_CODE

GROUP "back to real mode and into protected mode again"
        PM_TO_REAL
        mov eax, cr0
        and eax, CR0_PE
        CHECK eax, 0
        CHECK cs, ROM_SEG
        mov word [0x1000], 0x5AA5
        CHECKW [0x1000], 0x5AA5
        EXPECT_EXC 0
        int 0x40                                ; through the IVT again
.rm_int:
        CHECK_EXC 0x40, .rm_int
        PM_REENTER
        CHECK cs, PM_CODE
        mov eax, cr0
        and eax, CR0_PE
        CHECK eax, CR0_PE
        mov ebx, 0xFFFFFFFF
        str ebx
        CHECK ebx, PM_TSS_SEL                   ; TR survived
        xor eax, eax
        PM_FAULT_E 13, 0, mov ss, ax            ; the PM recorder again

GROUP "null selectors"
        xor eax, eax
        PM_NO_FAULT mov ds, ax                  ; loading null: fine
        CHECK ds, 0
        mov ax, 3
        PM_NO_FAULT mov es, ax                  ; null with RPL 3
        push strict dword 0
        PM_NO_FAULT pop fs
        ; SDM Vol. 3A 5.4.1 "Null Segment Selector Checking": a memory
        ; reference through a segment register holding a null selector is
        ; #GP(0).  QEMU TCG does not check it (it uses base 0).
        QEMU_SKIP_BEGIN "access through a null DS/ES/FS (SDM Vol. 3A 5.4.1: #GP(0)); QEMU TCG does not check"
        PM_FAULT_E 13, 0, mov ebx, [0x1000]     ; using DS: #GP(0)
        PM_FAULT_E 13, 0, mov dword [ds:0x1000], 1
        PM_FAULT_E 13, 0, mov ebx, [es:0x1000]
        PM_FAULT_E 13, 0, mov ebx, [fs:0x1000]
        QEMU_SKIP_END
        xor eax, eax
        PM_FAULT_E 13, 0, mov ss, ax            ; null SS: #GP(0)
        mov ax, 3
        PM_FAULT_E 13, 0, mov ss, ax
        CHECK ss, PM_DATA
        PM_FAULT_E 13, 0, jmp 0:0               ; null CS
        mov ax, PM_DATA
        mov ds, ax
        mov dword [SCR], 0x1234
        mov word [SCR+4], 0
        mov ebx, esp
        PM_FAULT_E 13, 0, lss esp, [SCR]        ; LSS with a null selector
        sub ebx, esp
        CHECK ebx, 0                           ; ... changed nothing
        PM_NO_FAULT lgs edx, [SCR]              ; LGS null: fine
        CHECK2 gs, 0, edx, 0x1234
        mov ax, PM_DATA
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax

GROUP "selector beyond the table limit"
        mov ax, 0x800
        PM_FAULT_E 13, 0x800, mov ds, ax        ; index 256, limit 7FFh
        mov ax, 0x803
        PM_FAULT_E 13, 0x800, mov es, ax        ; RPL not in the error code
        mov ax, 0xFFFF
        PM_FAULT_E 13, 0xFFFC, mov fs, ax       ; TI=1, LDT not loaded
        SET_DESC 0x90, 0, 0xFFFFF, ACC_DATA_RW|ACC_A, DF_G|DF_DB
        mov word [SCR], 0x97                    ; GDT limit: slot 90h is the
        mov dword [SCR+2], PM_GDT               ; last one, fully inside
        lgdt [SCR]
        mov ax, 0x90
        PM_NO_FAULT mov es, ax
        mov word [SCR], 0x96                    ; one byte short
        lgdt [SCR]
        PM_FAULT_E 13, 0x90, mov fs, ax
        lgdt [cs:__pm_gdtr]
        ; LDT (limit FFh: 32 descriptors)
        SET_DESC_AT PM_LDT+0x08, SCR, 0xFFFF, ACC_DATA_RW|ACC_A, DF_DB
        SET_DESC_AT PM_LDT+0xF8, SCR, 0xFFFF, ACC_DATA_RW|ACC_A|ACC_DPL(3), DF_DB
        mov ax, PM_LDT_SEL
        lldt ax
        mov ax, 0x0C                            ; LDT index 1
        PM_NO_FAULT mov fs, ax
        mov dword [fs:0x10], 0xCAFE0001         ; base 40000h
        CHECKD [SCR+0x10], 0xCAFE0001
        mov ax, 0xFF                            ; index 31 (last), RPL 3
        PM_NO_FAULT mov gs, ax
        mov ax, 0x104                           ; index 32: beyond FFh
        PM_FAULT_E 13, 0x104, mov gs, ax
        mov ax, PM_DATA
        mov fs, ax
        mov gs, ax

GROUP "descriptor types"
        SET_DESC S_XO, 0xF0000, 0xFFFF, ACC_CODE_X|ACC_A, DF_DB
        SET_DESC S_RO, SCR, 0xFFFF, ACC_DATA_RO|ACC_A, DF_DB
        SET_GATE S_GATE, PM_CODE, OFS(rodata), ACC_CALL32, 0
        mov ax, S_XO
        PM_FAULT_E 13, S_XO, mov ds, ax         ; execute-only code into DS
        mov ax, PM_CODE
        PM_NO_FAULT mov ds, ax                  ; readable code: fine
        mov eax, [ds:rodata]
        CHECK eax, 0x11223344
        mov ax, PM_DATA
        mov ds, ax
        mov ax, PM_TSS_SEL
        PM_FAULT_E 13, PM_TSS_SEL, mov es, ax   ; system segment
        mov ax, PM_LDT_SEL
        PM_FAULT_E 13, PM_LDT_SEL, mov fs, ax
        mov ax, S_GATE
        PM_FAULT_E 13, S_GATE, mov gs, ax       ; a gate
        mov ax, S_RO
        PM_NO_FAULT mov es, ax                  ; read-only data into ES: fine
        PM_FAULT_E 13, S_RO, mov ss, ax         ; but not into SS
        mov ax, PM_CODE
        PM_FAULT_E 13, PM_CODE, mov ss, ax      ; code into SS
        mov ax, PM_DATA3
        PM_FAULT_E 13, PM_DATA3 & ~3, mov ss, ax ; RPL 3 != CPL 0
        mov ax, PM_DATA3 & ~3
        PM_FAULT_E 13, PM_DATA3 & ~3, mov ss, ax ; DPL 3 != CPL 0
        PM_FAULT_E 13, PM_DATA, jmp PM_DATA:0   ; far jump to data
        PM_FAULT_E 13, PM_LDT_SEL, jmp PM_LDT_SEL:0
        PM_FAULT_E 13, S_RO, call S_RO:0        ; far call to data
        CHECK ss, PM_DATA
        mov ax, PM_DATA
        mov ds, ax
        mov es, ax

GROUP "not present"
        SET_DESC S_NP, 0, 0xFFFFF, (ACC_DATA_RW & ~ACC_P)|ACC_A, DF_G|DF_DB
        SET_DESC S_NPC, 0xF0000, 0xFFFF, (ACC_CODE_XR & ~ACC_P)|ACC_A, DF_DB
        SET_DESC S_NPX, 0xF0000, 0xFFFF, (ACC_CODE_X & ~ACC_P)|ACC_A, DF_DB
        mov ax, S_NP
        PM_FAULT_E 11, S_NP, mov ds, ax         ; #NP(sel)
        PM_FAULT_E 11, S_NP, mov gs, ax
        PM_FAULT_E 12, S_NP, mov ss, ax         ; #SS(sel) for SS
        push eax
        mov ebx, esp
        PM_FAULT_E 11, S_NP, pop es
        sub ebx, esp
        CHECK ebx, 0                           ; POP did not complete
        pop eax
        PM_FAULT_E 11, S_NPC, jmp S_NPC:0       ; far jump: #NP(sel)
        mov ax, S_NPX
        PM_FAULT_E 13, S_NPX, mov ds, ax        ; type before presence
        mov ax, S_NP|3
        PM_FAULT_E 13, S_NP, mov ds, ax         ; privilege before presence
        mov dword [SCR], 0x1234
        mov word [SCR+4], S_NP
        mov ebx, 0x5555
        PM_FAULT_E 11, S_NP, lds ebx, [SCR]
        CHECK ebx, 0x5555                       ; LDS changed nothing
        PM_FAULT_E 12, S_NP, lss ebx, [SCR]
        CHECK2 ebx, 0x5555, ss, PM_DATA
        mov ax, PM_DATA
        mov ds, ax

GROUP "privilege: RPL, CPL, DPL"
        SET_DESC S_CONF, 0xF0000, 0xFFFF, ACC_CODE_XR|ACC_CONFORMING|ACC_A, DF_DB
        mov ax, PM_DATA|3
        PM_FAULT_E 13, PM_DATA, mov ds, ax      ; RPL 3 > DPL 0
        mov ax, PM_DATA|3
        PM_FAULT_E 13, PM_DATA, mov fs, ax
        mov ax, S_CONF|3
        PM_NO_FAULT mov ds, ax                  ; conforming: no check
        mov eax, [ds:rodata]
        CHECK eax, 0x11223344
        mov ax, PM_DATA
        mov ds, ax
        mov ax, PM_DATA3
        PM_NO_FAULT mov es, ax                  ; DPL 3 from CPL 0
        mov ax, PM_DATA
        mov ds, ax
        mov es, ax
        ; from outer rings
        mov ax, PM_DATA
        PM_RING_FAULT 3, 13, PM_DATA, mov ds, ax
        mov ax, PM_DATA3
        PM_RING_OK 3, mov ds, ax
        mov ax, PM_DATA1
        PM_RING_FAULT 3, 13, PM_DATA1 & ~3, mov es, ax ; DPL 1 < CPL 3
        mov ax, PM_DATA1
        PM_RING_OK 1, mov es, ax
        mov ax, (PM_DATA1 & ~3) | 2
        PM_RING_FAULT 1, 13, PM_DATA1 & ~3, mov es, ax ; RPL 2 > DPL 1
        mov ax, PM_DATA2
        PM_RING_OK 1, mov fs, ax                ; DPL 2 from CPL 1
        mov ax, PM_DATA
        PM_RING_FAULT 3, 13, PM_DATA, mov ss, ax
        mov ax, PM_DATA2
        PM_RING_FAULT 3, 13, PM_DATA2 & ~3, mov ss, ax
        mov ax, S_CONF|3
        PM_RING_OK 3, mov gs, ax                ; conforming readable code

GROUP "limits and types at access time"
        SET_DESC S_LIM, SCR, 0xFFF, ACC_DATA_RW|ACC_A, DF_DB
        SET_DESC S_GRAN, SCR, 0, ACC_DATA_RW|ACC_A, DF_G|DF_DB
        SET_DESC S_DOWN, SCR, 0xFFF, ACC_DATA_RW|ACC_DATA_DOWN|ACC_A, DF_DB
        SET_DESC S_DOWN16, SCR, 0xFFF, ACC_DATA_RW|ACC_DATA_DOWN|ACC_A, 0
        SET_DESC S_STK, 0, 0x1FFFF, ACC_DATA_RW|ACC_A, DF_DB
        SET_DESC S_RO, SCR, 0xFFFF, ACC_DATA_RO|ACC_A, DF_DB
        ; the base is applied (also checked under QEMU)
        mov ax, S_LIM
        mov es, ax
        mov dword [es:0x10], 0x600DF00D
        CHECKD [SCR+0x10], 0x600DF00D
        mov ax, S_DOWN
        mov es, ax
        mov dword [es:0xFFFFFFF0], 0x0BADCAFE    ; base + offset wraps: 3FFF0h
        CHECKD [SCR-0x10], 0x0BADCAFE
        mov ax, S_RO
        mov es, ax
        mov eax, [es:0x10]                      ; read-only: reads work
        CHECK eax, 0x600DF00D
        ; SDM Vol. 3A 5.3 "Limit Checking" and 5.4 "Type Checking"; QEMU TCG
        ; does not check segment limits or types on data accesses.
        QEMU_SKIP_BEGIN "data segment limit/type checks (SDM Vol. 3A 5.3, 5.4); QEMU TCG does not check them"
        mov ax, S_LIM
        mov es, ax
        PM_NO_FAULT mov eax, [es:0xFFC]         ; last dword inside
        PM_NO_FAULT mov al, [es:0xFFF]
        PM_FAULT_E 13, 0, mov eax, [es:0xFFD]   ; its last byte at 1000h
        PM_FAULT_E 13, 0, mov al, [es:0x1000]
        mov dword [SCR+0xFFC], 0x11111111
        mov dword [SCR+0x1000], 0x22222222
        PM_FAULT_E 13, 0, mov dword [es:0xFFE], 0x55555555
        CHECKD [SCR+0xFFC], 0x11111111          ; nothing written
        CHECKD [SCR+0x1000], 0x22222222
        mov ax, S_GRAN                          ; G=1, limit 0: 0-FFFh
        mov es, ax
        PM_NO_FAULT mov al, [es:0xFFF]
        PM_FAULT_E 13, 0, mov al, [es:0x1000]
        mov ax, S_DOWN                          ; valid: 1000h-FFFFFFFFh
        mov es, ax
        PM_FAULT_E 13, 0, mov al, [es:0xFFF]
        PM_FAULT_E 13, 0, mov al, [es:0]
        PM_NO_FAULT mov eax, [es:0x1000]
        PM_FAULT_E 13, 0, mov eax, [es:0xFFE]   ; straddles the limit
        PM_NO_FAULT mov eax, [es:0xFFFFFFFC]
        PM_NO_FAULT mov al, [es:0x10000]
        mov ax, S_DOWN16                        ; valid: 1000h-FFFFh
        mov es, ax
        PM_NO_FAULT mov ax, [es:0xFFFE]
        PM_FAULT_E 13, 0, mov ax, [es:0xFFFF]
        PM_FAULT_E 13, 0, mov al, [es:0x10000]
        PM_FAULT_E 13, 0, mov al, [es:0xFFF]
        mov ax, S_STK                           ; SS limit 1FFFFh
        mov ss, ax
        mov ebx, 0x1FFFD
        xor ebp, ebp
        PM_FAULT_E 12, 0, mov eax, [ss:ebx]     ; #SS(0)
        PM_FAULT_E 12, 0, mov eax, [ebp+0x1FFFD] ; EBP base: SS too
        PM_NO_FAULT mov eax, [ds:ebx]           ; DS is flat
        mov ax, PM_DATA
        mov ss, ax
        mov ax, S_RO                            ; read-only: writes fault
        mov es, ax
        PM_FAULT_E 13, 0, mov byte [es:0x10], 1
        PM_FAULT_E 13, 0, inc dword [es:0x10]
        mov ax, PM_CODE                         ; code: never writable
        mov es, ax
        PM_FAULT_E 13, 0, mov [es:0x8000], eax
        PM_FAULT_E 13, 0, mov [cs:0x8000], eax
        SET_DESC S_XO, 0xF0000, 0xFFFF, ACC_CODE_X|ACC_A, DF_DB
        jmp S_XO:.xo                            ; run execute-only code
.xo:    PM_FAULT_E 13, 0, mov eax, [cs:rodata]  ; reading it: #GP(0)
        jmp PM_CODE:.xo_back
.xo_back:
        QEMU_SKIP_END
        mov ax, PM_DATA
        mov es, ax
        mov ss, ax

GROUP "accessed bit"
        SET_DESC S_ACC, 0, 0xFFFFF, ACC_DATA_RW, DF_G|DF_DB
        SET_DESC S_NPACC, 0, 0xFFFFF, ACC_DATA_RW & ~ACC_P, DF_G|DF_DB
        SET_DESC S_CODEA, 0xF0000, 0xFFFF, ACC_CODE_XR, DF_DB
        SET_DESC_AT PM_LDT+0x10, 0, 0xFFFFF, ACC_DATA_RW, DF_G|DF_DB
        mov ax, S_ACC|3
        PM_FAULT_E 13, S_ACC, mov fs, ax        ; faulting load (RPL > DPL)
        CHECKB [PM_GDT+S_ACC+5], ACC_DATA_RW    ; A still clear
        mov ax, S_ACC
        mov fs, ax
        CHECKB [PM_GDT+S_ACC+5], ACC_DATA_RW|ACC_A
        mov ax, S_NPACC
        PM_FAULT_E 11, S_NPACC, mov fs, ax
        CHECKB [PM_GDT+S_NPACC+5], ACC_DATA_RW & ~ACC_P
        jmp S_CODEA:.cs_a                       ; CS load sets it too
.cs_a:  jmp PM_CODE:.cs_back
.cs_back:
        ; SDM Vol. 3A 3.4.5.1: "The processor sets this bit whenever it
        ; loads a segment selector for the segment into a segment register"
        ; - CS included.  QEMU TCG does not set it on a far JMP.
        QEMU_SKIP_BEGIN "accessed bit set by a CS load (SDM Vol. 3A 3.4.5.1); QEMU TCG does not set it on a far JMP"
        CHECKB [PM_GDT+S_CODEA+5], ACC_CODE_XR|ACC_A
        QEMU_SKIP_END
        mov ax, 0x14                            ; LDT index 2
        mov gs, ax
        CHECKB [PM_LDT+0x10+5], ACC_DATA_RW|ACC_A
        mov ax, PM_DATA
        mov fs, ax
        mov gs, ax

GROUP "LAR"
        SET_GATE S_GATE, PM_CODE, OFS(rodata), ACC_CALL32|ACC_DPL(3), 2
        SET_GATE S_IGATE, PM_CODE, OFS(rodata), ACC_INT32, 0
        SET_GATE S_TGATE, PM_TSS_SEL, 0, ACC_TASKGATE, 0
        LARCHK PM_DATA, 0x00C09300
        LARCHK PM_CODE, 0x00409B00
        LARCHK PM_DATA16, 0x00009300
        LARCHK PM_CODE3, 0x0040FB00
        LARCHK PM_TSS_SEL, 0x00008B00           ; busy TSS
        LARCHK PM_LDT_SEL, 0x00008200
        LARCHK S_GATE, 0x0000EC00               ; call gate
        LARCHK S_TGATE, 0x00008500              ; task gate
        LARCHK S_IGATE, -1                      ; interrupt gate: invalid
        LARCHK 0, -1                            ; null
        LARCHK 0x800, -1                        ; beyond the GDT
        LARCHK S_NP, 0x00C01300                 ; not present is fine
        LARCHK PM_DATA|3, -1                    ; RPL 3 > DPL 0
        LARCHK S_CONF|3, 0x00409F00             ; conforming: no check
        mov ebx, PM_DATA
        mov eax, 0x5A5A5A5A
        lar ax, bx                              ; 16-bit: masked with FF00h
        CHECK_RF eax, 0x5A5A9300, FL_ZF, FL_ZF
        ; ring 3: DPL 0 data is invisible, DPL 3 visible
        mov esi, PM_DATA
        mov edi, PM_DATA3
        PM_RUN_RING 3, .lar3
        jmp .lar3_done
.lar3:  mov edx, 0x5A5A5A5A
        lar edx, esi
        lar edi, edi
        PM_BACK
.lar3_done:
        CHECK edx, 0x5A5A5A5A
        and edi, 0x00F0FF00
        CHECK edi, 0x00C0F300

GROUP "LSL"
        LSLCHK PM_DATA, 0xFFFFFFFF              ; G=1
        LSLCHK PM_CODE, 0xFFFF
        LSLCHK S_LIM, 0xFFF
        LSLCHK S_GRAN, 0xFFF
        LSLCHK PM_TSS_SEL, PM_TSS_LIMIT
        LSLCHK PM_LDT_SEL, 0xFF
        LSLCHK S_GATE, -1                       ; gates have no limit
        LSLCHK S_TGATE, -1
        LSLCHK 0, -1
        LSLCHK PM_DATA|3, -1
        SET_DESC S_RW4, SCR, 0xFFFFF, ACC_DATA_RW|ACC_A, DF_DB
        LSLCHK S_RW4, 0xFFFFF
        mov ebx, PM_DATA
        mov eax, 0x5A5A5A5A
        lsl ax, bx                              ; 16-bit: low word of FFFFFFFF
        CHECK_RF eax, 0x5A5AFFFF, FL_ZF, FL_ZF

GROUP "VERR / VERW"
        VCHK verr, PM_DATA, 1
        VCHK verw, PM_DATA, 1
        VCHK verr, PM_CODE, 1                   ; readable code
        VCHK verw, PM_CODE, 0
        VCHK verr, S_XO, 0                      ; execute-only
        VCHK verr, S_RO, 1
        VCHK verw, S_RO, 0
        VCHK verr, 0, 0
        VCHK verw, 0x800, 0
        VCHK verr, PM_TSS_SEL, 0
        VCHK verr, PM_DATA|3, 0                 ; RPL > DPL
        VCHK verr, S_CONF|3, 1                  ; conforming readable code
        VCHK verw, PM_DATA3, 1
        mov esi, PM_DATA
        mov edi, PM_DATA3
        PM_RUN_RING 3, .ver3
        jmp .ver3_done
.ver3:  mov edx, 0
        verw si
        setz dl
        verw di
        setz dh
        PM_BACK
.ver3_done:
        CHECK dx, 0x0100

GROUP "ARPL"
        mov ax, 0x0010
        mov bx, 0x0003
        SETFLAGS 0
        arpl ax, bx
        CHECK_RF ax, 0x0013, FL_ZF, FL_ZF
        arpl ax, bx
        CHECK_RF ax, 0x0013, FL_ZF, 0
        mov bx, 0x0001
        SETFLAGS FL_ZF
        arpl ax, bx
        CHECK_RF ax, 0x0013, FL_ZF, 0
        mov word [SCR], 0xFF11
        mov cx, 0x0002
        arpl [SCR], cx
        CHECK_FLAGS FL_ZF, FL_ZF
        CHECKW [SCR], 0xFF12

GROUP "LLDT / SLDT"
        mov ax, PM_LDT_SEL
        lldt ax
        mov ebx, 0xFFFFFFFF
        sldt ebx
        CHECK ebx, PM_LDT_SEL
        mov word [SCR], 0xFFFF
        sldt [SCR]
        CHECKW [SCR], PM_LDT_SEL
        mov ax, PM_DATA
        PM_FAULT_E 13, PM_DATA, lldt ax         ; not an LDT
        mov ax, 0x0C|4
        PM_FAULT_E 13, 0x0C, lldt ax            ; TI=1
        SET_DESC S_NPLDT, PM_LDT, 0xFF, ACC_LDT & ~ACC_P, 0
        mov ax, S_NPLDT
        PM_FAULT_E 11, S_NPLDT, lldt ax         ; not present
        mov ebx, 0xFFFFFFFF
        sldt ebx
        CHECK ebx, PM_LDT_SEL                   ; unchanged
        xor eax, eax
        PM_NO_FAULT lldt ax                     ; null: fine
        sldt ebx
        CHECK ebx, 0
        mov ax, 0x0C
        PM_FAULT_E 13, 0x0C, mov fs, ax         ; no LDT now
        mov ax, PM_LDT_SEL
        lldt ax

GROUP "LTR / STR"
        CHECKB [PM_GDT+PM_TSS_SEL+5], ACC_TSS32_BUSY
        mov ax, PM_TSS_SEL
        PM_FAULT_E 13, PM_TSS_SEL, ltr ax       ; already busy
        mov ax, PM_DATA
        PM_FAULT_E 13, PM_DATA, ltr ax          ; not a TSS
        ; SDM Vol. 2 LTR: "#GP(0) If the source operand contains a NULL
        ; segment selector."  QEMU TCG accepts it (and invalidates TR).
        QEMU_SKIP_BEGIN "LTR with a null selector (SDM Vol. 2 LTR: #GP(0)); QEMU TCG loads it"
        xor eax, eax
        PM_FAULT_E 13, 0, ltr ax                ; null
        QEMU_SKIP_END
        mov ax, PM_TSS_SEL|4
        PM_FAULT_E 13, PM_TSS_SEL|4, ltr ax     ; TI=1
        SET_DESC S_NPTSS, PM_TSS, PM_TSS_LIMIT, ACC_TSS32 & ~ACC_P, 0
        mov ax, S_NPTSS
        PM_FAULT_E 11, S_NPTSS, ltr ax          ; not present
        SET_DESC S_TSS2, PM_TSS, PM_TSS_LIMIT, ACC_TSS32, 0
        mov ax, S_TSS2
        PM_NO_FAULT ltr ax
        CHECKB [PM_GDT+S_TSS2+5], ACC_TSS32_BUSY ; LTR marks it busy
        mov ebx, 0xFFFFFFFF
        str ebx
        CHECK ebx, S_TSS2
        mov word [SCR], 0xFFFF
        str [SCR]
        CHECKW [SCR], S_TSS2
        mov byte [PM_GDT+PM_TSS_SEL+5], ACC_TSS32 ; back to the main TSS
        mov ax, PM_TSS_SEL
        ltr ax

GROUP "16-bit and 32-bit stack segments"
        SET_DESC S_ST16, 0x50000, 0xFFFF, ACC_DATA_RW|ACC_A, 0
        SET_DESC S_ST32, 0x50000, 0x1FFFF, ACC_DATA_RW|ACC_A, DF_DB
        mov [PMV_USER], esp
        mov ax, S_ST16
        mov ss, ax
        mov esp, 0xABCD0010
        mov eax, 0x11223344
        push eax                                ; SP only: ESP[31:16] kept
        mov edx, esp
        push ax
        mov esi, esp
        mov esp, 0xABCD0000
        push ax                                 ; SP wraps to FFFEh
        mov edi, esp
        call .near                              ; 4 bytes at SP-4
        mov ecx, esp
        mov ax, S_ST32
        mov ss, ax
        mov esp, 0x00018000
        push eax                                ; full ESP
        mov ebx, esp
        mov ax, PM_DATA
        mov ss, ax
        mov esp, [PMV_USER]
        CHECK edx, 0xABCD000C
        CHECK esi, 0xABCD000A
        CHECK edi, 0xABCDFFFE
        CHECKD [0x5000C], 0x11223344
        CHECKW [0x5000A], 0x3344
        CHECKW [0x5FFFE], 0x3344
        CHECK ecx, 0xABCDFFFE                   ; RET popped it
        CHECK ebp, 0xABCDFFFA                   ; ESP inside the call
        CHECK ebx, 0x00017FFC
        CHECKD [0x67FFC], 0x11220100
        jmp .stk_done
.near:  mov ebp, esp
        ret
.stk_done:

        PM_ROM_END
