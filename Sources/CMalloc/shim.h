// glibc's allocator statistics, which Swift's Glibc module does not import:
// tests read how much heap is in use.
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

/// Bytes the allocator has handed out and not had back, over all arenas, or
/// -1 where there is no glibc 2.33 `mallinfo2` (macOS, musl, older glibc).
static inline long long ga_heap_in_use(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 info = mallinfo2();
    return (long long)(info.uordblks + info.hblkhd);
#else
    return -1;
#endif
}
