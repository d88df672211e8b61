/* moduleobject.c: the module type and the module-object API
 * (SEMANTICS.md 9: creation, accessors, deallocation order, repr).
 *
 * A module object is shared by every thread of its interpreter.  Its
 * definition-derived fields (def, state size, hooks, token) are written
 * before the module is published in sys.modules and never change after;
 * the state pointer is published by the exec that allocates it with a
 * release store (see internal/module.h).  The dict is a lock-free-read
 * dict, so attribute reads take no lock.
 *
 * File map: PyModuleDef_Init; creation; accessors; the type's slots
 * (dealloc in SEMANTICS 9.4 order, repr as 9.6, getattr with the 8.5
 * circular-import text). */
#include "internal/module.h"

/* ------------------------------------------------------------ definitions */

static _Atomic Py_ssize_t last_module_index;   /* atomic; values never reused */

PyTypeObject PyModuleDef_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "moduledef",
    .tp_basicsize = sizeof(PyModuleDef),
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

/* Assigns the process-wide index once.  Defs are static and treated as
 * immortal; concurrent first calls race on the index with a CAS so that a
 * def gets exactly one index. */
PyObject *
PyModuleDef_Init(PyModuleDef *def)
{
    Py_ssize_t expected = 0;

    if (__atomic_load_n(&def->m_base.m_index, __ATOMIC_ACQUIRE) == 0) {
        Py_ssize_t idx = atomic_fetch_add(&last_module_index, 1) + 1;
        Py_SET_TYPE(def, &PyModuleDef_Type);
        Py_SET_REFCNT(def, 1);
        __atomic_compare_exchange_n(&def->m_base.m_index, &expected, idx, 0,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    return (PyObject *)def;
}

/* --------------------------------------------------------------- creation */

static int
module_init_dict(PyObject *dict, PyObject *name, PyObject *doc)
{
    if (doc == NULL)
        doc = Py_None;
    if (PyDict_SetItemString(dict, "__name__", name) < 0 ||
        PyDict_SetItemString(dict, "__doc__", doc) < 0 ||
        PyDict_SetItemString(dict, "__package__", Py_None) < 0 ||
        PyDict_SetItemString(dict, "__loader__", Py_None) < 0 ||
        PyDict_SetItemString(dict, "__spec__", Py_None) < 0)
        return -1;
    return 0;
}

/* Every interpreter's list of live modules is guarded by one process-wide
 * lock: a module may be freed (by a deferred decref) after its interpreter
 * ended, and must then find no interpreter to unlink from rather than a
 * freed one.  Taken only when modules are created, freed or collected. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;

static void
module_link(PyModuleObject *m)
{
    PyThreadState *ts = ts_get();
    PyInterpreterState *interp = ts != NULL ? ts->interp : NULL;

    if (interp == NULL)
        return;
    pthread_mutex_lock(&live_lock);
    m->md_interp = interp;
    m->md_next = interp->live_modules;
    if (m->md_next != NULL)
        ((PyModuleObject *)m->md_next)->md_prev = (PyObject *)m;
    interp->live_modules = (PyObject *)m;
    interp->live_count++;
    __atomic_fetch_sub(&interp->collect_budget, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&live_lock);
}

static void
module_unlink(PyModuleObject *m)
{
    PyInterpreterState *interp;

    pthread_mutex_lock(&live_lock);
    interp = m->md_interp;
    if (interp != NULL) {
        if (m->md_prev != NULL)
            ((PyModuleObject *)m->md_prev)->md_next = m->md_next;
        else
            interp->live_modules = m->md_next;
        if (m->md_next != NULL)
            ((PyModuleObject *)m->md_next)->md_prev = m->md_prev;
        interp->live_count--;
        m->md_interp = NULL;
    }
    pthread_mutex_unlock(&live_lock);
}

/* The interpreter is going away: modules still alive (held by a deferred
 * decref or an extension) forget it. */
RT_INTERNAL void mod_detach_interp(PyInterpreterState *interp);
void
mod_detach_interp(PyInterpreterState *interp)
{
    pthread_mutex_lock(&live_lock);
    for (PyObject *m = interp->live_modules, *next; m != NULL; m = next) {
        next = ((PyModuleObject *)m)->md_next;
        ((PyModuleObject *)m)->md_interp = NULL;
        ((PyModuleObject *)m)->md_prev = ((PyModuleObject *)m)->md_next = NULL;
    }
    interp->live_modules = NULL;
    interp->live_count = 0;
    pthread_mutex_unlock(&live_lock);
}

/* A new module named 'name' (NULL: unnamed yet).  The fields the orphan
 * collector reads are set before module_link makes it visible there. */
static PyModuleObject *
module_alloc(PyTypeObject *tp, PyObject *name)
{
    PyModuleObject *m = (PyModuleObject *)PyType_GenericAlloc(tp, 0);

    if (m == NULL)
        return NULL;
    m->md_dict = PyDict_New();
    if (m->md_dict == NULL) {
        Py_DECREF(m);
        return NULL;
    }
    m->md_requires_gil = 1;
    if (name != NULL && PyUnicode_CheckExact(name))
        m->md_name = Py_NewRef(name);
    module_link(m);
    return m;
}

PyObject *
PyModule_NewObject(PyObject *name)
{
    PyModuleObject *m = module_alloc(&PyModule_Type, name);

    if (m == NULL)
        return NULL;
    if (module_init_dict(m->md_dict, name, NULL) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return (PyObject *)m;
}

PyObject *
PyModule_New(const char *name)
{
    PyObject *n = PyUnicode_FromString(name), *m;

    if (n == NULL)
        return NULL;
    m = PyModule_NewObject(n);
    Py_DECREF(n);
    return m;
}

/* --------------------------------------------------------------- accessors */

PyObject *
PyModule_GetDict(PyObject *m)
{
    if (!PyModule_Check(m)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    return ((PyModuleObject *)m)->md_dict;
}

PyObject *
PyModule_GetNameObject(PyObject *m)
{
    PyObject *name;

    if (!PyModule_Check(m)) {
        PyErr_BadArgument();
        return NULL;
    }
    if (PyDict_GetItemStringRef(((PyModuleObject *)m)->md_dict, "__name__", &name) < 0)
        return NULL;
    if (name == NULL || !PyUnicode_Check(name)) {
        Py_XDECREF(name);
        PyErr_SetString(PyExc_SystemError, "nameless module");
        return NULL;
    }
    return name;
}

const char *
PyModule_GetName(PyObject *m)
{
    PyObject *name = PyModule_GetNameObject(m);
    const char *s;

    if (name == NULL)
        return NULL;
    /* Borrowed from the dict value, as in CPython: valid while the module
     * keeps that __name__. */
    s = PyUnicode_AsUTF8(name);
    Py_DECREF(name);
    return s;
}

PyObject *
PyModule_GetFilenameObject(PyObject *m)
{
    PyObject *f;

    if (!PyModule_Check(m)) {
        PyErr_BadArgument();
        return NULL;
    }
    if (PyDict_GetItemStringRef(((PyModuleObject *)m)->md_dict, "__file__", &f) < 0)
        return NULL;
    if (f == NULL || !PyUnicode_Check(f)) {
        Py_XDECREF(f);
        PyErr_SetString(PyExc_SystemError, "module filename missing");
        return NULL;
    }
    return f;
}

const char *
PyModule_GetFilename(PyObject *m)
{
    PyObject *f = PyModule_GetFilenameObject(m);
    const char *s;

    if (f == NULL)
        return NULL;
    s = PyUnicode_AsUTF8(f);
    Py_DECREF(f);
    return s;
}

PyModuleDef *
PyModule_GetDef(PyObject *m)
{
    if (!PyModule_Check(m)) {
        PyErr_BadArgument();
        return NULL;
    }
    return ((PyModuleObject *)m)->md_def;
}

void *
PyModule_GetState(PyObject *m)
{
    if (!PyModule_Check(m)) {
        PyErr_BadArgument();
        return NULL;
    }
    return mod_state_load((PyModuleObject *)m);
}

int
PyModule_GetStateSize(PyObject *m, Py_ssize_t *size)
{
    if (!PyModule_Check(m)) {
        *size = -1;
        PyErr_Format(PyExc_TypeError, "expected module, got %T", m);
        return -1;
    }
    *size = ((PyModuleObject *)m)->md_state_size;
    return 0;
}

int
PyModule_GetToken(PyObject *m, void **token)
{
    if (!PyModule_Check(m)) {
        *token = NULL;
        PyErr_Format(PyExc_TypeError, "expected module, got %T", m);
        return -1;
    }
    *token = ((PyModuleObject *)m)->md_token;
    return 0;
}

/* ------------------------------------------------------------- type slots */

static void
module_dealloc(PyObject *self)
{
    PyModuleObject *m = (PyModuleObject *)self;
    void *state = mod_state_load(m);

    module_unlink(m);
    if (m->md_weaklist != NULL)
        PyObject_ClearWeakRefs(self);
    if (m->md_free != NULL && mod_hooks_allowed(m))
        m->md_free(self);
    Py_XDECREF(m->md_dict);
    Py_XDECREF(m->md_name);
    if (state != NULL)
        PyMem_Free(state);
    Py_TYPE(self)->tp_free(self);
}

static int
module_traverse(PyObject *self, visitproc visit, void *arg)
{
    PyModuleObject *m = (PyModuleObject *)self;

    if (m->md_traverse != NULL && mod_hooks_allowed(m)) {
        int r = m->md_traverse(self, visit, arg);
        if (r)
            return r;
    }
    Py_VISIT(m->md_dict);
    return 0;
}

static int
module_clear(PyObject *self)
{
    PyModuleObject *m = (PyModuleObject *)self;

    if (m->md_clear != NULL && mod_hooks_allowed(m)) {
        int r = m->md_clear(self);
        if (PyErr_Occurred()) {
            PyErr_FormatUnraisable("Exception ignored in m_clear of module%s%V",
                                   m->md_name ? " " : "", m->md_name, "");
        }
        if (r)
            return r;
    }
    if (m->md_dict != NULL)
        PyDict_Clear(m->md_dict);
    return 0;
}

/* repr as importlib's _module_repr (SEMANTICS 9.6). */
static PyObject *
module_repr(PyObject *self)
{
    PyModuleObject *m = (PyModuleObject *)self;
    PyObject *name = NULL, *spec = NULL, *file = NULL, *loader = NULL, *r = NULL;
    PyObject *origin = NULL;
    int has_location = 0;

    if (PyDict_GetItemStringRef(m->md_dict, "__name__", &name) < 0)
        return NULL;
    if (name == NULL)
        name = PyUnicode_FromString("?");
    if (name == NULL)
        return NULL;
    if (PyDict_GetItemStringRef(m->md_dict, "__spec__", &spec) < 0)
        goto done;
    if (spec != NULL && spec != Py_None) {
        if (PyObject_GetOptionalAttrString(spec, "origin", &origin) < 0)
            goto done;
        PyObject *hl = NULL;
        if (PyObject_GetOptionalAttrString(spec, "has_location", &hl) < 0)
            goto done;
        has_location = hl != NULL && PyObject_IsTrue(hl) > 0;
        Py_XDECREF(hl);
        if (origin == NULL || origin == Py_None) {
            PyObject *sl = NULL;
            if (PyObject_GetOptionalAttrString(spec, "loader", &sl) < 0)
                goto done;
            Py_XDECREF(sl);
            r = PyUnicode_FromFormat("<module %R>", name);
        } else if (has_location) {
            r = PyUnicode_FromFormat("<module %R from %R>", name, origin);
        } else {
            r = PyUnicode_FromFormat("<module %R (%S)>", name, origin);
        }
        goto done;
    }
    if (PyDict_GetItemStringRef(m->md_dict, "__file__", &file) < 0)
        goto done;
    if (file != NULL) {
        r = PyUnicode_FromFormat("<module %R from %R>", name, file);
        goto done;
    }
    if (PyDict_GetItemStringRef(m->md_dict, "__loader__", &loader) < 0)
        goto done;
    if (loader != NULL && loader != Py_None)
        r = PyUnicode_FromFormat("<module %R (%R)>", name, loader);
    else
        r = PyUnicode_FromFormat("<module %R>", name);
done:
    Py_XDECREF(name);
    Py_XDECREF(spec);
    Py_XDECREF(origin);
    Py_XDECREF(file);
    Py_XDECREF(loader);
    return r;
}

/* True while the module's spec says it is initializing. */
int
mod_is_initializing(PyObject *module)
{
    PyObject *spec = NULL, *flag = NULL;
    int r = 0;

    if (PyDict_GetItemStringRef(((PyModuleObject *)module)->md_dict, "__spec__", &spec) <= 0)
        return 0;
    if (spec != Py_None && PyObject_GetOptionalAttrString(spec, "_initializing", &flag) > 0)
        r = PyObject_IsTrue(flag) > 0;
    Py_XDECREF(flag);
    Py_DECREF(spec);
    return r;
}

static PyObject *
module_getattro(PyObject *self, PyObject *name)
{
    PyModuleObject *m = (PyModuleObject *)self;
    PyObject *attr, *getattr, *mod_name = NULL, *spec_origin = NULL, *spec = NULL;

    attr = PyObject_GenericGetAttr(self, name);
    if (attr != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return attr;
    PyErr_Clear();
    /* PEP 562: module-level __getattr__. */
    if (PyDict_GetItemStringRef(m->md_dict, "__getattr__", &getattr) < 0)
        return NULL;
    if (getattr != NULL) {
        attr = PyObject_CallOneArg(getattr, name);
        Py_DECREF(getattr);
        return attr;
    }
    if (PyDict_GetItemStringRef(m->md_dict, "__name__", &mod_name) < 0)
        return NULL;
    if (mod_name == NULL || !PyUnicode_Check(mod_name)) {
        Py_XDECREF(mod_name);
        PyErr_Format(PyExc_AttributeError, "module has no attribute '%U'", name);
        return NULL;
    }
    if (mod_is_initializing(self)) {
        if (PyDict_GetItemStringRef(m->md_dict, "__spec__", &spec) > 0 &&
            PyObject_GetOptionalAttrString(spec, "origin", &spec_origin) > 0 &&
            PyUnicode_Check(spec_origin)) {
            PyErr_Format(PyExc_AttributeError,
                         "partially initialized module '%U' from '%U' has no attribute '%U' "
                         "(most likely due to a circular import)",
                         mod_name, spec_origin, name);
        } else {
            PyErr_Format(PyExc_AttributeError,
                         "partially initialized module '%U' has no attribute '%U' "
                         "(most likely due to a circular import)", mod_name, name);
        }
    } else {
        PyErr_Format(PyExc_AttributeError, "module '%U' has no attribute '%U'", mod_name, name);
    }
    Py_XDECREF(spec);
    Py_XDECREF(spec_origin);
    Py_DECREF(mod_name);
    return NULL;
}

static PyObject *
module_get_dict(PyObject *self, void *c)
{
    (void)c;
    return Py_NewRef(((PyModuleObject *)self)->md_dict);
}

static PyGetSetDef module_getset[] = {
    {"__dict__", module_get_dict, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static int
module_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *name = NULL, *doc = Py_None;
    Py_ssize_t n = PyTuple_GET_SIZE(args);

    if ((kwds != NULL && PyDict_Size(kwds) != 0) || n < 1 || n > 2) {
        PyErr_SetString(PyExc_TypeError, "module() takes 1 or 2 arguments");
        return -1;
    }
    name = PyTuple_GET_ITEM(args, 0);
    if (n == 2)
        doc = PyTuple_GET_ITEM(args, 1);
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "module() argument 'name' must be str, not %T", name);
        return -1;
    }
    return module_init_dict(((PyModuleObject *)self)->md_dict, name, doc);
}

static PyObject *
module_new(PyTypeObject *tp, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    return (PyObject *)module_alloc(tp, NULL);
}

PyTypeObject PyModule_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "module",
    .tp_basicsize = sizeof(PyModuleObject),
    .tp_dealloc = module_dealloc,
    .tp_repr = module_repr,
    .tp_getattro = module_getattro,
    .tp_setattro = PyObject_GenericSetAttr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .tp_traverse = module_traverse,
    .tp_clear = module_clear,
    .tp_weaklistoffset = offsetof(PyModuleObject, md_weaklist),
    .tp_getset = module_getset,
    .tp_dictoffset = offsetof(PyModuleObject, md_dict),
    .tp_init = module_init,
    .tp_alloc = PyType_GenericAlloc,
    .tp_new = module_new,
    .tp_free = PyObject_Free,
};

/* ----------------------------------------------- collecting orphaned modules
 *
 * pymodrt has no cycle collector, and every module is in a cycle with its
 * own functions (module -> __dict__ -> function -> __self__ -> module) and
 * heap types (type -> ht_module).  A module removed from sys.modules would
 * therefore never be freed.  This pass finds modules that nothing outside
 * their own contents can reach and clears them, which breaks the cycles:
 *
 *   For a module M, walk what M references (its state through m_traverse,
 *   its dict's values) and count each object's visits.  An object is owned
 *   by M when its refcount equals its visits: only M can reach it.  The
 *   references to M held by owned objects (functions whose __self__ is M,
 *   heap types whose module is M) are internal.  M is an orphan when its
 *   refcount equals its internal references, and its dict is owned by M.
 *
 * The sums are only meaningful as a snapshot: read one by one while other
 * threads run, a reference can move from a counted place to an uncounted
 * one between two reads (a thread takes f = M.f, then drops M: f was read
 * as owned, M as unreferenced, yet the thread reaches M through f).  So a
 * first pass, with everyone running, only names suspects; each suspect is
 * confirmed with the world stopped (gil_stop_world: every other thread of
 * the GIL group parked at a safe point, or the caller holding an enabled
 * GIL), where no count moves.  A confirmed orphan is reachable from
 * nothing but itself and the collector's reference - no weak references,
 * no registry entry, no PyState slot, all of which count or are checked -
 * so it is cleared after the world restarts, racing with nobody, and its
 * m_clear may run any code.  Threads of interpreters with their own GIL
 * are not stopped: isolation forbids them to hold this interpreter's
 * objects.  Objects that only look alive (a decref still deferred by the
 * epoch layer) just postpone collection.
 *
 * When: at interpreter end, on pymodrt_collect_modules(), and on a
 * registry miss once the interpreter has created max(64, live/2) modules
 * since the last collection (amortized O(1) module scans per creation;
 * imports that delete nothing never stop the world, since the first pass
 * finds no suspect). */

/* Visit counts keyed by object, in an open-addressing table (a module may
 * hold tens of thousands of attributes: counting must stay linear). */
struct visits {
    PyObject **objs;
    Py_ssize_t *counts;
    Py_ssize_t n, cap;          /* cap: a power of two, or 0 */
};

static size_t
visits_slot(const struct visits *v, PyObject *op)
{
    uintptr_t h = (uintptr_t)op;

    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 7) & (size_t)(v->cap - 1);
}

static int
visits_grow(struct visits *v)
{
    struct visits nv = {NULL, NULL, 0, v->cap ? v->cap * 2 : 64};

    nv.objs = PyMem_Calloc((size_t)nv.cap, sizeof(*nv.objs));
    nv.counts = PyMem_Calloc((size_t)nv.cap, sizeof(*nv.counts));
    if (nv.objs == NULL || nv.counts == NULL) {
        PyMem_Free(nv.objs);
        PyMem_Free(nv.counts);
        return -1;
    }
    for (Py_ssize_t i = 0; i < v->cap; i++) {
        if (v->objs[i] == NULL)
            continue;
        size_t j = visits_slot(&nv, v->objs[i]);
        while (nv.objs[j] != NULL)
            j = (j + 1) & (size_t)(nv.cap - 1);
        nv.objs[j] = v->objs[i];
        nv.counts[j] = v->counts[i];
        nv.n++;
    }
    PyMem_Free(v->objs);
    PyMem_Free(v->counts);
    *v = nv;
    return 0;
}

static int
visits_add(PyObject *op, void *arg)
{
    struct visits *v = arg;
    size_t j;

    if (op == NULL)
        return 0;
    if ((v->n + 1) * 2 > v->cap && visits_grow(v) < 0)
        return -1;
    j = visits_slot(v, op);
    while (v->objs[j] != NULL && v->objs[j] != op)
        j = (j + 1) & (size_t)(v->cap - 1);
    if (v->objs[j] == NULL) {
        v->objs[j] = op;
        v->n++;
    }
    v->counts[j]++;
    return 0;
}

/* Is 'm' still sys.modules[its name] in 'interp'? */
static int
module_in_registry(PyInterpreterState *interp, PyModuleObject *m)
{
    PyObject *v = NULL;
    int r;

    if (interp == NULL || interp->modules == NULL)
        return 1;   /* cannot tell: keep it */
    if (m->md_name == NULL)
        return 0;   /* no name to look for: fold it and count exactly */
    r = PyDict_GetItemRef(interp->modules, m->md_name, &v);
    if (r < 0)
        PyErr_Clear();
    Py_XDECREF(v);
    return r != 0 && v == (PyObject *)m;
}

/* 1 if 'm' is an orphan, 0 if not, -1 on error (no memory: not an orphan).
 * 'extra' is the number of references the caller itself holds.  A module
 * whose count is sharded (core/shard.c) cannot be judged: it is named a
 * suspect when it left the registry (the caller folds it with the world
 * stopped and asks again), and never confirmed. */
static int
module_is_orphan(PyInterpreterState *interp, PyModuleObject *m, Py_ssize_t extra)
{
    struct visits v = {0};
    PyObject *key, *value;
    Py_ssize_t pos = 0, internal = 0;
    int dict_owned = 0, r = 0;

    if (m->md_weaklist != NULL)
        return 0;   /* a weak reference could resurrect it */
    if (rt_is_sharded((PyObject *)m))
        return interp != NULL && !module_in_registry(interp, m) ? 2 : 0;
    traverseproc trav = __atomic_load_n(&m->md_traverse, __ATOMIC_ACQUIRE);
    if (trav != NULL && mod_hooks_allowed(m) && trav((PyObject *)m, visits_add, &v) != 0)
        goto done;
    while (PyDict_Next(m->md_dict, &pos, &key, &value))
        if (visits_add(value, &v) < 0)
            goto done;
    for (Py_ssize_t i = 0; i < v.cap; i++) {
        if (v.objs[i] == NULL || v.objs[i] == m->md_dict)
            continue;   /* empty slot, or a module that references its own dict */
        if (Py_REFCNT(v.objs[i]) == v.counts[i] && mod_owns_ref(v.objs[i], (PyObject *)m))
            internal++;
    }
    dict_owned = Py_REFCNT(m->md_dict) == 1;
    r = dict_owned && Py_REFCNT(m) == internal + extra;
done:
    PyMem_Free(v.objs);
    PyMem_Free(v.counts);
    return r;
}

/* Takes a reference to every live module of the interpreter.  Returns the
 * array (PyMem) and its length, or NULL when memory is short (then no
 * collection happens this time). */
static PyObject **
live_modules_ref(PyInterpreterState *interp, Py_ssize_t *n)
{
    Py_ssize_t count = 0, cap;
    PyObject **arr;

    pthread_mutex_lock(&live_lock);
    for (PyObject *m = interp->live_modules; m != NULL; m = ((PyModuleObject *)m)->md_next)
        count++;
    pthread_mutex_unlock(&live_lock);
    cap = count + 16;   /* room for modules created meanwhile */
    arr = PyMem_Malloc((size_t)cap * sizeof(*arr));
    if (arr == NULL)
        return NULL;
    *n = 0;
    pthread_mutex_lock(&live_lock);
    /* A module whose count already reached zero is being freed: its
     * dealloc waits for this lock to unlink it.  Never resurrect it. */
    for (PyObject *m = interp->live_modules; m != NULL && *n < cap;
         m = ((PyModuleObject *)m)->md_next)
        if (!_Py_IsImmortal(m) && rt_try_incref(m))
            arr[(*n)++] = m;
    pthread_mutex_unlock(&live_lock);
    return arr;
}

/* Serializes collectors and mod_clear_all: two collectors would each see
 * the other's reference and free nothing, and a module must not be cleared
 * while another pass reads its dict.  A PyMutex: a thread waiting for it
 * detaches, so a collector stopping the world never waits for a waiter. */
static PyMutex collect_mu;
static _Thread_local int collect_depth;   /* owner thread only: m_clear may
                                           * import, which must not collect */

/* Takes collect_mu for the current thread; 0 (nothing taken) when this
 * thread is already collecting or has no thread state. */
static int
collect_enter(PyInterpreterState *interp)
{
    PyThreadState *ts = PyThreadState_GetUnchecked();

    /* The stop-the-world covers ts's GIL group: it must be interp's. */
    if (collect_depth > 0 || ts == NULL || interp == NULL || ts->interp->gil != interp->gil)
        return 0;
    PyMutex_Lock(&collect_mu);
    collect_depth++;
    return 1;
}

static void
collect_exit(PyInterpreterState *interp)
{
    Py_ssize_t live;

    pthread_mutex_lock(&live_lock);
    live = interp->live_count;
    pthread_mutex_unlock(&live_lock);
    /* At least 64: each collection that finds suspects stops the world,
     * and delete/re-import churn would otherwise stop it every few
     * imports (pymodrt-stress: reimport on 4 threads 1.6x slower than on
     * one with 8). */
    __atomic_store_n(&interp->collect_budget, live / 2 > 64 ? live / 2 : 64, __ATOMIC_RELAXED);
    collect_depth--;
    PyMutex_Unlock(&collect_mu);
}

/* Clears the orphans among mods[0..n) (one reference each, consumed).
 * Returns how many were freed (their dict emptied).  collect_mu held. */
static Py_ssize_t
collect_candidates(PyInterpreterState *interp, PyObject **mods, Py_ssize_t n)
{
    PyThreadState *ts = PyThreadState_Get();
    Py_ssize_t suspects = 0, confirmed = 0, freed = 0;
    int stopped;

    /* 1. Everyone running: a filter.  Most modules fail it at once. */
    for (Py_ssize_t i = 0; i < n; i++) {
        if (module_is_orphan(interp, (PyModuleObject *)mods[i], 1) > 0)
            mods[suspects++] = mods[i];
        else
            Py_DECREF(mods[i]);
    }
    if (suspects == 0)
        return 0;
    /* 2. World stopped: fold the sharded suspects back into plain counts
     * (core/shard.c, R4), then confirm.  Nothing here may block on a lock
     * a parked thread holds or free an object (a dealloc runs any code):
     * module_is_orphan only reads (dicts are read lock-free) and allocates
     * its visit table.  Confirmed suspects move to the front. */
    stopped = rt_gil_stop_world(ts);
    for (Py_ssize_t i = 0; i < suspects; i++) {
        if (rt_is_sharded(mods[i]))
            rt_shard_fold_owner_stopped(interp, mods[i]);
        if (module_is_orphan(interp, (PyModuleObject *)mods[i], 1) == 1) {
            PyObject *t = mods[confirmed];
            mods[confirmed++] = mods[i];
            mods[i] = t;
        }
    }
    if (stopped)
        rt_gil_start_world(ts);
    rt_shard_drop_pending(interp);
    /* 3. World running again: clear the confirmed orphans. */
    for (Py_ssize_t i = 0; i < confirmed; i++) {
        PyModuleObject *m = (PyModuleObject *)mods[i];
        PyObject *exc = PyErr_GetRaisedException();
        Py_TYPE(m)->tp_clear((PyObject *)m);
        PyErr_Clear();
        PyErr_SetRaisedException(exc);
        /* An m_clear that fails leaves the dict (SEMANTICS 4.5): only a
         * dict that really emptied counts, or the caller's loop would find
         * the same orphan forever. */
        if (PyDict_Size(m->md_dict) == 0) {
            freed++;
            rt_count(RT_C_ORPHANS_FREED);
        }
    }
    for (Py_ssize_t i = 0; i < suspects; i++)
        Py_DECREF(mods[i]);
    return freed;
}

static Py_ssize_t
collect_locked(PyInterpreterState *interp)
{
    Py_ssize_t total = 0;

    /* Repeat while a pass frees something: freeing one module can orphan
     * another that only it referenced. */
    for (;;) {
        Py_ssize_t n, freed;
        PyObject **mods = live_modules_ref(interp, &n);

        if (mods == NULL)
            return total;
        freed = collect_candidates(interp, mods, n);
        PyMem_Free(mods);
        total += freed;
        if (freed == 0)
            return total;
    }
}

Py_ssize_t
mod_collect_orphans(PyInterpreterState *interp)
{
    Py_ssize_t freed;

    if (!collect_enter(interp))
        return 0;
    freed = collect_locked(interp);
    collect_exit(interp);
    return freed;
}

void
mod_collect_maybe(PyInterpreterState *interp)
{
    Py_ssize_t b = __atomic_load_n(&interp->collect_budget, __ATOMIC_RELAXED);

    /* One thread claims the collection (the budget jumps out of reach until
     * collect_exit sets the next one); the others that saw it run out go
     * on importing instead of queueing for collections of their own. */
    if (b > 0 || !__atomic_compare_exchange_n(&interp->collect_budget, &b, PY_SSIZE_T_MAX / 2, 0,
                                              __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        return;
    if (!collect_enter(interp)) {
        /* Not now (a collection of this thread's is running): the next
         * miss tries again. */
        __atomic_store_n(&interp->collect_budget, 0, __ATOMIC_RELAXED);
        return;
    }
    collect_locked(interp);
    collect_exit(interp);   /* sets the next budget */
}

Py_ssize_t
pymodrt_collect_modules(void)
{
    PyThreadState *ts = PyThreadState_GetUnchecked();

    return ts != NULL ? mod_collect_orphans(ts->interp) : 0;
}

void
mod_discard(PyObject *op)
{
    PyThreadState *ts = PyThreadState_GetUnchecked();
    PyInterpreterState *interp = ts != NULL ? ts->interp : NULL;

    if (op == NULL)
        return;
    if (PyModule_Check(op) && module_is_orphan(interp, (PyModuleObject *)op, 1) == 1 &&
        collect_enter(interp)) {
        collect_candidates(interp, &op, 1);   /* consumes the reference */
        collect_exit(interp);
        return;
    }
    Py_DECREF(op);
}

/* Finalization: clear every module of the interpreter once (m_clear, then
 * the dict directly, whatever m_clear returned, as CPython's
 * _PyModule_ClearDict does), which breaks the module/function cycles. */
void
mod_clear_all(PyInterpreterState *interp)
{
    Py_ssize_t n;
    PyObject **mods;
    int locked = collect_enter(interp);

    mods = live_modules_ref(interp, &n);
    if (mods == NULL) {
        if (locked)
            collect_exit(interp);
        return;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyModuleObject *m = (PyModuleObject *)mods[i];
        Py_TYPE(m)->tp_clear((PyObject *)m);
        PyErr_Clear();
        if (m->md_dict != NULL)
            PyDict_Clear(m->md_dict);
        Py_DECREF(m);
    }
    PyMem_Free(mods);
    if (locked)
        collect_exit(interp);
}
