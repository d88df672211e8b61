/* module.h: the module object's layout, internal to pymodrt (core and
 * loader).  Extensions reach it only through the PyModule_* API. */
#ifndef PYMODRT_MODULE_H
#define PYMODRT_MODULE_H

#include "internal/pycore.h"

typedef struct {
    PyObject_HEAD
    PyObject *md_dict;            /* immutable after creation */
    PyModuleDef *md_def;          /* set before publication; immutable after */
    void *md_state;               /* atomic: published (release) by the exec
                                   * that allocates it; NULL until then */
    Py_ssize_t md_state_size;     /* atomic, as md_traverse; -1 single-phase */
    traverseproc md_traverse;     /* atomic: set at creation, read by the
                                   * orphan collector of other threads */
    inquiry md_clear;             /* atomic, as md_traverse */
    freefunc md_free;             /* atomic, as md_traverse */
    void *md_token;               /* set before publication */
    int (*md_exec)(PyObject *);   /* slots-only modules: the single exec slot */
    PyObject *md_name;            /* immutable: cached exact str name or NULL */
    PyObject *md_weaklist;
    int md_requires_gil;          /* set before publication (PyUnstable_Module_SetGIL
                                   * may change it while the owning init runs) */
    int md_from_slots;            /* created by PyModule_FromSlotsAndSpec */
    int md_initializing;          /* atomic: set by the loader while the module's
                                   * exec runs (mirrors __spec__._initializing,
                                   * read on every registry hit) */
    PyInterpreterState *md_interp;          /* owning interpreter, NULL once it ended;
                                             * guarded by live_lock (moduleobject.c) */
    PyObject *md_prev, *md_next;            /* guarded by live_lock */
} PyModuleObject;

static inline void *
mod_state_load(PyModuleObject *m)
{
    return __atomic_load_n(&m->md_state, __ATOMIC_ACQUIRE);
}

/* Does 'op' hold a counted reference to module 'm' as one of its own
 * functions (__self__) or heap types (module)? */
static inline int
mod_owns_ref(PyObject *op, PyObject *m)
{
    if (PyCFunction_Check(op))
        return ((PyCFunctionObject *)op)->m_self == m;
    if (PyType_Check(op) && (((PyTypeObject *)op)->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return ((PyHeapTypeObject *)op)->ht_module == m;
    return 0;
}

/* The hooks run only when the state size is <= 0 or the state exists
 * (bpo-39824): a module whose exec never ran does not see m_free. */
static inline int
mod_hooks_allowed(PyModuleObject *m)
{
    return __atomic_load_n(&m->md_state_size, __ATOMIC_RELAXED) <= 0 ||
           mod_state_load(m) != NULL;
}

/* The hook fields, written at creation while the collector may already
 * see the module in its interpreter's list. */
static inline void
mod_set_hooks(PyModuleObject *m, Py_ssize_t size, traverseproc t, inquiry c, freefunc f)
{
    __atomic_store_n(&m->md_state_size, size, __ATOMIC_RELAXED);
    __atomic_store_n(&m->md_traverse, t, __ATOMIC_RELAXED);
    __atomic_store_n(&m->md_clear, c, __ATOMIC_RELAXED);
    __atomic_store_n(&m->md_free, f, __ATOMIC_RELEASE);
}

RT_INTERNAL int mod_is_initializing(PyObject *module);
/* Frees the interpreter's modules that only their own contents reference
 * (see moduleobject.c, "Collecting orphaned modules").  Returns how many. */
RT_INTERNAL Py_ssize_t mod_collect_orphans(PyInterpreterState *interp);
/* Runs mod_collect_orphans when enough modules were created since the last
 * collection (the registry-miss trigger). */
RT_INTERNAL void mod_collect_maybe(PyInterpreterState *interp);
/* Drops the caller's reference to 'op'; a module that only its own
 * contents still reference is cleared first, so it is freed now rather
 * than at the next collection (failure paths of creation and import). */
RT_INTERNAL void mod_discard(PyObject *op);
/* Clears every module still alive in the interpreter (finalization). */
RT_INTERNAL void mod_clear_all(PyInterpreterState *interp);

#endif /* !PYMODRT_MODULE_H */
