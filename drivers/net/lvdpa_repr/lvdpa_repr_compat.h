/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The lvdpa authors
 */

#ifndef LVDPA_REPR_COMPAT_H
#define LVDPA_REPR_COMPAT_H

/*
 * Debian's libdpdk-dev ships no ethdev driver headers (ethdev_driver.h,
 * ethdev_vdev.h, bus_vdev_driver.h): this file declares the DPDK 22.11
 * layouts the representor PMD touches. Slots it does not use are plain
 * pointers, in the 22.11 order and number, so that the library reads NULL
 * in them. The top-level meson.build pins DPDK to 22.11.
 */

#include <pthread.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_flow.h>

struct rte_eth_dev;

struct lvdpa_repr_cb_list {          /* RTE_TAILQ_HEAD */
	void *first;
	void **last;
};

struct rte_eth_dev {
	eth_rx_burst_t rx_pkt_burst;
	eth_tx_burst_t tx_pkt_burst;
	eth_tx_prep_t tx_pkt_prepare;
	eth_rx_queue_count_t rx_queue_count;
	eth_rx_descriptor_status_t rx_descriptor_status;
	eth_tx_descriptor_status_t tx_descriptor_status;
	struct rte_eth_dev_data *data;
	void *process_private;
	const struct eth_dev_ops *dev_ops;
	struct rte_device *device;
	struct rte_intr_handle *intr_handle;
	struct lvdpa_repr_cb_list link_intr_cbs;
	void *post_rx_burst_cbs[RTE_MAX_QUEUES_PER_PORT];
	void *pre_tx_burst_cbs[RTE_MAX_QUEUES_PER_PORT];
	enum rte_eth_dev_state state;
	void *security_ctx;
} __rte_cache_aligned;

struct rte_eth_dev_data {
	char name[RTE_ETH_NAME_MAX_LEN];
	void **rx_queues;
	void **tx_queues;
	uint16_t nb_rx_queues;
	uint16_t nb_tx_queues;
	struct rte_eth_dev_sriov sriov;
	void *dev_private;
	struct rte_eth_link dev_link;
	struct rte_eth_conf dev_conf;
	uint16_t mtu;
	uint32_t min_rx_buf_size;
	uint64_t rx_mbuf_alloc_failed;
	struct rte_ether_addr *mac_addrs;
	uint64_t mac_pool_sel[RTE_ETH_NUM_RECEIVE_MAC_ADDR];
	struct rte_ether_addr *hash_mac_addrs;
	uint16_t port_id;
	__extension__
	uint8_t promiscuous : 1,
		scattered_rx : 1,
		all_multicast : 1,
		dev_started : 1,
		lro : 1,
		dev_configured : 1,
		flow_configured : 1;
	uint8_t rx_queue_state[RTE_MAX_QUEUES_PER_PORT];
	uint8_t tx_queue_state[RTE_MAX_QUEUES_PER_PORT];
	uint32_t dev_flags;
	int numa_node;
	struct rte_vlan_filter_conf vlan_filter_conf;
	struct rte_eth_dev_owner owner;
	uint16_t representor_id;
	uint16_t backer_port_id;
	pthread_mutex_t flow_ops_mutex;
} __rte_cache_aligned;

struct rte_flow_ops;

/* eth_dev_ops of 22.11: 113 slots. */
struct eth_dev_ops {
	int (*dev_configure)(struct rte_eth_dev *dev);
	int (*dev_start)(struct rte_eth_dev *dev);
	int (*dev_stop)(struct rte_eth_dev *dev);
	int (*dev_set_link_up)(struct rte_eth_dev *dev);
	int (*dev_set_link_down)(struct rte_eth_dev *dev);
	int (*dev_close)(struct rte_eth_dev *dev);
	void *dev_reset;
	int (*link_update)(struct rte_eth_dev *dev, int wait_to_complete);
	void *is_removed;
	int (*promiscuous_enable)(struct rte_eth_dev *dev);
	int (*promiscuous_disable)(struct rte_eth_dev *dev);
	int (*allmulticast_enable)(struct rte_eth_dev *dev);
	int (*allmulticast_disable)(struct rte_eth_dev *dev);
	void *mac_addr_remove;
	void *mac_addr_add;
	int (*mac_addr_set)(struct rte_eth_dev *dev, struct rte_ether_addr *mac);
	void *set_mc_addr_list;
	int (*mtu_set)(struct rte_eth_dev *dev, uint16_t mtu);
	int (*stats_get)(struct rte_eth_dev *dev, struct rte_eth_stats *stats);
	int (*stats_reset)(struct rte_eth_dev *dev);
	int (*xstats_get)(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n);
	int (*xstats_reset)(struct rte_eth_dev *dev);
	int (*xstats_get_names)(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names, unsigned int n);
	void *queue_stats_mapping_set;
	int (*dev_infos_get)(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);
	void *rxq_info_get;
	void *txq_info_get;
	void *rx_burst_mode_get;
	void *tx_burst_mode_get;
	void *fw_version_get;
	void *dev_supported_ptypes_get;
	void *dev_ptypes_set;
	void *vlan_filter_set;
	void *vlan_tpid_set;
	void *vlan_strip_queue_set;
	void *vlan_offload_set;
	void *vlan_pvid_set;
	void *rx_queue_start;
	void *rx_queue_stop;
	void *tx_queue_start;
	void *tx_queue_stop;
	int (*rx_queue_setup)(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			      unsigned int socket, const struct rte_eth_rxconf *conf,
			      struct rte_mempool *mp);
	void (*rx_queue_release)(struct rte_eth_dev *dev, uint16_t qid);
	void *rx_queue_intr_enable;
	void *rx_queue_intr_disable;
	int (*tx_queue_setup)(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			      unsigned int socket, const struct rte_eth_txconf *conf);
	void (*tx_queue_release)(struct rte_eth_dev *dev, uint16_t qid);
	void *tx_done_cleanup;
	void *dev_led_on;
	void *dev_led_off;
	void *flow_ctrl_get;
	void *flow_ctrl_set;
	void *priority_flow_ctrl_set;
	void *priority_flow_ctrl_queue_info_get;
	void *priority_flow_ctrl_queue_config;
	void *uc_hash_table_set;
	void *uc_all_hash_table_set;
	void *udp_tunnel_port_add;
	void *udp_tunnel_port_del;
	void *set_queue_rate_limit;
	void *rss_hash_update;
	void *rss_hash_conf_get;
	void *reta_update;
	void *reta_query;
	void *get_reg;
	void *get_eeprom_length;
	void *get_eeprom;
	void *set_eeprom;
	void *get_module_info;
	void *get_module_eeprom;
	int (*flow_ops_get)(struct rte_eth_dev *dev, const struct rte_flow_ops **ops);
	void *get_dcb_info;
	void *timesync_enable;
	void *timesync_disable;
	void *timesync_read_rx_timestamp;
	void *timesync_read_tx_timestamp;
	void *timesync_adjust_time;
	void *timesync_read_time;
	void *timesync_write_time;
	void *read_clock;
	void *xstats_get_by_id;
	void *xstats_get_names_by_id;
	void *tm_ops_get;
	void *mtr_ops_get;
	void *pool_ops_supported;
	void *hairpin_cap_get;
	void *rx_hairpin_queue_setup;
	void *tx_hairpin_queue_setup;
	void *fec_get_capability;
	void *fec_get;
	void *fec_set;
	void *hairpin_get_peer_ports;
	void *hairpin_bind;
	void *hairpin_unbind;
	void *hairpin_queue_peer_update;
	void *hairpin_queue_peer_bind;
	void *hairpin_queue_peer_unbind;
	void *get_monitor_addr;
	void *representor_info_get;
	void *rx_metadata_negotiate;
	void *ip_reassembly_capability_get;
	void *ip_reassembly_conf_get;
	void *ip_reassembly_conf_set;
	void *buffer_split_supported_hdr_ptypes_get;
	void *eth_dev_priv_dump;
	void *rx_queue_avail_thresh_set;
	void *rx_queue_avail_thresh_query;
	void *eth_rx_descriptor_dump;
	void *eth_tx_descriptor_dump;
	void *cman_info_get;
	void *cman_config_init;
	void *cman_config_set;
	void *cman_config_get;
};

/* rte_flow_ops of 22.11: 37 slots, the first five used. */
struct rte_flow_ops {
	int (*validate)(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
			const struct rte_flow_item pattern[],
			const struct rte_flow_action actions[], struct rte_flow_error *err);
	struct rte_flow *(*create)(struct rte_eth_dev *dev, const struct rte_flow_attr *attr,
				   const struct rte_flow_item pattern[],
				   const struct rte_flow_action actions[],
				   struct rte_flow_error *err);
	int (*destroy)(struct rte_eth_dev *dev, struct rte_flow *flow,
		       struct rte_flow_error *err);
	int (*flush)(struct rte_eth_dev *dev, struct rte_flow_error *err);
	int (*query)(struct rte_eth_dev *dev, struct rte_flow *flow,
		     const struct rte_flow_action *action, void *data,
		     struct rte_flow_error *err);
	void *lvdpa_unused[32];
};

extern struct rte_eth_dev rte_eth_devices[];

__rte_internal
struct rte_eth_dev *rte_eth_dev_allocate(const char *name);
__rte_internal
struct rte_eth_dev *rte_eth_dev_allocated(const char *name);
__rte_internal
int rte_eth_dev_release_port(struct rte_eth_dev *eth_dev);
__rte_internal
void rte_eth_dev_probing_finish(struct rte_eth_dev *dev);

/* drivers/bus/vdev/bus_vdev_driver.h of 22.11 (rte_driver: dev_driver.h). */
struct lvdpa_repr_rte_driver {
	RTE_TAILQ_ENTRY(lvdpa_repr_rte_driver) next;
	const char *name;
	const char *alias;
};

struct rte_vdev_device;

struct rte_vdev_driver {
	RTE_TAILQ_ENTRY(rte_vdev_driver) next;
	struct lvdpa_repr_rte_driver driver;
	int (*probe)(struct rte_vdev_device *dev);
	int (*remove)(struct rte_vdev_device *dev);
	void *dma_map;
	void *dma_unmap;
	uint32_t drv_flags;
};

__rte_internal
void rte_vdev_register(struct rte_vdev_driver *driver);
__rte_internal
void rte_vdev_unregister(struct rte_vdev_driver *driver);

/* The vdev embeds its rte_device right after its list entry. */
struct lvdpa_repr_vdev_head {
	RTE_TAILQ_ENTRY(rte_vdev_device) next;
};

static inline struct rte_device *
lvdpa_repr_vdev_to_dev(struct rte_vdev_device *vdev)
{
	return (struct rte_device *)((char *)vdev + sizeof(struct lvdpa_repr_vdev_head));
}

#endif /* LVDPA_REPR_COMPAT_H */
