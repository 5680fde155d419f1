; =============================================================================
; pm-paging.asm - 32-bit paging (no PAE): 4 KiB and 4 MiB pages, #PF error
; codes and CR2, page-level protection with CR0.WP, the accessed and dirty
; flags, INVLPG, CR3 reloads, global pages, and a page-crossing write.
;
; SDM Vol. 3A chapter 4:
;  * 4.3 32-bit paging; 4 MiB pages with CR4.PSE and PDE.PS.
;  * 4.6 access rights: user accesses need U/S=1 in the PDE and the PTE,
;    user writes need R/W=1 in both; supervisor writes to a read-only page
;    fault only when CR0.WP=1.
;  * 4.7 #PF error code: bit 0 P (0 = not present), bit 1 W/R, bit 2 U/S
;    (CPL 3); CR2 = the faulting linear address.
;  * 4.8 accessed/dirty flags: "Whenever the processor uses a paging-
;    structure entry as part of linear-address translation, it sets the
;    accessed flag"; the dirty flag only on a write, and only in the entry
;    that maps the page (PTE, or PDE with PS=1).  An access that faults is
;    not a translation, so it sets no flag.  QEMU deviation: QEMU TCG sets
;    the PDE's accessed flag while walking, before it finds the PTE not
;    present (or the access not permitted), so those PDE checks are skipped
;    under QEMU.
;  * 4.10.4 TLB invalidation: INVLPG, MOV to CR3 (global entries are kept,
;    CR4.PGE=1), and clearing CR4.PGE (flushes everything).  QEMU deviation:
;    QEMU TCG flushes global entries on a CR3 load too.  The SDM allows a
;    TLB not to hold an entry, so "a global page survives a CR3 load" is
;    what a P6 does rather than a guarantee; it is skipped under QEMU.
;  * A write that crosses into a page that faults must not modify the first
;    page (the instruction faults as a whole); CR2 = the first byte in the
;    faulting page.
; Entry uses PM_INIT_PAGED: CR0.PE and CR0.PG are set by one MOV CR0.
; =============================================================================
%include "rom.inc"
%include "pm.inc"

PT1     equ 0x32000             ; page table for linear 400000h-7FFFFFh
LBASE   equ 0x400000
%define LPAGE(n) (LBASE + (n)*0x1000)
%define PTE1(n) (PT1 + (n)*4)
F0      equ 0x50000             ; physical frames used by the tests
F1      equ 0x51000
F2      equ 0x52000
U       equ PMV_USER

; SETPTE n, value - PTE n of PT1 := value, INVLPG its page.
%macro SETPTE 2
        mov dword [PTE1(%1)], %2
        invlpg [LPAGE(%1)]
%endmacro

; PF_CHECK error_code, cr2 - one check on the last #PF's error code and CR2.
%macro PF_CHECK 2
        NEWCHECK
        _CHKX 1, byte [PMV_VEC], 14, "vector"
        _CHKX 4, dword [PMV_ERR], %1, "#PF error code"
        _CHKX 4, dword [PMV_CR2], %2, "CR2"
%endmacro

; PF0 error_code, address, <instruction> - ring 0: the instruction raises
; #PF with that error code and CR2 = address (one check), resumes after it.
%macro PF0 3+
        PM_EXPECT %%after
%%at:   %3
%%after:
        PF_CHECK %1, %2
%endmacro

; PF3 error_code, address, <instruction> - the same in ring 3.
%macro PF3 3+
        PM_RUN_RING 3, %%code
        PF_CHECK %1, %2
        jmp %%end
%%code: %3
        PM_BACK
%%end:
%endmacro

ROM_BEGIN "pm-paging"

GROUP "PE and PG set by one MOV CR0"
        PM_INIT_PAGED
        mov eax, cr0
        and eax, CR0_PE|CR0_PG
        CHECK eax, CR0_PE|CR0_PG
        mov eax, cr3
        CHECK eax, PM_PD
        mov dword [F0], 0x12345678              ; identity mapping
        mov eax, [F0]
        CHECK eax, 0x12345678
        ; page table 1 for linear 400000h-7FFFFFh, all entries not present
        mov edi, PT1
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [PM_PD + 4], PT1 | PG_P | PG_W | PG_U
        mov eax, cr3
        mov cr3, eax

GROUP "4 KiB pages"
        mov dword [F1], 0xF1F1F1F1
        mov dword [F2], 0xF2F2F2F2
        mov dword [F2 + 0xFFC], 0xF2F2F2F2
        SETPTE 0, F1 | PG_P | PG_W | PG_U
        SETPTE 1, F2 | PG_P | PG_W | PG_U
        SETPTE 2, F1 | PG_P | PG_W | PG_U       ; an alias of page 0
        mov eax, [LPAGE(0)]
        CHECK eax, 0xF1F1F1F1
        mov eax, [LPAGE(1)]
        CHECK eax, 0xF2F2F2F2
        mov dword [LPAGE(0) + 0x10], 0xAAAA5555
        CHECKD [F1 + 0x10], 0xAAAA5555          ; the frame
        CHECKD [LPAGE(2) + 0x10], 0xAAAA5555    ; the alias
        mov eax, [LPAGE(1) + 0xFFE]             ; crosses into page 2 (-> F1)
        CHECK eax, 0xF1F1F2F2

GROUP "#PF: not present"
        PF0 0, LPAGE(3) + 0x123, mov eax, [LPAGE(3) + 0x123]
        PF0 2, LPAGE(3) + 0x124, mov dword [LPAGE(3) + 0x124], 1
        PF0 0, 0x800010, mov eax, [0x800010]    ; PDE 2 not present
        PF0 2, 0x800FFF, mov byte [0x800FFF], 1
        PF3 4, LPAGE(3) + 8, mov eax, [ss:LPAGE(3) + 8]  ; user read
        PF3 6, LPAGE(3) + 9, mov byte [ss:LPAGE(3) + 9], 1 ; user write
        CHECKD [PMV_ESP], PM_STACK_TOP(3)       ; from ring 3: SS:ESP pushed
        ; an instruction fetch: CR2 = EIP = the target
        PM_EXPECT_JMP .fetch_back
        jmp PM_FLAT_CODE:LPAGE(3) + 0x40
.fetch_back:
        PF_CHECK 0, LPAGE(3) + 0x40
        CHECKD [PMV_EIP], LPAGE(3) + 0x40
        CHECKD [PMV_CS], PM_FLAT_CODE

GROUP "#PF: read-only pages, CR0.WP"
        SETPTE 4, F1 | PG_P | PG_U              ; read-only user page
        mov eax, cr0
        and eax, ~CR0_WP
        mov cr0, eax
        PM_NO_FAULT mov dword [LPAGE(4) + 0x20], 0x5A5A0000 ; WP=0: allowed
        CHECKD [F1 + 0x20], 0x5A5A0000
        PF3 7, LPAGE(4) + 0x20, mov dword [ss:LPAGE(4) + 0x20], 1 ; user: no
        PM_RING_OK 3, mov eax, [ss:LPAGE(4) + 0x20]          ; user read: fine
        mov eax, cr0
        or eax, CR0_WP
        mov cr0, eax
        PF0 3, LPAGE(4) + 0x21, mov byte [LPAGE(4) + 0x21], 1 ; WP=1: P|W
        PF3 7, LPAGE(4) + 0x22, mov byte [ss:LPAGE(4) + 0x22], 1
        CHECKD [F1 + 0x20], 0x5A5A0000          ; nothing written
        ; read-only at the PDE level: PDE 3 (C00000h) with R/W=0
        mov dword [PM_PD + 12], PT1 | PG_P | PG_U
        SETPTE 5, F2 | PG_P | PG_W | PG_U       ; (C05000h uses PTE 5 too)
        invlpg [0xC05000]
        PF3 7, 0xC05000, mov byte [ss:0xC05000], 1
        PF0 3, 0xC05001, mov byte [0xC05001], 1 ; WP=1: supervisor too
        PM_RING_OK 3, mov al, [ss:0xC05000]
        mov eax, cr0
        and eax, ~CR0_WP
        mov cr0, eax
        PM_NO_FAULT mov byte [0xC05002], 0x77   ; WP=0: allowed
        CHECKB [F2 + 2], 0x77
        mov eax, cr0
        or eax, CR0_WP
        mov cr0, eax

GROUP "#PF: user access to supervisor pages"
        SETPTE 6, F1 | PG_P | PG_W              ; supervisor page
        PM_NO_FAULT mov eax, [LPAGE(6)]
        PF3 5, LPAGE(6) + 4, mov eax, [ss:LPAGE(6) + 4]
        PF3 7, LPAGE(6) + 4, mov [ss:LPAGE(6) + 4], eax
        ; supervisor at the PDE level: PDE 4 (1000000h) with U/S=0
        mov dword [PM_PD + 16], PT1 | PG_P | PG_W
        invlpg [0x1000000]
        SETPTE 0, F1 | PG_P | PG_W | PG_U
        invlpg [0x1000000]
        PF3 5, 0x1000000, mov eax, [ss:0x1000000]
        PM_NO_FAULT mov eax, [0x1000000]
        CHECK eax, 0xF1F1F1F1

GROUP "accessed and dirty flags"
        ; a read sets A in the PDE and the PTE, not D
        and dword [PM_PD + 4], ~(PG_A | PG_D)
        SETPTE 7, F1 | PG_P | PG_W | PG_U
        mov eax, [LPAGE(7)]
        CHECKD [PTE1(7)], F1 | PG_P | PG_W | PG_U | PG_A
        CHECKD [PM_PD + 4], PT1 | PG_P | PG_W | PG_U | PG_A
        ; then a write sets D in the PTE (never in a PDE that maps a table)
        mov dword [LPAGE(7)], eax
        CHECKD [PTE1(7)], F1 | PG_P | PG_W | PG_U | PG_A | PG_D
        CHECKD [PM_PD + 4], PT1 | PG_P | PG_W | PG_U | PG_A
        ; a first access that is a write sets both
        SETPTE 8, F1 | PG_P | PG_W | PG_U
        mov byte [LPAGE(8) + 0x30], 1
        CHECKD [PTE1(8)], F1 | PG_P | PG_W | PG_U | PG_A | PG_D
        ; a user read of a read-only page: A only; a user write to it
        ; faults and sets nothing in the PTE
        SETPTE 9, F1 | PG_P | PG_U
        PF3 7, LPAGE(9), mov byte [ss:LPAGE(9)], 1
        CHECKD [PTE1(9)], F1 | PG_P | PG_U
        PM_RING_OK 3, mov al, [ss:LPAGE(9)]
        CHECKD [PTE1(9)], F1 | PG_P | PG_U | PG_A
        ; a supervisor write with CR0.WP=0 to a read-only page sets D
        mov eax, cr0
        and eax, ~CR0_WP
        mov cr0, eax
        SETPTE 10, F1 | PG_P | PG_U
        mov byte [LPAGE(10) + 0x40], 2
        CHECKD [PTE1(10)], F1 | PG_P | PG_U | PG_A | PG_D
        mov eax, cr0
        or eax, CR0_WP
        mov cr0, eax
        ; faulting accesses set no A in the PDE either (SDM Vol. 3A 4.8: the
        ; flags are set for entries used in a translation).  QEMU TCG sets
        ; the PDE's A before it looks at the PTE.
        and dword [PM_PD + 4], ~PG_A
        SETPTE 11, 0                            ; not present
        PF0 0, LPAGE(11), mov al, [LPAGE(11)]
        SETPTE 12, F1 | PG_P | PG_U             ; read-only
        PF3 7, LPAGE(12), mov byte [ss:LPAGE(12)], 1
        CHECKD [PTE1(12)], F1 | PG_P | PG_U     ; PTE: nothing set
        QEMU_SKIP_BEGIN "faulting walk leaves the PDE accessed flag clear (SDM Vol. 3A 4.8); QEMU TCG sets it"
        CHECKD [PM_PD + 4], PT1 | PG_P | PG_W | PG_U
        QEMU_SKIP_END
        invlpg [LPAGE(10)]
        mov eax, [LPAGE(10)]                    ; a translation: now set
        CHECKD [PM_PD + 4], PT1 | PG_P | PG_W | PG_U | PG_A

GROUP "INVLPG and CR3 reload"
        mov dword [F1 + 0x100], 0x11111111
        mov dword [F2 + 0x100], 0x22222222
        mov dword [PTE1(13)], F1 | PG_P | PG_W
        invlpg [LPAGE(13)]
        mov eax, [LPAGE(13) + 0x100]
        CHECK eax, 0x11111111
        mov dword [PTE1(13)], F2 | PG_P | PG_W  ; remap, then INVLPG
        invlpg [LPAGE(13)]
        mov eax, [LPAGE(13) + 0x100]
        CHECK eax, 0x22222222
        mov dword [PTE1(13)], F1 | PG_P | PG_W  ; remap, then reload CR3
        mov ebx, cr3
        mov cr3, ebx
        mov eax, [LPAGE(13) + 0x100]
        CHECK eax, 0x11111111
        mov dword [PTE1(13)], 0                 ; unmap, INVLPG: #PF
        invlpg [LPAGE(13)]
        PF0 0, LPAGE(13) + 0x100, mov eax, [LPAGE(13) + 0x100]
        ; a second page directory (CR3 switch): 400000h maps elsewhere
        mov edi, 0x34000
        mov esi, PM_PD
        mov ecx, 1024
        rep movsd
        mov edi, 0x35000                        ; its own table 1
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov dword [0x35000 + 13*4], F2 | PG_P | PG_W
        mov dword [0x34000 + 4], 0x35000 | PG_P | PG_W | PG_U
        mov eax, 0x34000
        mov cr3, eax
        mov eax, [LPAGE(13) + 0x100]
        CHECK eax, 0x22222222
        mov eax, PM_PD
        mov cr3, eax
        PF0 0, LPAGE(13) + 0x104, mov eax, [LPAGE(13) + 0x104]

GROUP "global pages (CR4.PGE)"
        mov eax, cr4
        or eax, CR4_PGE
        mov cr4, eax
        mov dword [PTE1(14)], F1 | PG_P | PG_W | PG_G
        invlpg [LPAGE(14)]
        mov eax, [LPAGE(14) + 0x100]            ; now in the TLB
        CHECK eax, 0x11111111
        mov dword [PTE1(14)], F2 | PG_P | PG_W | PG_G
        mov ebx, cr3
        mov cr3, ebx                            ; keeps global entries
        mov eax, [LPAGE(14) + 0x100]
        ; SDM Vol. 3A 4.10.4.1: MOV to CR3 invalidates TLB entries "except
        ; those for global pages"; QEMU TCG flushes them as well.
        QEMU_SKIP_BEGIN "a global TLB entry survives MOV CR3 (SDM Vol. 3A 4.10.4.1); QEMU TCG flushes it"
        CHECK eax, 0x11111111                   ; old mapping still used
        QEMU_SKIP_END
        invlpg [LPAGE(14)]                      ; INVLPG removes it
        mov eax, [LPAGE(14) + 0x100]
        CHECK eax, 0x22222222
        mov dword [PTE1(14)], F1 | PG_P | PG_W | PG_G
        mov eax, cr4
        and eax, ~CR4_PGE                       ; clearing PGE flushes all
        mov cr4, eax
        mov eax, [LPAGE(14) + 0x100]
        CHECK eax, 0x11111111

GROUP "4 MiB pages (CR4.PSE)"
        mov eax, cr4
        or eax, CR4_PSE
        mov cr4, eax
        mov dword [PM_PD + 8], 0 | PG_PS | PG_P | PG_W | PG_U ; 800000h -> 0
        invlpg [0x800000 + F1]
        mov eax, [0x800000 + F1 + 0x100]
        CHECK eax, 0x11111111
        CHECKD [PM_PD + 8], PG_PS | PG_P | PG_W | PG_U | PG_A
        mov dword [0x800000 + F2 + 0x200], 0x4444AAAA
        CHECKD [F2 + 0x200], 0x4444AAAA
        CHECKD [PM_PD + 8], PG_PS | PG_P | PG_W | PG_U | PG_A | PG_D
        mov dword [PM_PD + 8], 0 | PG_PS | PG_P | PG_U ; read-only
        invlpg [0x812345]
        PF3 7, 0x812345, mov byte [ss:0x812345], 1
        PF0 3, 0x812346, mov byte [0x812346], 1
        PM_RING_OK 3, mov eax, [ss:0x800000 + F2 + 0x200]
        CHECK eax, 0x4444AAAA
        mov dword [PM_PD + 8], 0 | PG_PS | PG_W | PG_U ; not present
        invlpg [0x9FFFFC]
        PF0 0, 0x9FFFFC, mov eax, [0x9FFFFC]
        mov eax, cr4
        and eax, ~CR4_PSE
        mov cr4, eax

GROUP "page-crossing accesses"
        mov dword [F1 + 0xFF8], 0x01020304
        mov dword [F1 + 0xFFC], 0x05060708
        mov dword [PTE1(16)], F1 | PG_P | PG_W
        mov dword [PTE1(17)], 0                 ; the next page: not present
        invlpg [LPAGE(16)]
        invlpg [LPAGE(17)]
        PF0 2, LPAGE(17), mov dword [LPAGE(16) + 0xFFE], 0xAABBCCDD
        CHECKD [F1 + 0xFFC], 0x05060708         ; first page untouched
        PF0 0, LPAGE(17), mov eax, [LPAGE(16) + 0xFFD]
        mov dword [PTE1(17)], F2 | PG_P         ; present, read-only
        invlpg [LPAGE(17)]
        PF0 3, LPAGE(17), mov dword [LPAGE(16) + 0xFFF], 0xAABBCCDD
        CHECKD [F1 + 0xFFC], 0x05060708
        PF3 5, LPAGE(16) + 0xFFE, mov eax, [ss:LPAGE(16) + 0xFFE] ; supervisor first page
        mov dword [PTE1(17)], F2 | PG_P | PG_W
        invlpg [LPAGE(17)]
        mov dword [F2], 0
        PM_NO_FAULT mov dword [LPAGE(16) + 0xFFE], 0xAABBCCDD
        CHECKD [F1 + 0xFFC], 0xCCDD0708
        CHECKW [F2], 0xAABB

        PM_ROM_END
