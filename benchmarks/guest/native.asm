; The loops of loops.inc as a Linux i386 program, for scale: the same loop bodies run natively on
; the host (user mode, the host kernel's paging), with the same output as boot.asm on stdout.
; Build: nasm -f elf32 -D WITH_ALU ... -D ALU_N=... native.asm && ld -m elf_i386 -o native native.o
        bits 32

        section .bss
        alignb 4096
BUF_MEM resb 16384 + 4
        alignb 4096
BUF_SRC resb 65536
BUF_DST resb 65536
        alignb 4096
BUF_TLB resb 4096 * (4096 + 64)
outbyte resb 1

        section .text
        global _start

%include "loops.inc"

; write(1, &outbyte, 1) of AL; keeps every register but EAX.
%macro WRITE_AL 0
        mov [outbyte], al
        push ebx
        push ecx
        push edx
        mov eax, 4
        mov ebx, 1
        mov ecx, outbyte
        mov edx, 1
        int 0x80
        pop edx
        pop ecx
        pop ebx
%endmacro
%macro START_MARK 0
        mov al, '['
        WRITE_AL
%endmacro
%macro END_MARK 0
        push eax
        mov al, ']'
        WRITE_AL
        pop eax
%endmacro

_start:
        RUN_BENCHMARKS
        mov eax, 1              ; exit(0)
        xor ebx, ebx
        int 0x80

putc:   push eax                ; AL
        WRITE_AL
        pop eax
        ret
        PRINT_ROUTINES

