; =============================================================================
; pm-faults.asm - exception classes and priorities, debug registers, BOUND
; and ENTER in 32-bit code.
;
;  * SDM Vol. 3A 6.15 Table 6-4/6-5 (Interrupt 8, "Conditions for
;    Generating a Double Fault"): a contributory exception (#DE, #TS, #NP,
;    #SS, #GP) while delivering a contributory one, or a #PF or
;    contributory one while delivering a #PF, becomes #DF with error code
;    0 (its saved CS:EIP are undefined and not checked).  A benign first
;    exception (#BP, #BR, ...) and a contributory second one are handled
;    one after the other.  6.13: the error code's EXT bit (bit 0) is set
;    when the fault happened while delivering an event external to the
;    program (an earlier exception), not for INT n/INT3; bit 1 (IDT)
;    marks an IDT vector (error code = vector*8+2(+1)).
;    A fault while delivering #DF shuts the processor down: that is
;    pm-triplefault.asm.
;  * Vol. 3A 17.2-17.3: DR0-DR3 linear addresses, DR7 L0-L3, R/W (00
;    execute, 01 write, 11 read/write) and LEN (11 = 4 bytes); DR6 B0-B3
;    and BS (bit 14); DR6 reads its reserved bits as 1 (FFFF0FF0h on a P6)
;    and DR7 bit 10 as 1.  An instruction breakpoint is a fault taken
;    before the instruction; the handler sets RF in the pushed EFLAGS to
;    run it.  A data breakpoint is a trap after the access.  Single-step
;    (TF) is a trap after the instruction; several debug conditions met by
;    one instruction are reported by one #DB.
;  * 17.3.1.1: RF is cleared after the instruction; IRETD loads it; the
;    RF pushed for a fault-class exception is 1, except for an instruction
;    breakpoint #DB (0); traps and INT n push the current RF (0).
;  * 6.9 priorities: an instruction breakpoint (priority 4) comes before
;    any fault of the instruction itself (#GP, priority 7-9).
;  * The instruction-breakpoint targets run from a RAM copy with the flat
;    code segment PM_FLAT_CODE: QEMU 7.2 TCG crashes (SIGSEGV) when an
;    instruction breakpoint hits code in the ROM's code segment (base
;    F0000h).
;  * Vol. 2 BOUND (#BR, a fault; signed, inclusive bounds; 16- and 32-bit)
;    and ENTER/LEAVE (levels 0, 1, 2; 16-bit operand size in 32-bit code).
; Paging is on (PM_INIT_PAGED) for the #PF cases.
; =============================================================================
%include "rom.inc"
%include "pm.inc"

S_NP    equ 0x90        ; data segment, not present
S_BAD   equ 0x800       ; beyond the GDT
S_LDTU  equ 0x98        ; an LDT in an unmapped page
RAMCODE equ 0x60000     ; RAM copy of ramcode_start..end (run with flat CS)
; RAMLIN(label) - linear address of a label inside the RAM copy
%define RAMLIN(x) (RAMCODE + ((x) - ramcode_start))
SCR     equ PM_SCRATCH
VAR     equ SCR + 0x100 ; data breakpoint target

U       equ PMV_USER
D_COUNT equ U+0x00      ; db_handler: number of #DB
D_EIP   equ U+0x04      ; pushed EIP of the last one
D_EFL   equ U+0x08      ; pushed EFLAGS
D_DR6   equ U+0x0C      ; DR6 in the handler

; DR7 bits
DR7_L0  equ 0x01
DR7_L1  equ 0x04
%define DR7_RW(n, rw) ((rw) << (16 + 4*(n)))
%define DR7_LEN(n, len) ((len) << (18 + 4*(n)))

; DF_CASE <instruction> - the instruction leads to #DF (error code 0);
; continue after it (one check).
%macro DF_CASE 1+
        PM_EXPECT_JMP %%back
        %1
%%back:
        PM_CHECK_VEC_ERR 8, 0
%endmacro

ROM_BEGIN "pm-faults"
        PM_INIT_PAGED
        SET_DESC S_NP, 0, 0xFFFFF, (ACC_DATA_RW & ~ACC_P)|ACC_A, DF_G|DF_DB
        mov dword [SCR], -10                    ; BOUND ranges
        mov dword [SCR+4], 10
        mov word [SCR+8], 0x8000
        mov word [SCR+10], 0x7FFF
        ; copy ramcode_start..ramcode_end to RAMCODE (run with PM_FLAT_CODE)
        mov esi, LIN(ramcode_start)
        mov edi, RAMCODE
        mov ecx, ramcode_end - ramcode_start
        rep movsb

GROUP "contributory during contributory: #DF(0)"
        mov ax, S_NP
        PM_FAULT_E 11, S_NP, mov ds, ax         ; plain #NP first
        SET_IDT 11, S_BAD, 0, ACC_INT32         ; #NP gate -> bad selector
        DF_CASE mov ds, ax                      ; #NP, then #GP: #DF
        RESTORE_IDT 11
        SET_IDT 13, PM_CODE, 0, ACC_INT32 & ~ACC_P ; #GP gate not present
        xor eax, eax
        DF_CASE mov ss, ax                      ; #GP, then #NP: #DF
        RESTORE_IDT 13
        SET_IDT 0, S_BAD, 0, ACC_INT32          ; #DE gate -> bad selector
        xor edx, edx
        xor ecx, ecx
        mov eax, 1
        DF_CASE div ecx                         ; #DE, then #GP: #DF
        RESTORE_IDT 0
        mov eax, 1
        PM_FAULT 0, div ecx                     ; and a plain #DE again
        SET_IDT 12, PM_CODE, 0, ACC_INT32 & ~ACC_P
        mov ax, S_NP
        DF_CASE mov ss, ax                      ; #SS(sel), then #NP: #DF
        RESTORE_IDT 12

GROUP "page fault during page fault: #DF(0)"
        mov eax, [0x400000 - 4]                 ; mapped: fine
        PM_FAULT_E 14, 0, mov eax, [0x400000]   ; PDE 1 not present
        SET_IDT 14, S_BAD, 0, ACC_INT32
        DF_CASE mov eax, [0x400000]             ; #PF, then #GP: #DF
        RESTORE_IDT 14
        ; #PF while delivering #PF: the #PF gate's code selector is in an
        ; LDT on an unmapped page
        SET_DESC S_LDTU, 0x401000, 0xFF, ACC_LDT, 0
        mov ax, S_LDTU
        lldt ax
        SET_IDT 14, 0x0004, 0, ACC_INT32        ; LDT index 0
        DF_CASE mov eax, [0x400000]             ; #PF, then #PF: #DF
        CHECKD [PMV_CR2], 0x401000              ; the second one's address
        RESTORE_IDT 14
        xor eax, eax
        lldt ax

GROUP "benign, then contributory: one after the other"
        SET_IDT 3, PM_CODE, 0, ACC_INT32 & ~ACC_P
        PM_FAULT_E 11, 3*8+2, int3              ; INT3: EXT=0, IDT=1
        RESTORE_IDT 3
        SET_IDT 5, PM_CODE, 0, ACC_INT32 & ~ACC_P
        mov eax, 11
        PM_EXPECT .br_after
.br_at: bound eax, [SCR]                        ; #BR -> #NP(5*8+2+EXT)
.br_after:
        PM_CHECK_EXC 11, .br_at
        mov eax, [PMV_ERR]
        and eax, ~1
        CHECK eax, 5*8+2                        ; IDT bit, vector 5
        ; SDM Vol. 3A 6.13: EXT "indicates that the exception occurred
        ; during delivery of an event external to the program, such as an
        ; interrupt or an earlier exception"; only INT n/INT3/INTO clear it.
        QEMU_SKIP_BEGIN "EXT bit for a fault while delivering an exception (SDM Vol. 3A 6.13); QEMU TCG leaves it 0"
        CHECKD [PMV_ERR], 5*8+2+1
        QEMU_SKIP_END
        RESTORE_IDT 5
        SET_IDT 0x41, S_BAD, 0, ACC_INT32       ; INT n, gate -> bad sel
        PM_FAULT_E 13, S_BAD, int 0x41          ; #GP(selector), EXT=0
        RESTORE_IDT 0x41
        SET_IDT 4, S_BAD, 0, ACC_INT32          ; INTO, gate -> bad sel
        SETFLAGS FL_OF
        PM_FAULT_E 13, S_BAD, into
        RESTORE_IDT 4
        mov ax, S_NP                            ; #NP, gate -> bad selector:
        SET_IDT 11, S_BAD | 3, 0, ACC_INT32     ; (RPL ignored) #DF
        DF_CASE mov es, ax
        RESTORE_IDT 11

GROUP "debug registers: DR6, DR7"
        SET_IDT 1, PM_CODE, OFS(db_handler), ACC_INT32
        xor eax, eax
        mov dr6, eax
        mov eax, dr6
        CHECK eax, 0xFFFF0FF0                   ; reserved bits read as 1
        xor eax, eax
        mov dr7, eax
        mov eax, dr7
        CHECK eax, 0x00000400
        mov eax, 0x12345678
        mov dr0, eax
        mov eax, 0x9ABCDEF0
        mov dr3, eax
        mov eax, dr0
        CHECK eax, 0x12345678
        mov eax, dr3
        CHECK eax, 0x9ABCDEF0

GROUP "instruction breakpoint (fault, RF)"
        mov dword [D_COUNT], 0
        mov eax, RAMLIN(rc_ibp)
        mov dr0, eax
        mov eax, DR7_L0                         ; R/W0=00 execute, LEN0=00
        mov dr7, eax
        xor ebx, ebx
        call PM_FLAT_CODE:RAMLIN(rc_ibp)                   ; mov ebx, 5555h: #DB first
        xor eax, eax
        mov dr7, eax
        CHECK ebx, 0x5555                       ; ... then it ran (RF)
        CHECKD [D_COUNT], 1                     ; once
        CHECKD [D_EIP], RAMLIN(rc_ibp)             ; a fault: EIP of the insn
        mov eax, [D_DR6]
        and eax, 0x400F
        CHECK eax, 1                            ; B0
        mov eax, [D_EFL]
        and eax, FL_RF
        CHECK eax, 0                            ; RF pushed as 0
        ; a disabled breakpoint does nothing
        mov dword [D_COUNT], 0
        mov eax, RAMLIN(rc_ibp)
        mov dr0, eax
        mov eax, DR7_L1                         ; only breakpoint 1 enabled
        mov dr7, eax
        call PM_FLAT_CODE:RAMLIN(rc_ibp)
        xor eax, eax
        mov dr7, eax
        CHECKD [D_COUNT], 0
        ; RF=1 (IRETD) suppresses the breakpoint for one instruction
        mov dword [D_COUNT], 0
        mov eax, RAMLIN(rc_rf)
        mov dr0, eax
        mov eax, DR7_L0
        mov dr7, eax
        xor esi, esi
        push cs                                 ; where rc_rf returns (RETF)
        push strict dword .rf_back
        pushfd
        or dword [esp], FL_RF
        push strict dword PM_FLAT_CODE
        push strict dword RAMLIN(rc_rf)
        iretd                                   ; RF=1: no #DB the first
.rf_back:                                       ; time, #DB the second time
        xor eax, eax
        mov dr7, eax
        CHECKD [D_COUNT], 1
        CHECK esi, 2
        pushfd
        pop eax
        and eax, FL_RF
        CHECK eax, 0                            ; RF cleared again

GROUP "data breakpoints (trap)"
        mov dword [VAR], 0
        mov eax, VAR
        mov dr1, eax
        mov eax, DR7_L1 | DR7_RW(1, 1) | DR7_LEN(1, 3) ; write, 4 bytes
        mov dr7, eax
        mov dword [D_COUNT], 0
        mov eax, [VAR]                          ; a read: nothing
        mov byte [VAR+4], 1                     ; outside: nothing
        mov byte [VAR-1], 1
        CHECKD [D_COUNT], 0
        mov dword [VAR], 0xCAFE
.w_after:
        CHECKD [D_COUNT], 1
        CHECKD [D_EIP], OFS(.w_after)           ; a trap: after the write
        CHECKD [VAR], 0xCAFE                    ; which happened
        mov eax, [D_DR6]
        and eax, 0x400F
        CHECK eax, 2                            ; B1
        mov byte [VAR+3], 7                     ; inside the 4 bytes
        CHECKD [D_COUNT], 2
        mov eax, DR7_L1 | DR7_RW(1, 3) | DR7_LEN(1, 3) ; read/write
        mov dr7, eax
        mov eax, [VAR]
.r_after:
        CHECKD [D_COUNT], 3
        CHECKD [D_EIP], OFS(.r_after)
        xor eax, eax
        mov dr7, eax

GROUP "single-step (TF)"
        mov dword [D_COUNT], 0
        pushfd
        or dword [esp], FL_TF
        popfd                                   ; no trap after this one
        mov ecx, 1                              ; trap after this one
.ss1:   nop                                     ; (handler clears TF)
        CHECKD [D_COUNT], 1
        CHECKD [D_EIP], OFS(.ss1)
        mov eax, [D_DR6]
        and eax, 0x400F
        CHECK eax, 0x4000                       ; BS
        mov eax, [D_EFL]
        and eax, FL_TF | FL_RF
        CHECK eax, FL_TF                        ; trap: RF pushed as 0
        ; single-step and a data breakpoint on the same instruction
        mov eax, VAR
        mov dr1, eax
        mov eax, DR7_L1 | DR7_RW(1, 1) | DR7_LEN(1, 3)
        mov dr7, eax
        mov dword [D_COUNT], 0
        pushfd
        or dword [esp], FL_TF
        popfd
        mov dword [VAR], 1
.ss2:   xor eax, eax
        mov dr7, eax
        CHECKD [D_EIP], OFS(.ss2)
        ; SDM Vol. 3A 17.2.3 (DR6 reports the conditions sampled when the
        ; #DB was generated) and 6.9 (single-step and data breakpoint traps
        ; are one priority class): one #DB with both B1 and BS.  QEMU TCG
        ; raises two separate #DBs.
        QEMU_SKIP_BEGIN "single-step + data breakpoint reported by one #DB (SDM Vol. 3A 17.2.3, 6.9); QEMU TCG raises two"
        CHECKD [D_COUNT], 1                     ; one #DB for both
        mov eax, [D_DR6]
        and eax, 0x400F
        CHECK eax, 0x4002                       ; BS and B1
        QEMU_SKIP_END

GROUP "priority: instruction breakpoint before #GP"
        mov dword [D_COUNT], 0
        mov eax, RAMLIN(rc_gp)
        mov dr0, eax
        mov eax, DR7_L0
        mov dr7, eax
        xor eax, eax
        PM_EXPECT RAMLIN(rc_gp_after)
        call PM_FLAT_CODE:RAMLIN(rc_gp)         ; #DB first, then #GP(0)
        PM_CHECK_VEC_ERR 13, 0
        CHECKD [PMV_EIP], RAMLIN(rc_gp)
        CHECKD [PMV_CS], PM_FLAT_CODE
        CHECKD [D_COUNT], 1
        CHECKD [D_EIP], RAMLIN(rc_gp)
        xor eax, eax
        mov dr7, eax
        ; SDM Vol. 3A 17.3.1.1: "For any fault-class exception except a
        ; debug exception generated in response to an instruction
        ; breakpoint, the value pushed for RF is 1."
        mov eax, [PMV_EFLAGS]
        and eax, FL_RF
        CHECK eax, FL_RF
        PM_EXPECT 0
        int 0x40                                ; INT n: RF pushed as 0
        mov eax, [PMV_EFLAGS]
        and eax, FL_RF
        CHECK eax, 0

GROUP "BOUND in 32-bit code"
        mov eax, -10
        PM_NO_FAULT bound eax, [SCR]            ; = lower bound
        mov eax, 10
        PM_NO_FAULT bound eax, [SCR]            ; = upper bound
        mov eax, 11
        PM_FAULT 5, bound eax, [SCR]            ; #BR, a fault
        CHECK eax, 11
        mov eax, -11
        PM_FAULT 5, bound eax, [SCR]            ; signed
        mov eax, 0x80000000
        PM_FAULT 5, bound eax, [SCR]
        mov ax, 0x8000
        PM_NO_FAULT bound ax, [SCR+8]           ; 16-bit: -32768..32767
        mov ax, 0x7FFF
        PM_NO_FAULT bound ax, [SCR+8]
        mov word [SCR+12], 0
        mov word [SCR+14], 0x7FFE
        mov ax, 0x7FFF
        PM_FAULT 5, bound ax, [SCR+12]

GROUP "ENTER / LEAVE in 32-bit code"
        mov [U+0x40], esp
        mov esp, SCR + 0x1000
        mov ebp, SCR + 0x2000
        mov dword [SCR+0x2000-4], 0x1111AAAA    ; the caller's frame
        mov dword [SCR+0x2000-8], 0x2222BBBB
        enter 8, 0
        CHECK esp, SCR + 0x1000 - 4 - 8
        CHECK ebp, SCR + 0x1000 - 4
        CHECKD [SCR+0x1000-4], SCR + 0x2000     ; old EBP
        leave
        CHECK2 esp, SCR + 0x1000, ebp, SCR + 0x2000
        enter 12, 3                             ; copies 2 frame pointers
        CHECK ebp, SCR + 0x1000 - 4
        CHECK esp, SCR + 0x1000 - 4 - 8 - 4 - 12
        CHECKD [SCR+0x1000-8], 0x1111AAAA       ; [old EBP-4]
        CHECKD [SCR+0x1000-12], 0x2222BBBB      ; [old EBP-8]
        CHECKD [SCR+0x1000-16], SCR + 0x1000 - 4 ; the new frame pointer
        leave
        CHECK2 esp, SCR + 0x1000, ebp, SCR + 0x2000
        mov ebp, 0xABCD0000 | ((SCR + 0x2000) & 0xFFFF)
        o16 enter 4, 0                          ; 16-bit: push BP, BP=SP
        CHECK esp, SCR + 0x1000 - 2 - 4
        CHECK ebp, 0xABCD0000 | ((SCR + 0x1000 - 2) & 0xFFFF)
        CHECKW [SCR+0x1000-2], (SCR + 0x2000) & 0xFFFF
        mov esp, [U+0x40]

        jmp faults_end

; #DB handler: count, record pushed EIP/EFLAGS and DR6, clear DR6, return
; with RF=1 and TF=0.
db_handler:
        push eax
        push ds
        mov ax, PM_DATA
        mov ds, ax
        inc dword [D_COUNT]
        mov eax, [esp+8]
        mov [D_EIP], eax
        mov eax, [esp+16]
        mov [D_EFL], eax
        mov eax, dr6
        mov [D_DR6], eax
        xor eax, eax
        mov dr6, eax
        or dword [esp+16], FL_RF
        and dword [esp+16], ~FL_TF
        pop ds
        pop eax
        iretd

; copied to RAMCODE and run with CS = PM_FLAT_CODE (no references outside)
ramcode_start:
rc_ibp: mov ebx, 0x5555
        retf
rc_rf:  inc esi
        cmp esi, 2
        jb rc_rf
        retf
rc_gp:  mov ss, ax
rc_gp_after:
        retf
ramcode_end:

faults_end:
        PM_ROM_END
