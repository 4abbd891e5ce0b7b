//! The global allocator of the `docsite` binary: small blocks from mimalloc, large ones
//! from the system allocator.
//!
//! Why two: a build makes hundreds of thousands of small strings on every thread, which
//! mimalloc serves faster than glibc. But every page also makes a handful of large buffers
//! whose sizes vary with the page (its text, its events, its HTML, the template's output),
//! and mimalloc keeps the memory of freed large blocks for later blocks of about the same
//! size, purging it only after a delay (1 s). A 53-page build touched ~3.5 MB more that
//! way than with glibc, which coalesces freed blocks and serves any later size from them.
//! Measured at 53 pages (peak RSS) and 530 pages (CPU), with the thresholds tried, in
//! bench/README.md ("Peak memory at 1x").
//!
//! The split is by the size in the [`Layout`], which `dealloc` and `realloc` are given
//! too, so every block is freed by the allocator that made it. C code (Oniguruma, inside
//! syntect) calls `malloc` and gets the system allocator.
//!
//! Also here, the process's other memory settings for a batch run: slack at the top of the
//! system allocator's heaps ([`keep_heap_slack`]), and giving back the binary's pages that
//! only loading used ([`release_startup_pages`]).

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks of this size and larger come from the system allocator.
pub const LARGE: usize = 4 << 10;

/// mimalloc below [`LARGE`] bytes, the system allocator from there.
pub struct SplitBySize;

fn is_large(size: usize) -> bool {
    size >= LARGE
}

/// `$call` on the allocator that serves blocks of `$size` bytes, named `$a` in it: one
/// expression for both sides, each call static (no `dyn GlobalAlloc` in every allocation).
macro_rules! by_size {
    ($size:expr, $a:ident => $call:expr) => {
        if is_large($size) {
            let $a = &System;
            $call
        } else {
            let $a = &MiMalloc;
            $call
        }
    };
}

// SAFETY: each method forwards to an allocator that upholds `GlobalAlloc`'s contract, and
// a block is always given back to the one that made it: which one is a function of the
// block's size, and the caller passes the same layout (hence size) it allocated with.
unsafe impl GlobalAlloc for SplitBySize {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { by_size!(layout.size(), a => a.alloc(layout)) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { by_size!(layout.size(), a => a.alloc_zeroed(layout)) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout, so from the allocator its size
        // picks.
        unsafe { by_size!(layout.size(), a => a.dealloc(ptr, layout)) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if is_large(layout.size()) == is_large(new_size) {
            // SAFETY: the block stays with the allocator that made it.
            return unsafe { by_size!(layout.size(), a => a.realloc(ptr, layout, new_size)) };
        }
        // Crossing the threshold: a new block from the other allocator, the bytes copied.
        // SAFETY: `realloc`'s caller guarantees `new_size`, rounded up to the alignment,
        // does not overflow `isize`, which is what `Layout` requires.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_size` is non-zero (the caller's contract), and the old block is valid
        // for `layout.size()` bytes, the new one for `new_size`; they do not overlap.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

/// Slack the system allocator keeps at the top of each of its heaps: see [`keep_heap_slack`].
const HEAP_SLACK: usize = 16 << 20;

/// Tells the system allocator (glibc's malloc) to keep 16 MB at the top of each heap it
/// grows or shrinks (`M_TOP_PAD`), for the rest of the process. For a batch run (a build, a
/// preview), not a long-lived server. Returns whether the allocator took it (`false` where
/// the system allocator is not glibc's).
///
/// Why: a page's large blocks (its text, HTML, the template's output) are freed when the
/// page is done. By default glibc then hands the top of the thread's heap back to the kernel
/// (`madvise`) and takes it again for the next page (`mprotect`, then a zeroed page fault
/// per 4 KB): a 530-page build made ~320 `mprotect` and ~80 `madvise` calls; with the slack,
/// 12 and 28, and ran ~3 % faster (bench/README.md, "Heap slack"). Peak RSS does not
/// change: the slack is address space until touched, and what is kept was touched anyway.
pub fn keep_heap_slack() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` sets a tuning parameter of glibc's malloc; it takes any value
        // and touches no memory of ours.
        unsafe { libc::mallopt(libc::M_TOP_PAD, HEAP_SLACK as libc::c_int) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = HEAP_SLACK;
        false
    }
}

/// Lets the kernel take back the binary's pages that loading used and the rest of a build
/// does not: returns how many bytes of read-only segments it released (0 where this is not
/// Linux). For a batch run, once the tools are loaded.
///
/// Why: loading reads the embedded syntax dump (~1 MB, deserialized into the heap) and runs
/// code that the page pass never runs again (command line, config, template parsing), and
/// the kernel maps code and read-only data 64 KB around each page touched. Those pages stay
/// resident until exit. `MADV_DONTNEED` on the executable's read-only, file-backed segments
/// unmaps them; what the page pass touches is mapped again from the page cache on first
/// use. A 53-page build's peak resident memory falls from ~16.4 to ~15.2 MB, at no
/// measurable cost in time (bench/README.md, "Releasing the loader's pages").
///
/// Only segments without write permission are touched: they are never written, so every
/// page comes back unchanged from the file. The writable ones (relocated data, `.data`)
/// would lose their contents and are left alone.
pub fn release_startup_pages() -> usize {
    #[cfg(target_os = "linux")]
    {
        unsafe extern "C" fn each(
            info: *mut libc::dl_phdr_info,
            _size: libc::size_t,
            released: *mut libc::c_void,
        ) -> libc::c_int {
            // SAFETY: `dl_iterate_phdr` passes a valid `info` whose `dlpi_phdr` holds
            // `dlpi_phnum` headers, and `released` is the `usize` given below.
            unsafe {
                let info = &*info;
                let released = &mut *(released as *mut usize);
                for i in 0..usize::from(info.dlpi_phnum) {
                    let header = &*info.dlpi_phdr.add(i);
                    if header.p_type != libc::PT_LOAD || header.p_flags & libc::PF_W != 0 {
                        continue;
                    }
                    let start = (info.dlpi_addr as usize).wrapping_add(header.p_vaddr as usize);
                    let page_start = start & !4095;
                    let len = start + header.p_memsz as usize - page_start;
                    // Read-only file pages: dropping them loses nothing.
                    if libc::madvise(page_start as *mut libc::c_void, len, libc::MADV_DONTNEED) == 0 {
                        *released += len;
                    }
                }
            }
            // The executable is the first object listed: stop there.
            1
        }
        let mut released = 0usize;
        // SAFETY: the callback reads only the program headers it is given and writes only
        // to `released`.
        unsafe { libc::dl_iterate_phdr(Some(each), &mut released as *mut usize as *mut libc::c_void) };
        released
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resident bytes of this executable's read-only mappings, from `/proc/self/smaps`.
    #[cfg(target_os = "linux")]
    fn resident_read_only_image() -> usize {
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        let exe = exe.to_string_lossy().into_owned();
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut ours = false;
        let mut kb = 0;
        for line in smaps.lines() {
            let mut words = line.split_whitespace();
            let first = words.next().unwrap_or("");
            if first.contains('-') && first.chars().next().is_some_and(|c| c.is_ascii_hexdigit()) {
                let perms = words.next().unwrap_or("");
                ours = line.ends_with(exe.as_str()) && !perms.contains('w');
            } else if ours && first == "Rss:" {
                kb += words.next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
            }
        }
        kb * 1024
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn startup_pages_are_released_and_come_back_on_use() {
        let before = resident_read_only_image();
        let released = release_startup_pages();
        let after = resident_read_only_image();
        assert!(released > 1 << 20, "released {released} bytes");
        assert!(after < before / 2, "resident {before} -> {after} bytes");
        // The code and data dropped are mapped again as they are used.
        let sorted = {
            let mut v: Vec<u32> = (0..1000).rev().collect();
            v.sort();
            v
        };
        assert_eq!(sorted[999], 999);
        assert!(format!("{:?}", std::path::Path::new("a/b").parent()).contains("a"));
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_heap_slack() {
        assert!(keep_heap_slack());
    }

    fn filled(a: &SplitBySize, layout: Layout) -> *mut u8 {
        // SAFETY: non-zero sizes only.
        let p = unsafe { a.alloc(layout) };
        assert!(!p.is_null());
        assert_eq!(p as usize % layout.align(), 0, "alignment {}", layout.align());
        for i in 0..layout.size() {
            // SAFETY: within the block.
            unsafe { p.add(i).write(i as u8) };
        }
        p
    }

    fn holds_pattern(p: *mut u8, len: usize) -> bool {
        // SAFETY: the caller passes a block at least `len` bytes long.
        (0..len).all(|i| unsafe { p.add(i).read() } == i as u8)
    }

    #[test]
    fn realloc_keeps_the_bytes_across_the_threshold_both_ways() {
        let a = SplitBySize;
        for align in [1, 8, 16, 64, 4096] {
            for (from, to) in [
                (16, LARGE * 3),
                (LARGE - 1, LARGE),
                (LARGE, LARGE - 1),
                (LARGE * 3, 100),
                (100, 200),
                (LARGE * 2, LARGE * 5),
            ] {
                let layout = Layout::from_size_align(from, align).unwrap();
                let p = filled(&a, layout);
                // SAFETY: `p` came from `a` with `layout`; `to` is non-zero.
                let q = unsafe { a.realloc(p, layout, to) };
                assert!(!q.is_null());
                assert_eq!(q as usize % align, 0, "{from} -> {to} at alignment {align}");
                assert!(holds_pattern(q, from.min(to)), "{from} -> {to} at alignment {align}");
                // SAFETY: `q` is the reallocated block, now of size `to`.
                unsafe { a.dealloc(q, Layout::from_size_align(to, align).unwrap()) };
            }
        }
    }

    #[test]
    fn small_blocks_come_from_mimalloc_and_large_ones_from_the_system() {
        let a = SplitBySize;
        for (size, from_mimalloc) in [(16, true), (LARGE - 1, true), (LARGE, false), (1 << 20, false)] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            let p = filled(&a, layout);
            // SAFETY: mimalloc answers for any address, its own or not.
            let in_mimalloc = unsafe { libmimalloc_sys::mi_is_in_heap_region(p.cast()) };
            assert_eq!(in_mimalloc, from_mimalloc, "size {size}");
            // SAFETY: allocated just above with `layout`.
            unsafe { a.dealloc(p, layout) };
        }
    }

    #[test]
    fn zeroed_blocks_are_zero_on_both_sides() {
        let a = SplitBySize;
        for size in [24, LARGE - 8, LARGE, 1 << 20] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: non-zero size.
            let p = unsafe { a.alloc_zeroed(layout) };
            assert!(!p.is_null());
            // SAFETY: within the block.
            assert!((0..size).all(|i| unsafe { p.add(i).read() } == 0), "size {size}");
            // SAFETY: allocated just above with `layout`.
            unsafe { a.dealloc(p, layout) };
        }
    }
}
