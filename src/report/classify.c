/* The classification rules of 'alfwipe report' (facts §14), kept free of I/O for unit tests. */
#include "alfwipe/report.h"

static const char *const class_names[CLS_COUNT] = {
    [CLS_LIVE] = "live",
    [CLS_VERSION] = "version",
    [CLS_TRASHCAN] = "trashcan",
    [CLS_ORPHAN_PROTECTED] = "orphan_protected",
    [CLS_ORPHAN_ELIGIBLE] = "orphan_eligible",
    [CLS_ORPHAN_OVERDUE] = "orphan_overdue",
    [CLS_ORPHAN_KEPT] = "orphan_kept",
    [CLS_UNREFERENCED] = "unreferenced",
    [CLS_NON_FILE] = "non_file",
    [CLS_STRAY] = "stray",
    [CLS_DELETED] = "deleted",
    [CLS_DELETED_REFERENCED] = "deleted_referenced",
};

static const char *const finding_names[F_COUNT_BITS] = {
    "missing_file", "size_mismatch", "stale_orphan_mark", "shared", "trashcan_expired",
    "no_archived_date", "in_flight", "dangling_content_data", "invalid_url", "not_regular_file",
    "not_walked", "hard_linked", "not_content_name",
};

const char *rclass_name(enum rclass c)
{
    return (unsigned)c < CLS_COUNT ? class_names[c] : "?";
}

bool rclass_needs_attention(enum rclass c)
{
    switch (c) {
    case CLS_ORPHAN_OVERDUE:
    case CLS_ORPHAN_KEPT:
    case CLS_UNREFERENCED:
    case CLS_STRAY:
    case CLS_DELETED_REFERENCED:
        return true;
    default:
        return false;
    }
}

const char *finding_name(unsigned bit)
{
    for (unsigned i = 0; i < F_COUNT_BITS; i++)
        if (bit == (1u << i))
            return finding_names[i];
    return "?";
}

enum rclass classify_url(const struct url_facts *f, const struct rpolicy *p)
{
    if (!f->is_store)
        return CLS_NON_FILE;
    if (f->has_live)
        return CLS_LIVE;
    if (f->has_version)
        return CLS_VERSION;
    if (f->has_archive)
        return CLS_TRASHCAN;
    if (f->has_dangling || !f->orphan_set)
        return CLS_UNREFERENCED;
    /* 0 is the KEEP_URL mark; a negative value is never taken by the cleaner either. */
    if (f->orphan_time <= 0)
        return CLS_ORPHAN_KEPT;
    /* Alfresco's cleaner takes a row only when orphan_time < now - protect (strictly). */
    int64_t boundary = p->now_ms - p->protect_ms;
    if (f->orphan_time >= boundary)
        return CLS_ORPHAN_PROTECTED;
    if (f->orphan_time >= boundary - p->slack_ms)
        return CLS_ORPHAN_ELIGIBLE;
    return CLS_ORPHAN_OVERDUE;
}

bool trash_expired(int64_t archived_ms, const struct rpolicy *p)
{
    return archived_ms < p->now_ms - p->keep_ms;
}

enum rclass classify_file(bool in_deleted_root, bool url_referenced)
{
    if (!in_deleted_root)
        return CLS_STRAY;
    return url_referenced ? CLS_DELETED_REFERENCED : CLS_DELETED;
}

bool file_in_flight(int64_t age_ms, const struct rpolicy *p)
{
    return age_ms < p->grace_ms;
}
