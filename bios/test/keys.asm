; =============================================================================
; keys.asm - a boot sector for the terminal display test (test/display.test.mjs):
; it writes a coloured title with INT 10h AH=09h and a prompt with AH=0Eh, then
; polls with INT 16h AH=01h and reads keys with AH=00h until Enter, showing each key word on the
; screen ("key 1E61") and on port 0xE9, writes "COM1 OK" to COM1 and exits
; through port 0xF4 (value 0).
; =============================================================================
bits 16
cpu 386
org 0x7C00

start:
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        mov ax, 0x0003                  ; 80x25 colour text, cleared
        int 0x10
        mov si, title                   ; white on blue, one cell at a time
        mov dx, 0x0000
.title: lodsb
        test al, al
        jz .prompt
        mov ah, 0x02                    ; cursor to row DH, column DL
        xor bh, bh
        int 0x10
        mov ah, 0x09
        mov bx, 0x001F
        mov cx, 1
        int 0x10
        inc dl
        jmp .title
.prompt:
        mov dx, 0x0200
        mov ah, 0x02
        int 0x10
        mov si, prompt
        call print
.key:   mov ah, 0x01                    ; poll (a busy loop, no HLT) until a key is there
        int 0x16
        jz .key
        xor ah, ah
        int 0x16
        mov di, ax
        mov si, keyword
        call print
        mov ax, di
        call hex16
        mov al, ' '
        call putc
        cmp di, 0x1C0D                  ; Enter
        jne .key
        mov si, done
        call print
        mov si, serial                  ; then a line on COM1 (the UART as reset: no set-up needed)
        mov dx, 0x3F8
.com1:  lodsb
        test al, al
        jz .exit
        out dx, al
        jmp .com1
.exit:  mov dx, 0x3FD                   ; until the transmitter is empty
        in al, dx
        test al, 0x40
        jz .exit
        xor al, al
        out 0xF4, al
        cli
        hlt

; AL to the screen (teletype) and to port 0xE9.
putc:   out 0xE9, al
        mov ah, 0x0E
        mov bx, 0x0007
        int 0x10
        ret

print:  lodsb
        test al, al
        jz .done
        call putc
        jmp print
.done:  ret

; AX as four hex digits.
hex16:  mov cx, 4
.digit: rol ax, 4
        push ax
        and al, 0x0F
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'A' - '9' - 1
.out:   call putc
        pop ax
        loop .digit
        ret

title:   db "emu VGA text on a terminal", 0
prompt:  db "Type keys, then Enter: ", 0
keyword: db "key ", 0
done:    db 13, 10, "DONE", 13, 10, 0
serial:  db "COM1 OK", 13, 10, 0

        times 510 - ($ - $$) db 0
        dw 0xAA55
