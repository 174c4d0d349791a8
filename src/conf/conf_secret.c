/* Secrets: the database and API passwords. They come from a file only its owner can read, from
 * the environment, or (database only) from alfresco-global.properties; never from the command
 * line, and they are never printed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alfwipe/conf.h"
#include "alfwipe/props.h"
#include "alfwipe/xalloc.h"

#define SECRET_MAX 4096

int conf_read_secret_file(const char *path, const char *what, char **out, struct err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        err_sys(err, ERR_CONFIG, errno, "cannot open %s '%s'", what, path);
        return err_hint(err, "Create the file with the password on one line and 'chmod 600' "
                             "it, or correct the path.");
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return err_sys(err, ERR_CONFIG, e, "cannot stat %s '%s'", what, path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        err_set(err, ERR_CONFIG, "%s '%s' is not a regular file", what, path);
        return err_hint(err, "Point it at a file holding the password on one line.");
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        err_set(err, ERR_CONFIG, "%s '%s' is readable by group or others (mode %04o); refusing "
                     "to use it",
                what, path, (unsigned)(st.st_mode & 07777));
        return err_hint(err, "Run 'chmod 600 %s' so that only its owner can read it.", path);
    }
    char *buf = xmalloc(SECRET_MAX + 1);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, SECRET_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            explicit_bzero(buf, SECRET_MAX + 1);
            free(buf);
            return err_sys(err, ERR_CONFIG, e, "cannot read %s '%s'", what, path);
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > SECRET_MAX) {
            close(fd);
            explicit_bzero(buf, SECRET_MAX + 1);
            free(buf);
            err_set(err, ERR_CONFIG, "%s '%s' is larger than %d bytes", what, path, SECRET_MAX);
            return err_hint(err, "The file must hold only the password, on one line.");
        }
    }
    close(fd);
    buf[len] = '\0';
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    if (memchr(buf, '\0', len) || strchr(buf, '\n')) {
        explicit_bzero(buf, SECRET_MAX + 1);
        free(buf);
        err_set(err, ERR_CONFIG, "%s '%s' holds more than one line", what, path);
        return err_hint(err, "The file must hold only the password, on one line.");
    }
    if (len == 0) {
        free(buf);
        err_set(err, ERR_CONFIG, "%s '%s' is empty", what, path);
        return err_hint(err, "Write the password into it, on one line.");
    }
    *out = buf;
    return 0;
}

static void set_secret(char **dst, enum conf_source *src, const char *val, enum conf_source from)
{
    if (*dst) {
        explicit_bzero(*dst, strlen(*dst));
        free(*dst);
    }
    *dst = xstrdup(val);
    if (src)
        *src = from;
}

int conf_load_db_password(struct conf *conf, struct err *err)
{
    struct conf_db *d = &conf->db;
    if (d->password)
        return 0;
    if (d->password_file.val) {
        char *pw;
        if (conf_read_secret_file(d->password_file.val, "database.password_file", &pw, err) != 0)
            return -1;
        d->password = pw;
        d->password_src = d->password_file.src;
        return 0;
    }
    const char *env = getenv("ALFWIPE_DB_PASSWORD");
    if (env && *env) {
        set_secret(&d->password, &d->password_src, env, SRC_ENV);
        return 0;
    }
    if (d->url_password) {
        /* password= in the db.url alfwipe reads: the PostgreSQL driver takes it before
         * db.password; MySQL's and MariaDB's drivers disagree on the order, as for user= */
        const char *pv = conf->props ? props_get(conf->props, "db.password") : NULL;
        if (d->type == DB_MYSQL && pv && *pv && strcmp(pv, d->url_password) != 0) {
            err_set(err, ERR_CONFIG, "%s and db.password (line %d) differ",
                    d->url_password_origin, props_line(conf->props, "db.password"));
            return err_hint(err, "Set database.password_file in alfwipe.conf to a file (mode "
                                 "0600) holding the password Alfresco connects with (MySQL and "
                                 "MariaDB drivers differ on which of the two they use).");
        }
        set_secret(&d->password, &d->password_src, d->url_password, SRC_PROPERTIES);
        free(d->password_origin);
        d->password_origin = xstrdup(d->url_password_origin);
        return 0;
    }
    const char *pv = conf->props ? props_get(conf->props, "db.password") : NULL;
    const struct props_entry *nul = conf->props ? props_nul(conf->props, "db.password") : NULL;
    if (nul) {
        /* a secret: named by key and line only */
        err_set(err, ERR_CONFIG, "db.password in '%s' line %d holds a NUL character "
                                 "(\\u0000): alfwipe would read it cut short", conf->props->path,
                props_line(conf->props, "db.password"));
        return err_hint(err, "Remove the \\u0000 escape (or NUL byte) from line %d, set "
                             "database.password_file in alfwipe.conf (a file only you can read), "
                             "or export ALFWIPE_DB_PASSWORD.", nul->line);
    }
    if (pv && strstr(pv, "${")) {
        /* the value is a secret: named by key and line only */
        err_set(err, ERR_CONFIG, "db.password in '%s' line %d holds an unresolved ${...} "
                                 "placeholder", conf->props->path,
                props_line(conf->props, "db.password"));
        return err_hint(err, "Set database.password_file in alfwipe.conf (a file only you can "
                             "read), or export ALFWIPE_DB_PASSWORD.");
    }
    if (pv && *pv) {
        set_secret(&d->password, &d->password_src, pv, SRC_PROPERTIES);
        free(d->password_origin);
        d->password_origin = xasprintf("db.password in '%s' line %d", conf->props->path,
                                       props_line(conf->props, "db.password"));
        return 0;
    }
    /* No password: libpq may still find ~/.pgpass or use peer/trust authentication. */
    d->password_src = SRC_UNSET;
    return 0;
}

int conf_load_api_password(struct conf *conf, struct err *err)
{
    struct conf_api *a = &conf->api;
    if (a->password)
        return 0;
    if (a->password_file.val)
        return conf_read_secret_file(a->password_file.val, "api.password_file", &a->password,
                                     err);
    const char *env = getenv("ALFWIPE_API_PASSWORD");
    if (env && *env) {
        set_secret(&a->password, NULL, env, SRC_ENV);
        return 0;
    }
    err_set(err, ERR_CONFIG, "no password for the Alfresco REST API user '%s'",
            a->user.val ? a->user.val : "(unset)");
    return err_hint(err, "Set api.password_file to a file only you can read (chmod 600), or "
                         "export ALFWIPE_API_PASSWORD.");
}
