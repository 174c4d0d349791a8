/* Where --output may not write: out_open renames a complete file over the name, so an output
 * path that names live content or one of alfwipe's own files would replace it (a document
 * with a report, the tamper-evident certificate with a wipe's JSON, alfwipe.conf with a
 * report), and one inside a content root adds a file that Alfresco, a report or a wipe would
 * then take for content. Checked once, here, by every command that takes --output, right
 * after the configuration is read and before anything else. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alfwipe/cli.h"
#include "alfwipe/urlpath.h"
#include "alfwipe/xalloc.h"

/* path's directory, resolved into out (PATH_MAX bytes), and its last component into *base
 * (owned). False when the directory does not exist. */
static bool split_resolved(const char *path, char *out, char **base)
{
    char *d = xstrdup(path), *b = xstrdup(path);
    bool ok = realpath(dirname(d), out) != NULL;
    *base = ok ? xstrdup(basename(b)) : NULL;
    free(d);
    free(b);
    return ok;
}

/* Whether output (already split into its resolved directory and name) and own are one file:
 * the same device and inode when both exist (a hard link or a symbolic link to it included),
 * else the same name in the same directory (compared as the roots are: a bind mount of the
 * directory is that directory). */
static bool same_file(const char *output, const char *odir, const char *oname, const char *own)
{
    struct stat so, sw;
    if (stat(output, &so) == 0 && stat(own, &sw) == 0)
        return so.st_dev == sw.st_dev && so.st_ino == sw.st_ino;
    char wdir[PATH_MAX], rel[PATH_MAX];
    char *wname = NULL;
    bool same = split_resolved(own, wdir, &wname) && strcmp(oname, wname) == 0 &&
                dir_within(odir, wdir, rel, sizeof rel) && rel[0] == '\0';
    free(wname);
    return same;
}

/* Whether the output (its resolved directory odir and name oname) would take the place of
 * the directory path while that does not exist yet (contentstore.deleted before Alfresco's
 * first delete, the state directory before the first wipe): a file there, named as the first
 * missing component of path in its nearest existing directory, keeps the directory from ever
 * being created. */
static bool takes_place_of(const char *path, const char *odir, const char *oname)
{
    char near[PATH_MAX], rel[PATH_MAX], missing[PATH_MAX];
    return path[0] == '/' && path_nearest_missing(path, near, missing, sizeof missing) &&
           missing[0] && strcmp(missing, ".") != 0 && strcmp(missing, "..") != 0 &&
           strcmp(oname, missing) == 0 && dir_within(odir, near, rel, sizeof rel) &&
           rel[0] == '\0';
}

/* A directory that --output may not reach into. */
struct guard_dir {
    const char *what, *key;
    long index;          /* of extra_roots, else -1 */
    const char *path;
};

int out_guard_check(const struct conf *conf, const char *cmd, const char *output,
                    const char *const *roots, size_t nroots, const struct out_guard_file *own,
                    size_t nown, struct err *err)
{
    struct stat st;
    /* Standard output; an empty name (out_open refuses it); a device or FIFO (/dev/null,
     * /dev/stdout on a pipe), which out_open writes in place and never replaces. */
    if (!output || !*output || strcmp(output, "-") == 0 ||
        (stat(output, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
        return 0;

    /* (a) Inside a content root, wipe's --root or the state directory: judged by the
     * nearest directory that exists, so a file yet to be created counts, and compared by
     * place in the filesystem (a symbolic link or a bind mount leading there counts). */
    const struct conf_alfresco *a = &conf->alfresco;
    size_t ndirs = 3 + a->n_extra_roots + nroots;
    struct guard_dir *dirs = xcalloc(ndirs, sizeof *dirs);
    size_t n = 0;
    dirs[n++] = (struct guard_dir){"the content root", "alfresco.contentstore", -1,
                                   a->contentstore.val};
    dirs[n++] = (struct guard_dir){"the content root", "alfresco.contentstore_deleted", -1,
                                   a->contentstore_deleted.val};
    for (size_t i = 0; i < a->n_extra_roots; i++)
        dirs[n++] = (struct guard_dir){"the content root", "alfresco.extra_roots", (long)i,
                                       a->extra_roots[i]};
    for (size_t i = 0; i < nroots; i++)
        dirs[n++] = (struct guard_dir){"the wipe root", "--root", -1, roots[i]};
    dirs[n++] = (struct guard_dir){"alfwipe's state directory", "wipe.state_dir", -1,
                                   conf->wipe.state_dir.val};
    char near[PATH_MAX], real[PATH_MAX], rel[PATH_MAX], odir[PATH_MAX];
    char *oname = NULL;
    bool have_near = path_nearest_dir(output, near);
    bool have_odir = split_resolved(output, odir, &oname);
    int ret = 0;
    for (size_t i = 0; i < n && ret == 0; i++) {
        const struct guard_dir *g = &dirs[i];
        if (!g->path || !g->path[0])
            continue;
        const char *how = "is inside", *why = "";
        if (realpath(g->path, real)) {
            if (!have_near || !dir_within(near, real, rel, sizeof rel))
                continue;
        } else if (have_odir && takes_place_of(g->path, odir, oname)) {
            how = "is in the way of";
            why = " (not created yet: a file there keeps it from being created)";
            snprintf(real, sizeof real, "%s", g->path);
        } else {
            continue;
        }
        char idx[32] = "";
        if (g->index >= 0)
            snprintf(idx, sizeof idx, "[%ld]", g->index);
        err_set(err, ERR_USAGE, "--output '%s' %s %s %s%s ('%s')%s", output, how, g->what,
                g->key, idx, real, why);
        ret = err_hint(err, "Nothing was written. Give --output a file outside the content "
                            "roots and alfwipe's state directory, for example "
                            "/var/log/alfwipe/%s.json.", cmd);
    }
    free(dirs);
    if (ret || !have_odir) {
        free(oname);
        return ret;   /* no such directory: out_open says so */
    }

    /* (b) One of the files alfwipe reads or keeps: its evidence, lock, keys, passwords and
     * configuration (alfwipe.conf and every file it includes). */
    const struct out_guard_file fixed[] = {
        {"the wipe certificate wipe.certificate", conf->wipe.certificate.val},
        {"the wipe lock file wipe.lock_file", conf->wipe.lock_file.val},
        {"the HMAC key file wipe.hmac_key_file", conf->wipe.hmac_key_file.val},
        {"the database password file database.password_file", conf->db.password_file.val},
        {"the CA file database.sslrootcert", conf->db.sslrootcert.val},
        {"the API password file api.password_file", conf->api.password_file.val},
        {"the CA file api.ca_file", conf->api.ca_file.val},
        {"the configuration file being read", conf->path},
        {"the alfresco-global.properties being read", a->global_properties.val},
    };
    size_t nfixed = sizeof fixed / sizeof fixed[0];
    size_t ninc = conf->n_includes;
    for (size_t i = 0; i < nfixed + ninc + nown && ret == 0; i++) {
        const struct out_guard_file inc = {
            "a configuration file included (@include) by the one being read",
            i >= nfixed && i < nfixed + ninc ? conf->includes[i - nfixed] : NULL};
        const struct out_guard_file *f = i < nfixed          ? &fixed[i]
                                         : i < nfixed + ninc ? &inc
                                                             : &own[i - nfixed - ninc];
        if (!f->path || !f->path[0] || !same_file(output, odir, oname, f->path))
            continue;
        err_set(err, ERR_USAGE, "--output '%s' is %s ('%s')", output, f->what, f->path);
        ret = err_hint(err, "Nothing was written. Give --output a file of its own, for example "
                            "/var/log/alfwipe/%s.json: alfwipe never replaces its certificate, "
                            "lock, keys, passwords or configuration.", cmd);
    }
    free(oname);
    return ret;
}
