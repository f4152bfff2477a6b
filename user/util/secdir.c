// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user/util/log.h"
#include "user/util/secdir.h"

static int make(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST) {
		pr_warn("cannot create %s: %s\n", path, strerror(errno));
		return -errno;
	}
	/* made by a non-root holder of the capabilities: hand it to root (needs CAP_CHOWN),
	 * or the owner check below refuses it */
	if (geteuid() != 0 && chown(path, 0, 0))
		pr_debug("cannot give %s to root: %s\n", path, strerror(errno));
	return 0;
}

int xg_secure_dir(const char *path, bool create)
{
	struct stat st;
	int err;

	if (lstat(path, &st)) {
		if (errno != ENOENT || !create)
			return -errno;
		err = make(path);
		if (err)
			return err;
		if (lstat(path, &st))
			return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		pr_warn("%s is not a directory (a symlink?): someone else may have made it; "
			"remove it and retry\n",
			path);
		return -EPERM;
	}
	if (st.st_uid != 0) {
		pr_warn("%s is owned by uid %u, not root: another user may have made it to tamper "
			"with xdpgate's files; check it, then remove it (rm -r %s) or give it to "
			"root (chown root:root %s; chmod 0700 %s)\n",
			path, (unsigned int)st.st_uid, path, path, path);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		pr_warn("%s is mode %04o, writable by group or others, who could rename or replace "
			"xdpgate's files; check it, then fix it: chmod 0700 %s\n",
			path, (unsigned int)(st.st_mode & 07777), path);
		return -EPERM;
	}
	if ((st.st_mode & 07777) != 0700) {
		if (chmod(path, 0700)) {
			pr_warn("cannot make %s mode 0700: %s\n", path, strerror(errno));
			return -errno;
		}
		pr_info("made %s mode 0700 (was %04o)\n", path, (unsigned int)(st.st_mode & 07777));
	}
	return 0;
}
