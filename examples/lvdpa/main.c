/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * lvdpa sample app: serves vhost-user sockets with vDPA devices, in the
 * manner of DPDK's examples/vdpa. Each class=vdpa device (or each one named
 * by --devices) gets a socket <iface><n>; the socket's features and
 * protocol features are widened to what the device offers (rte_vhost's net
 * defaults lack some that legacy guests need). It serves until quit, SIGINT
 * or SIGTERM, then unregisters every socket and removes its file.
 *
 * Signals are blocked in every thread (before rte_eal_init(), so EAL's and
 * rte_vhost's threads inherit the mask) and read from a signalfd by the
 * main loop: shutdown runs in the main thread, never in a handler.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_socket.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_vhost.h>

#include "lvdpa_app.h"

RTE_LOG_REGISTER_SUFFIX(lvdpa_app_logtype, sample, NOTICE);

pthread_mutex_t lvdpa_app_lock = PTHREAD_MUTEX_INITIALIZER;
struct lvdpa_app_port lvdpa_app_ports[LVDPA_APP_MAX_PORTS];
volatile bool lvdpa_app_quit;

static struct {
	char iface[LVDPA_APP_PATH_LEN - 8]; /* room for the port number */
	bool client;
	bool interactive;
	char devices[1024];                 /* comma list, empty: all */
	unsigned int stats_period;          /* seconds, 0: no status line */
} lvdpa_app_opts = {
	.stats_period = 10,
};

/* ------------------------------------------------------------------ */
/* Ports. */

/* The port on @p path; lock held. */
static struct lvdpa_app_port *
lvdpa_app_port_find(const char *path)
{
	unsigned int i;

	for (i = 0; i < LVDPA_APP_MAX_PORTS; i++)
		if (lvdpa_app_ports[i].used &&
		    strcmp(lvdpa_app_ports[i].path, path) == 0)
			return &lvdpa_app_ports[i];
	return NULL;
}

static int
lvdpa_app_new_device(int vid)
{
	char path[LVDPA_APP_PATH_LEN];
	struct lvdpa_app_state st;
	struct lvdpa_app_port *p;
	char dev[RTE_DEV_NAME_MAX_LEN];
	int rc;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) != 0)
		return -1;
	rc = lvdpa_app_state_get(vid, &st);
	pthread_mutex_lock(&lvdpa_app_lock);
	p = lvdpa_app_port_find(path);
	if (p != NULL) {
		p->vid = vid;
		p->nr_vrings = rte_vhost_get_vring_num(vid);
		p->guests++;
		p->last_valid = rc == 0;
		p->last_vid = vid;
		p->last = st;
		snprintf(dev, sizeof(dev), "%s", p->dev_name);
	}
	pthread_mutex_unlock(&lvdpa_app_lock);
	if (p == NULL) {
		LVDPA_APP_LOG(ERR, "guest on unknown socket %s", path);
		return -1;
	}
	if (rc == 0)
		LVDPA_APP_LOG(NOTICE, "%s: guest started on %s (vid %d): %s, features 0x%" PRIx64 ", header %u bytes, %u vrings",
			      dev, path, vid, st.legacy ? "legacy" : "modern",
			      st.features, st.hdr_len, st.nr_vrings);
	else
		LVDPA_APP_LOG(NOTICE, "%s: guest started on %s (vid %d)", dev,
			      path, vid);
	return 0;
}

static void
lvdpa_app_destroy_device(int vid)
{
	struct lvdpa_app_state st;
	unsigned int i;
	int rc;

	/* The connection still lives: keep what the guest had negotiated. */
	rc = lvdpa_app_state_get(vid, &st);
	pthread_mutex_lock(&lvdpa_app_lock);
	for (i = 0; i < LVDPA_APP_MAX_PORTS; i++) {
		struct lvdpa_app_port *p = &lvdpa_app_ports[i];

		if (p->used && p->vid == vid) {
			p->vid = -1;
			if (rc == 0)
				p->last = st;
			LVDPA_APP_LOG(NOTICE, "%s: guest stopped on %s (vid %d)",
				      p->dev_name, p->path, vid);
		}
	}
	pthread_mutex_unlock(&lvdpa_app_lock);
}

static const struct rte_vhost_device_ops lvdpa_app_vhost_ops = {
	.new_device = lvdpa_app_new_device,
	.destroy_device = lvdpa_app_destroy_device,
};

/* Register, attach, widen and start @p path; no lock held. */
static int
lvdpa_app_socket_start(const char *path, uint64_t flags,
		       struct rte_vdpa_device *dev)
{
	uint64_t features, pf;
	int rc;

	if (rte_vhost_driver_register(path, flags) != 0) {
		LVDPA_APP_LOG(ERR, "%s: vhost-user socket registration failed", path);
		return -EINVAL;
	}
	rc = -EINVAL;
	if (rte_vhost_driver_callback_register(path, &lvdpa_app_vhost_ops) != 0) {
		LVDPA_APP_LOG(ERR, "%s: callback registration failed", path);
		goto fail;
	}
	if (rte_vhost_driver_attach_vdpa_device(path, dev) != 0) {
		LVDPA_APP_LOG(ERR, "%s: attaching the vDPA device failed", path);
		goto fail;
	}
	/*
	 * The socket offers (its features AND the device's): rte_vhost's net
	 * defaults lack MAC and STATUS, and of the protocol features
	 * CROSS_ENDIAN and CONFIG, which legacy guests need. Offer what the
	 * device offers.
	 */
	if (rte_vdpa_get_features(dev, &features) != 0 ||
	    rte_vhost_driver_set_features(path, features) != 0) {
		LVDPA_APP_LOG(ERR, "%s: cannot set the device's features", path);
		goto fail;
	}
	if (rte_vdpa_get_protocol_features(dev, &pf) != 0 ||
	    rte_vhost_driver_set_protocol_features(path, pf) != 0) {
		LVDPA_APP_LOG(ERR, "%s: cannot set the device's protocol features",
			      path);
		goto fail;
	}
	if (rte_vhost_driver_start(path) != 0) {
		LVDPA_APP_LOG(ERR, "%s: starting the socket failed", path);
		goto fail;
	}
	return 0;
fail:
	rte_vhost_driver_detach_vdpa_device(path);
	rte_vhost_driver_unregister(path);
	return rc;
}

/*
 * Whether @p path is a UNIX socket nobody listens on: what a server killed
 * outright (SIGKILL, a crash) leaves behind. Only such a file may be
 * replaced: a restarted backend must serve its old path again, and a
 * frontend (QEMU with reconnect=) retries that path. The probe is a
 * connect(): a live server sees a connection open and close at once.
 */
static bool
lvdpa_app_socket_stale(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	bool stale;
	int fd;

	if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    strlen(path) >= sizeof(sun.sun_path))
		return false;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	stale = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 &&
		errno == ECONNREFUSED;
	close(fd);
	return stale;
}

int
lvdpa_app_port_create(const char *path, const char *dev_name)
{
	struct rte_vdpa_device *dev;
	struct lvdpa_app_port *p = NULL;
	uint64_t flags = lvdpa_app_opts.client ? RTE_VHOST_USER_CLIENT : 0;
	unsigned int i;
	bool own;
	int rc;

	if (path[0] == '\0' || strlen(path) >= LVDPA_APP_PATH_LEN) {
		LVDPA_APP_LOG(ERR, "invalid socket path '%s' (1 to %zu characters)",
			      path, LVDPA_APP_PATH_LEN - 1);
		return -EINVAL;
	}
	dev = rte_vdpa_find_device_by_name(dev_name);
	if (dev == NULL) {
		LVDPA_APP_LOG(ERR, "no vDPA device named %s", dev_name);
		return -ENODEV;
	}
	/*
	 * A leftover file may be another program's socket: never delete it,
	 * unless it is a socket nobody listens on any more. Our own ports are
	 * not probed (the probe would be a connection to ourselves).
	 */
	pthread_mutex_lock(&lvdpa_app_lock);
	own = lvdpa_app_port_find(path) != NULL;
	pthread_mutex_unlock(&lvdpa_app_lock);
	if (!lvdpa_app_opts.client && !own && lvdpa_app_socket_stale(path)) {
		if (unlink(path) == 0)
			LVDPA_APP_LOG(NOTICE, "%s: removed a stale socket (nobody listened on it)",
				      path);
	}
	if (!lvdpa_app_opts.client && access(path, F_OK) == 0) {
		LVDPA_APP_LOG(ERR, "%s exists: remove it or choose another path", path);
		return -EEXIST;
	}
	pthread_mutex_lock(&lvdpa_app_lock);
	rc = 0;
	for (i = 0; i < LVDPA_APP_MAX_PORTS; i++) {
		struct lvdpa_app_port *q = &lvdpa_app_ports[i];

		if (!q->used) {
			if (p == NULL)
				p = q;
			continue;
		}
		if (strcmp(q->path, path) == 0)
			rc = -EEXIST;
		else if (q->dev == dev)
			rc = -EBUSY;
	}
	if (rc == 0 && p == NULL)
		rc = -ENOSPC;
	if (rc == 0) {
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->vid = -1;
		p->dev = dev;
		p->flags = flags;
		snprintf(p->path, sizeof(p->path), "%s", path);
		snprintf(p->dev_name, sizeof(p->dev_name), "%s", dev_name);
	}
	pthread_mutex_unlock(&lvdpa_app_lock);
	if (rc != 0) {
		LVDPA_APP_LOG(ERR, "cannot create %s for %s: %s", path, dev_name,
			      rc == -EEXIST ? "the port exists" :
			      rc == -EBUSY ? "the device has a port already" :
			      "too many ports");
		return rc;
	}
	rc = lvdpa_app_socket_start(path, flags, dev);
	pthread_mutex_lock(&lvdpa_app_lock);
	if (rc == 0)
		p->ready = true;
	else
		memset(p, 0, sizeof(*p));
	pthread_mutex_unlock(&lvdpa_app_lock);
	if (rc == 0)
		LVDPA_APP_LOG(NOTICE, "%s: serving %s (%s)", dev_name, path,
			      lvdpa_app_opts.client ? "client" : "server");
	return rc;
}

int
lvdpa_app_port_remove(const char *path)
{
	struct lvdpa_app_port *p;
	bool client = false;
	int rc = 0;

	pthread_mutex_lock(&lvdpa_app_lock);
	p = lvdpa_app_port_find(path);
	if (p == NULL || !p->ready)
		rc = -ENOENT;
	else
		p->ready = false; /* in removal: commands leave it alone */
	if (p != NULL)
		client = !!(p->flags & RTE_VHOST_USER_CLIENT);
	pthread_mutex_unlock(&lvdpa_app_lock);
	if (rc != 0) {
		LVDPA_APP_LOG(ERR, "no port on %s", path);
		return rc;
	}
	/* Stops a running guest: destroy_device runs from here. */
	if (rte_vhost_driver_detach_vdpa_device(path) != 0)
		LVDPA_APP_LOG(ERR, "%s: detaching the vDPA device failed", path);
	if (rte_vhost_driver_unregister(path) != 0) {
		LVDPA_APP_LOG(ERR, "%s: unregistering failed", path);
		rc = -EIO;
	}
	/*
	 * rte_vhost unlinks a server socket itself; make sure. A client's
	 * socket file belongs to the frontend that listens on it.
	 */
	if (!client && unlink(path) != 0 && errno != ENOENT) {
		LVDPA_APP_LOG(ERR, "%s: cannot remove the socket file: %s", path,
			      strerror(errno));
		rc = -errno;
	}
	pthread_mutex_lock(&lvdpa_app_lock);
	memset(p, 0, sizeof(*p));
	pthread_mutex_unlock(&lvdpa_app_lock);
	if (rc == 0)
		LVDPA_APP_LOG(NOTICE, "%s: removed", path);
	return rc;
}

static int
lvdpa_app_remove_all(void)
{
	char path[LVDPA_APP_PATH_LEN];
	unsigned int i;
	int rc = 0;

	for (i = 0; i < LVDPA_APP_MAX_PORTS; i++) {
		bool ready;

		pthread_mutex_lock(&lvdpa_app_lock);
		ready = lvdpa_app_ports[i].used && lvdpa_app_ports[i].ready;
		snprintf(path, sizeof(path), "%s", lvdpa_app_ports[i].path);
		pthread_mutex_unlock(&lvdpa_app_lock);
		if (ready && lvdpa_app_port_remove(path) != 0)
			rc = -EIO;
	}
	return rc;
}

/* Whether @p name is in the --devices list (always, without one). */
static bool
lvdpa_app_device_wanted(const char *name)
{
	const char *s = lvdpa_app_opts.devices;
	size_t n = strlen(name);

	if (s[0] == '\0')
		return true;
	while (*s != '\0') {
		size_t len = strcspn(s, ",");

		if (len == n && strncmp(s, name, n) == 0)
			return true;
		s += len;
		if (*s == ',')
			s++;
	}
	return false;
}

/* One socket <iface><n> per wanted class=vdpa device; ports made, or -errno. */
static int
lvdpa_app_create_ports(void)
{
	struct rte_dev_iterator it;
	struct rte_device *rdev;
	char path[LVDPA_APP_PATH_LEN];
	int n = 0, made = 0;

	RTE_DEV_FOREACH(rdev, "class=vdpa", &it) {
		const char *name = rte_dev_name(rdev);

		if (rte_vdpa_find_device_by_name(name) == NULL ||
		    !lvdpa_app_device_wanted(name))
			continue;
		if (snprintf(path, sizeof(path), "%s%u", lvdpa_app_opts.iface,
			     (unsigned int)n++ % 10000000u) >= (int)sizeof(path))
			continue;
		if (lvdpa_app_port_create(path, name) == 0)
			made++;
	}
	if (n == 0) {
		LVDPA_APP_LOG(ERR, "no vDPA device%s%s (load a driver with -d and add a device with --vdev)",
			      lvdpa_app_opts.devices[0] ? " among " : "",
			      lvdpa_app_opts.devices);
		return -ENODEV;
	}
	return made;
}

/*
 * The vDPA devices are removed before rte_eal_cleanup, which removes vdevs
 * in command-line order: a device's uplink (--vdev net_tap0 before lvdpa0)
 * would otherwise be closed while the device still uses it.
 */
static void
lvdpa_app_remove_devices(void)
{
	struct rte_device *devs[32];
	unsigned int n, i, removed;

	/*
	 * Whole iterations only (leaving RTE_DEV_FOREACH early leaks its
	 * strings), 32 devices a pass, until a pass removes none.
	 */
	do {
		struct rte_dev_iterator it;
		struct rte_device *rdev;

		n = 0;
		removed = 0;
		RTE_DEV_FOREACH(rdev, "class=vdpa", &it)
			if (n < RTE_DIM(devs))
				devs[n++] = rdev;
		for (i = 0; i < n; i++) {
			if (rte_dev_remove(devs[i]) == 0)
				removed++;
			else
				LVDPA_APP_LOG(WARNING, "cannot remove %s", rte_dev_name(devs[i]));
		}
	} while (n == RTE_DIM(devs) && removed > 0);
}

/* ------------------------------------------------------------------ */
/* Options. */

static void
lvdpa_app_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	       "Serves vhost-user sockets with vDPA devices until quit, SIGINT or SIGTERM.\n"
	       "  --iface PREFIX        socket path prefix: one socket PREFIX<n> per device\n"
	       "                        (n counts from 0 in device order)\n"
	       "  --client              connect to the sockets (the frontend listens)\n"
	       "  -i, --interactive     command line on stdin (type help)\n"
	       "  --devices LIST        only these devices (comma list of names)\n"
	       "  --stats-period SEC    status line every SEC seconds without -i (default\n"
	       "                        10, 0 never)\n"
	       "  -h, --help            this text\n"
	       "Telemetry: /lvdpa/list, /lvdpa/stats,<device>[,<queue>],\n"
	       "/lvdpa/state,<socket|device> (dpdk-telemetry.py -f <file-prefix>).\n",
	       prog);
}

enum {
	LVDPA_APP_OPT_IFACE = 256,
	LVDPA_APP_OPT_CLIENT,
	LVDPA_APP_OPT_DEVICES,
	LVDPA_APP_OPT_STATS_PERIOD,
};

static int
lvdpa_app_parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, LVDPA_APP_OPT_IFACE },
		{ "client", no_argument, NULL, LVDPA_APP_OPT_CLIENT },
		{ "interactive", no_argument, NULL, 'i' },
		{ "devices", required_argument, NULL, LVDPA_APP_OPT_DEVICES },
		{ "stats-period", required_argument, NULL, LVDPA_APP_OPT_STATS_PERIOD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = argv[0];
	unsigned long v;
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "ih", opts, NULL)) != -1) {
		switch (opt) {
		case LVDPA_APP_OPT_IFACE:
			if (strlen(optarg) >= sizeof(lvdpa_app_opts.iface)) {
				fprintf(stderr, "--iface: at most %zu characters\n",
					sizeof(lvdpa_app_opts.iface) - 1);
				return -EINVAL;
			}
			snprintf(lvdpa_app_opts.iface, sizeof(lvdpa_app_opts.iface),
				 "%s", optarg);
			break;
		case LVDPA_APP_OPT_CLIENT:
			lvdpa_app_opts.client = true;
			break;
		case 'i':
			lvdpa_app_opts.interactive = true;
			break;
		case LVDPA_APP_OPT_DEVICES:
			if (strlen(optarg) >= sizeof(lvdpa_app_opts.devices)) {
				fprintf(stderr, "--devices: list too long\n");
				return -EINVAL;
			}
			snprintf(lvdpa_app_opts.devices,
				 sizeof(lvdpa_app_opts.devices), "%s", optarg);
			break;
		case LVDPA_APP_OPT_STATS_PERIOD:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    optarg[0] == '-' || v > 86400) {
				fprintf(stderr, "--stats-period: invalid value '%s' (0-86400)\n",
					optarg);
				return -EINVAL;
			}
			lvdpa_app_opts.stats_period = v;
			break;
		case 'h':
			lvdpa_app_usage(prog);
			exit(EXIT_SUCCESS);
		default:
			lvdpa_app_usage(prog);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (lvdpa_app_opts.iface[0] == '\0' && !lvdpa_app_opts.interactive) {
		fprintf(stderr, "--iface is needed without --interactive\n");
		lvdpa_app_usage(prog);
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Main loop. */

static uint64_t
lvdpa_app_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait for a signal, a command line (interactive) or the next status line.
 * In plain mode stdin is never read, so a closed stdin costs nothing.
 * In interactive mode end of input quits, as "quit" does.
 */
static int
lvdpa_app_loop(int sfd, struct cmdline *cl)
{
	uint64_t period = (uint64_t)lvdpa_app_opts.stats_period * 1000;
	uint64_t next = lvdpa_app_now_ms() + period;
	struct pollfd pfd[2];
	int sig = 0;

	while (!lvdpa_app_quit) {
		unsigned int n = 0;
		int timeout = -1, rc;

		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (cl != NULL)
			pfd[n++] = (struct pollfd){ .fd = 0, .events = POLLIN };
		if (cl == NULL && period != 0) {
			uint64_t now = lvdpa_app_now_ms();

			timeout = next > now ? (int)(next - now) : 0;
		}
		rc = poll(pfd, n, timeout);
		if (rc < 0 && errno != EINTR) {
			LVDPA_APP_LOG(ERR, "poll: %s", strerror(errno));
			return -errno;
		}
		if (rc > 0 && (pfd[0].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				sig = (int)si.ssi_signo;
				printf("\nSignal %d (%s) received: stopping\n", sig,
				       strsignal(sig));
				fflush(stdout);
				break;
			}
		}
		if (rc > 0 && cl != NULL && pfd[1].revents != 0) {
			char buf[256];
			ssize_t len = read(0, buf, sizeof(buf));

			if (len <= 0) {
				printf("\nEnd of input: stopping\n");
				fflush(stdout);
				break;
			}
			/* < 0: Ctrl-D on an empty line in a terminal. */
			if (cmdline_in(cl, buf, (int)len) < 0) {
				printf("\nEnd of input: stopping\n");
				fflush(stdout);
				break;
			}
			fflush(stdout);
		}
		if (cl == NULL && period != 0 && lvdpa_app_now_ms() >= next) {
			lvdpa_app_show_status(stdout);
			fflush(stdout);
			next += period;
			if (next < lvdpa_app_now_ms())
				next = lvdpa_app_now_ms() + period;
		}
	}
	return sig;
}

int
main(int argc, char **argv)
{
	struct cmdline *cl = NULL;
	sigset_t sigs;
	int rc, sfd, status = EXIT_SUCCESS;

	/* Before rte_eal_init(): every thread it starts inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	/* A frontend or a reader of stdout that goes away is no reason to die. */
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "signalfd: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argc -= rc;
	argv += rc;
	if (lvdpa_app_parse_args(argc, argv) != 0) {
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	lvdpa_app_state_init();
	if (lvdpa_app_telemetry_register() != 0)
		LVDPA_APP_LOG(WARNING, "telemetry commands not registered");

	if (lvdpa_app_opts.iface[0] != '\0') {
		rc = lvdpa_app_create_ports();
		if (rc <= 0 && !lvdpa_app_opts.interactive) {
			LVDPA_APP_LOG(ERR, "no socket to serve");
			status = EXIT_FAILURE;
			goto out;
		}
	}
	if (lvdpa_app_opts.interactive) {
		cl = lvdpa_app_cmdline_new();
		if (cl == NULL) {
			LVDPA_APP_LOG(ERR, "cannot create the command line");
			status = EXIT_FAILURE;
			goto out;
		}
		/*
		 * The command line puts a terminal in raw mode without signals;
		 * give Ctrl-C back its SIGINT: a clean stop, as everywhere else.
		 */
		if (isatty(0)) {
			struct termios t;

			if (tcgetattr(0, &t) == 0) {
				t.c_lflag |= ISIG;
				tcsetattr(0, TCSANOW, &t);
			}
		}
	} else {
		printf("lvdpa-sample: serving; stop with SIGINT (Ctrl-C) or SIGTERM\n");
		fflush(stdout);
	}
	lvdpa_app_loop(sfd, cl);
	if (cl != NULL)
		cmdline_stdin_exit(cl);
out:
	if (lvdpa_app_remove_all() != 0)
		status = EXIT_FAILURE;
	lvdpa_app_remove_devices();
	rte_eal_cleanup();
	close(sfd);
	return status;
}
