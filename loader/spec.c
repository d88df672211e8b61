/* spec.c: the module spec and loader objects (native equivalents of
 * importlib's ModuleSpec, ExtensionFileLoader and BuiltinImporter, with
 * the same observable attributes; SEMANTICS.md preface, 4.2, 9.6). */
#include "loader.h"

/* ------------------------------------------------------------ ModuleSpec */

static void
spec_dealloc(PyObject *self)
{
    imp_spec *s = (imp_spec *)self;

    Py_XDECREF(s->name);
    Py_XDECREF(s->origin);
    Py_XDECREF(s->loader);
    Py_XDECREF(s->parent);
    Py_XDECREF(s->locations);
    Py_XDECREF(s->cached);
    Py_XDECREF(s->dict);
    PyObject_Free(self);
}

PyObject *
imp_spec_new(PyObject *name, PyObject *origin, PyObject *loader, int has_location,
             PyObject *locations)
{
    imp_spec *s = (imp_spec *)PyType_GenericAlloc(&imp_spec_type, 0);
    const char *n, *dot;

    if (s == NULL)
        return NULL;
    s->name = Py_NewRef(name);
    s->origin = Py_NewRef(origin != NULL ? origin : Py_None);
    s->loader = Py_NewRef(loader != NULL ? loader : Py_None);
    s->locations = Py_NewRef(locations != NULL ? locations : Py_None);
    s->cached = Py_NewRef(Py_None);
    s->has_location = has_location;
    /* parent: the package for a package, else the name up to the last dot. */
    n = PyUnicode_AsUTF8(name);
    if (n == NULL)
        goto error;
    if (locations != NULL && locations != Py_None)
        s->parent = Py_NewRef(name);
    else if ((dot = strrchr(n, '.')) != NULL)
        s->parent = PyUnicode_FromStringAndSize(n, dot - n);
    else
        s->parent = PyUnicode_FromString("");
    if (s->parent == NULL)
        goto error;
    return (PyObject *)s;
error:
    Py_DECREF(s);
    return NULL;
}

int
imp_spec_initializing(PyObject *spec)
{
    if (!Py_IS_TYPE(spec, &imp_spec_type))
        return 0;
    return __atomic_load_n(&((imp_spec *)spec)->initializing, __ATOMIC_ACQUIRE);
}

void
imp_spec_set_initializing(PyObject *spec, int value)
{
    if (Py_IS_TYPE(spec, &imp_spec_type))
        __atomic_store_n(&((imp_spec *)spec)->initializing, value, __ATOMIC_RELEASE);
}

static PyObject *
spec_get_initializing(PyObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(imp_spec_initializing(self));
}

static int
spec_set_initializing(PyObject *self, PyObject *value, void *c)
{
    int v;

    (void)c;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete _initializing");
        return -1;
    }
    v = PyObject_IsTrue(value);
    if (v < 0)
        return -1;
    imp_spec_set_initializing(self, v);
    return 0;
}

static PyObject *
spec_get_has_location(PyObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(((imp_spec *)self)->has_location);
}

static PyGetSetDef spec_getset[] = {
    {"_initializing", spec_get_initializing, spec_set_initializing, NULL, NULL},
    {"has_location", spec_get_has_location, NULL, NULL, NULL},
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef spec_members[] = {
    {"name", _Py_T_OBJECT, offsetof(imp_spec, name), Py_READONLY, NULL},
    {"origin", _Py_T_OBJECT, offsetof(imp_spec, origin), Py_READONLY, NULL},
    {"loader", _Py_T_OBJECT, offsetof(imp_spec, loader), Py_READONLY, NULL},
    {"parent", _Py_T_OBJECT, offsetof(imp_spec, parent), Py_READONLY, NULL},
    {"submodule_search_locations", _Py_T_OBJECT, offsetof(imp_spec, locations), Py_READONLY, NULL},
    {"cached", _Py_T_OBJECT, offsetof(imp_spec, cached), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyObject *
spec_repr(PyObject *self)
{
    imp_spec *s = (imp_spec *)self;

    if (s->origin == Py_None)
        return PyUnicode_FromFormat("ModuleSpec(name=%R, loader=%R)", s->name, s->loader);
    if (s->locations != Py_None)
        return PyUnicode_FromFormat("ModuleSpec(name=%R, loader=%R, origin=%R, "
                                    "submodule_search_locations=%R)",
                                    s->name, s->loader, s->origin, s->locations);
    return PyUnicode_FromFormat("ModuleSpec(name=%R, loader=%R, origin=%R)",
                                s->name, s->loader, s->origin);
}

PyTypeObject imp_spec_type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "ModuleSpec",
    .tp_basicsize = sizeof(imp_spec),
    .tp_dealloc = spec_dealloc,
    .tp_repr = spec_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_members = spec_members,
    .tp_getset = spec_getset,
    .tp_dictoffset = offsetof(imp_spec, dict),
};

/* --------------------------------------------------- ExtensionFileLoader */

typedef struct {
    PyObject_HEAD
    PyObject *name;            /* immutable */
    PyObject *path;            /* immutable */
} imp_extloader;

static void
extloader_dealloc(PyObject *self)
{
    Py_XDECREF(((imp_extloader *)self)->name);
    Py_XDECREF(((imp_extloader *)self)->path);
    PyObject_Free(self);
}

PyObject *
imp_extloader_new(PyObject *name, PyObject *path)
{
    imp_extloader *l = (imp_extloader *)PyType_GenericAlloc(&imp_extloader_type, 0);

    if (l == NULL)
        return NULL;
    l->name = Py_NewRef(name);
    l->path = Py_NewRef(path);
    return (PyObject *)l;
}

/* is_package(): the file name is __init__ + an extension suffix. */
static PyObject *
extloader_is_package(PyObject *self, PyObject *unused)
{
    const char *path = PyUnicode_AsUTF8(((imp_extloader *)self)->path), *base;

    (void)unused;
    if (path == NULL)
        return NULL;
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    for (int i = 0; imp_suffixes[i] != NULL; i++) {
        if (strncmp(base, "__init__", 8) == 0 && strcmp(base + 8, imp_suffixes[i]) == 0)
            Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

static PyObject *
extloader_none(PyObject *self, PyObject *arg)
{
    (void)self;
    (void)arg;
    Py_RETURN_NONE;
}

static PyObject *
extloader_get_filename(PyObject *self, PyObject *arg)
{
    (void)arg;
    return Py_NewRef(((imp_extloader *)self)->path);
}

static PyMethodDef extloader_methods[] = {
    {"is_package", extloader_is_package, METH_O, NULL},
    {"get_code", extloader_none, METH_O, NULL},
    {"get_source", extloader_none, METH_O, NULL},
    {"get_filename", extloader_get_filename, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef extloader_members[] = {
    {"name", _Py_T_OBJECT, offsetof(imp_extloader, name), Py_READONLY, NULL},
    {"path", _Py_T_OBJECT, offsetof(imp_extloader, path), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyObject *
extloader_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<ExtensionFileLoader object at %p>", (void *)self);
}

PyTypeObject imp_extloader_type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "ExtensionFileLoader",
    .tp_basicsize = sizeof(imp_extloader),
    .tp_dealloc = extloader_dealloc,
    .tp_repr = extloader_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = extloader_methods,
    .tp_members = extloader_members,
};

/* -------------------------------------------------------- BuiltinImporter */

static PyObject *
builtin_importer_repr(PyObject *self)
{
    (void)self;
    return PyUnicode_FromString("<class 'BuiltinImporter'>");
}

PyTypeObject imp_builtin_importer_type = {
    PyVarObject_HEAD_INIT(&PyType_Type, 0)
    .tp_name = "BuiltinImporter",
    .tp_basicsize = sizeof(PyObject),
    .tp_repr = builtin_importer_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
};

int
imp_spec_types_init(void)
{
    if (PyType_Ready(&imp_spec_type) < 0 || PyType_Ready(&imp_extloader_type) < 0 ||
        PyType_Ready(&imp_builtin_importer_type) < 0)
        return -1;
    return 0;
}
