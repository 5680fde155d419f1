; Benchmark ROM for `npm run bench`: tight real-mode loops, each bracketed by POST codes so the
; host can time it and count its instructions.
;   POST 10/11  ALU loop: register arithmetic, logic and a counted branch
;   POST 20/21  load/store loop: memory reads and writes through DS with 16-bit addressing
;   POST 30/31  call/ret loop
;   POST 40/41  REP MOVSW block copies
; It ends by writing 0 to port 0xF4 (a checksum of the results goes to port 0xE9 first).
        bits 16
        org 0

OUTER   equ 200                 ; x 65536 inner iterations

start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ds, ax
        mov es, ax
        cld

        ; ---- ALU loop: 7 instructions per iteration ----
        mov al, 0x10
        out 0x80, al
        mov di, OUTER
        xor ax, ax
        mov bx, 0x1234
        mov dx, 0x5678
.alu_outer:
        xor cx, cx
.alu:
        add ax, bx
        xor dx, ax
        sub bx, cx
        rol dx, 1
        and ax, 0x7fff
        dec cx
        jnz .alu
        dec di
        jnz .alu_outer
        mov [result], ax
        mov [result+2], dx
        mov al, 0x11
        out 0x80, al

        ; ---- load/store loop: 7 instructions per iteration ----
        mov al, 0x20
        out 0x80, al
        mov di, OUTER
.mem_outer:
        xor cx, cx
        mov si, 0x1000
.mem:
        mov ax, [si]
        add ax, cx
        mov [si+2], ax
        add si, 2
        and si, 0x3ffe
        dec cx
        jnz .mem
        dec di
        jnz .mem_outer
        mov al, 0x21
        out 0x80, al

        ; ---- call/ret loop: 5 instructions per iteration ----
        mov al, 0x30
        out 0x80, al
        mov di, OUTER / 4
.call_outer:
        xor cx, cx
.call:
        call leaf
        dec cx
        jnz .call
        dec di
        jnz .call_outer
        mov al, 0x31
        out 0x80, al

        ; ---- REP MOVSW: 4 KiB copies ----
        mov al, 0x40
        out 0x80, al
        mov di, OUTER * 16
.copy_outer:
        mov si, 0x2000
        push di
        mov di, 0x4000
        mov cx, 2048
        rep movsw
        pop di
        dec di
        jnz .copy_outer
        mov al, 0x41
        out 0x80, al

        ; checksum of the ALU loop's results as 4 hex digits of AX
        mov ax, [result]
        xor ax, [result+2]
        mov cx, 4
.hex:
        rol ax, 4
        mov bl, al
        and bl, 0x0f
        add bl, '0'
        cmp bl, '9'
        jbe .digit
        add bl, 'a' - '9' - 1
.digit:
        push ax
        mov al, bl
        out 0xe9, al
        pop ax
        loop .hex
        mov al, 10
        out 0xe9, al
        xor al, al
        out 0xf4, al
.halt:
        cli
        hlt
        jmp .halt

leaf:
        add ax, cx
        ret

result  equ 0x0500

        times 0xfff0 - ($ - $$) db 0xf4
reset:
        jmp 0xf000:start
        times 0x10000 - ($ - $$) db 0xf4
