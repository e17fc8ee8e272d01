/* cmd_train.c: `ludus train ID`: PPO in a run folder (config.json,
 * metrics.csv, checkpoint.safetensors + state.safetensors, eval.json,
 * and checkpoints/ when periodic ones are kept). A live progress line on
 * a terminal, plain lines otherwise. A folder that exists is refused
 * unless --resume (continue it) or --force.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_learn.h"
#include "ludus/learn.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: ludus train ID [--steps N] [--train-levels N] [--seed S] [--out DIR]\n"
            "                      [--config FILE] [--resume DIR] [--force] [--threads N]\n");
    return 2;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *b = malloc(cap);
    size_t n;
    while (b && (n = fread(b + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) free(b);
            b = nb;
        }
    }
    fclose(f);
    if (b) b[len] = 0;
    return b;
}

static int parse_u64(const char *flag, const char *v, uint64_t *out)
{
    char *end;
    if (!v || !*v || *v == '-') {
        fprintf(stderr, "ludus train: %s needs a non-negative integer\n", flag);
        return 0;
    }
    errno = 0;
    *out = strtoull(v, &end, 10);
    if (*end || errno) {
        fprintf(stderr, "ludus train: %s: \"%s\" is not a non-negative integer\n", flag, v);
        return 0;
    }
    return 1;
}

static void fmt_time(char *buf, size_t cap, double s)
{
    if (!(s >= 0) || s > 1e7) snprintf(buf, cap, "--:--");
    else if (s < 3600) snprintf(buf, cap, "%d:%02d", (int)s / 60, (int)s % 60);
    else snprintf(buf, cap, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
}

int cmd_train(int argc, char **argv)
{
    const char *id = NULL, *out = NULL, *config = NULL, *resume = NULL;
    uint64_t steps = 0, levels = 0, seed = 0, threads = 0;
    int have_steps = 0, have_levels = 0, have_seed = 0, force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--steps") == 0) {
            if (!parse_u64(a, v, &steps) || steps == 0) return usage();
            have_steps = 1, i++;
        } else if (strcmp(a, "--train-levels") == 0) {
            if (!parse_u64(a, v, &levels)) return usage();
            have_levels = 1, i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(a, v, &seed)) return usage();
            have_seed = 1, i++;
        } else if (strcmp(a, "--threads") == 0) {
            if (!parse_u64(a, v, &threads) || threads < 1 || threads > 256) return usage();
            i++;
        } else if (strcmp(a, "--out") == 0 && v) out = argv[++i];
        else if (strcmp(a, "--config") == 0 && v) config = argv[++i];
        else if (strcmp(a, "--resume") == 0 && v) resume = argv[++i];
        else if (strcmp(a, "--force") == 0) force = 1;
        else if (a[0] == '-') {
            fprintf(stderr, "ludus train: unknown option %s\n", a);
            return usage();
        } else if (!id) id = a;
        else {
            fprintf(stderr, "ludus train: unexpected argument %s\n", a);
            return usage();
        }
    }
    if (!id && !resume) return usage();
    ludus_ppo_config cfg;
    char path[4096], *text;
    if (resume) {
        out = resume;
        snprintf(path, sizeof path, "%s/config.json", resume);
        if (!(text = read_text(path))) {
            fprintf(stderr, "ludus train: --resume %s: no config.json there\n", resume);
            return 1;
        }
        ludus_ppo_config_default(&cfg, NULL);
        int rc = ludus_ppo_config_apply_json(&cfg, text);
        free(text);
        if (rc) {
            fprintf(stderr, "ludus train: %s: %s\n", path, ludus_errmsg());
            return 1;
        }
        if (id && strcmp(id, cfg.env_id) != 0) {
            fprintf(stderr, "ludus train: %s trained %s, not %s\n", resume, cfg.env_id, id);
            return 1;
        }
    } else {
        ludus_ppo_config_default(&cfg, id);
        if (config) {
            if (!(text = read_text(config))) {
                fprintf(stderr, "ludus train: cannot read --config %s\n", config);
                return 1;
            }
            int rc = ludus_ppo_config_apply_json(&cfg, text);
            free(text);
            if (rc) {
                fprintf(stderr, "ludus train: %s: %s\n", config, ludus_errmsg());
                return 1;
            }
            if (strcmp(cfg.env_id, id) != 0) {
                fprintf(stderr, "ludus train: %s names %s but the command names %s\n", config, cfg.env_id, id);
                return 1;
            }
        }
    }
    if (have_steps) cfg.total_steps = steps;
    if (have_levels) cfg.train_levels = levels;
    if (have_seed) cfg.seed = seed;
    if (threads) cfg.num_threads = (int)threads;
    if (ludus_ppo_config_check(&cfg)) {
        fprintf(stderr, "ludus train: %s\n", ludus_errmsg());
        return 2;
    }
    char dflt[256];
    if (!out) {
        snprintf(dflt, sizeof dflt, "runs/%s-seed%llu", cfg.env_id, (unsigned long long)cfg.seed);
        out = dflt;
        mkdir("runs", 0777);
    }
    struct stat sb;
    if (!resume && stat(out, &sb) == 0 && !force) {
        fprintf(stderr, "ludus train: %s exists; use --resume %s to continue it or --force to overwrite\n", out, out);
        return 1;
    }
    if (!resume && mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "ludus train: cannot create %s: %s\n", out, strerror(errno));
        return 1;
    }
    ludus_ppo *ppo;
    if (ludus_ppo_create(&cfg, &ppo)) {
        fprintf(stderr, "ludus train: %s\n", ludus_errmsg());
        return 1;
    }
    char ckpt[4096], state[4096];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.safetensors", out);
    snprintf(state, sizeof state, "%s/state.safetensors", out);
    if (resume && ludus_ppo_load(ppo, ckpt, state)) {
        fprintf(stderr, "ludus train: --resume: %s\n", ludus_errmsg());
        ludus_ppo_destroy(ppo);
        return 1;
    }
    int n = ludus_ppo_config_to_json(&cfg, NULL, 0);
    char *cj = malloc((size_t)n + 1);
    ludus_ppo_config_to_json(&cfg, cj, (size_t)n + 1);
    snprintf(path, sizeof path, "%s/config.json", out);
    FILE *f = fopen(path, "w");
    int ok = f && fputs(cj, f) >= 0;
    if (f) ok = (fclose(f) == 0) && ok;
    free(cj);
    snprintf(path, sizeof path, "%s/metrics.csv", out);
    FILE *csv = ok ? fopen(path, resume ? "a" : "w") : NULL;
    if (!csv) {
        fprintf(stderr, "ludus train: cannot write in %s\n", out);
        ludus_ppo_destroy(ppo);
        return 1;
    }
    /* the header once the first update says whether the world has
     * achievements (Crafter: the score and one count column each) */
    int header = resume && ftell(csv) != 0;
    if (cfg.keep_checkpoints) {
        snprintf(path, sizeof path, "%s/checkpoints", out);
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "ludus train: cannot create %s: %s\n", path, strerror(errno));
            fclose(csv);
            ludus_ppo_destroy(ppo);
            return 1;
        }
    }
    int tty = isatty(fileno(stderr)), rc = 0;
    uint64_t start = ludus_ppo_steps(ppo), next_line = 0;
    ludus_ppo_metrics m = {0};
    double ret = NAN, succ = NAN;
    fprintf(stderr, "ludus train %s: %llu steps, seed %llu, %s levels, into %s\n", cfg.env_id,
            (unsigned long long)cfg.total_steps, (unsigned long long)cfg.seed,
            cfg.train_levels ? "limited" : "unlimited", out);
    while (!ludus_ppo_done(ppo)) {
        if (ludus_ppo_update(ppo, &m)) {
            fprintf(stderr, "\nludus train: %s\n", ludus_errmsg());
            rc = 1;
            break;
        }
        if (m.episodes) ret = m.ret, succ = m.success;
        if (!header) {
            fprintf(csv, "update,steps,wall_s,episodes,return,success,length,policy_loss,value_loss,"
                         "entropy,approx_kl,clip_frac,grad_norm,lr,steps_per_s,cpu_s,rollout_s,learn_s");
            if (m.num_achievements) fprintf(csv, ",score");
            for (int i = 0; i < m.num_achievements; i++) fprintf(csv, ",%s", ludus_crafter_achievement_name(i));
            fputc('\n', csv);
            header = 1;
        }
        fprintf(csv, "%d,%llu,%.3f,%llu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.1f,%.3f,%.4f,%.4f",
                m.update, (unsigned long long)m.steps, m.wall, (unsigned long long)m.episodes, m.ret, m.success,
                m.length, m.policy_loss, m.value_loss, m.entropy, m.approx_kl, m.clip_frac, m.grad_norm,
                m.lr, m.sps, m.cpu, m.rollout_s, m.learn_s);
        if (m.num_achievements) fprintf(csv, ",%.6g", m.score);
        for (int i = 0; i < m.num_achievements; i++) fprintf(csv, ",%u", m.achievements[i]);
        fputc('\n', csv);
        double rate = (double)(m.steps - start) / (m.wall > 0 ? m.wall : 1);
        char left[32];
        fmt_time(left, sizeof left, (double)(cfg.total_steps - (m.steps < cfg.total_steps ? m.steps : cfg.total_steps)) / rate);
        if (tty)
            fprintf(stderr, "\r%9llu/%llu steps  %7.0f steps/s  return %.3f  success %.2f  left %s   ",
                    (unsigned long long)m.steps, (unsigned long long)cfg.total_steps, m.sps, ret, succ, left);
        else if (m.steps >= next_line || ludus_ppo_done(ppo)) {
            fprintf(stderr, "steps %llu/%llu  steps/s %.0f  return %.3f  success %.2f  left %s\n",
                    (unsigned long long)m.steps, (unsigned long long)cfg.total_steps, m.sps, ret, succ, left);
            next_line = m.steps + cfg.total_steps / 20;
        }
        if (cfg.checkpoint_every && m.update % cfg.checkpoint_every == 0) {
            fflush(csv); /* metrics up to the checkpoint are on disk with it */
            snprintf(path, sizeof path, "%s/checkpoints/%012llu.safetensors", out, (unsigned long long)m.steps);
            if (ludus_ppo_save(ppo, ckpt) || ludus_ppo_save_state(ppo, state) ||
                (cfg.keep_checkpoints && ludus_ppo_save(ppo, path))) {
                fprintf(stderr, "\nludus train: %s\n", ludus_errmsg());
                rc = 1;
                break;
            }
        }
    }
    if (tty) fputc('\n', stderr);
    fclose(csv);
    snprintf(path, sizeof path, "%s/checkpoints/%012llu.safetensors", out, (unsigned long long)m.steps);
    if (!rc && (ludus_ppo_save(ppo, ckpt) || ludus_ppo_save_state(ppo, state) ||
                (cfg.keep_checkpoints && ludus_ppo_save(ppo, path)))) {
        fprintf(stderr, "ludus train: %s\n", ludus_errmsg());
        rc = 1;
    }
    fprintf(stderr, "trained %llu steps in %.1f s (%.1f s of CPU); checkpoint %s\n", (unsigned long long)m.steps,
            m.wall, m.cpu, ckpt);
    ludus_ppo_destroy(ppo);
    if (!rc && cfg.eval_episodes > 0) {
        snprintf(path, sizeof path, "%s/eval.json", out);
        rc = cli_eval_report(ckpt, NULL, NULL, cfg.train_levels, cfg.eval_episodes, 0, cfg.seed, path, stdout);
    }
    return rc;
}
