/* barewalk: the least a disk walk of a content store can cost. It lists every directory under
 * the roots with getdents64 and stats every entry with fstatat on the directory's descriptor,
 * as alfwipe's walk does, and keeps nothing: no path, no sort, no output but one line of
 * totals. bench/run.sh runs it beside the report's database rows streamed to /dev/null, which
 * together are what any report of the same data has to wait for before it does any work.
 * Usage: barewalk ROOT... */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct totals {
    uint64_t files, dirs, bytes;
};

static int walk_dir(int dfd, const char *what, struct totals *t)
{
    char buf[32768];
    for (;;) {
        ssize_t n = getdents64(dfd, buf, sizeof buf);
        if (n < 0) {
            fprintf(stderr, "barewalk: listing '%s': %s\n", what, strerror(errno));
            return -1;
        }
        if (n == 0)
            return 0;
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *d = (const struct dirent64 *)(buf + off);
            off += d->d_reclen;
            const char *name = d->d_name;
            if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
                continue;
            if (d->d_type == DT_DIR) {
                int c = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (c < 0 || walk_dir(c, name, t) != 0) {
                    if (c >= 0)
                        close(c);
                    return -1;
                }
                close(c);
                t->dirs++;
                continue;
            }
            struct stat st;
            if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
                t->files++;
                t->bytes += (uint64_t)st.st_size;
            }
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: barewalk ROOT...\n");
        return 2;
    }
    struct totals t = {0, 0, 0};
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "barewalk: '%s': %s\n", argv[i], strerror(errno));
            return 1;
        }
        int rc = walk_dir(fd, argv[i], &t);
        close(fd);
        if (rc != 0)
            return 1;
    }
    printf("%llu files, %llu directories, %llu bytes\n", (unsigned long long)t.files,
           (unsigned long long)t.dirs, (unsigned long long)t.bytes);
    return 0;
}
