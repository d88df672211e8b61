/* capsule.c: PyCapsule, an opaque C pointer with a name and a destructor,
 * used by extensions to publish C APIs to each other.
 *
 * Invariants: 'pointer' is never NULL in a valid capsule.  The fields are
 * set by the creator and changed only through the PyCapsule_Set* calls; as
 * in CPython, a capsule being mutated while another thread reads it is the
 * extension's race to avoid (capsules are normally immutable once
 * published).  The destructor runs once, from the deallocator, while the
 * capsule is still valid (it may call PyCapsule_GetPointer).
 *
 * PyCapsule_Import("pkg.mod.attr") imports "pkg.mod" with
 * PyImport_ImportModule, takes its attribute "attr" and returns the pointer
 * of that capsule if the capsule's name is the full dotted name.
 *
 * File map: validity check; the C API; the type. */
#include "internal/pycore.h"

typedef struct {
    PyObject_HEAD
    void *pointer;                     /* see the file comment */
    const char *name;
    void *context;
    PyCapsule_Destructor destructor;
} PyCapsule;

/* 1 if 'o' is a capsule with a non-NULL pointer; otherwise raises
 * ValueError("<func> called with invalid PyCapsule object"). */
static int
capsule_valid(PyObject *o, const char *func)
{
    if (o == NULL || !PyCapsule_CheckExact(o) || ((PyCapsule *)o)->pointer == NULL) {
        PyErr_Format(PyExc_ValueError, "%s called with invalid PyCapsule object", func);
        return 0;
    }
    return 1;
}

static int
name_matches(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

PyObject *
PyCapsule_New(void *pointer, const char *name, PyCapsule_Destructor destructor)
{
    PyCapsule *c;

    if (pointer == NULL) {
        PyErr_SetString(PyExc_ValueError, "PyCapsule_New called with null pointer");
        return NULL;
    }
    c = PyObject_Malloc(sizeof(PyCapsule));
    if (c == NULL)
        return PyErr_NoMemory();
    PyObject_Init((PyObject *)c, &PyCapsule_Type);
    c->pointer = pointer;
    c->name = name;
    c->context = NULL;
    c->destructor = destructor;
    return (PyObject *)c;
}

int
PyCapsule_IsValid(PyObject *o, const char *name)
{
    PyCapsule *c = (PyCapsule *)o;

    return o != NULL && PyCapsule_CheckExact(o) && c->pointer != NULL &&
           name_matches(c->name, name);
}

void *
PyCapsule_GetPointer(PyObject *o, const char *name)
{
    if (!capsule_valid(o, "PyCapsule_GetPointer"))
        return NULL;
    if (!name_matches(((PyCapsule *)o)->name, name)) {
        PyErr_SetString(PyExc_ValueError, "PyCapsule_GetPointer called with incorrect name");
        return NULL;
    }
    return ((PyCapsule *)o)->pointer;
}

const char *
PyCapsule_GetName(PyObject *o)
{
    if (!capsule_valid(o, "PyCapsule_GetName"))
        return NULL;
    return ((PyCapsule *)o)->name;
}

PyCapsule_Destructor
PyCapsule_GetDestructor(PyObject *o)
{
    if (!capsule_valid(o, "PyCapsule_GetDestructor"))
        return NULL;
    return ((PyCapsule *)o)->destructor;
}

void *
PyCapsule_GetContext(PyObject *o)
{
    if (!capsule_valid(o, "PyCapsule_GetContext"))
        return NULL;
    return ((PyCapsule *)o)->context;
}

int
PyCapsule_SetPointer(PyObject *o, void *pointer)
{
    if (pointer == NULL) {
        PyErr_SetString(PyExc_ValueError, "PyCapsule_SetPointer called with null pointer");
        return -1;
    }
    if (!capsule_valid(o, "PyCapsule_SetPointer"))
        return -1;
    ((PyCapsule *)o)->pointer = pointer;
    return 0;
}

int
PyCapsule_SetName(PyObject *o, const char *name)
{
    if (!capsule_valid(o, "PyCapsule_SetName"))
        return -1;
    ((PyCapsule *)o)->name = name;
    return 0;
}

int
PyCapsule_SetDestructor(PyObject *o, PyCapsule_Destructor destructor)
{
    if (!capsule_valid(o, "PyCapsule_SetDestructor"))
        return -1;
    ((PyCapsule *)o)->destructor = destructor;
    return 0;
}

int
PyCapsule_SetContext(PyObject *o, void *context)
{
    if (!capsule_valid(o, "PyCapsule_SetContext"))
        return -1;
    ((PyCapsule *)o)->context = context;
    return 0;
}

void *
PyCapsule_Import(const char *name, int no_block)
{
    const char *dot;
    char *modname;
    PyObject *mod, *cap;
    void *p = NULL;

    (void)no_block;   /* import locks are always blocking in pymodrt */
    if (name == NULL) {
        PyErr_BadInternalCall();
        return NULL;
    }
    dot = strrchr(name, '.');
    if (dot == NULL || dot == name || dot[1] == '\0') {
        PyErr_Format(PyExc_AttributeError, "PyCapsule_Import \"%s\" is not valid", name);
        return NULL;
    }
    modname = mem_alloc((size_t)(dot - name) + 1);
    if (modname == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(modname, name, (size_t)(dot - name));
    modname[dot - name] = '\0';
    mod = PyImport_ImportModule(modname);
    mem_free(modname);
    if (mod == NULL)
        return NULL;
    cap = PyObject_GetAttrString(mod, dot + 1);
    Py_DECREF(mod);
    if (cap == NULL)
        return NULL;
    if (PyCapsule_IsValid(cap, name))
        p = ((PyCapsule *)cap)->pointer;
    else
        PyErr_Format(PyExc_AttributeError, "PyCapsule_Import \"%s\" is not valid", name);
    Py_DECREF(cap);
    return p;
}

static void
capsule_dealloc(PyObject *o)
{
    PyCapsule *c = (PyCapsule *)o;

    if (c->destructor != NULL)
        c->destructor(o);
    PyObject_Free(o);
}

static PyObject *
capsule_repr(PyObject *o)
{
    PyCapsule *c = (PyCapsule *)o;

    if (c->name != NULL)
        return PyUnicode_FromFormat("<capsule object \"%s\" at %p>", c->name, o);
    return PyUnicode_FromFormat("<capsule object NULL at %p>", o);
}

PyTypeObject PyCapsule_Type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "PyCapsule",
    .tp_basicsize = sizeof(PyCapsule),
    .tp_dealloc = capsule_dealloc,
    .tp_repr = capsule_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Capsule objects let you wrap a C \"void *\" pointer in a Python object.",
    .tp_free = PyObject_Free,
};
