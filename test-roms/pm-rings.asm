; =============================================================================
; pm-rings.asm - privilege levels: IRET/RETF to outer rings, privileged and
; IOPL-sensitive instructions, the TSS I/O permission bitmap, call gates,
; conforming code, interrupt/trap gates with the TSS stack switch, and
; SYSENTER/SYSEXIT.
;
; SDM Vol. 3A chapter 5 (5.8 "Privilege Level Checking When Transferring
; Program Control Between Code Segments", 5.8.5 stack switching, 5.8.6
; "Returning from a Called Procedure": DS/ES/FS/GS whose DPL < the new CPL
; (data or non-conforming code) are loaded with null), 5.9 privileged
; instructions, chapter 6 (6.12.1 exception/interrupt handler procedures:
; the stack switch pushes SS, ESP, EFLAGS, CS, EIP; interrupt gates clear
; IF, trap gates do not; INT n checks the gate DPL against CPL: #GP with
; error code vector*8+2), Vol. 1 chapter 19 / Vol. 3A 20.x I/O permission
; (IOPL, then the bitmap: every bit of a multi-byte access must be 0, and
; a bit beyond the TSS limit counts as 1), Vol. 2 CALL/RET (call gates
; copy "parameter count" dwords or words; RET n releases n bytes on both
; stacks), SYSENTER/SYSEXIT (flat CS/SS from IA32_SYSENTER_CS, +16/+24 for
; ring 3; SYSENTER clears IF and VM).
;
; QEMU deviation: for a 16-bit interrupt gate, SDM Vol. 2A INT n pseudo-code
; ("EIP <- DEST AND 0000FFFFH" for a 16-bit gate) and Vol. 3A 6.11/6.12.1
; (a 16-bit gate holds a 16-bit offset) give an EIP with the high half
; cleared; QEMU TCG takes the high half from the gate's upper offset
; field.  That check is skipped under QEMU.
; =============================================================================
%include "rom.inc"
%include "pm.inc"

S_CONF  equ 0x90        ; conforming readable code, DPL 0, base F0000
S_CG32  equ 0x98        ; 32-bit call gate, DPL 3 -> PM_CODE, 2 dwords
S_CG16  equ 0xA0        ; 16-bit call gate, DPL 3 -> PM_CODE16, 3 words
S_CGLOW equ 0xA8        ; call gate DPL 0 (not callable from ring 3)
S_CGNP  equ 0xB0        ; call gate, not present
S_CGOUT equ 0xB8        ; call gate DPL 3 -> ring-3 code: called from ring 0
S_TSSB  equ 0xC0        ; TSS with a short limit (bitmap for ports 0-3FFh)
S_CG0   equ 0xC8        ; call gate DPL 0 -> PM_CODE, 0 params (same ring)
S_CONF2 equ 0xD0        ; conforming code, DPL 3 (not callable from ring 0 via JMP)

SCR     equ PM_SCRATCH
R3SP16  equ 0x9000      ; a ring-3 stack below 64K for the 16-bit gate

V_INT3  equ 0x40        ; 32-bit interrupt gate DPL 3
V_TRAP3 equ 0x41        ; 32-bit trap gate DPL 3
V_DPL0  equ 0x42        ; interrupt gate DPL 0
V_NP    equ 0x43        ; gate not present
V_G16   equ 0x44        ; 16-bit interrupt gate (offset high word 0)
V_G16H  equ 0x45        ; 16-bit interrupt gate, reserved high word = 1

MSR_SYSENTER_CS  equ 0x174
MSR_SYSENTER_ESP equ 0x175
MSR_SYSENTER_EIP equ 0x176

U       equ PMV_USER    ; scratch variables

; PRIV3 <instruction> - #GP(0) in ring 3 (IOPL 0).
%macro PRIV3 1+
        PM_RING_FAULT 3, 13, 0, %1
%endmacro

ROM_BEGIN "pm-rings"
        PM_INIT

GROUP "IRET to ring 3 nulls DS/ES/FS/GS with DPL < 3"
        mov ax, PM_DATA
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        PM_RUN_RING 3, .r3seg
        jmp .r3seg_done
.r3seg: mov dx, es
        shl edx, 16
        mov dx, ds
        mov si, fs
        shl esi, 16
        mov si, gs
        mov di, cs
        shl edi, 16
        mov di, ss
        PM_BACK
.r3seg_back:
.r3seg_done:
        CHECK2 edx, 0, esi, 0
        CHECK edi, (PM_CODE3 << 16) | PM_DATA3
        PM_CHECK_EXC PM_VEC_BACK, .r3seg_back
        CHECKD [PMV_CS], PM_CODE3
        CHECKD [PMV_SS], PM_DATA3
        CHECKD [PMV_ESP], PM_STACK_TOP(3)
        CHECKD [PMV_HESP], PM_STACK_TOP(0) - 20 ; SS ESP EFLAGS CS EIP
        ; DPL-3 data and conforming code stay; DPL 0 and 2 data go
        SET_DESC S_CONF, 0xF0000, 0xFFFF, ACC_CODE_XR|ACC_CONFORMING|ACC_A, DF_DB
        mov ax, PM_DATA3
        mov ds, ax
        mov ax, S_CONF
        mov es, ax
        mov ax, PM_DATA2 & ~3
        mov fs, ax
        mov ax, PM_DATA
        mov gs, ax
        PM_RUN_RING 3, .r3seg
        CHECK edx, (S_CONF << 16) | PM_DATA3
        CHECK esi, 0
        ; to ring 1: DPL 1 and 2 kept, DPL 0 nulled
        mov ax, PM_DATA1 & ~3
        mov ds, ax
        mov ax, PM_DATA2 & ~3
        mov es, ax
        mov ax, PM_DATA
        mov fs, ax
        mov ax, PM_DATA3 & ~3
        mov gs, ax
        PM_RUN_RING 1, .r3seg
        CHECK edx, ((PM_DATA2 & ~3) << 16) | (PM_DATA1 & ~3)
        CHECK esi, PM_DATA3 & ~3
        CHECK edi, (PM_CODE1 << 16) | PM_DATA1
        CHECKD [PMV_ESP], PM_STACK_TOP(1)

GROUP "RETF to an outer ring, RETF imm16"
        mov ax, PM_DATA
        mov ds, ax
        mov es, ax
        PM_EXPECT_JMP .retf_back
        push strict dword PM_DATA3                      ; SS
        push strict dword PM_STACK_TOP(3) - 0x40        ; ESP
        push strict dword 0xAAAA                        ; 2 parameters
        push strict dword 0xBBBB
        push strict dword PM_CODE3                      ; CS
        push strict dword .retf_r3                      ; EIP
        retf 8
.retf_r3:
        mov dx, ds
        mov si, cs
        PM_BACK
.retf_back:
        CHECK2 dx, 0, si, PM_CODE3
        PM_CHECK_EXC PM_VEC_BACK, .retf_back
        CHECKD [PMV_ESP], PM_STACK_TOP(3) - 0x40 + 8    ; +8 on the new stack
        CHECKD [PMV_SS], PM_DATA3
        mov ax, PM_DATA
        mov ds, ax

GROUP "privileged instructions in ring 3"
        mov eax, 0
        mov ebx, PM_LDT_SEL
        PRIV3 hlt
        PRIV3 cli                                       ; IOPL 0 < CPL 3
        PRIV3 sti
        PRIV3 mov eax, cr0
        PRIV3 mov cr0, eax
        PRIV3 mov cr3, eax
        PRIV3 mov eax, cr4
        PRIV3 mov eax, dr7
        PRIV3 mov dr0, eax
        PRIV3 lgdt [SCR]
        PRIV3 lidt [SCR]
        PRIV3 lldt bx
        PRIV3 ltr bx
        PRIV3 lmsw ax
        PRIV3 clts
        PRIV3 invd
        PRIV3 wbinvd
        PRIV3 invlpg [SCR]
        PRIV3 rdmsr
        PRIV3 wrmsr
        PRIV3 rdpmc                                     ; CR4.PCE = 0
        PRIV3 in al, 0x70                               ; IOPL 0, bitmap: denied
        PRIV3 out 0x70, al
        PM_RING_FAULT 1, 13, 0, hlt                     ; ring 1 too
        PM_RING_FAULT 1, 13, 0, mov eax, cr0
        PM_RING_FAULT 2, 13, 0, cli                     ; IOPL 0 < CPL 2
        PM_RING_OK_FL 1, FL_IOPL(1), cli                   ; CPL <= IOPL
        PM_RING_OK_FL 3, FL_IOPL(3), cli
        PM_RING_OK_FL 3, FL_IOPL(3), sti
        PM_RING_OK 3, sgdt [ss:SCR]                     ; not privileged
        PM_RING_OK 3, smsw ax
        PM_RING_OK 3, rdtsc                             ; CR4.TSD = 0
        mov eax, cr4
        or eax, 4                                       ; CR4.TSD
        mov cr4, eax
        PRIV3 rdtsc
        PM_NO_FAULT rdtsc                               ; ring 0: fine
        mov eax, cr4
        and eax, ~4
        mov cr4, eax

GROUP "POPF in ring 3 keeps IF and IOPL"
        PM_RUN_RING 3, .popf3, FL_IF | FL_IOPL(1)
        jmp .popf3_done
.popf3: pushfd
        pop eax
        mov edx, eax
        xor eax, FL_IF | FL_IOPL3 | FL_CF               ; try to flip them
        push eax
        popfd                                           ; no fault
        pushfd
        pop esi
        PM_BACK
.popf3_done:
        and edx, FL_IF | FL_IOPL3
        CHECK edx, FL_IF | FL_IOPL(1)
        and esi, FL_IF | FL_IOPL3 | FL_CF
        CHECK esi, FL_IF | FL_IOPL(1) | FL_CF           ; only CF changed
        PM_RUN_RING 1, .popf3, FL_IOPL(1)               ; CPL <= IOPL: IF
        and esi, FL_IF | FL_IOPL3                       ; changes, IOPL not
        CHECK esi, FL_IF | FL_IOPL(1)
        PM_RUN_RING 0, .popf3, FL_IOPL(1)               ; CPL 0: both
        and esi, FL_IF | FL_IOPL3
        CHECK esi, FL_IF | FL_IOPL(2)

GROUP "I/O permission bitmap"
        and byte [PM_IOMAP + 0x300/8], ~0x01            ; port 300h allowed
        and byte [PM_IOMAP + 0x307/8], ~0x80            ; 307h allowed
        and byte [PM_IOMAP + 0xFFFF/8], ~0x80           ; FFFFh allowed
        mov edx, 0x300
        PM_RING_OK 3, in al, dx
        PM_RING_OK 3, out dx, al
        PM_RING_FAULT 3, 13, 0, in ax, dx               ; 301h denied
        mov edx, 0x301
        PM_RING_FAULT 3, 13, 0, in al, dx
        PM_RING_OK_FL 3, FL_IOPL(3), in al, dx             ; IOPL 3: no bitmap
        PM_RING_OK 0, in al, dx                         ; ring 0: no bitmap
        mov edx, 0x307
        PM_RING_OK 3, in al, dx
        PM_RING_FAULT 3, 13, 0, in ax, dx               ; 307h+308h: crosses
        and byte [PM_IOMAP + 0x308/8], ~0x01            ; a bitmap byte
        PM_RING_OK 3, in ax, dx
        PM_RING_FAULT 3, 13, 0, in eax, dx              ; 309h, 30Ah denied
        mov edx, 0xFFFF
        PM_RING_OK 3, in al, dx
        PM_RING_FAULT 3, 13, 0, in ax, dx               ; bit 10000h: 0xFF end byte
        ; a TSS limit that ends the bitmap early (ports 0-3FFh covered)
        SET_DESC S_TSSB, PM_TSS, PM_IOMAP_OFS + 0x80 - 1, ACC_TSS32, 0
        and byte [PM_IOMAP + 0x400/8], ~0x01            ; 400h "allowed" but
        mov byte [PM_GDT + PM_TSS_SEL + 5], ACC_TSS32   ; beyond the limit
        mov ax, S_TSSB
        ltr ax
        mov edx, 0x300
        PM_RING_OK 3, in al, dx
        mov edx, 0x400
        PM_RING_FAULT 3, 13, 0, in al, dx
        mov byte [PM_GDT + S_TSSB + 5], ACC_TSS32
        mov ax, PM_TSS_SEL
        ltr ax
        PM_RING_OK 3, in al, dx                         ; full TSS again
        ; I/O map base beyond the TSS limit: everything denied
        mov word [PM_TSS+0x66], PM_TSS_LIMIT + 1
        mov edx, 0x300
        PM_RING_FAULT 3, 13, 0, in al, dx
        mov word [PM_TSS+0x66], PM_IOMAP_OFS
        PM_RING_OK 3, in al, dx

GROUP "call gates"
        SET_GATE S_CG32, PM_CODE, OFS(cg32_target), ACC_CALL32|ACC_DPL(3), 2
        SET_GATE S_CG16, PM_CODE16, OFS(cg16_target), ACC_CALL16|ACC_DPL(3), 3
        SET_GATE S_CGLOW, PM_CODE, OFS(cg32_target), ACC_CALL32|ACC_DPL(0), 2
        SET_GATE S_CGNP, PM_CODE, OFS(cg32_target), (ACC_CALL32|ACC_DPL(3)) & ~ACC_P, 2
        SET_GATE S_CG0, PM_CODE, OFS(cg0_target), ACC_CALL32, 0
        ; 32-bit gate, 2 dword parameters, ring 3 -> ring 0
        PM_RUN_RING 3, .cg32
        jmp .cg32_done
.cg32:  push strict dword 0x1111
        push strict dword 0x2222
        call S_CG32:0x5555                              ; offset ignored
.cg32_ret:
        mov di, cs
        PM_BACK
.cg32_done:
        CHECK di, PM_CODE3
        CHECKD [PMV_ESP], PM_STACK_TOP(3)               ; RETF 8 released them
        CHECKD [U+0x00], PM_STACK_TOP(0) - 24           ; ESP in the target
        CHECKD [U+0x04], OFS(.cg32_ret)                 ; EIP
        CHECKD [U+0x08], PM_CODE3                       ; CS
        CHECKD [U+0x0C], 0x2222                         ; params in order
        CHECKD [U+0x10], 0x1111
        CHECKD [U+0x14], PM_STACK_TOP(3) - 8            ; old ESP
        CHECKD [U+0x18], PM_DATA3                       ; old SS
        CHECKD [U+0x1C], PM_CODE                        ; CS in the target
        ; 16-bit gate, 3 word parameters
        PM_EXPECT_JMP .cg16_back
        push strict dword PM_DATA3
        push strict dword R3SP16
        push strict dword 2
        push strict dword PM_CODE3
        push strict dword .cg16
        iretd
.cg16:  push word 0x3333
        push word 0x4444
        push word 0x5555
        call S_CG16:0
.cg16_ret:
        PM_BACK
.cg16_back:
        CHECKD [PMV_ESP], R3SP16                        ; RETF 6 released them
        CHECKD [U+0x20], PM_STACK_TOP(0) - 14           ; 7 words pushed
        CHECKW [U+0x24], OFS(.cg16_ret)                 ; IP
        CHECKW [U+0x26], PM_CODE3                       ; CS
        CHECKW [U+0x28], 0x5555
        CHECKW [U+0x2A], 0x4444
        CHECKW [U+0x2C], 0x3333
        CHECKW [U+0x2E], R3SP16 - 6                     ; old SP
        CHECKW [U+0x30], PM_DATA3                       ; old SS
        ; gate checks
        PM_RING_FAULT 3, 13, S_CGLOW, call S_CGLOW:0    ; gate DPL 0 < CPL 3
        PM_FAULT_E 13, S_CGLOW, call (S_CGLOW|3):0      ; RPL 3 > gate DPL 0
        PM_RING_FAULT 3, 11, S_CGNP, call S_CGNP:0      ; not present: #NP
        PM_RING_FAULT 3, 13, PM_CODE, jmp S_CG32:0      ; JMP can't go inward
        mov dword [U+0x40], 0
        call S_CG0:0                                    ; ring 0 -> ring 0
        CHECKD [U+0x40], PM_STACK_TOP(0) - 8            ; CS:EIP only
        SET_GATE S_CGOUT, PM_CODE3, OFS(.cg32), ACC_CALL32|ACC_DPL(3), 0
        PM_FAULT_E 13, PM_CODE3 & ~3, call S_CGOUT:0    ; to an outer ring

GROUP "conforming code keeps CPL"
        SET_DESC S_CONF, 0xF0000, 0xFFFF, ACC_CODE_XR|ACC_CONFORMING|ACC_A, DF_DB
        PM_RUN_RING 3, .conf3
        jmp .conf3_done
.conf3: mov esi, esp
        call S_CONF:conf_target                         ; DPL 0 conforming
        PM_BACK
.conf3_done:
        CHECK dx, S_CONF | 3                            ; RPL = CPL 3
        sub esi, edi
        CHECK esi, 8                                    ; same stack: CS, EIP
        PM_RING_FAULT 3, 13, PM_CODE, call PM_CODE:conf_target ; not conforming
        SET_DESC S_CONF2, 0xF0000, 0xFFFF, ACC_CODE_XR|ACC_CONFORMING|ACC_A|ACC_DPL(3), DF_DB
        PM_FAULT_E 13, S_CONF2, jmp S_CONF2:conf_target ; DPL 3 > CPL 0

GROUP "interrupt and trap gates from ring 3"
        SET_IDT V_INT3, PM_CODE, OFS(__pm_stubs) + 10*V_INT3, ACC_INT32|ACC_DPL(3)
        SET_IDT V_TRAP3, PM_CODE, OFS(__pm_stubs) + 10*V_TRAP3, ACC_TRAP32|ACC_DPL(3)
        SET_IDT V_NP, PM_CODE, OFS(__pm_stubs) + 10*V_NP, (ACC_INT32|ACC_DPL(3)) & ~ACC_P
        PM_RUN_RING 3, .int3, FL_IF | FL_CF
        jmp .int3_done
.int3:  int V_INT3
.int3_ret:
.int3_done:
        PM_CHECK_EXC V_INT3, .int3_ret
        CHECKD [PMV_CS], PM_CODE3
        CHECKD [PMV_SS], PM_DATA3
        CHECKD [PMV_ESP], PM_STACK_TOP(3)
        CHECKD [PMV_HESP], PM_STACK_TOP(0) - 20
        mov eax, [PMV_EFLAGS]
        and eax, FL_IF | FL_CF | FL_IOPL3
        CHECK eax, FL_IF | FL_CF                        ; pushed EFLAGS
        mov eax, [PMV_HEFLAGS]
        and eax, FL_IF | FL_CF
        CHECK eax, FL_CF                                ; interrupt gate: IF=0
        PM_RUN_RING 3, .trap3, FL_IF
        jmp .trap3_done
.trap3: int V_TRAP3
.trap3_done:
        mov eax, [PMV_HEFLAGS]
        and eax, FL_IF
        CHECK eax, FL_IF                                ; trap gate keeps IF
        cli
        CHECKD [PMV_ESP], PM_STACK_TOP(3)
        PM_RING_FAULT 3, 13, V_DPL0*8+2, int V_DPL0     ; gate DPL 0 < CPL 3
        PM_RING_FAULT 3, 13, 3*8+2, int3                ; INT3 too
        PM_RING_FAULT 3, 11, V_NP*8+2, int V_NP         ; not present: #NP
        PM_RING_FAULT 3, 13, 0, cli                     ; exceptions ignore DPL
        CHECKD [PMV_ESP], PM_STACK_TOP(3)
        ; from ring 0: same stack, no SS:ESP pushed
        mov ebx, esp
        PM_EXPECT 0
        int V_INT3
.int0_ret:
        PM_CHECK_EXC V_INT3, .int0_ret
        CHECKB [PMV_PRIV], 0
        sub ebx, [PMV_HESP]
        CHECK ebx, 12                                   ; EFLAGS, CS, EIP

GROUP "16-bit interrupt gate"
        SET_IDT V_G16, PM_CODE, OFS(g16_handler), ACC_INT16
        mov dword [U+0x50], 0
        mov ebx, esp
        SETFLAGS FL_CF
        int V_G16
.g16_ret:
        CHECK_FLAGS FL_CF, FL_CF                        ; IRET restored it
        CHECKD [U+0x50], 0xABCD                         ; handler ran
        sub ebx, [U+0x54]
        CHECK ebx, 6                                    ; FLAGS, CS, IP: words
        CHECKW [U+0x58], OFS(.g16_ret)
        CHECKW [U+0x5A], PM_CODE
        mov ax, [U+0x5C]
        and ax, FL_CF
        CHECK ax, FL_CF
        ; SDM Vol. 2A INT n (16-bit gate: "EIP <- DEST AND 0000FFFFH"),
        ; Vol. 3A 6.11: a 16-bit gate has a 16-bit offset.  QEMU TCG uses
        ; the gate's upper offset word as EIP[31:16] and would run off into
        ; RAM, so the whole case is skipped under QEMU.
        QEMU_SKIP_BEGIN "16-bit interrupt gate ignores offset[31:16] (SDM Vol. 2A INT n, Vol. 3A 6.11); QEMU TCG uses it"
        SET_IDT V_G16H, PM_CODE, 0x10000 + OFS(g16_handler), ACC_INT16
        mov dword [U+0x50], 0
        int V_G16H
.g16h_ret:
        CHECKD [U+0x50], 0xABCD
        CHECKD [U+0x60], OFS(g16_handler)               ; EIP in the handler
        QEMU_SKIP_END

GROUP "SYSENTER / SYSEXIT"
        mov ecx, MSR_SYSENTER_CS
        xor edx, edx
        mov eax, PM_FLAT_CODE
        wrmsr
        mov ecx, MSR_SYSENTER_ESP
        mov eax, PM_STACK_TOP(0) - 0x200
        wrmsr
        mov ecx, MSR_SYSENTER_EIP
        mov eax, LIN(sysenter_target)
        wrmsr
        mov ecx, MSR_SYSENTER_CS
        rdmsr
        CHECK eax, PM_FLAT_CODE
        PM_RUN_RING 3, .se3, FL_IF
        jmp .se3_done
.se3:   mov ecx, esp                                    ; SYSEXIT: ESP <- ECX
        mov edx, LIN(.se3_exit)                         ;          EIP <- EDX
        sysenter
.se3_exit:                                              ; flat CS here
        mov si, cs
        mov di, ss
        PM_BACK
.se3_back:
.se3_done:
        CHECKD [U+0x70], PM_FLAT_CODE                   ; CS in the target
        CHECKD [U+0x74], PM_FLAT_DATA                   ; SS
        CHECKD [U+0x78], PM_STACK_TOP(0) - 0x200        ; ESP
        mov eax, [U+0x7C]
        and eax, FL_IF | FL_VM
        CHECK eax, 0                                    ; IF cleared
        CHECK2 si, PM_FLAT_CODE + 16 + 3, di, PM_FLAT_CODE + 24 + 3
        CHECKD [PMV_EIP], LIN(.se3_back)
        CHECKD [PMV_ESP], PM_STACK_TOP(3)
        CHECKD [PMV_CS], PM_FLAT_CODE3
        PRIV3 sysexit                                   ; only from ring 0
        mov ecx, MSR_SYSENTER_CS
        xor edx, edx
        xor eax, eax
        wrmsr
        PM_RING_FAULT 3, 13, 0, sysenter                ; SYSENTER_CS = 0
        jmp rings_end

; ---------------------------------------------------------------- targets
bits 32
; 32-bit call gate target (ring 0): record the stack, return with RETF 8
cg32_target:
        mov [ss:U+0x00], esp
        mov eax, [esp]
        mov [ss:U+0x04], eax
        mov eax, [esp+4]
        mov [ss:U+0x08], eax
        mov eax, [esp+8]
        mov [ss:U+0x0C], eax
        mov eax, [esp+12]
        mov [ss:U+0x10], eax
        mov eax, [esp+16]
        mov [ss:U+0x14], eax
        mov eax, [esp+20]
        mov [ss:U+0x18], eax
        xor eax, eax
        mov ax, cs
        mov [ss:U+0x1C], eax
        retf 8

; same-privilege call gate target
cg0_target:
        mov [U+0x40], esp
        retf

; conforming code (DPL 0): called from ring 3, records CS in DX and ESP in EDI
conf_target:
        mov dx, cs
        lea edi, [esp]
        retf

; 16-bit interrupt gate handler (32-bit code, 16-bit frame): records, IRET
g16_handler:
        call .here
.here:  pop eax
        sub eax, .here - g16_handler
        mov [U+0x60], eax                               ; its own EIP
        mov dword [U+0x50], 0xABCD
        mov [U+0x54], esp
        mov ax, [esp]
        mov [U+0x58], ax
        mov ax, [esp+2]
        mov [U+0x5A], ax
        mov ax, [esp+4]
        mov [U+0x5C], ax
        o16 iret

; SYSENTER target: flat ring-0 code (EIP = linear address)
sysenter_target:
        mov dword [ss:U+0x70], 0
        mov [ss:U+0x70], cs
        mov dword [ss:U+0x74], 0
        mov [ss:U+0x74], ss
        mov [ss:U+0x78], esp
        pushfd
        pop dword [ss:U+0x7C]
        sysexit

bits 16
; 16-bit call gate target (ring 0, 16-bit code): record, RETF 6
cg16_target:
        o32 mov [ss:U+0x20], esp
        mov ax, [ss:esp]
        mov [ss:U+0x24], ax
        mov ax, [ss:esp+2]
        mov [ss:U+0x26], ax
        mov ax, [ss:esp+4]
        mov [ss:U+0x28], ax
        mov ax, [ss:esp+6]
        mov [ss:U+0x2A], ax
        mov ax, [ss:esp+8]
        mov [ss:U+0x2C], ax
        mov ax, [ss:esp+10]
        mov [ss:U+0x2E], ax
        mov ax, [ss:esp+12]
        mov [ss:U+0x30], ax
        retf 6
bits 32

rings_end:
        PM_ROM_END
