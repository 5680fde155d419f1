; =============================================================================
; pm-v86.asm - virtual-8086 mode.
;
; SDM Vol. 3A chapter 20 ("8086 Emulation"), 20.2-20.3:
;  * IRET from ring 0 with EFLAGS.VM=1 in the image pops EIP, CS, EFLAGS,
;    ESP, SS, ES, DS, FS, GS and runs at CPL 3 with real-mode style
;    segments (linear = selector*16 + offset).
;  * An interrupt or exception in V86 mode goes through an IDT gate to a
;    ring-0 non-conforming code segment: the CPU pushes GS, FS, DS, ES, SS,
;    ESP, EFLAGS, CS, EIP on the ring-0 stack (from the TSS), loads DS, ES,
;    FS and GS with null, and clears VM (and IF for an interrupt gate).
;    IRETD back restores all of them.
;  * Without CR4.VME, CLI, STI, PUSHF, POPF, INT n and IRET are IOPL-
;    sensitive: #GP(0) when IOPL < 3.  IN/OUT are not; they always consult
;    the TSS I/O permission bitmap, whatever IOPL is.  HLT and other
;    privileged instructions are #GP(0) (CPL 3).  PUSHFD clears VM and RF in
;    the pushed image (Vol. 2 PUSHF).
;  * 20.3.3 with CR4.VME=1 (Table 20-2, methods 3-6): the interrupt
;    redirection bitmap (the 32 bytes below the I/O map base) chooses
;    between the IDT (bit 1) and the 8086 IVT at linear 0 (bit 0).  With
;    IOPL < 3, CLI/STI/PUSHF/POPF/IRET work on VIF: PUSHF shows IF = VIF and
;    IOPL = 3, STI or a POPF/IRET that sets IF while VIP=1 is #GP(0), and a
;    redirected INT n pushes FLAGS with IF = VIF, IOPL = 3 and clears VIF.
;  * 20.4 CR4.PVI: in protected mode at CPL 3 with IOPL < 3, CLI and STI
;    clear and set VIF instead of faulting.
; QEMU deviation: QEMU TCG does not implement VME or PVI (CPUID.01H:EDX.VME
; is filtered out: "TCG doesn't support requested feature"), so the VME/PVI
; checks are skipped under QEMU.  Everything else runs everywhere.
; =============================================================================
%include "rom.inc"
%include "pm.inc"

TSS_V   equ 0x16000     ; a TSS with an interrupt redirection bitmap
TSS_V_IRB   equ 0x68    ; redirection bitmap (32 bytes)
TSS_V_IOMAP equ 0x88    ; I/O map
TSS_V_LIMIT equ TSS_V_IOMAP + 0x2000
S_TSSV  equ 0x90

V86_SS  equ 0x0800      ; V86 stack 0800:1000 = linear 9000h
V86_SP  equ 0x1000
V86_DS  equ 0x4000      ; linear 40000h
V86_ES  equ 0x5000      ; linear 50000h
V86_FS  equ 0x1234
V86_GS  equ 0x4321

V_PMINT equ 0x60        ; IDT: DPL 3 interrupt gate to v86_int_handler
V_REDIR equ 0x61        ; redirected to the 8086 IVT (VME)
V_NOREDIR equ 0x62      ; not redirected (VME): IDT / #GP

U       equ PMV_USER
H_FRAME equ U+0x00      ; 9 dwords pushed by the CPU (EIP ... GS)
H_SEGS  equ U+0x24      ; DS, ES, FS, GS in the handler (4 words)
H_EFL   equ U+0x2C      ; EFLAGS in the handler
H_ESP   equ U+0x30
H_COUNT equ U+0x34
I_SP    equ U+0x38      ; 8086 IVT handler: SP, pushed FLAGS, FLAGS inside
I_FLAGS equ U+0x3A
I_HFLAGS equ U+0x3C
I_COUNT equ U+0x3E

; V86_RUN label, eflags - IRETD into V86 mode at F000:label; returns after
; the macro at the next exception (PMV_* describe it).
%macro V86_RUN 2
        PM_EXPECT_JMP %%back
        push strict dword V86_GS
        push strict dword V86_FS
        push strict dword V86_DS
        push strict dword V86_ES
        push strict dword V86_SS
        push strict dword V86_SP
        push strict dword FL_VM | 2 | (%2)
        push strict dword ROM_SEG
        push strict dword %1
        iretd
%%back:
%endmacro

; V86_FAULT eflags, vector, error, <instruction> - one check: it faults.
%macro V86_FAULT 4+
        V86_RUN %%code, %1
        PM_CHECK_EXC_ERR %2, %3, %%code
        jmp %%end
bits 16
%%code: %4
        hlt
bits 32
%%end:
%endmacro

; V86_FAULT0 eflags, vector, <instruction> - the same, no error code.
%macro V86_FAULT0 3+
        V86_RUN %%code, %1
        PM_CHECK_EXC %2, %%code
        jmp %%end
bits 16
%%code: %3
        hlt
bits 32
%%end:
%endmacro

; V86_OK eflags, <instruction> - one check: it runs; the HLT after it
; (always #GP(0) in V86 mode) brings us back.
%macro V86_OK 2+
        V86_RUN %%code, %1
        PM_CHECK_EXC_ERR 13, 0, %%hlt
        jmp %%end
bits 16
%%code: %2
%%hlt:  hlt
bits 32
%%end:
%endmacro

ROM_BEGIN "pm-v86"
        ; the 8086 IVT entry for V_REDIR (used with VME)
        mov word [V_REDIR*4], v86_ivt_handler
        mov word [V_REDIR*4+2], ROM_SEG
        PM_INIT
        ; a TSS like the main one, plus a redirection bitmap (all 1s: no
        ; redirection, except V_REDIR); I/O: 80h, E9h, F4h-F7h and 300h
        mov esi, PM_TSS
        mov edi, TSS_V
        mov ecx, 0x68 / 4
        rep movsd
        mov word [TSS_V+0x66], TSS_V_IOMAP
        mov edi, TSS_V + TSS_V_IRB
        mov eax, 0xFFFFFFFF
        mov ecx, (0x20 + 0x2000) / 4
        rep stosd
        mov byte [edi], 0xFF
        and byte [TSS_V + TSS_V_IRB + V_REDIR/8], ~(1 << (V_REDIR & 7))
        and byte [TSS_V + TSS_V_IOMAP + 0x80/8], ~(1 << (0x80 & 7))
        and byte [TSS_V + TSS_V_IOMAP + 0xE9/8], ~(1 << (0xE9 & 7))
        and byte [TSS_V + TSS_V_IOMAP + 0xF4/8], 0x0F
        and byte [TSS_V + TSS_V_IOMAP + 0x300/8], ~(1 << (0x300 & 7))
        SET_DESC S_TSSV, TSS_V, TSS_V_LIMIT, ACC_TSS32, 0
        mov byte [PM_GDT + PM_TSS_SEL + 5], ACC_TSS32
        mov ax, S_TSSV
        ltr ax
        SET_IDT V_PMINT, PM_CODE, OFS(v86_int_handler), ACC_INT32|ACC_DPL(3)
        SET_IDT V_NOREDIR, PM_CODE, OFS(v86_int_handler), ACC_INT32|ACC_DPL(3)
        SET_IDT V_REDIR, PM_CODE, OFS(v86_int_handler), ACC_INT32|ACC_DPL(3)

GROUP "enter V86 mode by IRET; real-mode addressing"
        mov dword [0x40010], 0
        mov dword [0x100000], 0
        V86_RUN .regs, FL_IOPL(3) | FL_CF
        jmp .regs_done
bits 16
.regs:  mov dx, cs
        shl edx, 16
        mov dx, ss
        mov si, ds
        shl esi, 16
        mov si, es
        mov di, fs
        shl edi, 16
        mov di, gs
        mov word [0x10], 0xD510                 ; DS:0010 = 40010h
        push word 0xFFFF
        pop ds
        mov word [0x10], 0xFF10                 ; FFFF:0010 = 100000h
        mov ebp, esp
.regs_hlt:
        hlt
bits 32
.regs_done:
        PM_CHECK_EXC_ERR 13, 0, .regs_hlt       ; HLT: #GP(0)
        CHECK edx, (ROM_SEG << 16) | V86_SS
        CHECK esi, (V86_DS << 16) | V86_ES
        CHECK edi, (V86_FS << 16) | V86_GS
        CHECK ebp, V86_SP                       ; ESP from the IRET frame
        CHECKW [0x40010], 0xD510
        CHECKW [0x100000], 0xFF10               ; no 1 MiB wrap
        CHECKB [PMV_V86], 1                     ; the #GP came from V86:
        CHECKD [PMV_CS], ROM_SEG                ; its frame
        CHECKD [PMV_SS], V86_SS
        CHECKD [PMV_ESP], V86_SP
        CHECKD [PMV_DS], 0xFFFF
        CHECKD [PMV_ES], V86_ES
        CHECKD [PMV_FS], V86_FS
        CHECKD [PMV_GS], V86_GS
        mov eax, [PMV_EFLAGS]
        and eax, FL_VM | FL_IOPL3 | FL_CF
        CHECK eax, FL_VM | FL_IOPL3 | FL_CF
        mov eax, [PMV_HEFLAGS]
        and eax, FL_VM
        CHECK eax, 0                            ; VM=0 in the handler
        CHECKD [PMV_HESP], PM_STACK_TOP(0) - 40 ; 9 dwords + error code

GROUP "INT n to a ring-0 handler and IRETD back"
        mov dword [H_COUNT], 0
        V86_RUN .int, FL_IOPL(3) | FL_ZF
        jmp .int_done
bits 16
.int:   mov ax, 0x1111
        int V_PMINT
.int_ret:
        mov bx, ds
        mov cx, ax
.int_hlt:
        hlt
bits 32
.int_done:
        PM_CHECK_EXC_ERR 13, 0, .int_hlt        ; back in V86 after the IRETD
        CHECKD [H_COUNT], 1
        CHECK bx, V86_DS                        ; V86 DS restored
        CHECK cx, 0x1111
        CHECKD [H_FRAME+0x00], OFS(.int_ret)    ; EIP
        CHECKD [H_FRAME+0x04], ROM_SEG          ; CS
        mov eax, [H_FRAME+0x08]
        and eax, FL_VM | FL_IOPL3 | FL_ZF
        CHECK eax, FL_VM | FL_IOPL3 | FL_ZF     ; EFLAGS
        CHECKD [H_FRAME+0x0C], V86_SP           ; ESP
        CHECKD [H_FRAME+0x10], V86_SS           ; SS
        CHECKD [H_FRAME+0x14], V86_ES           ; ES
        CHECKD [H_FRAME+0x18], V86_DS           ; DS
        CHECKD [H_FRAME+0x1C], V86_FS           ; FS
        CHECKD [H_FRAME+0x20], V86_GS           ; GS
        CHECKD [H_SEGS], 0                      ; DS, ES nulled
        CHECKD [H_SEGS+4], 0                    ; FS, GS nulled
        mov eax, [H_EFL]
        and eax, FL_VM | FL_IF
        CHECK eax, 0
        CHECKD [H_ESP], PM_STACK_TOP(0) - 36

GROUP "IOPL-sensitive instructions with IOPL < 3"
        V86_FAULT FL_IOPL(0), 13, 0, cli
        V86_FAULT FL_IOPL(2), 13, 0, sti
        V86_FAULT FL_IOPL(0), 13, 0, pushf
        V86_FAULT FL_IOPL(1), 13, 0, pushfd
        V86_FAULT FL_IOPL(0), 13, 0, popf
        V86_FAULT FL_IOPL(0), 13, 0, int V_PMINT
        V86_FAULT FL_IOPL(0), 13, 0, db 0xCD, 0x03 ; INT 3 (CD 03)
        V86_FAULT FL_IOPL(0), 13, 3*8+2, int3   ; CC: not IOPL-sensitive,
                                                ; gate DPL 0 < CPL 3
        V86_FAULT FL_IOPL(0), 13, 0, iret
        V86_FAULT FL_IOPL(3), 13, 0, mov eax, cr0 ; privileged: always
        V86_FAULT FL_IOPL(3), 13, 0, lidt [0]
        V86_FAULT0 FL_IOPL(3), 6, arpl ax, bx   ; #UD in V86 mode
        V86_OK FL_IOPL(3), cli
        V86_OK FL_IOPL(3), sti
        mov eax, [PMV_EFLAGS]
        and eax, FL_VM | FL_IOPL3 | FL_IF | FL_VIF
        CHECK eax, FL_VM | FL_IOPL3 | FL_IF
        V86_RUN .pf, FL_IOPL(3) | FL_SF
        jmp .pf_done
bits 16
.pf:    pushfd
        pop edx
        pushf
        pop si
        push word FL_IF | FL_CF | 2
        popf
        pushfd
        pop edi
.pf_hlt: hlt
bits 32
.pf_done:
        and edx, FL_VM | FL_RF | FL_SF | FL_IOPL3
        CHECK edx, FL_SF | FL_IOPL3             ; PUSHFD: VM, RF clear
        and si, FL_SF | FL_IOPL3
        CHECK si, FL_SF | FL_IOPL3
        and edi, FL_VM | FL_IF | FL_CF | FL_SF | FL_IOPL3
        CHECK edi, FL_IF | FL_CF | FL_IOPL3     ; POPF: IF, CF; IOPL kept

GROUP "I/O permission bitmap in V86 mode"
        mov edx, 0x300
        V86_OK FL_IOPL(0), in al, dx            ; allowed by the bitmap
        V86_OK FL_IOPL(0), out dx, al
        mov edx, 0x301
        V86_FAULT FL_IOPL(0), 13, 0, in al, dx  ; denied
        V86_FAULT FL_IOPL(3), 13, 0, in al, dx  ; IOPL 3 does not help
        V86_FAULT FL_IOPL(3), 13, 0, out 0x70, al
        mov edx, 0x300
        V86_FAULT FL_IOPL(3), 13, 0, in ax, dx  ; 301h is part of it

GROUP "CR4.VME and CR4.PVI"
        ; SDM Vol. 3A 20.3 and 20.4.  QEMU TCG implements neither.
        QEMU_SKIP_BEGIN "virtual-8086 mode extensions VME/PVI (SDM Vol. 3A 20.3, 20.4); QEMU TCG does not implement them"
        mov eax, 1
        cpuid
        and edx, 2                              ; CPUID.01H:EDX.VME
        CHECK edx, 2
        mov eax, cr4
        or eax, CR4_VME | CR4_PVI
        mov cr4, eax
        ; CLI/STI change VIF, not IF
        V86_OK FL_IOPL(0) | FL_IF | FL_VIF, cli
        mov eax, [PMV_EFLAGS]
        and eax, FL_IF | FL_VIF | FL_IOPL3
        CHECK eax, FL_IF                        ; VIF cleared, IF kept
        V86_OK FL_IOPL(0), sti
        mov eax, [PMV_EFLAGS]
        and eax, FL_IF | FL_VIF
        CHECK eax, FL_VIF
        V86_FAULT FL_IOPL(0) | FL_VIP, 13, 0, sti ; VIP=1: #GP(0)
        ; PUSHF: IF = VIF, IOPL = 3 in the image
        V86_RUN .vpf, FL_IOPL(0) | FL_VIF
        jmp .vpf_done
bits 16
.vpf:   pushf
        pop dx
        push word FL_CF | 2                     ; POPF: IF=0 -> VIF=0
        popf
        pushf
        pop si
.vpf_hlt:
        hlt
bits 32
.vpf_done:
        PM_CHECK_EXC_ERR 13, 0, .vpf_hlt
        and dx, FL_IF | FL_IOPL3
        CHECK dx, FL_IF | FL_IOPL3
        and si, FL_IF | FL_IOPL3 | FL_CF
        CHECK si, FL_IOPL3 | FL_CF
        mov eax, [PMV_EFLAGS]
        and eax, FL_VIF | FL_IOPL3 | FL_CF
        CHECK eax, FL_CF                        ; real IOPL still 0
        V86_RUN .vpf2, FL_IOPL(0) | FL_VIP
        jmp .vpf2_done
bits 16
.vpf2:  push word FL_IF | 2
.vpf2_at:
        popf                                    ; IF=1 with VIP=1: #GP
        hlt
bits 32
.vpf2_done:
        PM_CHECK_EXC_ERR 13, 0, .vpf2_at
        ; INT n, bitmap bit 0 (redirected), IOPL 3: 8086 handler (method 5)
        mov word [I_COUNT], 0
        V86_OK FL_IOPL(3) | FL_IF | FL_ZF, int V_REDIR
        CHECKW [I_COUNT], 1
        CHECKW [I_SP], V86_SP - 6
        mov ax, [I_FLAGS]
        and ax, FL_IF | FL_ZF | FL_IOPL3
        CHECK ax, FL_IF | FL_ZF | FL_IOPL3      ; FLAGS pushed as they were
        mov ax, [I_HFLAGS]
        and ax, FL_IF
        CHECK ax, 0                             ; IF cleared
        ; ... IOPL 0 (method 6): IF image = VIF, IOPL image = 3, VIF cleared
        mov word [I_COUNT], 0
        V86_OK FL_IOPL(0) | FL_VIF, int V_REDIR
        CHECKW [I_COUNT], 1
        mov ax, [I_FLAGS]
        and ax, FL_IF | FL_IOPL3
        CHECK ax, FL_IF | FL_IOPL3
        mov ax, [I_HFLAGS]                      ; PUSHF inside: IF = VIF = 0
        and ax, FL_IF
        CHECK ax, 0
        mov eax, [PMV_EFLAGS]                   ; its IRET set VIF again
        and eax, FL_VIF | FL_IF
        CHECK eax, FL_VIF
        ; bitmap bit 1: IOPL 3 -> IDT (method 4), IOPL 0 -> #GP (method 3)
        mov dword [H_COUNT], 0
        V86_OK FL_IOPL(3), int V_NOREDIR
        CHECKD [H_COUNT], 1
        V86_FAULT FL_IOPL(0), 13, 0, int V_NOREDIR
        ; PVI: CLI/STI at CPL 3 in protected mode with IOPL 0
        PM_RING_OK_FL 3, FL_IF | FL_VIF, cli
        mov eax, [PMV_EFLAGS]
        and eax, FL_IF | FL_VIF
        CHECK eax, FL_IF
        PM_RING_OK_FL 3, 0, sti
        mov eax, [PMV_EFLAGS]
        and eax, FL_IF | FL_VIF
        CHECK eax, FL_VIF
        PM_RING_FAULT_FL 3, FL_VIP, 13, 0, sti  ; VIP=1: #GP(0)
        mov eax, cr4
        and eax, ~(CR4_VME | CR4_PVI)
        mov cr4, eax
        PM_RING_FAULT 3, 13, 0, cli             ; PVI off: #GP(0) again
        QEMU_SKIP_END

        jmp v86_end

; ring-0 handler for INT n from V86 mode: record the frame, IRETD
v86_int_handler:
        mov [ss:H_ESP], esp
        push eax
        push ecx
        mov ecx, 0
.copy:  mov eax, [esp+8+ecx*4]
        mov [ss:H_FRAME+ecx*4], eax
        inc ecx
        cmp ecx, 9
        jne .copy
        mov [ss:H_SEGS], ds
        mov [ss:H_SEGS+2], es
        mov [ss:H_SEGS+4], fs
        mov [ss:H_SEGS+6], gs
        pushfd
        pop dword [ss:H_EFL]
        inc dword [ss:H_COUNT]
        pop ecx
        pop eax
        iretd

bits 16
; 8086 IVT handler (V86 mode, CS=F000): record SP and FLAGS, IRET
v86_ivt_handler:
        push ds
        push ax
        push bp
        mov bp, sp
        push word 0
        pop ds
        lea ax, [bp+6]
        mov [I_SP], ax
        mov ax, [bp+10]                         ; pushed FLAGS
        mov [I_FLAGS], ax
        pushf
        pop ax
        mov [I_HFLAGS], ax
        inc word [I_COUNT]
        pop bp
        pop ax
        pop ds
        iret
bits 32

v86_end:
        PM_ROM_END
