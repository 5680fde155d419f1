; =============================================================================
; pm-tasks.asm - hardware task switching.
;
; SDM Vol. 3A chapter 7 (7.3 "Task Switching", Table 7-2 busy/NT/link
; handling, 7.4 "Task Linking", 7.6 16-bit TSS) and Vol. 2 JMP/CALL/IRET/
; INT n pseudo-code:
;  * JMP to a TSS or task gate: the old task's busy bit is cleared, the new
;    one's set, NT=0, the back link is not written.
;  * CALL (or INT/exception through a task gate): the old task stays busy,
;    the new task gets NT=1 and back link = the old TSS selector; IRET with
;    NT=1 returns to the linked task and clears the returning task's busy
;    bit.
;  * The old task's state (EIP after the instruction, general registers,
;    segment selectors, EFLAGS) is saved in its TSS; CR3 is not saved.  The
;    new task's registers, segment registers, LDTR and CR3 are loaded from
;    its TSS; CR0.TS is set.
;  * An exception through a task gate pushes its error code on the new
;    task's stack.
;  * Faults: JMP/CALL to a busy TSS is #GP(selector); a TSS limit below 67h
;    (32-bit) is #TS(selector); IRET with NT=1 whose back link is not a
;    busy TSS is #TS(link).
; Paging is on (PM_INIT_PAGED) so that the CR3 reload is visible: task B
; runs with a page directory that maps 400000h to another frame.
; =============================================================================
%include "rom.inc"
%include "pm.inc"

TSS_B   equ 0x16000     ; 32-bit TSS of task B
TSS_C   equ 0x17000     ; 16-bit TSS of task C
TSS_G   equ 0x17800     ; 32-bit TSS of the #GP task
LDT_B   equ 0x18000     ; task B's LDT
PD_B    equ 0x34000     ; task B's page directory
PT_A1   equ 0x32000     ; page table for 400000h, task A
PT_B1   equ 0x35000     ; page table for 400000h, task B
STACK_B equ 0x1B800
STACK_G equ 0x1B400
FRAME_A equ 0x50000     ; 400000h -> this frame in task A
FRAME_B equ 0x51000     ; ... and this one in task B

S_TSSB  equ 0x90
S_TSSC  equ 0x98        ; 16-bit TSS
S_TSSG  equ 0xA0
S_LDTB  equ 0xA8
S_TGATE equ 0xB0        ; task gate -> S_TSSB
S_SHORT equ 0xB8        ; TSS with limit 66h
V_TASK  equ 0x50        ; IDT task gate -> S_TSSB

U       equ PMV_USER    ; what the tasks record
B_EAX   equ U+0x00
B_EBX   equ U+0x04
B_ESP   equ U+0x08
B_EFL   equ U+0x0C
B_TR    equ U+0x10
B_BUSYB equ U+0x12      ; access byte of S_TSSB
B_BUSYA equ U+0x13      ; access byte of PM_TSS_SEL
B_DS    equ U+0x14
B_LDTR  equ U+0x16
B_CR3   equ U+0x18
B_LINK  equ U+0x1C
B_CR0   equ U+0x20
B_MEM   equ U+0x24      ; dword at 400000h as task B sees it
B_FS    equ U+0x28      ; dword read through an LDT selector
B_MODE  equ U+0x2C      ; 0: JMP back to task A, 1: IRET
B_COUNT equ U+0x30
C_AX    equ U+0x34
C_SP    equ U+0x36
C_TR    equ U+0x38
C_LINK  equ U+0x3A
C_FLAGS equ U+0x3C
G_ERR   equ U+0x40
G_RESUME equ U+0x44
G_TR    equ U+0x48
G_EIP   equ U+0x4C

; INIT_TSSB - a fresh task B: EIP = task_b, registers and segments set.
%macro INIT_TSSB 0
        mov edi, TSS_B
        xor eax, eax
        mov ecx, 0x68 / 4
        rep stosd
        mov dword [TSS_B+0x1C], PD_B            ; CR3
        mov dword [TSS_B+0x20], task_b          ; EIP
        mov dword [TSS_B+0x24], 0x00000002 | FL_CF ; EFLAGS
        mov dword [TSS_B+0x28], 0x0B0B0001      ; EAX
        mov dword [TSS_B+0x34], 0x0B0B0004      ; EBX
        mov dword [TSS_B+0x38], STACK_B         ; ESP
        mov dword [TSS_B+0x48], PM_DATA         ; ES
        mov dword [TSS_B+0x4C], PM_CODE         ; CS
        mov dword [TSS_B+0x50], PM_DATA         ; SS
        mov dword [TSS_B+0x54], PM_DATA3        ; DS (DPL 3 data, RPL 3)
        mov dword [TSS_B+0x58], PM_DATA         ; FS
        mov dword [TSS_B+0x5C], PM_DATA         ; GS
        mov dword [TSS_B+0x60], S_LDTB          ; LDT
        mov word [TSS_B+0x66], 0x68             ; no I/O bitmap
        mov byte [PM_GDT+S_TSSB+5], ACC_TSS32
        mov dword [B_MODE], 0
%endmacro

ROM_BEGIN "pm-tasks"
        PM_INIT_PAGED
        ; task A maps 400000h -> FRAME_A, task B -> FRAME_B
        mov edi, PT_A1
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PT_A1], FRAME_A | PG_P | PG_W
        mov dword [PM_PD + 4], PT_A1 | PG_P | PG_W | PG_U
        mov esi, PM_PD
        mov edi, PD_B
        mov ecx, 1024
        rep movsd
        mov edi, PT_B1
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PT_B1], FRAME_B | PG_P | PG_W
        mov dword [PD_B + 4], PT_B1 | PG_P | PG_W | PG_U
        mov eax, PM_PD
        mov cr3, eax
        mov dword [FRAME_A], 0xAAAA0000
        mov dword [FRAME_B], 0xBBBB0000
        ; task B's LDT: index 1 = data at 60000h
        SET_DESC S_LDTB, LDT_B, 0x0F, ACC_LDT, 0
        SET_DESC_AT LDT_B + 8, 0x60000, 0xFFFF, ACC_DATA_RW|ACC_A, DF_DB
        mov dword [0x60000], 0x1D71D700
        SET_DESC S_TSSB, TSS_B, 0x67, ACC_TSS32, 0
        SET_DESC S_TSSC, TSS_C, 0x2B, ACC_TSS16, 0
        SET_DESC S_TSSG, TSS_G, 0x67, ACC_TSS32, 0
        SET_GATE S_TGATE, S_TSSB, 0, ACC_TASKGATE, 0
        SET_DESC S_SHORT, TSS_B, 0x66, ACC_TSS32, 0
        ; task A's TSS names an LDT that LDTR does not hold yet: a switch
        ; back to A loads it (the LDT field is never written by a switch)
        mov dword [PM_TSS+0x60], PM_LDT_SEL

GROUP "JMP to a TSS"
        sldt ax
        CHECK ax, 0
        INIT_TSSB
        mov dword [B_COUNT], 0
        mov eax, 0xA0A0A0A1
        mov ebx, 0xA0A0A0A4
        mov esi, 0xA0A0A0A5
        mov ebp, 0xA0A0A0A6
        mov edx, esp
        SETFLAGS FL_ZF
        jmp S_TSSB:0x12345678                   ; offset ignored
.jmp_back:
        CHECK_FLAGS FL_ZF|FL_CF, FL_ZF          ; task A's EFLAGS again
        CHECK2 eax, 0xA0A0A0A1, ebx, 0xA0A0A0A4 ; and its registers
        CHECK2 esi, 0xA0A0A0A5, ebp, 0xA0A0A0A6
        sub edx, esp
        CHECK edx, 0
        CHECKD [B_COUNT], 1                     ; task B ran once
        CHECKD [B_EAX], 0x0B0B0001              ; with its TSS registers
        CHECKD [B_EBX], 0x0B0B0004
        CHECKD [B_ESP], STACK_B
        mov eax, [B_EFL]
        and eax, FL_CF|FL_NT|FL_ZF
        CHECK eax, FL_CF                        ; NT=0 after a JMP
        CHECKW [B_TR], S_TSSB
        CHECKB [B_BUSYB], ACC_TSS32_BUSY        ; new task busy,
        CHECKB [B_BUSYA], ACC_TSS32             ; old one not
        CHECKW [B_DS], PM_DATA3
        CHECKW [B_LDTR], S_LDTB
        CHECKD [B_CR3], PD_B
        CHECKD [B_LINK], 0                      ; JMP writes no back link
        mov eax, [B_CR0]
        and eax, CR0_TS
        CHECK eax, CR0_TS                       ; CR0.TS set
        CHECKD [B_MEM], 0xBBBB0000              ; B's CR3 in effect
        CHECKD [B_FS], 0x1D71D700               ; B's LDT in effect
        ; task A's state as saved by the switch
        CHECKD [PM_TSS+0x20], OFS(.jmp_back)    ; EIP after the JMP
        CHECKD [PM_TSS+0x28], 0xA0A0A0A1        ; EAX
        CHECKD [PM_TSS+0x40], 0xA0A0A0A5        ; ESI
        mov eax, [PM_TSS+0x24]
        and eax, FL_ZF|FL_CF
        CHECK eax, FL_ZF                        ; EFLAGS
        CHECKD [PM_TSS+0x4C], PM_CODE           ; CS
        CHECKD [PM_TSS+0x60], PM_LDT_SEL        ; LDT field: not written
        ; task A again: TR, busy bits, LDTR, CR3, CR0.TS
        str ax
        CHECK ax, PM_TSS_SEL
        CHECKB [PM_GDT+PM_TSS_SEL+5], ACC_TSS32_BUSY
        CHECKB [PM_GDT+S_TSSB+5], ACC_TSS32     ; B left by JMP: not busy
        sldt ax
        CHECK ax, PM_LDT_SEL
        mov eax, cr3
        CHECK eax, PM_PD
        mov eax, [0x400000]
        CHECK eax, 0xAAAA0000
        mov eax, cr0
        and eax, CR0_TS
        CHECK eax, CR0_TS
        clts
        CHECKD [TSS_B+0x20], OFS(task_b.again)  ; B's state saved too

GROUP "CALL to a TSS, IRET back (NT, back link)"
        INIT_TSSB
        mov dword [B_MODE], 1                   ; B returns with IRET
        mov dword [B_COUNT], 0
        mov eax, 0xA1A1A1A1
        SETFLAGS FL_SF
        call S_TSSB:0
.call_back:
        CHECK_FLAGS FL_SF|FL_CF, FL_SF
        pushfd
        pop ebx
        and ebx, FL_NT
        CHECK ebx, 0                            ; A's NT was 0
        CHECK eax, 0xA1A1A1A1
        CHECKD [B_COUNT], 1
        mov eax, [B_EFL]
        and eax, FL_NT
        CHECK eax, FL_NT                        ; NT=1 in the called task
        CHECKD [B_LINK], PM_TSS_SEL             ; back link
        CHECKB [B_BUSYB], ACC_TSS32_BUSY
        CHECKB [B_BUSYA], ACC_TSS32_BUSY        ; the caller stays busy
        CHECKB [PM_GDT+S_TSSB+5], ACC_TSS32     ; IRET cleared B's busy bit
        CHECKB [PM_GDT+PM_TSS_SEL+5], ACC_TSS32_BUSY
        str ax
        CHECK ax, PM_TSS_SEL
        mov eax, [TSS_B+0x24]                   ; B's saved EFLAGS: NT
        and eax, FL_NT                          ; cleared by the IRET
        CHECK eax, 0
        clts

GROUP "task gates (GDT and IDT)"
        INIT_TSSB
        mov dword [B_MODE], 1
        mov dword [B_COUNT], 0
        call S_TGATE:0
        CHECKD [B_COUNT], 1
        CHECKD [B_LINK], PM_TSS_SEL
        CHECKW [B_TR], S_TSSB
        INIT_TSSB
        mov dword [B_COUNT], 0
        jmp S_TGATE:0                           ; B JMPs back
.tg_jmp_back:
        CHECKD [B_COUNT], 1
        CHECKD [B_LINK], 0
        mov eax, [B_EFL]
        and eax, FL_NT
        CHECK eax, 0
        ; INT n through an IDT task gate
        SET_IDT V_TASK, S_TSSB, 0, ACC_TASKGATE
        INIT_TSSB
        mov dword [B_MODE], 1
        mov dword [B_COUNT], 0
        int V_TASK
        CHECKD [B_COUNT], 1
        CHECKD [B_LINK], PM_TSS_SEL
        mov eax, [B_EFL]
        and eax, FL_NT
        CHECK eax, FL_NT
        CHECKD [B_ESP], STACK_B                 ; nothing pushed on B's stack
        clts

GROUP "exception through a task gate (error code)"
        mov edi, TSS_G
        xor eax, eax
        mov ecx, 0x68 / 4
        rep stosd
        mov dword [TSS_G+0x1C], PM_PD
        mov dword [TSS_G+0x20], task_gp
        mov dword [TSS_G+0x24], 2
        mov dword [TSS_G+0x38], STACK_G
        mov dword [TSS_G+0x48], PM_DATA
        mov dword [TSS_G+0x4C], PM_CODE
        mov dword [TSS_G+0x50], PM_DATA
        mov dword [TSS_G+0x54], PM_DATA
        mov dword [TSS_G+0x58], PM_DATA
        mov dword [TSS_G+0x5C], PM_DATA
        mov word [TSS_G+0x66], 0x68
        SET_IDT 13, S_TSSG, 0, ACC_TASKGATE
        mov dword [G_RESUME], .gp_resume
        mov ax, 0x800
.gp_at: mov ds, ax                              ; #GP(800h) -> task G
        mov ebx, 0xBAD                          ; (skipped)
.gp_resume:
        RESTORE_IDT 13
        CHECKD [G_ERR], 0x800                   ; on task G's stack
        CHECKD [G_EIP], OFS(.gp_at)             ; A's saved EIP: the fault
        CHECKW [G_TR], S_TSSG
        CHECKB [PM_GDT+S_TSSG+5], ACC_TSS32     ; not busy after its IRET
        CHECK ds, PM_DATA
        clts

GROUP "16-bit TSS"
        mov edi, TSS_C
        xor eax, eax
        mov ecx, 0x2C / 4
        rep stosd
        mov word [TSS_C+14], task_c             ; IP
        mov word [TSS_C+16], 0x0002 | FL_ZF     ; FLAGS
        mov word [TSS_C+18], 0x0C01             ; AX
        mov word [TSS_C+26], 0x9000             ; SP
        mov word [TSS_C+34], PM_DATA            ; ES
        mov word [TSS_C+36], PM_CODE            ; CS
        mov word [TSS_C+38], PM_DATA16          ; SS
        mov word [TSS_C+40], PM_DATA            ; DS
        mov word [TSS_C+42], 0                  ; LDT
        mov eax, 0xA2A2A2A2
        call S_TSSC:0
.c_back:
        CHECK eax, 0xA2A2A2A2
        CHECKW [C_AX], 0x0C01
        CHECKW [C_SP], 0x9000
        CHECKW [C_TR], S_TSSC
        CHECKW [C_LINK], PM_TSS_SEL
        mov ax, [C_FLAGS]
        and ax, FL_NT|FL_ZF
        CHECK ax, FL_NT|FL_ZF
        CHECKB [PM_GDT+S_TSSC+5], ACC_TSS16     ; available again
        CHECKW [TSS_C+14], OFS(task_c.after_iret) ; C's IP saved, 16 bits
        sldt ax
        CHECK ax, PM_LDT_SEL                    ; A's LDTR reloaded
        clts

GROUP "busy TSS and bad TSS faults"
        mov ax, PM_TSS_SEL
        PM_FAULT_E 13, PM_TSS_SEL, jmp PM_TSS_SEL:0 ; the current task: busy
        PM_FAULT_E 13, PM_TSS_SEL, call PM_TSS_SEL:0
        INIT_TSSB
        mov byte [PM_GDT+S_TSSB+5], ACC_TSS32_BUSY
        PM_FAULT_E 13, S_TSSB, jmp S_TGATE:0    ; busy through a gate
        mov byte [PM_GDT+S_TSSB+5], ACC_TSS32
        PM_FAULT_E 10, S_SHORT, jmp S_SHORT:0   ; limit 66h < 67h: #TS
        PM_FAULT_E 10, S_SHORT, call S_SHORT:0
        CHECKB [PM_GDT+S_SHORT+5], ACC_TSS32    ; nothing marked busy
        str ax
        CHECK ax, PM_TSS_SEL
        ; IRET with NT=1: back link to a TSS that is not busy
        mov word [PM_TSS], S_TSSB               ; our back link
        pushfd
        or dword [esp], FL_NT
        popfd
        PM_FAULT_E 10, S_TSSB, iretd
        mov word [PM_TSS], 0x800                ; beyond the GDT
        PM_FAULT_E 10, 0x800, iretd
        pushfd
        and dword [esp], ~FL_NT
        popfd
        str ax
        CHECK ax, PM_TSS_SEL

        jmp tasks_end

; ----------------------------------------------------------------- tasks
; task B: record what it sees, then JMP back to task A or IRET.
task_b:
        mov [B_EAX], eax
        mov [B_EBX], ebx
        mov [B_ESP], esp
        pushfd
        pop dword [B_EFL]
        str word [B_TR]
        mov al, [PM_GDT+S_TSSB+5]
        mov [B_BUSYB], al
        mov al, [PM_GDT+PM_TSS_SEL+5]
        mov [B_BUSYA], al
        mov [B_DS], ds
        sldt word [B_LDTR]
        mov eax, cr3
        mov [B_CR3], eax
        mov eax, [TSS_B]
        mov [B_LINK], eax
        mov eax, cr0
        mov [B_CR0], eax
        mov eax, [0x400000]
        mov [B_MEM], eax
        mov ax, 0x0C                            ; LDT index 1
        mov fs, ax
        mov eax, [fs:0]
        mov [B_FS], eax
        inc dword [B_COUNT]
        cmp dword [B_MODE], 1
        je .iret
        jmp PM_TSS_SEL:0
.again: jmp task_b
.iret:  iretd
        jmp task_b

; task G: #GP handler task; error code on its stack, A resumes at G_RESUME
task_gp:
        pop dword [G_ERR]
        str word [G_TR]
        mov eax, [PM_TSS+0x20]
        mov [G_EIP], eax
        mov eax, [G_RESUME]
        mov [PM_TSS+0x20], eax
        mov word [PM_TSS+0x54], PM_DATA         ; A's DS
        iretd
        jmp task_gp

; task C (16-bit TSS, 32-bit code segment, 16-bit stack segment)
task_c:
        mov [C_AX], ax
        mov [C_SP], sp
        str word [C_TR]
        mov ax, [TSS_C]
        mov [C_LINK], ax
        pushf
        pop word [C_FLAGS]
        iretd
.after_iret:
        jmp task_c

tasks_end:
        PM_ROM_END
