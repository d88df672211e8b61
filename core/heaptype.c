/* heaptype.c: heap types created from a PyType_Spec, the slot table, and
 * the type -> module lookups (PyType_GetModule*, PyType_GetBaseByToken).
 *
 * Purpose
 *   PyType_FromMetaclass is the one implementation; PyType_FromSpec,
 *   PyType_FromSpecWithBases and PyType_FromModuleAndSpec call it.  It
 *   allocates a PyHeapTypeObject whose tp_as_* pointers point at the method
 *   tables embedded in it, copies what the spec describes (name, sizes,
 *   flags, every slot), and readies the result with PyType_Ready.
 *
 * Invariants
 *   - A heap type owns: ht_name, ht_qualname (the same str), _ht_tpname
 *     (PyMem), tp_doc (PyMem), tp_dict, tp_bases, tp_mro, a strong
 *     reference to tp_base and to ht_module, and its metaclass (through
 *     PyObject_Init).  type_dealloc (typeobject.c) releases exactly these,
 *     so a half-built type is released with one Py_DECREF.
 *   - The spec's Py_tp_members array is copied into the same allocation,
 *     right after the type object (metaclass->tp_basicsize bytes in), with
 *     Py_RELATIVE_OFFSET offsets resolved; tp_members points at the copy.
 *   - tp_mro[0] is the type itself, borrowed: a counted self-reference
 *     would be a cycle that nothing collects (pymodrt has no cycle GC).
 *     typeobject.c's build_mro does the same for single-base heap types,
 *     and type_dealloc and PyType_Ready's error path clear that entry
 *     before releasing the tuple.  heaptype_build_mro follows the rule
 *     (it builds the MRO itself so that several bases get a C3 order).
 *   - Everything a type holds is immutable once PyType_From* returns,
 *     except tp_dict entries (type attribute assignment; tp_dict is a
 *     lock-free-read dict).  The lookups below therefore read ht_module,
 *     tp_mro and the module's md_def/md_token without locks, allocation or
 *     reference-count writes (PyType_GetModuleByDef is a hot path:
 *     DESIGN.md 4, <= 3 ns at any depth).
 *   - Instances of heap types hold a strong reference to their type
 *     (PyObject_Init takes it).  The default tp_dealloc, subtype_dealloc,
 *     drops it after the base type's dealloc has freed the memory.
 *
 * File map
 *   1. slot table (slot ID -> table and offset), PyType_GetSlot
 *   2. spec scanning and validation (no allocation)
 *   3. bases, metaclass, best base, MRO
 *   4. subtype_dealloc: the default destructor of heap-type instances
 *   5. PyType_FromMetaclass and the three wrappers
 *   6. lookups: PyType_GetModule, GetModuleState, GetModuleByDef,
 *      GetModuleByToken, GetBaseByToken */
#include "internal/pycore.h"
#include "internal/module.h"

#include <stddef.h>
#include <string.h>

/* ============================================================ 1. slot table */

enum slot_group {
    SG_NONE = 0,   /* unused ID */
    SG_TP,         /* a PyTypeObject field */
    SG_NB,         /* PyNumberMethods */
    SG_SQ,         /* PySequenceMethods */
    SG_MP,         /* PyMappingMethods */
    SG_AM,         /* PyAsyncMethods */
    SG_BF,         /* PyBufferProcs */
    SG_HT,         /* a PyHeapTypeObject field (heap types only) */
};

struct slot_desc {
    unsigned char group;
    unsigned short offset;   /* within the group's struct */
};

#define TP(f) { SG_TP, offsetof(PyTypeObject, f) }
#define NB(f) { SG_NB, offsetof(PyNumberMethods, f) }
#define SQ(f) { SG_SQ, offsetof(PySequenceMethods, f) }
#define MP(f) { SG_MP, offsetof(PyMappingMethods, f) }
#define AM(f) { SG_AM, offsetof(PyAsyncMethods, f) }
#define BF(f) { SG_BF, offsetof(PyBufferProcs, f) }

/* Indexed by the stable-ABI slot numbers of object.h (typeslots.h). */
static const struct slot_desc slot_table[] = {
    [Py_bf_getbuffer] = BF(bf_getbuffer),
    [Py_bf_releasebuffer] = BF(bf_releasebuffer),
    [Py_mp_ass_subscript] = MP(mp_ass_subscript),
    [Py_mp_length] = MP(mp_length),
    [Py_mp_subscript] = MP(mp_subscript),
    [Py_nb_absolute] = NB(nb_absolute),
    [Py_nb_add] = NB(nb_add),
    [Py_nb_and] = NB(nb_and),
    [Py_nb_bool] = NB(nb_bool),
    [Py_nb_divmod] = NB(nb_divmod),
    [Py_nb_float] = NB(nb_float),
    [Py_nb_floor_divide] = NB(nb_floor_divide),
    [Py_nb_index] = NB(nb_index),
    [Py_nb_inplace_add] = NB(nb_inplace_add),
    [Py_nb_inplace_and] = NB(nb_inplace_and),
    [Py_nb_inplace_floor_divide] = NB(nb_inplace_floor_divide),
    [Py_nb_inplace_lshift] = NB(nb_inplace_lshift),
    [Py_nb_inplace_multiply] = NB(nb_inplace_multiply),
    [Py_nb_inplace_or] = NB(nb_inplace_or),
    [Py_nb_inplace_power] = NB(nb_inplace_power),
    [Py_nb_inplace_remainder] = NB(nb_inplace_remainder),
    [Py_nb_inplace_rshift] = NB(nb_inplace_rshift),
    [Py_nb_inplace_subtract] = NB(nb_inplace_subtract),
    [Py_nb_inplace_true_divide] = NB(nb_inplace_true_divide),
    [Py_nb_inplace_xor] = NB(nb_inplace_xor),
    [Py_nb_int] = NB(nb_int),
    [Py_nb_invert] = NB(nb_invert),
    [Py_nb_lshift] = NB(nb_lshift),
    [Py_nb_multiply] = NB(nb_multiply),
    [Py_nb_negative] = NB(nb_negative),
    [Py_nb_or] = NB(nb_or),
    [Py_nb_positive] = NB(nb_positive),
    [Py_nb_power] = NB(nb_power),
    [Py_nb_remainder] = NB(nb_remainder),
    [Py_nb_rshift] = NB(nb_rshift),
    [Py_nb_subtract] = NB(nb_subtract),
    [Py_nb_true_divide] = NB(nb_true_divide),
    [Py_nb_xor] = NB(nb_xor),
    [Py_sq_ass_item] = SQ(sq_ass_item),
    [Py_sq_concat] = SQ(sq_concat),
    [Py_sq_contains] = SQ(sq_contains),
    [Py_sq_inplace_concat] = SQ(sq_inplace_concat),
    [Py_sq_inplace_repeat] = SQ(sq_inplace_repeat),
    [Py_sq_item] = SQ(sq_item),
    [Py_sq_length] = SQ(sq_length),
    [Py_sq_repeat] = SQ(sq_repeat),
    [Py_tp_alloc] = TP(tp_alloc),
    [Py_tp_base] = TP(tp_base),
    [Py_tp_bases] = TP(tp_bases),
    [Py_tp_call] = TP(tp_call),
    [Py_tp_clear] = TP(tp_clear),
    [Py_tp_dealloc] = TP(tp_dealloc),
    [Py_tp_del] = TP(tp_del),
    [Py_tp_descr_get] = TP(tp_descr_get),
    [Py_tp_descr_set] = TP(tp_descr_set),
    [Py_tp_doc] = TP(tp_doc),
    [Py_tp_getattr] = TP(tp_getattr),
    [Py_tp_getattro] = TP(tp_getattro),
    [Py_tp_hash] = TP(tp_hash),
    [Py_tp_init] = TP(tp_init),
    [Py_tp_is_gc] = TP(tp_is_gc),
    [Py_tp_iter] = TP(tp_iter),
    [Py_tp_iternext] = TP(tp_iternext),
    [Py_tp_methods] = TP(tp_methods),
    [Py_tp_new] = TP(tp_new),
    [Py_tp_repr] = TP(tp_repr),
    [Py_tp_richcompare] = TP(tp_richcompare),
    [Py_tp_setattr] = TP(tp_setattr),
    [Py_tp_setattro] = TP(tp_setattro),
    [Py_tp_str] = TP(tp_str),
    [Py_tp_traverse] = TP(tp_traverse),
    [Py_tp_members] = TP(tp_members),
    [Py_tp_getset] = TP(tp_getset),
    [Py_tp_free] = TP(tp_free),
    [Py_nb_matrix_multiply] = NB(nb_matrix_multiply),
    [Py_nb_inplace_matrix_multiply] = NB(nb_inplace_matrix_multiply),
    [Py_am_await] = AM(am_await),
    [Py_am_aiter] = AM(am_aiter),
    [Py_am_anext] = AM(am_anext),
    [Py_tp_finalize] = TP(tp_finalize),
    [Py_am_send] = AM(am_send),
    [Py_tp_vectorcall] = TP(tp_vectorcall),
    [Py_tp_token] = { SG_HT, offsetof(PyHeapTypeObject, ht_token) },
};

#undef TP
#undef NB
#undef SQ
#undef MP
#undef AM
#undef BF

#define SLOT_COUNT ((int)Py_ARRAY_LENGTH(slot_table))

static int
slot_id_valid(int id)
{
    return id > 0 && id < SLOT_COUNT && slot_table[id].group != SG_NONE;
}

/* The struct a slot lives in, for 'type'; NULL if the type has none. */
static char *
slot_group_base(PyTypeObject *type, int group)
{
    switch (group) {
    case SG_TP: return (char *)type;
    case SG_NB: return (char *)type->tp_as_number;
    case SG_SQ: return (char *)type->tp_as_sequence;
    case SG_MP: return (char *)type->tp_as_mapping;
    case SG_AM: return (char *)type->tp_as_async;
    case SG_BF: return (char *)type->tp_as_buffer;
    case SG_HT:
        return (type->tp_flags & Py_TPFLAGS_HEAPTYPE) ? (char *)type : NULL;
    default: return NULL;
    }
}

void *
PyType_GetSlot(PyTypeObject *type, int slot)
{
    char *base;

    if (!slot_id_valid(slot)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    base = slot_group_base(type, slot_table[slot].group);
    if (base == NULL)
        return NULL;
    return *(void **)(base + slot_table[slot].offset);
}

/* ============================================= 2. spec scanning (no allocs) */

/* What the first pass over spec->slots found. */
struct spec_scan {
    PyMemberDef *members;        /* the Py_tp_members array or NULL */
    Py_ssize_t nmembers;
    const char *doc;             /* the Py_tp_doc value (may be NULL) */
    PyObject *slot_base;         /* Py_tp_base value */
    PyObject *slot_bases;        /* Py_tp_bases value */
    void *token;                 /* resolved Py_tp_token */
    Py_ssize_t weaklistoffset, dictoffset, vectorcalloffset;   /* spec values */
    unsigned char rel_weaklist, rel_dict, rel_vectorcall;      /* relative? */
};

static int
check_special_member(PyMemberDef *m)
{
    if (m->type != Py_T_PYSSIZET) {
        PyErr_Format(PyExc_SystemError, "type of %s must be Py_T_PYSSIZET", m->name);
        return -1;
    }
    if ((m->flags & ~Py_RELATIVE_OFFSET) != Py_READONLY) {
        PyErr_Format(PyExc_SystemError, "flags for %s must be Py_READONLY", m->name);
        return -1;
    }
    return 0;
}

static int
scan_members(PyType_Spec *spec, PyMemberDef *members, struct spec_scan *sc)
{
    for (PyMemberDef *m = members; m->name != NULL; m++) {
        int rel = (m->flags & Py_RELATIVE_OFFSET) != 0;

        sc->nmembers++;
        if (rel) {
            if (spec->basicsize > 0) {
                PyErr_SetString(PyExc_SystemError,
                                "With Py_RELATIVE_OFFSET, basicsize must be negative.");
                return -1;
            }
            if (m->offset < 0 || m->offset >= -(Py_ssize_t)spec->basicsize) {
                PyErr_SetString(PyExc_SystemError, "Member offset out of range (0..-basicsize)");
                return -1;
            }
        }
        if (strcmp(m->name, "__weaklistoffset__") == 0) {
            if (check_special_member(m) < 0)
                return -1;
            sc->weaklistoffset = m->offset;
            sc->rel_weaklist = (unsigned char)rel;
        } else if (strcmp(m->name, "__dictoffset__") == 0) {
            if (check_special_member(m) < 0)
                return -1;
            sc->dictoffset = m->offset;
            sc->rel_dict = (unsigned char)rel;
        } else if (strcmp(m->name, "__vectorcalloffset__") == 0) {
            if (check_special_member(m) < 0)
                return -1;
            sc->vectorcalloffset = m->offset;
            sc->rel_vectorcall = (unsigned char)rel;
        }
    }
    return 0;
}

/* Validates the spec and collects what needs special handling.  Raises and
 * returns -1 on the first problem; allocates nothing. */
static int
scan_spec(PyType_Spec *spec, struct spec_scan *sc)
{
    int have_members = 0, have_doc = 0;

    memset(sc, 0, sizeof(*sc));
    if (spec->name == NULL) {
        PyErr_SetString(PyExc_SystemError, "Type spec does not define the name field.");
        return -1;
    }
    for (PyType_Slot *s = spec->slots; s != NULL && s->slot != 0; s++) {
        if (!slot_id_valid(s->slot)) {
            PyErr_SetString(PyExc_RuntimeError, "invalid slot offset");
            return -1;
        }
        switch (s->slot) {
        case Py_tp_members:
            if (have_members) {
                PyErr_SetString(PyExc_SystemError,
                                "Multiple Py_tp_members slots are not supported.");
                return -1;
            }
            have_members = 1;
            sc->members = s->pfunc;
            if (sc->members != NULL && scan_members(spec, sc->members, sc) < 0)
                return -1;
            break;
        case Py_tp_doc:
            if (have_doc) {
                PyErr_SetString(PyExc_SystemError,
                                "Multiple Py_tp_doc slots are not supported.");
                return -1;
            }
            have_doc = 1;
            sc->doc = s->pfunc;
            break;
        case Py_tp_base:
            sc->slot_base = s->pfunc;
            break;
        case Py_tp_bases:
            sc->slot_bases = s->pfunc;
            break;
        case Py_tp_token:
            sc->token = s->pfunc == Py_TP_USE_SPEC ? (void *)spec : s->pfunc;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* The docstring without a leading "name(signature)\n--\n\n" block, the
 * form __doc__ takes (the full text stays in tp_doc). */
static const char *
doc_without_signature(const char *tpname, const char *doc)
{
    const char *dot = strrchr(tpname, '.');
    const char *name = dot != NULL ? dot + 1 : tpname;
    size_t n = strlen(name);
    const char *p;

    if (strncmp(doc, name, n) != 0 || doc[n] != '(')
        return doc;
    for (p = doc + n; *p != '\0'; p++) {
        if (*p == ')' && strncmp(p + 1, "\n--\n\n", 5) == 0)
            return p + 6;
        if (*p == '\n' && p[1] == '\n')
            return doc;   /* a blank line before any end marker */
    }
    return doc;
}

/* ==================================================== 3. bases, meta, MRO */

/* New reference to the tuple of bases: the argument, else Py_tp_bases, else
 * Py_tp_base, else (object,).  A single type becomes a 1-tuple. */
static PyObject *
bases_tuple(PyObject *bases_in, const struct spec_scan *sc)
{
    PyObject *b = bases_in;

    if (b == NULL)
        b = sc->slot_bases != NULL ? sc->slot_bases : sc->slot_base;
    if (b == NULL)
        return PyTuple_Pack(1, (PyObject *)&PyBaseObject_Type);
    if (PyTuple_Check(b))
        return Py_NewRef(b);
    return PyTuple_Pack(1, b);
}

/* The most derived metaclass of 'meta' and the bases' types (borrowed). */
static PyTypeObject *
calc_metaclass(PyTypeObject *meta, PyObject *bases)
{
    PyTypeObject *winner = meta;

    for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(bases); i < n; i++) {
        PyTypeObject *t = Py_TYPE(PyTuple_GET_ITEM(bases, i));
        if (PyType_IsSubtype(winner, t))
            continue;
        if (PyType_IsSubtype(t, winner)) {
            winner = t;
            continue;
        }
        PyErr_SetString(PyExc_TypeError,
                        "metaclass conflict: the metaclass of a derived class must be a "
                        "(non-strict) subclass of the metaclasses of all its bases");
        return NULL;
    }
    return winner;
}

/* The nearest ancestor (or 'type' itself) that adds to the instance
 * layout: the type whose layout all instances share. */
static PyTypeObject *
solid_base(PyTypeObject *type)
{
    PyTypeObject *base = type->tp_base != NULL ? solid_base(type->tp_base) : &PyBaseObject_Type;

    if (type->tp_basicsize != base->tp_basicsize || type->tp_itemsize != base->tp_itemsize)
        return type;
    return base;
}

/* Checks every base (a ready type that allows subclassing) and returns the
 * one whose layout the new type extends (borrowed). */
static PyTypeObject *
best_base(PyObject *bases)
{
    PyTypeObject *base = NULL, *winner = NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(bases);

    if (n == 0) {
        PyErr_SetString(PyExc_SystemError, "empty tuple of bases");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *b = PyTuple_GET_ITEM(bases, i);
        PyTypeObject *bt, *cand;

        if (!PyType_Check(b)) {
            PyErr_SetString(PyExc_TypeError, "bases must be types");
            return NULL;
        }
        bt = (PyTypeObject *)b;
        if (!(bt->tp_flags & Py_TPFLAGS_READY) && PyType_Ready(bt) < 0)
            return NULL;
        if (!(bt->tp_flags & Py_TPFLAGS_BASETYPE)) {
            PyErr_Format(PyExc_TypeError, "type '%.100s' is not an acceptable base type",
                         bt->tp_name);
            return NULL;
        }
        for (Py_ssize_t j = 0; j < i; j++) {
            if (PyTuple_GET_ITEM(bases, j) == b) {
                PyObject *name = PyType_GetName(bt);
                if (name != NULL) {
                    PyErr_Format(PyExc_TypeError, "duplicate base class %U", name);
                    Py_DECREF(name);
                }
                return NULL;
            }
        }
        cand = solid_base(bt);
        if (winner == NULL || PyType_IsSubtype(cand, winner)) {
            if (winner == NULL || cand != winner) {
                winner = cand;
                base = bt;
            }
        } else if (!PyType_IsSubtype(winner, cand)) {
            PyErr_SetString(PyExc_TypeError, "multiple bases have instance lay-out conflict");
            return NULL;
        }
    }
    return base;
}

static int
mro_in_tail(PyObject *cand, PyObject **const *seqs, const Py_ssize_t *lens,
            const Py_ssize_t *pos, Py_ssize_t nseq)
{
    for (Py_ssize_t j = 0; j < nseq; j++)
        for (Py_ssize_t k = pos[j] + 1; k < lens[j]; k++)
            if (seqs[j][k] == cand)
                return 1;
    return 0;
}

static void
mro_error(PyObject *bases)
{
    PyObject *names = PyUnicode_FromString("");

    for (Py_ssize_t i = 0; names != NULL && i < PyTuple_GET_SIZE(bases); i++) {
        PyObject *n = PyType_GetName((PyTypeObject *)PyTuple_GET_ITEM(bases, i));
        PyObject *joined = n == NULL ? NULL :
            PyUnicode_FromFormat("%U%s%U", names, i ? ", " : "", n);
        Py_XDECREF(n);
        Py_SETREF(names, joined);
    }
    if (names != NULL) {
        PyErr_Format(PyExc_TypeError,
                     "Cannot create a consistent method resolution order (MRO) for bases %U",
                     names);
        Py_DECREF(names);
    }
}

/* C3 linearisation of 'type' over its (ready) bases.  Item 0 is 'type',
 * borrowed (file comment); the others are counted. */
static PyObject *
heaptype_build_mro(PyTypeObject *type, PyObject *bases)
{
    Py_ssize_t nb = PyTuple_GET_SIZE(bases), nseq = nb + 1, total = 1, k = 1;
    PyObject ***seqs = NULL, **out = NULL, *mro = NULL;
    Py_ssize_t *lens = NULL, *pos = NULL;

    if (nb == 1) {
        PyObject *bm = ((PyTypeObject *)PyTuple_GET_ITEM(bases, 0))->tp_mro;
        Py_ssize_t n = PyTuple_GET_SIZE(bm);
        mro = PyTuple_New(n + 1);
        if (mro == NULL)
            return NULL;
        PyTuple_SET_ITEM(mro, 0, (PyObject *)type);
        for (Py_ssize_t i = 0; i < n; i++)
            PyTuple_SET_ITEM(mro, i + 1, Py_NewRef(PyTuple_GET_ITEM(bm, i)));
        return mro;
    }
    seqs = PyMem_Calloc((size_t)nseq, sizeof(*seqs));
    lens = PyMem_Calloc((size_t)nseq, sizeof(*lens));
    pos = PyMem_Calloc((size_t)nseq, sizeof(*pos));
    if (seqs == NULL || lens == NULL || pos == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < nb; i++) {
        PyObject *bm = ((PyTypeObject *)PyTuple_GET_ITEM(bases, i))->tp_mro;
        seqs[i] = &PyTuple_GET_ITEM(bm, 0);
        lens[i] = PyTuple_GET_SIZE(bm);
        total += lens[i];
    }
    seqs[nb] = &PyTuple_GET_ITEM(bases, 0);
    lens[nb] = nb;
    out = PyMem_Calloc((size_t)total, sizeof(*out));
    if (out == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    out[0] = (PyObject *)type;
    for (;;) {
        PyObject *next = NULL;
        int remaining = 0;
        for (Py_ssize_t i = 0; i < nseq && next == NULL; i++) {
            if (pos[i] >= lens[i])
                continue;
            remaining = 1;
            if (!mro_in_tail(seqs[i][pos[i]], (PyObject **const *)seqs, lens, pos, nseq))
                next = seqs[i][pos[i]];
        }
        if (!remaining)
            break;
        if (next == NULL) {
            mro_error(bases);
            goto done;
        }
        out[k++] = next;
        for (Py_ssize_t i = 0; i < nseq; i++)
            if (pos[i] < lens[i] && seqs[i][pos[i]] == next)
                pos[i]++;
    }
    mro = PyTuple_New(k);
    if (mro != NULL) {
        PyTuple_SET_ITEM(mro, 0, (PyObject *)type);
        for (Py_ssize_t i = 1; i < k; i++)
            PyTuple_SET_ITEM(mro, i, Py_NewRef(out[i]));
    }
done:
    PyMem_Free(seqs);
    PyMem_Free(lens);
    PyMem_Free(pos);
    PyMem_Free(out);
    return mro;
}

/* ===================================== 4. default dealloc of heap instances */

/* Runs a finalizer on an object whose count reached zero.  Returns 1 if the
 * finalizer resurrected it (the caller must then stop deallocating). */
static int
call_finalizer(PyObject *self, destructor fin)
{
    PyObject *exc = PyErr_GetRaisedException();
    uint32_t left;

    __atomic_store_n(&self->ob_refcnt_full,
                     (_Py_RefcntWord(self) & ~(int64_t)0xFFFFFFFF) | 1, __ATOMIC_RELAXED);
    fin(self);
    if (PyErr_Occurred())
        PyErr_WriteUnraisable(self);
    PyErr_SetRaisedException(exc);
    left = (uint32_t)__atomic_sub_fetch(&self->ob_refcnt_full, 1, __ATOMIC_ACQ_REL);
    return left != 0;
}

static PyObject **
instance_dict_slot(PyObject *self, PyTypeObject *type)
{
    Py_ssize_t off = type->tp_dictoffset;

    if (off < 0) {
        Py_ssize_t n = Py_SIZE(self);
        off += (Py_ssize_t)_PyObject_VAR_SIZE(type, n < 0 ? -n : n);
    }
    return (PyObject **)((char *)self + off);
}

static void subtype_dealloc(PyObject *self);

/* Whether 'base's own tp_dealloc releases the instance's reference to its
 * type.  A heap base's dealloc does (the CPython convention since 3.8); a
 * static base's does not, with one exception: typeobject.c's type_dealloc
 * (the dealloc of 'type', reached by instances of heap metaclasses) drops
 * Py_TYPE(self) itself, unlike CPython's.  If type_dealloc stops doing
 * that, drop the second test (test_heaptype's metaclass test notices). */
static int
base_dealloc_drops_type(PyTypeObject *base)
{
    return (base->tp_flags & Py_TPFLAGS_HEAPTYPE) || base->tp_dealloc == PyType_Type.tp_dealloc;
}

/* tp_dealloc of heap types that define none: finalizer, then what the
 * heap-type layers added (instance dict, weak references), then the
 * nearest base's own dealloc (which frees the memory with tp_free), then
 * the instance's reference to its type. */
static void
subtype_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self), *base;
    int decref_type;

    if (type->tp_finalize != NULL && call_finalizer(self, type->tp_finalize))
        return;
    if (type->tp_del != NULL && call_finalizer(self, type->tp_del))
        return;
    type = Py_TYPE(self);   /* a finalizer may have changed __class__ */
    base = type;
    while (base->tp_dealloc == subtype_dealloc)
        base = base->tp_base;
    if (type->tp_weaklistoffset != 0 && base->tp_weaklistoffset == 0)
        PyObject_ClearWeakRefs(self);
    if (type->tp_dictoffset != 0 && base->tp_dictoffset == 0) {
        PyObject **slot = instance_dict_slot(self, type);
        PyObject *dict = *slot;
        if (dict != NULL) {
            *slot = NULL;
            Py_DECREF(dict);
        }
    }
    decref_type = (type->tp_flags & Py_TPFLAGS_HEAPTYPE) && !base_dealloc_drops_type(base);
    base->tp_dealloc(self);
    if (decref_type)
        Py_DECREF(type);
}

/* ============================================== 5. creating heap types */

#define RT_MAX_ALIGN ((Py_ssize_t)_Alignof(max_align_t))

static Py_ssize_t
align_up(Py_ssize_t n)
{
    return (n + RT_MAX_ALIGN - 1) & ~(RT_MAX_ALIGN - 1);
}

/* Fills the NULL entries of each embedded method table from 'base', so a
 * subclass that defines one sequence slot keeps its base's others (the
 * type-level inheritance in PyType_Ready copies only missing tables). */
static void
inherit_tables(PyHeapTypeObject *ht, PyTypeObject *base)
{
    struct { void *dst; const void *src; size_t n; } t[] = {
        { &ht->as_number, base->tp_as_number, sizeof(PyNumberMethods) },
        { &ht->as_sequence, base->tp_as_sequence, sizeof(PySequenceMethods) },
        { &ht->as_mapping, base->tp_as_mapping, sizeof(PyMappingMethods) },
        { &ht->as_async, base->tp_as_async, sizeof(PyAsyncMethods) },
        { &ht->as_buffer, base->tp_as_buffer, sizeof(PyBufferProcs) },
    };

    for (size_t i = 0; i < Py_ARRAY_LENGTH(t); i++) {
        void **dst = t[i].dst;
        void *const *src = t[i].src;
        if (src == NULL)
            continue;
        for (size_t k = 0; k < t[i].n / sizeof(void *); k++)
            if (dst[k] == NULL)
                dst[k] = src[k];
    }
}

/* Name, qualname, tp_name copy, __module__ and __doc__ (in a fresh tp_dict,
 * before PyType_Ready so that nothing can fail once the type is ready). */
static int
set_names_and_dict(PyHeapTypeObject *ht, PyType_Spec *spec, const char *doc)
{
    PyTypeObject *type = &ht->ht_type;
    const char *dot = strrchr(spec->name, '.');
    const char *shortname = dot != NULL ? dot + 1 : spec->name;
    size_t len = strlen(spec->name);
    PyObject *v;
    int r;

    ht->ht_name = PyUnicode_FromString(shortname);
    if (ht->ht_name == NULL)
        return -1;
    ht->ht_qualname = Py_NewRef(ht->ht_name);
    ht->_ht_tpname = PyMem_Malloc(len + 1);
    if (ht->_ht_tpname == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(ht->_ht_tpname, spec->name, len + 1);
    type->tp_name = ht->_ht_tpname;
    if (doc != NULL) {
        size_t dlen = strlen(doc);
        char *copy = PyMem_Malloc(dlen + 1);
        if (copy == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(copy, doc, dlen + 1);
        type->tp_doc = copy;
    }
    type->tp_dict = PyDict_New();
    if (type->tp_dict == NULL)
        return -1;
    if (type->tp_doc != NULL)
        v = PyUnicode_FromString(doc_without_signature(type->tp_name, type->tp_doc));
    else
        v = Py_NewRef(Py_None);
    if (v == NULL)
        return -1;
    r = PyDict_SetItemString(type->tp_dict, "__doc__", v);
    Py_DECREF(v);
    if (r < 0)
        return -1;
    if (dot == NULL) {
        /* 3.12+: a spec name without a module part is deprecated. */
        return PyErr_WarnFormat(PyExc_DeprecationWarning, 1,
                                "builtin type %.200s has no __module__ attribute", spec->name);
    }
    v = PyUnicode_FromStringAndSize(spec->name, dot - spec->name);
    if (v == NULL)
        return -1;
    r = PyDict_SetItemString(type->tp_dict, "__module__", v);
    Py_DECREF(v);
    return r;
}

/* Copies the spec's slots into the type (and its embedded tables). */
static void
apply_slots(PyHeapTypeObject *ht, PyType_Spec *spec)
{
    PyTypeObject *type = &ht->ht_type;

    for (PyType_Slot *s = spec->slots; s != NULL && s->slot != 0; s++) {
        const struct slot_desc *d = &slot_table[s->slot];
        switch (s->slot) {
        case Py_tp_base:
        case Py_tp_bases:
        case Py_tp_doc:
        case Py_tp_members:
        case Py_tp_token:
            continue;   /* handled by the caller */
        default:
            *(void **)(slot_group_base(type, d->group) + d->offset) = s->pfunc;
        }
    }
}

PyObject *
PyType_FromMetaclass(PyTypeObject *metaclass, PyObject *module, PyType_Spec *spec,
                     PyObject *bases_in)
{
    struct spec_scan sc;
    PyObject *bases;
    PyTypeObject *meta, *base, *type;
    PyHeapTypeObject *ht;
    Py_ssize_t basicsize, itemsize, data_offset = 0;
    size_t size;

    if (scan_spec(spec, &sc) < 0)
        return NULL;
    bases = bases_tuple(bases_in, &sc);
    if (bases == NULL)
        return NULL;
    meta = calc_metaclass(metaclass != NULL ? metaclass : &PyType_Type, bases);
    if (meta == NULL)
        goto fail_bases;
    if (!PyType_IsSubtype(meta, &PyType_Type)) {
        PyErr_Format(PyExc_TypeError, "Metaclass '%R' is not a subclass of 'type'.",
                     (PyObject *)meta);
        goto fail_bases;
    }
    if (meta->tp_new != NULL && meta->tp_new != PyType_Type.tp_new) {
        PyErr_SetString(PyExc_TypeError, "Metaclasses with custom tp_new are not supported.");
        goto fail_bases;
    }
    base = best_base(bases);
    if (base == NULL)
        goto fail_bases;

    basicsize = spec->basicsize;
    if (basicsize == 0) {
        basicsize = base->tp_basicsize;
    } else if (basicsize < 0) {
        if (base->tp_itemsize != 0 &&
            !((base->tp_flags | spec->flags) & Py_TPFLAGS_ITEMS_AT_END)) {
            PyErr_SetString(PyExc_SystemError,
                            "Cannot extend variable-size class without Py_TPFLAGS_ITEMS_AT_END.");
            goto fail_bases;
        }
        data_offset = align_up(base->tp_basicsize);
        basicsize = data_offset + align_up(-(Py_ssize_t)spec->basicsize);
    }
    itemsize = spec->itemsize != 0 ? spec->itemsize : base->tp_itemsize;

    /* The type object, then the members copy, in one block (file comment). */
    size = (size_t)meta->tp_basicsize + (size_t)(sc.nmembers + 1) * sizeof(PyMemberDef);
    ht = PyObject_Calloc(1, size);
    if (ht == NULL) {
        PyErr_NoMemory();
        goto fail_bases;
    }
    type = &ht->ht_type;
    type->tp_flags = spec->flags | Py_TPFLAGS_HEAPTYPE;
    type->tp_flags &= ~(Py_TPFLAGS_READY | Py_TPFLAGS_READYING);
    PyObject_Init((PyObject *)ht, meta);   /* takes a reference to a heap 'meta' */
    type->tp_as_async = &ht->as_async;
    type->tp_as_number = &ht->as_number;
    type->tp_as_sequence = &ht->as_sequence;
    type->tp_as_mapping = &ht->as_mapping;
    type->tp_as_buffer = &ht->as_buffer;
    type->tp_bases = bases;                 /* the type owns it from here */
    type->tp_base = (PyTypeObject *)Py_NewRef((PyObject *)base);
    type->tp_basicsize = basicsize;
    type->tp_itemsize = itemsize;
    ht->ht_module = Py_XNewRef(module);
    ht->ht_token = sc.token;
    if (base->tp_flags & Py_TPFLAGS_ITEMS_AT_END)
        type->tp_flags |= Py_TPFLAGS_ITEMS_AT_END;

    if (set_names_and_dict(ht, spec, sc.doc) < 0)
        goto fail_type;
    apply_slots(ht, spec);
    if (sc.members != NULL) {
        PyMemberDef *copy = (PyMemberDef *)((char *)ht + meta->tp_basicsize);
        memcpy(copy, sc.members, (size_t)sc.nmembers * sizeof(PyMemberDef));
        for (Py_ssize_t i = 0; i < sc.nmembers; i++) {
            if (copy[i].flags & Py_RELATIVE_OFFSET) {
                copy[i].offset += data_offset;
                copy[i].flags &= ~Py_RELATIVE_OFFSET;
            }
        }
        type->tp_members = copy;
    }
    if (sc.weaklistoffset != 0 || sc.rel_weaklist)
        type->tp_weaklistoffset = sc.weaklistoffset + (sc.rel_weaklist ? data_offset : 0);
    if (sc.dictoffset != 0 || sc.rel_dict)
        type->tp_dictoffset = sc.dictoffset + (sc.rel_dict ? data_offset : 0);
    if (sc.vectorcalloffset != 0 || sc.rel_vectorcall)
        type->tp_vectorcall_offset =
            sc.vectorcalloffset + (sc.rel_vectorcall ? data_offset : 0);
    if (type->tp_dealloc == NULL)
        type->tp_dealloc = subtype_dealloc;
    if (type->tp_flags & Py_TPFLAGS_DISALLOW_INSTANTIATION)
        type->tp_new = NULL;
    inherit_tables(ht, base);

    type->tp_mro = heaptype_build_mro(type, bases);
    if (type->tp_mro == NULL || PyType_Ready(type) < 0)
        goto fail_type;
    return (PyObject *)type;

fail_type:
    Py_DECREF(type);
    return NULL;
fail_bases:
    Py_DECREF(bases);
    return NULL;
}

PyObject *
PyType_FromSpec(PyType_Spec *spec)
{
    return PyType_FromMetaclass(NULL, NULL, spec, NULL);
}

PyObject *
PyType_FromSpecWithBases(PyType_Spec *spec, PyObject *bases)
{
    return PyType_FromMetaclass(NULL, NULL, spec, bases);
}

PyObject *
PyType_FromModuleAndSpec(PyObject *module, PyType_Spec *spec, PyObject *bases)
{
    return PyType_FromMetaclass(NULL, module, spec, bases);
}

/* ======================================================== 6. lookups */

PyObject *
PyType_GetModule(PyTypeObject *type)
{
    PyHeapTypeObject *ht = (PyHeapTypeObject *)type;

    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        PyErr_Format(PyExc_TypeError, "PyType_GetModule: Type '%s' is not a heap type",
                     type->tp_name);
        return NULL;
    }
    if (ht->ht_module == NULL) {
        PyErr_Format(PyExc_TypeError, "PyType_GetModule: Type '%s' has no associated module",
                     type->tp_name);
        return NULL;
    }
    return ht->ht_module;
}

void *
PyType_GetModuleState(PyTypeObject *type)
{
    PyObject *m = PyType_GetModule(type);

    if (m == NULL)
        return NULL;
    if (PyModule_Check(m))
        return mod_state_load((PyModuleObject *)m);
    return PyModule_GetState(m);
}

/* True if the module attached to a heap type matches 'tok': by token, or,
 * for GetModuleByDef, by definition as well (a def-based module's token is
 * its def; checking md_def too keeps modules built by hand working). */
static inline int
module_matches(PyObject *mod, const void *tok, int by_def)
{
    PyModuleObject *m = (PyModuleObject *)mod;

    if (mod == NULL)
        return 0;
    if (RT_UNLIKELY(!Py_IS_TYPE(mod, &PyModule_Type)) && !PyModule_Check(mod))
        return 0;
    return m->md_token == tok || (by_def && (const void *)m->md_def == tok);
}

/* Borrowed module of the first heap type in type's MRO whose module
 * matches, or NULL without an exception.  No locks, no allocation, no
 * reference-count writes: everything read is immutable after creation,
 * except the one-entry cache of the base that matched last. */
static PyObject *
find_module(PyTypeObject *type, const void *tok, int by_def)
{
    PyObject *mro;

    if (RT_UNLIKELY(tok == NULL))
        return NULL;
    if (RT_LIKELY(type->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        PyHeapTypeObject *ht = (PyHeapTypeObject *)type;
        if (RT_LIKELY(module_matches(ht->ht_module, tok, by_def)))
            return ht->ht_module;
        /* A subclass's methods ask for the defining module again and
         * again: the base that answered last time is tried first.  Any
         * base in the MRO lives as long as the type, and was published
         * with it, so a relaxed load of the cache is enough. */
        PyTypeObject *base = __atomic_load_n(&ht->_ht_module_base, __ATOMIC_RELAXED);
        if (base != NULL && module_matches(((PyHeapTypeObject *)base)->ht_module, tok, by_def))
            return ((PyHeapTypeObject *)base)->ht_module;
    }
    mro = type->tp_mro;
    if (mro == NULL)
        return NULL;
    for (Py_ssize_t i = 1, n = PyTuple_GET_SIZE(mro); i < n; i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
            continue;
        PyObject *mod = ((PyHeapTypeObject *)t)->ht_module;
        if (module_matches(mod, tok, by_def)) {
            if (type->tp_flags & Py_TPFLAGS_HEAPTYPE)
                __atomic_store_n(&((PyHeapTypeObject *)type)->_ht_module_base, t,
                                 __ATOMIC_RELAXED);
            return mod;
        }
    }
    return NULL;
}

static void
module_not_found(PyTypeObject *type)
{
    /* SEMANTICS 5.3: the legacy wording, for both functions. */
    PyErr_Format(PyExc_TypeError,
                 "PyType_GetModuleByDef: No superclass of '%s' has the given module",
                 type->tp_name);
}

PyObject *
PyType_GetModuleByDef(PyTypeObject *type, PyModuleDef *def)
{
    PyObject *mod = find_module(type, def, 1);

    if (RT_UNLIKELY(mod == NULL))
        module_not_found(type);
    return mod;
}

PyObject *
PyType_GetModuleByToken(PyTypeObject *type, const void *token)
{
    PyObject *mod = find_module(type, token, 0);

    if (mod == NULL) {
        module_not_found(type);
        return NULL;
    }
    return Py_NewRef(mod);
}

int
PyType_GetBaseByToken(PyTypeObject *type, void *token, PyTypeObject **result)
{
    PyObject *mro;

    if (result != NULL)
        *result = NULL;
    if (token == NULL) {
        PyErr_SetString(PyExc_SystemError, "PyType_GetBaseByToken called with token=NULL");
        return -1;
    }
    if (!PyType_Check((PyObject *)type)) {
        PyErr_Format(PyExc_TypeError, "expected a type, got a '%T' object", (PyObject *)type);
        return -1;
    }
    /* A static type has no token, and cannot inherit from a heap type. */
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return 0;
    mro = type->tp_mro;
    for (Py_ssize_t i = 0, n = mro != NULL ? PyTuple_GET_SIZE(mro) : 0; i < n; i++) {
        PyTypeObject *t = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        if ((t->tp_flags & Py_TPFLAGS_HEAPTYPE) && ((PyHeapTypeObject *)t)->ht_token == token) {
            if (result != NULL)
                *result = (PyTypeObject *)Py_NewRef((PyObject *)t);
            return 1;
        }
    }
    return 0;
}
