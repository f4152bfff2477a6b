// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "user/util/log.h"
#include "user/util/secdir.h"
#include "user/gate/pin.h"

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

int xg_bpffs_ensure(void)
{
	if (is_bpffs(XG_BPFFS))
		return xg_secure_dir(XG_PIN_ROOT, true);
	if (mount("bpf", XG_BPFFS, "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_warn("bpffs is not mounted at %s and mounting it failed: %s "
			"(mount it: mount -t bpf bpf %s)\n",
			XG_BPFFS, strerror(errno), XG_BPFFS);
		return err;
	}
	pr_info("mounted bpffs at %s\n", XG_BPFFS);
	return xg_secure_dir(XG_PIN_ROOT, true);
}

int xg_pin_dir(int ifindex, char *dir, size_t len)
{
	struct stat st;
	int n;

	if (stat("/proc/self/ns/net", &st)) {
		pr_warn("cannot identify the network namespace: %s\n", strerror(errno));
		return -errno;
	}
	n = snprintf(dir, len, "%s/ns%lu/if%d", XG_PIN_ROOT, (unsigned long)st.st_ino, ifindex);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xg_pin_path(const char *dir, const char *map, char *path, size_t len)
{
	int n = snprintf(path, len, "%s/%s", dir, map);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool xg_pin_exists(const char *dir)
{
	struct stat st;

	return !stat(dir, &st) && S_ISDIR(st.st_mode);
}

int xg_pin_mkdir(const char *dir)
{
	char tmp[PATH_MAX];
	char *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + strlen(XG_BPFFS) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			goto err;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		goto err;
	return 0;
err:
	pr_warn("cannot create %s: %s\n", tmp, strerror(errno));
	return -errno;
}

void xg_pin_remove(const char *dir)
{
	char path[PATH_MAX], parent[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	char *slash;

	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (!xg_pin_path(dir, de->d_name, path, sizeof(path)))
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	/* the per-namespace directory goes when its last interface does */
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		rmdir(parent);
	}
}
