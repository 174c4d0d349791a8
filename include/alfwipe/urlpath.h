/* Content URLs and the files they name.
 *
 * store://2024/3/7/9/5/<uuid>.bin <-> <root>/2024/3/7/9/5/<uuid>.bin. The relative part must
 * stay inside the root (Alfresco's MNT-12301 guard): no empty, '.' or '..' component, no
 * leading '/'; a backslash is a separator as in Alfresco's makeContentUrl. */
#ifndef ALFWIPE_URLPATH_H
#define ALFWIPE_URLPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Split at the first "://": protocol (into proto, at most protolen-1 bytes) and the offset
 * of the relative part. -1 when there is no "://". */
int url_split(const char *url, size_t len, char *proto, size_t protolen, size_t *rel_off);

/* True when url is a store:// URL whose relative part is a safe relative path. */
bool url_store_relpath_ok(const char *rel, size_t len);

/* Whether a file at rel (relative to contentstore.deleted) has a content URL that can be
 * checked against the database: store://rel is a safe relative path, holds no backslash
 * (Alfresco reads one as a separator, so the URL would name another path) and is valid UTF-8
 * (text the database can hold and be asked about). alfwipe wipe refuses any other file; the
 * report marks it invalid_url. */
bool url_file_name_ok(const char *rel, size_t len);

/* Whether the last component of rel is named like the files Alfresco's file stores write:
 * "<guid>.bin", that is something followed by ".bin". The cleaner moves files with their
 * names, so anything else in contentstore.deleted is not Alfresco's content. */
bool url_content_file_name(const char *rel, size_t len);

/* content_url_short: last 12 characters of the lower-cased URL (whole URL when shorter;
 * ".empty" for an empty URL). out must hold 13 bytes. Lower-casing is ASCII (Java's
 * toLowerCase on the URLs Alfresco writes). */
void url_short(const char *url, size_t len, char out[13]);

/* Whether url_short gives exactly the content_url_short Alfresco wrote for url. Alfresco
 * lower-cases the URL with Java's toLowerCase() in the JVM's default locale and keeps its
 * last 12 UTF-16 characters: the same as url_short only when the last 12 bytes are plain
 * ASCII (then they are the last 12 characters) and hold no 'I' (a Turkish locale makes it a
 * dotless i). Other URLs are looked up by their CRC and full text alone. */
bool url_short_certain(const char *url, size_t len);

/* content_url_crc: CRC-32 (zlib) of the URL bytes as written, unsigned. */
uint32_t url_crc(const char *url, size_t len);

/* True when two absolute, resolved directory paths are the same or one is inside the other
 * (component-wise: /a/b is inside /a, /a/bc is not). */
bool path_overlaps(const char *a, const char *b);
/* path_overlaps, or the same directory or one inside the other reached through another path
 * (a bind mount): a or a directory above it has b's device and inode, or the other way round.
 * Both should be resolved paths (realpath). */
bool dirs_overlap(const char *a, const char *b);
/* (dirs_overlap also compares the two directories' places inside their filesystem, from
 * /proc/self/mountinfo: a bind mount of a directory inside b is inside b wherever it is
 * mounted, though '..' from it leads elsewhere.) */

/* True when the resolved directory inner is the resolved directory outer or lies inside it,
 * by path, by device and inode, or by their places inside one filesystem (bind mounts); rel
 * gets inner's path below outer ("" for the same directory; relsize bytes at most, else
 * false). */
bool dir_within(const char *inner, const char *outer, char *rel, size_t relsize);

/* The place of the resolved directory real inside its filesystem: its device and its path
 * from the filesystem's root (the mounted directory of the mount holding it, from
 * /proc/self/mountinfo, plus the rest of real). False when it cannot be told (no mountinfo,
 * or the mount's device is not the directory's, as on btrfs subvolumes). */
bool fs_location(const char *real, uint64_t *dev, char *out, size_t outlen);

/* The mount points strictly below the resolved directory real, from /proc/self/mountinfo
 * (bind mounts included, which share their parent's device). *out gets an array of owned
 * strings; returns how many (0 and NULL when none or unreadable). */
size_t mounts_below(const char *real, char ***out);

/* The nearest directory at or above path that exists, resolved into out (PATH_MAX bytes):
 * where a file that path names, or would create, lies (a relative path without a directory
 * that exists: the working directory). False when none resolves. */
bool path_nearest_dir(const char *path, char *out);

/* The same, with the first component of path below out that does not exist into missing
 * (mcap bytes; "" when path itself is a directory). */
bool path_nearest_missing(const char *path, char *out, char *missing, size_t mcap);

/* lstat of rel (a checked relative path) under root without following any symbolic link: each
 * directory on the way is opened with O_NOFOLLOW, the last component is examined with
 * AT_SYMLINK_NOFOLLOW (a link there is reported as the link). False when anything on the way is
 * missing, not a directory or a link. */
struct stat;
bool path_lstat_under(const char *root, const char *rel, struct stat *st);


/* The path a store:// URL names once read as java.io.File reads it: components split at '/'
 * and '\\', empty and '.' ones dropped, '..' taking the previous one back. NULL when it is
 * not a store:// URL, leaves the root (Alfresco refuses those) or names the root itself.
 * Caller frees. */
char *url_resolved_path(const char *url);

/* True when a '..' in the relative part of the store:// URL url climbs above the root once read
 * as java.io.File reads it (url_resolved_path gives NULL for it): the URL names a path outside
 * the content store. False for any other URL, including one that names the root itself. */
bool url_resolves_above(const char *url);

/* base (an absolute directory) joined with the relative part of a store:// URL and normalised
 * by text alone, as Alfresco's FileContentStore checks a URL: components split at '/' and
 * '\\', empty and '.' ones dropped, '..' taking one back (at most to '/'). Unlike
 * url_resolved_path it may leave base: store://../contentstore.deleted/x passes Alfresco's
 * check (the normalised path starts with the root's text) and opens a file beside the store.
 * NULL when url is not store://. Caller frees. */
char *url_lexical_path(const char *base, const char *url);

/* The files a store:// URL may open from the live store root base, as absolute paths with
 * their directory resolved by realpath(3): the one Alfresco's check reads (url_lexical_path)
 * and the one the kernel opens, which follows a symbolic link before a later '..' (base/a/lnk/
 * ../b is b beside lnk's target, not base/a/b), each from base as written and from base
 * resolved. Writes up to URL_REACH_MAX distinct paths to out (caller frees each); returns how
 * many. None where a directory does not exist. */
#define URL_REACH_MAX 4
size_t url_reach_paths(const char *base, const char *url, char *out[URL_REACH_MAX]);

#endif
