/* walkbench: time walk_root + walk_sort against find(1) on the same content-store tree.
 * Build (from the repository root; not part of the library or the Makefile):
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Iinclude -o build/walkbench bench/walkbench.c \
 *      src/store/walk.c src/util/xalloc.c src/util/err.c -lcrypto
 * Run:  build/walkbench [-n FILES] [-f FILES_PER_DIR] [-t TRIES] [-d TMPDIR] [-k] [-r ROOT]
 * Without -r it builds FILES files (default 200000; -n 1000000 for a million) under
 * Y/M/D/h/m/GUID.bin in a fresh directory, FILES_PER_DIR (default 4) per minute directory,
 * and removes the tree afterwards unless -k. Figures are the best of TRIES (default 3) runs
 * on a warm cache; it also compares getdents64 with readdir for the bare traversal. */
#include "alfwipe/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/rand.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "walkbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void rand_fill(void *buf, size_t n)
{
    if (RAND_bytes(buf, (int)n) != 1) {
        fprintf(stderr, "walkbench: RAND_bytes failed\n");
        exit(1);
    }
}

static void mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            die(path);
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die(path);
}

/* Files land in consecutive-ish minutes from 2022-01-01 00:00 (every other minute), without
 * zero padding, as Alfresco's TimeBasedFileContentUrlProvider lays them out. */
static void generate(const char *root, long nfiles, long per_dir)
{
    char dir[512], path[600];
    unsigned char u[16];
    struct tm tm;
    time_t base = 1640995200;   /* 2022-01-01T00:00:00Z */
    long made = 0;
    for (long m = 0; made < nfiles; m++) {
        time_t t = base + (time_t)m * 120;
        gmtime_r(&t, &tm);
        if (snprintf(dir, sizeof dir, "%s/%d/%d/%d/%d/%d", root, tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min) >= (int)sizeof dir) {
            errno = ENAMETOOLONG;
            die(root);
        }
        mkdir_p(dir);
        for (long i = 0; i < per_dir && made < nfiles; i++, made++) {
            rand_fill(u, sizeof u);
            snprintf(path, sizeof path,
                     "%s/%02x%02x%02x%02x-%02x%02x-4%x%02x-%x%x%02x-%02x%02x%02x%02x%02x%02x.bin",
                     dir, u[0], u[1], u[2], u[3], u[4], u[5], u[6] & 15, u[7],
                     8 + (u[8] & 3), u[8] >> 4, u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd < 0)
                die(path);
            /* Sparse files: the size is what the walk reads, the blocks do not matter. */
            if (ftruncate(fd, (off_t)(u[0] | (u[1] << 8) | (u[2] << 16))) != 0)
                die(path);
            close(fd);
        }
    }
}

static double run_find(const char *root)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"find", (char *)root, "-type", "f", "-printf", "%s %T@ %p\n", NULL};
    double t0 = now_s();
    pid_t pid;
    int rc = posix_spawnp(&pid, "find", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        die("find");
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        die("waitpid");
    double t = now_s() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "walkbench: find exited with status %d\n", status);
    return t;
}

/* The bare traversal (open, list, lstat) two ways, to compare getdents64 with readdir. */
static long raw_getdents(int dfd, char *buf, size_t bufsz)
{
    long count = 0;
    for (;;) {
        ssize_t n = getdents64(dfd, buf, bufsz);
        if (n <= 0)
            break;
        for (ssize_t off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
            off += d->d_reclen;
            if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
                continue;
            if (d->d_type == DT_DIR) {
                int fd = openat(dfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0) {
                    /* The listing of this level is consumed: a fresh buffer for the child. */
                    char *sub = malloc(bufsz);
                    count += raw_getdents(fd, sub, bufsz);
                    free(sub);
                    close(fd);
                }
            } else {
                struct stat st;
                if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                    count++;
            }
        }
    }
    return count;
}

static long raw_readdir(int dfd)
{
    long count = 0;
    DIR *dir = fdopendir(dfd);
    if (!dir) {
        close(dfd);
        return 0;
    }
    struct dirent *d;
    while ((d = readdir(dir)) != NULL) {
        if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
            continue;
        if (d->d_type == DT_DIR) {
            int fd = openat(dirfd(dir), d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0)
                count += raw_readdir(fd);
        } else {
            struct stat st;
            if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                count++;
        }
    }
    closedir(dir);
    return count;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static long max_rss_kib(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    long nfiles = 200000, per_dir = 4;
    int tries = 3, keep = 0, opt;
    const char *root = NULL, *tmpdir = getenv("TMPDIR");
    while ((opt = getopt(argc, argv, "n:f:t:d:kr:")) != -1) {
        switch (opt) {
        case 'n': nfiles = strtol(optarg, NULL, 10); break;
        case 'f': per_dir = strtol(optarg, NULL, 10); break;
        case 't': tries = (int)strtol(optarg, NULL, 10); break;
        case 'd': tmpdir = optarg; break;
        case 'k': keep = 1; break;
        case 'r': root = optarg; break;
        default:
            fprintf(stderr, "usage: walkbench [-n FILES] [-f FILES_PER_DIR] [-t TRIES] "
                            "[-d TMPDIR] [-k] [-r ROOT]\n");
            return 2;
        }
    }
    if (nfiles < 1 || per_dir < 1 || tries < 1) {
        fprintf(stderr, "walkbench: -n, -f and -t must be positive\n");
        return 2;
    }
    char tmpl[512];
    int made = 0;
    if (!root) {
        snprintf(tmpl, sizeof tmpl, "%s/walkbench.XXXXXX", tmpdir ? tmpdir : "/tmp");
        if (!mkdtemp(tmpl))
            die(tmpl);
        root = tmpl;
        made = 1;
        double t0 = now_s();
        generate(root, nfiles, per_dir);
        printf("generated %ld files, %ld per minute directory, in %s (%.1f s)\n", nfiles,
               per_dir, root, now_s() - t0);
    }
    long rss_before = max_rss_kib(RUSAGE_SELF);

    double best_find = 1e30, best_walk = 1e30, best_sort = 1e30, best_gd = 1e30,
           best_rd = 1e30;
    size_t n = 0, names_len = 0, entry_bytes = 0, alloc_bytes = 0, sort_n = 0;
    long raw_count[2] = {0, 0};
    struct walk_root_stats st = {0};
    /* find first: a spawned child's peak RSS includes this process's at the time. */
    for (int t = 0; t < tries; t++) {
        double tf = run_find(root);
        if (tf < best_find)
            best_find = tf;
    }
    long find_rss = max_rss_kib(RUSAGE_CHILDREN);
    double shuffled_sort = 0;
    int sort_ok = 1;
    for (int t = 0; t < tries; t++) {
        struct walk w;
        struct err err = ERR_INIT;
        walk_init(&w, 1);
        double t0 = now_s();
        if (walk_root(&w, 0, root, &err) != 0) {
            err_print(&err);
            return 1;
        }
        double t1 = now_s();
        walk_sort(&w);
        double t2 = now_s();
        if (t1 - t0 < best_walk)
            best_walk = t1 - t0;
        if (t2 - t1 < best_sort)
            best_sort = t2 - t1;
        n = w.n;
        names_len = w.names.len;
        entry_bytes = w.n * sizeof *w.v + w.names.len;
        alloc_bytes = w.cap * sizeof *w.v + w.names.cap;
        st = w.stats[0];

        /* The general case: the same entries in random order, which must sort back to the
         * same sequence. */
        if (t == 0 && w.n > 1) {
            size_t *order = xmalloc(w.n * sizeof *order);
            for (size_t i = 0; i < w.n; i++)
                order[i] = w.v[i].path_off;
            uint32_t *r = xmalloc(w.n * sizeof *r);
            rand_fill(r, w.n * sizeof *r);
            for (size_t i = w.n - 1; i > 0; i--) {
                size_t j = r[i] % (i + 1);
                struct walk_entry tmp = w.v[i];
                w.v[i] = w.v[j];
                w.v[j] = tmp;
            }
            free(r);
            double s0 = now_s();
            walk_sort(&w);
            shuffled_sort = now_s() - s0;
            sort_n = w.n;
            for (size_t i = 0; i < w.n; i++)
                if (order[i] != w.v[i].path_off)
                    sort_ok = 0;
            free(order);
        }
        walk_release(&w);

        char *buf = malloc(128 * 1024);
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        t0 = now_s();
        raw_count[0] = raw_getdents(fd, buf, 128 * 1024);
        t1 = now_s();
        close(fd);
        free(buf);
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        raw_count[1] = raw_readdir(fd);
        t2 = now_s();
        if (t1 - t0 < best_gd)
            best_gd = t1 - t0;
        if (t2 - t1 < best_rd)
            best_rd = t2 - t1;
    }

    printf("entries %zu (files %llu, dirs %llu, others %llu, bytes %llu)\n", n,
           (unsigned long long)st.files, (unsigned long long)st.dirs,
           (unsigned long long)st.others, (unsigned long long)st.bytes);
    printf("find -type f -printf '%%s %%T@ %%p\\n': %8.3f s\n", best_find);
    printf("walk_root:                          %8.3f s  (%.0f%% of find)\n", best_walk,
           100.0 * best_walk / best_find);
    printf("walk_sort (walk order):             %8.3f s\n", best_sort);
    printf("walk_sort (%zu shuffled entries):   %8.3f s  (%s)\n", sort_n, shuffled_sort,
           sort_ok ? "same order as the walk's" : "ORDER DIFFERS");
    printf("bare traversal getdents64 / readdir: %.3f s / %.3f s (%ld / %ld entries)\n",
           best_gd, best_rd, raw_count[0], raw_count[1]);
    if (n > 0)
        printf("bytes per entry: %.1f used (%zu struct + %.1f path), %.1f allocated\n",
               (double)entry_bytes / (double)n, sizeof(struct walk_entry),
               (double)names_len / (double)n, (double)alloc_bytes / (double)n);
    printf("peak RSS: walkbench %ld KiB (%ld KiB before walking), find %ld KiB\n",
           max_rss_kib(RUSAGE_SELF), rss_before, find_rss);

    if (made && !keep && nftw(root, rm_one, 64, FTW_DEPTH | FTW_PHYS) != 0)
        die("removing the generated tree");
    return sort_ok ? 0 : 1;
}
