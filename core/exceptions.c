#include "internal/pycore.h"
/* exceptions.c: the built-in exception classes.
 *
 * Purpose: every PyExc_* object is a static PyTypeObject with CPython's name,
 * flags (BASE_EXC_SUBCLASS | BASETYPE | HAVE_GC) and tp_base, so that the
 * hierarchy, isinstance/issubclass and PyExceptionClass_Check behave as in
 * CPython.  Instances use the layouts of include/pyerrors.h.
 *
 * Invariants:
 *   - 'args' of an instance is a tuple, or NULL only in the static MemoryError
 *     (exc_nomem_static), where it reads as ().
 *   - 'traceback' is always NULL: pymodrt has no frames; __traceback__ reads
 *     None and accepts only None.
 *   - 'cause', 'context', 'traceback' and 'args' may be read and replaced by
 *     several threads at once (one exception object can be raised in many
 *     threads, e.g. an import failure shown to every waiter).  They are
 *     "epoch-protected (readers) / atomic exchange (writers)": readers take a
 *     reference inside an epoch section, writers exchange the pointer and
 *     retire the old value with a deferred decref (immediate when the
 *     exception has a single owner).  Subclass fields (ImportError.name ...)
 *     are set at construction and then only through member descriptors,
 *     like CPython's.
 *
 * Organisation: shared field access; BaseException (new/init/dealloc, str,
 * repr, getset, methods); the specialised families (ImportError, KeyError,
 * StopIteration, SystemExit, AttributeError/NameError, OSError, the Unicode
 * errors); the static type table (topologically ordered); the PyException_*
 * C API; exc_init_types / exc_fini_types. */

#define EXC_FLAGS (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC | \
                   Py_TPFLAGS_BASE_EXC_SUBCLASS)
#define EXC(op) ((PyBaseExceptionObject *)(op))

/* ------------------------------------------------------ shared field access */

static PyObject *
exc_field_get_ref(PyObject **slot)
{
    PyObject *v;

    rt_epoch_enter();
    v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    Py_XINCREF(v);
    rt_epoch_exit();
    return v;
}

/* Stores 'v' (stolen, may be NULL) in 'slot' of 'owner'. */
static void
exc_field_set(PyObject *owner, PyObject **slot, PyObject *v)
{
    PyObject *old = __atomic_exchange_n(slot, v, __ATOMIC_ACQ_REL);

    if (old == NULL)
        return;
    /* With one reference to the owner, no other thread can be reading the
     * slot: release at once.  Otherwise wait for the readers' grace period. */
    if (!_Py_IsImmortal(owner) && Py_REFCNT(owner) == 1) {
        Py_DECREF(old);
    } else {
        rt_epoch_defer_decref(old);
        rt_epoch_poll();
    }
}

static void
exc_set_suppress(PyObject *self, int v)
{
    __atomic_store_n(&EXC(self)->suppress_context, (char)v, __ATOMIC_RELAXED);
}

/* The exception's args as a new reference; () for the static MemoryError. */
static PyObject *
exc_args_ref(PyObject *self)
{
    PyObject *args = exc_field_get_ref(&EXC(self)->args);

    if (args == NULL)
        args = PyTuple_New(0);
    return args;
}

static const char *
exc_short_name(PyTypeObject *tp)
{
    const char *dot = strrchr(tp->tp_name, '.');

    return dot != NULL ? dot + 1 : tp->tp_name;
}

/* ------------------------------------------------------------ BaseException */

static PyObject *
exc_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyBaseExceptionObject *self;

    (void)kwds;
    self = (PyBaseExceptionObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    /* tp_alloc zeroes the body: dict, notes, traceback, context, cause. */
    if (args != NULL) {
        self->args = Py_NewRef(args);
    } else {
        self->args = PyTuple_New(0);
        if (self->args == NULL) {
            Py_DECREF(self);
            return NULL;
        }
    }
    return (PyObject *)self;
}

static int
exc_no_keywords(PyObject *self, PyObject *kwds)
{
    if (kwds != NULL && PyDict_Check(kwds) && PyDict_Size(kwds) != 0) {
        PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments",
                     Py_TYPE(self)->tp_name);
        return -1;
    }
    return 0;
}

static int
exc_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    if (exc_no_keywords(self, kwds) < 0)
        return -1;
    exc_field_set(self, &EXC(self)->args, Py_NewRef(args));
    return 0;
}

static int
exc_clear(PyObject *op)
{
    PyBaseExceptionObject *self = EXC(op);

    Py_CLEAR(self->dict);
    Py_CLEAR(self->args);
    Py_CLEAR(self->notes);
    Py_CLEAR(self->traceback);
    Py_CLEAR(self->cause);
    Py_CLEAR(self->context);
    return 0;
}

static int
exc_traverse(PyObject *op, visitproc visit, void *arg)
{
    PyBaseExceptionObject *self = EXC(op);

    Py_VISIT(self->dict);
    Py_VISIT(self->args);
    Py_VISIT(self->notes);
    Py_VISIT(self->traceback);
    Py_VISIT(self->cause);
    Py_VISIT(self->context);
    return 0;
}

static void
exc_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    exc_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static PyObject *
exc_str(PyObject *self)
{
    PyObject *args = exc_args_ref(self), *r;

    if (args == NULL)
        return NULL;
    switch (PyTuple_GET_SIZE(args)) {
    case 0:
        r = PyUnicode_FromString("");
        break;
    case 1:
        r = PyObject_Str(PyTuple_GET_ITEM(args, 0));
        break;
    default:
        r = PyObject_Str(args);
        break;
    }
    Py_DECREF(args);
    return r;
}

static PyObject *
exc_repr(PyObject *self)
{
    PyObject *args = exc_args_ref(self), *r;
    const char *name = exc_short_name(Py_TYPE(self));

    if (args == NULL)
        return NULL;
    if (PyTuple_GET_SIZE(args) == 1)
        r = PyUnicode_FromFormat("%s(%R)", name, PyTuple_GET_ITEM(args, 0));
    else
        r = PyUnicode_FromFormat("%s%R", name, args);
    Py_DECREF(args);
    return r;
}

static PyObject *
exc_get_args(PyObject *self, void *closure)
{
    (void)closure;
    return exc_args_ref(self);
}

static int
exc_set_args(PyObject *self, PyObject *value, void *closure)
{
    PyObject *seq;

    (void)closure;
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "args may not be deleted");
        return -1;
    }
    seq = PySequence_Tuple(value);
    if (seq == NULL)
        return -1;
    exc_field_set(self, &EXC(self)->args, seq);
    return 0;
}

static PyObject *
exc_get_tb(PyObject *self, void *closure)
{
    PyObject *tb;

    (void)closure;
    tb = exc_field_get_ref(&EXC(self)->traceback);
    return tb != NULL ? tb : Py_None;
}

static int
exc_set_tb(PyObject *self, PyObject *value, void *closure)
{
    (void)closure;
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "__traceback__ may not be deleted");
        return -1;
    }
    return PyException_SetTraceback(self, value);
}

static PyObject *
exc_get_cause(PyObject *self, void *closure)
{
    PyObject *v;

    (void)closure;
    v = exc_field_get_ref(&EXC(self)->cause);
    return v != NULL ? v : Py_None;
}

static PyObject *
exc_get_context(PyObject *self, void *closure)
{
    PyObject *v;

    (void)closure;
    v = exc_field_get_ref(&EXC(self)->context);
    return v != NULL ? v : Py_None;
}

/* Shared by __cause__ and __context__ setters: returns the new value (a new
 * reference, NULL for None), or sets an error and returns (PyObject *)-1. */
static PyObject *
exc_chain_value(PyObject *value, const char *attr, const char *what)
{
    if (value == NULL) {
        PyErr_Format(PyExc_TypeError, "%s may not be deleted", attr);
        return (PyObject *)-1;
    }
    if (value == Py_None)
        return NULL;
    if (!PyExceptionInstance_Check(value)) {
        PyErr_Format(PyExc_TypeError,
                     "exception %s must be None or derive from BaseException", what);
        return (PyObject *)-1;
    }
    return Py_NewRef(value);
}

static int
exc_set_cause(PyObject *self, PyObject *value, void *closure)
{
    PyObject *v = exc_chain_value(value, "__cause__", "cause");

    (void)closure;
    if (v == (PyObject *)-1)
        return -1;
    PyException_SetCause(self, v);
    return 0;
}

static int
exc_set_context(PyObject *self, PyObject *value, void *closure)
{
    PyObject *v = exc_chain_value(value, "__context__", "context");

    (void)closure;
    if (v == (PyObject *)-1)
        return -1;
    PyException_SetContext(self, v);
    return 0;
}

static PyGetSetDef exc_getset[] = {
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL},
    {"args", exc_get_args, exc_set_args, NULL, NULL},
    {"__traceback__", exc_get_tb, exc_set_tb, NULL, NULL},
    {"__context__", exc_get_context, exc_set_context,
     "exception context", NULL},
    {"__cause__", exc_get_cause, exc_set_cause, "exception cause", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef exc_members[] = {
    {"__suppress_context__", Py_T_BOOL,
     offsetof(PyBaseExceptionObject, suppress_context), 0, NULL},
    {"__notes__", Py_T_OBJECT_EX, offsetof(PyBaseExceptionObject, notes), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyObject *
exc_with_traceback(PyObject *self, PyObject *tb)
{
    if (PyException_SetTraceback(self, tb) < 0)
        return NULL;
    return Py_NewRef(self);
}

static int exc_add_note_impl(PyObject *self, PyObject *note);

static PyObject *
exc_add_note(PyObject *self, PyObject *note)
{
    return exc_add_note_impl(self, note) < 0 ? NULL : Py_NewRef(Py_None);
}

static PyMethodDef exc_methods[] = {
    {"with_traceback", exc_with_traceback, METH_O,
     "Set self.__traceback__ to tb and return self."},
    {"add_note", exc_add_note, METH_O,
     "Add a note to the exception"},
    {NULL, NULL, 0, NULL},
};

/* ---------------------------------------------------------------- keywords */

/* Parses keyword-only object arguments: names[i] stores into *slots[i] (a new
 * reference replaces the old one).  'tpname' names the callable in errors. */
static int
exc_parse_kwonly(PyObject *kwds, const char *tpname, const char *const *names,
                 PyObject **const *slots, int n)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;

    if (kwds == NULL)
        return 0;
    while (PyDict_Next(kwds, &pos, &key, &value)) {
        int i;
        for (i = 0; i < n; i++) {
            if (PyUnicode_Check(key) && PyUnicode_EqualToUTF8(key, names[i]))
                break;
        }
        if (i == n) {
            if (PyUnicode_Check(key))
                PyErr_Format(PyExc_TypeError,
                             "'%U' is an invalid keyword argument for %s()", key, tpname);
            else
                PyErr_SetString(PyExc_TypeError, "keywords must be strings");
            return -1;
        }
    }
    pos = 0;
    while (PyDict_Next(kwds, &pos, &key, &value)) {
        for (int i = 0; i < n; i++) {
            if (PyUnicode_EqualToUTF8(key, names[i])) {
                Py_XSETREF(*slots[i], Py_NewRef(value));
                break;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------- ImportError */

static int
importerror_clear(PyObject *op)
{
    PyImportErrorObject *self = (PyImportErrorObject *)op;

    Py_CLEAR(self->msg);
    Py_CLEAR(self->name);
    Py_CLEAR(self->path);
    Py_CLEAR(self->name_from);
    return exc_clear(op);
}

static int
importerror_traverse(PyObject *op, visitproc visit, void *arg)
{
    PyImportErrorObject *self = (PyImportErrorObject *)op;

    Py_VISIT(self->msg);
    Py_VISIT(self->name);
    Py_VISIT(self->path);
    Py_VISIT(self->name_from);
    return exc_traverse(op, visit, arg);
}

static void
importerror_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    importerror_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static int
importerror_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    static const char *const names[] = {"name", "path", "name_from"};
    PyImportErrorObject *self = (PyImportErrorObject *)op;
    PyObject **const slots[] = {&self->name, &self->path, &self->name_from};

    if (exc_parse_kwonly(kwds, exc_short_name(Py_TYPE(op)), names, slots, 3) < 0)
        return -1;
    exc_field_set(op, &EXC(op)->args, Py_NewRef(args));
    if (PyTuple_GET_SIZE(args) == 1)
        Py_XSETREF(self->msg, Py_NewRef(PyTuple_GET_ITEM(args, 0)));
    return 0;
}

static PyObject *
importerror_str(PyObject *op)
{
    PyImportErrorObject *self = (PyImportErrorObject *)op;

    if (self->msg != NULL && PyUnicode_CheckExact(self->msg))
        return Py_NewRef(self->msg);
    return exc_str(op);
}

static PyObject *
importerror_repr(PyObject *op)
{
    PyImportErrorObject *self = (PyImportErrorObject *)op;
    PyObject *r = exc_repr(op), *args, *head, *out;
    int hasargs;

    if (r == NULL || (self->name == NULL && self->path == NULL))
        return r;
    args = exc_args_ref(op);
    if (args == NULL) {
        Py_DECREF(r);
        return NULL;
    }
    hasargs = PyTuple_GET_SIZE(args) != 0;
    Py_DECREF(args);
    /* Drop the closing parenthesis and append the keywords. */
    head = PyUnicode_Substring(r, 0, PyUnicode_GetLength(r) - 1);
    Py_DECREF(r);
    if (head == NULL)
        return NULL;
    if (self->name != NULL && self->path != NULL)
        out = PyUnicode_FromFormat("%U%sname=%R, path=%R)", head, hasargs ? ", " : "",
                                   self->name, self->path);
    else if (self->name != NULL)
        out = PyUnicode_FromFormat("%U%sname=%R)", head, hasargs ? ", " : "", self->name);
    else
        out = PyUnicode_FromFormat("%U%spath=%R)", head, hasargs ? ", " : "", self->path);
    Py_DECREF(head);
    return out;
}

static PyMemberDef importerror_members[] = {
    {"msg", _Py_T_OBJECT, offsetof(PyImportErrorObject, msg), 0, "exception message"},
    {"name", _Py_T_OBJECT, offsetof(PyImportErrorObject, name), 0, "module name"},
    {"path", _Py_T_OBJECT, offsetof(PyImportErrorObject, path), 0, "module path"},
    {"name_from", _Py_T_OBJECT, offsetof(PyImportErrorObject, name_from), 0, "name imported from module"},
    {NULL, 0, 0, 0, NULL},
};

/* ---------------------------------------------------------------- KeyError */

static PyObject *
keyerror_str(PyObject *self)
{
    PyObject *args = exc_args_ref(self), *r;

    if (args == NULL)
        return NULL;
    if (PyTuple_GET_SIZE(args) == 1)
        r = PyObject_Repr(PyTuple_GET_ITEM(args, 0));
    else
        r = exc_str(self);
    Py_DECREF(args);
    return r;
}

/* ---------------------------------------- one extra object field families */

/* StopIteration.value, SystemExit.code, NameError.name share a layout: the
 * base followed by one object field. */
typedef struct {
    PyBaseExceptionObject base;
    PyObject *field;
} exc_one_field;

static int
onefield_clear(PyObject *op)
{
    Py_CLEAR(((exc_one_field *)op)->field);
    return exc_clear(op);
}

static int
onefield_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(((exc_one_field *)op)->field);
    return exc_traverse(op, visit, arg);
}

static void
onefield_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    onefield_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static int
stopiteration_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (exc_init(op, args, kwds) < 0)
        return -1;
    Py_XSETREF(((exc_one_field *)op)->field,
               Py_NewRef(PyTuple_GET_SIZE(args) > 0 ? PyTuple_GET_ITEM(args, 0) : Py_None));
    return 0;
}

static int
systemexit_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    PyObject *code;

    if (exc_init(op, args, kwds) < 0)
        return -1;
    switch (PyTuple_GET_SIZE(args)) {
    case 0:
        code = Py_None;
        break;
    case 1:
        code = PyTuple_GET_ITEM(args, 0);
        break;
    default:
        code = args;
        break;
    }
    Py_XSETREF(((exc_one_field *)op)->field, Py_NewRef(code));
    return 0;
}

static int
nameerror_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    static const char *const names[] = {"name"};
    PyObject **const slots[] = {&((exc_one_field *)op)->field};

    if (exc_parse_kwonly(kwds, exc_short_name(Py_TYPE(op)), names, slots, 1) < 0)
        return -1;
    exc_field_set(op, &EXC(op)->args, Py_NewRef(args));
    return 0;
}

static PyMemberDef stopiteration_members[] = {
    {"value", _Py_T_OBJECT, offsetof(PyStopIterationObject, value), 0, "generator return value"},
    {NULL, 0, 0, 0, NULL},
};

static PyMemberDef systemexit_members[] = {
    {"code", _Py_T_OBJECT, offsetof(PySystemExitObject, code), 0, "exception code"},
    {NULL, 0, 0, 0, NULL},
};

static PyMemberDef nameerror_members[] = {
    {"name", _Py_T_OBJECT, offsetof(PyNameErrorObject, name), 0, "name"},
    {NULL, 0, 0, 0, NULL},
};

/* ---------------------------------------------------------- AttributeError */

static int
attributeerror_clear(PyObject *op)
{
    PyAttributeErrorObject *self = (PyAttributeErrorObject *)op;

    Py_CLEAR(self->name);
    Py_CLEAR(self->obj);
    return exc_clear(op);
}

static int
attributeerror_traverse(PyObject *op, visitproc visit, void *arg)
{
    PyAttributeErrorObject *self = (PyAttributeErrorObject *)op;

    Py_VISIT(self->name);
    Py_VISIT(self->obj);
    return exc_traverse(op, visit, arg);
}

static void
attributeerror_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    attributeerror_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static int
attributeerror_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    static const char *const names[] = {"name", "obj"};
    PyAttributeErrorObject *self = (PyAttributeErrorObject *)op;
    PyObject **const slots[] = {&self->name, &self->obj};

    if (exc_parse_kwonly(kwds, exc_short_name(Py_TYPE(op)), names, slots, 2) < 0)
        return -1;
    exc_field_set(op, &EXC(op)->args, Py_NewRef(args));
    return 0;
}

static PyMemberDef attributeerror_members[] = {
    {"name", _Py_T_OBJECT, offsetof(PyAttributeErrorObject, name), 0, "attribute name"},
    {"obj", _Py_T_OBJECT, offsetof(PyAttributeErrorObject, obj), 0, "object"},
    {NULL, 0, 0, 0, NULL},
};

/* ----------------------------------------------------------------- OSError */

static int
oserror_clear(PyObject *op)
{
    PyOSErrorObject *self = (PyOSErrorObject *)op;

    Py_CLEAR(self->myerrno);
    Py_CLEAR(self->strerror);
    Py_CLEAR(self->filename);
    Py_CLEAR(self->filename2);
    return exc_clear(op);
}

static int
oserror_traverse(PyObject *op, visitproc visit, void *arg)
{
    PyOSErrorObject *self = (PyOSErrorObject *)op;

    Py_VISIT(self->myerrno);
    Py_VISIT(self->strerror);
    Py_VISIT(self->filename);
    Py_VISIT(self->filename2);
    return exc_traverse(op, visit, arg);
}

static void
oserror_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    oserror_clear(op);
    Py_TYPE(op)->tp_free(op);
}

static PyTypeObject *oserror_subclass_for(long err);

/* OSError(errno, strerror[, filename[, winerror[, filename2]]]).  As in
 * CPython, OSError itself picks the subclass that matches errno, and the
 * filenames are removed from args. */
static PyObject *
oserror_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    PyOSErrorObject *self;
    PyObject *filename = NULL, *filename2 = NULL;

    if (kwds != NULL && PyDict_Check(kwds) && PyDict_Size(kwds) != 0) {
        PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments", type->tp_name);
        return NULL;
    }
    if (type == (PyTypeObject *)PyExc_OSError && nargs >= 2 && nargs <= 5 &&
        PyLong_Check(PyTuple_GET_ITEM(args, 0))) {
        int overflow;
        long err = PyLong_AsLongAndOverflow(PyTuple_GET_ITEM(args, 0), &overflow);
        if (err == -1 && PyErr_Occurred())
            return NULL;
        if (!overflow) {
            PyTypeObject *sub = oserror_subclass_for(err);
            if (sub != NULL)
                type = sub;
        }
    }
    self = (PyOSErrorObject *)exc_new(type, args, NULL);
    if (self == NULL)
        return NULL;
    if (nargs >= 2 && nargs <= 5) {
        self->myerrno = Py_NewRef(PyTuple_GET_ITEM(args, 0));
        self->strerror = Py_NewRef(PyTuple_GET_ITEM(args, 1));
        if (nargs >= 3)
            filename = PyTuple_GET_ITEM(args, 2);
        if (nargs == 5)
            filename2 = PyTuple_GET_ITEM(args, 4);
        if (filename != NULL && filename != Py_None) {
            PyObject *sub = PyTuple_GetSlice(args, 0, 2);
            if (sub == NULL) {
                Py_DECREF(self);
                return NULL;
            }
            Py_SETREF(self->base.args, sub);
            self->filename = Py_NewRef(filename);
            if (filename2 != NULL && filename2 != Py_None)
                self->filename2 = Py_NewRef(filename2);
        }
    }
    return (PyObject *)self;
}

static int
oserror_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    /* Everything happened in oserror_new. */
    (void)self;
    (void)args;
    (void)kwds;
    return 0;
}

static PyObject *
oserror_str(PyObject *op)
{
    PyOSErrorObject *self = (PyOSErrorObject *)op;

    if (self->filename != NULL) {
        if (self->filename2 != NULL)
            return PyUnicode_FromFormat("[Errno %S] %S: %R -> %R", self->myerrno,
                                        self->strerror, self->filename, self->filename2);
        return PyUnicode_FromFormat("[Errno %S] %S: %R", self->myerrno, self->strerror,
                                    self->filename);
    }
    if (self->myerrno != NULL && self->strerror != NULL)
        return PyUnicode_FromFormat("[Errno %S] %S", self->myerrno, self->strerror);
    return exc_str(op);
}

static PyMemberDef oserror_members[] = {
    {"errno", _Py_T_OBJECT, offsetof(PyOSErrorObject, myerrno), 0, "POSIX exception code"},
    {"strerror", _Py_T_OBJECT, offsetof(PyOSErrorObject, strerror), 0, "exception strerror"},
    {"filename", _Py_T_OBJECT, offsetof(PyOSErrorObject, filename), 0, "exception filename"},
    {"filename2", _Py_T_OBJECT, offsetof(PyOSErrorObject, filename2), 0, "second exception filename"},
    {NULL, 0, 0, 0, NULL},
};

/* ---------------------------------------------------------- Unicode errors */

static int
unicodeerror_clear(PyObject *op)
{
    PyUnicodeErrorObject *self = (PyUnicodeErrorObject *)op;

    Py_CLEAR(self->encoding);
    Py_CLEAR(self->object);
    Py_CLEAR(self->reason);
    return exc_clear(op);
}

static int
unicodeerror_traverse(PyObject *op, visitproc visit, void *arg)
{
    PyUnicodeErrorObject *self = (PyUnicodeErrorObject *)op;

    Py_VISIT(self->encoding);
    Py_VISIT(self->object);
    Py_VISIT(self->reason);
    return exc_traverse(op, visit, arg);
}

static void
unicodeerror_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    unicodeerror_clear(op);
    Py_TYPE(op)->tp_free(op);
}

/* Checks the (encoding, object, start, end, reason) arguments the way
 * PyArg_ParseTuple's "UOnnU" / "UnnU" formats report them. */
static int
unicodeerror_parse(PyObject *op, PyObject *args, int has_encoding, int object_is_str)
{
    PyUnicodeErrorObject *self = (PyUnicodeErrorObject *)op;
    Py_ssize_t want = has_encoding ? 5 : 4, nargs = PyTuple_GET_SIZE(args), i = 0;
    PyObject *enc = NULL, *obj, *reason;
    Py_ssize_t pos[2];

    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "function takes exactly %zd arguments (%zd given)",
                     want, nargs);
        return -1;
    }
    if (has_encoding) {
        enc = PyTuple_GET_ITEM(args, i++);
        if (!PyUnicode_Check(enc)) {
            PyErr_Format(PyExc_TypeError, "argument 1 must be str, not %s",
                         Py_TYPE(enc)->tp_name);
            return -1;
        }
    }
    obj = PyTuple_GET_ITEM(args, i++);
    if (object_is_str ? !PyUnicode_Check(obj) : !PyBytes_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "argument %zd must be %s, not %s", i,
                     object_is_str ? "str" : "bytes", Py_TYPE(obj)->tp_name);
        return -1;
    }
    for (int k = 0; k < 2; k++, i++) {
        PyObject *n = PyTuple_GET_ITEM(args, i);
        if (!PyLong_Check(n)) {
            PyErr_Format(PyExc_TypeError,
                         "'%s' object cannot be interpreted as an integer",
                         Py_TYPE(n)->tp_name);
            return -1;
        }
        pos[k] = PyLong_AsSsize_t(n);
        if (pos[k] == -1 && PyErr_Occurred())
            return -1;
    }
    reason = PyTuple_GET_ITEM(args, i);
    if (!PyUnicode_Check(reason)) {
        PyErr_Format(PyExc_TypeError, "argument %zd must be str, not %s", i + 1,
                     Py_TYPE(reason)->tp_name);
        return -1;
    }
    exc_field_set(op, &EXC(op)->args, Py_NewRef(args));
    Py_XSETREF(self->encoding, Py_XNewRef(enc));
    Py_XSETREF(self->object, Py_NewRef(obj));
    Py_XSETREF(self->reason, Py_NewRef(reason));
    self->start = pos[0];
    self->end = pos[1];
    return 0;
}

static int
unicodedecode_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (exc_no_keywords(op, kwds) < 0)
        return -1;
    return unicodeerror_parse(op, args, 1, 0);
}

static int
unicodeencode_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (exc_no_keywords(op, kwds) < 0)
        return -1;
    return unicodeerror_parse(op, args, 1, 1);
}

static int
unicodetranslate_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    if (exc_no_keywords(op, kwds) < 0)
        return -1;
    return unicodeerror_parse(op, args, 0, 1);
}

static PyObject *
unicodedecode_str(PyObject *op)
{
    PyUnicodeErrorObject *self = (PyUnicodeErrorObject *)op;
    PyObject *enc, *reason, *r;
    Py_ssize_t len, start = self->start, end = self->end;

    if (self->object == NULL || !PyBytes_Check(self->object))
        return PyUnicode_FromString("");
    enc = PyObject_Str(self->encoding);
    if (enc == NULL)
        return NULL;
    reason = PyObject_Str(self->reason);
    if (reason == NULL) {
        Py_DECREF(enc);
        return NULL;
    }
    len = PyBytes_Size(self->object);
    if (start >= 0 && start < len && end >= 0 && end <= len && end == start + 1) {
        int byte = (unsigned char)PyBytes_AsString(self->object)[start];
        r = PyUnicode_FromFormat("'%U' codec can't decode byte 0x%02x in position %zd: %U",
                                 enc, byte, start, reason);
    } else {
        r = PyUnicode_FromFormat("'%U' codec can't decode bytes in position %zd-%zd: %U",
                                 enc, start, end - 1, reason);
    }
    Py_DECREF(enc);
    Py_DECREF(reason);
    return r;
}

/* The "character '\x..'" part shared by the encode and translate messages. */
static const char *
unicode_char_fmt(Py_UCS4 c, int encode)
{
    if (c <= 0xff)
        return encode ? "'%U' codec can't encode character '\\x%02x' in position %zd: %U"
                      : "can't translate character '\\x%02x' in position %zd: %U";
    if (c <= 0xffff)
        return encode ? "'%U' codec can't encode character '\\u%04x' in position %zd: %U"
                      : "can't translate character '\\u%04x' in position %zd: %U";
    return encode ? "'%U' codec can't encode character '\\U%08x' in position %zd: %U"
                  : "can't translate character '\\U%08x' in position %zd: %U";
}

static PyObject *
unicode_strerr(PyObject *op, int encode)
{
    PyUnicodeErrorObject *self = (PyUnicodeErrorObject *)op;
    PyObject *enc = NULL, *reason, *r;
    Py_ssize_t len, start = self->start, end = self->end;

    if (self->object == NULL || !PyUnicode_Check(self->object))
        return PyUnicode_FromString("");
    if (encode) {
        enc = PyObject_Str(self->encoding);
        if (enc == NULL)
            return NULL;
    }
    reason = PyObject_Str(self->reason);
    if (reason == NULL) {
        Py_XDECREF(enc);
        return NULL;
    }
    len = PyUnicode_GetLength(self->object);
    if (start >= 0 && start < len && end >= 0 && end <= len && end == start + 1) {
        Py_UCS4 c = PyUnicode_ReadChar(self->object, start);
        const char *fmt = unicode_char_fmt(c, encode);
        if (encode)
            r = PyUnicode_FromFormat(fmt, enc, (unsigned int)c, start, reason);
        else
            r = PyUnicode_FromFormat(fmt, (unsigned int)c, start, reason);
    } else if (encode) {
        r = PyUnicode_FromFormat("'%U' codec can't encode characters in position %zd-%zd: %U",
                                 enc, start, end - 1, reason);
    } else {
        r = PyUnicode_FromFormat("can't translate characters in position %zd-%zd: %U",
                                 start, end - 1, reason);
    }
    Py_XDECREF(enc);
    Py_DECREF(reason);
    return r;
}

static PyObject *
unicodeencode_str(PyObject *op)
{
    return unicode_strerr(op, 1);
}

static PyObject *
unicodetranslate_str(PyObject *op)
{
    return unicode_strerr(op, 0);
}

static PyMemberDef unicodeerror_members[] = {
    {"encoding", _Py_T_OBJECT, offsetof(PyUnicodeErrorObject, encoding), 0, "exception encoding"},
    {"object", _Py_T_OBJECT, offsetof(PyUnicodeErrorObject, object), 0, "exception object"},
    {"start", Py_T_PYSSIZET, offsetof(PyUnicodeErrorObject, start), 0, "exception start"},
    {"end", Py_T_PYSSIZET, offsetof(PyUnicodeErrorObject, end), 0, "exception end"},
    {"reason", _Py_T_OBJECT, offsetof(PyUnicodeErrorObject, reason), 0, "exception reason"},
    {NULL, 0, 0, 0, NULL},
};

/* -------------------------------------------------------- the type objects */

#define EXC_TYPE(NAME, BASE, STRUCT, NEW, INIT, FAM, STR, REPR, MEMBERS, METHODS, GETSET, DOC) \
    static PyTypeObject _PyExc_##NAME = { \
        PyVarObject_HEAD_INIT(&PyType_Type, 0) \
        .tp_name = #NAME, \
        .tp_basicsize = sizeof(STRUCT), \
        .tp_dealloc = FAM##_dealloc, \
        .tp_repr = REPR, \
        .tp_str = STR, \
        .tp_flags = EXC_FLAGS, \
        .tp_doc = DOC, \
        .tp_traverse = FAM##_traverse, \
        .tp_clear = FAM##_clear, \
        .tp_methods = METHODS, \
        .tp_members = MEMBERS, \
        .tp_getset = GETSET, \
        .tp_base = BASE, \
        .tp_dictoffset = offsetof(PyBaseExceptionObject, dict), \
        .tp_init = INIT, \
        .tp_new = NEW, \
        .tp_free = PyObject_GC_Del, \
    }; \
    PyObject *PyExc_##NAME = (PyObject *)&_PyExc_##NAME;

/* A subclass that only changes the name (and maybe str()). */
#define EXC_SIMPLE(NAME, BASE, DOC) \
    EXC_TYPE(NAME, &_PyExc_##BASE, PyBaseExceptionObject, exc_new, exc_init, exc, \
             exc_str, exc_repr, NULL, NULL, NULL, DOC)
#define EXC_OS(NAME, BASE, DOC) \
    EXC_TYPE(NAME, &_PyExc_##BASE, PyOSErrorObject, oserror_new, oserror_init, oserror, \
             oserror_str, exc_repr, NULL, NULL, NULL, DOC)

EXC_TYPE(BaseException, NULL, PyBaseExceptionObject, exc_new, exc_init, exc, exc_str,
         exc_repr, exc_members, exc_methods, exc_getset,
         "Common base class for all exceptions")
EXC_SIMPLE(Exception, BaseException, "Common base class for all non-exit exceptions.")
EXC_SIMPLE(BaseExceptionGroup, BaseException, "A combination of multiple unrelated exceptions.")
EXC_SIMPLE(GeneratorExit, BaseException, "Request that a generator exit.")
EXC_SIMPLE(KeyboardInterrupt, BaseException, "Program interrupted by user.")
EXC_TYPE(SystemExit, &_PyExc_BaseException, PySystemExitObject, exc_new, systemexit_init,
         onefield, exc_str, exc_repr, systemexit_members, NULL, NULL,
         "Request to exit from the interpreter.")

EXC_SIMPLE(ArithmeticError, Exception, "Base class for arithmetic errors.")
EXC_SIMPLE(FloatingPointError, ArithmeticError, "Floating-point operation failed.")
EXC_SIMPLE(OverflowError, ArithmeticError, "Result too large to be represented.")
EXC_SIMPLE(ZeroDivisionError, ArithmeticError,
           "Second argument to a division or modulo operation was zero.")
EXC_SIMPLE(AssertionError, Exception, "Assertion failed.")
EXC_TYPE(AttributeError, &_PyExc_Exception, PyAttributeErrorObject, exc_new,
         attributeerror_init, attributeerror, exc_str, exc_repr, attributeerror_members,
         NULL, NULL, "Attribute not found.")
EXC_SIMPLE(BufferError, Exception, "Buffer error.")
EXC_SIMPLE(EOFError, Exception, "Read beyond end of file.")
EXC_TYPE(ImportError, &_PyExc_Exception, PyImportErrorObject, exc_new, importerror_init,
         importerror, importerror_str, importerror_repr, importerror_members, NULL, NULL,
         "Import can't find module, or can't find name in module.")
EXC_TYPE(ModuleNotFoundError, &_PyExc_ImportError, PyImportErrorObject, exc_new,
         importerror_init, importerror, importerror_str, importerror_repr, NULL, NULL, NULL,
         "Module not found.")
EXC_SIMPLE(LookupError, Exception, "Base class for lookup errors.")
EXC_SIMPLE(IndexError, LookupError, "Sequence index out of range.")
EXC_TYPE(KeyError, &_PyExc_LookupError, PyBaseExceptionObject, exc_new, exc_init, exc,
         keyerror_str, exc_repr, NULL, NULL, NULL, "Mapping key not found.")
EXC_SIMPLE(MemoryError, Exception, "Out of memory.")
EXC_TYPE(NameError, &_PyExc_Exception, PyNameErrorObject, exc_new, nameerror_init,
         onefield, exc_str, exc_repr, nameerror_members, NULL, NULL, "Name not found globally.")
EXC_TYPE(UnboundLocalError, &_PyExc_NameError, PyNameErrorObject, exc_new, nameerror_init,
         onefield, exc_str, exc_repr, NULL, NULL, NULL, "Local name referenced but not bound to a value.")

EXC_TYPE(OSError, &_PyExc_Exception, PyOSErrorObject, oserror_new, oserror_init, oserror,
         oserror_str, exc_repr, oserror_members, NULL, NULL, "Base class for I/O related errors.")
PyObject *PyExc_EnvironmentError = (PyObject *)&_PyExc_OSError;
PyObject *PyExc_IOError = (PyObject *)&_PyExc_OSError;
EXC_OS(BlockingIOError, OSError, "I/O operation would block.")
EXC_OS(ChildProcessError, OSError, "Child process error.")
EXC_OS(ConnectionError, OSError, "Connection error.")
EXC_OS(BrokenPipeError, ConnectionError, "Broken pipe.")
EXC_OS(ConnectionAbortedError, ConnectionError, "Connection aborted.")
EXC_OS(ConnectionRefusedError, ConnectionError, "Connection refused.")
EXC_OS(ConnectionResetError, ConnectionError, "Connection reset.")
EXC_OS(FileExistsError, OSError, "File already exists.")
EXC_OS(FileNotFoundError, OSError, "File not found.")
EXC_OS(InterruptedError, OSError, "Interrupted by signal.")
EXC_OS(IsADirectoryError, OSError, "Operation doesn't work on directories.")
EXC_OS(NotADirectoryError, OSError, "Operation only works on directories.")
EXC_OS(PermissionError, OSError, "Not enough permissions.")
EXC_OS(ProcessLookupError, OSError, "Process not found.")
EXC_OS(TimeoutError, OSError, "Timeout expired.")

EXC_SIMPLE(ReferenceError, Exception, "Weak ref proxy used after referent went away.")
EXC_SIMPLE(RuntimeError, Exception, "Unspecified run-time error.")
EXC_SIMPLE(NotImplementedError, RuntimeError, "Method or function hasn't been implemented yet.")
EXC_SIMPLE(PythonFinalizationError, RuntimeError, "Operation blocked during Python finalization.")
EXC_SIMPLE(RecursionError, RuntimeError, "Recursion limit exceeded.")
EXC_SIMPLE(StopAsyncIteration, Exception, "Signal the end from iterator.__anext__().")
EXC_TYPE(StopIteration, &_PyExc_Exception, PyStopIterationObject, exc_new, stopiteration_init,
         onefield, exc_str, exc_repr, stopiteration_members, NULL, NULL,
         "Signal the end from iterator.__next__().")
EXC_SIMPLE(SyntaxError, Exception, "Invalid syntax.")
EXC_SIMPLE(IndentationError, SyntaxError, "Improper indentation.")
EXC_SIMPLE(TabError, IndentationError, "Improper mixture of spaces and tabs.")
EXC_SIMPLE(SystemError, Exception,
           "Internal error in the Python interpreter.\n\n"
           "Please report this to the Python maintainer, along with the traceback,\n"
           "the Python version, and the hardware/OS platform and version.")
EXC_SIMPLE(TypeError, Exception, "Inappropriate argument type.")
EXC_SIMPLE(ValueError, Exception, "Inappropriate argument value (of correct type).")
EXC_TYPE(UnicodeError, &_PyExc_ValueError, PyUnicodeErrorObject, exc_new, exc_init,
         unicodeerror, exc_str, exc_repr, unicodeerror_members, NULL, NULL, "Unicode related error.")
EXC_TYPE(UnicodeDecodeError, &_PyExc_UnicodeError, PyUnicodeErrorObject, exc_new,
         unicodedecode_init, unicodeerror, unicodedecode_str, exc_repr, NULL, NULL, NULL,
         "Unicode decoding error.")
EXC_TYPE(UnicodeEncodeError, &_PyExc_UnicodeError, PyUnicodeErrorObject, exc_new,
         unicodeencode_init, unicodeerror, unicodeencode_str, exc_repr, NULL, NULL, NULL,
         "Unicode encoding error.")
EXC_TYPE(UnicodeTranslateError, &_PyExc_UnicodeError, PyUnicodeErrorObject, exc_new,
         unicodetranslate_init, unicodeerror, unicodetranslate_str, exc_repr, NULL, NULL, NULL,
         "Unicode translation error.")

EXC_SIMPLE(Warning, Exception, "Base class for warning categories.")
EXC_SIMPLE(BytesWarning, Warning,
           "Base class for warnings about bytes and buffer related problems, mostly\n"
           "related to conversion from str or comparing to str.")
EXC_SIMPLE(DeprecationWarning, Warning, "Base class for warnings about deprecated features.")
EXC_SIMPLE(EncodingWarning, Warning, "Base class for warnings about encodings.")
EXC_SIMPLE(FutureWarning, Warning,
           "Base class for warnings about constructs that will change semantically\n"
           "in the future.")
EXC_SIMPLE(ImportWarning, Warning,
           "Base class for warnings about probable mistakes in module imports")
EXC_SIMPLE(PendingDeprecationWarning, Warning,
           "Base class for warnings about features which will be deprecated\n"
           "in the future.")
EXC_SIMPLE(ResourceWarning, Warning, "Base class for warnings about resource usage.")
EXC_SIMPLE(RuntimeWarning, Warning, "Base class for warnings about dubious runtime behavior.")
EXC_SIMPLE(SyntaxWarning, Warning, "Base class for warnings about dubious syntax.")
EXC_SIMPLE(UnicodeWarning, Warning,
           "Base class for warnings about Unicode related problems, mostly\n"
           "related to conversion problems.")
EXC_SIMPLE(UserWarning, Warning, "Base class for warnings generated by user code.")

/* In readying order: every base before its subclasses. */
static PyTypeObject *const exc_all_types[] = {
    &_PyExc_BaseException, &_PyExc_Exception, &_PyExc_BaseExceptionGroup,
    &_PyExc_GeneratorExit, &_PyExc_KeyboardInterrupt, &_PyExc_SystemExit,
    &_PyExc_ArithmeticError, &_PyExc_FloatingPointError, &_PyExc_OverflowError,
    &_PyExc_ZeroDivisionError, &_PyExc_AssertionError, &_PyExc_AttributeError,
    &_PyExc_BufferError, &_PyExc_EOFError, &_PyExc_ImportError, &_PyExc_ModuleNotFoundError,
    &_PyExc_LookupError, &_PyExc_IndexError, &_PyExc_KeyError, &_PyExc_MemoryError,
    &_PyExc_NameError, &_PyExc_UnboundLocalError, &_PyExc_OSError, &_PyExc_BlockingIOError,
    &_PyExc_ChildProcessError, &_PyExc_ConnectionError, &_PyExc_BrokenPipeError,
    &_PyExc_ConnectionAbortedError, &_PyExc_ConnectionRefusedError,
    &_PyExc_ConnectionResetError, &_PyExc_FileExistsError, &_PyExc_FileNotFoundError,
    &_PyExc_InterruptedError, &_PyExc_IsADirectoryError, &_PyExc_NotADirectoryError,
    &_PyExc_PermissionError, &_PyExc_ProcessLookupError, &_PyExc_TimeoutError,
    &_PyExc_ReferenceError, &_PyExc_RuntimeError, &_PyExc_NotImplementedError,
    &_PyExc_PythonFinalizationError, &_PyExc_RecursionError, &_PyExc_StopAsyncIteration,
    &_PyExc_StopIteration, &_PyExc_SyntaxError, &_PyExc_IndentationError, &_PyExc_TabError,
    &_PyExc_SystemError, &_PyExc_TypeError, &_PyExc_ValueError, &_PyExc_UnicodeError,
    &_PyExc_UnicodeDecodeError, &_PyExc_UnicodeEncodeError, &_PyExc_UnicodeTranslateError,
    &_PyExc_Warning, &_PyExc_BytesWarning, &_PyExc_DeprecationWarning,
    &_PyExc_EncodingWarning, &_PyExc_FutureWarning, &_PyExc_ImportWarning,
    &_PyExc_PendingDeprecationWarning, &_PyExc_ResourceWarning, &_PyExc_RuntimeWarning,
    &_PyExc_SyntaxWarning, &_PyExc_UnicodeWarning, &_PyExc_UserWarning,
};

static PyTypeObject *
oserror_subclass_for(long err)
{
    switch (err) {
#ifdef EAGAIN
    case EAGAIN:
#endif
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EALREADY:
    case EINPROGRESS:
        return &_PyExc_BlockingIOError;
    case ECHILD:
        return &_PyExc_ChildProcessError;
    case EPIPE:
    case ESHUTDOWN:
        return &_PyExc_BrokenPipeError;
    case ECONNABORTED:
        return &_PyExc_ConnectionAbortedError;
    case ECONNREFUSED:
        return &_PyExc_ConnectionRefusedError;
    case ECONNRESET:
        return &_PyExc_ConnectionResetError;
    case EEXIST:
        return &_PyExc_FileExistsError;
    case ENOENT:
        return &_PyExc_FileNotFoundError;
    case EISDIR:
        return &_PyExc_IsADirectoryError;
    case ENOTDIR:
        return &_PyExc_NotADirectoryError;
    case EINTR:
        return &_PyExc_InterruptedError;
    case EACCES:
    case EPERM:
        return &_PyExc_PermissionError;
    case ESRCH:
        return &_PyExc_ProcessLookupError;
    case ETIMEDOUT:
        return &_PyExc_TimeoutError;
    default:
        return NULL;
    }
}

/* --------------------------------------------------- the static MemoryError
 *
 * Raised by PyErr_NoMemory when not even a MemoryError can be allocated.  It
 * is immortal and never freed; whatever a caller attached to it (a cause, a
 * note) is released by exc_fini_types. */
static PyBaseExceptionObject exc_nomem = {
    .ob_base = PyObject_HEAD_INIT(&_PyExc_MemoryError)
};

PyObject *
exc_nomem_static(void)
{
    return (PyObject *)&exc_nomem;
}

/* ---------------------------------------------------------- PyException_* */

static int
exc_check_instance(PyObject *self)
{
    if (self == NULL || !PyExceptionInstance_Check(self)) {
        PyErr_BadInternalCall();
        return -1;
    }
    return 0;
}

PyObject *
PyException_GetTraceback(PyObject *self)
{
    if (exc_check_instance(self) < 0)
        return NULL;
    return exc_field_get_ref(&EXC(self)->traceback);
}

int
PyException_SetTraceback(PyObject *self, PyObject *tb)
{
    if (exc_check_instance(self) < 0)
        return -1;
    /* pymodrt has no traceback objects: None is the only valid value. */
    if (tb != Py_None) {
        PyErr_SetString(PyExc_TypeError, "__traceback__ must be a traceback or None");
        return -1;
    }
    exc_field_set(self, &EXC(self)->traceback, NULL);
    return 0;
}

PyObject *
PyException_GetCause(PyObject *self)
{
    return exc_field_get_ref(&EXC(self)->cause);
}

void
PyException_SetCause(PyObject *self, PyObject *cause)
{
    exc_set_suppress(self, 1);
    exc_field_set(self, &EXC(self)->cause, cause);
}

PyObject *
PyException_GetContext(PyObject *self)
{
    return exc_field_get_ref(&EXC(self)->context);
}

void
PyException_SetContext(PyObject *self, PyObject *context)
{
    exc_field_set(self, &EXC(self)->context, context);
}

PyObject *
PyException_GetArgs(PyObject *self)
{
    return exc_args_ref(self);
}

void
PyException_SetArgs(PyObject *self, PyObject *args)
{
    exc_field_set(self, &EXC(self)->args, Py_NewRef(args));
}

const char *
PyExceptionClass_Name(PyObject *ob)
{
    return ((PyTypeObject *)ob)->tp_name;
}

/* BaseException.add_note(note): appends to __notes__, creating the list. */
static int
exc_add_note_impl(PyObject *self, PyObject *note)
{
    PyObject *notes;

    if (exc_check_instance(self) < 0)
        return -1;
    if (!PyUnicode_Check(note)) {
        PyErr_Format(PyExc_TypeError, "note must be a str, not '%s'", Py_TYPE(note)->tp_name);
        return -1;
    }
    notes = exc_field_get_ref(&EXC(self)->notes);
    if (notes == NULL) {
        notes = PyList_New(0);
        if (notes == NULL)
            return -1;
        exc_field_set(self, &EXC(self)->notes, Py_NewRef(notes));
    }
    if (!PyList_Check(notes)) {
        Py_DECREF(notes);
        PyErr_SetString(PyExc_TypeError, "Cannot add note: __notes__ is not a list");
        return -1;
    }
    int rc = PyList_Append(notes, note);
    Py_DECREF(notes);
    return rc;
}

/* ------------------------------------------------------ Unicode error C API */

PyObject *
PyUnicodeDecodeError_Create(const char *encoding, const char *object, Py_ssize_t length,
                            Py_ssize_t start, Py_ssize_t end, const char *reason)
{
    PyObject *items[5] = {NULL, NULL, NULL, NULL, NULL}, *args = NULL, *r = NULL;

    items[0] = PyUnicode_FromString(encoding);
    if (items[0] == NULL)
        goto done;
    items[1] = PyBytes_FromStringAndSize(object, length);
    if (items[1] == NULL)
        goto done;
    items[2] = PyLong_FromSsize_t(start);
    if (items[2] == NULL)
        goto done;
    items[3] = PyLong_FromSsize_t(end);
    if (items[3] == NULL)
        goto done;
    items[4] = PyUnicode_FromString(reason);
    if (items[4] == NULL)
        goto done;
    args = PyTuple_FromArray(items, 5);
    if (args == NULL)
        goto done;
    r = PyObject_Call(PyExc_UnicodeDecodeError, args, NULL);
done:
    for (int i = 0; i < 5; i++)
        Py_XDECREF(items[i]);
    Py_XDECREF(args);
    return r;
}

static PyUnicodeErrorObject *
unicodedecode_check(PyObject *exc)
{
    if (exc == NULL || !PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_UnicodeDecodeError)) {
        PyErr_Format(PyExc_TypeError, "expected a UnicodeDecodeError, got '%s'",
                     exc ? Py_TYPE(exc)->tp_name : "NULL");
        return NULL;
    }
    return (PyUnicodeErrorObject *)exc;
}

static PyObject *
unicodedecode_attr(PyObject *exc, size_t off, const char *name)
{
    PyUnicodeErrorObject *u = unicodedecode_check(exc);
    PyObject *v;

    if (u == NULL)
        return NULL;
    v = *(PyObject **)((char *)u + off);
    if (v == NULL) {
        PyErr_Format(PyExc_TypeError, "%s attribute not set", name);
        return NULL;
    }
    return Py_NewRef(v);
}

PyObject *
PyUnicodeDecodeError_GetEncoding(PyObject *exc)
{
    return unicodedecode_attr(exc, offsetof(PyUnicodeErrorObject, encoding), "encoding");
}

PyObject *
PyUnicodeDecodeError_GetObject(PyObject *exc)
{
    return unicodedecode_attr(exc, offsetof(PyUnicodeErrorObject, object), "object");
}

PyObject *
PyUnicodeDecodeError_GetReason(PyObject *exc)
{
    return unicodedecode_attr(exc, offsetof(PyUnicodeErrorObject, reason), "reason");
}

/* start/end clamped into the object as CPython's accessors do. */
int
PyUnicodeDecodeError_GetStart(PyObject *exc, Py_ssize_t *start)
{
    PyUnicodeErrorObject *u = unicodedecode_check(exc);
    Py_ssize_t len;

    if (u == NULL || u->object == NULL) {
        if (u != NULL)
            PyErr_SetString(PyExc_TypeError, "object attribute not set");
        return -1;
    }
    len = PyBytes_Size(u->object);
    *start = u->start < 0 ? 0 : u->start;
    if (*start >= len)
        *start = len == 0 ? 0 : len - 1;
    return 0;
}

int
PyUnicodeDecodeError_GetEnd(PyObject *exc, Py_ssize_t *end)
{
    PyUnicodeErrorObject *u = unicodedecode_check(exc);
    Py_ssize_t len;

    if (u == NULL || u->object == NULL) {
        if (u != NULL)
            PyErr_SetString(PyExc_TypeError, "object attribute not set");
        return -1;
    }
    len = PyBytes_Size(u->object);
    *end = u->end < 1 ? 1 : u->end;
    if (*end > len)
        *end = len;
    return 0;
}

/* ------------------------------------------------------------- init / fini */

int
exc_init_types(void)
{
    for (size_t i = 0; i < sizeof(exc_all_types) / sizeof(exc_all_types[0]); i++) {
        if (PyType_Ready(exc_all_types[i]) < 0)
            return -1;
    }
    return 0;
}

void
exc_fini_types(void)
{
    /* The types themselves are unreadied with the other static types by
     * type_fini_static; here: what the static MemoryError collected during
     * the run, and the set of warnings already shown. */
    exc_clear((PyObject *)&exc_nomem);
    warn_fini();
}
