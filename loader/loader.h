/* loader.h: the import system's internal interfaces (loader/).
 *
 * Files: spec.c (module spec and loader objects), dynload.c (search path,
 * library handles, export-hook lookup), import.c (sys.modules, module
 * locks, the three initialization paths, the import API), sysmodule.c
 * (the per-interpreter sys module). */
#ifndef PYMODRT_LOADER_H
#define PYMODRT_LOADER_H

#ifndef PYMODRT_BUILD_CORE
#  error "loader/loader.h is internal to pymodrt"
#endif

#include "internal/module.h"

/* ---------------------------------------------------------------- spec.c */

/* A native importlib.machinery.ModuleSpec: name, origin, loader, parent,
 * submodule_search_locations, has_location, cached, _initializing.  All
 * fields are immutable after creation except _initializing (atomic). */
typedef struct {
    PyObject_HEAD
    PyObject *name;
    PyObject *origin;
    PyObject *loader;
    PyObject *parent;
    PyObject *locations;       /* submodule_search_locations or None */
    PyObject *cached;
    int has_location;
    int initializing;          /* atomic */
    PyObject *dict;
} imp_spec;

RT_INTERNAL extern PyTypeObject imp_spec_type;
RT_INTERNAL extern PyTypeObject imp_extloader_type;
RT_INTERNAL extern PyTypeObject imp_builtin_importer_type;

RT_INTERNAL PyObject *imp_spec_new(PyObject *name, PyObject *origin, PyObject *loader,
                                   int has_location, PyObject *locations);
RT_INTERNAL PyObject *imp_extloader_new(PyObject *name, PyObject *path);
RT_INTERNAL int imp_spec_initializing(PyObject *spec);
RT_INTERNAL void imp_spec_set_initializing(PyObject *spec, int value);
RT_INTERNAL int imp_spec_types_init(void);

/* ------------------------------------------------------------- dynload.c */

/* Extension file suffixes, most specific first (NULL-terminated). */
RT_INTERNAL extern const char *const imp_suffixes[];

/* Finds 'shortname' in directory 'dir': a file <shortname><suffix>, or a
 * package directory <shortname>/__init__<suffix>.  Returns 1 and a new
 * path string (and *is_package), 0 if absent, -1 on error. */
RT_INTERNAL int imp_find_in_dir(const char *dir, const char *shortname, char **path,
                                int *is_package);

/* dlopen with per-process handle sharing.  Returns the handle, or NULL with
 * ImportError(dlerror(), name=shortname, path=path) set. */
RT_INTERNAL void *imp_dlopen(const char *path, PyObject *shortname, int flags);
/* Closes every handle (finalization). */
RT_INTERNAL void imp_dl_fini(void);

enum imp_hook_kind { IMP_HOOK_NONE, IMP_HOOK_INIT, IMP_HOOK_EXPORT };
struct imp_hook {
    enum imp_hook_kind kind;
    int unicode;               /* the name needed punycode (PyInitU_/PyModExportU_) */
    void *fn;
    char symbol[258];          /* the symbol found (or the PyInit_ one tried) */
    char shortname_enc[258];   /* the encoded short name, for messages */
};
/* Fills the names only (encoded short name, PyInit symbol, unicode flag). */
RT_INTERNAL int imp_find_hook_names(const char *fullname, struct imp_hook *hook);
/* Looks up PyModExport_<name>, then PyInit_<name>.  Returns 0 (kind NONE
 * if neither exists), -1 with an exception for a name that cannot be
 * encoded. */
RT_INTERNAL int imp_find_hook(void *handle, const char *fullname, struct imp_hook *hook);

/* -------------------------------------------------------------- import.c */

RT_INTERNAL int imp_interp_init(PyInterpreterState *interp);
RT_INTERNAL void imp_interp_fini(PyInterpreterState *interp);
RT_INTERNAL void imp_runtime_fini(void);

/* ----------------------------------------------------------- sysmodule.c */

RT_INTERNAL PyObject *imp_sys_create(PyInterpreterState *interp);

#endif /* !PYMODRT_LOADER_H */
