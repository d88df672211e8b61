/* modcreate.c: creating and executing modules from definitions and slots
 * (SEMANTICS.md 3.5, 3.6, 4.1, 4.4, 5.2-5.6, 9.1).
 *
 * One slot walker reads every shape of slot array: a PyModuleDef's legacy
 * m_slots (PyModuleDef_Slot, each entry read as a PySlot with INTPTR), a
 * PEP 820 PySlot array, and arrays nested through Py_slot_subslots (PySlot)
 * or Py_mod_slots (legacy), at most five levels deep.  It resolves the
 * 3.15 final IDs for the module context (1-4 alias 84-87), rejects unknown
 * and invalid IDs unless PySlot_OPTIONAL, applies the NULL, duplicate and
 * must-be-static rules of slots.toml, and hands each resolved slot to a
 * callback.  Creation validates in one walk; PyModule_ExecDef walks again
 * to run the exec slots in array order.
 *
 * Messages, where 3.14 and 3.15 final word a check differently: a legacy
 * m_slots array keeps the checklist's module-specific texts for repeated
 * create / multiple-interpreters / gil slots (SEMANTICS 10, items 38-40);
 * everything the 3.15 iterator owns (unknown IDs, NULLs, nesting, other
 * duplicates) uses the iterator's texts (5.6).
 *
 * Thread safety: creation and exec run in the importing thread before the
 * module is visible to others (the loader publishes it); module fields are
 * written here before publication.  The package context is thread-local,
 * as in CPython 3.15.  modules_by_index is a list: its own lock guards it;
 * PyState_FindModule reads a lock-free mirror of it (state_table below). */
#include "internal/module.h"

/* ----------------------------------------------------------- slot table */

enum { DT_VOID, DT_PTR, DT_FUNC, DT_SIZE, DT_UINT64 };
enum { DUP_REJECT, DUP_ALLOW };

struct slot_info {
    const char *name;
    unsigned char is_mod;      /* valid in a module context */
    unsigned char dtype;
    unsigned char dup;
    unsigned char null_reject; /* pointer/function slot that may not be NULL */
    unsigned char must_static;
};

/* Names of every ID below _Py_slot_COUNT, for "invalid module slot %d (%s)".
 * Type-slot names follow typeslots.h and slots.toml; 1-4 are the compat
 * aliases and never reach the table in a module context. */
static const char *const slot_names[_Py_slot_COUNT] = {
    "Py_slot_end", "Py_mod_create", "Py_mod_exec", "Py_mod_multiple_interpreters",
    "Py_mod_gil", "Py_mp_subscript", "Py_nb_absolute", "Py_nb_add", "Py_nb_and",
    "Py_nb_bool", "Py_nb_divmod", "Py_nb_float", "Py_nb_floor_divide", "Py_nb_index",
    "Py_nb_inplace_add", "Py_nb_inplace_and", "Py_nb_inplace_floor_divide",
    "Py_nb_inplace_lshift", "Py_nb_inplace_multiply", "Py_nb_inplace_or",
    "Py_nb_inplace_power", "Py_nb_inplace_remainder", "Py_nb_inplace_rshift",
    "Py_nb_inplace_subtract", "Py_nb_inplace_true_divide", "Py_nb_inplace_xor",
    "Py_nb_int", "Py_nb_invert", "Py_nb_lshift", "Py_nb_multiply", "Py_nb_negative",
    "Py_nb_or", "Py_nb_positive", "Py_nb_power", "Py_nb_remainder", "Py_nb_rshift",
    "Py_nb_subtract", "Py_nb_true_divide", "Py_nb_xor", "Py_sq_ass_item", "Py_sq_concat",
    "Py_sq_contains", "Py_sq_inplace_concat", "Py_sq_inplace_repeat", "Py_sq_item",
    "Py_sq_length", "Py_sq_repeat", "Py_tp_alloc", "Py_tp_base", "Py_tp_bases",
    "Py_tp_call", "Py_tp_clear", "Py_tp_dealloc", "Py_tp_del", "Py_tp_descr_get",
    "Py_tp_descr_set", "Py_tp_doc", "Py_tp_getattr", "Py_tp_getattro", "Py_tp_hash",
    "Py_tp_init", "Py_tp_is_gc", "Py_tp_iter", "Py_tp_iternext", "Py_tp_methods",
    "Py_tp_new", "Py_tp_repr", "Py_tp_richcompare", "Py_tp_setattr", "Py_tp_setattro",
    "Py_tp_str", "Py_tp_traverse", "Py_tp_members", "Py_tp_getset", "Py_tp_free",
    "Py_nb_matrix_multiply", "Py_nb_inplace_matrix_multiply", "Py_am_await",
    "Py_am_aiter", "Py_am_anext", "Py_tp_finalize", "Py_am_send", "Py_tp_vectorcall",
    "Py_tp_token", "Py_mod_create", "Py_mod_exec", "Py_mod_multiple_interpreters",
    "Py_mod_gil", "Py_bf_getbuffer", "Py_bf_releasebuffer", "Py_mp_ass_subscript",
    "Py_mp_length", "Py_slot_subslots", "Py_tp_slots", "Py_mod_slots", "Py_tp_name",
    "Py_tp_basicsize", "Py_tp_extra_basicsize", "Py_tp_itemsize", "Py_tp_flags",
    "Py_mod_name", "Py_mod_doc", "Py_mod_state_size", "Py_mod_methods",
    "Py_mod_state_traverse", "Py_mod_state_clear", "Py_mod_state_free",
    "Py_tp_metaclass", "Py_tp_module", "Py_mod_abi", "Py_mod_token",
};

static const struct slot_info *
mod_slot_info(unsigned id)
{
    static const struct slot_info create = {"Py_mod_create", 1, DT_FUNC, DUP_REJECT, 0, 0};
    static const struct slot_info exec = {"Py_mod_exec", 1, DT_FUNC, DUP_ALLOW, 1, 0};
    static const struct slot_info multi = {"Py_mod_multiple_interpreters", 1, DT_UINT64, DUP_REJECT, 0, 0};
    static const struct slot_info gil = {"Py_mod_gil", 1, DT_UINT64, DUP_REJECT, 0, 0};
    static const struct slot_info name = {"Py_mod_name", 1, DT_PTR, DUP_REJECT, 1, 0};
    static const struct slot_info doc = {"Py_mod_doc", 1, DT_PTR, DUP_REJECT, 1, 0};
    static const struct slot_info size = {"Py_mod_state_size", 1, DT_SIZE, DUP_REJECT, 0, 0};
    static const struct slot_info methods = {"Py_mod_methods", 1, DT_PTR, DUP_REJECT, 1, 1};
    static const struct slot_info trav = {"Py_mod_state_traverse", 1, DT_FUNC, DUP_REJECT, 1, 0};
    static const struct slot_info clear = {"Py_mod_state_clear", 1, DT_FUNC, DUP_REJECT, 1, 0};
    static const struct slot_info fr = {"Py_mod_state_free", 1, DT_FUNC, DUP_REJECT, 1, 0};
    static const struct slot_info abi = {"Py_mod_abi", 1, DT_PTR, DUP_ALLOW, 1, 0};
    static const struct slot_info token = {"Py_mod_token", 1, DT_PTR, DUP_REJECT, 1, 0};

    switch (id) {
    case 84: return &create;
    case 85: return &exec;
    case 86: return &multi;
    case 87: return &gil;
    case 100: return &name;
    case 101: return &doc;
    case 102: return &size;
    case 103: return &methods;
    case 104: return &trav;
    case 105: return &clear;
    case 106: return &fr;
    case 109: return &abi;
    case 110: return &token;
    default: return NULL;
    }
}

/* ---------------------------------------------------------- slot walker */

#define SLOT_MAX_NESTING 5

struct slot_level {
    const void *arr;
    int is_pyslot;             /* PySlot array (else legacy PyModuleDef_Slot) */
    size_t i;
};

typedef int (*slot_cb)(void *ctx, const PySlot *slot);

/* Walks the slots ('validate': apply the NULL/duplicate/static rules, done
 * once at creation).  Returns 0,
 * or -1 with an exception set (the callback's or the walker's). */
static int
slots_walk(const void *arr, int is_pyslot, const char *modname, int validate,
           slot_cb cb, void *ctx)
{
    struct slot_level lv[SLOT_MAX_NESTING + 1];
    uint64_t seen[2] = {0, 0};
    int depth = 0;

    lv[0] = (struct slot_level){arr, is_pyslot, 0};
    for (;;) {
        struct slot_level *l = &lv[depth];
        PySlot s;

        if (l->is_pyslot) {
            s = ((const PySlot *)l->arr)[l->i];
        } else {
            const PyModuleDef_Slot *e = &((const PyModuleDef_Slot *)l->arr)[l->i];
            memset(&s, 0, sizeof(s));
            s.sl_id = (uint16_t)(e->slot < 0 || e->slot > 0xFFFF ? 0xFFFE : e->slot);
            if (e->slot == 0)
                s.sl_id = 0;
            s.sl_flags = PySlot_INTPTR;
            s.sl_ptr = e->value;
        }
        unsigned orig_id = s.sl_id;
        if (s.sl_id == Py_slot_end) {
            if (s.sl_flags & PySlot_OPTIONAL) {
                PyErr_Format(PyExc_SystemError, "invalid flags for Py_slot_end: 0x%x",
                             (unsigned)s.sl_flags);
                return -1;
            }
            if (depth == 0)
                return 0;
            depth--;
            lv[depth].i++;
            continue;
        }
        if (s.sl_id >= 1 && s.sl_id <= 4)
            s.sl_id = (uint16_t)(s.sl_id + 83);   /* 3.15 compat: 1-4 -> 84-87 */
        if (s.sl_id == Py_slot_subslots || s.sl_id == Py_mod_slots) {
            if (s.sl_ptr == NULL) {
                l->i++;
                continue;
            }
            if (lv[0].is_pyslot == 0 && l->is_pyslot && !(s.sl_flags & PySlot_STATIC)) {
                PyErr_SetString(PyExc_SystemError, "slots included from PyModuleDef must be static");
                return -1;
            }
            if (depth + 1 >= SLOT_MAX_NESTING) {
                PyErr_Format(PyExc_SystemError, "%s (slot %d): too many levels of nested slots",
                             slot_names[s.sl_id], (int)orig_id);
                return -1;
            }
            depth++;
            lv[depth] = (struct slot_level){s.sl_ptr, s.sl_id == Py_slot_subslots, 0};
            continue;
        }
        const struct slot_info *info = mod_slot_info(s.sl_id);
        if (info == NULL) {
            if (s.sl_flags & PySlot_OPTIONAL) {
                l->i++;
                continue;
            }
            if (orig_id == Py_slot_invalid)
                PyErr_SetString(PyExc_SystemError, "invalid slot (Py_slot_invalid, 65535)");
            else if (orig_id < _Py_slot_COUNT)
                PyErr_Format(PyExc_SystemError, "invalid module slot %d (%s)", (int)orig_id,
                             slot_names[orig_id]);
            else
                PyErr_Format(PyExc_SystemError, "unknown module slot ID %u", orig_id);
            return -1;
        }
        if (s.sl_flags & PySlot_INTPTR) {
            if (info->dtype == DT_SIZE)
                s.sl_size = (Py_ssize_t)(intptr_t)s.sl_ptr;
            else if (info->dtype == DT_UINT64)
                s.sl_uint64 = (uint64_t)(intptr_t)s.sl_ptr;
        }
        l->i++;
        if (validate) {
            if (info->must_static && l->is_pyslot && !(s.sl_flags & PySlot_STATIC)) {
                PyErr_Format(PyExc_SystemError, "%s requires PySlot_STATIC", info->name);
                return -1;
            }
            if ((info->dtype == DT_PTR || info->dtype == DT_FUNC) && s.sl_ptr == NULL) {
                if (info->null_reject) {
                    PyErr_Format(PyExc_SystemError, "NULL not allowed for slot %s", info->name);
                    return -1;
                }
                /* Py_mod_create: deprecated in PySlot arrays, silent in legacy ones. */
                if (lv[0].is_pyslot &&
                    PyErr_WarnFormat(PyExc_DeprecationWarning, 1,
                                     "NULL value in slot %s is deprecated", info->name) < 0)
                    return -1;
            }
            uint64_t bit = 1ull << (s.sl_id & 63);
            if (info->dup == DUP_REJECT && (seen[s.sl_id >> 6] & bit) &&
                s.sl_id != 84 && s.sl_id != 86 && s.sl_id != 87) {
                PyErr_Format(PyExc_SystemError, "module%s%s has multiple %s (%d) slots",
                             modname ? " " : "", modname ? modname : "", info->name,
                             (int)s.sl_id);
                return -1;
            }
            seen[s.sl_id >> 6] |= bit;
        }
        if (cb(ctx, &s) < 0)
            return -1;
    }
}

/* ----------------------------------------------------------- collection */

struct modspec {
    const char *name;          /* for messages: spec.name in UTF-8 */
    PyModuleDef *def;          /* NULL for slots-only modules */
    int from_def;
    PyObject *(*create)(PyObject *, PyModuleDef *);
    int ncreate;
    int nexec;
    int (*exec)(PyObject *);
    int nmulti;
    uint64_t multi;
    int ngil;
    uint64_t gil;
    /* def-field slots (slots modules) */
    const char *doc;
    Py_ssize_t state_size;
    PyMethodDef *methods;
    traverseproc traverse;
    inquiry clear;
    freefunc free;
    void *token;
    int has_token;
};

static int
check_field_parrot(struct modspec *ms, const PySlot *s)
{
    PyModuleDef *d = ms->def;
    int same;

    switch (s->sl_id) {
    case Py_mod_name: same = d->m_name != NULL && strcmp(d->m_name, (const char *)s->sl_ptr) == 0; break;
    case Py_mod_doc: same = d->m_doc != NULL && strcmp(d->m_doc, (const char *)s->sl_ptr) == 0; break;
    case Py_mod_state_size: same = d->m_size == s->sl_size; break;
    case Py_mod_methods: same = (void *)d->m_methods == s->sl_ptr; break;
    case Py_mod_state_traverse: same = (void *)d->m_traverse == s->sl_ptr; break;
    case Py_mod_state_clear: same = (void *)d->m_clear == s->sl_ptr; break;
    case Py_mod_state_free: same = (void *)d->m_free == s->sl_ptr; break;
    case Py_mod_token: same = (void *)d == s->sl_ptr; break;
    default: same = 0;
    }
    if (same)
        return 0;
    PyErr_Format(PyExc_SystemError, "module %s: %s used with PyModuleDef", ms->name,
                 mod_slot_info(s->sl_id)->name);
    return -1;
}

static int
collect_cb(void *ctx, const PySlot *s)
{
    struct modspec *ms = ctx;

    switch (s->sl_id) {
    case 84:
        if (ms->ncreate++ > 0) {
            PyErr_Format(PyExc_SystemError, "module %s has multiple create slots", ms->name);
            return -1;
        }
        ms->create = (PyObject *(*)(PyObject *, PyModuleDef *))s->sl_func;
        return 0;
    case 85:
        if (!ms->from_def && ms->nexec > 0) {
            PyErr_Format(PyExc_SystemError, "module %s has more than one Py_mod_exec slot",
                         ms->name);
            return -1;
        }
        ms->nexec++;
        ms->exec = (int (*)(PyObject *))s->sl_func;
        return 0;
    case 86:
        if (ms->nmulti++ > 0) {
            PyErr_Format(PyExc_SystemError,
                         "module %s has more than one 'multiple interpreters' slots", ms->name);
            return -1;
        }
        ms->multi = s->sl_uint64;
        return 0;
    case 87:
        if (ms->ngil++ > 0) {
            PyErr_Format(PyExc_SystemError, "module %s has more than one 'gil' slot", ms->name);
            return -1;
        }
        ms->gil = s->sl_uint64;
        return 0;
    case Py_mod_abi:
        return PyABIInfo_Check((PyABIInfo *)s->sl_ptr, ms->name);
    default:
        break;
    }
    /* def-field slots */
    if (ms->from_def)
        return check_field_parrot(ms, s);
    switch (s->sl_id) {
    case Py_mod_name:
        return 0;   /* accepted and ignored: the spec names the module */
    case Py_mod_doc:
        ms->doc = s->sl_ptr;
        return 0;
    case Py_mod_state_size:
        ms->state_size = s->sl_size;
        return 0;
    case Py_mod_methods:
        ms->methods = s->sl_ptr;
        return 0;
    case Py_mod_state_traverse:
        ms->traverse = (traverseproc)s->sl_func;
        return 0;
    case Py_mod_state_clear:
        ms->clear = (inquiry)s->sl_func;
        return 0;
    case Py_mod_state_free:
        ms->free = (freefunc)s->sl_func;
        return 0;
    case Py_mod_token:
        ms->token = s->sl_ptr;
        ms->has_token = 1;
        return 0;
    }
    return 0;
}

/* Does a multi-phase definition need the GIL?  Reads Py_mod_gil without
 * validating anything (creation validates), so the loader can decide
 * before any of the module's code runs. */
struct gil_scan {
    int found_gil, found_multi;
    uint64_t gil, multi;
};

static int
gil_scan_cb(void *ctx, const PySlot *s)
{
    struct gil_scan *g = ctx;

    if (s->sl_id == 87 && !g->found_gil) {
        g->found_gil = 1;
        g->gil = s->sl_uint64;
    } else if (s->sl_id == 86 && !g->found_multi) {
        g->found_multi = 1;
        g->multi = s->sl_uint64;
    }
    return 0;
}

RT_INTERNAL int interp_check_multi_phase(PyInterpreterState *interp, uint64_t multi,
                                         int has_slot, const char *name);

/* Reads Py_mod_gil and Py_mod_multiple_interpreters of a definition
 * without validating (creation validates).  Returns 1 if the module needs
 * the GIL; -1 with ImportError if the current interpreter refuses it. */
RT_INTERNAL int mod_def_requires_gil(PyModuleDef *def, const char *name);
int
mod_def_requires_gil(PyModuleDef *def, const char *name)
{
    struct gil_scan g = {0, 0, 0, 0};

    if (def->m_slots != NULL && slots_walk(def->m_slots, 0, NULL, 0, gil_scan_cb, &g) < 0)
        PyErr_Clear();   /* creation reports the slot error */
    if (interp_check_multi_phase(PyInterpreterState_Get(), g.multi, g.found_multi, name) < 0)
        return -1;
    return !g.found_gil || g.gil != (uint64_t)(uintptr_t)Py_MOD_GIL_NOT_USED;
}

/* ------------------------------------------------------------- ABI info */

int
PyABIInfo_Check(PyABIInfo *info, const char *module_name)
{
    const char *pfx = module_name != NULL ? module_name : "";
    const char *sep = module_name != NULL ? ": " : "";
    uint32_t v;

    if (info == NULL) {
        PyErr_Format(PyExc_ImportError, "%s%sNULL PyABIInfo", pfx, sep);
        return -1;
    }
    if (info->abiinfo_major_version == 0)
        return 0;
    if (info->abiinfo_major_version > 1) {
        PyErr_Format(PyExc_ImportError, "%s%sPyABIInfo version too high", pfx, sep);
        return -1;
    }
    v = info->abi_version;
    if ((info->flags & PyABIInfo_INTERNAL) && v != 0 && v != PY_VERSION_HEX) {
        PyErr_Format(PyExc_ImportError, "%s%sincompatible internal ABI (0x%x != 0x%x)", pfx, sep,
                     v, (unsigned)PY_VERSION_HEX);
        return -1;
    }
    if (info->flags & PyABIInfo_STABLE) {
        if (v != 0) {
            if ((v & 0xFFFF0000u) > ((uint32_t)PY_VERSION_HEX & 0xFFFF0000u)) {
                PyErr_Format(PyExc_ImportError, "%s%sincompatible future stable ABI version (%d.%d)",
                             pfx, sep, (int)((v >> 24) % 0xff), (int)((v >> 16) % 0xff));
                return -1;
            }
            if (v < 0x03020000u) {
                PyErr_Format(PyExc_ImportError, "%s%sinvalid stable ABI version (%d.%d)",
                             pfx, sep, (int)((v >> 24) % 0xff), (int)((v >> 16) % 0xff));
                return -1;
            }
        }
        if (info->flags & PyABIInfo_INTERNAL) {
            PyErr_Format(PyExc_ImportError, "%s%scannot use both internal and stable ABI", pfx, sep);
            return -1;
        }
    } else if (v != 0 && (v & 0xFFFF0000u) != ((uint32_t)PY_VERSION_HEX & 0xFFFF0000u)) {
        PyErr_Format(PyExc_ImportError, "%s%sincompatible ABI version (%d.%d)", pfx, sep,
                     (int)((v >> 24) % 0xff), (int)((v >> 16) % 0xff));
        return -1;
    }
    /* pymodrt is a free-threaded runtime: it rejects exactly GIL-only. */
    if ((info->flags & PyABIInfo_FREETHREADING_AGNOSTIC) == PyABIInfo_GIL) {
        PyErr_Format(PyExc_ImportError, "%s%sincompatible with free-threaded CPython", pfx, sep);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------- API version warning */

static int
check_api_version(const char *name, int api_version)
{
    if (api_version == PYTHON_API_VERSION || api_version == PYTHON_ABI_VERSION)
        return 0;
    return PyErr_WarnFormat(PyExc_RuntimeWarning, 1,
        "Python C API version mismatch for module %.100s: This Python has API version %d, "
        "module %.100s has version %d.", name, PYTHON_API_VERSION, name, api_version);
}

/* ------------------------------------------------ sub-interpreter policy */

RT_INTERNAL int interp_check_multi_phase(PyInterpreterState *interp, uint64_t multi,
                                         int has_slot, const char *name);
/* SEMANTICS 6.4 for multi-phase and slots modules. */
int
interp_check_multi_phase(PyInterpreterState *interp, uint64_t multi, int has_slot,
                         const char *name)
{
    if (!has_slot)
        multi = (uint64_t)(uintptr_t)Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED;
    if (interp == rt_runtime.main_interp || !interp->check_multi_interp_extensions)
        return 0;
    if (multi == (uint64_t)(uintptr_t)Py_MOD_PER_INTERPRETER_GIL_SUPPORTED)
        return 0;
    if (multi == (uint64_t)(uintptr_t)Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ||
        interp->own_gil) {
        PyErr_Format(PyExc_ImportError, "module %s does not support loading in subinterpreters",
                     name);
        return -1;
    }
    return 0;
}

/* --------------------------------------------------------------- creation */

/* Adds functions and the docstring to any object (SEMANTICS 4.1 11-12). */
static int
add_methods_and_doc(PyObject *m, PyObject *name, PyMethodDef *methods, const char *doc)
{
    for (PyMethodDef *f = methods; f != NULL && f->ml_name != NULL; f++) {
        PyObject *func;
        int r;

        if (f->ml_flags & (METH_CLASS | METH_STATIC)) {
            PyErr_SetString(PyExc_ValueError,
                            "module functions cannot set METH_CLASS or METH_STATIC");
            return -1;
        }
        func = PyCFunction_NewEx(f, m, name);
        if (func == NULL)
            return -1;
        r = PyObject_SetAttrString(m, f->ml_name, func);
        Py_DECREF(func);
        if (r < 0)
            return -1;
    }
    if (doc != NULL)
        return PyModule_SetDocString(m, doc);
    return 0;
}

static PyObject *
module_from_collected(struct modspec *ms, PyObject *spec, PyObject *nameobj)
{
    PyObject *m;
    PyModuleDef *def = ms->def;
    Py_ssize_t size = def ? def->m_size : ms->state_size;
    traverseproc trav = def ? def->m_traverse : ms->traverse;
    inquiry clear = def ? def->m_clear : ms->clear;
    freefunc fr = def ? def->m_free : ms->free;

    /* A module the interpreter refuses never touches its GIL: the
     * sub-interpreter check comes first.  Slots-only modules then decide
     * the GIL here, before create runs (SEMANTICS 7.4); def-based ones were
     * decided by the loader. */
    if (interp_check_multi_phase(PyInterpreterState_Get(), ms->multi, ms->nmulti, ms->name) < 0)
        return NULL;
    if (def == NULL && (ms->ngil == 0 || ms->gil != (uint64_t)(uintptr_t)Py_MOD_GIL_NOT_USED) &&
        rt_gil_require(ms->name) < 0)
        return NULL;
    if (ms->create != NULL) {
        m = ms->create(spec, def);
        if (m == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_SystemError,
                             "creation of module %s failed without setting an exception", ms->name);
            return NULL;
        }
        if (PyErr_Occurred()) {
            Py_DECREF(m);
            return err_format_from_cause(PyExc_SystemError,
                                         "creation of module %s raised unreported exception",
                                         ms->name);
        }
    } else {
        m = PyModule_NewObject(nameobj);
        if (m == NULL)
            return NULL;
    }
    if (PyModule_Check(m)) {
        PyModuleObject *mo = (PyModuleObject *)m;
        /* SEMANTICS 4.1 step 9: the state pointer is reset, not freed (a
         * create slot may hand back a module other threads already use). */
        __atomic_store_n(&mo->md_state, NULL, __ATOMIC_RELEASE);
        mod_set_hooks(mo, size, trav, clear, fr);
        mo->md_def = def;
        mo->md_token = def != NULL ? (void *)def : ms->token;
        mo->md_requires_gil = ms->ngil == 0 ||
            ms->gil != (uint64_t)(uintptr_t)Py_MOD_GIL_NOT_USED;
        mo->md_exec = def == NULL ? ms->exec : NULL;
        mo->md_from_slots = def == NULL;
    } else {
        if (size > 0 || trav != NULL || clear != NULL || fr != NULL) {
            PyErr_Format(PyExc_SystemError,
                         "module %s is not a module object, but requests module state", ms->name);
            goto error;
        }
        if (ms->nexec > 0) {
            PyErr_Format(PyExc_SystemError,
                         "module %s specifies execution slots, but did not create a ModuleType instance",
                         ms->name);
            goto error;
        }
        if (ms->has_token) {
            PyErr_Format(PyExc_SystemError,
                         "module %s specifies a token, but did not create a ModuleType instance",
                         ms->name);
            goto error;
        }
    }
    if (add_methods_and_doc(m, nameobj, def ? def->m_methods : ms->methods,
                            def ? def->m_doc : ms->doc) < 0)
        goto error;
    return m;
error:
    mod_discard(m);
    return NULL;
}

PyObject *
PyModule_FromDefAndSpec2(PyModuleDef *def, PyObject *spec, int api_version)
{
    struct modspec ms = {0};
    PyObject *nameobj, *m = NULL;

    PyModuleDef_Init(def);
    nameobj = PyObject_GetAttrString(spec, "name");
    if (nameobj == NULL)
        return NULL;
    ms.name = PyUnicode_AsUTF8(nameobj);
    if (ms.name == NULL)
        goto done;
    if (check_api_version(ms.name, api_version) < 0)
        goto done;
    if (def->m_size < 0) {
        PyErr_Format(PyExc_SystemError,
                     "module %s: m_size may not be negative for multi-phase initialization", ms.name);
        goto done;
    }
    ms.def = def;
    ms.from_def = 1;
    if (def->m_slots != NULL &&
        slots_walk(def->m_slots, 0, ms.name, 1, collect_cb, &ms) < 0)
        goto done;
    m = module_from_collected(&ms, spec, nameobj);
done:
    Py_DECREF(nameobj);
    return m;
}

PyObject *
PyModule_FromSlotsAndSpec(const PySlot *slots, PyObject *spec)
{
    struct modspec ms = {0};
    PyObject *nameobj, *m = NULL;

    if (slots == NULL) {
        PyErr_SetString(PyExc_SystemError, "PyModule_FromSlotsAndSpec called with NULL slots");
        return NULL;
    }
    nameobj = PyObject_GetAttrString(spec, "name");
    if (nameobj == NULL)
        return NULL;
    ms.name = PyUnicode_AsUTF8(nameobj);
    if (ms.name == NULL)
        goto done;
    if (slots_walk(slots, 1, ms.name, 1, collect_cb, &ms) < 0)
        goto done;
    if (ms.state_size < 0) {
        PyErr_Format(PyExc_SystemError,
                     "module %s: m_size may not be negative for multi-phase initialization", ms.name);
        goto done;
    }
    m = module_from_collected(&ms, spec, nameobj);
done:
    Py_DECREF(nameobj);
    return m;
}

/* ------------------------------------------------------------------- exec */

/* Exec fault injection (pymodrt_fault_exec_rate): one read-mostly word on
 * the exec path; draws come from a per-thread xorshift generator. */
static _Atomic uint64_t exec_fault_bits;   /* atomic: threshold out of 2^32; 0 = off */
static _Atomic uint64_t exec_fault_seed;   /* atomic */

void
pymodrt_fault_exec_rate(double rate, uint64_t seed)
{
    uint64_t bits = 0;

    if (rate > 0.0)
        bits = rate >= 1.0 ? (1ull << 32) : (uint64_t)(rate * 4294967296.0);
    if (bits == 0 && rate > 0.0)
        bits = 1;
    atomic_store_explicit(&exec_fault_seed, seed, memory_order_relaxed);
    rt_thread_get()->exec_rng = seed | 1;
    atomic_store_explicit(&exec_fault_bits, bits, memory_order_relaxed);
}

uint64_t
pymodrt_fault_exec_injected(void)
{
    return rt_counter_sum(RT_C_EXEC_FAULTS);
}

static int
exec_fault(PyObject *module)
{
    uint64_t bits = atomic_load_explicit(&exec_fault_bits, memory_order_relaxed);
    struct rt_thread *t;

    if (RT_LIKELY(bits == 0))
        return 0;
    t = rt_thread_get();
    if (t->exec_rng == 0)
        t->exec_rng = (atomic_load_explicit(&exec_fault_seed, memory_order_relaxed) ^
                       ((uint64_t)t->os_id * 0xBF58476D1CE4E5B9ull)) | 1;
    t->exec_rng ^= t->exec_rng >> 12;
    t->exec_rng ^= t->exec_rng << 25;
    t->exec_rng ^= t->exec_rng >> 27;
    if (((t->exec_rng * 0x2545F4914F6CDD1Dull) >> 32) >= bits)
        return 0;
    rt_count(RT_C_EXEC_FAULTS);
    PyObject *name = PyModule_GetNameObject(module);
    if (name == NULL)
        return -1;
    PyErr_Format(PyExc_RuntimeError, "pymodrt: injected exec failure in module '%U'", name);
    Py_DECREF(name);
    return -1;
}

static int
alloc_state(PyModuleObject *m)
{
    void *state;

    Py_ssize_t size = __atomic_load_n(&m->md_state_size, __ATOMIC_RELAXED);

    if (size < 0 || mod_state_load(m) != NULL)
        return 0;
    /* Allocated even for size 0: a non-NULL state marks "executed". */
    state = PyMem_Calloc(1, size > 0 ? (size_t)size : 1);
    if (state == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    __atomic_store_n(&m->md_state, state, __ATOMIC_RELEASE);
    return 0;
}

static int
run_exec(PyObject *module, int (*exec)(PyObject *))
{
    int r = exec(module);

    if (r != 0) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_SystemError, "execution of %R failed without setting an exception",
                         module);
        return -1;
    }
    if (PyErr_Occurred()) {
        err_format_from_cause(PyExc_SystemError,
                              "execution of module %R raised unreported exception", module);
        return -1;
    }
    return 0;
}

struct exec_ctx {
    PyObject *module;
};

static int
exec_cb(void *ctx, const PySlot *s)
{
    struct exec_ctx *ec = ctx;

    if (s->sl_id != 85)
        return 0;
    return run_exec(ec->module, (int (*)(PyObject *))s->sl_func);
}

int
PyModule_ExecDef(PyObject *module, PyModuleDef *def)
{
    struct exec_ctx ec = {module};

    if (!PyModule_Check(module)) {
        PyErr_Format(PyExc_TypeError, "expected module, got %T", module);
        return -1;
    }
    if (alloc_state((PyModuleObject *)module) < 0 || exec_fault(module) < 0)
        return -1;
    rt_count(RT_C_EXECS);
    if (def->m_slots == NULL)
        return 0;
    return slots_walk(def->m_slots, 0, NULL, 0, exec_cb, &ec);
}

int
PyModule_Exec(PyObject *module)
{
    PyModuleObject *m = (PyModuleObject *)module;

    if (!PyModule_Check(module)) {
        PyErr_Format(PyExc_TypeError, "expected module, got %T", module);
        return -1;
    }
    if (m->md_exec != NULL) {
        if (alloc_state(m) < 0 || exec_fault(module) < 0)
            return -1;
        rt_count(RT_C_EXECS);
        return run_exec(module, m->md_exec);
    }
    if (m->md_def != NULL)
        return PyModule_ExecDef(module, m->md_def);
    return alloc_state(m);
}

/* ----------------------------------------------------------- single-phase */

/* The package context: the full name of the extension whose PyInit runs in
 * this thread (SEMANTICS 3.5), set by the loader around the call. */
static _Thread_local const char *pkgcontext;   /* owner thread only */

RT_INTERNAL const char *mod_swap_pkgcontext(const char *ctx);
const char *
mod_swap_pkgcontext(const char *ctx)
{
    const char *old = pkgcontext;

    pkgcontext = ctx;
    return old;
}

PyObject *
PyModule_Create2(PyModuleDef *def, int api_version)
{
    const char *name;
    PyModuleObject *m;

    /* The registry must exist: true from the moment the first
     * interpreter is created (sys itself is made with this function). */
    PyThreadState *ts = ts_get();
    if (ts == NULL || ts->interp->modules == NULL) {
        PyErr_SetString(PyExc_SystemError, "Python import machinery not initialized");
        return NULL;
    }
    PyModuleDef_Init(def);
    name = def->m_name;
    if (def->m_slots != NULL) {
        PyErr_Format(PyExc_SystemError, "module %s: PyModule_Create is incompatible with m_slots",
                     name);
        return NULL;
    }
    if (check_api_version(name, api_version) < 0)
        return NULL;
    if (pkgcontext != NULL) {
        const char *dot = strrchr(pkgcontext, '.');
        if (dot != NULL && strcmp(name, dot + 1) == 0) {
            name = pkgcontext;
            pkgcontext = NULL;
        }
    }
    m = (PyModuleObject *)PyModule_New(name);
    if (m == NULL)
        return NULL;
    if (def->m_size > 0) {
        void *state = PyMem_Calloc(1, (size_t)def->m_size);
        if (state == NULL) {
            Py_DECREF(m);
            return PyErr_NoMemory();
        }
        m->md_state = state;
    }
    m->md_def = def;
    m->md_token = def;
    mod_set_hooks(m, def->m_size, def->m_traverse, def->m_clear, def->m_free);
    m->md_requires_gil = 1;
    if (def->m_methods != NULL && PyModule_AddFunctions((PyObject *)m, def->m_methods) < 0)
        goto error;
    if (def->m_doc != NULL && PyModule_SetDocString((PyObject *)m, def->m_doc) < 0)
        goto error;
    return (PyObject *)m;
error:
    mod_discard((PyObject *)m);
    return NULL;
}

int
PyUnstable_Module_SetGIL(PyObject *module, void *gil)
{
    if (!PyModule_Check(module)) {
        PyErr_BadInternalCall();
        return -1;
    }
    ((PyModuleObject *)module)->md_requires_gil = gil != Py_MOD_GIL_NOT_USED;
    return 0;
}

/* -------------------------------------------------------------- PyState */

/* PyState_FindModule's view of modules_by_index, read without a lock:
 * PyState_FindModule runs in the extensions' hot paths, on every thread,
 * and the list's lock would be one written byte they all share.
 *
 * The table holds borrowed pointers; the list holds the references.  A
 * writer updates both under state_mu (state_replace), and drops the module
 * it replaced only after both changed, so a slot never names a module that
 * the list does not hold.  A reader loads the
 * table and the slot with acquire (the module's contents were published
 * before it was stored).  The result is borrowed, as CPython's is: valid
 * while the module stays registered.  A table that grows is copied and
 * the new one published; old ones stay, chained, until the interpreter is
 * deleted (a reader may still be looking at one; they sum to less than the
 * final table). */
struct state_table {
    struct state_table *retired;        /* guarded by state_mu */
    Py_ssize_t n;                       /* immutable */
    PyObject *items[];                  /* atomic; written under state_mu */
};

static pthread_mutex_t state_mu = PTHREAD_MUTEX_INITIALIZER;   /* the writers */

/* Stores 'm' (or NULL) at 'idx'.  0, or -1 with MemoryError.  state_mu
 * held. */
static int
state_table_store_locked(PyInterpreterState *interp, Py_ssize_t idx, PyObject *m)
{
    struct state_table *t;

    t = interp->state_table;
    if (t == NULL || idx >= t->n) {
        Py_ssize_t n = t != NULL ? t->n * 2 : 16;
        struct state_table *nt;

        if (m == NULL)              /* nothing to clear past the end */
            return 0;
        while (n <= idx)
            n *= 2;
        nt = mem_calloc(1, sizeof(*nt) + (size_t)n * sizeof(PyObject *));
        if (nt == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        nt->n = n;
        nt->retired = t;
        for (Py_ssize_t i = 0; t != NULL && i < t->n; i++)
            nt->items[i] = __atomic_load_n(&t->items[i], __ATOMIC_RELAXED);
        __atomic_store_n((struct state_table **)&interp->state_table, nt, __ATOMIC_RELEASE);
        t = nt;
    }
    __atomic_store_n(&t->items[idx], m, __ATOMIC_RELEASE);
    return 0;
}

/* modules_by_index[idx] = m (NULL: None), list and table together under
 * state_mu, so two writers of one index cannot leave them naming different
 * modules.  The replaced module is dropped after unlocking: its dealloc
 * may run any code. */
static int
state_replace(PyInterpreterState *interp, Py_ssize_t idx, PyObject *m)
{
    PyObject *list = interp->modules_by_index, *old = NULL;
    int r = 0;

    pthread_mutex_lock(&state_mu);
    while (r == 0 && PyList_GET_SIZE(list) <= idx)
        r = PyList_Append(list, Py_None);
    if (r == 0)
        r = state_table_store_locked(interp, idx, m);
    if (r == 0) {
        old = PyList_GetItemRef(list, idx);     /* dropped after unlocking */
        r = PyList_SetItem(list, idx, Py_NewRef(m != NULL ? m : Py_None));
    }
    pthread_mutex_unlock(&state_mu);
    Py_XDECREF(old);
    return r;
}

void
state_table_clear(PyInterpreterState *interp)
{
    struct state_table *t;

    pthread_mutex_lock(&state_mu);
    t = interp->state_table;
    for (Py_ssize_t i = 0; t != NULL && i < t->n; i++)
        __atomic_store_n(&t->items[i], NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&state_mu);
}

void
state_table_free(PyInterpreterState *interp)
{
    struct state_table *t = interp->state_table;

    interp->state_table = NULL;
    while (t != NULL) {
        struct state_table *older = t->retired;
        mem_free(t);
        t = older;
    }
}

PyObject *
PyState_FindModule(PyModuleDef *def)
{
    PyInterpreterState *interp = ts_get_required()->interp;
    Py_ssize_t idx = def->m_base.m_index;
    struct state_table *t = __atomic_load_n((struct state_table **)&interp->state_table,
                                            __ATOMIC_ACQUIRE);

    if (def->m_slots != NULL || idx <= 0 || t == NULL || idx >= t->n)
        return NULL;
    return __atomic_load_n(&t->items[idx], __ATOMIC_ACQUIRE);
}

RT_INTERNAL int state_set_module(PyInterpreterState *interp, Py_ssize_t idx, PyObject *m);
int
state_set_module(PyInterpreterState *interp, Py_ssize_t idx, PyObject *m)
{
    return state_replace(interp, idx, m);
}

int
PyState_AddModule(PyObject *module, PyModuleDef *def)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
    PyObject *list = interp->modules_by_index;

    if (def == NULL)
        Py_FatalError("module definition is NULL");
    if (def->m_slots != NULL) {
        PyErr_SetString(PyExc_SystemError, "PyState_AddModule called on module with slots");
        return -1;
    }
    PyModuleDef_Init(def);
    if (def->m_base.m_index < PyList_GET_SIZE(list) &&
        PyList_GET_ITEM(list, def->m_base.m_index) == module) {
        char msg[64];
        snprintf(msg, sizeof(msg), "module %p already added", (void *)module);
        Py_FatalError(msg);
    }
    return state_set_module(interp, def->m_base.m_index, module);
}

int
PyState_RemoveModule(PyModuleDef *def)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
    Py_ssize_t idx = def->m_base.m_index;
    PyObject *list = interp->modules_by_index;

    if (def->m_slots != NULL) {
        PyErr_SetString(PyExc_SystemError, "PyState_RemoveModule called on module with slots");
        return -1;
    }
    if (idx == 0)
        Py_FatalError("invalid module index");
    if (list == NULL)
        Py_FatalError("Interpreters module-list not accessible.");
    if (idx >= PyList_GET_SIZE(list))
        Py_FatalError("Module index out of bounds.");
    return state_replace(interp, idx, NULL);
}
