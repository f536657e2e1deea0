/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Integration tests of the lvdpa sample app (examples/lvdpa) with the PMD
 * loaded by -d on the device model, and of DPDK's own vdpa sample app with
 * the same PMD:
 * - test_sample_guests: the app in interactive mode (commands through a
 *   pipe) serves a little-endian legacy guest with zero features, one with
 *   a legacy feature set, a modern guest and a big-endian legacy guest
 *   (served through the relay) with the lvdpa_guest library (the guest
 *   stays connected while the app is asked), then the lvdpa-guest CLI; the
 *   app's state and stats output, and telemetry (its socket and
 *   dpdk-telemetry.py), match what the guest negotiated and sent; quit
 *   removes the socket;
 * - test_sample_plain_sigterm: plain mode with stdin closed keeps serving
 *   (without spinning on the closed stdin), SIGTERM removes every socket;
 * - test_sample_sigint: SIGINT in interactive mode does the same;
 * - test_sample_client: --client connects to a listening guest, which
 *   passes traffic;
 * - test_sample_reconnect_virtio_user: dpdk-testpmd's virtio-user listens
 *   (server=1), the app connects (--client); traffic, the app killed
 *   (SIGKILL) mid-traffic and started again, virtio-user reconnects, and
 *   the new backend serves traffic with every frame accounted for; the
 *   app then stops cleanly on SIGTERM;
 * - test_sample_stale_socket: a stale socket at the path (bound, nobody
 *   listens) is replaced and served; a live one and a regular file are
 *   refused;
 * - test_dpdk_vdpa_sample: DPDK's examples/vdpa, copied from dpdk-doc into
 *   the build tree and built unmodified with its Makefile, loads the PMD
 *   and serves dpdk-testpmd's virtio-user, whose packets come back.
 * Every process, socket, temporary file and EAL runtime directory is
 * removed at exit, also on failure or when the test is killed.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lvdpa_guest.h"
#include "lvdpa_test.h"

#define LVDPA_ST_MAX_CHILDREN 8

static char lvdpa_st_dir[64];       /* sockets and logs */
static char lvdpa_st_prefix[64];    /* EAL file prefixes start with it */
static char lvdpa_st_srcdir[512];   /* DPDK sample copy in the build tree */
static pid_t lvdpa_st_children[LVDPA_ST_MAX_CHILDREN];
static const char *lvdpa_st_so = LVDPA_VDPA_SO;

static void
lvdpa_st_cleanup(void)
{
	char cmd[1024];
	unsigned int i;

	for (i = 0; i < LVDPA_ST_MAX_CHILDREN; i++) {
		if (lvdpa_st_children[i] > 0) {
			kill(lvdpa_st_children[i], SIGKILL);
			waitpid(lvdpa_st_children[i], NULL, 0);
			lvdpa_st_children[i] = 0;
		}
	}
	if (lvdpa_st_prefix[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s*", lvdpa_st_prefix);
		if (system(cmd) != 0)
			fprintf(stderr, "# cleanup failed: %s\n", cmd);
	}
	if (lvdpa_st_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", lvdpa_st_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "# cleanup failed: %s\n", cmd);
	}
	if (lvdpa_st_srcdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", lvdpa_st_srcdir);
		if (system(cmd) != 0)
			fprintf(stderr, "# cleanup failed: %s\n", cmd);
	}
}

static void
lvdpa_st_signal(int sig)
{
	lvdpa_st_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
lvdpa_st_setup(void)
{
	if (lvdpa_st_dir[0] != '\0')
		return;
	snprintf(lvdpa_st_prefix, sizeof(lvdpa_st_prefix), "lvdpa-sample-%d",
		 (int)getpid());
	snprintf(lvdpa_st_dir, sizeof(lvdpa_st_dir), "/tmp/lvdpa-sample-XXXXXX");
	if (mkdtemp(lvdpa_st_dir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	/* Undefined behaviour in a child fails it, so that the test sees it. */
	setenv("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1", 0);
	/* Another build of the PMD, e.g. to test the app against it. */
	if (getenv("LVDPA_TEST_VDPA_SO") != NULL)
		lvdpa_st_so = getenv("LVDPA_TEST_VDPA_SO");
	atexit(lvdpa_st_cleanup);
	signal(SIGTERM, lvdpa_st_signal);
	signal(SIGINT, lvdpa_st_signal);
	signal(SIGALRM, lvdpa_st_signal);
	signal(SIGPIPE, SIG_IGN);
	/* A hard bound for the whole program, whatever hangs. */
	alarm(100);
}

static void
lvdpa_st_track(pid_t pid)
{
	unsigned int i;

	for (i = 0; i < LVDPA_ST_MAX_CHILDREN; i++)
		if (lvdpa_st_children[i] <= 0) {
			lvdpa_st_children[i] = pid;
			return;
		}
}

static void
lvdpa_st_untrack(pid_t pid)
{
	unsigned int i;

	for (i = 0; i < LVDPA_ST_MAX_CHILDREN; i++)
		if (lvdpa_st_children[i] == pid)
			lvdpa_st_children[i] = 0;
}

/*
 * Start @p argv with stdin from @p in_fd (-1: /dev/null) and stdout and
 * stderr into @p log. Returns the pid or -1.
 */
static pid_t
lvdpa_st_spawn(char *const argv[], int in_fd, int close_fd, const char *log,
	       const char *preload)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int in = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);

		if (out < 0 || in < 0)
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		if (close_fd >= 0)
			close(close_fd);
		signal(SIGPIPE, SIG_DFL);
		if (preload != NULL) {
			setenv("LD_PRELOAD", preload, 1);
			setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	lvdpa_st_track(pid);
	return pid;
}

/* Wait up to @p secs for @p pid: its exit status, 128+signal, or -1 (killed). */
static int
lvdpa_st_wait(pid_t pid, int secs)
{
	time_t end = time(NULL) + secs;
	int status;

	for (;;) {
		pid_t p = waitpid(pid, &status, WNOHANG);

		if (p == pid)
			break;
		if (p < 0 || time(NULL) > end) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			lvdpa_st_untrack(pid);
			return -1;
		}
		usleep(20000);
	}
	lvdpa_st_untrack(pid);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static bool
lvdpa_st_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool
lvdpa_st_wait_file(const char *path, int secs)
{
	time_t end = time(NULL) + secs;

	while (!lvdpa_st_exists(path)) {
		if (time(NULL) > end)
			return false;
		usleep(20000);
	}
	return true;
}

/* The contents of @p path from byte @p off, NUL-terminated (free it). */
static char *
lvdpa_st_read_from(const char *path, long off)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	if (off > len)
		off = len;
	buf = malloc(len - off + 1);
	if (buf == NULL) {
		fclose(f);
		return NULL;
	}
	fseek(f, off, SEEK_SET);
	len = (long)fread(buf, 1, len - off, f);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* The last lines of a log, as TAP comments (why a process failed). */
static void
lvdpa_st_dump(const char *log)
{
	char *t = lvdpa_st_read_from(log, 0), *s, *line;
	size_t len;

	if (t == NULL)
		return;
	len = strlen(t);
	s = len > 3000 ? t + len - 3000 : t;
	for (line = strtok(s, "\n"); line != NULL; line = strtok(NULL, "\n"))
		fprintf(stderr, "# | %s\n", line);
	free(t);
}

/* @p text as TAP comments, line by line. */
static void
lvdpa_st_comment(const char *text)
{
	while (text != NULL && *text != '\0') {
		size_t n = strcspn(text, "\n");

		printf("# %.*s\n", (int)n, text);
		text += n;
		if (*text == '\n')
			text++;
	}
}

static long
lvdpa_st_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Wait until the log from @p off contains @p marker: that text, or NULL. */
static char *
lvdpa_st_wait_text(const char *log, long off, const char *marker, int secs)
{
	time_t end = time(NULL) + secs;

	for (;;) {
		char *t = lvdpa_st_read_from(log, off);

		if (t != NULL && strstr(t, marker) != NULL)
			return t;
		free(t);
		if (time(NULL) > end)
			return NULL;
		usleep(20000);
	}
}

/* ------------------------------------------------------------------ */
/* The lvdpa sample app. */

struct lvdpa_st_app {
	pid_t pid;
	int cmd_fd;          /* its stdin (interactive), else -1 */
	char prefix[96];     /* EAL file prefix */
	char log[128];
	char iface[128];
};

/*
 * Start the app as @p name (its log and EAL prefix) on the sockets
 * <@p iface>N (NULL: <dir>/<name>-sock), and wait for the first one.
 */
static int
lvdpa_st_app_start_on(struct lvdpa_st_app *a, const char *name,
		      const char *iface, bool interactive, const char *vdev0,
		      const char *vdev1, const char *extra)
{
	char pfx[128], d0[256], d1[256], sock0[160];
	char *argv[40];
	int argc = 0, in[2] = { -1, -1 };

	memset(a, 0, sizeof(*a));
	a->cmd_fd = -1;
	snprintf(a->prefix, sizeof(a->prefix), "%s-%s", lvdpa_st_prefix, name);
	snprintf(a->log, sizeof(a->log), "%s/%s.log", lvdpa_st_dir, name);
	if (iface != NULL)
		snprintf(a->iface, sizeof(a->iface), "%s", iface);
	else
		snprintf(a->iface, sizeof(a->iface), "%s/%s-sock", lvdpa_st_dir,
			 name);
	snprintf(pfx, sizeof(pfx), "--file-prefix=%s", a->prefix);
	snprintf(d0, sizeof(d0), "--vdev=%s", vdev0);
	argv[argc++] = (char *)(uintptr_t)LVDPA_SAMPLE_APP;
	argv[argc++] = (char *)(uintptr_t)"-l";
	argv[argc++] = (char *)(uintptr_t)"0";
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"256";
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = pfx;
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.vhost.*:warning";
	argv[argc++] = (char *)(uintptr_t)"-d";
	argv[argc++] = (char *)(uintptr_t)lvdpa_st_so;
	argv[argc++] = d0;
	if (vdev1 != NULL) {
		snprintf(d1, sizeof(d1), "--vdev=%s", vdev1);
		argv[argc++] = d1;
	}
	argv[argc++] = (char *)(uintptr_t)"--";
	argv[argc++] = (char *)(uintptr_t)"--iface";
	argv[argc++] = a->iface;
	if (interactive)
		argv[argc++] = (char *)(uintptr_t)"-i";
	if (extra != NULL)
		argv[argc++] = (char *)(uintptr_t)extra;
	argv[argc] = NULL;
	if (interactive && pipe(in) != 0)
		return -1;
	a->pid = lvdpa_st_spawn(argv, in[0], in[1], a->log, NULL);
	if (in[0] >= 0)
		close(in[0]);
	a->cmd_fd = in[1];
	if (a->pid < 0)
		return -1;
	snprintf(sock0, sizeof(sock0), "%s0", a->iface);
	if (!lvdpa_st_wait_file(sock0, 20)) {
		fprintf(stderr, "# the app created no %s\n", sock0);
		lvdpa_st_dump(a->log);
		return -1;
	}
	return 0;
}

static int
lvdpa_st_app_start(struct lvdpa_st_app *a, const char *name, bool interactive,
		   const char *vdev0, const char *vdev1, const char *extra)
{
	return lvdpa_st_app_start_on(a, name, NULL, interactive, vdev0, vdev1,
				     extra);
}

/*
 * A sanitizer's report in a log: an ASan error, a LeakSanitizer leak, or
 * UBSan's runtime error. The first line of it, or NULL (free it).
 */
static char *
lvdpa_st_san_report(const char *log)
{
	static const char *const marks[] = {
		"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
		"runtime error:",
	};
	char *t = lvdpa_st_read_from(log, 0), *s = NULL, *line;
	unsigned int i;

	for (i = 0; t != NULL && s == NULL && i < sizeof(marks) / sizeof(marks[0]); i++)
		s = strstr(t, marks[i]);
	if (s == NULL) {
		free(t);
		return NULL;
	}
	line = strndup(s, strcspn(s, "\n"));
	free(t);
	return line;
}

/* Fail the test when @p log holds a sanitizer report. */
#define LVDPA_ST_NO_SAN(log) do { \
	char *rep_ = lvdpa_st_san_report(log); \
	if (rep_ != NULL) { \
		lvdpa_st_dump(log); \
		fprintf(stderr, "# sanitizer report in %s: %s\n", (log), rep_); \
		free(rep_); \
		return -1; \
	} \
} while (0)

/*
 * Stop the app with SIGTERM, as a service manager does: it must exit with
 * 0 within 20 s, and (sanitizer build) with no sanitizer report: the
 * shutdown is when LeakSanitizer runs. 0, or -1 with the reason printed.
 */
static int
lvdpa_st_app_stop(struct lvdpa_st_app *a)
{
	char *rep;
	int rc;

	if (a->cmd_fd >= 0) {
		close(a->cmd_fd);
		a->cmd_fd = -1;
	}
	kill(a->pid, SIGTERM);
	rc = lvdpa_st_wait(a->pid, 20);
	a->pid = 0;
	rep = lvdpa_st_san_report(a->log);
	if (rc != 0 || rep != NULL) {
		lvdpa_st_dump(a->log);
		fprintf(stderr, "# the app (log %s): exit status %d after SIGTERM%s%s\n",
			a->log, rc, rep != NULL ? "; sanitizer: " : "",
			rep != NULL ? rep : "");
		free(rep);
		return -1;
	}
	return 0;
}

/* Stop (SIGKILL) and reap the app, whatever its state. */
static void
lvdpa_st_app_kill(struct lvdpa_st_app *a)
{
	if (a->cmd_fd >= 0) {
		close(a->cmd_fd);
		a->cmd_fd = -1;
	}
	if (a->pid > 0) {
		kill(a->pid, SIGKILL);
		lvdpa_st_wait(a->pid, 5);
		a->pid = 0;
	}
}

/* Send a command; the output up to @p marker (free it), or NULL. */
static char *
lvdpa_st_app_cmd(struct lvdpa_st_app *a, const char *cmd, const char *marker)
{
	long off = lvdpa_st_size(a->log);
	char line[512];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);

	if (write(a->cmd_fd, line, n) != n)
		return NULL;
	return lvdpa_st_wait_text(a->log, off, marker, 10);
}

/* Value of counter @p name of queue @p q in stats output @p t; -1 if absent. */
static int64_t
lvdpa_st_stat(const char *t, unsigned int q, const char *name)
{
	char head[32];
	const char *s, *next;
	unsigned long long v;

	snprintf(head, sizeof(head), "queue %u (", q);
	s = strstr(t, head);
	if (s == NULL)
		return -1;
	next = strstr(s + 1, "queue ");
	s = strstr(s, name);
	if (s == NULL || (next != NULL && s > next))
		return -1;
	if (sscanf(s + strlen(name), " %llu", &v) != 1)
		return -1;
	return (int64_t)v;
}

/* The value after "  <key>:" in state output @p t, into @p buf. */
static const char *
lvdpa_st_field(const char *t, const char *key, char *buf, size_t len)
{
	char k[64];
	const char *s;
	size_t n;

	snprintf(k, sizeof(k), "  %s:", key);
	s = strstr(t, k);
	if (s == NULL)
		return "";
	s += strlen(k);
	while (*s == ' ')
		s++;
	n = strcspn(s, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* Ask the app's telemetry socket: the JSON reply into @p buf. */
static int
lvdpa_st_telemetry(const char *prefix, const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path),
		 "/var/run/dpdk/%s/dpdk_telemetry.v2", prefix);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    read(fd, buf, len - 1) <= 0 ||   /* the greeting */
	    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		close(fd);
		return -EIO;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

/* Run a program, its output into @p buf; exit status or -1. */
static int
lvdpa_st_run(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (p == NULL)
		return -1;
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	return pclose(p);
}

struct lvdpa_st_guest_kind {
	const char *name;
	uint64_t features;
	bool legacy;
	bool big_endian;	/* rings and headers: served through the relay */
};

/*
 * One guest through the app: traffic passes, then (still connected) the
 * app's state and stats and its telemetry match the guest's view.
 */
static int
lvdpa_st_one_guest(struct lvdpa_st_app *a, const char *sock,
		   const struct lvdpa_st_guest_kind *k)
{
	const uint64_t pkts = 2000;
	struct lvdpa_guest_config cfg;
	struct lvdpa_guest_stats gs;
	struct lvdpa_guest *g;
	char cmd[256], buf[512], json[16384];
	char *before, *after, *state;
	int64_t rx0, tx0, rx1, tx1, rxr1, txr1;
	unsigned int hdr_len;
	int rc;

	before = lvdpa_st_app_cmd(a, "stats lvdpa0", "end of stats");
	LVDPA_TEST_ASSERT(before != NULL, "stats before the %s guest", k->name);
	rx0 = lvdpa_st_stat(before, 0, "completed_descriptors");
	tx0 = lvdpa_st_stat(before, 1, "completed_descriptors");
	free(before);
	LVDPA_TEST_ASSERT(rx0 >= 0 && tx0 >= 0, "counters shown");

	lvdpa_guest_config_init(&cfg);
	cfg.socket_path = sock;
	cfg.features = k->features;
	cfg.big_endian = k->big_endian;
	cfg.verbose = 0;
	g = lvdpa_guest_create(&cfg);
	LVDPA_TEST_ASSERT(g != NULL, "guest create");
	rc = lvdpa_guest_connect(g);
	if (rc == 0)
		rc = lvdpa_guest_run_traffic(g, pkts, 20000);
	printf("# %s guest: %s\n", k->name, lvdpa_guest_verdict(g, rc));
	if (rc != 0) {
		lvdpa_guest_destroy(g);
		LVDPA_TEST_ASSERT(0, "%s guest traffic: %d", k->name, rc);
	}
	lvdpa_guest_get_stats(g, &gs);

	/* Still connected: the app shows the running guest. */
	snprintf(cmd, sizeof(cmd), "state %s", sock);
	state = lvdpa_st_app_cmd(a, cmd, "end of state");
	after = lvdpa_st_app_cmd(a, "stats lvdpa0", "end of stats");
	rc = lvdpa_st_telemetry(a->prefix, "/lvdpa/state", json, sizeof(json));
	if (state == NULL || after == NULL || rc != 0) {
		free(state);
		free(after);
		lvdpa_guest_destroy(g);
		LVDPA_TEST_ASSERT(0, "state, stats and telemetry of the %s guest",
				  k->name);
	}
	lvdpa_st_comment(state);
	rx1 = lvdpa_st_stat(after, 0, "completed_descriptors");
	tx1 = lvdpa_st_stat(after, 1, "completed_descriptors");
	rxr1 = lvdpa_st_stat(after, 0, "received_descriptors");
	txr1 = lvdpa_st_stat(after, 1, "received_descriptors");
	free(after);

#define LVDPA_ST_CHECK(cond, ...) do { \
	if (!(cond)) { \
		free(state); \
		lvdpa_guest_destroy(g); \
		LVDPA_TEST_ASSERT(0, __VA_ARGS__); \
	} \
} while (0)
	LVDPA_ST_CHECK(strstr(state, "guest running") != NULL, "running");
	/* The socket was widened to the device's offer: MAC, CONFIG. */
	LVDPA_ST_CHECK(lvdpa_guest_offered_features(g) & (1ULL << 5),
		       "MAC offered: 0x%" PRIx64, lvdpa_guest_offered_features(g));
	LVDPA_ST_CHECK((lvdpa_guest_protocol_features(g) &
			(1ULL << LVDPA_GUEST_PF_CONFIG)) &&
		       (lvdpa_guest_protocol_features(g) &
			(1ULL << LVDPA_GUEST_PF_CROSS_ENDIAN)),
		       "CONFIG and CROSS_ENDIAN negotiated: 0x%" PRIx64,
		       lvdpa_guest_protocol_features(g));
	LVDPA_ST_CHECK(strncmp(lvdpa_st_field(state, "mode", buf, sizeof(buf)),
			       k->legacy ? "legacy" : "modern", 6) == 0,
		       "mode %s", buf);
	/* virtio 1.0 5.1.6.1: 12 bytes with VERSION_1 or MRG_RXBUF. */
	hdr_len = !k->legacy || (lvdpa_guest_features(g) & (1ULL << 15)) ? 12 : 10;
	snprintf(cmd, sizeof(cmd), "%u bytes", lvdpa_guest_hdr_len(g));
	LVDPA_ST_CHECK(lvdpa_guest_hdr_len(g) == hdr_len,
		       "guest header %u", lvdpa_guest_hdr_len(g));
	LVDPA_ST_CHECK(strcmp(lvdpa_st_field(state, "header length", buf,
					     sizeof(buf)), cmd) == 0,
		       "header length '%s', guest %s", buf, cmd);
	{
		unsigned long long f = 0;

		/* Bit 30 is vhost-user's, not the guest driver's: not shown. */
		sscanf(lvdpa_st_field(state, "features", buf, sizeof(buf)),
		       "%llx", &f);
		LVDPA_ST_CHECK(f == (lvdpa_guest_features(g) & ~(1ULL << 30)),
			       "features 0x%llx, guest 0x%" PRIx64, f,
			       lvdpa_guest_features(g));
	}
	/* The PMD exports the guest's state: byte order and datapath. */
	LVDPA_ST_CHECK(strncmp(lvdpa_st_field(state, "source", buf, sizeof(buf)),
			       "driver", 6) == 0, "source '%s'", buf);
	{
		const char *endian = k->big_endian ? "big" : "little";

		LVDPA_ST_CHECK(strcmp(lvdpa_st_field(state, "device endian", buf,
						     sizeof(buf)), endian) == 0,
			       "device endian '%s'", buf);
		snprintf(cmd, sizeof(cmd), "0:%s 1:%s", endian, endian);
		LVDPA_ST_CHECK(strcmp(lvdpa_st_field(state, "vring endian", buf,
						     sizeof(buf)), cmd) == 0,
			       "vring endian '%s'", buf);
		LVDPA_ST_CHECK(strncmp(lvdpa_st_field(state, "datapath", buf,
						      sizeof(buf)),
				       k->big_endian ? "relay" : "direct",
				       k->big_endian ? 5 : 6) == 0,
			       "datapath '%s'", buf);
		snprintf(cmd, sizeof(cmd), "\"device_endian\":\"%s\"", endian);
		LVDPA_ST_CHECK(strstr(json, cmd) != NULL, "telemetry endian: %s",
			       json);
	}
	/*
	 * Counters: the guest's packets went out on queue 1 (tx) and came
	 * back on queue 0 (rx), one chain each (the model counts chains).
	 */
	printf("# %s guest: sent %" PRIu64 " received %" PRIu64
	       "; rx queue completed %" PRId64 " (+%" PRId64 ") received %" PRId64
	       ", tx queue completed %" PRId64 " (+%" PRId64 ") received %" PRId64 "\n",
	       k->name, gs.sent, gs.received, rx1, rx1 - rx0, rxr1, tx1,
	       tx1 - tx0, txr1);
	LVDPA_ST_CHECK(gs.sent == pkts && gs.received == pkts, "guest counters");
	LVDPA_ST_CHECK((uint64_t)(tx1 - tx0) == pkts, "tx completed +%" PRId64,
		       tx1 - tx0);
	LVDPA_ST_CHECK((uint64_t)(rx1 - rx0) == pkts, "rx completed +%" PRId64,
		       rx1 - rx0);
	/* Telemetry says the same. */
	snprintf(cmd, sizeof(cmd), "\"mode\":\"%s\"", k->legacy ? "legacy" : "modern");
	LVDPA_ST_CHECK(strstr(json, cmd) != NULL, "telemetry mode: %s", json);
	snprintf(cmd, sizeof(cmd), "\"hdr_len\":%u", hdr_len);
	LVDPA_ST_CHECK(strstr(json, cmd) != NULL, "telemetry hdr_len: %s", json);
	LVDPA_ST_CHECK(lvdpa_st_telemetry(a->prefix, "/lvdpa/stats,lvdpa0", json,
					  sizeof(json)) == 0, "telemetry stats");
	snprintf(cmd, sizeof(cmd), "\"q1_completed_descriptors\":%" PRId64, tx1);
	LVDPA_ST_CHECK(strstr(json, cmd) != NULL, "telemetry %s: %s", cmd, json);
	snprintf(cmd, sizeof(cmd), "\"q0_completed_descriptors\":%" PRId64, rx1);
	LVDPA_ST_CHECK(strstr(json, cmd) != NULL, "telemetry %s: %s", cmd, json);
#undef LVDPA_ST_CHECK
	free(state);
	lvdpa_guest_stop(g);
	lvdpa_guest_destroy(g);
	return 0;
}

static int
test_sample_guests(void)
{
	static const struct lvdpa_st_guest_kind kinds[] = {
		{ "zero-feature legacy", LVDPA_GUEST_FEATURES_ZERO, true },
		/* csum, mac, mrg_rxbuf: as many as the device offers */
		{ "legacy", LVDPA_GUEST_FEATURES_LEGACY, true },
		{ "modern", LVDPA_GUEST_FEATURES_MODERN, false },
		{ "big-endian zero-feature legacy", LVDPA_GUEST_FEATURES_ZERO,
		  true, true },
	};
	struct lvdpa_st_app a;
	char sock[160], cmd[1024], out[16384], buf[256];
	char *t;
	unsigned int i;
	int rc;

	lvdpa_st_setup();
	rc = lvdpa_st_app_start(&a, "guests", true,
				"lvdpa0,queues=1,queue_size=256",
				NULL, NULL);
	if (rc != 0) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "app start (log %s)", a.log);
	}
	snprintf(sock, sizeof(sock), "%s0", a.iface);
	t = lvdpa_st_app_cmd(&a, "list", "lvdpa0");
	if (t == NULL || strstr(t, sock) == NULL) {
		free(t);
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "list shows lvdpa0 on %s", sock);
	}
	free(t);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		rc = lvdpa_st_one_guest(&a, sock, &kinds[i]);
		if (rc != 0) {
			lvdpa_st_app_kill(&a);
			return rc;
		}
	}

	/* The CLI: a zero-feature legacy guest, PASS; state keeps it. */
	snprintf(cmd, sizeof(cmd), "%s -s %s -f zero -n 1000 -t 20000 --quiet 2>&1",
		 LVDPA_GUEST_CLI, sock);
	rc = lvdpa_st_run(cmd, out, sizeof(out));
	lvdpa_st_comment(out);
	if (rc != 0 || strstr(out, "PASS") == NULL) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "lvdpa-guest CLI: %d: %s", rc, out);
	}
	snprintf(cmd, sizeof(cmd), "state %s", sock);
	t = lvdpa_st_app_cmd(&a, cmd, "end of state");
	rc = t != NULL && strstr(t, "no guest (5 served); the last one") != NULL &&
		strncmp(lvdpa_st_field(t, "mode", buf, sizeof(buf)), "legacy", 6) == 0 &&
		strcmp(lvdpa_st_field(t, "header length", buf, sizeof(buf)),
		       "10 bytes") == 0;
	lvdpa_st_comment(t != NULL ? t : "(no state)");
	free(t);
	if (!rc) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "state after the CLI guest left");
	}

	/* dpdk-telemetry.py with the app's file prefix shows the counters. */
	snprintf(cmd, sizeof(cmd),
		 "echo /lvdpa/stats,lvdpa0 | timeout 20 %s -f %s 2>&1",
		 LVDPA_TELEMETRY_PY, a.prefix);
	rc = lvdpa_st_run(cmd, out, sizeof(out));
	lvdpa_st_comment(out);
	if (rc != 0 || strstr(out, "q1_completed_descriptors") == NULL) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "dpdk-telemetry.py: %d: %s", rc, out);
	}

	/* remove, then create on another path: served again. */
	snprintf(cmd, sizeof(cmd), "remove %s", sock);
	t = lvdpa_st_app_cmd(&a, cmd, "removed ");
	free(t);
	if (t == NULL || lvdpa_st_exists(sock)) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "remove %s", sock);
	}
	snprintf(sock, sizeof(sock), "%s-again", a.iface);
	snprintf(cmd, sizeof(cmd), "create %s lvdpa0", sock);
	t = lvdpa_st_app_cmd(&a, cmd, "created ");
	free(t);
	snprintf(cmd, sizeof(cmd), "%s -s %s -f modern -n 500 -t 20000 --quiet 2>&1",
		 LVDPA_GUEST_CLI, sock);
	rc = t != NULL ? lvdpa_st_run(cmd, out, sizeof(out)) : -1;
	lvdpa_st_comment(out);
	if (rc != 0 || strstr(out, "PASS") == NULL) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "guest on the re-created port %s", sock);
	}

	/* quit: the socket is removed, the exit status is 0. */
	t = lvdpa_st_app_cmd(&a, "quit", "removed");
	free(t);
	close(a.cmd_fd);
	a.cmd_fd = -1;
	rc = lvdpa_st_wait(a.pid, 20);
	a.pid = 0;
	if (rc != 0)
		lvdpa_st_dump(a.log);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "the app quit cleanly (log %s)", a.log);
	LVDPA_ST_NO_SAN(a.log);
	LVDPA_TEST_ASSERT(!lvdpa_st_exists(sock), "%s removed", sock);
	return 0;
}

/* CPU ticks the main thread of @p pid has used. */
static long
lvdpa_st_main_ticks(pid_t pid)
{
	char path[64], buf[1024], *s;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	s = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (s == NULL || (s = strrchr(buf, ')')) == NULL)
		return -1;
	/* Fields after the name: state is 3rd; utime 14th, stime 15th. */
	if (sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		   &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

static int
test_sample_plain_sigterm(void)
{
	struct lvdpa_st_app a;
	char sock0[160], sock1[160], cmd[512], out[8192];
	long t0, t1;
	char *t;
	int rc;

	lvdpa_st_setup();
	rc = lvdpa_st_app_start(&a, "plain", false, "lvdpa0,queues=1,queue_size=256",
				"lvdpa1", "--stats-period=1");
	snprintf(sock0, sizeof(sock0), "%s0", a.iface);
	snprintf(sock1, sizeof(sock1), "%s1", a.iface);
	if (rc != 0 || !lvdpa_st_wait_file(sock1, 10)) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "app start with two devices (log %s)", a.log);
	}
	/* stdin is /dev/null: the app serves on, without spinning on it. */
	t0 = lvdpa_st_main_ticks(a.pid);
	sleep(2);
	t1 = lvdpa_st_main_ticks(a.pid);
	printf("# main thread used %ld ticks in 2 s\n", t1 - t0);
	if (t0 < 0 || t1 - t0 > 20 || waitpid(a.pid, NULL, WNOHANG) != 0) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "alive and idle with stdin closed: %ld ticks",
				  t1 - t0);
	}
	snprintf(cmd, sizeof(cmd), "%s -s %s -f legacy -n 1000 -t 20000 --quiet 2>&1",
		 LVDPA_GUEST_CLI, sock1);
	rc = lvdpa_st_run(cmd, out, sizeof(out));
	lvdpa_st_comment(out);
	if (rc != 0 || strstr(out, "PASS") == NULL) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "guest on %s: %s", sock1, out);
	}
	/* The status line counts the guest's 1000 packets. */
	t = lvdpa_st_wait_text(a.log, 0, "(1 served), rx 1000 tx 1000", 5);
	free(t);
	if (t == NULL) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "status line with the counters (log %s)", a.log);
	}
	LVDPA_TEST_ASSERT(lvdpa_st_app_stop(&a) == 0,
			  "clean exit after SIGTERM (log %s)", a.log);
	LVDPA_TEST_ASSERT(!lvdpa_st_exists(sock0) && !lvdpa_st_exists(sock1),
			  "every socket removed");
	return 0;
}

static int
test_sample_sigint(void)
{
	struct lvdpa_st_app a;
	char sock0[160];
	int rc;

	lvdpa_st_setup();
	rc = lvdpa_st_app_start(&a, "sigint", true, "lvdpa0", NULL, NULL);
	snprintf(sock0, sizeof(sock0), "%s0", a.iface);
	if (rc != 0) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "app start (log %s)", a.log);
	}
	kill(a.pid, SIGINT);
	rc = lvdpa_st_wait(a.pid, 20);
	a.pid = 0;
	close(a.cmd_fd);
	if (rc != 0)
		lvdpa_st_dump(a.log);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "exit status after SIGINT (log %s)", a.log);
	LVDPA_ST_NO_SAN(a.log);
	LVDPA_TEST_ASSERT(!lvdpa_st_exists(sock0), "socket removed");
	return 0;
}

static int
test_sample_client(void)
{
	char sock0[192], glog[160], iface[160];
	char *argv[16];
	struct lvdpa_st_app a;
	pid_t guest;
	char *t;
	int rc;

	/* The guest listens (as QEMU with server=on), the app connects. */
	lvdpa_st_setup();
	snprintf(iface, sizeof(iface), "%s/client-sock", lvdpa_st_dir);
	snprintf(sock0, sizeof(sock0), "%s0", iface);
	snprintf(glog, sizeof(glog), "%s/client-guest.log", lvdpa_st_dir);
	argv[0] = (char *)(uintptr_t)LVDPA_GUEST_CLI;
	argv[1] = (char *)(uintptr_t)"--server";
	argv[2] = (char *)(uintptr_t)"-s";
	argv[3] = sock0;
	argv[4] = (char *)(uintptr_t)"--msg-timeout=30000";
	argv[5] = (char *)(uintptr_t)"-f";
	argv[6] = (char *)(uintptr_t)"legacy";
	argv[7] = (char *)(uintptr_t)"-n";
	argv[8] = (char *)(uintptr_t)"1000";
	argv[9] = (char *)(uintptr_t)"--quiet";
	argv[10] = NULL;
	guest = lvdpa_st_spawn(argv, -1, -1, glog, NULL);
	LVDPA_TEST_ASSERT(guest > 0 && lvdpa_st_wait_file(sock0, 10),
			  "the guest listens on %s", sock0);
	rc = lvdpa_st_app_start(&a, "client", false, "lvdpa0", NULL, "--client");
	if (rc != 0) {
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "app start in client mode (log %s)", a.log);
	}
	rc = lvdpa_st_wait(guest, 40);
	t = lvdpa_st_read_from(glog, 0);
	lvdpa_st_comment(t);
	if (rc != 0 || t == NULL || strstr(t, "PASS") == NULL) {
		free(t);
		lvdpa_st_dump(a.log);
		lvdpa_st_app_kill(&a);
		LVDPA_TEST_ASSERT(0, "guest through the client-mode app: %d", rc);
	}
	free(t);
	LVDPA_TEST_ASSERT(lvdpa_st_app_stop(&a) == 0,
			  "clean exit after SIGTERM (log %s)", a.log);
	return 0;
}

/*
 * A leftover socket file: a stale one (bound, nobody listens: a server
 * killed outright) is replaced and served; a live one (someone listens)
 * and a regular file are refused (the app then has no socket: status 1).
 */
static int
test_sample_stale_socket(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char sock[192], iface[160];
	struct lvdpa_st_app a;
	int fd, rc, kind;
	char *t;

	lvdpa_st_setup();
	snprintf(iface, sizeof(iface), "%s/stale-sock", lvdpa_st_dir);
	snprintf(sock, sizeof(sock), "%s0", iface);
	LVDPA_TEST_ASSERT(strlen(sock) < sizeof(sun.sun_path), "path %s too long", sock);
	memcpy(sun.sun_path, sock, strlen(sock) + 1);
	for (kind = 0; kind < 3; kind++) {
		static const char *const what[] = { "a regular file", "a live socket",
						    "a stale socket" };
		char name[32];

		unlink(sock);
		fd = -1;
		if (kind == 0) {
			fd = open(sock, O_WRONLY | O_CREAT, 0600);
			LVDPA_TEST_ASSERT(fd >= 0, "create %s", sock);
			close(fd);
			fd = -1;
		} else {
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			LVDPA_TEST_ASSERT(fd >= 0 && bind(fd, (struct sockaddr *)&sun,
							  sizeof(sun)) == 0 &&
					  (kind == 2 || listen(fd, 4) == 0),
					  "bind %s", sock);
			/* Closed without unlink: what a killed server leaves. */
			if (kind == 2) {
				close(fd);
				fd = -1;
			}
		}
		snprintf(name, sizeof(name), "stale-%d", kind);
		rc = lvdpa_st_app_start_on(&a, name, iface, false, "lvdpa0", NULL,
					   "--stats-period=0");
		if (kind < 2) {
			/* Refused: the app exits with 1, the file is left alone. */
			rc = lvdpa_st_wait(a.pid, 20);
			a.pid = 0;
			if (fd >= 0)
				close(fd);
			t = lvdpa_st_read_from(a.log, 0);
			rc = rc == 1 && t != NULL && strstr(t, "exists") != NULL &&
				strstr(t, "removed a stale socket") == NULL &&
				lvdpa_st_exists(sock);
			free(t);
			if (!rc)
				lvdpa_st_dump(a.log);
			LVDPA_TEST_ASSERT(rc, "%s at %s refused (log %s)", what[kind],
					  sock, a.log);
			LVDPA_ST_NO_SAN(a.log);
			continue;
		}
		LVDPA_TEST_ASSERT(rc == 0, "the app started (log %s)", a.log);
		t = lvdpa_st_wait_text(a.log, 0, "serving", 10);
		rc = t != NULL && strstr(t, "removed a stale socket") != NULL;
		free(t);
		LVDPA_TEST_ASSERT(rc, "%s replaced (log %s)", what[kind], a.log);
		/* The new socket is the app's: a guest gets served. */
		{
			char cmd[512], out[4096];

			snprintf(cmd, sizeof(cmd),
				 "%s -s %s -f modern -n 100 -t 20000 --quiet 2>&1",
				 LVDPA_GUEST_CLI, sock);
			rc = lvdpa_st_run(cmd, out, sizeof(out));
			lvdpa_st_comment(out);
			LVDPA_TEST_ASSERT(rc == 0 && strstr(out, "PASS") != NULL,
					  "a guest on the replaced socket");
		}
		LVDPA_TEST_ASSERT(lvdpa_st_app_stop(&a) == 0,
				  "clean exit after SIGTERM (log %s)", a.log);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The backend killed and restarted under DPDK's virtio-user. */

struct lvdpa_st_tp {
	pid_t pid;
	int cmd_fd;          /* its stdin */
	char log[160];
};

/* Send a testpmd command; its output up to @p marker (free it), or NULL. */
static char *
lvdpa_st_tp_cmd(struct lvdpa_st_tp *tp, const char *cmd, const char *marker)
{
	long off = lvdpa_st_size(tp->log);
	char line[256];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	char *t;

	if (write(tp->cmd_fd, line, n) != n)
		return NULL;
	t = lvdpa_st_wait_text(tp->log, off, marker, 15);
	if (t == NULL)
		fprintf(stderr, "# testpmd: no '%s' after '%s'\n", marker, cmd);
	return t;
}

/* The number after @p key in @p t (from @p from on); -1 if absent. */
static int64_t
lvdpa_st_num_after(const char *t, const char *from, const char *key)
{
	const char *s = from != NULL ? strstr(t, from) : t;
	long long v;

	if (s == NULL || (s = strstr(s, key)) == NULL ||
	    sscanf(s + strlen(key), " %lld", &v) != 1)
		return -1;
	return v;
}

/* The lvdpa0 counters of queue @p q as telemetry gives them; -1 if absent. */
static int64_t
lvdpa_st_tel_completed(const struct lvdpa_st_app *a, unsigned int q)
{
	char json[16384], key[64];

	if (lvdpa_st_telemetry(a->prefix, "/lvdpa/stats,lvdpa0", json,
			       sizeof(json)) != 0)
		return -1;
	snprintf(key, sizeof(key), "\"q%u_completed_descriptors\":", q);
	return lvdpa_st_num_after(json, NULL, key);
}

/*
 * Stop forwarding and take every frame still in testpmd's receive ring:
 * rxonly with verbose output, whose start drains the ring (testpmd's flush
 * runs the receive callbacks that print each frame). Each frame must be
 * what txonly made of the tx_first burst: from the port's MAC to the
 * default peer 02:00:00:00:00:00, IPv4/UDP, 64 bytes, one segment. The
 * forwarding statistics of the stopped run go to @p rx, @p tx. Returns the
 * number of frames drained, -1 on a command failure, -2 on a bad frame.
 */
static int64_t
lvdpa_st_tp_drain(struct lvdpa_st_tp *tp, const char *mac, int64_t *rx,
		  int64_t *tx)
{
	char want[128], *t, *s;
	int64_t n = 0;
	int bad = 0;
	long off;

	t = lvdpa_st_tp_cmd(tp, "stop", "Done.");
	if (t == NULL)
		return -1;
	*rx = lvdpa_st_num_after(t, "Accumulated forward statistics", "RX-packets:");
	*tx = lvdpa_st_num_after(t, "Accumulated forward statistics", "TX-packets:");
	free(t);
	/* The device finishes the chains kicked before the stop. */
	usleep(300000);
	free(lvdpa_st_tp_cmd(tp, "set fwd rxonly", "rxonly packet forwarding mode"));
	off = lvdpa_st_size(tp->log);
	free(lvdpa_st_tp_cmd(tp, "set verbose 1", "Change verbose level"));
	t = lvdpa_st_tp_cmd(tp, "start", "RS bit threshold");
	free(t);
	if (t == NULL)
		return -1;
	usleep(200000);
	t = lvdpa_st_tp_cmd(tp, "stop", "Done.");
	free(lvdpa_st_tp_cmd(tp, "set verbose 0", "Change verbose level"));
	free(lvdpa_st_tp_cmd(tp, "set fwd io", "io packet forwarding mode"));
	if (t == NULL)
		return -1;
	free(t);
	/* The frames printed since "set verbose 1". */
	snprintf(want, sizeof(want), "src=%s - dst=02:00:00:00:00:00 - pool=", mac);
	t = lvdpa_st_read_from(tp->log, off);
	if (t == NULL)
		return -1;
	s = t;
	while (s != NULL && (s = strstr(s, "\n  src=")) != NULL) {
		size_t len = strcspn(s + 1, "\n");
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)len, s + 1);
		s += 1 + len;
		n++;
		if (strstr(line, want) == NULL ||
		    strstr(line, "type=0x0800 - length=64 - nb_segs=1") == NULL ||
		    strstr(line, "L2_ETHER L3_IPV4 L4_UDP") == NULL) {
			if (bad++ < 3)
				fprintf(stderr, "# unexpected frame: %s\n", line);
		}
	}
	free(t);
	return bad ? -2 : n;
}

/*
 * One run of traffic on the backend @p a: a burst of 32 frames looped
 * between testpmd (io forwarding) and the device for a second, then
 * drained. Nothing may be lost or made up: every frame testpmd sent came
 * back (received while forwarding, or left in the ring), and the device
 * completed exactly that many chains on each queue.
 */
static int
lvdpa_st_vu_traffic(struct lvdpa_st_tp *tp, const struct lvdpa_st_app *a,
		    const char *mac, const char *what)
{
	int64_t tx0, rx0, tx1, rx1, r = -1, t = -1, w;
	char *out;

	tx0 = lvdpa_st_tel_completed(a, 1);
	rx0 = lvdpa_st_tel_completed(a, 0);
	out = lvdpa_st_tp_cmd(tp, "start tx_first", "RS bit threshold");
	free(out);
	LVDPA_TEST_ASSERT(out != NULL, "%s: testpmd started forwarding", what);
	sleep(1);
	w = lvdpa_st_tp_drain(tp, mac, &r, &t);
	tx1 = lvdpa_st_tel_completed(a, 1);
	rx1 = lvdpa_st_tel_completed(a, 0);
	printf("# %s: testpmd sent %" PRId64 ", received %" PRId64 " while forwarding and %"
	       PRId64 " left in its ring; the device completed tx %" PRId64 " rx %" PRId64 "\n",
	       what, t, r, w, tx1 - tx0, rx1 - rx0);
	LVDPA_TEST_ASSERT(w >= 0, "%s: the frames back are the frames sent (%" PRId64 ")",
			  what, w);
	LVDPA_TEST_ASSERT(tx0 >= 0 && rx0 >= 0 && tx1 >= 0 && rx1 >= 0,
			  "%s: the device's counters through telemetry", what);
	LVDPA_TEST_ASSERT(r >= 64, "%s: traffic passed (%" PRId64 " frames back)", what, r);
	LVDPA_TEST_ASSERT(t == r + w, "%s: %" PRId64 " sent, %" PRId64 " back",
			  what, t, r + w);
	LVDPA_TEST_ASSERT(tx1 - tx0 == t && rx1 - rx0 == t,
			  "%s: device completed tx %" PRId64 " rx %" PRId64 ", testpmd sent %"
			  PRId64, what, tx1 - tx0, rx1 - rx0, t);
	return 0;
}

static int
test_sample_reconnect_virtio_user(void)
{
	static const char mac[] = "02:4C:56:00:00:01";
	struct lvdpa_st_tp tp = { .cmd_fd = -1 };
	char iface[160], sock[192], vdev[320], pfx[160];
	struct lvdpa_st_app a;
	int in[2], argc = 0, rc;
	int64_t r = -1, t = -1, w;
	char *argv[32], *out;
	long off;

	lvdpa_st_setup();
	snprintf(iface, sizeof(iface), "%s/vu-sock", lvdpa_st_dir);
	snprintf(sock, sizeof(sock), "%s0", iface);
	snprintf(tp.log, sizeof(tp.log), "%s/vu-testpmd.log", lvdpa_st_dir);
	snprintf(pfx, sizeof(pfx), "--file-prefix=%s-vutp", lvdpa_st_prefix);
	/* virtio-user listens (server=1): a backend may come and go. */
	snprintf(vdev, sizeof(vdev),
		 "--vdev=net_virtio_user0,path=%s,queues=1,server=1,mac=%s", sock, mac);
	argv[argc++] = (char *)(uintptr_t)"/usr/bin/stdbuf";
	argv[argc++] = (char *)(uintptr_t)"-oL";
	argv[argc++] = (char *)(uintptr_t)LVDPA_TESTPMD;
	argv[argc++] = (char *)(uintptr_t)"-l";
	argv[argc++] = (char *)(uintptr_t)"0-1";
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"512";
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = pfx;
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	argv[argc++] = vdev;
	argv[argc++] = (char *)(uintptr_t)"--";
	argv[argc++] = (char *)(uintptr_t)"-i";
	argv[argc++] = (char *)(uintptr_t)"--port-topology=loop";
	argv[argc++] = (char *)(uintptr_t)"--forward-mode=io";
	argv[argc++] = (char *)(uintptr_t)"--nb-cores=1";
	argv[argc++] = (char *)(uintptr_t)"--total-num-mbufs=2048";
	argv[argc] = NULL;
	LVDPA_TEST_ASSERT(pipe(in) == 0, "pipe");
	tp.pid = lvdpa_st_spawn(argv, in[0], in[1], tp.log, NULL);
	close(in[0]);
	tp.cmd_fd = in[1];
	if (tp.pid < 0 || !lvdpa_st_wait_file(sock, 30)) {
		lvdpa_st_dump(tp.log);
		LVDPA_TEST_ASSERT(0, "virtio-user listens on %s", sock);
	}

	/* The first backend connects; testpmd's probe completes. */
	rc = lvdpa_st_app_start_on(&a, "vu-1", iface, false,
				   "lvdpa0,queues=1,queue_size=256", NULL, "--client");
	LVDPA_TEST_ASSERT(rc == 0, "first app start (log %s)", a.log);
	out = lvdpa_st_wait_text(tp.log, 0, "testpmd> ", 30);
	free(out);
	if (out == NULL) {
		lvdpa_st_dump(tp.log);
		LVDPA_TEST_ASSERT(0, "testpmd ready (log %s)", tp.log);
	}
	out = lvdpa_st_wait_text(a.log, 0, "guest started", 10);
	free(out);
	LVDPA_TEST_ASSERT(out != NULL, "the first app serves (log %s)", a.log);
	if (lvdpa_st_vu_traffic(&tp, &a, mac, "first backend") != 0)
		return -1;

	/* SIGKILL in the middle of traffic: no shutdown at all. */
	off = lvdpa_st_size(tp.log);
	out = lvdpa_st_tp_cmd(&tp, "start tx_first", "RS bit threshold");
	free(out);
	LVDPA_TEST_ASSERT(out != NULL, "forwarding before the kill");
	usleep(500000);
	LVDPA_TEST_ASSERT(waitpid(a.pid, NULL, WNOHANG) == 0, "the app runs");
	LVDPA_ST_NO_SAN(a.log);
	lvdpa_st_app_kill(&a);
	out = lvdpa_st_wait_text(tp.log, off, "is down", 10);
	free(out);
	LVDPA_TEST_ASSERT(out != NULL, "virtio-user saw the backend go (log %s)", tp.log);

	/* A new backend process on the same socket: virtio-user takes it. */
	off = lvdpa_st_size(tp.log);
	rc = lvdpa_st_app_start_on(&a, "vu-2", iface, false,
				   "lvdpa0,queues=1,queue_size=256", NULL, "--client");
	LVDPA_TEST_ASSERT(rc == 0, "second app start (log %s)", a.log);
	out = lvdpa_st_wait_text(tp.log, off, "reconnection succeeds", 20);
	free(out);
	if (out == NULL) {
		lvdpa_st_dump(tp.log);
		LVDPA_TEST_ASSERT(0, "virtio-user reconnected (log %s)", tp.log);
	}
	out = lvdpa_st_wait_text(a.log, 0, "guest started", 10);
	free(out);
	LVDPA_TEST_ASSERT(out != NULL, "the second app serves (log %s)", a.log);
	/*
	 * Whatever the first device held when it died is gone; the rest goes
	 * on looping through the new one. Stop and drain it, then count anew.
	 */
	usleep(500000);
	w = lvdpa_st_tp_drain(&tp, mac, &r, &t);
	printf("# across the kill: testpmd sent %" PRId64 ", %" PRId64 " came back, %"
	       PRId64 " lost with the killed backend\n", t, r + w, t - r - w);
	LVDPA_TEST_ASSERT(w >= 0, "frames across the restart are the frames sent");
	if (lvdpa_st_vu_traffic(&tp, &a, mac, "restarted backend") != 0)
		return -1;

	/* testpmd leaves, then the app stops cleanly (LSan runs there). */
	rc = write(tp.cmd_fd, "quit\n", 5) == 5 ? 0 : -1;
	close(tp.cmd_fd);
	tp.cmd_fd = -1;
	LVDPA_TEST_ASSERT(rc == 0, "quit to testpmd");
	rc = lvdpa_st_wait(tp.pid, 20);
	if (rc != 0)
		lvdpa_st_dump(tp.log);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "testpmd quit (log %s)", tp.log);
	out = lvdpa_st_wait_text(a.log, 0, "guest stopped", 10);
	free(out);
	LVDPA_TEST_ASSERT(out != NULL, "the app saw testpmd leave (log %s)", a.log);
	LVDPA_TEST_ASSERT(lvdpa_st_app_stop(&a) == 0,
			  "clean exit after SIGTERM (log %s)", a.log);
	return 0;
}

/* ------------------------------------------------------------------ */
/* DPDK's vdpa sample app. */

static int
test_dpdk_vdpa_sample(void)
{
	char cmd[2048], out[4096], bin[600], iface[128], sock[160];
	char pfx[128], fepfx[128], vdev[256], applog[160], felog[160];
	char *argv[32], *t, *s;
	int in[2] = { -1, -1 }, fein[2] = { -1, -1 };
	unsigned long long rx = 0;
	pid_t app, fe;
	int argc, rc;

	lvdpa_st_setup();
	if (!lvdpa_st_exists(LVDPA_DPDK_VDPA_SRC "/main.c")) {
		printf("# dpdk-doc not installed: no %s\n", LVDPA_DPDK_VDPA_SRC);
		return 0;
	}
	/* Copy into the build tree and build it there, unmodified. */
	snprintf(lvdpa_st_srcdir, sizeof(lvdpa_st_srcdir), "%s/dpdk-vdpa-%d",
		 LVDPA_SAMPLE_BUILD_DIR, (int)getpid());
	snprintf(cmd, sizeof(cmd), "cp -r %s %s && make -s -C %s >%s/make.log 2>&1",
		 LVDPA_DPDK_VDPA_SRC, lvdpa_st_srcdir, lvdpa_st_srcdir, lvdpa_st_dir);
	rc = system(cmd);
	snprintf(bin, sizeof(bin), "%s/build/vdpa", lvdpa_st_srcdir);
	LVDPA_TEST_ASSERT(rc == 0 && lvdpa_st_exists(bin),
			  "building DPDK's vdpa sample (%s/make.log)", lvdpa_st_dir);

	snprintf(iface, sizeof(iface), "%s/dpdk-sock", lvdpa_st_dir);
	snprintf(sock, sizeof(sock), "%s0", iface);
	snprintf(pfx, sizeof(pfx), "--file-prefix=%s-dpdk", lvdpa_st_prefix);
	snprintf(applog, sizeof(applog), "%s/dpdk-vdpa.log", lvdpa_st_dir);
	argc = 0;
	argv[argc++] = bin;
	argv[argc++] = (char *)(uintptr_t)"-l";
	argv[argc++] = (char *)(uintptr_t)"0";
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"256";
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = pfx;
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.vhost.*:warning";
	argv[argc++] = (char *)(uintptr_t)"-d";
	argv[argc++] = (char *)(uintptr_t)lvdpa_st_so;
	argv[argc++] = (char *)(uintptr_t)"--vdev=lvdpa0,queues=1,queue_size=256";
	argv[argc++] = (char *)(uintptr_t)"--";
	argv[argc++] = (char *)(uintptr_t)"--iface";
	argv[argc++] = iface;
	argv[argc] = NULL;
	/* Its stdin stays open (a pipe): on end of input it would spin. */
	LVDPA_TEST_ASSERT(pipe(in) == 0, "pipe");
	app = lvdpa_st_spawn(argv, in[0], in[1], applog, LVDPA_SAN_PRELOAD);
	close(in[0]);
	if (app < 0 || !lvdpa_st_wait_file(sock, 20)) {
		lvdpa_st_dump(applog);
		close(in[1]);
		LVDPA_TEST_ASSERT(0, "DPDK's vdpa sample created no %s (log %s)",
				  sock, applog);
	}

	/*
	 * dpdk-testpmd with virtio-user on the socket: one port looped onto
	 * itself, io forwarding, a first burst sent; Enter on its stdin stops
	 * it and it prints the accumulated statistics.
	 */
	snprintf(fepfx, sizeof(fepfx), "--file-prefix=%s-testpmd", lvdpa_st_prefix);
	snprintf(vdev, sizeof(vdev), "--vdev=net_virtio_user0,path=%s,queues=1", sock);
	snprintf(felog, sizeof(felog), "%s/testpmd.log", lvdpa_st_dir);
	argc = 0;
	/* Its stdout is a file: line buffering, to see when it forwards. */
	argv[argc++] = (char *)(uintptr_t)"/usr/bin/stdbuf";
	argv[argc++] = (char *)(uintptr_t)"-oL";
	argv[argc++] = (char *)(uintptr_t)LVDPA_TESTPMD;
	argv[argc++] = (char *)(uintptr_t)"-l";
	argv[argc++] = (char *)(uintptr_t)"0-1";
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"512";
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = fepfx;
	argv[argc++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	argv[argc++] = vdev;
	argv[argc++] = (char *)(uintptr_t)"--";
	argv[argc++] = (char *)(uintptr_t)"--port-topology=loop";
	argv[argc++] = (char *)(uintptr_t)"--forward-mode=io";
	argv[argc++] = (char *)(uintptr_t)"--nb-cores=1";
	argv[argc++] = (char *)(uintptr_t)"--tx-first";
	argv[argc++] = (char *)(uintptr_t)"--total-num-mbufs=2048";
	argv[argc] = NULL;
	if (pipe(fein) != 0) {
		close(in[1]);
		LVDPA_TEST_ASSERT(0, "pipe");
	}
	fe = lvdpa_st_spawn(argv, fein[0], fein[1], felog, NULL);
	close(fein[0]);
	t = lvdpa_st_wait_text(felog, 0, "Press enter to exit", 30);
	free(t);
	if (fe < 0 || t == NULL) {
		lvdpa_st_dump(felog);
		lvdpa_st_dump(applog);
		close(fein[1]);
		close(in[1]);
		LVDPA_TEST_ASSERT(0, "testpmd did not start forwarding (log %s)", felog);
	}
	sleep(2);
	rc = write(fein[1], "\n", 1) == 1 ? 0 : -1;
	close(fein[1]);
	rc = lvdpa_st_wait(fe, 30);
	t = lvdpa_st_read_from(felog, 0);
	s = t != NULL ? strstr(t, "Accumulated forward statistics") : NULL;
	if (s != NULL && (s = strstr(s, "RX-packets:")) != NULL)
		sscanf(s + strlen("RX-packets:"), " %llu", &rx);
	if (t != NULL) {
		snprintf(out, sizeof(out), "%s", s != NULL ? s : t);
		out[strcspn(out, "\n")] = '\0';
		printf("# testpmd: %s\n", out);
	}
	free(t);
	if (rc != 0 || rx < 64) {
		lvdpa_st_dump(felog);
		lvdpa_st_dump(applog);
		close(in[1]);
		LVDPA_TEST_ASSERT(0, "testpmd: exit %d, %llu packets back (log %s)",
				  rc, rx, felog);
	}

	/* 'q' quits DPDK's sample, which unregisters (and unlinks) the socket. */
	rc = write(in[1], "q\n", 2) == 2 ? 0 : -1;
	close(in[1]);
	rc = lvdpa_st_wait(app, 20);
	if (rc != 0)
		lvdpa_st_dump(applog);
	LVDPA_TEST_ASSERT_EQ(rc, 0, "DPDK's vdpa sample quit cleanly (log %s)", applog);
	LVDPA_TEST_ASSERT(!lvdpa_st_exists(sock), "%s removed", sock);
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_sample_guests),
	LVDPA_TEST_CASE(test_sample_plain_sigterm),
	LVDPA_TEST_CASE(test_sample_sigint),
	LVDPA_TEST_CASE(test_sample_client),
	LVDPA_TEST_CASE(test_sample_reconnect_virtio_user),
	LVDPA_TEST_CASE(test_sample_stale_socket),
	LVDPA_TEST_CASE(test_dpdk_vdpa_sample),
)
