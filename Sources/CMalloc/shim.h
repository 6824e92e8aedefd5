// glibc's allocator statistics (mallinfo2), which Swift's Glibc module does
// not import: tests read how much heap is in use.
#include <malloc.h>
