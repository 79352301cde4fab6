#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

// AE_IFREG & co. are macros Swift cannot import (they cast through another macro): re-export them.
static const mode_t SLIPWAY_AE_IFREG = AE_IFREG;
static const mode_t SLIPWAY_AE_IFDIR = AE_IFDIR;
static const mode_t SLIPWAY_AE_IFLNK = AE_IFLNK;
static const mode_t SLIPWAY_AE_IFCHR = AE_IFCHR;
static const mode_t SLIPWAY_AE_IFBLK = AE_IFBLK;
static const mode_t SLIPWAY_AE_IFIFO = AE_IFIFO;
static const mode_t SLIPWAY_AE_IFSOCK = AE_IFSOCK;
