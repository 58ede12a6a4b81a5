//! The server's allocator: mimalloc, asked for a plain block whenever the layout allows.
//!
//! The `mimalloc` crate asks for every block with `mi_malloc_aligned`, which checks its alignment
//! and looks for a free block that happens to be aligned before it allocates; a page allocates
//! hundreds of times (about 750 for `/signin`), nearly all with an alignment of 8 or less, which
//! every mimalloc block has. Measured with callgrind (`scripts/profile.sh`), instructions per
//! request: `/signin` 306k to 288k, `/account/alerts` 1,511k to 1,449k, `/healthz` 92k to 89k.

use libmimalloc_sys::{mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned};
use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// Every mimalloc block is aligned to a machine word at least: its size classes are multiples of
/// a word and its pages start on 16 bytes. (The same rule as the standard library's `System`,
/// with mimalloc's guarantee in place of malloc's.)
const PLAIN_ALIGN: usize = std::mem::size_of::<usize>();

fn plain(layout: Layout) -> bool {
    layout.align() <= PLAIN_ALIGN && layout.align() <= layout.size()
}

pub struct Mimalloc;

// SAFETY: each function hands the request to mimalloc's matching function, the plain one only
// when its blocks are aligned as the layout asks (see `PLAIN_ALIGN`); every block is freed by
// `mi_free`, whichever function allocated it.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(layout) {
            mi_malloc(layout.size()) as *mut u8
        } else {
            mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(layout) {
            mi_zalloc(layout.size()) as *mut u8
        } else {
            mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr as *mut c_void);
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN && layout.align() <= new_size {
            mi_realloc(ptr as *mut c_void, new_size) as *mut u8
        } else {
            mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes a page allocates, at every alignment: each block is aligned as asked, zeroed when
    /// asked, and keeps its bytes as it grows and then shrinks.
    #[test]
    fn blocks_are_aligned_as_asked_and_keep_their_bytes() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=1100).chain([4096, 65_536, 1 << 20]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: every layout has a non-zero size; each block is used within its size
                // and freed once, with the layout it has at that point.
                unsafe {
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert_eq!(zeroed as usize % align, 0, "zeroed {size} bytes at {align}");
                    assert!(std::slice::from_raw_parts(zeroed, size).iter().all(|&b| b == 0));
                    Mimalloc.dealloc(zeroed, layout);

                    let block = Mimalloc.alloc(layout);
                    assert_eq!(block as usize % align, 0, "{size} bytes at {align}");
                    for i in 0..size {
                        *block.add(i) = i as u8;
                    }
                    let grown = Mimalloc.realloc(block, layout, size * 3);
                    assert_eq!(grown as usize % align, 0, "{size} grown at {align}");
                    assert!((0..size).all(|i| *grown.add(i) == i as u8), "{size} grown");
                    let grown_layout = Layout::from_size_align(size * 3, align).unwrap();
                    let half = size.div_ceil(2);
                    let shrunk = Mimalloc.realloc(grown, grown_layout, half);
                    assert_eq!(shrunk as usize % align, 0, "{size} shrunk at {align}");
                    assert!((0..half).all(|i| *shrunk.add(i) == i as u8), "{size} shrunk");
                    Mimalloc.dealloc(shrunk, Layout::from_size_align(half, align).unwrap());
                }
            }
        }
    }
}
