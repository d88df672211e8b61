#include "internal/pycore.h"
/* warnings.c: PyErr_WarnEx and friends without a Python warnings module.
 *
 * Purpose: the C API of CPython's warnings with its default behaviour:
 *   - A warning is shown on stderr as "<file>:<lineno>: Category: message".
 *     pymodrt has no Python frames, so warnings issued through PyErr_WarnEx,
 *     PyErr_WarnFormat, PyErr_ResourceWarning and rt_warn_format_v get the
 *     location CPython 3.12+ gives a warning raised with no frame at all:
 *     file "<sys>", line 0, module "sys" (CPython's setup_context).
 *     PyErr_WarnExplicit uses the location it is given.
 *   - The action follows CPython's default filters: DeprecationWarning
 *     (except from module "__main__"), PendingDeprecationWarning,
 *     ImportWarning and ResourceWarning are ignored; every other warning is
 *     shown once per (category, message, file, lineno), which for the
 *     frameless warnings means once per (category, message).  The set of
 *     shown warnings lives until Py_FinalizeEx (warn_fini), like CPython's
 *     registries live with the interpreter.  The PyErr_WarnExplicit
 *     'registry' argument is not used.
 *   - PyConfig.warnoptions: the bare actions "error", "ignore", "always",
 *     "default", "once" and "module" apply to every category, the last one
 *     winning, as several -W options do.  "error" (rt_runtime.warnings_error)
 *     raises the warning as an exception of its category: the functions
 *     return -1.  Options with ':' fields are not interpreted.
 *
 * Invariants: the shown-set is "guarded by warn_lock"; config is immutable
 * after init.
 *
 * Organisation: the shown-set; the action; the public functions. */

#include <wchar.h>

#define WARN_NOFRAME_FILE "<sys>"
#define WARN_NOFRAME_LINENO 0
#define WARN_NOFRAME_MODULE "sys"

/* ------------------------------------------------------------- shown set */

struct warn_seen {
    struct warn_seen *next;       /* guarded by warn_lock */
    PyObject *category;           /* immutable; compared by identity only */
    int lineno;                   /* immutable */
    size_t filelen;               /* immutable */
    char key[];                   /* immutable: file '\0' message '\0' */
};

static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;
static struct warn_seen *warn_seen_head;   /* guarded by warn_lock */

/* Records the warning; 1 if it was new, 0 if already shown, -1 on no memory
 * (MemoryError set). */
static int
warn_seen_add(PyObject *category, const char *file, int lineno, const char *text)
{
    size_t fl = strlen(file), tl = strlen(text);
    struct warn_seen *w, *nw;

    pthread_mutex_lock(&warn_lock);
    for (w = warn_seen_head; w != NULL; w = w->next) {
        if (w->category == category && w->lineno == lineno && w->filelen == fl &&
            memcmp(w->key, file, fl) == 0 && strcmp(w->key + fl + 1, text) == 0) {
            pthread_mutex_unlock(&warn_lock);
            return 0;
        }
    }
    nw = mem_alloc(sizeof(*nw) + fl + tl + 2);
    if (nw == NULL) {
        pthread_mutex_unlock(&warn_lock);
        PyErr_NoMemory();
        return -1;
    }
    nw->category = category;
    nw->lineno = lineno;
    nw->filelen = fl;
    memcpy(nw->key, file, fl + 1);
    memcpy(nw->key + fl + 1, text, tl + 1);
    nw->next = warn_seen_head;
    warn_seen_head = nw;
    pthread_mutex_unlock(&warn_lock);
    return 1;
}

void
warn_fini(void)
{
    struct warn_seen *w;

    pthread_mutex_lock(&warn_lock);
    w = warn_seen_head;
    warn_seen_head = NULL;
    pthread_mutex_unlock(&warn_lock);
    while (w != NULL) {
        struct warn_seen *next = w->next;
        mem_free(w);
        w = next;
    }
}

/* ----------------------------------------------------------------- action */

enum warn_action { WARN_IGNORE, WARN_SHOW_ONCE, WARN_ALWAYS, WARN_ERROR };

/* The last bare action of the -W style options, or -1 if none. */
static int
warn_config_action(void)
{
    const PyWideStringList *opts = &rt_runtime.config.warnoptions;
    int action = -1;

    if (rt_runtime.warnings_error)
        action = WARN_ERROR;
    for (Py_ssize_t i = 0; i < opts->length; i++) {
        const wchar_t *o = opts->items[i];
        if (wcscmp(o, L"error") == 0)
            action = WARN_ERROR;
        else if (wcscmp(o, L"ignore") == 0)
            action = WARN_IGNORE;
        else if (wcscmp(o, L"always") == 0)
            action = WARN_ALWAYS;
        else if (wcscmp(o, L"default") == 0 || wcscmp(o, L"once") == 0 ||
                 wcscmp(o, L"module") == 0)
            action = WARN_SHOW_ONCE;
    }
    return action;
}

static int
warn_is_sub(PyObject *category, PyObject *base)
{
    return PyType_IsSubtype((PyTypeObject *)category, (PyTypeObject *)base);
}

static enum warn_action
warn_action_for(PyObject *category, const char *module)
{
    int action = warn_config_action();

    if (action >= 0)
        return (enum warn_action)action;
    /* CPython's default filter list. */
    if (warn_is_sub(category, PyExc_DeprecationWarning))
        return module != NULL && strcmp(module, "__main__") == 0 ? WARN_SHOW_ONCE : WARN_IGNORE;
    if (warn_is_sub(category, PyExc_PendingDeprecationWarning) ||
        warn_is_sub(category, PyExc_ImportWarning) ||
        warn_is_sub(category, PyExc_ResourceWarning))
        return WARN_IGNORE;
    return WARN_SHOW_ONCE;
}

/* -------------------------------------------------------------- warning */

static PyObject *
warn_category(PyObject *category)
{
    if (category == NULL)
        return PyExc_RuntimeWarning;
    if (!PyType_Check(category) || !warn_is_sub(category, PyExc_Warning)) {
        PyErr_Format(PyExc_TypeError, "category must be a Warning subclass, not '%s'",
                     Py_TYPE(category)->tp_name);
        return NULL;
    }
    return category;
}

static int
warn_message(PyObject *category, PyObject *message, const char *file, int lineno,
             const char *module)
{
    const char *text, *name, *dot;
    enum warn_action action;
    int rc;

    category = warn_category(category);
    if (category == NULL)
        return -1;
    action = warn_action_for(category, module);
    if (action == WARN_IGNORE)
        return 0;
    if (action == WARN_ERROR) {
        PyErr_SetObject(category, message);
        return -1;
    }
    text = PyUnicode_AsUTF8(message);
    if (text == NULL)
        return -1;
    if (action == WARN_SHOW_ONCE) {
        rc = warn_seen_add(category, file, lineno, text);
        if (rc <= 0)
            return rc;
    }
    name = ((PyTypeObject *)category)->tp_name;
    dot = strrchr(name, '.');
    if (dot != NULL)
        name = dot + 1;
    flockfile(stderr);
    fprintf(stderr, "%s:%d: %s: %s\n", file, lineno, name, text);
    fflush(stderr);
    funlockfile(stderr);
    return 0;
}

int
rt_warn_format_v(PyObject *category, const char *fmt, va_list va)
{
    PyObject *message = PyUnicode_FromFormatV(fmt, va);
    int rc;

    if (message == NULL)
        return -1;
    rc = warn_message(category, message, WARN_NOFRAME_FILE, WARN_NOFRAME_LINENO,
                      WARN_NOFRAME_MODULE);
    Py_DECREF(message);
    return rc;
}

int
PyErr_WarnEx(PyObject *category, const char *text, Py_ssize_t stack_level)
{
    PyObject *message = PyUnicode_FromString(text);
    int rc;

    (void)stack_level;   /* no frames to walk */
    if (message == NULL)
        return -1;
    rc = warn_message(category, message, WARN_NOFRAME_FILE, WARN_NOFRAME_LINENO,
                      WARN_NOFRAME_MODULE);
    Py_DECREF(message);
    return rc;
}

int
PyErr_WarnFormat(PyObject *category, Py_ssize_t stack_level, const char *format, ...)
{
    va_list va;
    int rc;

    (void)stack_level;
    va_start(va, format);
    rc = rt_warn_format_v(category, format, va);
    va_end(va);
    return rc;
}

int
PyErr_ResourceWarning(PyObject *source, Py_ssize_t stack_level, const char *format, ...)
{
    va_list va;
    int rc;

    /* 'source' only feeds tracemalloc's report in CPython. */
    (void)source;
    (void)stack_level;
    va_start(va, format);
    rc = rt_warn_format_v(PyExc_ResourceWarning, format, va);
    va_end(va);
    return rc;
}

int
PyErr_WarnExplicit(PyObject *category, const char *text, const char *filename, int lineno,
                   const char *module, PyObject *registry)
{
    PyObject *message = PyUnicode_FromString(text);
    int rc;

    (void)registry;
    if (message == NULL)
        return -1;
    if (filename == NULL)
        filename = "<unknown>";
    rc = warn_message(category, message, filename, lineno, module);
    Py_DECREF(message);
    return rc;
}
