; The benchmark disk of `npm run bench`: a boot sector that loads the rest of the program with
; INT 13h (AH=42h, EDD), enters protected mode with paging on (32 MiB identity-mapped with 4 KiB
; pages) and runs the loops of loops.inc with interrupts off. Everything goes to COM1 (0x3F8):
;
;   EMUBENCH 1\n
;   BENCH <name> [ ... ]<checksum as 8 hex digits>\n      once per loop
;   END\n
;
; '[' is the last instruction before the loop and ']' the first thing after it, so the time
; between the two bytes is the loop; the instructions from the one after the '[' OUT up to the
; ']' OUT inclusive are LOOP_* plus the 5 of END_MARK. The disk ends by halting with interrupts
; off. Build: nasm -f bin -D WITH_ALU ... -D ALU_N=... (benchmarks/lib/programs.mjs).
        bits 16
        org 0x7C00

BUF_MEM   equ 0x00100000
BUF_SRC   equ 0x00200000
BUF_DST   equ 0x00300000
BUF_TLB   equ 0x00800000        ; TLB_PAGES * TLB_STRIDE = 16.25 MiB, up to 0x1840000
PAGE_DIR  equ 0x00020000        ; then 8 page tables: 0..32 MiB
MAPPED_MB equ 32
STACK_TOP equ 0x00090000
COM1      equ 0x3F8

mbr:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        cld
        mov [dap.drive], dl
        mov ah, 0x42
        mov si, dap
        int 0x13
        jc .fail
        in al, 0x92             ; fast A20 on (the TLB loop uses odd megabytes)
        or al, 2
        and al, 0xFE
        out 0x92, al
        lgdt [gdt_desc]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp 0x08:protected
.fail:  mov si, disk_error
.print: lodsb
        test al, al
        jz .halt
        mov dx, COM1
        out dx, al
        jmp .print
.halt:  hlt
        jmp .halt

disk_error db "EMUBENCH disk read failed", 13, 10, 0
        align 4
dap:    db 16, 0
        dw SECTORS - 1          ; sectors after this one
        dw 0x7E00, 0            ; buffer 0000:7E00
        dd 1, 0                 ; from LBA 1
.drive  db 0
        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF   ; 0x08: flat 32-bit code
        dq 0x00CF92000000FFFF   ; 0x10: flat 32-bit data
gdt_desc:
        dw gdt_desc - gdt - 1
        dd gdt
        times 510 - ($ - $$) db 0
        dw 0xAA55

        bits 32
protected:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov fs, ax
        mov gs, ax
        mov esp, STACK_TOP
        ; Page directory and tables: identity map of the first MAPPED_MB MiB, present + writable.
        mov edi, PAGE_DIR
        mov ecx, 1024
        xor eax, eax
        rep stosd
        mov edi, PAGE_DIR
        mov eax, PAGE_DIR + 0x1000 + 3
        mov ecx, MAPPED_MB / 4
.pde:   mov [edi], eax
        add eax, 0x1000
        add edi, 4
        dec ecx
        jnz .pde
        mov edi, PAGE_DIR + 0x1000
        mov eax, 3
        mov ecx, MAPPED_MB * 256
.pte:   mov [edi], eax
        add eax, 0x1000
        add edi, 4
        dec ecx
        jnz .pte
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp .paged
.paged:

%include "loops.inc"

; The byte that starts the timed interval: wait until the transmitter is free, then OUT as the
; last instruction before the loop.
%macro START_MARK 0
        mov dx, COM1 + 5
%%w:    in al, dx
        test al, 0x20
        jz %%w
        mov dx, COM1
        mov al, '['
        out dx, al
%endmacro
; The byte that ends it: 5 instructions up to the OUT (the transmitter has long been free).
%macro END_MARK 0
        push edx
        push eax
        mov dx, COM1
        mov al, ']'
        out dx, al
        pop eax
        pop edx
%endmacro

        RUN_BENCHMARKS
        cli
.stop:  hlt
        jmp .stop

; COM1 output, polled (uses nothing but flags).
putc:   push edx
        push eax
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop eax
        mov dx, COM1
        out dx, al
        pop edx
        ret
        PRINT_ROUTINES

        align 512
SECTORS equ ($ - $$) / 512
