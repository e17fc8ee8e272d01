/* learner.c: the learner registry. The built-in learners are rows of one
 * table; ludus_learner_register appends others (a test's, a user's) under
 * a lock. Unknown names get the nearest registered ones, as unknown world
 * ids do.
 */
#include <pthread.h>
#include <string.h>

#include "core/core.h"
#include "learn/dqn.h"
#include "learn/offline.h"
#include "learn/ppo_internal.h"

#define MAX_LEARNERS 32

/* The built-in learners: a new one is its files plus one row here. */
static const ludus_learner_ops *const builtin[] = {&ludus_ppo_learner, &ludus_dqn_learner, &ludus_bc_learner,
                                                     &ludus_cql_learner};
#define NUM_BUILTIN ((int)(sizeof builtin / sizeof builtin[0]))

static const ludus_learner_ops *extra[MAX_LEARNERS];
static int num_extra;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int ludus_learner_count(void)
{
    pthread_mutex_lock(&lock);
    int n = NUM_BUILTIN + num_extra;
    pthread_mutex_unlock(&lock);
    return n;
}

const ludus_learner_ops *ludus_learner_at(int i)
{
    if (i < 0) return NULL;
    if (i < NUM_BUILTIN) return builtin[i];
    pthread_mutex_lock(&lock);
    const ludus_learner_ops *o = i - NUM_BUILTIN < num_extra ? extra[i - NUM_BUILTIN] : NULL;
    pthread_mutex_unlock(&lock);
    return o;
}

static const ludus_learner_ops *find(const char *name)
{
    for (int i = 0, n = ludus_learner_count(); i < n; i++) {
        const ludus_learner_ops *o = ludus_learner_at(i);
        if (o && strcmp(o->name, name) == 0) return o;
    }
    return NULL;
}

int ludus_learner_register(const ludus_learner_ops *o)
{
    if (!o || !o->name) return ludus_err_set(LUDUS_EINVAL, "learner: NULL ops or name");
    size_t len = strlen(o->name);
    int good = len >= 1 && len <= 31;
    for (size_t i = 0; good && i < len; i++) {
        char c = o->name[i];
        good = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
    if (!good) return ludus_err_set(LUDUS_EINVAL, "learner: name \"%.40s\" must be 1..31 of [a-z0-9_-]", o->name);
    if (!o->keys || !o->config_default || !o->create || !o->destroy || !o->columns || !o->update || !o->steps ||
        !o->save || !o->load || !o->agent)
        return ludus_err_set(LUDUS_EINVAL, "learner %s: a required function or its key table is missing", o->name);
    pthread_mutex_lock(&lock);
    int rc = LUDUS_OK;
    for (int i = 0; i < NUM_BUILTIN + num_extra && !rc; i++) {
        const ludus_learner_ops *e = i < NUM_BUILTIN ? builtin[i] : extra[i - NUM_BUILTIN];
        if (strcmp(e->name, o->name) == 0) rc = ludus_err_set(LUDUS_EINVAL, "learner %s is already registered", o->name);
    }
    if (!rc && num_extra == MAX_LEARNERS)
        rc = ludus_err_set(LUDUS_EINVAL, "learner %s: the registry is full (%d)", o->name, MAX_LEARNERS);
    if (!rc) extra[num_extra++] = o;
    pthread_mutex_unlock(&lock);
    return rc;
}

int ludus_learner_find(const char *name, const ludus_learner_ops **out)
{
    if (!name || !out) return ludus_err_set(LUDUS_EINVAL, "learner: NULL argument");
    *out = find(name);
    if (*out) return LUDUS_OK;
    const char *best = NULL;
    int bd = 1 << 30;
    char all[512];
    strbuf sb = sb_make(all, sizeof all);
    for (int i = 0, n = ludus_learner_count(); i < n; i++) {
        const ludus_learner_ops *o = ludus_learner_at(i);
        int d = ludus_str_edit_distance(name, o->name, 1000);
        if (d < bd) bd = d, best = o->name;
        ludus_sb_printf(&sb, "%s%s", i ? ", " : "", o->name);
    }
    if (best && bd <= 3)
        return ludus_err_set(LUDUS_ENOTFOUND, "unknown learner '%s'; did you mean '%s'? (learners: %s)", name, best, all);
    return ludus_err_set(LUDUS_ENOTFOUND, "unknown learner '%s' (learners: %s)", name, all);
}
