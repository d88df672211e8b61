/* typeobject.c: the type of types, PyType_Ready, the MRO, attribute lookup
 * on types, and generic allocation.
 *
 * Concurrency: a type's tp_dict, tp_mro and tp_bases are built by
 * PyType_Ready before the type is used by more than one thread (static types
 * at start-up or in a module's exec; heap types before they are returned)
 * and are immutable afterwards, except tp_dict, whose entries may be set
 * later (type attribute assignment); tp_dict is a lock-free-read dict, so
 * type_lookup takes no lock.  Readying is serialized by ready_lock.
 *
 * Static types readied at run time own objects (tp_dict, tp_mro,
 * tp_bases): they are recorded in 'readied' and released by
 * type_fini_static() at Py_FinalizeEx, so that initialize / finalize cycles
 * leak nothing and a later Py_Initialize readies them afresh. */
#include "internal/pycore.h"

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;  /* guards readied, PyType_Ready */
static PyTypeObject **readied;        /* guarded by ready_lock */
static size_t nreadied, capreadied;   /* guarded by ready_lock */

/* ------------------------------------------------------------------ lookup */

PyObject *
type_lookup(PyTypeObject *type, PyObject *name)
{
    PyObject *mro = type->tp_mro, *res;

    if (mro == NULL) {
        if (type->tp_dict == NULL)
            return NULL;
        return PyDict_GetItemWithError(type->tp_dict, name);
    }
    for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(mro); i < n; i++) {
        PyObject *dict = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        if (dict == NULL)
            continue;
        res = PyDict_GetItemWithError(dict, name);
        if (res != NULL)
            return res;
        if (PyErr_Occurred()) {
            PyErr_Clear();
            return NULL;
        }
    }
    return NULL;
}

PyObject *
type_lookup_str(PyTypeObject *type, const char *name)
{
    PyObject *mro = type->tp_mro, *res;

    if (mro == NULL)
        return type->tp_dict ? PyDict_GetItemString(type->tp_dict, name) : NULL;
    for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(mro); i < n; i++) {
        PyObject *dict = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_dict;
        if (dict != NULL && (res = PyDict_GetItemString(dict, name)) != NULL)
            return res;
    }
    return NULL;
}

const char *
type_short_name(PyTypeObject *type)
{
    const char *s = strrchr(type->tp_name, '.');

    return s != NULL ? s + 1 : type->tp_name;
}

int
PyType_IsSubtype(PyTypeObject *a, PyTypeObject *b)
{
    PyObject *mro = a->tp_mro;

    if (a == b)
        return 1;
    if (mro != NULL) {
        for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(mro); i < n; i++)
            if (PyTuple_GET_ITEM(mro, i) == (PyObject *)b)
                return 1;
        return 0;
    }
    for (; a != NULL; a = a->tp_base)
        if (a == b)
            return 1;
    return b == &PyBaseObject_Type;
}

unsigned long
PyType_GetFlags(PyTypeObject *type)
{
    return type->tp_flags;
}

/* --------------------------------------------------------------- readying */

#define COPYSLOT(slot) if (type->slot == NULL) type->slot = base->slot
/* A table the type lacks is shared with the base; a table it has gets the
 * base's entries wherever its own are NULL. */
#define INHERIT_TABLE(field, ctype) \
    do { \
        if (type->field == NULL) { \
            type->field = base->field; \
        } else if (base->field != NULL && type->field != base->field) { \
            void **dst_ = (void **)type->field, **src_ = (void **)base->field; \
            for (size_t i_ = 0; i_ < sizeof(ctype) / sizeof(void *); i_++) \
                if (dst_[i_] == NULL) \
                    dst_[i_] = src_[i_]; \
        } \
    } while (0)
#define COPYSUB(sub, slot) \
    if (type->sub != NULL && base->sub != NULL && type->sub->slot == NULL) \
        type->sub->slot = base->sub->slot

static void
inherit_slots(PyTypeObject *type, PyTypeObject *base)
{
    if (type->tp_basicsize == 0)
        type->tp_basicsize = base->tp_basicsize;
    if (type->tp_itemsize == 0)
        type->tp_itemsize = base->tp_itemsize;
    COPYSLOT(tp_dealloc);
    COPYSLOT(tp_repr);
    COPYSLOT(tp_str);
    COPYSLOT(tp_getattr);
    COPYSLOT(tp_getattro);
    COPYSLOT(tp_setattr);
    COPYSLOT(tp_setattro);
    COPYSLOT(tp_call);
    COPYSLOT(tp_iter);
    COPYSLOT(tp_iternext);
    COPYSLOT(tp_descr_get);
    COPYSLOT(tp_descr_set);
    COPYSLOT(tp_init);
    COPYSLOT(tp_alloc);
    COPYSLOT(tp_free);
    COPYSLOT(tp_is_gc);
    COPYSLOT(tp_finalize);
    if (type->tp_richcompare == NULL && type->tp_hash == NULL) {
        type->tp_richcompare = base->tp_richcompare;
        type->tp_hash = base->tp_hash;
    }
    if (type->tp_dictoffset == 0)
        type->tp_dictoffset = base->tp_dictoffset;
    if (type->tp_weaklistoffset == 0)
        type->tp_weaklistoffset = base->tp_weaklistoffset;
    if (type->tp_vectorcall_offset == 0 && (base->tp_flags & Py_TPFLAGS_HAVE_VECTORCALL) &&
        (type->tp_call == base->tp_call)) {
        type->tp_vectorcall_offset = base->tp_vectorcall_offset;
        type->tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL;
    }
    INHERIT_TABLE(tp_as_number, PyNumberMethods);
    INHERIT_TABLE(tp_as_sequence, PySequenceMethods);
    INHERIT_TABLE(tp_as_mapping, PyMappingMethods);
    INHERIT_TABLE(tp_as_buffer, PyBufferProcs);
    INHERIT_TABLE(tp_as_async, PyAsyncMethods);
    /* Subclass bits: a subclass of int is an int for PyLong_Check. */
    type->tp_flags |= base->tp_flags & (Py_TPFLAGS_LONG_SUBCLASS | Py_TPFLAGS_LIST_SUBCLASS |
        Py_TPFLAGS_TUPLE_SUBCLASS | Py_TPFLAGS_BYTES_SUBCLASS | Py_TPFLAGS_UNICODE_SUBCLASS |
        Py_TPFLAGS_DICT_SUBCLASS | Py_TPFLAGS_BASE_EXC_SUBCLASS | Py_TPFLAGS_TYPE_SUBCLASS);
    if (base->tp_flags & Py_TPFLAGS_HAVE_GC)
        type->tp_flags |= Py_TPFLAGS_HAVE_GC;
    if (type->tp_new == NULL && !(type->tp_flags & Py_TPFLAGS_DISALLOW_INSTANTIATION))
        type->tp_new = base->tp_new;
}

static int
add_descr(PyTypeObject *type, const char *name, PyObject *descr)
{
    int r;

    if (descr == NULL)
        return -1;
    r = PyDict_SetItemString(type->tp_dict, name, descr);
    Py_DECREF(descr);
    return r;
}

int
type_add_methods(PyTypeObject *type)
{
    for (PyMethodDef *m = type->tp_methods; m != NULL && m->ml_name != NULL; m++) {
        PyObject *d;
        if (!(m->ml_flags & METH_COEXIST) &&
            PyDict_ContainsString(type->tp_dict, m->ml_name) > 0)
            continue;
        if (m->ml_flags & METH_CLASS) {
            if (m->ml_flags & METH_STATIC) {
                PyErr_SetString(PyExc_ValueError, "method cannot be both class and static");
                return -1;
            }
            d = PyDescr_NewClassMethod(type, m);
        } else if (m->ml_flags & METH_STATIC) {
            /* A static method receives NULL as its first argument, so the
             * function needs no reference to the type (which, for a heap
             * type, would be a cycle nothing collects). */
            PyObject *f = PyCFunction_NewEx(m, NULL, NULL);
            if (f == NULL)
                return -1;
            d = PyStaticMethod_New(f);
            Py_DECREF(f);
        } else {
            d = PyDescr_NewMethod(type, m);
        }
        if (add_descr(type, m->ml_name, d) < 0)
            return -1;
    }
    for (PyMemberDef *mb = type->tp_members; mb != NULL && mb->name != NULL; mb++)
        if (add_descr(type, mb->name, PyDescr_NewMember(type, mb)) < 0)
            return -1;
    for (PyGetSetDef *g = type->tp_getset; g != NULL && g->name != NULL; g++)
        if (add_descr(type, g->name, PyDescr_NewGetSet(type, g)) < 0)
            return -1;
    return 0;
}

static PyObject *
build_mro(PyTypeObject *type)
{
    PyObject *base_mro = type->tp_base != NULL ? type->tp_base->tp_mro : NULL;
    Py_ssize_t n = base_mro != NULL ? PyTuple_GET_SIZE(base_mro) : 0;
    PyObject *mro = PyTuple_New(n + 1);

    if (mro == NULL)
        return NULL;
    /* A heap type's MRO starts with the type itself.  Counting that
     * reference would make every heap type keep itself alive (there is no
     * cycle collector), so mro[0] of a heap type is a borrowed pointer,
     * cleared by type_dealloc before the tuple is released. */
    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE)
        PyTuple_SET_ITEM(mro, 0, (PyObject *)type);
    else
        PyTuple_SET_ITEM(mro, 0, Py_NewRef((PyObject *)type));
    for (Py_ssize_t i = 0; i < n; i++)
        PyTuple_SET_ITEM(mro, i + 1, Py_NewRef(PyTuple_GET_ITEM(base_mro, i)));
    return mro;
}

static int
record_readied_locked(PyTypeObject *type)
{
    if (nreadied == capreadied) {
        size_t cap = capreadied ? capreadied * 2 : 64;
        /* The list itself is runtime bookkeeping outside the object heap:
         * it must survive finalization (types may be readied before
         * Py_Initialize, e.g. by an embedder). */
        PyTypeObject **p = realloc(readied, cap * sizeof(*p));
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        readied = p;
        capreadied = cap;
    }
    readied[nreadied++] = type;
    return 0;
}

static int
type_ready_locked(PyTypeObject *type)
{
    PyTypeObject *base;

    if (type->tp_flags & Py_TPFLAGS_READY)
        return 0;
    if (type->tp_flags & Py_TPFLAGS_READYING) {
        PyErr_Format(PyExc_SystemError, "type %s is being readied recursively", type->tp_name);
        return -1;
    }
    if (type->tp_name == NULL) {
        PyErr_SetString(PyExc_SystemError, "Type does not define the tp_name field.");
        return -1;
    }
    type->tp_flags |= Py_TPFLAGS_READYING;
    if (Py_TYPE(type) == NULL)
        Py_SET_TYPE(type, &PyType_Type);
    base = type->tp_base;
    if (base == NULL && type != &PyBaseObject_Type)
        base = type->tp_base = &PyBaseObject_Type;
    if (base != NULL && !(base->tp_flags & Py_TPFLAGS_READY) && type_ready_locked(base) < 0)
        goto error;
    if (base != NULL)
        inherit_slots(type, base);
    if (type->tp_bases == NULL) {
        type->tp_bases = base != NULL ? PyTuple_Pack(1, (PyObject *)base) : PyTuple_New(0);
        if (type->tp_bases == NULL)
            goto error;
    }
    if (type->tp_dict == NULL && (type->tp_dict = PyDict_New()) == NULL)
        goto error;
    if (type->tp_doc != NULL && PyDict_ContainsString(type->tp_dict, "__doc__") == 0) {
        PyObject *doc = PyUnicode_FromString(type->tp_doc);
        if (doc == NULL || add_descr(type, "__doc__", doc) < 0)
            goto error;
    }
    if (type_add_methods(type) < 0)
        goto error;
    if (type->tp_mro == NULL && (type->tp_mro = build_mro(type)) == NULL)
        goto error;
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE) && record_readied_locked(type) < 0)
        goto error;
    type->tp_flags = (type->tp_flags & ~Py_TPFLAGS_READYING) | Py_TPFLAGS_READY;
    return 0;
error:
    Py_CLEAR(type->tp_dict);
    if (type->tp_mro != NULL && (type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        PyTuple_SET_ITEM(type->tp_mro, 0, NULL);
    Py_CLEAR(type->tp_mro);
    Py_CLEAR(type->tp_bases);
    type->tp_flags &= ~Py_TPFLAGS_READYING;
    return -1;
}

int
PyType_Ready(PyTypeObject *type)
{
    int r;

    if (type->tp_flags & Py_TPFLAGS_READY)
        return 0;
    pthread_mutex_lock(&ready_lock);
    r = type_ready_locked(type);
    pthread_mutex_unlock(&ready_lock);
    return r;
}

RT_INTERNAL void type_fini_static(void);
void
type_fini_static(void)
{
    pthread_mutex_lock(&ready_lock);
    /* Newest first: subclasses go before their bases. */
    while (nreadied > 0) {
        PyTypeObject *type = readied[--nreadied];
        Py_CLEAR(type->tp_dict);
        Py_CLEAR(type->tp_mro);
        Py_CLEAR(type->tp_bases);
        type->tp_flags &= ~Py_TPFLAGS_READY;
    }
    free(readied);
    readied = NULL;
    capreadied = 0;
    pthread_mutex_unlock(&ready_lock);
}

/* ----------------------------------------------------------- allocation */

PyObject *
PyType_GenericAlloc(PyTypeObject *type, Py_ssize_t nitems)
{
    size_t size = _PyObject_VAR_SIZE(type, nitems + 1);
    PyObject *obj = PyObject_Calloc(1, size);

    if (obj == NULL)
        return PyErr_NoMemory();
    if (type->tp_itemsize == 0)
        PyObject_Init(obj, type);
    else
        PyObject_InitVar((PyVarObject *)obj, type, nitems);
    return obj;
}

PyObject *
PyType_GenericNew(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    return type->tp_alloc(type, 0);
}

/* ------------------------------------------------------------ names */

/* A heap type's stored name (ht_name or ht_qualname), else the part of
 * tp_name after the last dot. */
static PyObject *
type_name_ref(PyTypeObject *type, int qualified)
{
    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *ht = (PyHeapTypeObject *)type;
        PyObject *n = qualified ? ht->ht_qualname : ht->ht_name;
        if (n != NULL)
            return Py_NewRef(n);
    }
    return PyUnicode_FromString(type_short_name(type));
}

PyObject *
PyType_GetName(PyTypeObject *type)
{
    return type_name_ref(type, 0);
}

PyObject *
PyType_GetQualName(PyTypeObject *type)
{
    return type_name_ref(type, 1);
}

PyObject *
PyType_GetModuleName(PyTypeObject *type)
{
    const char *dot;

    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyObject *m = type->tp_dict ? PyDict_GetItemString(type->tp_dict, "__module__") : NULL;
        if (m != NULL)
            return Py_NewRef(m);
    }
    dot = strrchr(type->tp_name, '.');
    if (dot != NULL)
        return PyUnicode_FromStringAndSize(type->tp_name, dot - type->tp_name);
    return PyUnicode_FromString("builtins");
}

PyObject *
PyType_GetFullyQualifiedName(PyTypeObject *type)
{
    PyObject *mod, *qual, *r;

    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return PyUnicode_FromString(type->tp_name);
    mod = PyType_GetModuleName(type);
    if (mod == NULL)
        return NULL;
    qual = PyType_GetQualName(type);
    if (qual == NULL) {
        Py_DECREF(mod);
        return NULL;
    }
    if (PyUnicode_EqualToUTF8(mod, "builtins") || PyUnicode_EqualToUTF8(mod, "__main__"))
        r = Py_NewRef(qual);
    else
        r = PyUnicode_FromFormat("%U.%U", mod, qual);
    Py_DECREF(mod);
    Py_DECREF(qual);
    return r;
}

PyObject *
PyType_GetDict(PyTypeObject *type)
{
    return Py_XNewRef(type->tp_dict);
}

void PyType_Modified(PyTypeObject *type) { (void)type; }
unsigned int PyType_ClearCache(void) { return 0; }

/* --------------------------------------------------------- the type type */

static PyObject *
type_repr(PyObject *self)
{
    PyTypeObject *type = (PyTypeObject *)self;
    PyObject *mod = PyType_GetModuleName(type), *qual, *r;

    if (mod == NULL)
        return NULL;
    qual = PyType_GetQualName(type);
    if (qual == NULL) {
        Py_DECREF(mod);
        return NULL;
    }
    if (PyUnicode_EqualToUTF8(mod, "builtins"))
        r = PyUnicode_FromFormat("<class '%U'>", qual);
    else
        r = PyUnicode_FromFormat("<class '%U.%U'>", mod, qual);
    Py_DECREF(mod);
    Py_DECREF(qual);
    return r;
}

static PyObject *
type_call(PyObject *callable, PyObject *args, PyObject *kwds)
{
    PyTypeObject *type = (PyTypeObject *)callable;
    PyObject *obj;

    if (type->tp_new == NULL) {
        PyErr_Format(PyExc_TypeError, "cannot create '%s' instances", type->tp_name);
        return NULL;
    }
    obj = type->tp_new(type, args, kwds);
    if (obj == NULL)
        return NULL;
    if (!PyObject_TypeCheck(obj, type))
        return obj;
    if (type->tp_init != NULL && type->tp_init(obj, args, kwds) < 0) {
        Py_DECREF(obj);
        return NULL;
    }
    return obj;
}

static PyObject *
type_getattro(PyObject *self, PyObject *name)
{
    PyTypeObject *type = (PyTypeObject *)self, *meta = Py_TYPE(self);
    PyObject *meta_attr, *attr, *res;
    descrgetfunc meta_get = NULL, local_get;

    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "attribute name must be string, not '%.200s'",
                     Py_TYPE(name)->tp_name);
        return NULL;
    }
    meta_attr = type_lookup(meta, name);
    if (meta_attr != NULL) {
        Py_INCREF(meta_attr);
        meta_get = Py_TYPE(meta_attr)->tp_descr_get;
        if (meta_get != NULL && Py_TYPE(meta_attr)->tp_descr_set != NULL) {
            res = meta_get(meta_attr, self, (PyObject *)meta);
            Py_DECREF(meta_attr);
            return res;
        }
    }
    attr = type_lookup(type, name);
    if (attr != NULL) {
        Py_INCREF(attr);
        local_get = Py_TYPE(attr)->tp_descr_get;
        Py_XDECREF(meta_attr);
        if (local_get != NULL) {
            res = local_get(attr, NULL, self);
            Py_DECREF(attr);
            return res;
        }
        return attr;
    }
    if (meta_get != NULL) {
        res = meta_get(meta_attr, self, (PyObject *)meta);
        Py_DECREF(meta_attr);
        return res;
    }
    if (meta_attr != NULL)
        return meta_attr;
    if (PyUnicode_EqualToUTF8(name, "__name__"))
        return PyType_GetName(type);
    if (PyUnicode_EqualToUTF8(name, "__qualname__"))
        return PyType_GetQualName(type);
    if (PyUnicode_EqualToUTF8(name, "__module__"))
        return PyType_GetModuleName(type);
    if (PyUnicode_EqualToUTF8(name, "__mro__") && type->tp_mro != NULL) {
        /* A heap type's tp_mro[0] is borrowed (see build_mro): hand out a
         * tuple that owns its items. */
        if (type->tp_flags & Py_TPFLAGS_HEAPTYPE)
            return PyTuple_FromArray(((PyTupleObject *)type->tp_mro)->ob_item,
                                     PyTuple_GET_SIZE(type->tp_mro));
        return Py_NewRef(type->tp_mro);
    }
    if (PyUnicode_EqualToUTF8(name, "__base__"))
        return Py_NewRef(type->tp_base ? (PyObject *)type->tp_base : Py_None);
    if (PyUnicode_EqualToUTF8(name, "__bases__") && type->tp_bases != NULL)
        return Py_NewRef(type->tp_bases);
    if (PyUnicode_EqualToUTF8(name, "__dict__") && type->tp_dict != NULL)
        return Py_NewRef(type->tp_dict);
    PyErr_Format(PyExc_AttributeError, "type object '%.100s' has no attribute '%U'",
                 type->tp_name, name);
    return NULL;
}

static int
type_setattro(PyObject *self, PyObject *name, PyObject *value)
{
    PyTypeObject *type = (PyTypeObject *)self;
    PyObject *descr;
    descrsetfunc set;

    if (type->tp_flags & Py_TPFLAGS_IMMUTABLETYPE || !(type->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        PyErr_Format(PyExc_TypeError,
                     "cannot set %R attribute of immutable type '%s'", name, type->tp_name);
        return -1;
    }
    descr = type_lookup(Py_TYPE(self), name);
    if (descr != NULL && (set = Py_TYPE(descr)->tp_descr_set) != NULL)
        return set(descr, self, value);
    if (value == NULL) {
        int r = PyDict_DelItem(type->tp_dict, name);
        if (r < 0 && PyErr_ExceptionMatches(PyExc_KeyError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_AttributeError, "type object '%.100s' has no attribute '%U'",
                         type->tp_name, name);
        }
        return r;
    }
    return PyDict_SetItem(type->tp_dict, name, value);
}

/* Heap types are created by PyType_FromSpec* (core/typeslots.c). */
static void
type_dealloc(PyObject *self)
{
    PyTypeObject *type = (PyTypeObject *)self;
    PyHeapTypeObject *ht = (PyHeapTypeObject *)self;

    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        Py_FatalError("static type deallocated");
    Py_XDECREF(type->tp_dict);
    if (type->tp_mro != NULL && PyTuple_GET_SIZE(type->tp_mro) > 0)
        PyTuple_SET_ITEM(type->tp_mro, 0, NULL);   /* borrowed, see build_mro */
    Py_XDECREF(type->tp_mro);
    Py_XDECREF(type->tp_bases);
    Py_XDECREF((PyObject *)type->tp_base);
    Py_XDECREF(ht->ht_name);
    Py_XDECREF(ht->ht_qualname);
    Py_XDECREF(ht->ht_module);
    Py_XDECREF(ht->ht_slots);
    PyMem_Free(ht->_ht_tpname);
    PyMem_Free((void *)type->tp_doc);
    Py_DECREF(Py_TYPE(self));
    PyObject_Free(self);
}

static Py_hash_t
type_hash(PyObject *self)
{
    uintptr_t p = (uintptr_t)self;

    return (Py_hash_t)(p >> 4);
}

PyTypeObject PyType_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "type",
    .tp_basicsize = sizeof(PyHeapTypeObject),
    .tp_dealloc = type_dealloc,
    .tp_repr = type_repr,
    .tp_hash = type_hash,
    .tp_call = type_call,
    .tp_getattro = type_getattro,
    .tp_setattro = type_setattro,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_TYPE_SUBCLASS,
    .tp_doc = "type(object) -> the object's type",
    .tp_base = &PyBaseObject_Type,
    .tp_free = PyObject_Free,
};

/* ------------------------------------------------------- static type set */

PyAPI_DATA(PyTypeObject) _PyNone_Type;

int
rt_types_init(void)
{
    PyTypeObject *const types[] = {
        &PyBaseObject_Type, &PyType_Type, &_PyNone_Type, &_PyNotImplemented_Type,
        &PyEllipsis_Type, &PyLong_Type, &PyBool_Type, &PyFloat_Type, &PyUnicode_Type,
        &PyBytes_Type, &PyTuple_Type, &PyList_Type, &PyDict_Type, &PyCapsule_Type,
        &PyCFunction_Type, &PyCMethod_Type, &PyMethodDescr_Type, &PyClassMethodDescr_Type,
        &PyMemberDescr_Type, &PyGetSetDescr_Type, &PyStaticMethod_Type,
        &PyClassMethod_Type, &PyModule_Type, &PyModuleDef_Type, &PyListIter_Type,
        &PyTupleIter_Type,
    };
    /* object and type first, without dicts: PyDict_New needs neither, but
     * the descriptors added to their dicts are typed objects. */
    for (size_t i = 0; i < Py_ARRAY_LENGTH(types); i++)
        if (PyType_Ready(types[i]) < 0)
            return -1;
    return 0;
}
