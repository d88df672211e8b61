/* check.c: the invariants pymodrt-stress proves, and the violation list.
 *
 * Generations.  Per (interpreter, module) a slot counts deletions from
 * sys.modules: a deleter increments 'deleting', deletes, increments 'gen'
 * and decrements 'deleting'.  An import bracketed by (gen, deleting) reads
 * before and after is "valid" when no deletion overlapped it: gen unchanged
 * and deleting zero at both ends.  Every valid import in one generation must
 * return the same object; the first one records it (identity only: the
 * record never dereferences the pointer).
 *
 * Instances.  Two instances of one module (two interpreters, or before and
 * after a re-import) must come out of exec alike (same attribute names, equal
 * simple values: "exec-idempotent") and share nothing: no non-immortal
 * attribute value and no module state may be the same object in both
 * ("isolation").  Single-phase modules with m_size == -1 are exempt from the
 * sharing rule: their m_copy snapshot shares values by design (which is why
 * they are refused by sub-interpreters).
 *
 * State.  A module with the bundled protocol (_stress_state) reports how
 * often exec ran on the instance (must be once: "exec-once"), the
 * interpreter that ran it (must be the one the caller runs in) and the state
 * address its own code uses (must be PyModule_GetState of the instance).
 *
 * Failures.  With faults injected, every failed operation must fail with
 * MemoryError or the injected RuntimeError (possibly as the cause of an
 * ImportError); without, nothing may fail ("failure").  sys.modules must
 * never keep a partially initialized module (checked between rounds).
 *
 * Violations are kept under 'viol_mu', deduplicated by (invariant, module,
 * detail prefix), each with the first thread, interpreter and campaign. */
#include "stress.h"

#include <stdarg.h>

struct violation {
    char invariant[32];
    int mi;
    int worker;
    int64_t interp;
    int campaign;
    unsigned long count;
    char detail[320];
};

#define MAX_VIOLATIONS 200
static pthread_mutex_t viol_mu = PTHREAD_MUTEX_INITIALIZER;   /* guards the list */
static struct violation viols[MAX_VIOLATIONS];                 /* guarded by viol_mu */
static int nviols;                                             /* guarded by viol_mu */
static _Atomic unsigned long viol_total;                       /* atomic */

void
st_chk_init(void)
{
    nviols = 0;
    atomic_store(&viol_total, 0);
}

unsigned long
st_chk_count(void)
{
    return atomic_load(&viol_total);
}

void
st_chk_violation(const char *invariant, int mi, int worker, int64_t interp_id, const char *fmt, ...)
{
    char detail[320];
    va_list ap;
    int i;

    size_t key;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    /* Deduplicate on the text before the first number (ids, addresses and
     * values vary from one occurrence to the next). */
    key = strcspn(detail, "0123456789");
    if (key > 60)
        key = 60;
    atomic_fetch_add(&viol_total, 1);
    pthread_mutex_lock(&viol_mu);
    for (i = 0; i < nviols; i++)
        if (viols[i].mi == mi && strcmp(viols[i].invariant, invariant) == 0 &&
            strncmp(viols[i].detail, detail, key) == 0)
            break;
    if (i < nviols) {
        viols[i].count++;
    } else if (nviols < MAX_VIOLATIONS) {
        struct violation *v = &viols[nviols++];
        snprintf(v->invariant, sizeof v->invariant, "%s", invariant);
        v->mi = mi;
        v->worker = worker;
        v->interp = interp_id;
        v->campaign = st_run.campaign_index;
        v->count = 1;
        memcpy(v->detail, detail, sizeof v->detail);
    }
    if (mi >= 0) {
        struct st_module *m = &st_run.mods[mi];
        m->violations++;
        if (strstr(m->violated, invariant) == NULL) {
            size_t n = strlen(m->violated);
            snprintf(m->violated + n, sizeof m->violated - n, "%s%s", n ? ", " : "", invariant);
        }
    }
    pthread_mutex_unlock(&viol_mu);
}

/* ---------------------------------------------------------------- generations */

struct st_gen
st_chk_gen_begin(struct st_slot *s)
{
    struct st_gen b;

    b.g = atomic_load(&s->gen);
    b.d = atomic_load(&s->deleting);
    return b;
}

int
st_chk_gen_valid(struct st_slot *s, struct st_gen b)
{
    int d = atomic_load(&s->deleting);

    return b.d == 0 && d == 0 && atomic_load(&s->gen) == b.g;
}

void
st_chk_same_object(struct st_worker *w, int mi, struct st_slot *s, uint64_t gen, PyObject *m)
{
    const void *other = NULL;

    pthread_mutex_lock(&s->mu);
    if (s->rec_gen < gen || s->rec_obj == NULL) {
        if (s->rec_gen <= gen) {
            s->rec_gen = gen;
            s->rec_obj = m;
            s->rec_nonce = 0;
            s->rec_state_known = 0;
        }
    } else if (s->rec_gen == gen && s->rec_obj != m) {
        other = s->rec_obj;
    }
    pthread_mutex_unlock(&s->mu);
    if (other != NULL)
        st_chk_violation("same-object", mi, w ? w->index : -1, w ? w->ip->id : 0,
                         "two threads of one interpreter got different objects for '%s' with no "
                         "deletion in between (%p and %p)", st_run.mods[mi].name, other, (void *)m);
}

/* ---------------------------------------------------------------- instances */

void
st_chk_refused_gil(int worker, int64_t interp_id, int needs_gil, const char *refused)
{
    if (st_run.cur->gil != -1 || needs_gil || refused[0] == '\0' || !pymodrt_gil_enabled())
        return;
    st_chk_violation("gil", -1, worker, interp_id,
                     "a sub-interpreter's own GIL was switched on although no module that needs "
                     "it was loaded there (refused: %s; interpreter %lld): the GIL decision must "
                     "follow the sub-interpreter check", refused, (long long)interp_id);
}

static int
simple_value(PyObject *v)
{
    return PyLong_Check(v) || PyUnicode_Check(v) || PyFloat_Check(v) || PyBytes_Check(v) ||
           PyBool_Check(v) || v == Py_None;
}

static void
describe(PyObject *v, char *buf, size_t n)
{
    PyObject *r = PyObject_Repr(v);
    const char *s = r ? PyUnicode_AsUTF8(r) : NULL;

    snprintf(buf, n, "%.60s", s ? s : Py_TYPE(v)->tp_name);
    if (r == NULL || s == NULL)
        PyErr_Clear();
    Py_XDECREF(r);
}

void
st_chk_instances(int mi, int worker, int64_t interp_id, PyObject *a, PyObject *b,
                 const char *relation)
{
    PyObject *da = PyModule_GetDict(a), *db = PyModule_GetDict(b), *k, *va, *vb;
    Py_ssize_t pos = 0;
    int snapshot = st_run.mods[mi].snapshot;
    char ra[80], rb[80];

    if (a == b || da == NULL || db == NULL) {
        PyErr_Clear();
        return;
    }
    while (PyDict_Next(da, &pos, &k, &va)) {
        const char *key = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
        if (key == NULL) {
            PyErr_Clear();
            continue;
        }
        if (key[0] == '_' && key[1] == '_')
            continue;   /* __spec__, __file__, ...: set by the loader */
        vb = PyDict_GetItemWithError(db, k);
        if (vb == NULL) {
            if (PyErr_Occurred()) {
                PyErr_Clear();
                return;
            }
            st_chk_violation("exec-idempotent", mi, worker, interp_id,
                             "attribute '%s' exists in one instance but not the other (%s)", key,
                             relation);
            continue;
        }
        if (va == vb && !snapshot && !_Py_IsImmortal(va)) {
            st_chk_violation("isolation", mi, worker, interp_id,
                             "attribute '%s' is one %s object shared by %s (a static global "
                             "handed to every instance)", key, Py_TYPE(va)->tp_name, relation);
            continue;
        }
        if (Py_TYPE(va) != Py_TYPE(vb)) {
            st_chk_violation("exec-idempotent", mi, worker, interp_id,
                             "attribute '%s' is a %s in one instance and a %s in the other (%s)",
                             key, Py_TYPE(va)->tp_name, Py_TYPE(vb)->tp_name, relation);
            continue;
        }
        if (simple_value(va) && va != vb) {
            int eq = PyObject_RichCompareBool(va, vb, Py_EQ);
            if (eq < 0) {
                PyErr_Clear();
                return;
            }
            if (!eq) {
                describe(va, ra, sizeof ra);
                describe(vb, rb, sizeof rb);
                st_chk_violation("exec-idempotent", mi, worker, interp_id,
                                 "attribute '%s' is %s in one instance and %s in the other (%s): "
                                 "exec depends on process history", key, ra, rb, relation);
            }
        }
    }
    pos = 0;
    while (PyDict_Next(db, &pos, &k, &vb)) {
        const char *key = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
        if (key == NULL || (key[0] == '_' && key[1] == '_')) {
            PyErr_Clear();
            continue;
        }
        va = PyDict_GetItemWithError(da, k);
        if (va == NULL && !PyErr_Occurred())
            st_chk_violation("exec-idempotent", mi, worker, interp_id,
                             "attribute '%s' exists in one instance but not the other (%s)", key,
                             relation);
        PyErr_Clear();
    }
    if (!snapshot) {
        void *sa = PyModule_GetState(a), *sb = PyModule_GetState(b);
        PyErr_Clear();
        if (sa != NULL && sa == sb)
            st_chk_violation("isolation", mi, worker, interp_id,
                             "two instances have one module state (%s)", relation);
    }
}

/* ---------------------------------------------------------------- state */

uint64_t
st_chk_state(struct st_worker *w, int mi, PyObject *m, int64_t interp_id)
{
    PyObject *f, *r;
    long long execs, owner;
    unsigned long long nonce, addr;
    void *own;
    int wi = w ? w->index : -1;

    if (!st_run.mods[mi].protocol) {
        (void)PyModule_GetState(m);   /* the access itself */
        PyErr_Clear();
        return 0;
    }
    f = PyObject_GetAttrString(m, "_stress_state");
    if (f == NULL) {
        st_chk_failure(w, mi, interp_id, "state access");
        return 0;
    }
    r = PyObject_CallNoArgs(f);
    Py_DECREF(f);
    if (r == NULL) {
        st_chk_failure(w, mi, interp_id, "state access");
        return 0;
    }
    if (r == Py_None) {
        Py_DECREF(r);
        return 0;
    }
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 4) {
        Py_DECREF(r);
        st_chk_violation("protocol", mi, wi, interp_id, "_stress_state() must return a 4-tuple");
        return 0;
    }
    execs = PyLong_AsLongLong(PyTuple_GET_ITEM(r, 0));
    owner = PyLong_AsLongLong(PyTuple_GET_ITEM(r, 1));
    nonce = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(r, 2));
    addr = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(r, 3));
    Py_DECREF(r);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        st_chk_violation("protocol", mi, wi, interp_id, "_stress_state() returned bad numbers");
        return 0;
    }
    if (execs != 1)
        st_chk_violation("exec-once", mi, wi, interp_id,
                         "exec ran %lld times on one module instance", execs);
    if (owner != interp_id)
        st_chk_violation("isolation", mi, wi, interp_id,
                         "the module's state was written by the exec of interpreter %lld and is "
                         "read in interpreter %lld", owner, (long long)interp_id);
    own = PyModule_GetState(m);
    PyErr_Clear();
    if ((uintptr_t)addr != (uintptr_t)own)
        st_chk_violation("isolation", mi, wi, interp_id,
                         "the module's functions use state at %#llx, not the instance's own "
                         "state %p", addr, own);
    return nonce;
}

/* ---------------------------------------------------------------- failures */

static int
injected_one(PyObject *e)
{
    if (PyErr_GivenExceptionMatches(e, PyExc_MemoryError))
        return 1;
    if (PyErr_GivenExceptionMatches(e, PyExc_RuntimeError) ||
        PyErr_GivenExceptionMatches(e, PyExc_ImportError)) {
        PyObject *s = PyObject_Str(e);
        const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
        int r;
        if (msg == NULL) {
            PyErr_Clear();
            Py_XDECREF(s);
            return 1;   /* cannot even read it: memory is failing */
        }
        r = strstr(msg, "injected exec failure") != NULL ||
            strstr(msg, "failed to import from subinterpreter due to exception") != NULL;
        Py_DECREF(s);
        return r;
    }
    return 0;
}

int
st_chk_failure(struct st_worker *w, int mi, int64_t interp_id, const char *during)
{
    PyObject *exc = PyErr_GetRaisedException(), *e;
    int faults = atomic_load(&st_run.faults_on), injected = 0;
    char msg[200];

    if (exc == NULL) {
        st_chk_violation("failure", mi, w ? w->index : -1, interp_id,
                         "%s returned NULL without setting an exception", during);
        return 0;
    }
    if (faults) {
        e = exc;
        for (int depth = 0; e != NULL && depth < 8 && !injected; depth++) {
            injected = injected_one(e);
            PyObject *next = PyException_GetCause(e);
            if (next == NULL)
                next = PyException_GetContext(e);
            if (depth > 0)
                Py_DECREF(e);
            e = next;
        }
        if (e != NULL && e != exc)
            Py_DECREF(e);
    }
    if (injected) {
        if (w != NULL)
            w->failures_injected++;
        Py_DECREF(exc);
        return 1;
    }
    describe(exc, msg, sizeof msg);
    st_chk_violation("failure", mi, w ? w->index : -1, interp_id, "%s failed with %s: %s%s", during,
                     Py_TYPE(exc)->tp_name, msg,
                     faults ? " (not an injected failure)" : " (no fault was injected)");
    Py_DECREF(exc);
    return 0;
}

/* ---------------------------------------------------------------- between rounds */

void
st_chk_quiescent(void)
{
    struct st_campaign *c = st_run.cur;
    PyThreadState *main_ts = PyThreadState_Get();
    static PyObject *inst[ST_MAX_INTERPS][ST_MAX_MODULES];   /* main thread only */

    for (int i = 0; i < st_run.ninterps; i++) {
        struct st_interp *ip = st_run.interp[i];
        if (i > 0)
            PyThreadState_Swap(ip->ts);
        PyObject *modules = PyImport_GetModuleDict();
        for (int k = 0; k < c->nmods; k++) {
            int mi = c->mods[k];
            struct st_slot *s = &ip->slot[mi];
            PyObject *v = PyDict_GetItemString(modules, st_run.mods[mi].name);
            inst[i][k] = NULL;
            if (v == NULL)
                continue;
            if (!PyModule_Check(v)) {
                st_chk_violation("registry", mi, -1, ip->id, "sys.modules['%s'] is a %s",
                                 st_run.mods[mi].name, Py_TYPE(v)->tp_name);
                continue;
            }
            PyObject *spec = PyObject_GetAttrString(v, "__spec__");
            PyObject *initializing = spec ? PyObject_GetAttrString(spec, "_initializing") : NULL;
            if (initializing != NULL && PyObject_IsTrue(initializing) == 1)
                st_chk_violation("failure", mi, -1, ip->id,
                                 "sys.modules keeps a partially initialized module after the "
                                 "round (a failed import left it behind)");
            PyErr_Clear();
            Py_XDECREF(initializing);
            Py_XDECREF(spec);
            if (s->rec_obj != NULL && s->rec_gen == atomic_load(&s->gen) && s->rec_obj != v)
                st_chk_violation("same-object", mi, -1, ip->id,
                                 "sys.modules holds another object than the one every thread got "
                                 "in this generation");
            st_chk_state(NULL, mi, v, ip->id);
            inst[i][k] = v;
        }
        if (i > 0)
            PyThreadState_Swap(main_ts);
    }
    for (int k = 0; k < c->nmods; k++)
        for (int i = 0; i < st_run.ninterps; i++)
            for (int j = i + 1; j < st_run.ninterps; j++) {
                char rel[80];
                if (inst[i][k] == NULL || inst[j][k] == NULL)
                    continue;
                snprintf(rel, sizeof rel, "interpreters %lld and %lld",
                         (long long)st_run.interp[i]->id, (long long)st_run.interp[j]->id);
                st_chk_instances(c->mods[k], -1, st_run.interp[j]->id, inst[i][k], inst[j][k], rel);
            }
}

/* ---------------------------------------------------------------- output */

static const char *
modname(int mi)
{
    return mi >= 0 ? st_run.mods[mi].name : "-";
}

void
st_chk_print(FILE *f)
{
    pthread_mutex_lock(&viol_mu);
    for (int i = 0; i < nviols; i++) {
        const struct violation *v = &viols[i];
        fprintf(f, "  %-22s %-16s %5lux  %s\n", v->invariant, modname(v->mi), v->count, v->detail);
        char thread[16];
        if (v->worker < 0)
            snprintf(thread, sizeof thread, "main");
        else
            snprintf(thread, sizeof thread, "%d", v->worker);
        fprintf(f, "  %-22s %-16s         (seed %llu, campaign '%s', thread %s, interpreter %lld)\n",
                "", "", (unsigned long long)st_run.seed,
                v->campaign < st_run.ncampaigns ? st_run.campaigns[v->campaign].name : "scaling",
                thread, (long long)v->interp);
    }
    if (atomic_load(&viol_total) > 0 && nviols == MAX_VIOLATIONS)
        fprintf(f, "  (more distinct violations were not kept)\n");
    pthread_mutex_unlock(&viol_mu);
}

static void
json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void
st_chk_json(FILE *f)
{
    pthread_mutex_lock(&viol_mu);
    fprintf(f, "[");
    for (int i = 0; i < nviols; i++) {
        const struct violation *v = &viols[i];
        fprintf(f, "%s\n    {\"invariant\": ", i ? "," : "");
        json_str(f, v->invariant);
        fprintf(f, ", \"module\": ");
        if (v->mi >= 0)
            json_str(f, modname(v->mi));
        else
            fprintf(f, "null");
        fprintf(f, ", \"count\": %lu, \"seed\": %llu, \"campaign\": ", v->count,
                (unsigned long long)st_run.seed);
        json_str(f, v->campaign < st_run.ncampaigns ? st_run.campaigns[v->campaign].name : "scaling");
        fprintf(f, ", \"thread\": %d, \"interpreter\": %lld, \"detail\": ", v->worker,
                (long long)v->interp);
        json_str(f, v->detail);
        fprintf(f, "}");
    }
    fprintf(f, "%s]", nviols ? "\n  " : "");
    pthread_mutex_unlock(&viol_mu);
}
