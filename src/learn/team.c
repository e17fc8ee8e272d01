/* team.c: the learner's worker threads. A generation counter under one
 * mutex hands out work and a countdown brings the team back; the work
 * itself (matrix products over a slice) runs without any lock.
 */
#include <stdlib.h>

#include "core/core.h"
#include "learn/team.h"

struct team {
    int members;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long generation;
    int pending;
    int quit;
    team_fn fn;
    void *ctx;
};

typedef struct member_arg {
    team *t;
    int k;
} member_arg;

static void *member_main(void *p)
{
    member_arg *a = p;
    team *t = a->t;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&t->mu);
        while (t->generation == seen && !t->quit) pthread_cond_wait(&t->go, &t->mu);
        if (t->quit) {
            pthread_mutex_unlock(&t->mu);
            return NULL;
        }
        seen = t->generation;
        team_fn fn = t->fn;
        void *ctx = t->ctx;
        pthread_mutex_unlock(&t->mu);
        fn(ctx, a->k, t->members);
        pthread_mutex_lock(&t->mu);
        if (--t->pending == 0) pthread_cond_signal(&t->done);
        pthread_mutex_unlock(&t->mu);
    }
}

/* The member arguments live right after the struct, one allocation. */
static member_arg *args_of(team *t)
{
    return (member_arg *)(t + 1);
}

team *team_create(int members)
{
    if (members < 1) members = 1;
    team *t = calloc(1, sizeof *t + (size_t)members * sizeof(member_arg));
    if (!t) {
        err_set(LUDUS_ENOMEM, "team: out of memory");
        return NULL;
    }
    t->members = members;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->go, NULL);
    pthread_cond_init(&t->done, NULL);
    t->threads = calloc((size_t)members, sizeof *t->threads);
    if (!t->threads) {
        team_destroy(t);
        err_set(LUDUS_ENOMEM, "team: out of memory");
        return NULL;
    }
    for (int k = 1; k < members; k++) {
        args_of(t)[k] = (member_arg){t, k};
        if (pthread_create(&t->threads[k], NULL, member_main, &args_of(t)[k]) != 0) {
            t->members = k; /* join only those started */
            team_destroy(t);
            err_set(LUDUS_EINTERNAL, "team: cannot start thread %d", k);
            return NULL;
        }
    }
    return t;
}

void team_destroy(team *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    t->quit = 1;
    pthread_cond_broadcast(&t->go);
    pthread_mutex_unlock(&t->mu);
    for (int k = 1; k < t->members; k++)
        if (t->threads) pthread_join(t->threads[k], NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->go);
    pthread_cond_destroy(&t->done);
    free(t->threads);
    free(t);
}

int team_size(const team *t)
{
    return t->members;
}

void team_run(team *t, team_fn fn, void *ctx)
{
    if (t->members == 1) {
        fn(ctx, 0, 1);
        return;
    }
    pthread_mutex_lock(&t->mu);
    t->fn = fn;
    t->ctx = ctx;
    t->pending = t->members - 1;
    t->generation++;
    pthread_cond_broadcast(&t->go);
    pthread_mutex_unlock(&t->mu);
    fn(ctx, 0, t->members);
    pthread_mutex_lock(&t->mu);
    while (t->pending > 0) pthread_cond_wait(&t->done, &t->mu);
    pthread_mutex_unlock(&t->mu);
}
