/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

/*
 * Representor ethdevs and transfer rules on the model's e-switch, without
 * OVS: two model functions (as two lvdpa vDPA devices would open them),
 * their representors hot-plugged by devargs, frames injected where a
 * guest's TX queue would put them, and what each side receives checked.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_mbuf.h>

#include "lvdpa_test.h"
#include "lvdpa_test_eal.h"
#include "lvdpa_model_priv.h"

static struct lvdpa_tp_dev *fa, *fb;  /* two functions */
static uint32_t va, vb;                /* their vports */
static uint16_t pa, pb;                /* their representors */
static struct rte_mempool *mp;

static const uint8_t mac_a[6] = { 0x02, 0xaa, 0, 0, 0, 1 };
static const uint8_t mac_b[6] = { 0x02, 0xaa, 0, 0, 0, 2 };

/* An IPv4/UDP frame from A to B, @p dport, payload filled with @p seed. */
static uint32_t
build_udp(uint8_t *f, uint16_t dport, uint8_t seed)
{
	uint32_t len = 14 + 20 + 8 + 64, i;

	memset(f, 0, len);
	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = 0;
	f[17] = 20 + 8 + 64;
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(f + 30, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	f[34] = 0x30;
	f[35] = 0x39;
	f[36] = dport >> 8;
	f[37] = dport & 0xff;
	f[39] = 8 + 64;
	for (i = 42; i < len; i++)
		f[i] = (uint8_t)(seed + i);
	return len;
}

static struct lvdpa_model_dev *
mdev(struct lvdpa_tp_dev *tp)
{
	return (struct lvdpa_model_dev *)tp;
}

/* What function @p tp received on pair 0: its length (0: nothing), copied. */
static uint32_t
take(struct lvdpa_tp_dev *tp, uint8_t *buf)
{
	struct lvdpa_model_pkt *p = lvdpa_model_net_peek(mdev(tp), 0);
	uint32_t len;

	if (p == NULL)
		return 0;
	len = p->len;
	memcpy(buf, p->data, len);
	lvdpa_model_net_consume(mdev(tp), 0);
	return len;
}

static int
port_setup(uint16_t port)
{
	struct rte_eth_conf conf = { 0 };

	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 256, 0, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 256, 0, NULL) != 0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

static int
test_setup(void)
{
	char name[64];
	int rc;

	/* net_ring0 will be the wire: what it sends comes back on its RX. */
	LVDPA_TEST_ASSERT(lvdpa_test_eal_init("ovs-repr", 256, "net_ring0") == 0, "EAL");
	mp = rte_pktmbuf_pool_create("ovs_repr_mp", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	LVDPA_TEST_ASSERT(mp != NULL, "pool");
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", "mac=02:aa:00:00:00:01", &fa), 0,
			     "function A");
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", "mac=02:aa:00:00:00:02", &fb), 0,
			     "function B");
	lvdpa_model_net_set_accept(mdev(fa), 0, true);
	lvdpa_model_net_set_accept(mdev(fb), 0, true);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_vport_by_mac(mac_a, &va), 0, "vport A");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_vport_by_mac(mac_b, &vb), 0, "vport B");

	/* Selectors: exactly one, and it must name something. */
	LVDPA_TEST_ASSERT(rte_dev_probe("net_lvdpa_repr_bad0") != 0, "no selector");
	LVDPA_TEST_ASSERT(rte_dev_probe("net_lvdpa_repr_bad1,fn=0,uplink=1") != 0, "two");
	LVDPA_TEST_ASSERT(rte_dev_probe("net_lvdpa_repr_bad2,fn_mac=02:ee:00:00:00:09") != 0,
			  "unknown MAC");
	LVDPA_TEST_ASSERT(rte_dev_probe("net_lvdpa_repr_bad3,fn=x") != 0, "bad fn");

	LVDPA_TEST_ASSERT_EQ(rte_dev_probe("net_lvdpa_repr_a,fn_mac=02:aa:00:00:00:01"), 0,
			     "representor A");
	snprintf(name, sizeof(name), "net_lvdpa_repr_b,fn=%u", vb);
	LVDPA_TEST_ASSERT_EQ(rte_dev_probe(name), 0, "representor B");
	rc = rte_dev_probe("net_lvdpa_repr_a2,fn_mac=02:aa:00:00:00:01");
	LVDPA_TEST_ASSERT(rc != 0, "a second representor of one vport");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name("net_lvdpa_repr_a", &pa), 0, "A");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name("net_lvdpa_repr_b", &pb), 0, "B");
	LVDPA_TEST_ASSERT(port_setup(pa) == 0 && port_setup(pb) == 0, "ports start");
	{
		/* OVS finds a hot-plugged port with the devargs it probed. */
		struct rte_dev_iterator it;
		uint16_t port, found = RTE_MAX_ETHPORTS;

		RTE_ETH_FOREACH_MATCHING_DEV(port, "net_lvdpa_repr_a,fn_mac=02:aa:00:00:00:01", &it)
			found = port;
		LVDPA_TEST_ASSERT_EQ(found, pa, "devargs iterator finds A");
	}
	return 0;
}

static int
test_port_info(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	struct rte_ether_addr mac;
	uint16_t mtu;

	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_info_get(pa, &info), 0, "info");
	/* Not flagged: ethdev's devargs iterator (OVS) would not find it. */
	LVDPA_TEST_ASSERT(!(*info.dev_flags & RTE_ETH_DEV_REPRESENTOR), "not flagged");
	LVDPA_TEST_ASSERT_EQ(info.switch_info.port_id, va, "switch port = vport");
	LVDPA_TEST_ASSERT(strcmp(info.switch_info.name, "lvdpa_esw") == 0, "switch");
	LVDPA_TEST_ASSERT_EQ(rte_eth_link_get_nowait(pa, &link), 0, "link");
	LVDPA_TEST_ASSERT_EQ(link.link_status, RTE_ETH_LINK_UP, "up while the function is");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_set_mtu(pa, 9000), 0, "MTU");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_get_mtu(pa, &mtu), 0, "MTU get");
	LVDPA_TEST_ASSERT_EQ(mtu, 9000, "MTU kept");
	LVDPA_TEST_ASSERT_EQ(rte_eth_macaddr_get(pa, &mac), 0, "MAC");
	LVDPA_TEST_ASSERT_EQ(mac.addr_bytes[5], va & 0xff, "default MAC by vport");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_set_link_down(pa), 0, "admin down");
	rte_eth_link_get_nowait(pa, &link);
	LVDPA_TEST_ASSERT_EQ(link.link_status, RTE_ETH_LINK_DOWN, "down");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_set_link_up(pa), 0, "admin up");
	return 0;
}

/* Slow path: a miss goes to the representor; what it sends reaches the guest. */
static int
test_slow_path(void)
{
	uint8_t f[256], got[LVDPA_MODEL_MAX_PKT];
	struct rte_mbuf *m[4];
	struct rte_eth_stats st;
	uint32_t len = build_udp(f, 4789, 1);
	uint16_t n;
	char *p;

	rte_eth_stats_reset(pa);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "guest A sends");
	/* B owns the destination MAC, yet switchdev sends the miss to A's representor. */
	LVDPA_TEST_ASSERT_EQ(take(fb, got), 0, "no MAC routing past the representor");
	n = rte_eth_rx_burst(pa, 0, m, 4);
	LVDPA_TEST_ASSERT_EQ(n, 1, "miss on representor A");
	LVDPA_TEST_ASSERT_EQ(m[0]->pkt_len, len, "length");
	LVDPA_TEST_ASSERT(memcmp(rte_pktmbuf_mtod(m[0], void *), f, len) == 0, "payload");
	/* As OVS's output action: the frame goes out on representor B. */
	n = rte_eth_tx_burst(pb, 0, m, 1);
	LVDPA_TEST_ASSERT_EQ(n, 1, "sent on representor B");
	LVDPA_TEST_ASSERT_EQ(take(fb, got), len, "guest B receives it");
	LVDPA_TEST_ASSERT(memcmp(got, f, len) == 0, "payload at B");
	rte_eth_stats_get(pa, &st);
	LVDPA_TEST_ASSERT_EQ(st.ipackets, 1, "A counted RX");
	LVDPA_TEST_ASSERT_EQ(st.ibytes, len, "A counted RX bytes");
	rte_eth_stats_get(pb, &st);
	LVDPA_TEST_ASSERT(st.opackets >= 1, "B counted TX");

	/* A multi-segment mbuf goes out whole. */
	m[0] = rte_pktmbuf_alloc(mp);
	m[1] = rte_pktmbuf_alloc(mp);
	LVDPA_TEST_ASSERT(m[0] != NULL && m[1] != NULL, "mbufs");
	p = rte_pktmbuf_append(m[0], 40);
	memcpy(p, f, 40);
	p = rte_pktmbuf_append(m[1], len - 40);
	memcpy(p, f + 40, len - 40);
	LVDPA_TEST_ASSERT_EQ(rte_pktmbuf_chain(m[0], m[1]), 0, "chain");
	LVDPA_TEST_ASSERT_EQ(rte_eth_tx_burst(pa, 0, m, 1), 1, "chained TX");
	LVDPA_TEST_ASSERT_EQ(take(fa, got), len, "guest A receives it");
	LVDPA_TEST_ASSERT(memcmp(got, f, len) == 0, "chained payload");
	return 0;
}

/* Driver xstat @p name of @p port, or UINT64_MAX when it has none. */
static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

static int
test_xstats(void)
{
	struct rte_eth_xstat_name names[64];
	int n, i, found = 0;

	n = rte_eth_xstats_get_names(pa, names, RTE_DIM(names));
	LVDPA_TEST_ASSERT(n > 3 && n <= (int)RTE_DIM(names), "xstats names: %d", n);
	for (i = 0; i < n; i++)
		found += strcmp(names[i].name, "esw_miss_dropped") == 0 ||
			 strcmp(names[i].name, "esw_rules") == 0 ||
			 strcmp(names[i].name, "esw_rule_packets") == 0 ||
			 strcmp(names[i].name, "esw_rule_bytes") == 0 ||
			 strcmp(names[i].name, "esw_rules_total") == 0 ||
			 strcmp(names[i].name, "rx_good_packets") == 0;
	LVDPA_TEST_ASSERT_EQ(found, 6, "driver and generic xstats");
	LVDPA_TEST_ASSERT_EQ(rte_eth_xstats_reset(pa), 0, "xstats reset");
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rules"), 0, "no rule yet");
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rule_packets"), 0, "no rule hit yet");
	return 0;
}

/* The rule OVS installs for an established flow: A's UDP to B, counted. */
static int
test_offload(void)
{
	struct rte_flow_attr attr = { .transfer = 1 };
	struct rte_flow_item_ethdev in = { .port_id = pa };
	struct rte_flow_item_eth eth = { .type = RTE_BE16(0x0800) };
	struct rte_flow_item_eth eth_m = { .type = RTE_BE16(0xffff) };
	struct rte_flow_item_ipv4 ip = { .hdr.next_proto_id = 17,
		.hdr.dst_addr = RTE_BE32(0x0a000002) };
	struct rte_flow_item_ipv4 ip_m = { .hdr.next_proto_id = 0xff,
		.hdr.dst_addr = RTE_BE32(0xffffffff),
		.hdr.fragment_offset = RTE_BE16(0x3fff) };
	struct rte_flow_item_udp udp = { .hdr.dst_port = RTE_BE16(4789) };
	struct rte_flow_item_udp udp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_item pattern[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_REPRESENTED_PORT, .spec = &in },
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth, .mask = &eth_m },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip, .mask = &ip_m },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp, .mask = &udp_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_ethdev out = { .port_id = pb };
	struct rte_flow_action actions[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, .conf = &out },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action qa = { .type = RTE_FLOW_ACTION_TYPE_COUNT };
	struct rte_flow_query_count qc = { 0 };
	struct rte_flow_error err;
	uint8_t f[256], got[LVDPA_MODEL_MAX_PKT];
	struct rte_eth_stats st;
	struct rte_mbuf *m[4];
	struct rte_flow *flow;
	uint32_t len, i;

	LVDPA_TEST_ASSERT_EQ(rte_flow_validate(pa, &attr, pattern, actions, &err), 0,
			     "validate: %s", err.message ? err.message : "");
	flow = rte_flow_create(pa, &attr, pattern, actions, &err);
	LVDPA_TEST_ASSERT(flow != NULL, "create: %s", err.message ? err.message : "");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 1, "one e-switch rule");
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rules"), 1, "xstat: the port's rule");
	LVDPA_TEST_ASSERT_EQ(xstat(pb, "esw_rules"), 0, "xstat: none on B");
	LVDPA_TEST_ASSERT_EQ(xstat(pb, "esw_rules_total"), 1, "xstat: one in the e-switch");
	rte_eth_stats_reset(pa);
	rte_eth_xstats_reset(pa);
	for (i = 0; i < 10; i++) {
		len = build_udp(f, 4789, (uint8_t)i);
		LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
		LVDPA_TEST_ASSERT_EQ(take(fb, got), len, "B receives frame %u directly", i);
		LVDPA_TEST_ASSERT(memcmp(got, f, len) == 0, "payload %u", i);
	}
	LVDPA_TEST_ASSERT_EQ(rte_eth_rx_burst(pa, 0, m, 4), 0, "representor sees nothing");
	rte_eth_stats_get(pa, &st);
	LVDPA_TEST_ASSERT_EQ(st.ipackets, 0, "representor counters stand still");
	LVDPA_TEST_ASSERT_EQ(rte_flow_query(pa, flow, &qa, &qc, &err), 0, "query");
	LVDPA_TEST_ASSERT(qc.hits_set && qc.bytes_set, "set");
	LVDPA_TEST_ASSERT_EQ(qc.hits, 10, "rule counted packets");
	LVDPA_TEST_ASSERT_EQ(qc.bytes, 10 * len, "rule counted bytes");
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rule_packets"), 10, "xstat: rule packets");
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rule_bytes"), 10 * len, "xstat: rule bytes");

	/* Another port: a miss, to the representor. */
	len = build_udp(f, 53, 0);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	LVDPA_TEST_ASSERT_EQ(rte_eth_rx_burst(pa, 0, m, 4), 1, "miss to representor");
	rte_pktmbuf_free(m[0]);
	/* A fragment does not match a rule for non-fragments. */
	len = build_udp(f, 4789, 0);
	f[20] = 0x20;
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	LVDPA_TEST_ASSERT_EQ(rte_eth_rx_burst(pa, 0, m, 4), 1, "fragment misses");
	rte_pktmbuf_free(m[0]);

	qc.reset = 1;
	LVDPA_TEST_ASSERT_EQ(rte_flow_query(pa, flow, &qa, &qc, &err), 0, "query reset");
	qc.reset = 0;
	LVDPA_TEST_ASSERT_EQ(rte_flow_query(pa, flow, &qa, &qc, &err), 0, "query");
	LVDPA_TEST_ASSERT_EQ(qc.hits, 0, "reset");
	/* A query's reset (OVS resets at every poll) leaves the xstat alone. */
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rule_packets"), 10, "xstat after a query reset");
	len = build_udp(f, 4789, 0);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	LVDPA_TEST_ASSERT_EQ(take(fb, got), len, "B receives it");
	LVDPA_TEST_ASSERT_EQ(rte_flow_query(pa, flow, &qa, &qc, &err), 0, "query");
	LVDPA_TEST_ASSERT_EQ(qc.hits, 1, "one since the reset");

	LVDPA_TEST_ASSERT_EQ(rte_flow_destroy(pa, flow, &err), 0, "destroy");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 0, "no rule left");
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rules"), 0, "xstat: no rule");
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rules_total"), 0, "xstat: none in the e-switch");
	LVDPA_TEST_ASSERT_EQ(xstat(pa, "esw_rule_packets"), 11, "xstat: a gone rule's count stays");
	len = build_udp(f, 4789, 0);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	LVDPA_TEST_ASSERT_EQ(rte_eth_rx_burst(pa, 0, m, 4), 1, "slow path again");
	rte_pktmbuf_free(m[0]);
	return 0;
}

static int
test_drop_and_priority(void)
{
	struct rte_flow_attr lo = { .transfer = 1, .priority = 5 };
	struct rte_flow_attr hi = { .transfer = 1, .priority = 1 };
	struct rte_flow_item_eth eth = { 0 };
	struct rte_flow_item_eth eth_m = { 0 };
	struct rte_flow_item pattern[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth, .mask = &eth_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_port_id out = { .id = pb };
	struct rte_flow_action fwd[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_PORT_ID, .conf = &out },
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action drop[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_DROP },
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action qa = { .type = RTE_FLOW_ACTION_TYPE_COUNT };
	struct rte_flow_query_count qc = { 0 };
	struct rte_flow_error err;
	struct rte_flow *f1, *f2;
	uint8_t f[256], got[LVDPA_MODEL_MAX_PKT];
	struct rte_mbuf *m[2];
	uint32_t len;

	memcpy(eth.dst.addr_bytes, mac_b, 6);
	memset(eth_m.dst.addr_bytes, 0xff, 6);
	f1 = rte_flow_create(pa, &lo, pattern, fwd, &err);
	LVDPA_TEST_ASSERT(f1 != NULL, "fwd rule: %s", err.message ? err.message : "");
	f2 = rte_flow_create(pa, &hi, pattern, drop, &err);
	LVDPA_TEST_ASSERT(f2 != NULL, "drop rule: %s", err.message ? err.message : "");
	len = build_udp(f, 1, 0);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	LVDPA_TEST_ASSERT_EQ(take(fb, got), 0, "dropped, not forwarded");
	LVDPA_TEST_ASSERT_EQ(rte_eth_rx_burst(pa, 0, m, 2), 0, "and not a miss");
	LVDPA_TEST_ASSERT_EQ(rte_flow_query(pa, f2, &qa, &qc, &err), 0, "query");
	LVDPA_TEST_ASSERT_EQ(qc.hits, 1, "the better priority hit");
	LVDPA_TEST_ASSERT_EQ(rte_flow_query(pa, f1, &qa, &qc, &err), 0, "query");
	LVDPA_TEST_ASSERT_EQ(qc.hits, 0, "the other did not");
	/* Flush leaves nothing behind. */
	LVDPA_TEST_ASSERT_EQ(rte_flow_flush(pa, &err), 0, "flush");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 0, "no rule left");
	return 0;
}

static int
expect_refused(const struct rte_flow_attr *attr, const struct rte_flow_item *pattern,
	       const struct rte_flow_action *actions, const char *what)
{
	struct rte_flow_error err = { 0 };

	LVDPA_TEST_ASSERT(rte_flow_validate(pa, attr, pattern, actions, &err) != 0,
			  "%s accepted", what);
	LVDPA_TEST_ASSERT(err.message != NULL && err.message[0] != '\0', "%s: no message",
			  what);
	LVDPA_TEST_ASSERT(rte_flow_create(pa, attr, pattern, actions, &err) == NULL,
			  "%s created", what);
	printf("# %s: %s\n", what, err.message);
	return 0;
}

static int
test_refusals(void)
{
	struct rte_flow_attr tr = { .transfer = 1 }, ingress = { .ingress = 1 }, none0 = { 0 };
	struct rte_flow_attr grp = { .transfer = 1, .group = 3 };
	struct rte_flow_item eth_only[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_item gre[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4 },
		{ .type = RTE_FLOW_ITEM_TYPE_GRE },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_item_ipv4 ip = { 0 }, ip_m = { .hdr.packet_id = RTE_BE16(0xffff) };
	struct rte_flow_item ipid[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip, .mask = &ip_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_item udp_alone[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_UDP },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action drop[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_DROP },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action_mark mark = { .id = 7 };
	struct rte_flow_action partial[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_MARK, .conf = &mark },
		{ .type = RTE_FLOW_ACTION_TYPE_DROP },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action none[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action_port_id bad = { .id = RTE_MAX_ETHPORTS - 1 };
	struct rte_flow_action badport[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_PORT_ID, .conf = &bad },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};

	if (expect_refused(&none0, eth_only, drop, "neither transfer nor ingress") != 0 ||
	    expect_refused(&ingress, eth_only, badport, "ingress to a port") != 0 ||
	    expect_refused(&grp, eth_only, drop, "group 3") != 0 ||
	    expect_refused(&tr, gre, drop, "gre item") != 0 ||
	    expect_refused(&tr, ipid, drop, "ipv4 packet_id") != 0 ||
	    expect_refused(&tr, udp_alone, drop, "udp without ip") != 0 ||
	    expect_refused(&tr, eth_only, partial, "mark") != 0 ||
	    expect_refused(&tr, eth_only, none, "no fate") != 0 ||
	    expect_refused(&tr, eth_only, badport, "port_id to a non-representor") != 0)
		return -1;
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 0, "nothing installed");
	return 0;
}

/* Closing a port removes its rules; a gone function takes its link down. */
static int
test_teardown(void)
{
	struct rte_flow_attr attr = { .transfer = 1 };
	struct rte_flow_item pattern[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action drop[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_DROP },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_eth_dev_info info;
	struct rte_flow_error err;
	struct rte_eth_link link;

	LVDPA_TEST_ASSERT(rte_flow_create(pa, &attr, pattern, drop, &err) != NULL, "rule");
	LVDPA_TEST_ASSERT(rte_flow_create(pb, &attr, pattern, drop, &err) != NULL, "rule");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 2, "two rules");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_stop(pa), 0, "stop");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_info_get(pa, &info), 0, "info");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_close(pa), 0, "close");
	LVDPA_TEST_ASSERT_EQ(rte_dev_remove(info.device), 0, "detach");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 1, "A's rule went with its port");
	/* The vport is free for a new representor (hot-plug again). */
	LVDPA_TEST_ASSERT_EQ(rte_dev_probe("net_lvdpa_repr_a,fn_mac=02:aa:00:00:00:01"), 0,
			     "re-attach");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name("net_lvdpa_repr_a", &pa), 0, "A");
	lvdpa_transport_close(fb);
	fb = NULL;
	rte_eth_link_get_nowait(pb, &link);
	LVDPA_TEST_ASSERT_EQ(link.link_status, RTE_ETH_LINK_DOWN, "B's function is gone");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_stop(pb), 0, "stop");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_close(pb), 0, "close");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 0, "no rule left");
	rte_eth_dev_close(pa);
	lvdpa_transport_close(fa);
	fa = NULL;
	rte_mempool_free(mp);
	return 0;
}

/* Wait up to 2 s for one frame on @p port. */
static struct rte_mbuf *
rx_wait(uint16_t port)
{
	struct rte_mbuf *m;
	int i;

	for (i = 0; i < 2000; i++) {
		if (rte_eth_rx_burst(port, 0, &m, 1) == 1)
			return m;
		rte_delay_us_sleep(1000);
	}
	return NULL;
}

/*
 * The uplink's representor: a rule sends A's frames to the wire; what the
 * wire brings back (net_ring0 loops it) misses and reaches the uplink
 * representor; a rule on the uplink sends the wire's frames to guest B; the
 * uplink representor's TX goes to the wire.
 */
static int
test_uplink(void)
{
	struct lvdpa_tp_dev *fc;
	struct rte_eth_conf conf = { 0 };
	struct rte_flow_attr attr = { .transfer = 1 };
	struct rte_flow_item_udp udp = { .hdr.dst_port = RTE_BE16(7) };
	struct rte_flow_item_udp udp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_item pattern[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4 },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp, .mask = &udp_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_ethdev to_up, to_b = { .port_id = pb };
	struct rte_flow_action a_up[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, .conf = &to_up },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action a_b[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_REPRESENTED_PORT, .conf = &to_b },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	uint8_t f[256], got[LVDPA_MODEL_MAX_PKT];
	struct rte_flow_error err;
	struct rte_flow *r1, *r2;
	struct rte_mbuf *m;
	uint16_t ring, pu;
	uint32_t len;
	int i;

	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name("net_ring0", &ring), 0, "ring");
	LVDPA_TEST_ASSERT(rte_eth_dev_configure(ring, 1, 1, &conf) == 0 &&
			  rte_eth_rx_queue_setup(ring, 0, 256, 0, NULL, mp) == 0 &&
			  rte_eth_tx_queue_setup(ring, 0, 256, 0, NULL) == 0 &&
			  rte_eth_dev_start(ring) == 0, "wire up");
	/* Function C owns the wire (as an lvdpa device with uplink= would). */
	LVDPA_TEST_ASSERT_EQ(lvdpa_transport_open("model", "mac=02:aa:00:00:00:03,uplink=net_ring0",
						  &fc), 0, "function C");
	LVDPA_TEST_ASSERT_EQ(rte_dev_probe("net_lvdpa_repr_up,uplink=1"), 0, "uplink repr");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name("net_lvdpa_repr_up", &pu), 0, "pu");
	LVDPA_TEST_ASSERT(port_setup(pu) == 0, "pu starts");
	to_up.port_id = pu;

	r1 = rte_flow_create(pa, &attr, pattern, a_up, &err);
	LVDPA_TEST_ASSERT(r1 != NULL, "A -> wire: %s", err.message ? err.message : "");
	len = build_udp(f, 7, 9);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	m = rx_wait(pu);
	LVDPA_TEST_ASSERT(m != NULL, "the wire's frame misses to the uplink representor");
	LVDPA_TEST_ASSERT(m->pkt_len == len &&
			  memcmp(rte_pktmbuf_mtod(m, void *), f, len) == 0, "payload");
	/* The uplink representor sends to the wire: it comes back the same way. */
	LVDPA_TEST_ASSERT_EQ(rte_eth_tx_burst(pu, 0, &m, 1), 1, "pu TX");
	m = rx_wait(pu);
	LVDPA_TEST_ASSERT(m != NULL, "back from the wire");
	rte_pktmbuf_free(m);

	r2 = rte_flow_create(pu, &attr, pattern, a_b, &err);
	LVDPA_TEST_ASSERT(r2 != NULL, "wire -> B: %s", err.message ? err.message : "");
	len = build_udp(f, 7, 11);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	for (i = 0; i < 2000 && (len = take(fb, got)) == 0; i++)
		rte_delay_us_sleep(1000);
	LVDPA_TEST_ASSERT(len != 0, "A -> wire -> B");
	LVDPA_TEST_ASSERT(memcmp(got, f, len) == 0, "payload at B");

	LVDPA_TEST_ASSERT_EQ(rte_flow_destroy(pa, r1, &err), 0, "destroy");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_stop(pu), 0, "stop");
	LVDPA_TEST_ASSERT_EQ(rte_eth_dev_close(pu), 0, "close takes r2 along");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 0, "no rule left");
	lvdpa_transport_close(fc);
	rte_eth_dev_stop(ring);
	return 0;
}

/* Partial offload: an ingress rule marks the representor's received frames. */
static int
test_partial_offload(void)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_eth eth = { .type = RTE_BE16(0x0800) };
	struct rte_flow_item_eth eth_m = { .type = RTE_BE16(0xffff) };
	struct rte_flow_item_udp udp = { .hdr.dst_port = RTE_BE16(4789) };
	struct rte_flow_item_udp udp_m = { .hdr.dst_port = RTE_BE16(0xffff) };
	struct rte_flow_item pattern[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH, .spec = &eth, .mask = &eth_m },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4 },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &udp, .mask = &udp_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_mark mark = { .id = 77 };
	struct rte_flow_action_rss rss = { .queue_num = 0 };
	struct rte_flow_action actions[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_MARK, .conf = &mark },
		{ .type = RTE_FLOW_ACTION_TYPE_RSS, .conf = &rss },
		{ .type = RTE_FLOW_ACTION_TYPE_COUNT },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_action qa = { .type = RTE_FLOW_ACTION_TYPE_COUNT };
	struct rte_flow_query_count qc = { 0 };
	struct rte_flow_error err;
	struct rte_flow *flow;
	struct rte_mbuf *m[4];
	uint8_t f[256];
	uint32_t len;

	flow = rte_flow_create(pa, &attr, pattern, actions, &err);
	LVDPA_TEST_ASSERT(flow != NULL, "mark+rss: %s", err.message ? err.message : "");
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_flow_count(), 0, "not an e-switch rule");
	len = build_udp(f, 4789, 3);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	LVDPA_TEST_ASSERT_EQ(rte_eth_rx_burst(pa, 0, m, 4), 1, "still a miss");
	LVDPA_TEST_ASSERT(m[0]->ol_flags & RTE_MBUF_F_RX_FDIR_ID, "marked");
	LVDPA_TEST_ASSERT_EQ(m[0]->hash.fdir.hi, 77, "mark id");
	LVDPA_TEST_ASSERT(memcmp(rte_pktmbuf_mtod(m[0], void *), f, len) == 0, "payload");
	rte_pktmbuf_free(m[0]);
	len = build_udp(f, 53, 3);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	LVDPA_TEST_ASSERT_EQ(rte_eth_rx_burst(pa, 0, m, 4), 1, "other miss");
	LVDPA_TEST_ASSERT(!(m[0]->ol_flags & RTE_MBUF_F_RX_FDIR_ID), "not marked");
	rte_pktmbuf_free(m[0]);
	LVDPA_TEST_ASSERT_EQ(rte_flow_query(pa, flow, &qa, &qc, &err), 0, "query");
	LVDPA_TEST_ASSERT_EQ(qc.hits, 1, "counted once");
	LVDPA_TEST_ASSERT_EQ(rte_flow_destroy(pa, flow, &err), 0, "destroy");
	len = build_udp(f, 4789, 3);
	LVDPA_TEST_ASSERT_EQ(lvdpa_model_net_send(mdev(fa), 0, f, len), 0, "send");
	LVDPA_TEST_ASSERT_EQ(rte_eth_rx_burst(pa, 0, m, 4), 1, "miss");
	LVDPA_TEST_ASSERT(!(m[0]->ol_flags & RTE_MBUF_F_RX_FDIR_ID), "no mark after destroy");
	rte_pktmbuf_free(m[0]);
	return 0;
}

LVDPA_TEST_MAIN(
	LVDPA_TEST_CASE(test_setup),
	LVDPA_TEST_CASE(test_port_info),
	LVDPA_TEST_CASE(test_slow_path),
	LVDPA_TEST_CASE(test_xstats),
	LVDPA_TEST_CASE(test_offload),
	LVDPA_TEST_CASE(test_drop_and_priority),
	LVDPA_TEST_CASE(test_refusals),
	LVDPA_TEST_CASE(test_partial_offload),
	LVDPA_TEST_CASE(test_uplink),
	LVDPA_TEST_CASE(test_teardown),
)
