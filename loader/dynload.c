/* dynload.c: finding extension files, loading them, and finding their
 * export hooks (SEMANTICS.md 2).
 *
 * Suffixes: pymodrt's own ABI tag first, so that a binary built for another
 * runtime (a CPython .cpython-315t-... file) is never mistaken for one of
 * ours, then plain ".so".
 *
 * Library handles: one per file per process, kept in a dict from path to a
 * capsule that owns the handle.  The dict is lock-free for readers; two
 * threads that load the same file race to insert with SetDefaultRef and
 * the loser closes its own (dlopen counted it twice, so the handle stays
 * valid).  Handles are closed when the runtime finalizes, after every
 * module object is gone. */
#include "loader.h"
#include "punycode.h"

#include <dlfcn.h>
#include <sys/stat.h>

#if defined(__x86_64__)
#  define PYMODRT_ARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#  define PYMODRT_ARCH "aarch64-linux-gnu"
#else
#  define PYMODRT_ARCH "linux-gnu"
#endif

const char *const imp_suffixes[] = {
    ".pymodrt-315t-" PYMODRT_ARCH ".so",
    ".so",
    NULL,
};

static PyObject *dl_handles;          /* dict path -> capsule(handle); lock-free reads */
static pthread_mutex_t dl_init_lock = PTHREAD_MUTEX_INITIALIZER;  /* guards creating dl_handles */

/* ------------------------------------------------------------ searching */

static int
is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
imp_find_in_dir(const char *dir, const char *shortname, char **path, int *is_package)
{
    size_t dlen = strlen(dir), nlen = strlen(shortname), cap;
    char *buf;

    cap = dlen + 1 + nlen + sizeof("/__init__") + 64;
    buf = PyMem_Malloc(cap);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    const char *sep = (dlen > 0 && dir[dlen - 1] == '/') ? "" : "/";
    if (dlen == 0)
        dir = ".";
    /* A package directory wins over a module file of the same name. */
    snprintf(buf, cap, "%s%s%s", dir, sep, shortname);
    if (is_dir(buf)) {
        for (int i = 0; imp_suffixes[i] != NULL; i++) {
            snprintf(buf, cap, "%s%s%s/__init__%s", dir, sep, shortname, imp_suffixes[i]);
            if (is_file(buf)) {
                *path = buf;
                *is_package = 1;
                return 1;
            }
        }
    }
    for (int i = 0; imp_suffixes[i] != NULL; i++) {
        snprintf(buf, cap, "%s%s%s%s", dir, sep, shortname, imp_suffixes[i]);
        if (is_file(buf)) {
            *path = buf;
            *is_package = 0;
            return 1;
        }
    }
    PyMem_Free(buf);
    return 0;
}

/* ------------------------------------------------------------ handles */

static void
handle_capsule_destroy(PyObject *capsule)
{
    void *handle = PyCapsule_GetPointer(capsule, "pymodrt.dlhandle");

    if (handle != NULL)
        dlclose(handle);
}

static int
dl_table_ready(void)
{
    if (__atomic_load_n(&dl_handles, __ATOMIC_ACQUIRE) != NULL)
        return 0;
    pthread_mutex_lock(&dl_init_lock);
    if (dl_handles == NULL) {
        PyObject *d = PyDict_New();
        if (d == NULL) {
            pthread_mutex_unlock(&dl_init_lock);
            return -1;
        }
        __atomic_store_n(&dl_handles, d, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&dl_init_lock);
    return 0;
}

static void
set_dlopen_error(const char *msg, PyObject *shortname, const char *path)
{
    PyObject *m = PyUnicode_DecodeLocale(msg, "surrogateescape"), *p;

    if (m == NULL) {
        PyErr_Clear();
        m = PyUnicode_FromString(msg);
        if (m == NULL)
            return;
    }
    p = PyUnicode_DecodeFSDefault(path);
    if (p != NULL)
        PyErr_SetImportError(m, shortname, p);
    Py_DECREF(m);
    Py_XDECREF(p);
}

void *
imp_dlopen(const char *path, PyObject *shortname, int flags)
{
    PyObject *key, *cap = NULL, *existing = NULL;
    char *pathbuf = NULL;
    const char *openpath = path;
    void *handle;

    if (dl_table_ready() < 0)
        return NULL;
    key = PyUnicode_DecodeFSDefault(path);
    if (key == NULL)
        return NULL;
    if (PyDict_GetItemRef(dl_handles, key, &existing) < 0)
        goto error;
    if (existing != NULL) {
        handle = PyCapsule_GetPointer(existing, "pymodrt.dlhandle");
        Py_DECREF(existing);
        Py_DECREF(key);
        return handle;
    }
    /* A bare file name is made relative so dlopen does not search. */
    if (strchr(path, '/') == NULL) {
        size_t n = strlen(path) + 3;
        pathbuf = PyMem_Malloc(n);
        if (pathbuf == NULL) {
            PyErr_NoMemory();
            goto error;
        }
        snprintf(pathbuf, n, "./%s", path);
        openpath = pathbuf;
    }
    handle = dlopen(openpath, flags);
    if (handle == NULL) {
        const char *err = dlerror();
        set_dlopen_error(err != NULL ? err : "unknown dlopen() error", shortname, openpath);
        goto error;
    }
    cap = PyCapsule_New(handle, "pymodrt.dlhandle", handle_capsule_destroy);
    if (cap == NULL) {
        dlclose(handle);
        goto error;
    }
    if (PyDict_SetDefaultRef(dl_handles, key, cap, &existing) < 0)
        goto error;   /* the capsule closes the handle */
    if (existing != cap) {
        /* Another thread published this file first: use its handle. */
        handle = PyCapsule_GetPointer(existing, "pymodrt.dlhandle");
    }
    Py_DECREF(existing);
    Py_DECREF(cap);
    Py_DECREF(key);
    PyMem_Free(pathbuf);
    return handle;
error:
    Py_XDECREF(cap);
    Py_DECREF(key);
    PyMem_Free(pathbuf);
    return NULL;
}

void
imp_dl_fini(void)
{
    PyObject *d = dl_handles;

    dl_handles = NULL;
    Py_XDECREF(d);
}

/* ---------------------------------------------------------------- hooks */

static int
hook_symbol(const char *pa, const char *pu, const char *fullname, char *buf)
{
    int r = imp_hook_symbol(pa, pu, fullname, buf, IMP_HOOK_SYMBOL_MAX);

    if (r < 0) {
        PyErr_Format(PyExc_ImportError, "cannot encode the name of module '%s'", fullname);
        return -1;
    }
    return r;
}

int
imp_find_hook_names(const char *fullname, struct imp_hook *hook)
{
    char sym[IMP_HOOK_SYMBOL_MAX];
    int u;

    memset(hook, 0, sizeof(*hook));
    u = hook_symbol("PyInit", "PyInitU", fullname, sym);
    if (u < 0)
        return -1;
    hook->unicode = u;
    /* The encoded short name: what follows "PyInit_" / "PyInitU_". */
    snprintf(hook->shortname_enc, sizeof(hook->shortname_enc), "%s", strchr(sym, '_') + 1);
    snprintf(hook->symbol, sizeof(hook->symbol), "%s", sym);
    return 0;
}

int
imp_find_hook(void *handle, const char *fullname, struct imp_hook *hook)
{
    char sym[IMP_HOOK_SYMBOL_MAX];
    void *fn;

    if (imp_find_hook_names(fullname, hook) < 0)
        return -1;
    if (hook_symbol("PyModExport", "PyModExportU", fullname, sym) < 0)
        return -1;
    dlerror();
    fn = dlsym(handle, sym);
    if (fn != NULL) {
        hook->kind = IMP_HOOK_EXPORT;
        hook->fn = fn;
        snprintf(hook->symbol, sizeof(hook->symbol), "%s", sym);
        return 0;
    }
    fn = dlsym(handle, hook->symbol);
    if (fn != NULL) {
        hook->kind = IMP_HOOK_INIT;
        hook->fn = fn;
    }
    dlerror();   /* a missing symbol is not an error to keep */
    return 0;
}
