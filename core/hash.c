/* hash.c: the runtime's keyed hash of byte strings (str, bytes, interning).
 *
 * Algorithm: SipHash-1-3 (one compression round per 8-byte word, three
 * finalization rounds), the variant CPython also uses for str and bytes.
 * It is keyed with 128 bits drawn from getrandom() the first time any
 * thread hashes, so hash values differ between processes and cannot be
 * precomputed to flood a dict with collisions.
 *
 * Invariants:
 *   - The key is written once, inside pthread_once, before any reader can
 *     see it (pthread_once gives the happens-before edge); afterwards it is
 *     immutable.
 *   - rt_hash_bytes never returns -1 (the C API's error value): -1 maps to
 *     -2, as CPython does.
 *   - Equal byte strings hash equally within one process, so a str and a
 *     bytes object with the same bytes have the same hash (as in CPython for
 *     ASCII text).
 *
 * Organisation: key set-up, the SipHash rounds, the public entry point. */
#include "internal/pycore.h"

#include <sys/random.h>

/* --------------------------------------------------------------- key */

static uint64_t hash_k0, hash_k1;        /* immutable after hash_once */
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void
hash_key_init(void)
{
    uint64_t key[2] = { 0, 0 };
    size_t got = 0;

    while (got < sizeof(key)) {
        ssize_t r = getrandom((char *)key + got, sizeof(key) - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            Py_FatalError("rt_hash_bytes: getrandom() failed");
        }
        got += (size_t)r;
    }
    hash_k0 = key[0];
    hash_k1 = key[1];
}

/* ----------------------------------------------------------- SipHash */

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIP_ROUND(v0, v1, v2, v3) \
    do { \
        v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
        v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
        v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
        v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
    } while (0)

static inline uint64_t
load_le64(const unsigned char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

static uint64_t
siphash13(uint64_t k0, uint64_t k1, const unsigned char *in, size_t n)
{
    uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
    uint64_t v3 = k1 ^ 0x7465646279746573ull;
    uint64_t b = (uint64_t)n << 56;
    size_t tail = n & 7;
    const unsigned char *end = in + (n - tail);

    for (; in != end; in += 8) {
        uint64_t m = load_le64(in);
        v3 ^= m;
        SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    /* The last 0..7 bytes, little-endian, under the length byte. */
    for (size_t i = 0; i < tail; i++)
        b |= (uint64_t)in[i] << (8 * i);
    v3 ^= b;
    SIP_ROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    return (v0 ^ v1) ^ (v2 ^ v3);
}

/* -------------------------------------------------------- entry point */

Py_hash_t
rt_hash_bytes(const void *p, size_t n)
{
    Py_hash_t h;

    pthread_once(&hash_once, hash_key_init);
    h = (Py_hash_t)siphash13(hash_k0, hash_k1, p, n);
    return h == -1 ? -2 : h;
}
