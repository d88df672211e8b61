/* str.  pymodrt stores text as UTF-8 with its code-point length; the layout
 * is pymodrt's own (extensions use the functions, not CPython's internal
 * representation macros).
 *
 * The text is "generalized" UTF-8: lone surrogates (U+D800..U+DFFF), which a
 * Python str may hold, are stored as their 3-byte sequences and flagged with
 * PYSTR_SURROGATES; such a str cannot be encoded to strict UTF-8
 * (PyUnicode_AsUTF8 raises UnicodeEncodeError, as CPython does).  Byte order
 * of the storage equals code-point order.  For an exact str the text starts
 * at 'data'; for an instance of a subclass it starts at the subclass's
 * tp_basicsize (the subclass's own fields come first). */
#ifndef Py_UNICODEOBJECT_H
#define Py_UNICODEOBJECT_H

#include <stdarg.h>

typedef struct {
    PyObject_HEAD
    Py_ssize_t length;         /* code points; immutable */
    Py_ssize_t utf8_length;    /* bytes, excluding the NUL; immutable */
    Py_hash_t hash;            /* -1 until computed; atomic (relaxed, idempotent) */
    uint32_t state;            /* PYSTR_* bits; immutable once published */
    char data[1];              /* utf8_length bytes + NUL (allocated past the struct) */
} PyUnicodeObject;

#define PYSTR_ASCII       0x1u  /* every code point < 128 (index == byte offset) */
#define PYSTR_INTERNED    0x2u  /* in the intern table; immortal */
#define PYSTR_SURROGATES  0x4u  /* holds lone surrogates */
#define PYSTR_STATIC      0x8u  /* statically allocated (never freed) */

PyAPI_DATA(PyTypeObject) PyUnicode_Type;
#define PyUnicode_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_UNICODE_SUBCLASS)
#define PyUnicode_CheckExact(op) Py_IS_TYPE((op), &PyUnicode_Type)

PyAPI_FUNC(PyObject *) PyUnicode_FromString(const char *u);
PyAPI_FUNC(PyObject *) PyUnicode_FromStringAndSize(const char *u, Py_ssize_t size);
PyAPI_FUNC(PyObject *) PyUnicode_DecodeUTF8(const char *s, Py_ssize_t size, const char *errors);
PyAPI_FUNC(PyObject *) PyUnicode_DecodeASCII(const char *s, Py_ssize_t size, const char *errors);
PyAPI_FUNC(PyObject *) PyUnicode_DecodeLatin1(const char *s, Py_ssize_t size, const char *errors);
PyAPI_FUNC(PyObject *) PyUnicode_DecodeLocale(const char *str, const char *errors);
PyAPI_FUNC(PyObject *) PyUnicode_DecodeFSDefault(const char *s);
PyAPI_FUNC(PyObject *) PyUnicode_DecodeFSDefaultAndSize(const char *s, Py_ssize_t size);
PyAPI_FUNC(PyObject *) PyUnicode_EncodeFSDefault(PyObject *unicode);
PyAPI_FUNC(PyObject *) PyUnicode_AsUTF8String(PyObject *unicode);
PyAPI_FUNC(PyObject *) PyUnicode_AsEncodedString(PyObject *unicode, const char *encoding,
                                                 const char *errors);
PyAPI_FUNC(PyObject *) PyUnicode_FromOrdinal(int ordinal);
PyAPI_FUNC(PyObject *) PyUnicode_FromObject(PyObject *obj);
PyAPI_FUNC(PyObject *) PyUnicode_FromFormatV(const char *format, va_list vargs);
PyAPI_FUNC(PyObject *) PyUnicode_FromFormat(const char *format, ...);
PyAPI_FUNC(const char *) PyUnicode_AsUTF8(PyObject *unicode);
PyAPI_FUNC(const char *) PyUnicode_AsUTF8AndSize(PyObject *unicode, Py_ssize_t *size);
PyAPI_FUNC(Py_ssize_t) PyUnicode_GetLength(PyObject *unicode);
PyAPI_FUNC(Py_UCS4) PyUnicode_ReadChar(PyObject *unicode, Py_ssize_t index);
PyAPI_FUNC(PyObject *) PyUnicode_Substring(PyObject *str, Py_ssize_t start, Py_ssize_t end);
PyAPI_FUNC(PyObject *) PyUnicode_Concat(PyObject *left, PyObject *right);
PyAPI_FUNC(void) PyUnicode_Append(PyObject **pleft, PyObject *right);
PyAPI_FUNC(void) PyUnicode_AppendAndDel(PyObject **pleft, PyObject *right);
PyAPI_FUNC(PyObject *) PyUnicode_Join(PyObject *separator, PyObject *seq);
PyAPI_FUNC(int) PyUnicode_Compare(PyObject *left, PyObject *right);
PyAPI_FUNC(int) PyUnicode_CompareWithASCIIString(PyObject *left, const char *right);
PyAPI_FUNC(int) PyUnicode_EqualToUTF8(PyObject *, const char *);
PyAPI_FUNC(int) PyUnicode_EqualToUTF8AndSize(PyObject *, const char *, Py_ssize_t);
PyAPI_FUNC(int) PyUnicode_Equal(PyObject *, PyObject *);
PyAPI_FUNC(PyObject *) PyUnicode_RichCompare(PyObject *left, PyObject *right, int op);
PyAPI_FUNC(Py_ssize_t) PyUnicode_Find(PyObject *str, PyObject *substr, Py_ssize_t start,
                                      Py_ssize_t end, int direction);
PyAPI_FUNC(Py_ssize_t) PyUnicode_FindChar(PyObject *str, Py_UCS4 ch, Py_ssize_t start,
                                          Py_ssize_t end, int direction);
PyAPI_FUNC(int) PyUnicode_Contains(PyObject *container, PyObject *element);
PyAPI_FUNC(int) PyUnicode_Tailmatch(PyObject *str, PyObject *substr, Py_ssize_t start,
                                    Py_ssize_t end, int direction);
PyAPI_FUNC(void) PyUnicode_InternInPlace(PyObject **);
PyAPI_FUNC(PyObject *) PyUnicode_InternFromString(const char *u);
PyAPI_FUNC(int) PyUnicode_IsIdentifier(PyObject *s);
#define PyUnicode_GET_LENGTH(op) PyUnicode_GetLength(_PyObject_CAST(op))
#define PyUnicode_READY(op) 0

#endif /* !Py_UNICODEOBJECT_H */
