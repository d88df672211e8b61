/* import.c: the import system for extension modules.
 *
 * Walkthrough of an import of NAME in interpreter I (PyImport_ImportModule):
 *
 *  1. Fast path.  Look NAME up in I's sys.modules (a lock-free dict; a
 *     const char * name is hashed and compared without a temporary str).
 *     A module that is not initializing is returned: no lock, no
 *     allocation.  None gives "import of NAME halted; None in sys.modules".
 *  2. A module that is initializing belongs to a thread that holds NAME's
 *     module lock: the same thread gets the partial module (circular
 *     import); another thread takes and releases the lock (waiting for the
 *     initializer) and looks again, accepting a partial module if waiting
 *     would deadlock.
 *  3. Miss.  Validate NAME (touching no file for an empty or hostile name),
 *     import the parent package first for a dotted name, then take NAME's
 *     module lock and look again (another thread may have finished).
 *  4. Find: the inittab for top-level names, then each directory of the
 *     parent's __path__ (or sys.path) for NAME's last component with each
 *     extension suffix, a package directory first.
 *  5. Single-phase cache: a file+name already initialized by PyInit in this
 *     process is restored from the extension cache - from the m_copy
 *     snapshot for m_size == -1 (PyInit is not called again), or by calling
 *     PyInit again for m_size >= 0.
 *  6. Load: dlopen (one handle per file per process), find PyModExport_x,
 *     else PyInit_x, and run it:
 *       A. export hook -> PySlot array -> PyModule_FromSlotsAndSpec;
 *       B. PyInit returning a PyModuleDef -> PyModule_FromDefAndSpec;
 *       C. PyInit returning a module (single-phase) -> checks, __file__,
 *          cache entry (m_copy snapshot or re-init function), PyState
 *          index, sys.modules.
 *  7. Module attributes (__spec__, __loader__, __package__, __file__,
 *     __path__), then for A and B: spec._initializing = True,
 *     sys.modules[NAME] = module, exec, and on failure the entry is
 *     removed again; _initializing = False.
 *  8. The child is set as an attribute of its parent; the lock is released.
 *
 * Locks: each interpreter has a table of module locks keyed by name,
 * guarded by imp_mu; a module lock is re-entrant for its owner.  Before a
 * thread blocks on a lock it follows owner -> lock-it-waits-on edges; a
 * path back to itself is a deadlock and raises instead of waiting.  Only
 * threads that miss in the registry ever touch imp_mu.
 *
 * Process-wide tables (extension cache, library handles) are dicts: lock-
 * free for readers, writes serialized by the dict. */
#include "loader.h"
#include "punycode.h"

#include <dlfcn.h>

RT_INTERNAL const char *mod_swap_pkgcontext(const char *ctx);
RT_INTERNAL int state_set_module(PyInterpreterState *interp, Py_ssize_t idx, PyObject *m);
RT_INTERNAL int mod_def_requires_gil(PyModuleDef *def, const char *name);

#define IMP_NAME_MAX 1024   /* longer module names are refused */

/* ---------------------------------------------------- process-global state */

static PyObject *ext_cache;                 /* dict "path:name" -> capsule(ext_entry);
                                             * created at runtime init, lock-free reads */
/* Guards every def->m_base.m_copy swap and read: a snapshot may be replaced
 * by an import in another interpreter while a reload iterates it, so
 * readers take their own reference under this lock. */
static pthread_mutex_t m_copy_lock = PTHREAD_MUTEX_INITIALIZER;

static PyObject *
m_copy_get_ref(PyModuleDef *def)
{
    PyObject *c;

    pthread_mutex_lock(&m_copy_lock);
    c = Py_XNewRef(def->m_base.m_copy);
    pthread_mutex_unlock(&m_copy_lock);
    return c;
}

/* Installs 'copy' (a new reference, or NULL) and returns the old snapshot
 * for the caller to release outside the lock. */
static PyObject *
m_copy_swap(PyModuleDef *def, PyObject *copy)
{
    PyObject *old;

    pthread_mutex_lock(&m_copy_lock);
    old = def->m_base.m_copy;
    def->m_base.m_copy = copy;
    pthread_mutex_unlock(&m_copy_lock);
    return old;
}

/* Drops def's snapshot if it was taken from module 'm' (its functions are
 * bound to m), so that a snapshot does not outlive its interpreter.
 * Snapshots taken elsewhere are left alone.  The dict is released, never
 * cleared: a thread restoring from it holds its own reference and must
 * see it whole. */
static void
m_copy_drop_if_from(PyModuleDef *def, PyObject *m)
{
    PyObject *copy = m_copy_get_ref(def), *k, *v;
    Py_ssize_t pos = 0;
    int from_m = 0;

    if (copy == NULL)
        return;
    while (!from_m && PyDict_Next(copy, &pos, &k, &v))
        from_m = PyCFunction_Check(v) && ((PyCFunctionObject *)v)->m_self == m;
    if (from_m) {
        pthread_mutex_lock(&m_copy_lock);
        if (def->m_base.m_copy == copy)
            def->m_base.m_copy = NULL;
        else
            from_m = 0;   /* replaced meanwhile: not ours to drop */
        pthread_mutex_unlock(&m_copy_lock);
        if (from_m)
            Py_DECREF(copy);   /* the def's reference */
    }
    Py_DECREF(copy);
}

static PyObject *deadlock_error;            /* immutable after init */

struct inittab_entry {
    char *name;
    PyObject *(*initfunc)(void);
};
static struct inittab_entry *inittab;      /* set before Py_Initialize; immutable after */
static size_t ninittab;

/* A single-phase module's cache entry (SEMANTICS 3.2). */
struct ext_entry {
    PyModuleDef *def;                       /* immutable */
    PyObject *(*m_init)(void);              /* m_size >= 0: the re-init function */
    Py_ssize_t m_index;                     /* immutable */
    int requires_gil;                       /* immutable */
};

/* ------------------------------------------------------------ module locks */

struct imp_lock {
    PyObject *name;                         /* immutable */
    struct rt_thread *owner;                /* guarded by imp_mu: an OS thread, not
                                             * a thread state (one thread may hold
                                             * several of an interpreter's) */
    int count;                              /* guarded by imp_mu */
    int users;                              /* holders + waiters; guarded by imp_mu */
    pthread_cond_t cv;                      /* waiters of this lock */
    struct imp_lock *next;                  /* guarded by imp_mu */
};

struct imp_state {
    pthread_mutex_t mu;                     /* imp_mu: guards locks and waiting_on */
    struct imp_lock *locks;                 /* guarded by mu */
};

/* The lock of 'st' that thread 't' blocks on, or NULL (also when it blocks
 * in another interpreter's table: cycles across tables are not followed).
 * st->mu held: a match was written under it. */
static struct imp_lock *
waiting_on_locked(struct imp_state *st, struct rt_thread *t)
{
    if (atomic_load_explicit(&t->imp_waiting_in, memory_order_relaxed) != st)
        return NULL;
    return atomic_load_explicit(&t->imp_waiting_on, memory_order_relaxed);
}

static void
set_waiting_locked(struct imp_state *st, struct rt_thread *t, struct imp_lock *l)
{
    if (l != NULL) {
        atomic_store_explicit(&t->imp_waiting_in, st, memory_order_relaxed);
        atomic_store_explicit(&t->imp_waiting_on, l, memory_order_relaxed);
    } else {
        atomic_store_explicit(&t->imp_waiting_on, NULL, memory_order_relaxed);
        atomic_store_explicit(&t->imp_waiting_in, NULL, memory_order_relaxed);
    }
}

static struct imp_state *
imp_state_of(PyInterpreterState *interp)
{
    return interp->imp;
}

static struct imp_lock *
lock_get_locked(struct imp_state *st, PyObject *name)
{
    struct imp_lock *l;

    for (l = st->locks; l != NULL; l = l->next)
        if (PyUnicode_Compare(l->name, name) == 0)
            return l;
    l = mem_calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->name = Py_NewRef(name);
    pthread_cond_init(&l->cv, NULL);
    l->next = st->locks;
    st->locks = l;
    return l;
}

static void
lock_unuse_locked(struct imp_state *st, struct imp_lock *l)
{
    struct imp_lock **pp;

    if (--l->users > 0)
        return;
    for (pp = &st->locks; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    }
    pthread_cond_destroy(&l->cv);
    Py_DECREF(l->name);
    mem_free(l);
}

static void
raise_deadlock(struct imp_lock *l)
{
    rt_count(RT_C_DEADLOCKS);
    PyErr_Format(deadlock_error, "deadlock detected by _ModuleLock(%R) at %p", l->name,
                 (void *)l);
}

/* Takes NAME's module lock.  Returns the lock, or NULL with an exception
 * (deadlock, no memory). */
static struct imp_lock *
imp_lock_acquire(PyInterpreterState *interp, PyObject *name)
{
    struct imp_state *st = imp_state_of(interp);
    struct rt_thread *me = rt_thread_get();
    struct imp_lock *l;

    pthread_mutex_lock(&st->mu);
    l = lock_get_locked(st, name);
    if (l == NULL) {
        pthread_mutex_unlock(&st->mu);
        PyErr_NoMemory();
        return NULL;
    }
    l->users++;
    if (l->owner == NULL || l->owner == me) {
        l->owner = me;
        l->count++;
        pthread_mutex_unlock(&st->mu);
        return l;
    }
    /* Would waiting close a cycle of waits? */
    struct rt_thread *o = l->owner;
    for (int depth = 0; o != NULL && depth < 10000; depth++) {
        struct imp_lock *w = waiting_on_locked(st, o);
        if (w == NULL)
            break;
        if (w->owner == me) {
            lock_unuse_locked(st, l);
            pthread_mutex_unlock(&st->mu);
            raise_deadlock(l);
            return NULL;
        }
        o = w->owner;
    }
    /* Block detached: the owner may need the GIL (or a stop-the-world may
     * need us parked) to finish the import we wait for. */
    rt_count(RT_C_LOCK_WAITS);
    set_waiting_locked(st, me, l);
    pthread_mutex_unlock(&st->mu);
    PyThreadState *saved = PyEval_SaveThread();
    pthread_mutex_lock(&st->mu);
    while (l->owner != NULL)
        pthread_cond_wait(&l->cv, &st->mu);
    set_waiting_locked(st, me, NULL);
    l->owner = me;
    l->count = 1;
    pthread_mutex_unlock(&st->mu);
    PyEval_RestoreThread(saved);
    return l;
}

static void
imp_lock_release(PyInterpreterState *interp, struct imp_lock *l)
{
    struct imp_state *st = imp_state_of(interp);

    pthread_mutex_lock(&st->mu);
    if (--l->count == 0) {
        l->owner = NULL;
        pthread_cond_signal(&l->cv);
    }
    lock_unuse_locked(st, l);
    pthread_mutex_unlock(&st->mu);
}

/* Is NAME's lock held by the calling thread? */
static int
imp_lock_owned(PyInterpreterState *interp, PyObject *name)
{
    struct imp_state *st = imp_state_of(interp);
    struct rt_thread *me = rt_thread_get();
    int owned = 0;

    pthread_mutex_lock(&st->mu);
    for (struct imp_lock *l = st->locks; l != NULL; l = l->next) {
        if (PyUnicode_Compare(l->name, name) == 0) {
            owned = l->owner == me;
            break;
        }
    }
    pthread_mutex_unlock(&st->mu);
    return owned;
}

/* ------------------------------------------------------------ interpreter */

int
imp_interp_init(PyInterpreterState *interp)
{
    struct imp_state *st = mem_calloc(1, sizeof(*st));

    if (st == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    pthread_mutex_init(&st->mu, NULL);
    interp->imp = st;
    if (ext_cache == NULL) {
        if (imp_spec_types_init() < 0)
            return -1;
        ext_cache = PyDict_New();
        deadlock_error = PyErr_NewException("importlib._bootstrap._DeadlockError",
                                            PyExc_ImportError, NULL);
        if (ext_cache == NULL || deadlock_error == NULL)
            return -1;
    }
    PyObject *sys = imp_sys_create(interp);
    if (sys == NULL)
        return -1;
    int r = PyDict_SetItemString(interp->modules, "sys", sys);
    Py_DECREF(sys);
    return r;
}

static void
clear_module(PyObject *m)
{
    if (PyModule_Check(m) && Py_TYPE(m)->tp_clear != NULL)
        Py_TYPE(m)->tp_clear(m);
}

/* Drops every module of the interpreter, newest first (SEMANTICS 9.5):
 * each module's dict is cleared (m_clear first), which breaks the
 * module <-> function cycles that refcounting alone cannot free, then the
 * module itself goes, running m_free. */
void
imp_interp_fini(PyInterpreterState *interp)
{
    struct imp_state *st = imp_state_of(interp);
    PyObject *keys, *list;

    /* Plain counts again before anything is dropped: a sharded object is
     * freed only after its fold (core/shard.c). */
    rt_shard_release_interp(interp);
    if (interp->modules != NULL && (keys = PyDict_Keys(interp->modules)) != NULL) {
        for (Py_ssize_t i = PyList_GET_SIZE(keys); --i >= 0; ) {
            PyObject *m;
            if (PyDict_Pop(interp->modules, PyList_GET_ITEM(keys, i), &m) > 0) {
                /* m_copy snapshots taken from this module die with it. */
                PyModuleDef *def = PyModule_Check(m) ? PyModule_GetDef(m) : NULL;
                if (def != NULL)
                    m_copy_drop_if_from(def, m);
                clear_module(m);
                Py_DECREF(m);
            }
        }
        Py_DECREF(keys);
    }
    PyErr_Clear();
    /* Modules that left sys.modules earlier but are still alive. */
    mod_collect_orphans(interp);
    mod_clear_all(interp);
    list = interp->modules_by_index;
    state_table_clear(interp);
    if (list != NULL)
        PyList_SetSlice(list, 0, PyList_GET_SIZE(list), NULL);
    if (st != NULL) {
        while (st->locks != NULL) {
            struct imp_lock *l = st->locks;
            st->locks = l->next;
            pthread_cond_destroy(&l->cv);
            Py_DECREF(l->name);
            mem_free(l);
        }
        pthread_mutex_destroy(&st->mu);
        mem_free(st);
        interp->imp = NULL;
    }
}

void
imp_runtime_fini(void)
{
    if (ext_cache != NULL) {
        /* Clear m_copy snapshots still referenced by cached defs. */
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(ext_cache, &pos, &k, &v)) {
            struct ext_entry *e = PyCapsule_GetPointer(v, "pymodrt.ext_entry");
            PyObject *copy = e != NULL ? m_copy_swap(e->def, NULL) : NULL;
            if (copy != NULL) {
                PyDict_Clear(copy);
                Py_DECREF(copy);
            }
            if (e != NULL)
                e->def->m_base.m_init = NULL;
        }
        PyErr_Clear();
        Py_CLEAR(ext_cache);
    }
    Py_CLEAR(deadlock_error);
    imp_dl_fini();
}

/* ------------------------------------------------------------- utilities */

static int
name_check(PyObject *name)
{
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(name, &n);

    if (s == NULL)
        return -1;
    if (n == 0) {
        PyErr_SetString(PyExc_ValueError, "Empty module name");
        return -1;
    }
    if ((size_t)n != strlen(s)) {
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return -1;
    }
    /* Names no finder could ever resolve are "not found" without any file
     * system access: path separators, empty components, absurd lengths. */
    if (n > IMP_NAME_MAX || strchr(s, '/') != NULL || strchr(s, '\\') != NULL ||
        s[0] == '.' || s[n - 1] == '.' || strstr(s, "..") != NULL) {
        PyObject *msg = PyUnicode_FromFormat("No module named %R", name);
        if (msg != NULL) {
            PyErr_SetImportErrorSubclass(PyExc_ModuleNotFoundError, msg, name, NULL);
            Py_DECREF(msg);
        }
        return -1;
    }
    return 0;
}

static void
raise_not_found(PyObject *name)
{
    PyObject *msg = PyUnicode_FromFormat("No module named %R", name);

    if (msg != NULL) {
        PyErr_SetImportErrorSubclass(PyExc_ModuleNotFoundError, msg, name, NULL);
        Py_DECREF(msg);
    }
}

/* Sets a module attribute unless it exists and is not None ('force' sets
 * it always).  Objects that refuse setattr are skipped, as importlib does. */
static int
set_attr_if_missing(PyObject *m, const char *attr, PyObject *value, int force)
{
    PyObject *cur = NULL;

    if (!force) {
        if (PyObject_GetOptionalAttrString(m, attr, &cur) < 0)
            return -1;
        if (cur != NULL && cur != Py_None) {
            Py_DECREF(cur);
            return 0;
        }
        Py_XDECREF(cur);
    }
    if (PyObject_SetAttrString(m, attr, value) < 0) {
        if (PyErr_ExceptionMatches(PyExc_AttributeError) ||
            PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            return 0;
        }
        return -1;
    }
    return 0;
}

static int
init_module_attrs(PyObject *m, PyObject *spec)
{
    imp_spec *s = (imp_spec *)spec;

    if (set_attr_if_missing(m, "__name__", s->name, 0) < 0 ||
        set_attr_if_missing(m, "__loader__", s->loader, 0) < 0 ||
        set_attr_if_missing(m, "__package__", s->parent, 0) < 0 ||
        set_attr_if_missing(m, "__spec__", spec, 1) < 0)
        return -1;
    if (s->locations != Py_None && set_attr_if_missing(m, "__path__", s->locations, 1) < 0)
        return -1;
    if (s->has_location && set_attr_if_missing(m, "__file__", s->origin, 0) < 0)
        return -1;
    return 0;
}

static PyObject *
chain_system_error(const char *fmt, const char *name)
{
    return err_format_from_cause(PyExc_SystemError, fmt, name);
}

static int
single_phase_allowed(PyInterpreterState *interp, const char *name)
{
    if (interp == rt_runtime.main_interp || !interp->check_multi_interp_extensions)
        return 0;
    PyErr_Format(PyExc_ImportError, "module %s does not support loading in subinterpreters",
                 name);
    return -1;
}

/* ----------------------------------------------------- single-phase cache */

static PyObject *
cache_key(PyObject *path, PyObject *name)
{
    return PyUnicode_FromFormat("%U:%U", path, name);
}

static void
ext_entry_destroy(PyObject *capsule)
{
    mem_free(PyCapsule_GetPointer(capsule, "pymodrt.ext_entry"));
}

static int
cache_store(PyObject *key, PyModuleDef *def, PyObject *(*m_init)(void), int requires_gil)
{
    struct ext_entry *e = mem_alloc(sizeof(*e));
    PyObject *cap;
    int r;

    if (e == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    e->def = def;
    e->m_init = m_init;
    e->m_index = def->m_base.m_index;
    e->requires_gil = requires_gil;
    cap = PyCapsule_New(e, "pymodrt.ext_entry", ext_entry_destroy);
    if (cap == NULL) {
        mem_free(e);
        return -1;
    }
    r = PyDict_SetItem(ext_cache, key, cap);
    Py_DECREF(cap);
    return r;
}

/* Runs a PyInit function with the package context and classifies its
 * result (SEMANTICS 3.1.1 step 3).  Returns a new reference: a module
 * (single-phase), a PyModuleDef (multi-phase; *is_def set), or NULL. */
static PyObject *
run_init(PyObject *(*init)(void), const char *fullname, const struct imp_hook *hook,
         int *is_def)
{
    rt_count(RT_C_INITS);
    const char *old = mod_swap_pkgcontext(fullname);
    PyObject *r = init();
    const char *sname = hook->shortname_enc;

    mod_swap_pkgcontext(old);
    *is_def = 0;
    if (r == NULL) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_SystemError,
                         "initialization of %s failed without raising an exception", sname);
        return NULL;
    }
    if (PyErr_Occurred()) {
        Py_DECREF(r);
        return chain_system_error("initialization of %s raised unreported exception", sname);
    }
    if (Py_TYPE(r) == NULL) {
        PyErr_Format(PyExc_SystemError, "init function of %s returned uninitialized object",
                     sname);
        return NULL;
    }
    if (PyObject_TypeCheck(r, &PyModuleDef_Type)) {
        *is_def = 1;
        return r;
    }
    if (hook->unicode) {
        PyErr_Format(PyExc_SystemError, "initialization of %s did not return PyModuleDef",
                     sname);
    } else if (!PyModule_Check(r)) {
        PyErr_Format(PyExc_SystemError, "initialization of %s did not return an extension module",
                     sname);
    } else if (PyModule_GetDef(r) == NULL) {
        PyErr_Format(PyExc_SystemError,
                     "initialization of %s did not return a valid extension module", sname);
    } else {
        return r;
    }
    Py_DECREF(r);
    return NULL;
}

/* Restores a single-phase module from the cache (SEMANTICS 3.3, 3.4).
 * 'snapshot' is the caller's reference to def's m_copy for m_size == -1
 * (taken once: the def's snapshot may be dropped meanwhile by an ending
 * interpreter, and a module restored from nothing would be empty).
 * Returns a new reference to the module now in sys.modules, or NULL. */
static PyObject *
reload_single_phase(PyInterpreterState *interp, struct ext_entry *e, PyObject *name,
                    PyObject *path, const struct imp_hook *hook, PyObject *snapshot)
{
    PyModuleDef *def = e->def;
    PyObject *m;
    const char *fullname = PyUnicode_AsUTF8(name);

    if (fullname == NULL || single_phase_allowed(interp, fullname) < 0)
        return NULL;
    if (e->requires_gil && rt_gil_require(fullname) < 0)
        return NULL;
    if (def->m_size == -1) {
        if (PyDict_GetItemRef(interp->modules, name, &m) < 0)
            return NULL;
        assert(snapshot != NULL);
        if (m != NULL && PyModule_Check(m)) {
            if (PyDict_Update(PyModule_GetDict(m), snapshot) < 0)
                goto error;
        } else {
            /* Fill it before publishing it: the registry's fast path hands
             * out whatever it finds, to any thread. */
            Py_XDECREF(m);
            m = PyModule_NewObject(name);
            if (m == NULL)
                return NULL;
            if (PyDict_Update(PyModule_GetDict(m), snapshot) < 0 ||
                PyDict_SetItem(interp->modules, name, m) < 0)
                goto error;
        }
        ((PyModuleObject *)m)->md_requires_gil = e->requires_gil;
    } else {
        int is_def;
        m = run_init(e->m_init, fullname, hook, &is_def);
        if (m == NULL)
            return NULL;
        if (is_def) {
            Py_DECREF(m);
            PyErr_Format(PyExc_SystemError, "initialization of %s did not return an extension module",
                         hook->shortname_enc);
            return NULL;
        }
        if (PyModule_AddObjectRef(m, "__file__", path) < 0)
            PyErr_Clear();
        if (PyDict_SetItem(interp->modules, name, m) < 0)
            goto error;
    }
    if (state_set_module(interp, e->m_index, m) < 0)
        goto error;
    return m;
error:
    {
        PyObject *exc = PyErr_GetRaisedException();
        if (PyDict_DelItem(interp->modules, name) < 0)
            PyErr_Clear();
        PyErr_SetRaisedException(exc);
    }
    mod_discard(m);
    return NULL;
}

enum load_kind { LOAD_SINGLE, LOAD_MULTI };

/* Single-phase bookkeeping right after PyInit (SEMANTICS 3.1.1 step 4):
 * __file__, the def made immortal, and the cache entry (an m_copy snapshot
 * for m_size == -1, the re-init function otherwise). */
static int
single_phase_record(PyObject *m, PyObject *key, PyObject *path, PyObject *(*init)(void))
{
    PyModuleDef *def = PyModule_GetDef(m);
    int requires_gil = ((PyModuleObject *)m)->md_requires_gil;

    if (PyModule_AddObjectRef(m, "__file__", path) < 0)
        PyErr_Clear();
    _Py_SetImmortal((PyObject *)def);
    if (def->m_size == -1) {
        PyObject *copy = PyDict_Copy(PyModule_GetDict(m));
        if (copy == NULL)
            return -1;
        Py_XDECREF(m_copy_swap(def, copy));
        return cache_store(key, def, NULL, requires_gil);
    }
    def->m_base.m_init = init;
    return cache_store(key, def, init, requires_gil);
}

/* PyInit of a module imported from a sub-interpreter runs in the main
 * interpreter (SEMANTICS 3.1.1, 3.13+): a temporary thread state of the
 * main interpreter runs it and does the single-phase bookkeeping there.  A
 * failure is reported in the main interpreter as unraisable, and the
 * sub-interpreter sees "failed to import from subinterpreter due to
 * exception" (3.15, gh-144601).  A multi-phase definition is then created
 * in the sub-interpreter; a single-phase module goes through the cache
 * (refused when the interpreter checks extensions, as every pymodrt
 * sub-interpreter does). */
static PyObject *
run_init_from_sub(PyInterpreterState *interp, PyObject *spec, PyObject *name, PyObject *path,
                  PyObject *key, const struct imp_hook *hook, const char *fullname,
                  enum load_kind *kind)
{
    PyThreadState *main_ts = PyThreadState_New(rt_runtime.main_interp), *sub_ts;
    PyObject *r, *m = NULL;
    int is_def, failed = 0;

    if (main_ts == NULL)
        return PyErr_NoMemory();
    sub_ts = PyThreadState_Swap(main_ts);
    r = run_init((PyObject *(*)(void))hook->fn, fullname, hook, &is_def);
    if (r == NULL) {
        PyErr_FormatUnraisable("Exception while importing from subinterpreter");
        failed = 1;
    } else if (!is_def) {
        /* A module the sub-interpreter will refuse must not switch the
         * main interpreter's GIL on; its cache entry is still recorded. */
        int refused = interp->check_multi_interp_extensions;
        if ((!refused && ((PyModuleObject *)r)->md_requires_gil &&
             rt_gil_require(fullname) < 0) ||
            single_phase_record(r, key, path, (PyObject *(*)(void))hook->fn) < 0) {
            PyErr_FormatUnraisable("Exception while importing from subinterpreter");
            failed = 1;
        }
        mod_discard(r);   /* the main interpreter's instance is not kept */
        r = NULL;
    }
    PyThreadState_Clear(main_ts);
    PyThreadState_Swap(sub_ts);
    PyThreadState_Delete(main_ts);
    if (failed) {
        PyErr_SetString(PyExc_ImportError, "failed to import from subinterpreter due to exception");
        return NULL;
    }
    if (r != NULL) {   /* a PyModuleDef: create the module here */
        PyModuleDef *def = (PyModuleDef *)r;
        int needs = mod_def_requires_gil(def, fullname);
        if (needs < 0 || (needs && rt_gil_require(fullname) < 0))
            return NULL;
        return PyModule_FromDefAndSpec2(def, spec, PYTHON_API_VERSION);
    }
    /* Single-phase: refused in a checking interpreter (SEMANTICS 6.4, the
     * short encoded name after PyInit ran), else restored from the cache. */
    if (single_phase_allowed(interp, hook->shortname_enc) < 0)
        return NULL;
    PyObject *cached;
    if (PyDict_GetItemRef(ext_cache, key, &cached) <= 0)
        return NULL;
    struct ext_entry *e = PyCapsule_GetPointer(cached, "pymodrt.ext_entry");
    PyObject *snapshot = e->def->m_size == -1 ? m_copy_get_ref(e->def) : NULL;
    if (e->def->m_size == -1 && snapshot == NULL) {
        /* The main interpreter's instance went away meanwhile. */
        PyErr_Format(PyExc_ImportError, "the cached copy of module %s was discarded "
                     "while this interpreter imported it", fullname);
        m = NULL;
    } else {
        *kind = LOAD_SINGLE;
        m = reload_single_phase(interp, e, name, path, hook, snapshot);
    }
    Py_XDECREF(snapshot);
    Py_DECREF(cached);
    return m;
}

/* --------------------------------------------------------- create_dynamic */

/* Creates the module for an extension file (SEMANTICS 3.1, 4.1, 5.1).
 * Single-phase modules are in sys.modules on return. */
static PyObject *
create_dynamic(PyInterpreterState *interp, PyObject *spec, PyObject *name, PyObject *path,
               enum load_kind *kind)
{
    const char *fullname = PyUnicode_AsUTF8(name), *cpath = PyUnicode_AsUTF8(path);
    PyObject *key = NULL, *cached = NULL, *m = NULL, *shortname = NULL;
    struct imp_hook hook;
    void *handle;
    int is_def;

    if (fullname == NULL || cpath == NULL)
        return NULL;
    if (imp_find_hook_names(fullname, &hook) < 0)
        return NULL;
    key = cache_key(path, name);
    if (key == NULL)
        return NULL;
    if (PyDict_GetItemRef(ext_cache, key, &cached) < 0)
        goto done;
    if (cached != NULL) {
        struct ext_entry *e = PyCapsule_GetPointer(cached, "pymodrt.ext_entry");
        PyObject *snapshot = e->def->m_size == -1 ? m_copy_get_ref(e->def) : NULL;
        if (e->def->m_size != -1 || snapshot != NULL) {
            *kind = LOAD_SINGLE;
            m = reload_single_phase(interp, e, name, path, &hook, snapshot);
            Py_XDECREF(snapshot);
            goto done;
        }
        /* Stale: the interpreter that owned the snapshot is gone. */
        if (PyDict_DelItem(ext_cache, key) < 0)
            PyErr_Clear();
    }
    const char *dot = strrchr(fullname, '.');
    shortname = PyUnicode_FromString(dot != NULL ? dot + 1 : fullname);
    if (shortname == NULL)
        goto done;
    handle = imp_dlopen(cpath, shortname, __atomic_load_n(&interp->dlopenflags, __ATOMIC_RELAXED));
    if (handle == NULL)
        goto done;
    if (imp_find_hook(handle, fullname, &hook) < 0)
        goto done;
    if (hook.kind == IMP_HOOK_NONE) {
        PyObject *msg = PyUnicode_FromFormat(
            "dynamic module does not define module export function (%s%s_%s or %s)",
            "PyModExport", hook.unicode ? "U" : "", hook.shortname_enc, hook.symbol);
        if (msg != NULL) {
            PyErr_SetImportError(msg, name, path);
            Py_DECREF(msg);
        }
        goto done;
    }
    *kind = LOAD_MULTI;
    if (hook.kind == IMP_HOOK_EXPORT) {
        rt_count(RT_C_INITS);
        PySlot *slots = ((PySlot *(*)(void))hook.fn)();
        if (slots == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_SystemError,
                             "module export hook for module %R failed without setting an exception",
                             name);
            goto done;
        }
        if (PyErr_Occurred()) {
            /* SEMANTICS Q3: treated as a failed import. */
            err_format_from_cause(PyExc_SystemError,
                                  "module export hook for module %R raised unreported exception",
                                  name);
            goto done;
        }
        m = PyModule_FromSlotsAndSpec(slots, spec);
        if (m != NULL && PyModule_Check(m) && ((PyModuleObject *)m)->md_token == NULL)
            ((PyModuleObject *)m)->md_token = slots;
        goto done;
    }
    /* The GIL decision (SEMANTICS 7.4, done better).  CPython turns the GIL
     * on transiently around every PyInit, which stops the world even for
     * modules that declare Py_MOD_GIL_NOT_USED.  pymodrt does not need to:
     * while the GIL is off in auto mode, every loaded module has declared
     * itself GIL-free, and the module being initialized is reachable by no
     * other thread until it is published (its module lock serializes its
     * init).  So PyInit runs as it is; a multi-phase definition's
     * Py_mod_gil is read before creation and a module that needs the GIL
     * switches it on (permanently, with the warning) before any of its own
     * code runs; a single-phase module switches it on right after PyInit,
     * before anyone else can reach it.  A GIL-free module never stops the
     * world. */
    if (interp != rt_runtime.main_interp) {
        m = run_init_from_sub(interp, spec, name, path, key, &hook, fullname, kind);
        goto done;
    }
    m = run_init((PyObject *(*)(void))hook.fn, fullname, &hook, &is_def);
    if (m == NULL)
        goto done;
    if (is_def) {
        PyModuleDef *def = (PyModuleDef *)m;
        m = NULL;
        int needs = mod_def_requires_gil(def, fullname);
        if (needs < 0 || (needs && rt_gil_require(fullname) < 0))
            goto done;
        m = PyModule_FromDefAndSpec2(def, spec, PYTHON_API_VERSION);
        goto done;
    }
    if (((PyModuleObject *)m)->md_requires_gil && rt_gil_require(fullname) < 0) {
        /* The warning became an error (the GIL stays on, as in CPython).
         * Nothing is registered yet: drop the module. */
        mod_discard(m);
        m = NULL;
        goto done;
    }
    /* Single-phase (SEMANTICS 3.1.1 step 4 and 7). */
    *kind = LOAD_SINGLE;
    if (single_phase_record(m, key, path, (PyObject *(*)(void))hook.fn) < 0 ||
        single_phase_allowed(interp, hook.shortname_enc) < 0 ||
        state_set_module(interp, PyModule_GetDef(m)->m_base.m_index, m) < 0 ||
        PyDict_SetItem(interp->modules, name, m) < 0) {
        mod_discard(m);
        m = NULL;
    }
done:
    Py_XDECREF(shortname);
    Py_XDECREF(cached);
    Py_XDECREF(key);
    return m;
}

/* ---------------------------------------------------------------- inittab */

int
PyImport_ExtendInittab(struct _inittab *newtab)
{
    size_t n = 0;
    struct inittab_entry *p;

    if (rt_runtime.initialized)
        Py_FatalError("PyImport_ExtendInittab() may not be called after Py_Initialize()");
    while (newtab[n].name != NULL)
        n++;
    if (n == 0)
        return 0;
    /* The table outlives any one runtime: the system heap, not ours. */
    p = realloc(inittab, (ninittab + n) * sizeof(*p));
    if (p == NULL)
        return -1;
    inittab = p;
    for (size_t i = 0; i < n; i++) {
        char *name = strdup(newtab[i].name);
        if (name == NULL)
            return -1;
        inittab[ninittab].name = name;
        inittab[ninittab].initfunc = newtab[i].initfunc;
        ninittab++;
    }
    return 0;
}

int
PyImport_AppendInittab(const char *name, PyObject *(*initfunc)(void))
{
    struct _inittab t[2] = {{name, initfunc}, {NULL, NULL}};

    return PyImport_ExtendInittab(t);
}

static PyObject *(*inittab_find(const char *name))(void)
{
    for (size_t i = 0; i < ninittab; i++)
        if (strcmp(inittab[i].name, name) == 0)
            return inittab[i].initfunc;
    return NULL;
}

/* ------------------------------------------------------------------ exec */

/* _imp.exec_dynamic (SEMANTICS 4.3): skip non-modules and modules whose
 * state already exists ("already executed"). */
static int
exec_dynamic(PyObject *m)
{
    if (!PyModule_Check(m))
        return 0;
    if (mod_state_load((PyModuleObject *)m) != NULL)
        return 0;
    return PyModule_Exec(m);
}

/* Steps 7 of the walkthrough for multi-phase modules.  Returns a new
 * reference to whatever sys.modules holds for NAME afterwards. */
static PyObject *
load_multi_phase(PyInterpreterState *interp, PyObject *name, PyObject *spec, PyObject *m)
{
    PyObject *result = NULL;

    if (init_module_attrs(m, spec) < 0)
        return NULL;
    imp_spec_set_initializing(spec, 1);
    if (PyModule_Check(m))
        __atomic_store_n(&((PyModuleObject *)m)->md_initializing, 1, __ATOMIC_RELEASE);
    if (PyDict_SetItem(interp->modules, name, m) < 0)
        goto done;
    if (exec_dynamic(m) < 0) {
        PyObject *exc = PyErr_GetRaisedException();
        if (PyDict_DelItem(interp->modules, name) < 0)
            PyErr_Clear();
        PyErr_SetRaisedException(exc);
        goto done;
    }
    /* Move the entry to the end, returning what exec left there (an exec
     * may replace its own entry).  If another thread deleted the entry
     * while exec ran, CPython's importlib raises KeyError here; pymodrt
     * returns the module it has just executed instead and leaves the
     * registry as the deleting thread left it (issue 7: deleting entries
     * while imports run is safe). */
    int r = PyDict_Pop(interp->modules, name, &result);
    if (r < 0)
        goto done;
    if (r == 0) {
        result = Py_NewRef(m);
        goto done;
    }
    if (PyDict_SetItem(interp->modules, name, result) < 0)
        Py_CLEAR(result);
done:
    if (PyModule_Check(m))
        __atomic_store_n(&((PyModuleObject *)m)->md_initializing, 0, __ATOMIC_RELEASE);
    imp_spec_set_initializing(spec, 0);
    return result;
}

static PyObject *
load_builtin(PyInterpreterState *interp, PyObject *name, PyObject *(*initfunc)(void))
{
    PyObject *origin = PyUnicode_FromString("built-in"), *loader = NULL, *spec = NULL;
    PyObject *m = NULL, *r;
    struct imp_hook hook = {0};
    int is_def;

    if (origin == NULL)
        return NULL;
    loader = Py_NewRef((PyObject *)&imp_builtin_importer_type);
    spec = imp_spec_new(name, origin, loader, 0, NULL);
    if (spec == NULL)
        goto done;
    snprintf(hook.shortname_enc, sizeof(hook.shortname_enc), "%s", PyUnicode_AsUTF8(name));
    r = run_init(initfunc, NULL, &hook, &is_def);
    if (r == NULL)
        goto done;
    if (is_def) {
        PyObject *mod = PyModule_FromDefAndSpec2((PyModuleDef *)r, spec, PYTHON_API_VERSION);
        if (mod != NULL) {
            m = load_multi_phase(interp, name, spec, mod);
            Py_DECREF(mod);
        }
        goto done;
    }
    if (single_phase_allowed(interp, hook.shortname_enc) < 0 ||
        state_set_module(interp, PyModule_GetDef(r)->m_base.m_index, r) < 0 ||
        PyDict_SetItem(interp->modules, name, r) < 0 || init_module_attrs(r, spec) < 0) {
        PyObject *exc = PyErr_GetRaisedException();
        if (PyDict_DelItem(interp->modules, name) < 0)
            PyErr_Clear();
        PyErr_SetRaisedException(exc);
        mod_discard(r);
        goto done;
    }
    m = r;
done:
    Py_DECREF(origin);
    Py_XDECREF(loader);
    Py_XDECREF(spec);
    return m;
}

/* Loads the extension at PATH as NAME (walkthrough steps 5-7). */
static PyObject *
load_file(PyInterpreterState *interp, PyObject *name, PyObject *path, int is_package)
{
    PyObject *loader = NULL, *spec = NULL, *locations = NULL, *m = NULL, *result = NULL;
    enum load_kind kind = LOAD_MULTI;

    loader = imp_extloader_new(name, path);
    if (loader == NULL)
        return NULL;
    if (is_package) {
        const char *p = PyUnicode_AsUTF8(path), *slash = p ? strrchr(p, '/') : NULL;
        PyObject *dir = slash ? PyUnicode_FromStringAndSize(p, slash - p) : PyUnicode_FromString(".");
        if (dir == NULL)
            goto done;
        locations = PyList_New(1);
        if (locations == NULL) {
            Py_DECREF(dir);
            goto done;
        }
        PyList_SET_ITEM(locations, 0, dir);
    }
    spec = imp_spec_new(name, path, loader, 1, locations);
    if (spec == NULL)
        goto done;
    m = create_dynamic(interp, spec, name, path, &kind);
    if (m == NULL)
        goto done;
    if (kind == LOAD_SINGLE) {
        if (init_module_attrs(m, spec) < 0) {
            PyObject *exc = PyErr_GetRaisedException();
            PyDict_DelItem(interp->modules, name);
            PyErr_Clear();
            PyErr_SetRaisedException(exc);
            goto done;
        }
        result = Py_NewRef(m);
    } else {
        result = load_multi_phase(interp, name, spec, m);
    }
done:
    if (m != NULL)
        mod_discard(m);   /* frees a module whose import failed */
    Py_XDECREF(spec);
    Py_XDECREF(locations);
    Py_XDECREF(loader);
    return result;
}

/* The directories to search: the parent package's __path__, or sys.path. */
static PyObject *
search_path(PyInterpreterState *interp, PyObject *parent)
{
    PyObject *path;

    if (parent != NULL) {
        if (PyObject_GetOptionalAttrString(parent, "__path__", &path) < 0)
            return NULL;
        return path;   /* NULL without error: not a package */
    }
    if (PyDict_GetItemStringRef(interp->sysdict, "path", &path) < 0)
        return NULL;
    if (path == NULL) {
        PyErr_SetString(PyExc_ImportError, "sys.path must be a list of directory names");
        return NULL;
    }
    return path;
}

/* Finds and loads NAME with its module lock held (steps 4-7). */
static PyObject *
find_and_load_locked(PyInterpreterState *interp, PyObject *name, PyObject *parent)
{
    const char *fullname = PyUnicode_AsUTF8(name), *dot, *shortname;
    PyObject *dirs, *m = NULL;

    if (fullname == NULL)
        return NULL;
    dot = strrchr(fullname, '.');
    shortname = dot != NULL ? dot + 1 : fullname;
    if (parent == NULL) {
        PyObject *(*initfunc)(void) = inittab_find(fullname);
        if (initfunc != NULL)
            return load_builtin(interp, name, initfunc);
    }
    dirs = search_path(interp, parent);
    if (dirs == NULL) {
        if (!PyErr_Occurred()) {
            PyObject *pname = PyModule_GetNameObject(parent), *msg = NULL;
            if (pname != NULL)
                msg = PyUnicode_FromFormat("No module named %R; %R is not a package",
                                           name, pname);
            Py_XDECREF(pname);
            if (msg != NULL) {
                PyErr_SetImportErrorSubclass(PyExc_ModuleNotFoundError, msg, name, NULL);
                Py_DECREF(msg);
            }
        }
        return NULL;
    }
    if (!PyList_Check(dirs)) {
        Py_DECREF(dirs);
        raise_not_found(name);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(dirs); i++) {
        PyObject *d = PyList_GetItemRef(dirs, i);
        const char *dir;
        char *path = NULL;
        int is_package = 0, found;

        if (d == NULL)
            break;   /* the list shrank concurrently */
        if (!PyUnicode_Check(d) || (dir = PyUnicode_AsUTF8(d)) == NULL) {
            Py_DECREF(d);
            PyErr_Clear();
            continue;
        }
        found = imp_find_in_dir(dir, shortname, &path, &is_package);
        Py_DECREF(d);
        if (found < 0) {
            Py_DECREF(dirs);
            return NULL;
        }
        if (found) {
            PyObject *p = PyUnicode_DecodeFSDefault(path);
            PyMem_Free(path);
            Py_DECREF(dirs);
            if (p == NULL)
                return NULL;
            m = load_file(interp, name, p, is_package);
            Py_DECREF(p);
            return m;
        }
    }
    Py_DECREF(dirs);
    raise_not_found(name);
    return NULL;
}

static void
bind_to_parent(PyObject *parent, PyObject *name, PyObject *m)
{
    const char *full = PyUnicode_AsUTF8(name), *dot = full ? strrchr(full, '.') : NULL;

    if (parent == NULL || dot == NULL)
        return;
    if (PyObject_SetAttrString(parent, dot + 1, m) < 0) {
        if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
            PyErr_Clear();
            PyObject *pname = PyModule_GetNameObject(parent);
            if (pname != NULL)
                PyErr_WarnFormat(PyExc_ImportWarning, 1,
                                 "Cannot set an attribute on %R for child module %R",
                                 pname, dot + 1);
            Py_XDECREF(pname);
        }
        PyErr_Clear();
    }
}

static int
module_initializing(PyObject *m)
{
    return PyModule_Check(m) &&
           __atomic_load_n(&((PyModuleObject *)m)->md_initializing, __ATOMIC_ACQUIRE);
}

static void
raise_halted(PyObject *name)
{
    PyObject *msg = PyUnicode_FromFormat("import of %U halted; None in sys.modules", name);

    if (msg != NULL) {
        PyErr_SetImportErrorSubclass(PyExc_ModuleNotFoundError, msg, name, NULL);
        Py_DECREF(msg);
    }
}

/* Returns a new reference to sys.modules[NAME] if present and usable. */
static PyObject *
registry_get(PyInterpreterState *interp, PyObject *name, int *initializing)
{
    PyObject *m;

    *initializing = 0;
    if (PyDict_GetItemRef(interp->modules, name, &m) <= 0)
        return NULL;
    if (m == Py_None) {
        Py_DECREF(m);
        raise_halted(name);
        return NULL;
    }
    *initializing = module_initializing(m);
    return m;
}

/* The str hash of a C name, from a small per-thread cache: callers import
 * the same few names over and over, and comparing a short name costs less
 * than SipHash over it.  The slot is picked by the pointer, but a hit is
 * decided by the bytes, so a reused buffer with new contents just misses. */
#define NAME_CACHE_SLOTS 4
#define NAME_CACHE_BYTES 48
struct name_cache {
    size_t len;                         /* 0: empty */
    Py_hash_t hash;
    char bytes[NAME_CACHE_BYTES];
};
static _Thread_local struct name_cache name_cache[NAME_CACHE_SLOTS]   /* owner thread only */
    __attribute__((tls_model("initial-exec")));

static Py_hash_t
name_hash_cached(const char *name, size_t n)
{
    struct name_cache *c = &name_cache[((uintptr_t)name >> 3) & (NAME_CACHE_SLOTS - 1)];
    Py_hash_t h;

    assert(n > 0);   /* len 0 marks an empty slot */
    if (c->len == n && memcmp(c->bytes, name, n) == 0)
        return c->hash;
    h = rt_hash_bytes(name, n);
    if (n <= NAME_CACHE_BYTES) {
        memcpy(c->bytes, name, n);
        c->len = n;
        c->hash = h;
    }
    return h;
}

/* The registry hit for a C name (walkthrough step 1): no temporary str,
 * no lock, no allocation, and no write to a line other threads write.  The
 * lookup takes its reference inside an epoch section, so the entry cannot
 * be freed under it, and a published module's count is sharded
 * (core/shard.c), so that reference lands in this thread state's own
 * array.  Returns a new reference, or NULL (no exception) when the slow
 * path must decide. */
static PyObject *
registry_hit_utf8(PyInterpreterState *interp, const char *name, size_t n)
{
    Py_hash_t h = name_hash_cached(name, n);
    PyObject *m;

    if (!dict_lookup_utf8_ref(interp->modules, name, n, h, &m))
        return NULL;
    if (m == Py_None || module_initializing(m)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

/* The import of one absolute NAME (walkthrough steps 1-8). */
static PyObject *
import_name(PyInterpreterState *interp, PyObject *name)
{
    PyObject *m, *parent = NULL;
    struct imp_lock *lock;
    int initializing;

    rt_count(RT_C_IMPORTS);
    m = registry_get(interp, name, &initializing);
    if (m != NULL && !initializing) {
        rt_count(RT_C_HITS);
        return m;
    }
    if (m == NULL && PyErr_Occurred())
        return NULL;
    if (m != NULL) {
        /* Initializing: our own circular import, or wait for the owner. */
        if (imp_lock_owned(interp, name))
            return m;
        lock = imp_lock_acquire(interp, name);
        if (lock == NULL) {
            if (PyErr_ExceptionMatches(deadlock_error)) {
                PyErr_Clear();      /* concurrent circular import: accept partial */
                return m;
            }
            Py_DECREF(m);
            return NULL;
        }
        imp_lock_release(interp, lock);
        Py_DECREF(m);
        m = registry_get(interp, name, &initializing);
        if (m != NULL || PyErr_Occurred())
            return m;
        /* The initializer failed and removed it: load it ourselves. */
    }
    if (name_check(name) < 0)
        return NULL;
    /* A miss is the moment to free modules that were removed from the
     * registry and that nothing references any more (when enough modules
     * were created since the last collection to pay for one). */
    mod_collect_maybe(interp);
    const char *full = PyUnicode_AsUTF8(name), *dot = strrchr(full, '.');
    if (dot != NULL) {
        PyObject *pname = PyUnicode_FromStringAndSize(full, dot - full);
        if (pname == NULL)
            return NULL;
        parent = import_name(interp, pname);
        Py_DECREF(pname);
        if (parent == NULL)
            return NULL;
    }
    rt_count(RT_C_MISSES);
    lock = imp_lock_acquire(interp, name);
    if (lock == NULL) {
        Py_XDECREF(parent);
        return NULL;
    }
    m = registry_get(interp, name, &initializing);
    if (m == NULL && !PyErr_Occurred()) {
        m = find_and_load_locked(interp, name, parent);
        if (m != NULL) {
            bind_to_parent(parent, name, m);
            /* Published: from now on every hit counts it per thread. */
            if (!module_initializing(m))
                rt_shard_module(m);
        }
    }
    imp_lock_release(interp, lock);
    Py_XDECREF(parent);
    return m;
}

/* -------------------------------------------------------------- the API */

PyObject *
PyImport_GetModuleDict(void)
{
    return PyInterpreterState_Get()->modules;
}

PyObject *
PyImport_GetModule(PyObject *name)
{
    PyThreadState *ts = ts_get();

    if (ts == NULL)
        Py_FatalError("PyImport_GetModule: no attached thread state");
    PyInterpreterState *interp = ts->interp;
    PyObject *m;
    int initializing;

    m = registry_get(interp, name, &initializing);
    if (m == NULL || !initializing)
        return m;
    if (imp_lock_owned(interp, name))
        return m;
    struct imp_lock *lock = imp_lock_acquire(interp, name);
    if (lock == NULL) {
        if (PyErr_ExceptionMatches(deadlock_error)) {
            PyErr_Clear();
            return m;
        }
        Py_DECREF(m);
        return NULL;
    }
    imp_lock_release(interp, lock);
    /* 3.15: the same object must still be there; otherwise "not found". */
    PyObject *again = registry_get(interp, name, &initializing);
    if (again != m) {
        Py_XDECREF(again);
        Py_DECREF(m);
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_ModuleNotFoundError))
            return NULL;
        PyErr_Clear();
        return NULL;
    }
    Py_DECREF(again);
    return m;
}

PyObject *
PyImport_Import(PyObject *name)
{
    rt_safepoint(PyThreadState_Get());
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "module name must be str, not %.200s",
                     Py_TYPE(name)->tp_name);
        return NULL;
    }
    return import_name(PyInterpreterState_Get(), name);
}

PyObject *
PyImport_ImportModule(const char *name)
{
    PyThreadState *ts = PyThreadState_Get();
    size_t len = strlen(name);
    PyObject *n, *m;

    rt_safepoint(ts);
    if (len > 0 && len <= IMP_NAME_MAX) {
        m = registry_hit_utf8(ts->interp, name, len);
        if (m != NULL) {
            rt_count(RT_C_IMPORTS);
            rt_count(RT_C_HITS);
            return m;
        }
    }
    n = PyUnicode_FromString(name);
    if (n == NULL)
        return NULL;
    m = import_name(ts->interp, n);
    Py_DECREF(n);
    return m;
}

PyObject *
PyImport_ImportModuleNoBlock(const char *name)
{
    return PyImport_ImportModule(name);
}

PyObject *
PyImport_ImportModuleLevelObject(PyObject *name, PyObject *globals, PyObject *locals,
                                 PyObject *fromlist, int level)
{
    PyObject *m, *top;
    const char *s, *dot;

    (void)globals;
    (void)locals;
    if (level != 0) {
        PyErr_SetString(PyExc_ImportError,
                        "relative imports are not supported by pymodrt (no package context)");
        return NULL;
    }
    if (name == NULL || !PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "module name must be a string");
        return NULL;
    }
    m = PyImport_Import(name);
    if (m == NULL)
        return NULL;
    if (fromlist != NULL) {
        int has = PyObject_IsTrue(fromlist);
        if (has != 0) {
            if (has < 0)
                Py_CLEAR(m);
            return m;
        }
    }
    /* "import a.b.c" evaluates to the top-level package a. */
    s = PyUnicode_AsUTF8(name);
    if (s == NULL) {
        Py_DECREF(m);
        return NULL;
    }
    dot = strchr(s, '.');
    if (dot == NULL)
        return m;
    Py_DECREF(m);
    PyObject *topname = PyUnicode_FromStringAndSize(s, dot - s);
    if (topname == NULL)
        return NULL;
    top = PyImport_Import(topname);
    Py_DECREF(topname);
    return top;
}

PyObject *
PyImport_ImportModuleLevel(const char *name, PyObject *globals, PyObject *locals,
                           PyObject *fromlist, int level)
{
    PyObject *n = PyUnicode_FromString(name), *m;

    if (n == NULL)
        return NULL;
    m = PyImport_ImportModuleLevelObject(n, globals, locals, fromlist, level);
    Py_DECREF(n);
    return m;
}

/* Get-or-create in one atomic step on the dict (SetDefaultRef), so two
 * threads adding the same name get the same module.  Returns a new
 * reference. */
static PyObject *
add_module_ref(PyObject *name)
{
    PyObject *modules = PyImport_GetModuleDict(), *m, *fresh;

    if (PyDict_GetItemRef(modules, name, &m) < 0)
        return NULL;
    if (m != NULL && PyModule_Check(m))
        return m;
    fresh = PyModule_NewObject(name);
    if (fresh == NULL) {
        Py_XDECREF(m);
        return NULL;
    }
    if (m != NULL) {
        /* A non-module is there: replace it, as CPython does. */
        Py_DECREF(m);
        if (PyDict_SetItem(modules, name, fresh) < 0) {
            Py_DECREF(fresh);
            return NULL;
        }
        return fresh;
    }
    if (PyDict_SetDefaultRef(modules, name, fresh, &m) < 0)
        m = NULL;
    Py_DECREF(fresh);
    return m;
}

PyObject *
PyImport_AddModuleRef(const char *name)
{
    PyObject *n = PyUnicode_FromString(name), *m;

    if (n == NULL)
        return NULL;
    m = add_module_ref(n);
    Py_DECREF(n);
    return m;
}

/* Borrowed result: valid while sys.modules keeps the module (use
 * PyImport_AddModuleRef when another thread may remove it). */
PyObject *
PyImport_AddModuleObject(PyObject *name)
{
    PyObject *m = add_module_ref(name);

    if (m != NULL)
        rt_epoch_defer_decref(m);
    return m;
}

PyObject *
PyImport_AddModule(const char *name)
{
    PyObject *n = PyUnicode_FromString(name), *m;

    if (n == NULL)
        return NULL;
    m = PyImport_AddModuleObject(n);
    Py_DECREF(n);
    return m;
}

/* reload(): finds the module again; an extension's exec does not run a
 * second time (its state already exists), as in CPython. */
PyObject *
PyImport_ReloadModule(PyObject *m)
{
    PyObject *name = PyModule_GetNameObject(m), *r;

    if (name == NULL)
        return NULL;
    r = PyImport_GetModule(name);
    if (r == NULL && !PyErr_Occurred())
        r = PyImport_Import(name);
    Py_DECREF(name);
    return r;
}

/* ------------------------------------------------------------ pymodrt API */

PyObject *
pymodrt_import_file(const char *name, const char *path)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
    PyObject *n = PyUnicode_FromString(name), *p = NULL, *m = NULL;
    struct imp_lock *lock;
    int initializing;

    if (n == NULL)
        return NULL;
    if (name_check(n) < 0)
        goto done;
    p = PyUnicode_DecodeFSDefault(path);
    if (p == NULL)
        goto done;
    lock = imp_lock_acquire(interp, n);
    if (lock == NULL)
        goto done;
    m = registry_get(interp, n, &initializing);
    if (m == NULL && !PyErr_Occurred()) {
        m = load_file(interp, n, p, 0);
        if (m != NULL && !module_initializing(m))
            rt_shard_module(m);
    }
    imp_lock_release(interp, lock);
done:
    Py_DECREF(n);
    Py_XDECREF(p);
    return m;
}

void
pymodrt_get_import_stats(pymodrt_import_stats *out)
{
    out->imports = rt_counter_sum(RT_C_IMPORTS);
    out->hits = rt_counter_sum(RT_C_HITS);
    out->misses = rt_counter_sum(RT_C_MISSES);
    out->lock_waits = rt_counter_sum(RT_C_LOCK_WAITS);
    out->initializations = rt_counter_sum(RT_C_INITS);
    out->execs = rt_counter_sum(RT_C_EXECS);
    out->deadlocks = rt_counter_sum(RT_C_DEADLOCKS);
    out->orphans_freed = rt_counter_sum(RT_C_ORPHANS_FREED);
}
