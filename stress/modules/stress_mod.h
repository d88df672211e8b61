/* stress_mod.h: the protocol shared by pymodrt-stress's bundled modules.
 *
 * Every bundled module is an ordinary extension module written as CPython's
 * documentation teaches; this header only factors out what they have in
 * common, so that each module file shows its own initialization style.
 *
 * Protocol (what pymodrt-stress relies on):
 *   _stress_state()  -> (execs, owner_interpreter_id, nonce, state_address)
 *                       or None for a module without state.  'execs' counts
 *                       the exec runs of this instance (must be 1), the owner
 *                       and nonce are written by exec (the interpreter that
 *                       ran it and a process-unique number), state_address
 *                       is what the module's own code believes its state is.
 *   ping()           -> None; touches the state (an atomic counter).
 *   VALUE, NAME      constants; 'error' an exception type created by exec
 *                    (one per instance: objects must never be shared).
 *
 * The process-wide counters below are atomics: several interpreters run the
 * same exec function at once. */
#ifndef STRESS_MOD_H
#define STRESS_MOD_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct {
    _Atomic long execs;       /* atomic: exec runs on this instance */
    int64_t owner;            /* written once by exec, then immutable */
    uint64_t nonce;           /* written once by exec, then immutable */
    _Atomic uint64_t pings;   /* atomic */
    PyObject *error;          /* written once by exec; released by m_free */
} stress_state;

static _Atomic uint64_t stress_next_nonce;   /* atomic: process-wide */
static _Atomic uint64_t stress_total_execs;  /* atomic: process-wide */

static inline uint64_t
stress_new_nonce(const void *addr)
{
    uint64_t n = atomic_fetch_add(&stress_next_nonce, 1) + 1;

    return (n << 20) ^ ((uint64_t)(uintptr_t)addr >> 4);
}

/* Fills a state as exec must: once, with the running interpreter. */
static inline int
stress_state_init(stress_state *st, const char *modname)
{
    char errname[160];

    atomic_fetch_add(&st->execs, 1);
    atomic_fetch_add(&stress_total_execs, 1);
    st->owner = PyInterpreterState_GetID(PyInterpreterState_Get());
    st->nonce = stress_new_nonce(st);
    snprintf(errname, sizeof errname, "%s.error", modname);
    st->error = PyErr_NewException(errname, NULL, NULL);
    return st->error == NULL ? -1 : 0;
}

static inline PyObject *
stress_state_tuple(const stress_state *st)
{
    if (st == NULL)
        Py_RETURN_NONE;
    return Py_BuildValue("(lLKK)", (long)atomic_load((_Atomic long *)&st->execs),
                         (long long)st->owner, (unsigned long long)st->nonce,
                         (unsigned long long)(uintptr_t)st);
}

/* The constants and the per-instance exception type. */
static inline int
stress_add_attrs(PyObject *m, stress_state *st, const char *modname)
{
    if (PyModule_AddIntConstant(m, "VALUE", 42) < 0 ||
        PyModule_AddStringConstant(m, "NAME", modname) < 0)
        return -1;
    if (st != NULL && PyModule_AddObjectRef(m, "error", st->error) < 0)
        return -1;
    return 0;
}

static inline void
stress_state_free(stress_state *st)
{
    if (st != NULL)
        Py_CLEAR(st->error);
}

/* _stress_state and ping for a module whose state is PyModule_GetState. */
#define STRESS_MODULE_FUNCTIONS(prefix)                                        \
    static PyObject *prefix##_stress_state(PyObject *self, PyObject *unused)   \
    {                                                                          \
        (void)unused;                                                          \
        return stress_state_tuple(PyModule_GetState(self));                    \
    }                                                                          \
    static PyObject *prefix##_ping(PyObject *self, PyObject *unused)           \
    {                                                                          \
        stress_state *st = PyModule_GetState(self);                            \
        (void)unused;                                                          \
        if (st != NULL)                                                        \
            atomic_fetch_add(&st->pings, 1);                                   \
        Py_RETURN_NONE;                                                        \
    }                                                                          \
    static PyObject *prefix##_total_execs(PyObject *self, PyObject *unused)    \
    {                                                                          \
        (void)self; (void)unused;                                              \
        return PyLong_FromUnsignedLongLong(atomic_load(&stress_total_execs));  \
    }

#define STRESS_METHODS(prefix)                                                 \
    {"_stress_state", prefix##_stress_state, METH_NOARGS,                      \
     "(execs, owner interpreter, nonce, state address) or None"},              \
    {"ping", prefix##_ping, METH_NOARGS, "touch the module state"},            \
    {"total_execs", prefix##_total_execs, METH_NOARGS, "exec runs, process-wide"}

#endif /* !STRESS_MOD_H */
