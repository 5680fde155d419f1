; A multiboot v1 test kernel: checks what the loader hands over (EAX magic, the info structure's
; flags, memory sizes, memory map, command line), reports on COM1, and exits through port 0xF4
; (0 = every check passed). Assembled two ways by test/multiboot.test.mjs: a flat binary using
; the a.out address kludge, and (with -DELF) an ELF object linked at 1 MiB.
        bits 32
%ifndef ELF
        org 0x100000
%define MB_FLAGS 0x00010002            ; memory info, a.out kludge
%else
%define MB_FLAGS 0x00000002
%endif
        section .text
mbheader:
        dd 0x1BADB002
        dd MB_FLAGS
        dd -(0x1BADB002 + MB_FLAGS)
%ifndef ELF
        dd mbheader                     ; header_addr
        dd mbheader                     ; load_addr
        dd 0                            ; load_end_addr: whole file
        dd 0                            ; bss_end_addr
        dd start                        ; entry_addr
%endif
        global start
start:
        mov esp, stack_top
        mov ebp, 1                      ; failure code
        cmp eax, 0x2BADB002
        jne fail
        inc ebp                         ; 2: flags must say mem (0), cmdline (2), mmap (6)
        mov eax, [ebx]
        and eax, (1 << 0) | (1 << 2) | (1 << 6)
        cmp eax, (1 << 0) | (1 << 2) | (1 << 6)
        jne fail
        inc ebp                         ; 3: mem_lower 639 KiB, mem_upper > 0
        cmp dword [ebx + 4], 639
        jne fail
        cmp dword [ebx + 8], 0
        je fail
        inc ebp                         ; 4: a non-empty memory map whose first entry starts at 0
        cmp dword [ebx + 44], 0
        je fail
        mov eax, [ebx + 48]
        cmp dword [eax + 4], 0
        jne fail
        ; 5: protected mode, paging off, interrupts off
        inc ebp
        mov eax, cr0
        test eax, 1
        jz fail
        test eax, 0x80000000
        jnz fail
        pushfd
        pop eax
        test eax, 0x200
        jnz fail

        call serial_init
        mov esi, hello
        call puts
        mov esi, [ebx + 16]             ; command line
        call puts
        mov al, 10
        call putc
        xor eax, eax
        out 0xF4, al
        cli
        hlt
fail:
        call serial_init
        mov esi, failed
        call puts
        mov eax, ebp
        add al, '0'
        call putc
        mov al, 10
        call putc
        mov eax, ebp
        out 0xF4, al
        cli
        hlt

serial_init:                            ; COM1: 115200 8N1, FIFO on
        mov dx, 0x3F9
        xor al, al
        out dx, al
        mov dx, 0x3FB
        mov al, 0x80
        out dx, al
        mov dx, 0x3F8
        mov al, 1
        out dx, al
        mov dx, 0x3F9
        xor al, al
        out dx, al
        mov dx, 0x3FB
        mov al, 3
        out dx, al
        mov dx, 0x3FA
        mov al, 0xC7
        out dx, al
        ret
putc:                                   ; AL to COM1, waiting for THR empty
        push edx
        push eax
        mov dx, 0x3FD
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop eax
        mov dx, 0x3F8
        out dx, al
        pop edx
        ret
puts:
        lodsb
        test al, al
        jz .done
        call putc
        jmp puts
.done:  ret

hello:  db "multiboot: hello from a multiboot kernel; cmdline: ", 0
failed: db "multiboot: FAIL ", 0
        align 16
        times 1024 db 0
stack_top:
