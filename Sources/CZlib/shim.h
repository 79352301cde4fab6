#include <zlib.h>

// deflateInit2 is a macro Swift cannot import; this is the one configuration Slipway uses:
// raw deflate (no zlib/gzip wrapper, windowBits -15, 32 KiB window), memLevel 8, default strategy,
// exactly what gzip and `tar czf` use, so the gzip framing can be written by hand around it.
static inline int slipway_deflate_init_raw(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}

// crc32_combine is renamed by macros depending on large-file settings, and its length type
// (z_off_t) varies; a fixed 64-bit signature keeps the Swift side independent of both.
static inline unsigned long slipway_crc32_combine(unsigned long first, unsigned long second,
                                                  long long secondLength) {
    return crc32_combine(first, second, (z_off_t)secondLength);
}
