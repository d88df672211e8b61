/* lifecycle.c: PyConfig, PyStatus, Py_Initialize and Py_FinalizeEx.
 *
 * It lives in loader/, the top layer, because starting the runtime starts
 * every part (core objects, the GIL, the import system); core itself knows
 * nothing of loading (DESIGN.md 2).
 *
 * Initialization and finalization run in one thread, with no other thread
 * attached; they are not thread-safe against each other (as in CPython).
 * Initialize -> finalize -> initialize again in one process works: every
 * object the runtime creates is released by finalization, and static types
 * are un-readied so that the next initialization readies them afresh. */
#include "loader.h"

RT_INTERNAL PyInterpreterState *interp_new(PyInterpreterState *share_gil_with);
RT_INTERNAL void interp_delete(PyInterpreterState *interp);
RT_INTERNAL void type_fini_static(void);

/* ----------------------------------------------------------------- status */

PyStatus PyStatus_Ok(void) { return (PyStatus){ ._type = _PyStatus_TYPE_OK }; }

PyStatus
PyStatus_Error(const char *err_msg)
{
    return (PyStatus){ ._type = _PyStatus_TYPE_ERROR, .err_msg = err_msg };
}

PyStatus PyStatus_NoMemory(void) { return PyStatus_Error("memory allocation failed"); }
PyStatus PyStatus_Exit(int code) { return (PyStatus){ ._type = _PyStatus_TYPE_EXIT, .exitcode = code }; }
int PyStatus_IsError(PyStatus s) { return s._type == _PyStatus_TYPE_ERROR; }
int PyStatus_IsExit(PyStatus s) { return s._type == _PyStatus_TYPE_EXIT; }
int PyStatus_Exception(PyStatus s) { return s._type != _PyStatus_TYPE_OK; }

void
Py_ExitStatusException(PyStatus s)
{
    if (PyStatus_IsExit(s))
        exit(s.exitcode);
    if (s.func != NULL)
        fprintf(stderr, "Fatal Python error: %s: %s\n", s.func, s.err_msg ? s.err_msg : "");
    else
        fprintf(stderr, "Fatal Python error: %s\n", s.err_msg ? s.err_msg : "");
    exit(1);
}

/* ----------------------------------------------------------------- config
 * Config strings are owned by the config and allocated from the system
 * heap: a PyConfig may be built and cleared before and after the runtime's
 * own memory accounting is meaningful. */

PyStatus
PyWideStringList_Insert(PyWideStringList *list, Py_ssize_t index, const wchar_t *item)
{
    wchar_t *copy, **items;

    if (index < 0 || index > list->length)
        return PyStatus_Error("PyWideStringList_Insert index must be in range");
    copy = wcsdup(item);
    if (copy == NULL)
        return PyStatus_NoMemory();
    items = realloc(list->items, (size_t)(list->length + 1) * sizeof(*items));
    if (items == NULL) {
        free(copy);
        return PyStatus_NoMemory();
    }
    memmove(&items[index + 1], &items[index], (size_t)(list->length - index) * sizeof(*items));
    items[index] = copy;
    list->items = items;
    list->length++;
    return PyStatus_Ok();
}

PyStatus
PyWideStringList_Append(PyWideStringList *list, const wchar_t *item)
{
    return PyWideStringList_Insert(list, list->length, item);
}

static void
wsl_clear(PyWideStringList *list)
{
    for (Py_ssize_t i = 0; i < list->length; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->length = 0;
}

static PyStatus
wsl_copy(PyWideStringList *dst, const PyWideStringList *src)
{
    *dst = (PyWideStringList){0};
    for (Py_ssize_t i = 0; i < src->length; i++) {
        PyStatus s = PyWideStringList_Append(dst, src->items[i]);
        if (PyStatus_Exception(s)) {
            wsl_clear(dst);
            return s;
        }
    }
    return PyStatus_Ok();
}

void
PyConfig_InitPythonConfig(PyConfig *config)
{
    memset(config, 0, sizeof(*config));
    config->_config_init = 2;
    config->use_environment = 1;
    config->enable_gil = -1;
    config->install_signal_handlers = 1;
}

void
PyConfig_InitIsolatedConfig(PyConfig *config)
{
    memset(config, 0, sizeof(*config));
    config->_config_init = 3;
    config->isolated = 1;
    config->use_environment = 0;
    config->enable_gil = -1;
}

void
PyConfig_Clear(PyConfig *config)
{
    wsl_clear(&config->module_search_paths);
    wsl_clear(&config->warnoptions);
}

PyStatus
PyConfig_SetString(PyConfig *config, wchar_t **config_str, const wchar_t *str)
{
    wchar_t *copy = NULL;

    (void)config;
    if (str != NULL && (copy = wcsdup(str)) == NULL)
        return PyStatus_NoMemory();
    free(*config_str);
    *config_str = copy;
    return PyStatus_Ok();
}

PyStatus
PyConfig_SetBytesString(PyConfig *config, wchar_t **config_str, const char *str)
{
    wchar_t *w;
    size_t n;
    PyStatus s;

    if (str == NULL)
        return PyConfig_SetString(config, config_str, NULL);
    n = mbstowcs(NULL, str, 0);
    if (n == (size_t)-1)
        return PyStatus_Error("cannot decode string");
    w = malloc((n + 1) * sizeof(wchar_t));
    if (w == NULL)
        return PyStatus_NoMemory();
    mbstowcs(w, str, n + 1);
    s = PyConfig_SetString(config, config_str, w);
    free(w);
    return s;
}

/* Reads PYTHON_GIL when the config allows the environment. */
static PyStatus
config_read_env(PyConfig *config)
{
    const char *gil;

    if (!config->use_environment || config->isolated)
        return PyStatus_Ok();
    gil = getenv("PYTHON_GIL");
    if (gil != NULL && *gil != '\0') {
        if (strcmp(gil, "0") == 0)
            config->enable_gil = 0;
        else if (strcmp(gil, "1") == 0)
            config->enable_gil = 1;
        else
            return PyStatus_Error("PYTHON_GIL / -X gil must be \"0\" or \"1\"");
    }
    return PyStatus_Ok();
}

/* ------------------------------------------------------------ initialize */

PyStatus
Py_InitializeFromConfig(const PyConfig *config)
{
    PyInterpreterState *interp;
    PyThreadState *ts;
    PyStatus s;

    if (rt_runtime.initialized)
        return PyStatus_Ok();
    rt_runtime.config = *config;
    s = wsl_copy(&rt_runtime.config.module_search_paths, &config->module_search_paths);
    if (PyStatus_Exception(s))
        return s;
    s = wsl_copy(&rt_runtime.config.warnoptions, &config->warnoptions);
    if (PyStatus_Exception(s))
        goto fail_config;
    s = config_read_env(&rt_runtime.config);
    if (PyStatus_Exception(s))
        goto fail_config;
    rt_runtime.warnings_error = 0;
    for (Py_ssize_t i = 0; i < rt_runtime.config.warnoptions.length; i++)
        if (wcscmp(rt_runtime.config.warnoptions.items[i], L"error") == 0)
            rt_runtime.warnings_error = 1;
    if (rt_types_init() < 0 || str_intern_init() < 0) {
        s = PyStatus_Error("cannot initialize the built-in types");
        goto fail_types;
    }
    interp = interp_new(NULL);
    if (interp == NULL) {
        s = PyStatus_NoMemory();
        goto fail_types;
    }
    rt_runtime.main_interp = interp;
    ts = PyThreadState_New(interp);
    if (ts == NULL) {
        s = PyStatus_NoMemory();
        goto fail_interp;
    }
    PyThreadState_Swap(ts);
    if (exc_init_types() < 0) {
        s = PyStatus_Error("cannot initialize the exception types");
        goto fail_tstate;
    }
    if (imp_interp_init(interp) < 0) {
        s = PyStatus_Error("cannot initialize the import system");
        goto fail_imports;
    }
    rt_runtime.initialized = 1;
    atomic_store(&rt_runtime.finalizing_flag, 0);
    return PyStatus_Ok();

fail_imports:
    PyErr_Clear();
    imp_interp_fini(interp);
    imp_runtime_fini();
    exc_fini_types();
fail_tstate:
    PyThreadState_Swap(NULL);
    PyThreadState_Delete(ts);
fail_interp:
    interp_delete(interp);
    rt_runtime.main_interp = NULL;
fail_types:
    type_fini_static();
    str_intern_fini();
fail_config:
    PyConfig_Clear(&rt_runtime.config);
    return s;
}

void
Py_InitializeEx(int initsigs)
{
    PyConfig config;
    PyStatus s;

    if (rt_runtime.initialized)
        return;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = initsigs;
    s = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(s))
        Py_ExitStatusException(s);
}

void
Py_Initialize(void)
{
    Py_InitializeEx(1);
}

int
Py_IsInitialized(void)
{
    return rt_runtime.initialized;
}

int
Py_IsFinalizing(void)
{
    return atomic_load(&rt_runtime.finalizing_flag);
}

/* -------------------------------------------------------------- finalize */

int
Py_FinalizeEx(void)
{
    PyInterpreterState *interp = rt_runtime.main_interp;
    PyThreadState *ts;

    if (!rt_runtime.initialized)
        return 0;
    atomic_store(&rt_runtime.finalizing_flag, 1);
    ts = ts_get();
    if (ts == NULL || ts->interp != interp)
        Py_FatalError("Py_FinalizeEx must be called from the main interpreter's thread state");
    /* Sub-interpreters the embedder did not end (as CPython, finalization
     * ends them; each must have no thread attached elsewhere). */
    for (;;) {
        PyInterpreterState *sub;
        pthread_mutex_lock(&rt_runtime.interp_lock);
        for (sub = rt_runtime.interpreters; sub != NULL && sub == interp; sub = sub->next)
            ;
        pthread_mutex_unlock(&rt_runtime.interp_lock);
        if (sub == NULL)
            break;
        while (sub->threads != NULL && sub->threads->next != NULL)
            PyThreadState_Delete(sub->threads->next);
        PyThreadState *subts = sub->threads;
        if (subts == NULL)
            subts = PyThreadState_New(sub);
        PyThreadState_Swap(subts);
        Py_EndInterpreter(subts);
        PyThreadState_Swap(ts);
    }
    /* Modules first (their dicts reference everything else), then the
     * process-wide extension cache and the library handles. */
    imp_interp_fini(interp);
    imp_runtime_fini();
    PyErr_Clear();
    exc_fini_types();
    PyThreadState_Clear(ts);
    PyThreadState_Swap(NULL);
    /* Thread states of other threads that never released them. */
    while (interp->threads != NULL)
        PyThreadState_Delete(interp->threads);
    interp_delete(interp);
    rt_runtime.main_interp = NULL;
    /* Type dicts hold interned names: types go first. */
    rt_epoch_barrier();
    type_fini_static();
    rt_epoch_barrier();
    str_intern_fini();
    rt_epoch_barrier();
    PyConfig_Clear(&rt_runtime.config);
    rt_gil_switch_log_reset();
    rt_runtime.initialized = 0;
    return 0;
}

void
Py_Finalize(void)
{
    (void)Py_FinalizeEx();
}

/* ------------------------------------------------------- sub-interpreters
 *
 * A sub-interpreter has its own sys, sys.modules, module instances,
 * PyState table and thread states; objects are not shared unless an
 * extension shares them (single-phase m_copy snapshots, which is why
 * checking interpreters refuse single-phase modules).  With
 * PyInterpreterConfig_OWN_GIL it has its own GIL object, otherwise it
 * shares the main interpreter's.  pymodrt presents a free-threaded build,
 * so every sub-interpreter checks extensions (SEMANTICS 6.2). */

static PyStatus
interp_config_check(const PyInterpreterConfig *c)
{
    if (c->use_main_obmalloc == 0 && c->check_multi_interp_extensions == 0)
        return PyStatus_Error(
            "per-interpreter obmalloc does not support single-phase init extension modules");
    if (c->check_multi_interp_extensions == 0)
        return PyStatus_Error("The free-threaded build does not support single-phase init "
                              "extension modules in subinterpreters");
    if (c->gil != PyInterpreterConfig_DEFAULT_GIL && c->gil != PyInterpreterConfig_SHARED_GIL &&
        c->gil != PyInterpreterConfig_OWN_GIL)
        return PyStatus_Error("invalid interpreter config 'gil' value");
    return PyStatus_Ok();
}

PyStatus
Py_NewInterpreterFromConfig(PyThreadState **tstate_p, const PyInterpreterConfig *config)
{
    PyInterpreterState *interp;
    PyThreadState *ts, *save;
    PyStatus s;
    int own_gil;

    *tstate_p = NULL;
    if (!rt_runtime.initialized)
        return PyStatus_Error("Py_NewInterpreterFromConfig: runtime is not initialized");
    s = interp_config_check(config);
    if (PyStatus_Exception(s))
        return s;
    own_gil = config->gil == PyInterpreterConfig_OWN_GIL;
    /* Built while the caller's thread state is current, so that an
     * allocation failure can be raised (and is then cleared) there. */
    interp = interp_new(own_gil ? NULL : rt_runtime.main_interp);
    if (interp == NULL) {
        PyErr_Clear();
        return PyStatus_NoMemory();
    }
    interp->check_multi_interp_extensions = config->check_multi_interp_extensions;
    interp->own_gil = own_gil;
    ts = PyThreadState_New(interp);
    if (ts == NULL) {
        interp_delete(interp);
        PyErr_Clear();
        return PyStatus_NoMemory();
    }
    save = PyThreadState_Swap(ts);
    if (imp_interp_init(interp) < 0) {
        PyErr_Clear();
        imp_interp_fini(interp);
        PyThreadState_Swap(NULL);
        PyThreadState_Delete(ts);
        interp_delete(interp);
        PyThreadState_Swap(save);
        return PyStatus_Error("cannot initialize the import system of a new interpreter");
    }
    *tstate_p = ts;
    return PyStatus_Ok();
}

PyThreadState *
Py_NewInterpreter(void)
{
    PyInterpreterConfig config = _PyInterpreterConfig_LEGACY_INIT;
    PyThreadState *ts;
    PyStatus s = Py_NewInterpreterFromConfig(&ts, &config);

    if (PyStatus_Exception(s))
        Py_ExitStatusException(s);
    return ts;
}

void
Py_EndInterpreter(PyThreadState *ts)
{
    PyInterpreterState *interp = ts->interp;

    if (ts != ts_get())
        Py_FatalError("thread is not current");
    if (interp == rt_runtime.main_interp)
        Py_FatalError("cannot end the main interpreter with Py_EndInterpreter");
    if (ts->next != NULL || ts->prev != NULL || interp->threads != ts)
        Py_FatalError("not the last thread");
    imp_interp_fini(interp);
    PyErr_Clear();
    PyThreadState_Clear(ts);
    PyThreadState_Swap(NULL);
    PyThreadState_Delete(ts);
    interp_delete(interp);
    rt_epoch_poll();
}
