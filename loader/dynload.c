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

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <time.h>

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

/* Directory listings (CPython's FileFinder keeps one too).  Searching a
 * directory for NAME costs a stat of NAME, of NAME/, and of NAME + each
 * suffix; most of a re-import went to them.  Instead a directory is read
 * once and its names kept, sorted, with whether each is a directory; a
 * lookup then stats only the directory, and answers from the listing
 * while the directory's mtime is the one it was read at.
 *
 * Timestamps are coarse: an entry added in the same tick as the read
 * would leave the mtime unchanged.  So a listing is kept only when the
 * directory's mtime was at least LISTING_SETTLED_NS old when it was read
 * (git treats "racily clean" index entries the same way); a directory that
 * changed more recently is searched with stats, as before.  Listings are
 * process-wide, guarded by listings_mu (taken only on registry misses),
 * and freed with the runtime. */
#define LISTING_SETTLED_NS 2000000000LL

enum { NAME_FILE, NAME_DIR, NAME_OTHER };   /* OTHER: a link or unknown: stat it */

struct listing_name {
    char *name;
    unsigned char kind;
};

struct listing {
    struct listing *next;                   /* guarded by listings_mu */
    char *dir;                              /* immutable */
    struct timespec mtime;                  /* immutable */
    size_t n;
    struct listing_name *names;             /* immutable, sorted by name */
};

static pthread_mutex_t listings_mu = PTHREAD_MUTEX_INITIALIZER;
static struct listing *listings;            /* guarded by listings_mu */

static void
listing_free(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        mem_free(l->names[i].name);
    mem_free(l->names);
    mem_free(l->dir);
    mem_free(l);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(((const struct listing_name *)a)->name, ((const struct listing_name *)b)->name);
}

/* Reads 'dir' whose stat is 'st'.  NULL when memory is short or the
 * directory cannot be read. */
static struct listing *
listing_read(const char *dir, const struct stat *st)
{
    struct listing *l = mem_calloc(1, sizeof(*l));
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 0;

    if (l == NULL || d == NULL || (l->dir = mem_alloc(strlen(dir) + 1)) == NULL)
        goto fail;
    strcpy(l->dir, dir);
    l->mtime = st->st_mtim;
    while ((e = readdir(d)) != NULL) {
        if (l->n == cap) {
            struct listing_name *nn = mem_realloc(l->names, (cap ? cap * 2 : 64) * sizeof(*nn));
            if (nn == NULL)
                goto fail;
            l->names = nn;
            cap = cap ? cap * 2 : 64;
        }
        struct listing_name *ln = &l->names[l->n];
        if ((ln->name = mem_alloc(strlen(e->d_name) + 1)) == NULL)
            goto fail;
        strcpy(ln->name, e->d_name);
        ln->kind = e->d_type == DT_REG ? NAME_FILE : e->d_type == DT_DIR ? NAME_DIR : NAME_OTHER;
        l->n++;
    }
    closedir(d);
    qsort(l->names, l->n, sizeof(*l->names), name_cmp);
    return l;
fail:
    if (d != NULL)
        closedir(d);
    if (l != NULL)
        listing_free(l);
    return NULL;
}

/* The kind of 'name' in 'l', or -1 when it is not there. */
static int
listing_kind(const struct listing *l, const char *name)
{
    struct listing_name key = {(char *)name, 0};
    const struct listing_name *hit = bsearch(&key, l->names, l->n, sizeof(*l->names), name_cmp);

    return hit != NULL ? hit->kind : -1;
}

/* A current listing of 'dir' (with listings_mu held on return), or NULL
 * (listings_mu not held) when 'dir' must be searched with stats: it is no
 * directory, it changed too recently, or memory is short. */
static struct listing *
listing_get_locked(const char *dir)
{
    struct stat st;
    struct timespec now;
    struct listing **p, *l;

    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    pthread_mutex_lock(&listings_mu);
    for (p = &listings; (l = *p) != NULL; p = &l->next) {
        if (strcmp(l->dir, dir) != 0)
            continue;
        if (l->mtime.tv_sec == st.st_mtim.tv_sec && l->mtime.tv_nsec == st.st_mtim.tv_nsec)
            return l;
        *p = l->next;          /* stale */
        listing_free(l);
        break;
    }
    pthread_mutex_unlock(&listings_mu);
    clock_gettime(CLOCK_REALTIME, &now);
    if ((int64_t)(now.tv_sec - st.st_mtim.tv_sec) * 1000000000LL +
            (now.tv_nsec - st.st_mtim.tv_nsec) < LISTING_SETTLED_NS)
        return NULL;           /* changed too recently to trust a listing */
    l = listing_read(dir, &st);
    if (l == NULL)
        return NULL;
    pthread_mutex_lock(&listings_mu);
    l->next = listings;
    listings = l;
    return l;
}

static void
listings_fini(void)
{
    pthread_mutex_lock(&listings_mu);
    while (listings != NULL) {
        struct listing *l = listings;
        listings = l->next;
        listing_free(l);
    }
    pthread_mutex_unlock(&listings_mu);
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
    struct listing *l = listing_get_locked(dir);
    if (l != NULL) {
        /* What the listing says, and stats only where it cannot say. */
        int kind = listing_kind(l, shortname), found = -1;
        if (kind == -1 || kind == NAME_FILE) {
            found = 0;
            for (int i = 0; imp_suffixes[i] != NULL && !found; i++) {
                snprintf(buf, cap, "%s%s", shortname, imp_suffixes[i]);
                int k = listing_kind(l, buf);
                if (k == NAME_OTHER) {
                    found = -1;            /* a link: let stat decide */
                    break;
                }
                if (k == NAME_FILE) {
                    snprintf(buf, cap, "%s%s%s%s", dir, sep, shortname, imp_suffixes[i]);
                    *path = buf;
                    *is_package = 0;
                    found = 1;
                }
            }
        }
        pthread_mutex_unlock(&listings_mu);
        if (found == 1)
            return 1;
        if (found == 0) {
            PyMem_Free(buf);
            return 0;
        }
    }
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
    listings_fini();
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
