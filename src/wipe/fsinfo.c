/* Which filesystem a wipe root lives on, with which mount options and on what device, and
 * whether an in-place overwrite can hold there (statfs, /proc/self/mountinfo, inode flags,
 * FIEMAP, sysfs). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "wipe_int.h"

#ifndef ZFS_SUPER_MAGIC
#define ZFS_SUPER_MAGIC 0x2FC12FC1UL   /* not in linux/magic.h; used by OpenZFS */
#endif
#define AW_CIFS_MAGIC 0xFF534D42UL
#define AW_SMB2_MAGIC 0xFE534D42UL
#define AW_FUSE_MAGIC 0x65735546UL
#define AW_CEPH_MAGIC 0x00C36400UL
#define AW_GFS2_MAGIC 0x01161970UL
#define AW_OCFS2_MAGIC 0x7461636FUL
#define AW_NILFS_MAGIC 0x3434UL
#define AW_F2FS_MAGIC 0xF2F52010UL

static const struct {
    unsigned long magic;
    const char *name;
} fs_names[] = {
    {EXT4_SUPER_MAGIC, "ext4"},   {BTRFS_SUPER_MAGIC, "btrfs"},
    {XFS_SUPER_MAGIC, "xfs"},     {NFS_SUPER_MAGIC, "nfs"},
    {TMPFS_MAGIC, "tmpfs"},       {OVERLAYFS_SUPER_MAGIC, "overlay"},
    {ZFS_SUPER_MAGIC, "zfs"},     {AW_CIFS_MAGIC, "cifs"},
    {AW_SMB2_MAGIC, "smb3"},      {SMB_SUPER_MAGIC, "smbfs"},
    {AW_FUSE_MAGIC, "fuse"},      {AW_CEPH_MAGIC, "ceph"},
    {AW_GFS2_MAGIC, "gfs2"},      {AW_OCFS2_MAGIC, "ocfs2"},
    {AW_NILFS_MAGIC, "nilfs2"},   {AW_F2FS_MAGIC, "f2fs"},
    {RAMFS_MAGIC, "ramfs"},       {SQUASHFS_MAGIC, "squashfs"},
};

const char *wipe_fs_magic_name(unsigned long magic)
{
    for (size_t i = 0; i < sizeof fs_names / sizeof fs_names[0]; i++)
        if (fs_names[i].magic == magic)
            return fs_names[i].name;
    return NULL;
}

/* Undo mountinfo's octal escapes (\040 for a space ...) in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static bool path_under(const char *path, const char *mnt)
{
    size_t n = strlen(mnt);
    if (strcmp(mnt, "/") == 0)
        return true;
    return strncmp(path, mnt, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* True when the comma-separated list has the option (exactly, or as "name=..."). */
static bool has_opt(const char *opts, const char *name, const char *value)
{
    size_t n = strlen(name);
    const char *p = opts;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len >= n && strncmp(p, name, n) == 0) {
            if (!value && (len == n || p[n] == '='))
                return true;
            if (value && len == n + 1 + strlen(value) && p[n] == '=' &&
                strncmp(p + n + 1, value, strlen(value)) == 0)
                return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* Find the mountinfo entry for path on device maj:min: the longest mount point above path,
 * preferring entries of that device; the last one wins when mounts are stacked. */
static void read_mountinfo(struct wipe_fsinfo *fi, const char *path, unsigned maj, unsigned min)
{
    FILE *fp = fopen("/proc/self/mountinfo", "re");
    if (!fp)
        return;
    char *line = NULL;
    size_t cap = 0;
    size_t best_len = 0;
    bool best_dev = false;
    while (getline(&line, &cap, fp) > 0) {
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL;
        char *f[6] = {0};
        char *tok = strtok_r(line, " ", &save);
        int i = 0;
        for (; tok && i < 6; i++, tok = strtok_r(NULL, " ", &save))
            f[i] = tok;
        if (i < 6)
            continue;
        /* optional fields until "-" */
        while (tok && strcmp(tok, "-") != 0)
            tok = strtok_r(NULL, " ", &save);
        if (!tok)
            continue;
        char *fstype = strtok_r(NULL, " ", &save);
        char *source = strtok_r(NULL, " ", &save);
        char *super = strtok_r(NULL, " ", &save);
        if (!fstype || !source)
            continue;
        unsigned a, b;
        if (sscanf(f[2], "%u:%u", &a, &b) != 2)
            continue;
        unescape(f[4]);
        if (!path_under(path, f[4]))
            continue;
        bool dev_match = a == maj && b == min;
        size_t len = strlen(f[4]);
        if ((best_dev && !dev_match) || (dev_match == best_dev && len < best_len))
            continue;
        best_dev = dev_match;
        best_len = len;
        free(fi->mount_point);
        free(fi->mount_source);
        free(fi->mount_options);
        fi->mount_point = xstrdup(f[4]);
        unescape(source);
        fi->mount_source = xstrdup(source);
        fi->mount_options = xasprintf("%s%s%s", f[5], super ? "," : "", super ? super : "");
        snprintf(fi->fstype, sizeof fi->fstype, "%s", fstype);
    }
    free(line);
    fclose(fp);
}

static int read_sysfs_int(const char *path)
{
    FILE *fp = fopen(path, "re");
    if (!fp)
        return -1;
    int v = -1;
    if (fscanf(fp, "%d", &v) != 1)
        v = -1;
    fclose(fp);
    return v;
}

/* rotational of a /sys/block-style directory, following slaves (dm, md) and partitions. */
static int rotational_of_dir(const char *dir, int depth)
{
    if (depth > 8)
        return -1;
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/slaves", dir);
    DIR *d = opendir(p);
    if (d) {
        int any = -1;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char sub[PATH_MAX];
            snprintf(sub, sizeof sub, "%s/slaves/%s", dir, de->d_name);
            int r = rotational_of_dir(sub, depth + 1);
            if (r == 0) {
                any = 0;   /* any flash below makes the whole stack flash */
                break;
            }
            if (r == 1)
                any = 1;
        }
        closedir(d);
        if (any != -1)
            return any;
    }
    snprintf(p, sizeof p, "%s/queue/rotational", dir);
    int r = read_sysfs_int(p);
    if (r != -1)
        return r;
    /* a partition: the queue belongs to the parent disk */
    snprintf(p, sizeof p, "%s/../queue/rotational", dir);
    return read_sysfs_int(p);
}

int wipe_dev_rotational(unsigned maj, unsigned min)
{
    char dir[64], real[PATH_MAX];
    snprintf(dir, sizeof dir, "/sys/dev/block/%u:%u", maj, min);
    if (!realpath(dir, real))
        return -1;
    return rotational_of_dir(real, 0);
}

static void probe_device(struct wipe_fsinfo *fi, dev_t st_dev)
{
    unsigned maj = major(st_dev), min = minor(st_dev);
    /* btrfs and others use anonymous device numbers: ask the mount source instead. */
    struct stat sb;
    if (fi->mount_source && fi->mount_source[0] == '/' && stat(fi->mount_source, &sb) == 0 &&
        S_ISBLK(sb.st_mode)) {
        maj = major(sb.st_rdev);
        min = minor(sb.st_rdev);
    }
    char dir[64], real[PATH_MAX];
    snprintf(dir, sizeof dir, "/sys/dev/block/%u:%u", maj, min);
    if (realpath(dir, real)) {
        const char *base = strrchr(real, '/');
        fi->device = xstrdup(base ? base + 1 : real);
        fi->rotational = rotational_of_dir(real, 0);
    }
}

static void set_unsafe(struct wipe_fsinfo *fi, enum wipe_fs_policy pol, const char *why)
{
    fi->policy = pol;
    snprintf(fi->reason, sizeof fi->reason, "%s", why);
}

int wipe_fsinfo_probe(int rootfd, const char *path, struct wipe_fsinfo *fi, struct err *err)
{
    memset(fi, 0, sizeof *fi);
    fi->rotational = -1;
    struct statfs sf;
    struct stat st;
    if (fstatfs(rootfd, &sf) != 0)
        return err_sys(err, ERR_IO, errno, "could not statfs '%s'", path);
    if (fstat(rootfd, &st) != 0)
        return err_sys(err, ERR_IO, errno, "could not stat '%s'", path);
    fi->magic = (unsigned long)sf.f_type;
    fi->dev_major = major(st.st_dev);
    fi->dev_minor = minor(st.st_dev);
    const char *mname = wipe_fs_magic_name(fi->magic);
    snprintf(fi->fstype, sizeof fi->fstype, "%s", mname ? mname : "unknown");
    read_mountinfo(fi, path, fi->dev_major, fi->dev_minor);
    probe_device(fi, st.st_dev);
    const char *opts = fi->mount_options ? fi->mount_options : "";

    switch (fi->magic) {
    case EXT4_SUPER_MAGIC:   /* ext2, ext3 and ext4 share it */
        if (has_opt(opts, "data", "journal")) {
            fi->data_journal = true;
            set_unsafe(fi, WIPE_FS_UNSAFE,
                       "ext4 mounted with data=journal writes file data to the journal "
                       "first; the journal keeps copies of the old content");
        }
        break;
    case BTRFS_SUPER_MAGIC:
        if (has_opt(opts, "compress", NULL) || has_opt(opts, "compress-force", NULL)) {
            fi->compressed = true;
            set_unsafe(fi, WIPE_FS_UNSAFE,
                       "btrfs mounted with compression writes new data elsewhere, "
                       "compressed; the old blocks keep the content");
        } else {
            set_unsafe(fi, WIPE_FS_PER_FILE,
                       "btrfs writes new data elsewhere (copy-on-write); the old blocks keep "
                       "the content unless the file is NOCOW and shares no extent");
        }
        break;
    case XFS_SUPER_MAGIC:
        set_unsafe(fi, WIPE_FS_PER_FILE,
                   "XFS with reflink writes shared extents elsewhere; only files whose "
                   "extents are not shared are overwritten in place");
        break;
    case ZFS_SUPER_MAGIC:
        set_unsafe(fi, WIPE_FS_UNSAFE,
                   "ZFS writes new data elsewhere (copy-on-write); old block versions stay "
                   "in free space and snapshots");
        break;
    case NFS_SUPER_MAGIC:
    case AW_CIFS_MAGIC:
    case AW_SMB2_MAGIC:
    case SMB_SUPER_MAGIC:
    case AW_CEPH_MAGIC:
    case AW_FUSE_MAGIC:
        set_unsafe(fi, WIPE_FS_UNSAFE,
                   "a network or user-space filesystem: the server decides where data goes, "
                   "and client caches can answer reads");
        break;
    case OVERLAYFS_SUPER_MAGIC:
        set_unsafe(fi, WIPE_FS_UNSAFE,
                   "overlay copies a lower-layer file up on its first write; the lower layer "
                   "keeps the content");
        break;
    case TMPFS_MAGIC:
    case RAMFS_MAGIC:
        set_unsafe(fi, WIPE_FS_UNSAFE,
                   "a memory filesystem: pages may have been swapped out, and no device "
                   "holds the file to read back");
        break;
    case AW_NILFS_MAGIC:
    case AW_F2FS_MAGIC:
        set_unsafe(fi, WIPE_FS_UNSAFE,
                   "a log-structured filesystem writes new data elsewhere; the old blocks "
                   "keep the content");
        break;
    default: {
        char buf[200];
        snprintf(buf, sizeof buf,
                 "filesystem '%s' (magic 0x%lX) is not known to overwrite files in place",
                 fi->fstype, fi->magic);
        set_unsafe(fi, WIPE_FS_UNSAFE, buf);
        break;
    }
    }
    return 0;
}

void wipe_fsinfo_release(struct wipe_fsinfo *fi)
{
    free(fi->mount_point);
    free(fi->mount_source);
    free(fi->mount_options);
    free(fi->device);
    fi->mount_point = fi->mount_source = fi->mount_options = fi->device = NULL;
}

void wipe_file_fs_probe(int fd, bool extents, struct wipe_file_fs *ff)
{
    memset(ff, 0, sizeof *ff);
    int flags = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
        ff->flags_known = true;
        ff->journal_data = (flags & FS_JOURNAL_DATA_FL) != 0;
        ff->nocow = (flags & FS_NOCOW_FL) != 0;
        ff->compressed = (flags & FS_COMPR_FL) != 0;
    }
    if (!extents)
        return;
    /* FIEMAP in slices of 64 extents; FIEMAP_FLAG_SYNC settles delayed allocation first. */
    enum { NEXT = 64 };
    size_t sz = sizeof(struct fiemap) + NEXT * sizeof(struct fiemap_extent);
    struct fiemap *fm = xcalloc(1, sz);
    uint64_t start = 0;
    for (int rounds = 0; rounds < 100000; rounds++) {
        memset(fm, 0, sz);
        fm->fm_start = start;
        fm->fm_length = FIEMAP_MAX_OFFSET - start;
        fm->fm_flags = rounds == 0 ? FIEMAP_FLAG_SYNC : 0;
        fm->fm_extent_count = NEXT;
        if (ioctl(fd, FS_IOC_FIEMAP, fm) != 0)
            break;
        if (rounds == 0)
            ff->shared_known = true;
        if (fm->fm_mapped_extents == 0)
            break;
        bool last = false;
        for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
            const struct fiemap_extent *e = &fm->fm_extents[i];
            if (e->fe_flags & FIEMAP_EXTENT_SHARED)
                ff->shared = true;
            if (e->fe_flags & FIEMAP_EXTENT_LAST)
                last = true;
            start = e->fe_logical + e->fe_length;
        }
        if (last || ff->shared)
            break;
    }
    free(fm);
}

bool wipe_fs_file_in_place(const struct wipe_fsinfo *fi, const struct wipe_file_fs *ff,
                           char *why, size_t whylen)
{
    if (fi->policy == WIPE_FS_UNSAFE) {
        snprintf(why, whylen, "%s", fi->reason);
        return false;
    }
    if (ff->shared) {
        snprintf(why, whylen,
                 "the file shares extents with a snapshot or reflink copy; those blocks are "
                 "not overwritten in place");
        return false;
    }
    if (ff->compressed) {
        snprintf(why, whylen, "the file is stored compressed; new data goes elsewhere");
        return false;
    }
    if (fi->magic == BTRFS_SUPER_MAGIC && !ff->nocow) {
        snprintf(why, whylen,
                 "btrfs writes new data elsewhere (copy-on-write); the old blocks keep the "
                 "content (the file is not NOCOW)");
        return false;
    }
    if (fi->policy == WIPE_FS_PER_FILE && !ff->shared_known) {
        snprintf(why, whylen,
                 "could not tell whether the file shares extents (FIEMAP unavailable)");
        return false;
    }
    return true;
}
