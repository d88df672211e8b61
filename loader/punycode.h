#ifndef PYMODRT_BUILD_CORE
#error "loader/punycode.h is internal to pymodrt"
#endif

/*
 * loader/punycode.h - Punycode (RFC 3492) and hook symbol names.
 *
 * The loader needs Python's `punycode` codec for one job: turning a
 * non-ASCII module name into the C symbol of its init or export hook
 * (SEMANTICS.md 2.3, checklist items 1-2 and 17-18).  The decoder is the
 * inverse, for tools that show a module's real name from a `PyInitU_`
 * symbol.
 *
 * Error convention: 0 (or a documented non-negative value) on success, a
 * negative `enum imp_puny_err` code on failure.  None of these functions
 * allocates memory or touches global state, so all of them are safe to call
 * from any thread without a lock.
 */
#ifndef PYMODRT_LOADER_PUNYCODE_H
#define PYMODRT_LOADER_PUNYCODE_H

#include <stddef.h>

/* Negative return codes of the functions below. */
enum imp_puny_err {
    IMP_PUNY_EBADUTF8 = -1,  /* input is not well-formed UTF-8: stray or
                                missing continuation bytes, an overlong
                                form, a surrogate (U+D800..U+DFFF) or a
                                value above U+10FFFF */
    IMP_PUNY_EOVERFLOW = -2, /* an intermediate value does not fit in 64
                                bits (RFC 3492 section 6.4) */
    IMP_PUNY_ENOSPC = -3,    /* the output buffer is too small */
    IMP_PUNY_EBADINPUT = -4  /* malformed Punycode, a decoded value that is
                                not a Unicode scalar value, a NULL argument,
                                or an empty short module name */
};

/*
 * Size of the buffer `imp_hook_symbol` needs; the same 258 bytes CPython's
 * Unix loader uses.  The longest symbol it builds is 20 + 1 + 200 chars.
 */
#define IMP_HOOK_SYMBOL_MAX 258

/*
 * Encode `len` bytes of UTF-8 at `utf8` the way Python's
 * `str.encode('punycode')` does: the ASCII code points in order, then a
 * '-' if there was at least one, then the deltas as lowercase digits.  A
 * pure-ASCII string therefore comes back with a trailing '-' ("abc" ->
 * "abc-"), and an empty string as an empty string.  `utf8` may contain NUL
 * bytes (U+0000 is a basic code point) and may be NULL when `len` is 0.
 *
 * On success writes the NUL-terminated result to `out`, stores its length
 * (without the NUL) in `*outlen` when `outlen` is not NULL, and returns 0.
 * Never writes past `out[cap - 1]`; `out` may be NULL when `cap` is 0.
 *
 * Errors: IMP_PUNY_EBADUTF8, IMP_PUNY_EOVERFLOW, IMP_PUNY_EBADINPUT (NULL
 * pointer with a non-zero length), and IMP_PUNY_ENOSPC when `cap` is
 * smaller than the result plus its NUL.  On IMP_PUNY_ENOSPC, like
 * snprintf, `*outlen` receives the length the full result needs and `out`
 * (if `cap` > 0) holds its first `cap - 1` characters and a NUL.  On every
 * other error `out` (if `cap` > 0) holds the empty string.
 */
int imp_punycode_encode(const char *utf8, size_t len, char *out, size_t cap,
                        size_t *outlen);

/*
 * Decode `len` bytes of Punycode at `in` into UTF-8.  Digits are accepted
 * in either case; basic code points keep their case.  Follows RFC 3492
 * section 6.2 strictly, so a leading '-' with nothing before it ("-abc")
 * is rejected (Python's codec skips it).
 *
 * Success and buffer rules are those of `imp_punycode_encode`, except that
 * on IMP_PUNY_ENOSPC `out_utf8` holds the empty string (the decoder builds
 * its output by insertion, so no prefix is meaningful); `*outlen` still
 * receives the needed length.
 *
 * Errors: IMP_PUNY_EBADINPUT (a non-ASCII byte, a character that is not a
 * digit after the delimiter, input ending inside a number, or a decoded
 * value that is a surrogate or above U+10FFFF), IMP_PUNY_EOVERFLOW,
 * IMP_PUNY_ENOSPC.
 */
int imp_punycode_decode(const char *in, size_t len, char *out_utf8,
                        size_t cap, size_t *outlen);

/*
 * Build the hook symbol for module `fullname` (UTF-8, NUL-terminated) into
 * `buf`, following SEMANTICS.md 2.3: take the short name after the last
 * '.'; if it is ASCII use it as is with `prefix_ascii`, otherwise
 * Punycode-encode it and use `prefix_unicode`; replace every '-' with '_';
 * write `<prefix, at most 20 chars>_<name, at most 200 chars>`.
 *
 *     ("PyInit", "PyInitU", "a.b.c")          -> "PyInit_c"
 *     ("PyInit", "PyInitU", "bücher")         -> "PyInitU_bcher_kva"
 *     ("PyModExport", "PyModExportU", "spam") -> "PyModExport_spam"
 *
 * `cap` must be at least IMP_HOOK_SYMBOL_MAX.  The whole of `fullname` must
 * be valid UTF-8, not just the short name.
 *
 * Returns 0 if the short name was ASCII, 1 if it was not (the caller took
 * the "U" prefix), or IMP_PUNY_EBADUTF8, IMP_PUNY_EBADINPUT (empty short
 * name, e.g. "pkg.", or a NULL argument), IMP_PUNY_ENOSPC (`cap` too small)
 * or IMP_PUNY_EOVERFLOW.  On error `buf` (if non-NULL and `cap` > 0) holds
 * the empty string.
 */
int imp_hook_symbol(const char *prefix_ascii, const char *prefix_unicode,
                    const char *fullname, char *buf, size_t cap);

#endif /* PYMODRT_LOADER_PUNYCODE_H */
