/* Where alfwipe's own files may not lie: the certificate, lock file, state directory and HMAC
 * key inside a wipe root would be taken for candidates; the certificate, lock file and state
 * directory inside a live content store would write to live content (the lock file is
 * truncated). Shared by wipe (before any write) and check. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alfwipe/conf.h"
#include "alfwipe/urlpath.h"
#include "alfwipe/wipe.h"

int wipe_own_files_check(const struct conf *conf, const char *cert, const char *cert_key,
                         const char *const *roots, size_t nroots, struct err *err)
{
    const struct conf_wipe *cw = &conf->wipe;
    const struct { const char *key, *path; } own[] = {
        {cert_key, cert},
        {"wipe.lock_file", cw->lock_file.val},
        {"wipe.state_dir", cw->state_dir.val},
        {"wipe.hmac_key_file", cw->hmac_key_file.val},
    };
    const struct conf_alfresco *a = &conf->alfresco;
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++) {
        char dir[PATH_MAX], rel[PATH_MAX], live[PATH_MAX];
        if (!own[k].path || !own[k].path[0] || !path_nearest_dir(own[k].path, dir))
            continue;
        for (size_t i = 0; i < nroots; i++)
            if (dir_within(dir, roots[i], rel, sizeof rel)) {
                err_set(err, ERR_CONFIG, "%s '%s' lies inside the wipe root '%s', where a wipe "
                        "would take it for a candidate", own[k].key, own[k].path, roots[i]);
                return err_hint(err, "Keep the certificate, lock file, state directory and key "
                                     "outside contentstore.deleted (the defaults are under "
                                     "/var/lib/alfwipe and /run).");
            }
        /* The key is only read: it may lie anywhere else. */
        for (size_t i = 0; k < 3 && i <= a->n_extra_roots; i++) {
            const char *lp = i == 0 ? a->contentstore.val : a->extra_roots[i - 1];
            if (lp && realpath(lp, live) && dir_within(dir, live, rel, sizeof rel)) {
                err_set(err, ERR_CONFIG, "%s '%s' lies inside the live content store '%s'",
                        own[k].key, own[k].path, live);
                return err_hint(err, "Keep the certificate, lock file and state directory "
                                     "outside the content stores (the defaults are under "
                                     "/var/lib/alfwipe and /run).");
            }
        }
    }
    return 0;
}
