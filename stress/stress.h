/* stress.h: pymodrt-stress's shared declarations.
 *
 * Parts (one prefix per file):
 *   main.c      st_main_*  options, campaigns, runtime start/stop, rounds
 *   worker.c    st_work_*  worker threads and the operations they mix
 *   check.c     st_chk_*   invariants: records, instance comparison, violations
 *   report.c    st_rep_*   latency histograms, the final table, JSON
 *   watchdog.c  st_dog_*   heartbeats, stall reports with stacks, progress bar,
 *                          ThreadSanitizer report capture
 *
 * Lifetimes: 'struct st_run' lives for the whole process; a 'struct
 * st_campaign' for one runtime start..finalize; rounds are separated by two
 * barriers (start, end) at which every worker is detached from the runtime,
 * so the main thread may check the quiescent state and switch faults. */
#ifndef PYMODRT_STRESS_H
#define PYMODRT_STRESS_H

#include <Python.h>
#include <pymodrt.h>

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define ST_MAX_MODULES 32
#define ST_MAX_WORKERS 256
#define ST_MAX_INTERPS 65
#define ST_MAX_ATTRS 64

/* ---------------------------------------------------------------- operations */

enum st_op {
    ST_OP_IMPORT,     /* import of a (usually loaded) module */
    ST_OP_REIMPORT,   /* del sys.modules[name], import again, compare instances */
    ST_OP_ATTR,       /* attribute access */
    ST_OP_CALL,       /* call of a no-argument function (--call, or ping) */
    ST_OP_STATE,      /* module state access and owner-token check */
    ST_OP_INTERP,     /* create interpreter, import, check, end interpreter */
    ST_OP__COUNT
};
extern const char *const st_op_names[ST_OP__COUNT];

/* Log-linear latency histogram: 64 powers of two x 8 sub-buckets. */
#define ST_HIST_SUB 8
#define ST_HIST_BUCKETS (64 * ST_HIST_SUB)
struct st_hist {
    uint64_t n;
    uint64_t max_ns;
    uint64_t b[ST_HIST_BUCKETS];
};
void st_rep_hist_add(struct st_hist *h, uint64_t ns);
void st_rep_hist_merge(struct st_hist *dst, const struct st_hist *src);
uint64_t st_rep_hist_pct(const struct st_hist *h, double pct);

/* ---------------------------------------------------------------- modules */

/* What the tool knows about a bundled module (NULL for a user module). */
struct st_expect {
    const char *name;
    int gil_free;       /* declares Py_MOD_GIL_NOT_USED (or SetGIL) */
    int sub_shared;     /* loadable in a sub-interpreter sharing the main GIL */
    int sub_own;        /* loadable in a sub-interpreter with its own GIL */
    const char *style;  /* initialization style, for the report */
};

struct st_module {                       /* immutable during a campaign */
    char name[128];
    char path[PATH_MAX];                 /* "" = import by name via sys.path */
    const struct st_expect *expect;      /* bundled module, or NULL */
    int user;                            /* named on the command line */
    int protocol;                        /* has _stress_state (learned by the probe) */
    int snapshot;                        /* single-phase, m_size -1 (learned by the probe) */
    /* What the run learned (written by the main thread between rounds, or
     * under st_chk's lock): */
    int gil_switched;                    /* switched a GIL on in mode auto */
    int gil_known;                       /* ran in mode auto at least once */
    _Atomic int sub_tried[2], sub_ok[2]; /* atomic; [0] shared GIL, [1] own GIL */
    char sub_refusal[200];
    unsigned long violations;            /* counted under the check lock */
    char violated[160];                  /* invariant names, comma-separated */
};

/* ---------------------------------------------------------- per interpreter */

/* One (interpreter, module) pair: what every thread of that interpreter
 * must agree on between deletions (see check.c, "generations"). */
struct st_slot {
    _Atomic uint64_t gen;                /* atomic: +1 after each deletion */
    _Atomic int deleting;                /* atomic: deletions in progress */
    _Atomic int refused;                 /* atomic: import refused by design */
    pthread_mutex_t mu;                  /* guards the rec_* fields */
    uint64_t rec_gen;                    /* generation of the record */
    const void *rec_obj;                 /* the module seen in rec_gen (identity only) */
    uint64_t rec_nonce;                  /* its owner nonce, 0 = not seen yet */
    const void *rec_state;               /* its PyModule_GetState */
    int rec_state_known;
};

struct st_interp {
    int index;                           /* 0 = main */
    PyThreadState *ts;                   /* the main thread's thread state in it */
    int64_t id;                          /* immutable */
    int own_gil;                         /* immutable */
    struct st_slot slot[ST_MAX_MODULES];
};

/* ---------------------------------------------------------------- workers */

struct st_worker {
    int index;
    pthread_t thread;
    struct st_interp *ip;                /* the interpreter it attaches to */
    uint64_t rng;                        /* owner thread only */
    /* heartbeat: written by the worker, read by the watchdog (atomics) */
    _Atomic uint64_t op_start_ns;        /* 0 = idle (between operations / rounds) */
    _Atomic int cur_op;
    _Atomic int cur_mod;
    _Atomic uint64_t ops_done;
    _Atomic int started;                 /* signal handler may dump its stack */
    /* owner thread only: */
    struct st_hist hist[ST_OP__COUNT];
    uint64_t failures_injected;
    uint64_t refusals;
    PyObject *held[ST_MAX_MODULES];      /* last instance seen (strong ref) */
    uint64_t held_nonce[ST_MAX_MODULES];
};

/* ---------------------------------------------------------------- campaigns */

struct st_campaign {
    char name[64];
    int gil;                             /* -1 auto, 0 off, 1 on */
    int own_gil;                         /* worker interpreters have their own GIL */
    int interps;                         /* sub-interpreters for workers */
    double fault_rate;                   /* in odd rounds */
    int nmods;
    int mods[ST_MAX_MODULES];            /* indexes into run.mods */
    /* results */
    uint64_t ops;
    double seconds;
    struct st_hist hist[ST_OP__COUNT];
    uint64_t failures_injected, refusals, rounds;
    int64_t mem_before, mem_after;
    int nswitch;
    pymodrt_gil_switch switches[16];
    uint64_t stop_the_world;
    pymodrt_import_stats imports;
};

struct st_scaling {
    const char *op;
    double speedup;                      /* t1 * N / tN */
    double ops_per_s_1, ops_per_s_n;
};

struct st_run {                          /* process-wide; see each field */
    /* options: immutable after parsing */
    int threads, interps, own_gil, gil;  /* gil: -2 = not given */
    double duration;                     /* seconds in total, 0 = use iterations */
    uint64_t iterations;                 /* operations per worker per campaign */
    uint64_t seed;
    double fault_rate;                   /* < 0: not given */
    const char *call;
    int forever, allow_gil, quiet, no_scaling;
    const char *json;
    const char *module_dir;
    double stall_seconds;
    int progress;                        /* stderr is a terminal and not --quiet */
    /* modules: immutable during campaigns (except the learned fields) */
    int nmods;
    struct st_module mods[ST_MAX_MODULES];
    int default_campaign;
    /* the campaign being run: written by the main thread between campaigns */
    struct st_campaign *cur;
    int ncampaigns, campaign_index;
    struct st_campaign campaigns[16];
    int nscaling;
    struct st_scaling scaling[ST_OP__COUNT];
    int subinterps_available;
    /* round control: written by the main thread while workers wait at the
     * start barrier, read by workers after it */
    _Atomic int stop;
    _Atomic int faults_on;
    uint64_t round_ops;
    pthread_mutex_t workers_mu;          /* guards 'workers' and 'nworkers' (the
                                          * watchdog reads them; main sets them) */
    int nworkers;                        /* guarded by workers_mu */
    struct st_worker *workers;           /* guarded by workers_mu */
    int ninterps;
    struct st_interp *interp[ST_MAX_INTERPS];
    pthread_barrier_t start, end;
    _Atomic uint64_t main_op_start_ns;   /* heartbeat of the main thread */
    const char *_Atomic main_doing;
    pthread_t main_thread;
    _Atomic(struct st_campaign *) cur_shown; /* campaign name for the watchdog */
    double t_start, t_total;             /* for the progress bar */
    _Atomic uint64_t ops_total;          /* finished campaigns' operations */
};
extern struct st_run st_run;

/* ---------------------------------------------------------------- main.c */
double st_now(void);
uint64_t st_now_ns(void);
uint64_t st_rand(uint64_t *s);
/* Imports module 'mi' in the current interpreter (by name or from its file). */
PyObject *st_main_import(int mi);

/* ---------------------------------------------------------------- worker.c */
void *st_work_thread(void *arg);
/* One operation on a given thread (used by workers and by the scaling run). */
void st_work_op(struct st_worker *w, enum st_op op, int mi);

/* ---------------------------------------------------------------- check.c */
void st_chk_init(void);
/* Records a violation of 'invariant' by module 'mi' (-1: none) seen on
 * thread 'worker' (-1: the main thread) in interpreter 'interp_id'. */
void st_chk_violation(const char *invariant, int mi, int worker, int64_t interp_id,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
unsigned long st_chk_count(void);
/* Generation bracket around an import (see check.c). */
struct st_gen { uint64_t g; int d; };
struct st_gen st_chk_gen_begin(struct st_slot *s);
int st_chk_gen_valid(struct st_slot *s, struct st_gen b);
/* Checks that 'm' is the one object for its name in this generation. */
void st_chk_same_object(struct st_worker *w, int mi, struct st_slot *s, uint64_t gen, PyObject *m);
/* Compares two instances of module 'mi' (exec idempotent, nothing shared). */
void st_chk_instances(int mi, int worker, int64_t interp_id, PyObject *a, PyObject *b,
                      const char *relation);
/* State access check of one instance; returns its nonce (0 if none). */
uint64_t st_chk_state(struct st_worker *w, int mi, PyObject *m, int64_t interp_id);
/* Classifies the raised exception; records a violation unless it is an
 * injected failure.  Returns 1 if injected, 0 otherwise.  Clears it. */
int st_chk_failure(struct st_worker *w, int mi, int64_t interp_id, const char *during);
/* After imports into a fresh interpreter with its own GIL in mode auto:
 * 'needs_gil' says whether a module that needs the GIL was loaded in it. */
void st_chk_refused_gil(int worker, int64_t interp_id, int needs_gil, const char *refused);
/* The main thread's checks of the quiescent state between rounds. */
void st_chk_quiescent(void);
void st_chk_print(FILE *f);
void st_chk_json(FILE *f);

/* ---------------------------------------------------------------- report.c */
void st_rep_campaign(FILE *f, const struct st_campaign *c);
void st_rep_final(FILE *f);
int st_rep_json(const char *path, int exit_code);

/* ---------------------------------------------------------------- watchdog.c */
void st_dog_start(void);
void st_dog_stop(void);
void st_dog_progress_clear(void);
/* ThreadSanitizer reports seen so far (0 outside the thread-sanitizer build),
 * turned into violations naming the module by st_dog_tsan_collect(). */
int st_dog_tsan_reports(void);
void st_dog_tsan_collect(void);

#endif /* !PYMODRT_STRESS_H */
