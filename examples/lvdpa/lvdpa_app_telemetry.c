/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Telemetry commands, for dpdk-telemetry.py -f <file-prefix>:
 *   /lvdpa/list                       device -> socket
 *   /lvdpa/stats,<device>[,<queue>]   q<n>_<counter> -> value
 *   /lvdpa/state,<socket|device>      what the guest negotiated
 * 22.11's telemetry nests only arrays in a dict, hence the flat
 * "q<n>_<counter>" keys. They run on the telemetry thread.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>
#include <rte_vhost.h>

#include "lvdpa_app.h"

static int
lvdpa_app_tel_list(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_dev_iterator it;
	struct rte_device *rdev;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	RTE_DEV_FOREACH(rdev, "class=vdpa", &it) {
		const char *name = rte_dev_name(rdev);
		struct rte_vdpa_device *dev = rte_vdpa_find_device_by_name(name);
		char path[LVDPA_APP_PATH_LEN] = "";
		unsigned int i;

		if (dev == NULL)
			continue;
		pthread_mutex_lock(&lvdpa_app_lock);
		for (i = 0; i < LVDPA_APP_MAX_PORTS; i++)
			if (lvdpa_app_ports[i].used && lvdpa_app_ports[i].dev == dev)
				snprintf(path, sizeof(path), "%s",
					 lvdpa_app_ports[i].path);
		pthread_mutex_unlock(&lvdpa_app_lock);
		rte_tel_data_add_dict_string(d, name, path);
	}
	return 0;
}

/*
 * The port whose socket or device is @p key (the first port when @p key
 * is empty), copied; false when none. Devices without a port: @p dev set.
 */
static bool
lvdpa_app_tel_port(const char *key, struct lvdpa_app_port *copy)
{
	unsigned int i;
	bool found = false;

	pthread_mutex_lock(&lvdpa_app_lock);
	for (i = 0; i < LVDPA_APP_MAX_PORTS && !found; i++) {
		struct lvdpa_app_port *p = &lvdpa_app_ports[i];

		if (p->used && p->ready && (key[0] == '\0' ||
		    strcmp(p->path, key) == 0 || strcmp(p->dev_name, key) == 0)) {
			*copy = *p;
			found = true;
		}
	}
	pthread_mutex_unlock(&lvdpa_app_lock);
	return found;
}

static int
lvdpa_app_tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_vdpa_stat_name names[LVDPA_APP_MAX_STATS];
	uint64_t values[LVDPA_APP_MAX_STATS];
	char dev_name[RTE_DEV_NAME_MAX_LEN], key[RTE_TEL_MAX_STRING_LEN];
	struct rte_vdpa_device *dev;
	struct lvdpa_app_port port;
	unsigned int q, first = 0, last, entries = 0;
	const char *comma;
	uint32_t qn = 0;
	int n, i;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	comma = strchr(params, ',');
	snprintf(dev_name, sizeof(dev_name), "%.*s",
		 (int)(comma != NULL ? (size_t)(comma - params) : strlen(params)),
		 params);
	dev = rte_vdpa_find_device_by_name(dev_name);
	if (dev == NULL || rte_vdpa_get_queue_num(dev, &qn) != 0)
		return -ENODEV;
	memset(&port, 0, sizeof(port));
	port.vid = -1;
	if (!lvdpa_app_tel_port(dev_name, &port))
		port.nr_vrings = 0;
	last = port.nr_vrings != 0 ? port.nr_vrings : qn * 2;
	if (comma != NULL) {
		char *end;
		unsigned long v = strtoul(comma + 1, &end, 10);

		if (end == comma + 1 || *end != '\0' || v >= qn * 2)
			return -EINVAL;
		first = (unsigned int)v;
		last = first + 1;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "device", dev_name);
	rte_tel_data_add_dict_string(d, "socket", port.path);
	rte_tel_data_add_dict_int(d, "vid", port.vid);
	rte_tel_data_add_dict_u64(d, "queues", last - first);
	entries = 4;
	for (q = first; q < last; q++) {
		n = lvdpa_app_stats_get(dev, (int)q, names, values,
					LVDPA_APP_MAX_STATS);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			/* Keep within the dict's size; say so if cut. */
			if (entries + 1 >= RTE_TEL_MAX_DICT_ENTRIES) {
				rte_tel_data_add_dict_int(d, "truncated", 1);
				return 0;
			}
			lvdpa_app_stat_key(key, sizeof(key), q, names[i].name);
			rte_tel_data_add_dict_u64(d, key, values[i]);
			entries++;
		}
	}
	return 0;
}

static const char *
lvdpa_app_tel_endian(uint8_t e)
{
	return e == LVDPA_VHOST_ENDIAN_BIG ? "big" : "little";
}

static int
lvdpa_app_tel_state(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct lvdpa_app_port port;
	struct lvdpa_app_state st;
	struct rte_tel_data *names, *vr;
	unsigned int b;

	RTE_SET_USED(cmd);
	if (!lvdpa_app_tel_port(params != NULL ? params : "", &port))
		return -ENOENT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "socket", port.path);
	rte_tel_data_add_dict_string(d, "device", port.dev_name);
	rte_tel_data_add_dict_u64(d, "guests_served", port.guests);
	if (port.vid >= 0 && lvdpa_app_state_get(port.vid, &st) == 0) {
		rte_tel_data_add_dict_int(d, "guest", 1);
		rte_tel_data_add_dict_int(d, "vid", port.vid);
	} else if (port.last_valid) {
		/* Stopped: what the last guest had negotiated. */
		rte_tel_data_add_dict_int(d, "guest", 0);
		rte_tel_data_add_dict_int(d, "last_vid", port.last_vid);
		st = port.last;
	} else {
		rte_tel_data_add_dict_int(d, "guest", 0);
		return 0;
	}
	rte_tel_data_add_dict_string(d, "mode", st.legacy ? "legacy" : "modern");
	rte_tel_data_add_dict_u64(d, "features", st.features);
	names = rte_tel_data_alloc();
	if (names != NULL) {
		rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
		for (b = 0; b < 64; b++) {
			char one[64];

			if (!(st.features & (1ULL << b)))
				continue;
			lvdpa_app_features_str(1ULL << b, one, sizeof(one));
			rte_tel_data_add_array_string(names, one);
		}
		if (rte_tel_data_add_dict_container(d, "feature_names", names, 0) != 0)
			rte_tel_data_free(names);
	}
	rte_tel_data_add_dict_u64(d, "protocol_features", st.protocol_features);
	rte_tel_data_add_dict_u64(d, "hdr_len", st.hdr_len);
	rte_tel_data_add_dict_u64(d, "vrings", st.nr_vrings);
	rte_tel_data_add_dict_string(d, "source", st.from_driver ? "driver" : "rte_vhost");
	if (!st.from_driver) {
		if (!st.legacy)
			rte_tel_data_add_dict_string(d, "device_endian", "little");
		return 0;
	}
	rte_tel_data_add_dict_string(d, "device_endian",
				     lvdpa_app_tel_endian(st.vhost.device_endian));
	rte_tel_data_add_dict_int(d, "endian_mixed", st.vhost.endian_mixed);
	rte_tel_data_add_dict_int(d, "cross_endian", st.vhost.cross_endian);
	rte_tel_data_add_dict_string(d, "datapath", st.relay ? "relay" : "direct");
	vr = rte_tel_data_alloc();
	if (vr != NULL) {
		rte_tel_data_start_array(vr, RTE_TEL_STRING_VAL);
		for (b = 0; b < st.vhost.nr_vrings && b < st.nr_vrings &&
		     b < LVDPA_VHOST_MAX_VRINGS; b++)
			rte_tel_data_add_array_string(vr,
				lvdpa_app_tel_endian(st.vhost.vring_endian[b]));
		if (rte_tel_data_add_dict_container(d, "vring_endian", vr, 0) != 0)
			rte_tel_data_free(vr);
	}
	return 0;
}

int
lvdpa_app_telemetry_register(void)
{
	int rc;

	rc = rte_telemetry_register_cmd("/lvdpa/list", lvdpa_app_tel_list,
		"vDPA devices and their sockets. No parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/lvdpa/stats", lvdpa_app_tel_stats,
			"Per-queue statistics of a vDPA device. Parameters: device[,queue]");
	if (rc == 0)
		rc = rte_telemetry_register_cmd("/lvdpa/state", lvdpa_app_tel_state,
			"What the guest of a port negotiated. Parameters: socket path or device (default: first port)");
	return rc;
}
