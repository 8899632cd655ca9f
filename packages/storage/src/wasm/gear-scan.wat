;; The Gear rolling-hash scan at the heart of FastCDC (see ../fastcdc.ts for the algorithm, the
;; parameters and what may never change). Compiled by scripts/build-wasm.mjs into
;; gear-scan.wasm.ts; a test recompiles it and checks that the embedded bytes match.
;;
;; Why WebAssembly: the scan is one table lookup, shift and add per byte, and V8's JIT runs the
;; JavaScript loop at ~0.5 GB/s on our machines against ~2.4 GB/s for this module.
;;
;; Memory layout (the JavaScript side owns it):
;;   [0, 1024)      the 256-entry gear table, int32 little-endian
;;   [1024, ...)    the bytes to scan, copied in block by block
(module
  (memory (export "memory") 17)
  ;; The hash carried from one call to the next (the scan of a chunk may span many blocks).
  (global $fp (mut i32) (i32.const 0))
  (func (export "getFp") (result i32) (global.get $fp))
  (func (export "setFp") (param $v i32) (global.set $fp (local.get $v)))

  ;; Hashes bytes [i, stop) one by one, continuing from $fp. At the first byte after which
  ;; (fp & mask) == 0, returns the address just past it (the cut) and resets $fp to 0.
  ;; Otherwise keeps the final hash in $fp and returns -1.
  (func (export "find") (param $i i32) (param $stop i32) (param $mask i32) (result i32)
    (local $fp i32)
    (local $stop4 i32)
    (local.set $fp (global.get $fp))
    ;; Four bytes per iteration while four remain: fewer loop branches, same result.
    (local.set $stop4 (i32.sub (local.get $stop) (i32.const 3)))
    (block $tail
      (loop $four
        (br_if $tail (i32.ge_s (local.get $i) (local.get $stop4)))
        (local.set $fp (i32.add (i32.shl (local.get $fp) (i32.const 1))
          (i32.load (i32.shl (i32.load8_u offset=0 (local.get $i)) (i32.const 2)))))
        (if (i32.eqz (i32.and (local.get $fp) (local.get $mask)))
          (then (return (call $cut (i32.add (local.get $i) (i32.const 1))))))
        (local.set $fp (i32.add (i32.shl (local.get $fp) (i32.const 1))
          (i32.load (i32.shl (i32.load8_u offset=1 (local.get $i)) (i32.const 2)))))
        (if (i32.eqz (i32.and (local.get $fp) (local.get $mask)))
          (then (return (call $cut (i32.add (local.get $i) (i32.const 2))))))
        (local.set $fp (i32.add (i32.shl (local.get $fp) (i32.const 1))
          (i32.load (i32.shl (i32.load8_u offset=2 (local.get $i)) (i32.const 2)))))
        (if (i32.eqz (i32.and (local.get $fp) (local.get $mask)))
          (then (return (call $cut (i32.add (local.get $i) (i32.const 3))))))
        (local.set $fp (i32.add (i32.shl (local.get $fp) (i32.const 1))
          (i32.load (i32.shl (i32.load8_u offset=3 (local.get $i)) (i32.const 2)))))
        (if (i32.eqz (i32.and (local.get $fp) (local.get $mask)))
          (then (return (call $cut (i32.add (local.get $i) (i32.const 4))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $four)))
    ;; The last 0-3 bytes.
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $i) (local.get $stop)))
        (local.set $fp (i32.add (i32.shl (local.get $fp) (i32.const 1))
          (i32.load (i32.shl (i32.load8_u (local.get $i)) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $fp) (local.get $mask)))
          (then (return (call $cut (local.get $i)))))
        (br $one)))
    (global.set $fp (local.get $fp))
    (i32.const -1))

  (func $cut (param $at i32) (result i32)
    (global.set $fp (i32.const 0))
    (local.get $at))
)
