; Entry stub for the protected-mode fuzz test (test/fuzz.test.mjs): from real mode at 0000:7C00,
; load a GDT (flat ring-0/ring-3 code and data, a TSS) and an IDT, enable paging and protected
; mode together, load the segments and TR, and halt. The host then fills registers with random
; values and jumps into random code.
        bits 16
        org 0x7C00
        cli
        lgdt [gdtr]
        lidt [idtr]
        mov eax, 0x00010000             ; page directory (built by the host)
        mov cr3, eax
        mov eax, 0x80000011             ; PG | ET | PE
        mov cr0, eax
        jmp dword 0x08:pm32
        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, 0x9000
        mov ax, 0x28
        ltr ax
        hlt
        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 ring-0 code, flat, 32-bit
        dq 0x00CF92000000FFFF           ; 0x10 ring-0 data
        dq 0x00CFFA000000FFFF           ; 0x18 ring-3 code
        dq 0x00CFF2000000FFFF           ; 0x20 ring-3 data
        dq 0x0000890030000067           ; 0x28 32-bit TSS at 0x3000, limit 0x67
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd 0x2000
