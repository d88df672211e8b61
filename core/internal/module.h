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
    Py_ssize_t md_state_size;     /* set before publication; -1 single-phase */
    traverseproc md_traverse;     /* set before publication */
    inquiry md_clear;             /* set before publication */
    freefunc md_free;             /* set before publication */
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
    PyInterpreterState *md_interp;          /* immutable: owning interpreter */
    PyObject *md_prev, *md_next;            /* guarded by md_interp->modules_lock */
} PyModuleObject;

static inline void *
mod_state_load(PyModuleObject *m)
{
    return __atomic_load_n(&m->md_state, __ATOMIC_ACQUIRE);
}

RT_INTERNAL int mod_is_initializing(PyObject *module);
/* Frees the interpreter's modules that only their own contents reference
 * (see moduleobject.c, "Collecting orphaned modules").  Returns how many. */
RT_INTERNAL Py_ssize_t mod_collect_orphans(PyInterpreterState *interp);
/* Drops the caller's reference to 'op'; a module that only its own
 * contents still reference is cleared first, so it is freed now rather
 * than at the next collection (failure paths of creation and import). */
RT_INTERNAL void mod_discard(PyObject *op);
/* Clears every module still alive in the interpreter (finalization). */
RT_INTERNAL void mod_clear_all(PyInterpreterState *interp);

#endif /* !PYMODRT_MODULE_H */
