/* PyMutex and critical sections, as free-threaded CPython offers them to
 * extensions (cpython/lock.h, cpython/critical_section.h). */
#ifndef Py_PYLOCK_H
#define Py_PYLOCK_H

#define _Py_UNLOCKED 0
#define _Py_LOCKED 1

/* A one-byte mutex: bit 0 locked, bit 1 "threads are parked on it".
 * Zero-initialize it; it needs no destruction. */
typedef struct PyMutex {
    uint8_t _bits;
} PyMutex;

PyAPI_FUNC(void) PyMutex_Lock(PyMutex *m);
PyAPI_FUNC(void) PyMutex_Unlock(PyMutex *m);
PyAPI_FUNC(int) PyMutex_IsLocked(PyMutex *m);

static inline void
_PyMutex_LockFast(PyMutex *m)
{
    uint8_t expected = _Py_UNLOCKED;

    if (!__atomic_compare_exchange_n(&m->_bits, &expected, (uint8_t)_Py_LOCKED, 0,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        PyMutex_Lock(m);
}

static inline void
_PyMutex_UnlockFast(PyMutex *m)
{
    uint8_t expected = _Py_LOCKED;

    if (!__atomic_compare_exchange_n(&m->_bits, &expected, (uint8_t)_Py_UNLOCKED, 0,
                                     __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        PyMutex_Unlock(m);
}
#define PyMutex_Lock _PyMutex_LockFast
#define PyMutex_Unlock _PyMutex_UnlockFast

/* Critical sections lock an object's mutex for the duration of a block.
 * If a thread would block while already inside a critical section (a
 * nested begin that waits, or releasing the runtime with
 * Py_BEGIN_ALLOW_THREADS), its outer sections are suspended (their locks
 * released) and resumed as the inner ones end, so that critical sections
 * never deadlock with each other.  A block must not return or jump out
 * between BEGIN and END. */
typedef struct PyCriticalSection {
    uintptr_t _cs_prev;
    PyMutex *_cs_mutex;
} PyCriticalSection;

typedef struct PyCriticalSection2 {
    PyCriticalSection _cs_base;
    PyMutex *_cs_mutex2;
} PyCriticalSection2;

PyAPI_FUNC(void) PyCriticalSection_Begin(PyCriticalSection *c, PyObject *op);
PyAPI_FUNC(void) PyCriticalSection_BeginMutex(PyCriticalSection *c, PyMutex *m);
PyAPI_FUNC(void) PyCriticalSection_End(PyCriticalSection *c);
PyAPI_FUNC(void) PyCriticalSection2_Begin(PyCriticalSection2 *c, PyObject *a, PyObject *b);
PyAPI_FUNC(void) PyCriticalSection2_BeginMutex(PyCriticalSection2 *c, PyMutex *m1, PyMutex *m2);
PyAPI_FUNC(void) PyCriticalSection2_End(PyCriticalSection2 *c);

#define Py_BEGIN_CRITICAL_SECTION(op) \
    { \
        PyCriticalSection _py_cs; \
        PyCriticalSection_Begin(&_py_cs, _PyObject_CAST(op))
#define Py_BEGIN_CRITICAL_SECTION_MUTEX(mutex) \
    { \
        PyCriticalSection _py_cs; \
        PyCriticalSection_BeginMutex(&_py_cs, (mutex))
#define Py_END_CRITICAL_SECTION() \
        PyCriticalSection_End(&_py_cs); \
    }
#define Py_BEGIN_CRITICAL_SECTION2(a, b) \
    { \
        PyCriticalSection2 _py_cs2; \
        PyCriticalSection2_Begin(&_py_cs2, _PyObject_CAST(a), _PyObject_CAST(b))
#define Py_BEGIN_CRITICAL_SECTION2_MUTEX(m1, m2) \
    { \
        PyCriticalSection2 _py_cs2; \
        PyCriticalSection2_BeginMutex(&_py_cs2, (m1), (m2))
#define Py_END_CRITICAL_SECTION2() \
        PyCriticalSection2_End(&_py_cs2); \
    }

#endif /* !Py_PYLOCK_H */
