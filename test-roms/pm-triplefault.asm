; =============================================================================
; pm-triplefault.asm - a fault while delivering #DF shuts the processor down.
;
; SDM Vol. 3A 6.15, Interrupt 8 (#DF): "If another contributory or page
; fault exception occurs while attempting to call the double-fault handler,
; the processor enters shutdown mode."  On a PC the chipset turns the
; shutdown into a reset.
;
; The ROM first proves that the set-up really produces #DF (a #GP while
; delivering #NP, with a working #DF gate), then breaks the #DF gate too
; and repeats.  It prints a line "expecting a triple fault (shutdown) now"
; just before; nothing after that may run.  If the CPU carries on anyway,
; the ROM fails with check number 3 (or 0xFF for an unexpected exception).
;
; This ROM cannot print PASS.  What counts as a pass:
;  * QEMU (-no-reboot): the shutdown becomes a reset, which -no-reboot
;    turns into an exit with status 0; the output ends with the line above.
;  * emu rom: stops with "triple fault (shutdown)" on stderr and exit
;    status 3; the output ends with the line above.
; test/roms.test.mjs treats ROMs whose name contains "triplefault" this way.
; =============================================================================
%include "rom.inc"
%include "pm.inc"

S_NP    equ 0x90        ; data segment, not present
S_BAD   equ 0x800       ; beyond the GDT

ROM_BEGIN "pm-triplefault"
        PM_INIT
        SET_DESC S_NP, 0, 0xFFFFF, (ACC_DATA_RW & ~ACC_P)|ACC_A, DF_G|DF_DB

GROUP "#GP while delivering #NP: #DF"
        mov ax, S_NP
        PM_FAULT_E 11, S_NP, mov ds, ax         ; a plain #NP
        SET_IDT 11, S_BAD, 0, ACC_INT32         ; #NP gate -> bad selector
        PM_EXPECT_JMP .df
        mov ds, ax
.df:    PM_CHECK_VEC_ERR 8, 0                   ; #DF(0)

GROUP "#GP while delivering #DF: shutdown"
        SET_IDT 8, S_BAD, 0, ACC_INT32          ; #DF gate -> bad selector
        PRINTLN "expecting a triple fault (shutdown) now"
        PM_EXPECT_JMP .alive
        mov ax, S_NP
        mov ds, ax                              ; #NP -> #GP: #DF -> #GP
.alive:
        NEWCHECK                                ; still running: fail
        push strict dword 0
        push strict dword 1
        push strict dword 0
        push strict dword 4
        push strict dword .msg
        push strict dword __chk
        jmp __fail32
.msg:   db "no shutdown: the CPU carried on after a fault in #DF delivery", 0

        PM_ROM_END
